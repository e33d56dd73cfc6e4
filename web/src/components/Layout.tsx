import { useEffect, useState, type ReactNode } from 'react';
import { Button, SkipLink } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import { Link, navigate, type PageId } from '../router.js';
import { useSession } from '../session.js';
import { api } from '../api.js';

const WORKSPACE_PAGES: PageId[] = ['workspace', 'worklist', 'newCase', 'case', 'inbox', 'request', 'capacity', 'followUp', 'providerStats'];

/** Every page: skip link, header (name, navigation, language, session), the demo banner, main, footer. */
export function Layout({ page, children }: { page: PageId; children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  const { me } = useSession();
  const nav: { id: PageId; href: string; label: string }[] = [
    { id: 'start', href: '/', label: t.nav.start },
    { id: 'directory', href: '/hitta-vard', label: t.nav.directory },
    { id: 'waitingTimes', href: '/vantetider', label: t.nav.waitingTimes },
    { id: 'statistics', href: '/statistik', label: t.nav.statistics },
    { id: 'rights', href: '/dina-rattigheter', label: t.nav.rights },
    { id: 'support', href: '/stod', label: t.support.navLabel },
    { id: 'about', href: '/om', label: t.nav.about },
  ];
  // Coordinators and providers get their workspace in the main menu; analysts and admins their follow-up in it.
  if (me?.authenticated && me.roles.some((r) => r === 'coordinator' || r === 'provider' || r === 'analyst' || r === 'admin')) nav.push({ id: 'workspace', href: '/arbetsyta', label: t.nav.workspace });
  // A logged-in patient follows her own cases.
  if (me?.authenticated && me.roles.includes('patient')) nav.push({ id: 'myCases', href: '/mina-arenden', label: t.nav.myCases });
  // On a narrow screen the menu folds behind a button (CSS shows the button below 40rem); a new page folds it again.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [page]);
  const current: PageId = WORKSPACE_PAGES.includes(page) ? 'workspace' : page === 'askCare' ? 'rights' : page === 'receipt' ? 'myCases' : page === 'supportArticle' ? 'support' : page;
  return (
    <div className="app">
      <SkipLink href="#main">{t.skipLink}</SkipLink>
      <header className="site-header">
        {me?.mode === 'demo' && (
          <p className="demo-banner" data-testid="demo-banner">
            <span aria-hidden="true" className="demo-banner__icon">!</span> {t.demoBanner}
          </p>
        )}
        <div className="site-header__bar container">
          <Link href="/" className="site-header__name">
            {t.serviceName}
          </Link>
          <div className="site-header__tools">
            <SessionArea />
            <button
              type="button"
              className="lang-switch"
              lang={lang === 'sv' ? 'en' : 'sv'}
              aria-label={t.switchLanguageLabel}
              onClick={() => setLang(lang === 'sv' ? 'en' : 'sv')}
            >
              {t.switchLanguage}
            </button>
          </div>
        </div>
        <nav aria-label={t.nav.label} className={menuOpen ? 'site-nav site-nav--open' : 'site-nav'}>
          <div className="site-nav__bar container">
            <button type="button" className="site-nav__toggle" aria-expanded={menuOpen} aria-controls="site-nav-list" onClick={() => setMenuOpen((o) => !o)}>
              <span aria-hidden="true" className="site-nav__icon" />
              {t.nav.menu}
            </button>
          </div>
          <ul id="site-nav-list" className="site-nav__list container">
            {nav.map((n) => (
              <li key={n.id}>
                <Link href={n.href} aria-current={current === n.id ? (page === n.id ? 'page' : 'true') : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1} className="container site-main">
        {children}
      </main>
      <footer className="site-footer">
        <div className="container">
          <p>{t.footer.about}</p>
          <ul className="site-footer__links">
            <li>
              <Link href="/dina-rattigheter">{t.footer.rights}</Link>
            </li>
            <li>
              <Link href="/stod">{t.support.navLabel}</Link>
            </li>
            <li>
              <Link href="/om#kallor">{t.footer.sources}</Link>
            </li>
            <li>
              <Link href="/oppen-data">{t.footer.openData}</Link>
            </li>
            <li>
              <a href="/api/docs">{t.footer.api}</a>
            </li>
          </ul>
          <p className="site-footer__credits">{t.footer.credits}</p>
        </div>
      </footer>
    </div>
  );
}

/** Who is logged in with a logout button, or a login link where people can log in (demo or OIDC). */
function SessionArea() {
  const { t } = useI18n();
  const { me, refresh } = useSession();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  if (!me) return null;
  if (me.authenticated) {
    const logout = async () => {
      setBusy(true);
      setFailed(false);
      try {
        await api.logout();
        await refresh();
        navigate('/');
      } catch {
        setFailed(true);
      } finally {
        setBusy(false);
      }
    };
    return (
      <div className="session" data-testid="session">
        <span className="session__who">
          <span className="session__label">{t.session.loggedInAs}</span> <strong>{me.displayName ?? me.subject}</strong>
        </span>
        <Button variant="secondary" data-size="sm" onClick={() => void logout()} aria-busy={busy || undefined}>
          {busy ? t.session.loggingOut : t.session.logout}
        </Button>
        {failed && (
          <span role="alert" className="session__error">
            {t.session.logoutFailed}
          </span>
        )}
      </div>
    );
  }
  if (me.mode === 'demo' || me.oidc) {
    return (
      <Link href="/logga-in" className="session__login">
        {t.nav.login}
      </Link>
    );
  }
  return null;
}

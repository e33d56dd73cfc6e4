import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Heading, Paragraph, Spinner } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { api, isAbort, type DemoPerson } from '../api.js';
import { Link, navigate, useLocation } from '../router.js';
import { safeReturnPath } from './patient/patient-api.js';
import { PageTitle } from '../components/PageTitle.js';

const ROLE_ORDER = ['patient', 'coordinator', 'provider', 'region-reporter', 'analyst', 'admin'];

/** Login: demo people in demo mode (clearly not a real login), the organisation's IdP when OIDC is configured, and
 * e-legitimation for patients when the citizen IdP is configured. */
export function LoginPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const l = t.login;
  if (!me) {
    return (
      <>
        <PageTitle title={l.title}>{l.title}</PageTitle>
        <p role="status">
          <Spinner aria-hidden="true" data-size="xs" /> {l.loadingPeople}
        </p>
      </>
    );
  }
  if (me.mode === 'demo') return <DemoLogin />;
  return (
    <>
      <PageTitle title={l.title}>{l.title}</PageTitle>
      {me.authenticated && me.displayName && <Alert data-color="success">{l.loggedIn(me.displayName)}</Alert>}
      {me.mode === 'production' && <Paragraph>{l.notAvailable}</Paragraph>}
      {me.oidc ? (
        <>
          <Paragraph>{l.oidcText}</Paragraph>
          <Paragraph>
            <a href="/auth/login" className="ds-button" data-variant="primary">
              {l.oidcLink}
            </a>
          </Paragraph>
        </>
      ) : (
        !me.citizenLogin && <Paragraph>{l.noLogin}</Paragraph>
      )}
      {me.citizenLogin && (
        <>
          <Paragraph>{l.citizenText}</Paragraph>
          <Paragraph>
            <a href="/auth/citizen/login" className="ds-button" data-variant={me.oidc ? 'secondary' : 'primary'}>
              {l.citizenLink}
            </a>
          </Paragraph>
        </>
      )}
    </>
  );
}

function DemoLogin() {
  const { t, lang } = useI18n();
  const { me, refresh } = useSession();
  const l = t.login;
  // ?roll=patient shows only that role's people; ?till=/be-om-vard returns there after the login.
  const { query } = useLocation();
  const onlyRole = query.get('roll') ?? '';
  const returnTo = safeReturnPath(query.get('till'));
  const [people, setPeople] = useState<DemoPerson[] | null>(null);
  const [loadError, setLoadError] = useState(false);
  const [pending, setPending] = useState<string | null>(null);
  const [loginError, setLoginError] = useState(false);

  useEffect(() => {
    const ac = new AbortController();
    api
      .demoPeople(ac.signal)
      .then((r) => setPeople(r.items))
      .catch((err: unknown) => !isAbort(err) && setLoadError(true));
    return () => ac.abort();
  }, []);

  // One group per role, in a fixed order; a person with two roles is listed under the first.
  const groups = useMemo(() => {
    const map = new Map<string, DemoPerson[]>();
    for (const p of people ?? []) {
      const role = p.roles[0] ?? 'other';
      if (onlyRole && !p.roles.includes(onlyRole)) continue;
      map.set(role, [...(map.get(role) ?? []), p]);
    }
    return [...map.entries()].sort(([a], [b]) => rank(a) - rank(b));
  }, [people, onlyRole]);

  const login = async (person: DemoPerson) => {
    setPending(person.id);
    setLoginError(false);
    try {
      await api.demoLogin(person.id);
      await refresh();
      if (returnTo) {
        navigate(returnTo);
        return;
      }
      window.scrollTo({ top: 0 });
    } catch {
      setLoginError(true);
    } finally {
      setPending(null);
    }
  };

  return (
    <>
      <PageTitle title={l.demoTitle}>{l.demoTitle}</PageTitle>
      <Alert data-color="warning" className="section">
        <Paragraph>{l.demoWarning}</Paragraph>
      </Alert>
      <div role="status" aria-live="polite" className="login-status">
        {me?.authenticated && me.displayName && <Alert data-color="success">{l.loggedIn(me.displayName)}</Alert>}
        {pending && l.loggingIn}
      </div>
      {loginError && (
        <Alert data-color="danger" role="alert">
          {l.loginError}
        </Alert>
      )}
      {loadError && <Alert data-color="danger">{l.peopleError}</Alert>}
      {!people && !loadError && (
        <p role="status">
          <Spinner aria-hidden="true" data-size="xs" /> {l.loadingPeople}
        </p>
      )}
      {people && people.length === 0 && <Paragraph>{l.noPeople}</Paragraph>}
      {onlyRole && (
        <Paragraph>
          {l.onlyRole(l.roles[onlyRole] ?? onlyRole)}{' '}
          <Link href={returnTo ? `/logga-in?till=${encodeURIComponent(returnTo)}` : '/logga-in'}>{l.showAll}</Link>
        </Paragraph>
      )}
      {groups.map(([role, list]) => (
        <section key={role} className="section" aria-labelledby={`role-${role}`}>
          <Heading level={2} data-size="sm" id={`role-${role}`}>
            {l.roles[role] ?? role}
          </Heading>
          <ul className="people">
            {list.map((p) => (
              <li key={p.id}>
                <Card variant="default" className="person">
                  <Heading level={3} data-size="2xs">
                    {p.displayName}
                  </Heading>
                  <Paragraph data-size="sm">{p.description[lang]}</Paragraph>
                  <Button
                    variant="secondary"
                    data-size="sm"
                    disabled={pending !== null}
                    onClick={() => void login(p)}
                    data-person-id={p.id}
                  >
                    {l.loginAs(p.displayName)}
                  </Button>
                </Card>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </>
  );
}

function rank(role: string): number {
  const i = ROLE_ORDER.indexOf(role);
  return i === -1 ? ROLE_ORDER.length : i;
}

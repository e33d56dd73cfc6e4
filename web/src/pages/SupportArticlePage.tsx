import { useEffect, useRef, useState, type MouseEvent } from 'react';
import { Alert, Button, Heading, Paragraph, Spinner } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import { ApiError, isAbort } from '../api.js';
import { Link, navigate } from '../router.js';
import { PageTitle } from '../components/PageTitle.js';
import { calendarDate, supportApi, type ContentPageOut } from './SupportPage.js';
import './support.css';

/** A page gets a table of contents when it has at least this many sections. */
const TOC_MIN_SECTIONS = 4;

type State = { status: 'loading' } | { status: 'ok'; page: ContentPageOut } | { status: 'notFound' } | { status: 'error' };

/** One support page (/stod/<slug>): title, when and by whom it was last reviewed, contents, the body. */
export function SupportArticlePage({ slug }: { slug: string }) {
  const { t, lang, formatDate } = useI18n();
  const s = t.support;
  const [state, setState] = useState<State>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setState({ status: 'loading' });
    supportApi
      .page(slug, lang, ac.signal)
      .then((page) => setState({ status: 'ok', page }))
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        setState(err instanceof ApiError && (err.status === 404 || err.status === 400) ? { status: 'notFound' } : { status: 'error' });
      });
    return () => ac.abort();
  }, [slug, lang, attempt]);

  // The body arrives after the first paint, so the browser cannot scroll to #section by itself: do it once it is there.
  const scrolled = useRef(false);
  useEffect(() => {
    if (state.status !== 'ok' || scrolled.current) return;
    scrolled.current = true;
    const id = decodeURIComponent(window.location.hash.slice(1));
    if (id) document.getElementById(id)?.scrollIntoView();
  }, [state]);

  // Links in the body between support pages (and to other pages of the app) navigate in-app.
  const onBodyClick = (e: MouseEvent<HTMLDivElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element).closest('a');
    const href = a?.getAttribute('href');
    if (!href || !href.startsWith('/') || href.startsWith('//') || href.startsWith('/api/')) return;
    e.preventDefault();
    navigate(href);
  };

  // One heading element throughout (loading → page), so that the focus given to it after a navigation stays on it.
  const page = state.status === 'ok' ? state.page : null;
  const title = page?.title ?? (state.status === 'notFound' ? s.notFoundTitle : s.title);
  const sections = page?.headings.filter((h) => h.level === 2) ?? [];
  return (
    <article className="support-article" lang={page?.lang}>
      <nav aria-label={s.breadcrumbLabel} className="support-breadcrumb">
        <Link href="/stod" className="ds-link">
          {s.back}
        </Link>
      </nav>
      <PageTitle title={title}>{title}</PageTitle>
      {state.status === 'loading' && (
        <p className="hint" role="status">
          <Spinner aria-hidden="true" data-size="sm" /> {s.articleLoading}
        </p>
      )}
      {state.status === 'notFound' && <Paragraph>{s.notFoundText}</Paragraph>}
      {state.status === 'error' && (
        <Alert data-color="danger">
          <Paragraph>{s.articleFailed}</Paragraph>
          <Button variant="secondary" data-size="sm" onClick={() => setAttempt((n) => n + 1)}>
            {s.retry}
          </Button>
        </Alert>
      )}
      {page && (
        <>
          <p className="support-article__meta" data-testid="support-article-meta">
            <span className="support-article__audience">{s.groups[page.audience]}</span>
            <span>{s.reviewed(formatDate(calendarDate(page.reviewed)), page.owner)}</span>
          </p>
          {sections.length >= TOC_MIN_SECTIONS && (
            <nav aria-labelledby="support-toc-heading" className="support-toc" data-testid="support-toc">
              <Heading level={2} data-size="xs" id="support-toc-heading">
                {s.toc}
              </Heading>
              <ul>
                {sections.map((h) => (
                  <li key={h.id}>
                    <a href={`#${h.id}`} className="ds-link">
                      {h.text}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {/* HTML rendered on the server from our own Markdown, raw HTML escaped and links checked (src/domain/content.ts). */}
          <div className="support-body" data-testid="support-body" onClick={onBodyClick} dangerouslySetInnerHTML={{ __html: page.html }} />
        </>
      )}
      {state.status !== 'loading' && (
        <p className="support-article__footer">
          <Link href="/stod" className="ds-link">
            {s.allPages}
          </Link>
        </p>
      )}
    </article>
  );
}

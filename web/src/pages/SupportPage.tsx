import { useEffect, useId, useState, type FormEvent } from 'react';
import { Alert, Button, Field, Heading, Input, Label, Paragraph, Spinner } from '@digdir/designsystemet-react';
import type { ContentListItem, ContentPageOut, ContentSearchItem } from '../../../src/services/content.service.js';
import { useI18n, type Lang } from '../i18n/index.js';
import { isAbort, qs, request } from '../api.js';
import { Link, navigate, useLocation } from '../router.js';
import { PageTitle } from '../components/PageTitle.js';
import './support.css';

export type { ContentListItem, ContentPageOut, ContentSearchItem };
type Audience = ContentListItem['audience'];

/** The support material's API (src/http/routes/content.routes.ts). */
export const supportApi = {
  list: (lang: Lang, signal?: AbortSignal) => request<{ lang: Lang; items: ContentListItem[] }>('GET', `/api/v1/content${qs({ lang })}`, undefined, signal),
  page: (slug: string, lang: Lang, signal?: AbortSignal) => request<ContentPageOut>('GET', `/api/v1/content/${encodeURIComponent(slug)}${qs({ lang })}`, undefined, signal),
  search: (q: string, lang: Lang, signal?: AbortSignal) => request<{ items: ContentSearchItem[] }>('GET', `/api/v1/content/search${qs({ q, lang })}`, undefined, signal),
};

/** Where a support page is in the web. */
export const supportHref = (slug: string, anchor?: string | null) => `/stod/${slug}${anchor ? `#${anchor}` : ''}`;

/** A YYYY-MM-DD date at noon, so that no time zone moves it to another day. */
export const calendarDate = (iso: string) => `${iso}T12:00:00`;

const GROUPS: Audience[] = ['patient', 'provider', 'region', 'all'];
const MIN_QUERY = 2;
const SEARCH_DELAY_MS = 300;

type SearchState =
  | { status: 'idle' }
  | { status: 'loading'; q: string }
  | { status: 'done'; q: string; items: ContentSearchItem[] }
  | { status: 'error'; q: string };

/** "Stöd och information": search over every support page, and the pages grouped by who they are for. */
export function SupportPage() {
  const { t, lang, formatDate } = useI18n();
  const s = t.support;
  const { query } = useLocation();
  const urlQuery = query.get('q') ?? '';
  const [text, setText] = useState(urlQuery);
  const inputId = useId();
  const hintId = useId();

  // The list of pages, grouped below.
  const [pages, setPages] = useState<ContentListItem[] | null>(null);
  const [listFailed, setListFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setListFailed(false);
    supportApi
      .list(lang, ac.signal)
      .then((r) => setPages(r.items))
      .catch((err: unknown) => !isAbort(err) && setListFailed(true));
    return () => ac.abort();
  }, [lang, attempt]);

  // The query lives in the address (?q=), so a search can be shared and survives a reload; typing updates it after a pause.
  useEffect(() => {
    const q = text.trim();
    if (q === urlQuery.trim()) return;
    const timer = setTimeout(() => navigate(`/stod${qs({ q: q || undefined })}`, { replace: true }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, urlQuery]);

  const [search, setSearch] = useState<SearchState>({ status: 'idle' });
  useEffect(() => {
    const q = urlQuery.trim();
    if (q.length < MIN_QUERY) {
      setSearch({ status: 'idle' });
      return;
    }
    const ac = new AbortController();
    setSearch({ status: 'loading', q });
    supportApi
      .search(q, lang, ac.signal)
      .then((r) => setSearch({ status: 'done', q, items: r.items }))
      .catch((err: unknown) => !isAbort(err) && setSearch({ status: 'error', q }));
    return () => ac.abort();
  }, [urlQuery, lang, attempt]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const q = text.trim();
    navigate(`/stod${qs({ q: q || undefined })}`, { replace: true });
    if (q === urlQuery.trim()) setAttempt((n) => n + 1); // the same search again: ask once more
  };
  const clear = () => {
    setText('');
    navigate('/stod', { replace: true });
  };

  const typed = text.trim();
  const status =
    typed.length > 0 && typed.length < MIN_QUERY
      ? s.tooShort
      : search.status === 'loading'
        ? s.searching
        : search.status === 'done'
          ? search.items.length === 0
            ? s.noResults(search.q)
            : s.results(search.items.length, search.q)
          : search.status === 'error'
            ? s.searchFailed
            : '';

  return (
    <>
      <PageTitle title={s.title}>{s.title}</PageTitle>
      <Paragraph data-size="lg" className="lead">
        {s.lead}
      </Paragraph>

      <div className="support-search">
        <form role="search" onSubmit={submit} noValidate>
          <Field>
            <Label htmlFor={inputId}>{s.searchLabel}</Label>
            <Paragraph data-size="sm" id={hintId} className="hint">
              {s.searchHint}
            </Paragraph>
            <div className="support-search__row">
              <Input id={inputId} type="search" name="q" autoComplete="off" value={text} aria-describedby={hintId} onChange={(e) => setText(e.target.value)} />
              <Button type="submit">{s.searchButton}</Button>
            </div>
          </Field>
        </form>
        <p role="status" aria-live="polite" className="support-search__status" data-testid="support-search-status">
          {status}
        </p>
      </div>

      {search.status === 'done' && search.items.length > 0 && (
        <section className="section" aria-labelledby="support-results-heading">
          <Heading level={2} data-size="md" id="support-results-heading">
            {s.resultsHeading}
          </Heading>
          <ol className="support-results" data-testid="support-results">
            {search.items.map((item) => (
              <li key={item.slug} className="support-results__item">
                <Heading level={3} data-size="xs">
                  <Link href={supportHref(item.slug, item.anchor)} className="ds-link">
                    {item.title}
                  </Link>
                </Heading>
                <p className="support-results__snippet">
                  {item.snippet.map((part, i) => (part.mark ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
                </p>
                <p className="hint">
                  {s.groups[item.audience]} · {s.reviewedShort(formatDate(calendarDate(item.reviewed)))}
                </p>
              </li>
            ))}
          </ol>
          <p>
            <button type="button" className="linklike" onClick={clear}>
              {s.clearSearch}
            </button>
          </p>
        </section>
      )}
      {search.status === 'error' && (
        <Alert data-color="danger" className="section">
          <Paragraph>{s.searchFailed}</Paragraph>
          <Button variant="secondary" data-size="sm" onClick={() => setAttempt((n) => n + 1)}>
            {s.retry}
          </Button>
        </Alert>
      )}

      {listFailed && (
        <Alert data-color="danger" className="section">
          <Paragraph>{s.loadFailed}</Paragraph>
          <Button variant="secondary" data-size="sm" onClick={() => setAttempt((n) => n + 1)}>
            {s.retry}
          </Button>
        </Alert>
      )}
      {!pages && !listFailed && (
        <p className="hint" role="status">
          <Spinner aria-hidden="true" data-size="sm" /> {s.loading}
        </p>
      )}
      {pages &&
        GROUPS.map((g) => {
          const inGroup = pages.filter((p) => p.audience === g);
          if (inGroup.length === 0) return null;
          return (
            <section key={g} className="section" aria-labelledby={`support-group-${g}`} data-testid={`support-group-${g}`}>
              <Heading level={2} data-size="md" id={`support-group-${g}`}>
                {s.groups[g]}
              </Heading>
              <Paragraph className="support-group__lead">{s.groupLeads[g]}</Paragraph>
              <ul className="support-list">
                {inGroup.map((p) => (
                  <li key={p.slug} className="support-list__item">
                    <Link href={supportHref(p.slug)} className="support-list__title ds-link">
                      {p.title}
                    </Link>
                    <p className="support-list__summary">{p.summary}</p>
                    <p className="hint">{s.reviewedShort(formatDate(calendarDate(p.reviewed)))}</p>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
    </>
  );
}

import { stockholmDay } from '../../../src/domain/clock.js';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Alert, Paragraph, Spinner } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { ApiError } from '../api.js';
import { PageTitle } from '../components/PageTitle.js';
import type { Me } from '../api.js';

export type WsRole = 'coordinator' | 'provider';

export function hasRole(me: Me | null, role: WsRole): boolean {
  return !!me?.authenticated && me.roles.includes(role);
}

/** The workspace's own small menu: only the pages the session's roles may use. */
export function WorkspaceNav({ current }: { current: 'worklist' | 'inbox' | 'capacity' | 'none' }) {
  const { t } = useI18n();
  const { me } = useSession();
  const items: { id: string; href: string; label: string }[] = [];
  if (hasRole(me, 'coordinator')) items.push({ id: 'worklist', href: '/arbetsyta/arbetslista', label: t.ws.pages.worklist });
  if (hasRole(me, 'provider')) {
    items.push({ id: 'inbox', href: '/arbetsyta/inkorg', label: t.ws.pages.inbox });
    items.push({ id: 'capacity', href: '/arbetsyta/kapacitet', label: t.ws.pages.capacity });
  }
  if (items.length < 2) return null;
  return (
    <nav aria-label={t.ws.subnavLabel} className="ws-subnav">
      <ul>
        {items.map((i) => (
          <li key={i.id}>
            <Link href={i.href} aria-current={current === i.id ? 'page' : undefined}>
              {i.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Renders children only for a session with the role; otherwise one h1 that says why and links to the (demo) login. */
export function RequireRole({ roles, title, children }: { roles: WsRole[]; title: string; children: ReactNode }) {
  const { t } = useI18n();
  const { me } = useSession();
  if (!me) {
    return (
      <>
        <PageTitle title={title}>{title}</PageTitle>
        <p role="status">
          <Spinner aria-hidden="true" data-size="xs" /> {t.ws.loading}
        </p>
      </>
    );
  }
  if (roles.some((r) => hasRole(me, r))) return <>{children}</>;
  const n = t.ws.noRole;
  const roleText = roles.length > 1 ? n.roleEither : roles[0] === 'coordinator' ? n.roleCoordinator : n.roleProvider;
  return (
    <>
      <PageTitle title={n.title}>{n.title}</PageTitle>
      <Paragraph>{me.authenticated ? n.text(roleText) : n.notLoggedIn}</Paragraph>
      <Paragraph>
        <Link href="/logga-in">{n.login}</Link>
      </Paragraph>
    </>
  );
}

/** The words of a days-left label (the workspace's by default; the patient pages pass their own). */
export interface DaysLeftTexts {
  left: (n: string, one: boolean) => string;
  today: string;
  passed: (n: string, one: boolean) => string;
}

/** "12 dagar kvar" / "Sista dagen är i dag" / "Passerad för 3 dagar sedan", with a shape and colour that repeat the words. */
export function DaysLeft({ days, texts }: { days: number; texts?: DaysLeftTexts }) {
  const { t, formatNumber } = useI18n();
  const d = texts ?? t.ws.days;
  const text = days > 0 ? d.left(formatNumber(days), days === 1) : days === 0 ? d.today : d.passed(formatNumber(-days), days === -1);
  const level = days < 0 ? 'passed' : days <= 14 ? 'soon' : 'ok';
  return (
    <span className={`ws-days ws-days--${level}`} data-days-left={days}>
      <span aria-hidden="true" className="ws-days__icon">
        {level === 'passed' ? '!' : level === 'soon' ? '◷' : '✓'}
      </span>
      {text}
    </span>
  );
}

/** Hook: formats ISO timestamps in the reader's locale, and a ticking "now" for countdowns. */
export function useFormatters() {
  const { locale, formatDate } = useI18n();
  return useMemo(() => {
    const dt = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
    const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    return {
      date: (iso: string) => formatDate(iso.length === 10 ? `${iso}T12:00:00` : iso),
      dateTime: (iso: string) => dt.format(new Date(iso)),
      time: (d: Date) => time.format(d),
    };
  }, [locale, formatDate]);
}

export function useNow(intervalMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(id);
  }, [intervalMs]);
  return now;
}

/** "28 nov. 2026 14:00 (om 2 dagar)": when a request must be answered, with the time left. */
export function RespondBy({ iso, open = true }: { iso: string; open?: boolean }) {
  const { t, formatNumber } = useI18n();
  const f = useFormatters();
  const now = useNow();
  const ms = new Date(iso).getTime() - now;
  const r = t.ws.respondBy;
  let left = '';
  if (open) {
    if (ms <= 0) left = r.passed;
    else if (ms < 48 * 3600_000) left = r.inHours(formatNumber(Math.max(1, Math.round(ms / 3600_000))));
    else {
      const days = Math.floor(ms / 86_400_000);
      left = r.inDays(formatNumber(days), days === 1);
    }
  }
  return (
    <span className={open && ms < 24 * 3600_000 ? 'ws-respond ws-respond--soon' : 'ws-respond'}>
      <time dateTime={iso}>{f.dateTime(iso)}</time>
      {left && <> ({left})</>}
    </span>
  );
}

export function StatusTag({ kind, status }: { kind: 'case' | 'request'; status: string }) {
  const { t } = useI18n();
  const label = (kind === 'case' ? t.ws.caseStatus : t.ws.requestStatus)[status] ?? status;
  return (
    <span className={`ws-status ws-status--${status}`} data-status={status}>
      {label}
    </span>
  );
}

/** The API's problem `detail` (and field errors) next to the action that failed. */
export function ActionError({ error, id }: { error: unknown; id?: string }) {
  if (!error) return null;
  const detail = error instanceof ApiError ? error.detail : error instanceof Error ? error.message : String(error);
  const fields = error instanceof ApiError ? error.errors : [];
  return (
    <div role="alert" className="ws-error" id={id} data-testid="action-error">
      <p>{detail}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((e, i) => (
            <li key={i}>{e.field ? `${e.field}: ${e.message}` : e.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function LoadError({ onRetry, error }: { onRetry: () => void; error?: unknown }) {
  const { t } = useI18n();
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <Alert data-color="danger">
      <Paragraph>{notFound ? t.ws.notFound : t.ws.loadError}</Paragraph>
      {!notFound && (
        <button type="button" className="ds-button" data-variant="secondary" data-size="sm" onClick={onRetry}>
          {t.ws.retry}
        </button>
      )}
    </Alert>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" className="ws-loading">
      <Spinner aria-hidden="true" data-size="xs" /> {t.ws.loading}
    </p>
  );
}

/** Today as YYYY-MM-DD in Sweden: the server's own calendar rule (src/domain/clock.ts). */
export function swedishToday(): string {
  return stockholmDay(new Date());
}
/** A date plus whole days (src/domain/calendar.ts). */
export { addDays as addDaysIso } from '../../../src/domain/calendar.js';

/** The brokering event types the stream sends (docs/webhooks.md). */
const EVENT_TYPES = [
  'case.opened',
  'case.chosen',
  'case.booked',
  'case.completed',
  'case.cancelled',
  'case.closed',
  'request.sent',
  'request.accepted',
  'request.declined',
  'request.expired',
  'request.withdrawn',
];

export interface LiveEvent {
  id?: number;
  type: string;
  caseId?: string;
  seq?: number;
  data?: unknown;
}

/**
 * Keeps an open page fresh without a reload: server-sent events from /api/v1/events/stream when the server has them,
 * otherwise (404, network error, no EventSource) re-reading every 15 seconds. `onChange` is called with the event (or
 * nothing on a poll); the caller re-reads and announces what changed in its aria-live region.
 */
export function useLiveUpdates(onChange: (e?: LiveEvent) => void, opts: { caseId?: string; enabled?: boolean } = {}): 'stream' | 'poll' {
  const [mode, setMode] = useState<'stream' | 'poll'>('poll');
  const cb = useRef(onChange);
  cb.current = onChange;
  const { caseId, enabled = true } = opts;
  useEffect(() => {
    if (!enabled) return;
    let poll: number | undefined;
    let es: EventSource | undefined;
    const startPolling = () => {
      if (poll !== undefined) return;
      setMode('poll');
      poll = window.setInterval(() => cb.current(), 15_000);
    };
    if (typeof EventSource === 'undefined') startPolling();
    else {
      es = new EventSource('/api/v1/events/stream', { withCredentials: true });
      es.onopen = () => setMode('stream');
      const onEvent = (m: MessageEvent<string>) => {
        try {
          const e = JSON.parse(m.data) as LiveEvent;
          if (caseId && e.caseId && e.caseId !== caseId) return;
          cb.current(e);
        } catch {
          cb.current();
        }
      };
      // The server names every event by its type (`event: request.accepted`), so listen for each as well as unnamed ones.
      es.onmessage = onEvent;
      for (const type of EVENT_TYPES) es.addEventListener(type, onEvent as EventListener);
      es.onerror = () => {
        // A missing route (404), a refused or a dropped stream: fall back to polling for the rest of this page view.
        es?.close();
        startPolling();
      };
    }
    return () => {
      es?.close();
      if (poll !== undefined) window.clearInterval(poll);
    };
  }, [caseId, enabled]);
  return mode;
}

/** A polite live region with a visible text: what changed on the page without a reload. */
export function LiveRegion({ message, mode }: { message: string; mode: 'stream' | 'poll' }) {
  const { t } = useI18n();
  return (
    <div className="ws-live">
      <p className="ws-live__mode">{mode === 'stream' ? t.ws.live.streaming : t.ws.live.polling}</p>
      <p role="status" aria-live="polite" aria-atomic="true" className="ws-live__message" data-testid="live-region">
        {message}
      </p>
    </div>
  );
}

/** A tiny async-action state: busy, error, and run(). */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}

import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/**
 * A minimal client-side router on the History API: the server answers every page path with index.html
 * (src/http/web.ts), so links only need to push a new history entry and tell subscribers.
 */
const NAV_EVENT = 'nvf:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAV_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAV_EVENT, onChange);
  };
}

/** pathname + search as one string, so both changes re-render (filters live in the query string). */
function snapshot(): string {
  return window.location.pathname + window.location.search;
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot);
  const u = new URL(href, window.location.origin);
  return { path: u.pathname.replace(/\/+$/, '') || '/', query: u.searchParams };
}

/** Go to a page (push) or only update the query string of this one (replace, so Back leaves the page). */
let focusPending = false;

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else {
    window.history.pushState(null, '', to);
    focusPending = true;
  }
  window.dispatchEvent(new Event(NAV_EVENT));
}

/** True once after an in-app page change: the new page's h1 takes focus so screen readers announce it. */
export function takeFocusRequest(): boolean {
  const pending = focusPending;
  focusPending = false;
  return pending;
}

/** An ordinary link that navigates in-app on a plain left click; new-tab clicks etc. keep the browser's behaviour. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (!href.startsWith('/') || href.startsWith('/api/') || rest.target) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}

/** The app's pages; Swedish paths first, English aliases lead to the same page. */
export type PageId =
  | 'followUp'
  | 'providerStats'
  | 'start'
  | 'directory'
  | 'waitingTimes'
  | 'login'
  | 'about'
  | 'notFound'
  | 'workspace'
  | 'worklist'
  | 'newCase'
  | 'case'
  | 'inbox'
  | 'request'
  | 'capacity'
  | 'rights'
  | 'askCare'
  | 'receipt'
  | 'myCases'
  | 'support'
  | 'supportArticle'
  | 'statistics'
  | 'openData';
const ROUTES: Record<string, PageId> = {
  '/': 'start',
  '/hitta-vard': 'directory',
  '/find-care': 'directory',
  '/vantetider': 'waitingTimes',
  '/waiting-times': 'waitingTimes',
  '/logga-in': 'login',
  '/login': 'login',
  '/om': 'about',
  '/about': 'about',
  '/arbetsyta': 'workspace',
  '/workspace': 'workspace',
  '/arbetsyta/arbetslista': 'worklist',
  '/workspace/work-list': 'worklist',
  '/arbetsyta/nytt-arende': 'newCase',
  '/workspace/new-case': 'newCase',
  '/arbetsyta/inkorg': 'inbox',
  '/workspace/inbox': 'inbox',
  '/arbetsyta/kapacitet': 'capacity',
  '/workspace/capacity': 'capacity',
  '/arbetsyta/uppfoljning': 'followUp',
  '/workspace/follow-up': 'followUp',
  '/arbetsyta/statistik': 'providerStats',
  '/workspace/statistics': 'providerStats',
  '/dina-rattigheter': 'rights',
  '/your-rights': 'rights',
  '/be-om-vard': 'askCare',
  '/ask-for-care': 'askCare',
  '/mina-arenden': 'myCases',
  '/my-cases': 'myCases',
  '/stod': 'support',
  '/support': 'support',
  '/statistik': 'statistics',
  '/statistics': 'statistics',
  '/oppen-data': 'openData',
  '/open-data': 'openData',
};
/** Pages with an id in the path: /arbetsyta/arenden/<id>, /arbetsyta/forfragningar/<id>, /be-om-vard/klart/<id>, /stod/<slug> (and English aliases). */
const PARAM_ROUTES: { pattern: RegExp; page: PageId }[] = [
  { pattern: /^\/(?:arbetsyta\/arenden|workspace\/cases)\/([^/]+)$/, page: 'case' },
  { pattern: /^\/(?:arbetsyta\/forfragningar|workspace\/requests)\/([^/]+)$/, page: 'request' },
  { pattern: /^\/(?:be-om-vard\/klart|ask-for-care\/sent)\/([^/]+)$/, page: 'receipt' },
  { pattern: /^\/(?:stod|support)\/([^/]+)$/, page: 'supportArticle' },
];
export function pageFor(path: string): PageId {
  const exact = ROUTES[path];
  if (exact) return exact;
  for (const r of PARAM_ROUTES) if (r.pattern.test(path)) return r.page;
  return 'notFound';
}
/** The id in a parameterised path (see PARAM_ROUTES), decoded; '' when the path has none. */
export function pathParam(path: string): string {
  for (const r of PARAM_ROUTES) {
    const m = r.pattern.exec(path);
    if (m?.[1]) {
      try {
        return decodeURIComponent(m[1]);
      } catch {
        return m[1];
      }
    }
  }
  return '';
}

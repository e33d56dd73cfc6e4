/** Helpers to read statistics periods and figures in the reader's language. */

/** '2026-10' → 'oktober 2026' (sv) / 'October 2026' (en). */
export function formatPeriod(period: string, locale: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) return period;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

/** '2026-10' → 'okt. 2026' (short, for chart axes and table rows). */
export function formatPeriodShort(period: string, locale: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) return period;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(d);
}

/** The date part of a timestamp or date: 'YYYY-MM-DD' (the revision footnote's form). */
export function isoDate(s: string | null | undefined): string {
  return s ? s.slice(0, 10) : '';
}

/** A share as a percentage with one decimal, as docs/indicators.md asks: 78,4 % (sv) / 78.4% (en). */
export function percentFormatter(locale: string): (share: number) => string {
  const f = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return (share) => f.format(share);
}

/** Days, hours or km with at most one decimal. */
export function decimalFormatter(locale: string): (n: number) => string {
  const f = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  return (n) => f.format(n);
}

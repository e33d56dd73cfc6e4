/** Where "now" comes from. Injected wherever today matters; tests fix it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock stopped at one instant (tests, backtests). */
export function fixedClock(at: Date | string): Clock {
  const t = new Date(at);
  return { now: () => new Date(t) };
}

let lastMinute = Number.NaN;
let lastDay = '';
const stockholmDate = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date (YYYY-MM-DD) in Europe/Stockholm at an instant: the guarantee counts Swedish calendar days. */
export function stockholmDay(at: Date): string {
  // Formatting is the costly part and every request asks: the date is kept per minute (Swedish midnight, daylight saving
  // changes included, always falls on a whole minute, so the minute decides the date).
  const minute = Math.floor(at.getTime() / 60_000);
  if (minute !== lastMinute) {
    lastDay = stockholmDate.format(at);
    lastMinute = minute;
  }
  return lastDay;
}

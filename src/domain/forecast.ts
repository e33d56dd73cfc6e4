/**
 * What a newly referred patient should expect to wait at a unit for a service: a first-come-first-served queue model.
 * The method, its assumptions and its backtested error are written in docs/methods/forecast.md.
 *
 * With Q patients waiting and a recent throughput of μ completions per day, a new patient joins at place Q + 1 and is
 * treated when Q + 1 patients have been completed: expected wait ≈ (Q + 1) / μ days (Little's law for a queue in steady
 * state, L = λW, with the departure rate standing in for the arrival rate).
 */

/** Completions over this many days make the throughput. */
export const THROUGHPUT_WINDOW_DAYS = 90;
/** Fewer completions than this in the window: too little to estimate a throughput from (and a small cell anyway). */
export const MIN_COMPLETIONS = 5;
/** A forecast never says more than two years: beyond that the model says only "very long". */
export const FORECAST_CAP_DAYS = 730;

export interface ForecastInput {
  /** patients waiting now (all of them, whatever the statistical view) */
  waitingCount: number;
  /** completed in the last THROUGHPUT_WINDOW_DAYS days */
  completedLast90Days: number;
  /** the unit's own current report of its expected wait (capacity report), when there is one */
  reportedExpectedWaitDays?: number | null | undefined;
  windowDays?: number;
}

export type ForecastMethod = 'queue' | 'reported';

export interface Forecast {
  days: number;
  method: ForecastMethod;
}

/**
 * The forecast in whole days, with how it was made: 'queue' from the waiting list and throughput, 'reported' (the unit's
 * own expected wait) when there are too few completions to estimate a throughput. Null when neither is available.
 */
export function forecast(input: ForecastInput): Forecast | null {
  const window = input.windowDays ?? THROUGHPUT_WINDOW_DAYS;
  const q = input.waitingCount;
  const c = input.completedLast90Days;
  if (!Number.isFinite(q) || !Number.isFinite(c) || q < 0 || c < 0 || window <= 0) throw new RangeError('forecast needs counts ≥ 0 and a positive window');
  if (c >= MIN_COMPLETIONS) {
    // (Q + 1) / (C / window), written so that the same integers give the same rounding in SQL (refresh) and here
    return { days: Math.min(FORECAST_CAP_DAYS, Math.round(((q + 1) * window) / c)), method: 'queue' };
  }
  const reported = input.reportedExpectedWaitDays;
  if (reported !== null && reported !== undefined && Number.isFinite(reported) && reported >= 0) return { days: Math.min(FORECAST_CAP_DAYS, Math.round(reported)), method: 'reported' };
  return null;
}

/** forecast() as a number of days, or null. */
export function forecastWaitDays(input: ForecastInput): number | null {
  return forecast(input)?.days ?? null;
}

/**
 * Days until a patient already in the queue at place `position` (1 = next) is treated, at the same throughput;
 * null when the throughput cannot be estimated. Used for the breach forecast of each waiting episode.
 */
export function remainingWaitDays(position: number, completedLast90Days: number, windowDays = THROUGHPUT_WINDOW_DAYS): number | null {
  if (completedLast90Days < MIN_COMPLETIONS || position < 1) return null;
  return Math.min(FORECAST_CAP_DAYS, Math.ceil((position * windowDays) / completedLast90Days));
}

/** The public waiting-times API (contract "Waiting times"): one call per service and statistical view. */
import { ApiError } from '../api.js';

export type StatisticalView = 'excluding_pvv_and_mov' | 'excluding_pvv';
export const STATISTICAL_VIEWS: readonly StatisticalView[] = ['excluding_pvv_and_mov', 'excluding_pvv'];

export interface WaitingTimeRow {
  level: 'unit' | 'region' | 'national';
  regionCode: string | null;
  unitHsaId: string | null;
  unitName: string | null;
  serviceId: string;
  waitingCount: number | null;
  medianWaitedDays: number | null;
  p90WaitedDays: number | null;
  shareWithinGuarantee: number | null;
  completedLast90Days: number | null;
  medianCompletedWaitDays: number | null;
  forecastWaitDays: number | null;
  reportedExpectedWaitDays: number | null;
  dataAsOf: string;
  stale: boolean;
  suppressed: boolean;
}
export interface WaitingTimesAnswer { serviceId: string; view: StatisticalView; items: WaitingTimeRow[] }

export async function fetchWaitingTimes(serviceId: string, view: StatisticalView, signal?: AbortSignal): Promise<WaitingTimesAnswer> {
  const p = new URLSearchParams({ service: serviceId, view });
  const res = await fetch(`/api/v1/waiting-times?${p.toString()}`, { headers: { accept: 'application/json' }, credentials: 'same-origin', ...(signal ? { signal } : {}) });
  if (!res.ok) {
    let detail = res.statusText;
    try {
      const body = (await res.json()) as { detail?: string; title?: string };
      detail = body.detail ?? body.title ?? detail;
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(res.status, detail);
  }
  return (await res.json()) as WaitingTimesAnswer;
}

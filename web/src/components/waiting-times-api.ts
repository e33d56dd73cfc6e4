/** The public waiting-times API (contract "Waiting times"): one call per service and statistical view. */
import { ApiError } from '../api.js';

import type { StatisticalView } from '../../../src/domain/guarantee.js';
import type { PublicWaitingTimeRow } from '../../../src/domain/waiting-times.js';

export type { StatisticalView };
export const STATISTICAL_VIEWS: readonly StatisticalView[] = ['excluding_pvv_and_mov', 'excluding_pvv'];

/** One row of the answer: the server's own type (src/domain/waiting-times.ts), so the two cannot drift apart. */
export type WaitingTimeRow = PublicWaitingTimeRow;
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

/** Calls of the public statistics and open-data API (contract "Statistics and follow-up"). */
import { qs, request } from '../../api.js';
import type { BrokeringAnswer, OpenDataAnswer, OverviewAnswer, PeriodsAnswer, RegionsAnswer, SeriesAnswer } from './types.js';

/** The indicator the compliance chart and the region comparison show. */
export const COMPLIANCE_INDICATOR = 'within_guarantee_share';

export const statsApi = {
  periods: (signal?: AbortSignal) => request<PeriodsAnswer>('GET', '/api/v1/stats/periods', undefined, signal),
  overview: (q: { region?: string; period?: string; view?: string }, signal?: AbortSignal) =>
    request<OverviewAnswer>('GET', `/api/v1/stats/overview${qs(q)}`, undefined, signal),
  brokering: (q: { region?: string; period?: string }, signal?: AbortSignal) =>
    request<BrokeringAnswer>('GET', `/api/v1/stats/brokering${qs(q)}`, undefined, signal),
  series: (q: { indicator: string; region?: string; view?: string; guaranteeKind?: string; from?: string; to?: string }, signal?: AbortSignal) =>
    request<SeriesAnswer>('GET', `/api/v1/stats/series${qs(q)}`, undefined, signal),
  regions: (q: { indicator: string; period?: string; view?: string; guaranteeKind?: string }, signal?: AbortSignal) =>
    request<RegionsAnswer>('GET', `/api/v1/stats/regions${qs(q)}`, undefined, signal),
  openData: (signal?: AbortSignal) => request<OpenDataAnswer>('GET', '/api/v1/open-data', undefined, signal),
};

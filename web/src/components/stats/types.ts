/**
 * The answers of the public statistics and open-data API (/api/v1/stats/*, /api/v1/open-data), as agreed in the
 * contract. Declared here, type-only, so the web bundles nothing of the server.
 */
import type { StatisticalView } from '../../../../src/domain/guarantee.js';

export type { StatisticalView };

/** The guarantee kinds that have statistics (primary_contact has no waiting-list data). */
export const STAT_KINDS = ['specialist_first_visit', 'treatment', 'primary_assessment'] as const;
export type StatKind = (typeof STAT_KINDS)[number];

export interface Bilingual { sv: string; en: string }

/** One published figure of an indicator (series, regions and breakdown answers): the server's own type. */
import type { PublishedValue } from '../../../../src/services/statistics/publish.service.js';

export type { PublishedValue };

export interface PeriodsAnswer { items: { period: string; revision: number; computedAt: string }[]; latest: string | null }

export interface GuaranteeFigures {
  guaranteeKind: string;
  waitingCount: number | null;
  withinGuaranteeShare: number | null;
  medianWaitedDays: number | null;
  p90WaitedDays: number | null;
  completedCount: number | null;
  completedWithinGuaranteeShare: number | null;
  medianCompletedWaitDays: number | null;
  suppressed: boolean;
}

export interface OverviewAnswer {
  period: string;
  view: string;
  regionCode: string | null;
  computedAt: string;
  revision: number;
  revisedAt: string | null;
  dataAsOf: string | null;
  synthetic: boolean;
  guarantee: GuaranteeFigures[];
  brokering: {
    casesOpenedCount: number | null;
    requestsSentCount: number | null;
    casesChosenCount: number | null;
    casesCompletedCount: number | null;
    medianDaysSaved: number | null;
    suppressed: boolean;
  };
  summary: Bilingual;
}

export interface BrokeringAnswer {
  period: string;
  regionCode: string | null;
  computedAt: string;
  revision: number;
  revisedAt: string | null;
  synthetic: boolean;
  casesOpenedCount: number | null;
  requestsSentCount: number | null;
  requestsDueCount: number | null;
  requestsAnsweredInTimeCount: number | null;
  answeredInTimeShare: number | null;
  decidedCount: number | null;
  acceptedCount: number | null;
  acceptanceRate: number | null;
  medianResponseHours: number | null;
  casesChosenCount: number | null;
  casesCompletedCount: number | null;
  medianDaysSaved: number | null;
  daysSavedBasisCount: number | null;
  medianTravelDistanceKm: number | null;
  outcomes: { ending: string; casesCount: number | null }[];
  suppressed: boolean;
  summary: Bilingual;
}

export interface SeriesAnswer {
  indicatorId: string;
  unit: string;
  kind: string;
  regionCode: string | null;
  view: string | null;
  guaranteeKind: string | null;
  breakdown: string | null;
  breakdownValue: string | null;
  /** one per period, oldest first */
  items: PublishedValue[];
  synthetic?: boolean;
}

export interface RegionsAnswer {
  indicatorId: string;
  unit: string;
  kind: string;
  period: string;
  /** national first, then the 21 regions by code */
  items: PublishedValue[];
  synthetic?: boolean;
}

export interface OpenDataset {
  id: string;
  title: Bilingual;
  description: string | Bilingual;
  licence: string | { id: string; name: string; url: string };
  view: string | null;
  links: { csv: string; json: string; dictionary: string };
  updatedAt: string | null;
}

export interface OpenDataAnswer {
  licence: { id: string; name: string; url: string };
  items: OpenDataset[];
  changelogUrl: string;
  synthetic?: boolean;
}

/**
 * The answers of the public statistics and open-data API (/api/v1/stats/*, /api/v1/open-data), type-only, so the web
 * bundles nothing of the server: the overview and brokering answers from the routes' response schemas, the others as
 * the contract gives them.
 */
import type { z } from 'zod';
import type { StatisticalView } from '../../../../src/domain/guarantee.js';
import type { BrokeringOut, OverviewOut } from '../../../../src/http/routes/stats.routes.js';

export type { StatisticalView };

/** The guarantee kinds that have statistics (primary_contact has no waiting-list data). */
export const STAT_KINDS = ['specialist_first_visit', 'treatment', 'primary_assessment'] as const;
export type StatKind = (typeof STAT_KINDS)[number];

export interface Bilingual { sv: string; en: string }

/** One published figure of an indicator (series, regions and breakdown answers): the server's own type. */
import type { PublishedValue } from '../../../../src/services/statistics/publish.service.js';

export type { PublishedValue };

export interface PeriodsAnswer { items: { period: string; revision: number; computedAt: string }[]; latest: string | null }

// The overview's and the brokering figures' shapes are the routes' own response schemas (type-only).
export type OverviewAnswer = z.infer<typeof OverviewOut>;
export type GuaranteeFigures = OverviewAnswer['guarantee'][number];
export type BrokeringAnswer = z.infer<typeof BrokeringOut>;

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

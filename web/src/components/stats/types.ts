/**
 * The answers of the public statistics and open-data API (/api/v1/stats/*, /api/v1/open-data), type-only, so the web
 * bundles nothing of the server: each is the route's own response schema (z.infer), so that the web cannot expect a
 * field the server does not send.
 */
import type { z } from 'zod';
import type { StatisticalView } from '../../../../src/domain/guarantee.js';
import type { OpenDataListOut } from '../../../../src/http/routes/open-data.routes.js';
import type { BrokeringOut, OverviewOut, PeriodsOut, RegionsOut, SeriesOut } from '../../../../src/http/routes/stats.routes.js';
import type { PublishedValue } from '../../../../src/services/statistics/publish.service.js';

export type { PublishedValue, StatisticalView };

/** The guarantee kinds that have statistics (primary_contact has no waiting-list data). */
export const STAT_KINDS = ['specialist_first_visit', 'treatment', 'primary_assessment'] as const;
export type StatKind = (typeof STAT_KINDS)[number];

export type PeriodsAnswer = z.infer<typeof PeriodsOut>;
export type OverviewAnswer = z.infer<typeof OverviewOut>;
export type GuaranteeFigures = OverviewAnswer['guarantee'][number];
export type BrokeringAnswer = z.infer<typeof BrokeringOut>;
/** one value per period, oldest first */
export type SeriesAnswer = z.infer<typeof SeriesOut>;
/** national first, then the 21 regions by code */
export type RegionsAnswer = z.infer<typeof RegionsOut>;
export type OpenDataAnswer = z.infer<typeof OpenDataListOut>;
export type OpenDataset = OpenDataAnswer['items'][number];

import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { toCsv, type CsvValue } from '../../domain/csv.js';
import { AppError } from '../../domain/errors.js';
import { INDICATOR_DEFINITION_VERSION, INDICATORS, type IndicatorDefinition } from '../../domain/indicators.js';
import { isSynthetic, periods, publishedRows } from './publish.service.js';

/**
 * Open data (docs/open-data.md): the published statistics as datasets, CSV and JSON, every computed month, suppressed
 * exactly as the statistics API (publish.service.ts). Licence CC0 1.0 (see docs/open-data.md for why).
 */

export const LICENCE = { id: 'CC0-1.0', name: 'Creative Commons Zero v1.0 Universal (CC0 1.0)', url: 'https://creativecommons.org/publicdomain/zero/1.0/deed.sv' } as const;
export const CHANGELOG_URL = '/oppen-data#andringslogg';
const EQUITY = ['sex', 'age_band', 'home_region'];

interface Dataset {
  id: string;
  title: { sv: string; en: string };
  description: string;
  /** which indicators and which of their rows */
  indicators: (d: IndicatorDefinition) => boolean;
  rows: (breakdown: string) => boolean;
  /** participation figures are not counts of people: their counts get no _count suffix */
  participation?: true;
}

export const DATASETS: readonly Dataset[] = [
  {
    id: 'guarantee-compliance',
    title: { sv: 'Vårdgarantins uppfyllelse', en: 'Care guarantee compliance' },
    description: 'Patients waiting and completed per month, and the shares within the care guarantee, nationally and per region, per guarantee kind, in both statistical views (column view).',
    indicators: (d) => ['waiting_count', 'within_guarantee_share', 'completed_count', 'completed_within_guarantee_share'].includes(d.id),
    rows: (b) => b === '',
  },
  {
    id: 'waits',
    title: { sv: 'Väntetider', en: 'Waiting times' },
    description: 'Median and 90th percentile of days waited so far and of the wait of completed episodes, nationally and per region, per guarantee kind, both views; denominator_count is the basis.',
    indicators: (d) => d.group === 'waits' && d.kind === 'median',
    rows: (b) => b === '',
  },
  {
    id: 'brokering',
    title: { sv: 'Vårdförmedling', en: 'Brokering' },
    description: 'Brokering cases and requests per month: opened, sent, answered in time, acceptance, response time, chosen, completed, endings, days saved and travel distance; nationally and per (home or receiving) region.',
    indicators: (d) => d.group === 'brokering',
    rows: (b) => !EQUITY.includes(b),
  },
  {
    id: 'participation',
    title: { sv: 'Deltagande och datakvalitet', en: 'Participation and data quality' },
    description: 'Per region and month: waiting-list data on time, applied and rejected submissions, row errors, units with a fresh capacity report, connected systems. Not counts of people: never suppressed.',
    indicators: (d) => d.group === 'participation',
    rows: () => true,
    participation: true,
  },
  {
    id: 'equity',
    title: { sv: 'Jämlikhet', en: 'Equity' },
    description: 'The waits and brokering indicators broken down by sex, age band and home region (one dimension at a time; home region nationally only).',
    indicators: (d) => d.group !== 'participation' && d.breakdowns.some((b) => EQUITY.includes(b)),
    rows: (b) => EQUITY.includes(b),
  },
];

interface Column {
  column: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime';
  description: string;
}

function dictionaryOf(ds: Dataset): Column[] {
  const counts = ds.participation
    ? [
        { column: 'numerator', type: 'integer', description: 'the units, regions or submissions counted (e.g. units with a fresh report); not people' },
        { column: 'denominator', type: 'integer', description: 'the units or regions counted from (e.g. units expected to report); not people' },
      ]
    : [
        { column: 'value_count', type: 'integer', description: 'the count, for count indicators (people, episodes, cases or requests); empty when suppressed' },
        { column: 'numerator_count', type: 'integer', description: 'numerator of a share; empty when suppressed' },
        { column: 'denominator_count', type: 'integer', description: 'denominator of a share, or the basis count of a median; empty when suppressed' },
      ];
  return [
    { column: 'period', type: 'string', description: 'calendar month YYYY-MM' },
    { column: 'indicator_id', type: 'string', description: 'indicator id, defined in docs/indicators.md (stable)' },
    { column: 'definition_version', type: 'integer', description: 'version of the indicator definitions (changelog)' },
    { column: 'view', type: 'string', description: 'statistical view: excluding_pvv (SKR) or excluding_pvv_and_mov (Socialstyrelsen); empty when the indicator does not depend on it' },
    { column: 'guarantee_kind', type: 'string', description: 'primary_assessment, specialist_first_visit or treatment; empty = all kinds / not by kind' },
    { column: 'region_code', type: 'string', description: 'region (two digits); empty = the whole country' },
    { column: 'breakdown', type: 'string', description: 'breakdown dimension (sex, age_band, home_region, origin, outcome, ending, decline_reason, role); empty = none' },
    { column: 'breakdown_value', type: 'string', description: 'category of the breakdown' },
    { column: 'value', type: 'number', description: 'the figure: share 0–1, days, hours, km, flag 0/1 or a participation number; empty for counts (see value_count) and when suppressed' },
    ...(counts as Column[]),
    { column: 'suppressed', type: 'boolean', description: 'true when a figure of the row is hidden to protect individuals (a hidden figure is not zero)' },
    { column: 'revision', type: 'integer', description: 'revision of the row (1 = first computation; higher after late data)' },
    { column: 'revised_at', type: 'datetime', description: 'when the newest revision was computed; empty for revision 1' },
  ];
}

export function datasetById(id: string): Dataset {
  const ds = DATASETS.find((d) => d.id === id);
  if (!ds) throw new AppError('not_found', `There is no open dataset "${id}"; the datasets are ${DATASETS.map((d) => d.id).join(', ')}.`);
  return ds;
}

export async function listDatasets(db: Kysely<DB>) {
  const [all, synthetic] = await Promise.all([periods(db), isSynthetic(db)]);
  const updatedAt = all.length === 0 ? null : all.map((p) => p.computedAt).sort().at(-1)!;
  return {
    licence: LICENCE,
    items: DATASETS.map((d) => ({
      id: d.id, title: d.title, description: d.description, licence: LICENCE, view: null,
      links: { csv: `/api/v1/open-data/${d.id}.csv`, json: `/api/v1/open-data/${d.id}.json`, dictionary: `/api/v1/open-data/${d.id}/dictionary` },
      updatedAt,
    })),
    changelogUrl: CHANGELOG_URL,
    synthetic,
  };
}

export function dictionary(id: string) {
  const ds = datasetById(id);
  return { dataset: ds.id, licence: LICENCE, definitionVersion: INDICATOR_DEFINITION_VERSION, dictionary: dictionaryOf(ds) };
}

/** The rows of a dataset: every computed month (oldest first), suppressed, newest revision; one object per row. */
async function rowsOf(db: Kysely<DB>, ds: Dataset): Promise<Record<string, CsvValue>[]> {
  const ids: string[] = INDICATORS.filter((d) => ds.indicators(d)).map((d) => d.id);
  const out: Record<string, CsvValue>[] = [];
  const all = (await periods(db)).map((p) => p.period).sort();
  for (const p of all) {
    const cells = (await publishedRows(db, ids, p)).filter((c) => ds.rows(c.breakdown ?? ''));
    cells.sort((a, b) => ids.indexOf(a.indicatorId) - ids.indexOf(b.indicatorId) || cmp(a.view, b.view) || cmp(a.guaranteeKind, b.guaranteeKind) || cmp(a.regionCode, b.regionCode) || cmp(a.breakdown, b.breakdown) || cmp(a.breakdownValue, b.breakdownValue));
    for (const c of cells) {
      const counts = ds.participation
        ? { numerator: c.numerator, denominator: c.denominator }
        : { value_count: c.valueCount, numerator_count: c.numeratorCount, denominator_count: c.denominatorCount };
      out.push({
        period: c.period, indicator_id: c.indicatorId, definition_version: INDICATOR_DEFINITION_VERSION, view: c.view ?? '', guarantee_kind: c.guaranteeKind ?? '',
        region_code: c.regionCode ?? '', breakdown: c.breakdown ?? '', breakdown_value: c.breakdownValue ?? '', value: c.value, ...counts,
        suppressed: c.suppressed, revision: c.revision, revised_at: c.revisedAt,
      });
    }
  }
  return out;
}
const cmp = (a: string | null, b: string | null): number => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);

export async function datasetJson(db: Kysely<DB>, id: string) {
  const ds = datasetById(id);
  const [rows, synthetic] = await Promise.all([rowsOf(db, ds), isSynthetic(db)]);
  return {
    dataset: ds.id, title: ds.title, licence: LICENCE, view: null, viewNote: 'Each row names its statistical view in the column view (empty: the figure does not depend on it).',
    definitionVersion: INDICATOR_DEFINITION_VERSION, synthetic, dictionary: dictionaryOf(ds), rows,
  };
}

export async function datasetCsv(db: Kysely<DB>, id: string): Promise<{ filename: string; body: string }> {
  const ds = datasetById(id);
  const dict = dictionaryOf(ds);
  const rows = await rowsOf(db, ds);
  const columns = dict.map((c) => c.column);
  return { filename: `nationell-vardformedling-${ds.id}.csv`, body: toCsv(columns, rows.map((r) => columns.map((c) => r[c]))) };
}

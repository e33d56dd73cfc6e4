import { sql, type RawBuilder } from 'kysely';
import { CANCEL_REASONS, CLOSE_REASONS, DECLINE_REASONS, OUTCOMES } from '../../domain/case-state.js';
import type { GuaranteeKind } from '../../domain/guarantee.js';
import { AGE_BANDS, indicatorById, type Breakdown, type IndicatorId, type IndicatorRow, type PeriodBounds } from '../../domain/indicators.js';
import type { Executor } from '../../services/context.js';

/**
 * Group B of docs/indicators.md (brokering), with the equity breakdowns of group C, for one calendar month: two
 * set-based queries (one over the cases touched in the month, one over the requests), each one scan with GROUPING SETS
 * (guarantee kind or all kinds × region or national × one breakdown dimension at a time), then a complete grid of rows:
 * every indicator × kind × region (national '' and the 21 regions) × every category of its breakdowns, zeros included,
 * so that a recomputation that empties a cell revises it instead of leaving the old figure.
 *
 * Dates: timestamptz columns are compared with the month as Stockholm calendar days (the half-open range from Stockholm
 * midnight of the 1st to Stockholm midnight of the next month's 1st — the same as `(col AT TIME ZONE
 * 'Europe/Stockholm')::date BETWEEN M0 AND R`); date columns (`completed_on`, `offered_date`) as they are. Ages are from
 * the birth year in the period's year (every event counted falls in that year).
 *
 * Regions: indicators of cases use the case's home region (`cases.region_code`), so their `home_region` breakdown is the
 * national figure split by region (it equals the regional rows); indicators of requests use the receiving region
 * (`units.region_code` of the unit asked) and publish the `home_region` breakdown nationally (the flow from each home
 * region), not per receiving region.
 */

/** The guarantee kinds a case can have (primary_contact has no service in the catalogue, so no case). */
export const CASE_GUARANTEE_KINDS = ['primary_assessment', 'specialist_first_visit', 'treatment'] as const satisfies readonly GuaranteeKind[];

/** The `ending` categories of cases_ended_count. */
export const CASE_ENDINGS: readonly string[] = [
  ...OUTCOMES.map((o) => `completed:${o}`),
  ...CANCEL_REASONS.map((r) => `cancelled:${r}`),
  ...CLOSE_REASONS.map((r) => `closed_unresolved:${r}`),
];

const SEXES = ['F', 'M'] as const;
const ORIGINS = ['coordinator', 'patient'] as const;

/** One aggregated group: '' for a dimension not grouped on. */
interface Group {
  kind: string;
  region: string;
  breakdown: Breakdown;
  value: string;
  figures: Record<string, number | null>;
}

const keyOf = (kind: string, region: string, breakdown: string, value: string) => `${kind}|${region}|${breakdown}|${value}`;

/** The GROUPING SETS list: (kind?) × (region?) × (one of the breakdown columns or none). Static SQL text, no input. */
function groupingSets(breakdownColumns: readonly string[], nationalOnly: readonly string[]): RawBuilder<unknown> {
  const sets: string[] = [];
  for (const kind of [['kind'], []])
    for (const region of [['region'], []])
      for (const bd of [[], ...breakdownColumns.map((c) => [c])]) sets.push(`(${[...kind, ...region, ...bd].join(', ')})`);
  for (const kind of [['kind'], []]) for (const c of nationalOnly) sets.push(`(${[...kind, c].join(', ')})`);
  return sql.raw(sets.join(', '));
}

/** Read grouped rows: which breakdown column (if any) a row is grouped on, from GROUPING() flags. */
function readGroups(rows: readonly Record<string, unknown>[], breakdownColumns: readonly (readonly [column: string, breakdown: Breakdown])[], figureNames: readonly string[]): Map<string, Group> {
  const out = new Map<string, Group>();
  for (const r of rows) {
    const kind = Number(r.g_kind) === 0 ? String(r.kind) : '';
    const region = Number(r.g_region) === 0 ? String(r.region) : '';
    let breakdown: Breakdown = '';
    let value = '';
    let skip = false;
    for (const [column, bd] of breakdownColumns) {
      if (Number(r[`g_${column}`]) !== 0) continue;
      // a row grouped on a breakdown column whose value is null is the rest of the cases (e.g. not completed): no category
      if (r[column] === null || r[column] === undefined) skip = true;
      breakdown = bd;
      value = String(r[column]);
    }
    if (skip) continue;
    const figures: Record<string, number | null> = {};
    for (const f of figureNames) figures[f] = r[f] === null || r[f] === undefined ? null : Number(r[f]);
    out.set(keyOf(kind, region, breakdown, value), { kind, region, breakdown, value, figures });
  }
  return out;
}

const AGE_BAND_SQL = (year: number) => sql`CASE WHEN ${year}::int - c.patient_birth_year < 18 THEN '0-17'
  WHEN ${year}::int - c.patient_birth_year < 45 THEN '18-44'
  WHEN ${year}::int - c.patient_birth_year < 65 THEN '45-64'
  WHEN ${year}::int - c.patient_birth_year < 80 THEN '65-79' ELSE '80+' END`;

const CASE_BREAKDOWNS = [['sex', 'sex'], ['age_band', 'age_band'], ['origin', 'origin'], ['outcome', 'outcome'], ['ending', 'ending']] as const;
const CASE_FIGURES = ['opened', 'completed', 'ended', 'chosen', 'saved_n', 'saved_median', 'distance_n', 'distance_median'] as const;

/** The figures of the cases touched in the month: opened, chosen (outbox case.chosen), completed, ended; days saved and distance of the chosen requests. */
async function caseGroups(db: Executor, b: PeriodBounds): Promise<Map<string, Group>> {
  const year = Number(b.period.slice(0, 4));
  const t0 = sql`(${b.monthStart}::timestamp AT TIME ZONE 'Europe/Stockholm')`;
  const t1 = sql`(${b.nextMonthStart}::timestamp AT TIME ZONE 'Europe/Stockholm')`;
  const completedIn = sql`(c.status = 'completed' AND c.completed_on BETWEEN ${b.monthStart}::date AND ${b.monthEnd}::date)`;
  const endedIn = sql`(c.status IN ('cancelled', 'closed_unresolved') AND c.ended_at >= ${t0} AND c.ended_at < ${t1})`;
  const openedIn = sql`(c.opened_at >= ${t0} AND c.opened_at < ${t1})`;
  const { rows } = await sql<Record<string, unknown>>`
    WITH chosen AS (
      SELECT DISTINCT e.case_id FROM outbox_events e
       WHERE e.type = 'case.chosen' AND e.case_id IS NOT NULL AND e.occurred_at >= ${t0} AND e.occurred_at < ${t1}
    ), touched AS (
      SELECT c.guarantee_kind AS kind, c.region_code::text AS region, c.patient_sex::text AS sex, ${AGE_BAND_SQL(year)} AS age_band, c.origin,
             CASE WHEN ${completedIn} THEN c.outcome END AS outcome,
             CASE WHEN ${completedIn} THEN 'completed:' || c.outcome WHEN ${endedIn} THEN c.status || ':' || c.end_reason END AS ending,
             ${openedIn} AS opened, ${completedIn} AS completed, (ch.case_id IS NOT NULL) AS chosen,
             (r.search_snapshot->>'homeForecastDays')::numeric::int - (r.offered_date - (r.sent_at AT TIME ZONE 'Europe/Stockholm')::date) AS days_saved,
             round((r.search_snapshot->>'distanceKm')::numeric, 1) AS distance_km
        FROM cases c
        LEFT JOIN chosen ch ON ch.case_id = c.id
        LEFT JOIN requests r ON ch.case_id IS NOT NULL AND r.id = c.chosen_request_id
       WHERE ${openedIn} OR ${completedIn} OR ${endedIn} OR ch.case_id IS NOT NULL
    )
    SELECT GROUPING(kind) AS g_kind, GROUPING(region) AS g_region, GROUPING(sex) AS g_sex, GROUPING(age_band) AS g_age_band,
           GROUPING(origin) AS g_origin, GROUPING(outcome) AS g_outcome, GROUPING(ending) AS g_ending,
           kind, region, sex, age_band, origin, outcome, ending,
           count(*) FILTER (WHERE opened) AS opened,
           count(*) FILTER (WHERE completed) AS completed,
           count(ending) AS ended,
           count(*) FILTER (WHERE chosen) AS chosen,
           count(days_saved) AS saved_n,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY days_saved) AS saved_median,
           count(distance_km) AS distance_n,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY distance_km) AS distance_median
      FROM touched
     GROUP BY GROUPING SETS (${groupingSets(CASE_BREAKDOWNS.map(([c]) => c), [])})`.execute(db);
  return readGroups(rows, CASE_BREAKDOWNS, CASE_FIGURES);
}

const REQUEST_BREAKDOWNS = [['sex', 'sex'], ['age_band', 'age_band'], ['decline_reason', 'decline_reason'], ['home_region', 'home_region']] as const;
const REQUEST_FIGURES = ['sent', 'due', 'in_time', 'decided', 'accepted', 'declined', 'answered_n', 'response_median'] as const;

/** The figures of the requests sent, due, decided or answered in the month, by receiving region (home region nationally). */
async function requestGroups(db: Executor, b: PeriodBounds): Promise<Map<string, Group>> {
  const year = Number(b.period.slice(0, 4));
  const t0 = sql`(${b.monthStart}::timestamp AT TIME ZONE 'Europe/Stockholm')`;
  const t1 = sql`(${b.nextMonthStart}::timestamp AT TIME ZONE 'Europe/Stockholm')`;
  const sentIn = sql`(r.sent_at >= ${t0} AND r.sent_at < ${t1})`;
  const answeredIn = sql`(r.answered_at >= ${t0} AND r.answered_at < ${t1})`;
  const dueIn = sql`(r.respond_by >= ${t0} AND r.respond_by < ${t1})`;
  // withdrawn before any answer: the unit could not answer it (as the ranking's track record)
  const withdrawnUnanswered = sql`(r.status = 'withdrawn' AND r.answered_at IS NULL)`;
  const decided = sql`(${answeredIn} OR (r.status = 'expired' AND ${dueIn}))`;
  const { rows } = await sql<Record<string, unknown>>`
    WITH touched AS (
      SELECT c.guarantee_kind AS kind, u.region_code::text AS region, c.region_code::text AS home_region, c.patient_sex::text AS sex, ${AGE_BAND_SQL(year)} AS age_band,
             CASE WHEN ${decided} THEN r.decline_reason END AS decline_reason,
             ${sentIn} AS sent,
             (${dueIn} AND NOT ${withdrawnUnanswered}) AS due,
             (${dueIn} AND NOT ${withdrawnUnanswered} AND r.answered_at IS NOT NULL AND r.answered_at <= r.respond_by) AS in_time,
             ${decided} AS decided,
             (${decided} AND r.offered_date IS NOT NULL) AS accepted,
             (${decided} AND r.decline_reason IS NOT NULL) AS declined,
             CASE WHEN ${answeredIn} THEN round((extract(epoch FROM (r.answered_at - r.sent_at)) / 3600)::numeric, 1) END AS response_hours
        FROM requests r
        JOIN cases c ON c.id = r.case_id
        JOIN units u ON u.hsa_id = r.unit_hsa_id
       WHERE ${sentIn} OR ${dueIn} OR ${answeredIn}
    )
    SELECT GROUPING(kind) AS g_kind, GROUPING(region) AS g_region, GROUPING(sex) AS g_sex, GROUPING(age_band) AS g_age_band,
           GROUPING(decline_reason) AS g_decline_reason, GROUPING(home_region) AS g_home_region,
           kind, region, sex, age_band, decline_reason, home_region,
           count(*) FILTER (WHERE sent) AS sent,
           count(*) FILTER (WHERE due) AS due,
           count(*) FILTER (WHERE in_time) AS in_time,
           count(*) FILTER (WHERE decided) AS decided,
           count(*) FILTER (WHERE accepted) AS accepted,
           count(*) FILTER (WHERE declined) AS declined,
           count(response_hours) AS answered_n,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY response_hours) AS response_median
      FROM touched
     GROUP BY GROUPING SETS (${groupingSets(['sex', 'age_band', 'decline_reason'], ['home_region'])})`.execute(db);
  return readGroups(rows, REQUEST_BREAKDOWNS, REQUEST_FIGURES);
}

type Source = 'cases' | 'requests';
type Figure = (f: (name: string) => number | null) => { value: number | null; numeratorCount: number | null; denominatorCount: number | null };

const count = (name: string): Figure => (f) => {
  const n = f(name) ?? 0;
  return { value: n, numeratorCount: n, denominatorCount: null };
};
const share = (num: string, den: string): Figure => (f) => {
  const n = f(num) ?? 0;
  const d = f(den) ?? 0;
  return { value: d > 0 ? n / d : null, numeratorCount: n, denominatorCount: d };
};
const medianOf = (basis: string, median: string): Figure => (f) => {
  const n = f(basis) ?? 0;
  const m = f(median);
  return { value: n > 0 && m !== null ? Math.round(m * 10) / 10 : null, numeratorCount: null, denominatorCount: n };
};

/** Each indicator of group B: where its figures come from and how its row is made. Breakdowns and kinds from the registry. */
const SPECS: readonly { id: IndicatorId; source: Source; figure: Figure }[] = [
  { id: 'cases_opened_count', source: 'cases', figure: count('opened') },
  { id: 'requests_sent_count', source: 'requests', figure: count('sent') },
  { id: 'requests_answered_in_time_share', source: 'requests', figure: share('in_time', 'due') },
  { id: 'acceptance_rate', source: 'requests', figure: share('accepted', 'decided') },
  { id: 'requests_declined_count', source: 'requests', figure: count('declined') },
  { id: 'median_response_hours', source: 'requests', figure: medianOf('answered_n', 'response_median') },
  { id: 'cases_chosen_count', source: 'cases', figure: count('chosen') },
  { id: 'cases_completed_count', source: 'cases', figure: count('completed') },
  { id: 'cases_ended_count', source: 'cases', figure: count('ended') },
  { id: 'median_days_saved', source: 'cases', figure: medianOf('saved_n', 'saved_median') },
  { id: 'median_travel_distance_km', source: 'cases', figure: medianOf('distance_n', 'distance_median') },
];

/**
 * Every indicator of group B for the month `b`, raw (suppression is applied when publishing), as IndicatorRow values:
 * national ('' region) and per region, per guarantee kind where the registry says byGuaranteeKind (and '' = all kinds),
 * and each breakdown of the registry one dimension at a time, with every category (zeros included).
 */
export async function computeBrokeringIndicators(db: Executor, b: PeriodBounds): Promise<IndicatorRow[]> {
  const [regionRows, cases, requests] = [
    await db.selectFrom('regions').select('code').orderBy('code').execute(),
    await caseGroups(db, b),
    await requestGroups(db, b),
  ];
  const regions = regionRows.map((r) => String(r.code));
  const categories: Record<string, readonly string[]> = {
    sex: SEXES, age_band: AGE_BANDS, home_region: regions, origin: ORIGINS, outcome: OUTCOMES, ending: CASE_ENDINGS, decline_reason: DECLINE_REASONS,
  };
  const out: IndicatorRow[] = [];
  for (const spec of SPECS) {
    const def = indicatorById(spec.id)!;
    const groups = spec.source === 'cases' ? cases : requests;
    const kinds: ('' | GuaranteeKind)[] = def.byGuaranteeKind ? ['', ...CASE_GUARANTEE_KINDS] : [''];
    const lookup = (kind: string, region: string, breakdown: Breakdown, value: string): Group | undefined => {
      // a case's region is its home region: the national home-region split is the regional figure
      if (spec.source === 'cases' && breakdown === 'home_region') return groups.get(keyOf(kind, value, '', ''));
      return groups.get(keyOf(kind, region, breakdown, value));
    };
    const push = (kind: '' | GuaranteeKind, region: string, breakdown: Breakdown, value: string) => {
      const g = lookup(kind, region, breakdown, value);
      const figures = spec.figure((name) => g?.figures[name] ?? null);
      out.push({ indicatorId: spec.id, period: b.period, view: '', guaranteeKind: kind, regionCode: region, breakdown, breakdownValue: value, ...figures });
    };
    for (const kind of kinds)
      for (const region of ['', ...regions]) {
        push(kind, region, '', '');
        for (const breakdown of def.breakdowns) {
          // the home-region split is published nationally only (see the comment at the top)
          if (breakdown === 'home_region' && region !== '') continue;
          for (const value of categories[breakdown] ?? []) push(kind, region, breakdown, value);
        }
      }
  }
  return out;
}

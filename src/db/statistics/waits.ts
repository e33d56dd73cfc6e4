import { sql, type RawBuilder } from 'kysely';
import { CONTACT_TYPES } from '../../domain/directory.js';
import { DEFAULT_GUARANTEE_RULES, guaranteeKindOf, STATISTICAL_VIEWS, type GuaranteeKind, type GuaranteeRule, type StatisticalView } from '../../domain/guarantee.js';
import { AGE_BANDS, type Breakdown, type IndicatorId, type IndicatorRow, type PeriodBounds } from '../../domain/indicators.js';
import type { Executor } from '../../services/context.js';

/**
 * Group A of docs/indicators.md (guarantee compliance and waits) from `waiting_episodes`, for one calendar month.
 *
 * One scan of the month's episodes (waiting on R, or completed in the month; removed ones never) gives, per episode, its
 * guarantee kind, reporting region, sex, age band, home region, flow (w = waiting on R, c = completed in the month), its
 * waited days in both views and the limit in force on its clock start. One aggregation over that scan, by flow and eight
 * GROUPING SETS (national and per region, each without a breakdown and by sex, age band and home region — one
 * dimension at a time), gives every figure: counts, "within the guarantee" counts and the nearest-rank median and 90th
 * percentile in both views (percentile_disc, the value at rank ⌈p·n⌉ as `percentileSorted()`).
 */

/** The guarantee kinds of waiting episodes (those of the catalogue's contact types), numbered 1… in SQL. */
const KINDS: readonly GuaranteeKind[] = [...new Set(CONTACT_TYPES.map((ct) => guaranteeKindOf(ct)))];

/**
 * Grouping keys travel as small integers (sorting integers is much cheaper than sorting text): kind = 1 + index in
 * KINDS, region = the region code as a number, sex = its character code, age band = index in AGE_BANDS, home region =
 * the code as a number (0: unknown municipality).
 */
function kindsTable(): RawBuilder<unknown> {
  const rows = CONTACT_TYPES.map((ct) => sql`(${ct}::text, ${KINDS.indexOf(guaranteeKindOf(ct)) + 1}::int)`);
  return sql`(VALUES ${sql.join(rows)}) AS gk(contact_type, kind)`;
}

/** The dated guarantee rules (DEFAULT_GUARANTEE_RULES) as a VALUES table: the limit in force on a clock start. */
function rulesTable(rules: readonly GuaranteeRule[]): RawBuilder<unknown> {
  const rows = rules.filter((r) => KINDS.includes(r.kind)).map((r) => sql`(${KINDS.indexOf(r.kind) + 1}::int, ${r.limitDays}::int, ${r.validFrom}::date, ${r.validTo ?? '9999-12-31'}::date)`);
  return sql`(VALUES ${sql.join(rows)}) AS lim(kind, limit_days, valid_from, valid_to)`;
}

/**
 * The age band of an age in whole years, in SQL, as its index in AGE_BANDS: the same bands as ageBand() in
 * src/domain/indicators.ts (test/statistics-compute.test.ts checks them against it).
 */
function ageBandSql(age: RawBuilder<unknown>): RawBuilder<number> {
  return sql<number>`CASE WHEN ${age} < 18 THEN 0 WHEN ${age} < 45 THEN 1 WHEN ${age} < 65 THEN 2 WHEN ${age} < 80 THEN 3 ELSE 4 END`;
}

/**
 * The episodes of the month, one row each. Waiting on R: not removed, clock start ≤ R, not completed by R (completed
 * later was still waiting on R). Completed in the month: status completed, completed_on from M0 to R. The end day E is
 * R for those waiting and completed_on for those completed; age = year of E − birth year. An episode whose clock start
 * no rule covers has no limit and is never within the guarantee.
 */
function episodesCte(b: PeriodBounds, rules: readonly GuaranteeRule[]): RawBuilder<unknown> {
  const R = sql`${b.monthEnd}::date`;
  const M0 = sql`${b.monthStart}::date`;
  return sql`
    SELECT gk.kind AS k, e.region_code::int AS r, ascii(e.sex) AS sx,
           ${ageBandSql(sql`(extract(year FROM x.e_day)::int - e.birth_year)`)} AS ab,
           COALESCE(m.region_code::int, 0) AS hr,
           x.f,
           GREATEST(0, (x.e_day - e.clock_start) - e.patient_chosen_days) AS wp,
           GREATEST(0, (x.e_day - e.clock_start) - e.patient_chosen_days - e.medical_pause_days) AS wm,
           lim.limit_days AS lim
      FROM waiting_episodes e
      JOIN services s ON s.id = e.service_id
      JOIN ${kindsTable()} ON gk.contact_type = s.contact_type
      CROSS JOIN LATERAL (SELECT CASE WHEN e.status = 'completed' AND e.completed_on BETWEEN ${M0} AND ${R} THEN 'c' ELSE 'w' END AS f,
                                 CASE WHEN e.status = 'completed' AND e.completed_on BETWEEN ${M0} AND ${R} THEN e.completed_on ELSE ${R} END AS e_day) x
      LEFT JOIN ${rulesTable(rules)} ON lim.kind = gk.kind AND e.clock_start BETWEEN lim.valid_from AND lim.valid_to
      -- OFFSET 0 keeps the 290 municipalities a hashed table: the planner underestimates the episodes and would otherwise
      -- look each one up by index
      LEFT JOIN (SELECT code::text AS code, region_code FROM municipalities OFFSET 0) m ON m.code = e.home_municipality
     WHERE e.status <> 'removed'
       AND ((e.clock_start <= ${R} AND (e.completed_on IS NULL OR e.completed_on > ${R}))
            OR (e.status = 'completed' AND e.completed_on BETWEEN ${M0} AND ${R}))`;
}

/** National and per reporting region, each without a breakdown and by one equity dimension. */
const GROUPING = sql`GROUPING SETS ((k), (k, r), (k, sx), (k, r, sx), (k, ab), (k, r, ab), (k, hr), (k, r, hr))`;

interface GroupKey {
  k: GuaranteeKind;
  r: string | null;
  sx: string | null;
  ab: string | null;
  hr: string | null;
}

/** The breakdown of a grouping-set row: at most one of sex, age band, home region is set. */
function breakdownOf(g: GroupKey): { breakdown: Breakdown; breakdownValue: string } {
  if (g.sx !== null) return { breakdown: 'sex', breakdownValue: g.sx };
  if (g.ab !== null) return { breakdown: 'age_band', breakdownValue: g.ab };
  if (g.hr !== null) return { breakdown: 'home_region', breakdownValue: g.hr };
  return { breakdown: '', breakdownValue: '' };
}

/** An int[] as pg or PGlite returns it (an array, or its text form '{1,2}'). */
function intArray(v: number[] | string | null): number[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v.map(Number);
  return v.replace(/[{}]/g, '').split(',').filter(Boolean).map(Number);
}

/** The sex categories of waiting_episodes (U = unknown, its own category). */
const SEXES = ['F', 'M', 'U'] as const;

const VIEW_COLUMN: Record<StatisticalView, 'p' | 'm'> = { excluding_pvv: 'p', excluding_pvv_and_mov: 'm' };

/**
 * Every indicator of group A for the month (docs/indicators.md): waiting_count, within_guarantee_share,
 * median/p90_waited_days, completed_count, completed_within_guarantee_share, median/p90_completed_wait_days; per
 * guarantee kind always (a figure over mixed kinds is not computed), national ('') and per reporting region, without a
 * breakdown and by sex, age_band and home_region (p90_completed_wait_days without breakdowns, as the registry says).
 * Every cell of the grid is returned, zeros included (medians of an empty basis: null with a basis of 0), except the
 * region × home_region cross, which has rows only where episodes are.
 */
export async function computeWaitsIndicators(db: Executor, b: PeriodBounds, rules: readonly GuaranteeRule[] = DEFAULT_GUARANTEE_RULES): Promise<IndicatorRow[]> {
  // One aggregation by flow and grouping set: counts, "within" counts and both percentiles of both views.
  const raw = await sql<{ k: number; r: number | null; sx: number | null; ab: number | null; hr: number | null; f: 'w' | 'c'; n: number; within_p: number; within_m: number; pct_p: number[] | string; pct_m: number[] | string }>`
    WITH ep AS (${episodesCte(b, rules)})
    SELECT k, r, sx, ab, hr, f,
           count(*)::int AS n,
           count(*) FILTER (WHERE wp <= lim)::int AS within_p,
           count(*) FILTER (WHERE wm <= lim)::int AS within_m,
           percentile_disc(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY wp) AS pct_p,
           percentile_disc(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY wm) AS pct_m
      FROM ep
     GROUP BY f, ${GROUPING}`.execute(db);
  const code = (n: number | null) => (n === null ? null : n === 0 ? 'unknown' : String(n).padStart(2, '0'));
  const agg = raw.rows.map((a) => ({
    ...a,
    k: KINDS[a.k - 1]!,
    r: code(a.r),
    sx: a.sx === null ? null : String.fromCharCode(a.sx),
    ab: a.ab === null ? null : AGE_BANDS[a.ab]!,
    hr: code(a.hr),
  }));
  const counts: (GroupKey & { wn: number; wwp: number; wwm: number; cn: number; cwp: number; cwm: number })[] = [];
  const pct: (GroupKey & { f: 'w' | 'c'; v: 'p' | 'm'; n: number; med: number; p90: number })[] = [];
  const byGroup = new Map<string, (typeof counts)[number]>();
  for (const a of agg) {
    const key = `${a.k}|${a.r}|${a.sx}|${a.ab}|${a.hr}`;
    let c = byGroup.get(key);
    if (c === undefined) {
      c = { k: a.k, r: a.r, sx: a.sx, ab: a.ab, hr: a.hr, wn: 0, wwp: 0, wwm: 0, cn: 0, cwp: 0, cwm: 0 };
      byGroup.set(key, c);
      counts.push(c);
    }
    if (a.f === 'w') Object.assign(c, { wn: a.n, wwp: a.within_p, wwm: a.within_m });
    else Object.assign(c, { cn: a.n, cwp: a.within_p, cwm: a.within_m });
    const [pMed, pP90] = intArray(a.pct_p);
    const [mMed, mP90] = intArray(a.pct_m);
    pct.push({ ...c, f: a.f, v: 'p', n: a.n, med: pMed!, p90: pP90! }, { ...c, f: a.f, v: 'm', n: a.n, med: mMed!, p90: mP90! });
  }

  // A complete grid, zeros included: every kind × national and region × every category of each breakdown (sex F/M/U,
  // the age bands, the 21 home regions and 'unknown' when seen), so that every published table has all its cells —
  // except reporting region × home region, which is stored only where episodes are (a missing cell there is 0): that
  // cross is mostly empty and would otherwise be two thirds of all rows.
  const regions = (await sql<{ code: string }>`SELECT code::text AS code FROM regions ORDER BY code`.execute(db)).rows.map((x) => x.code);
  const have = new Set(counts.map((c) => `${c.k}|${c.r}|${c.sx}|${c.ab}|${c.hr}`));
  const homes = [...regions, ...(counts.some((c) => c.hr === 'unknown') ? ['unknown'] : [])];
  for (const k of KINDS)
    for (const r of [null, ...regions]) {
      const cells: GroupKey[] = [
        { k, r, sx: null, ab: null, hr: null },
        ...SEXES.map((sx) => ({ k, r, sx, ab: null, hr: null })),
        ...AGE_BANDS.map((ab) => ({ k, r, sx: null, ab, hr: null })),
        ...(r === null ? homes.map((hr) => ({ k, r, sx: null, ab: null, hr })) : []),
      ];
      for (const g of cells) if (!have.has(`${g.k}|${g.r}|${g.sx}|${g.ab}|${g.hr}`)) counts.push({ ...g, wn: 0, wwp: 0, wwm: 0, cn: 0, cwp: 0, cwm: 0 });
    }

  const out: IndicatorRow[] = [];
  const row = (id: IndicatorId, g: GroupKey, view: '' | StatisticalView, value: number | null, num: number | null, den: number | null): void => {
    out.push({ indicatorId: id, period: b.period, view, guaranteeKind: g.k, regionCode: g.r ?? '', ...breakdownOf(g), value, numeratorCount: num, denominatorCount: den });
  };
  const share = (num: number, den: number) => (den === 0 ? null : num / den);
  for (const c of counts) {
    row('waiting_count', c, '', c.wn, c.wn, null);
    row('completed_count', c, '', c.cn, c.cn, null);
    for (const view of STATISTICAL_VIEWS) {
      const within = VIEW_COLUMN[view] === 'p' ? { w: c.wwp, c: c.cwp } : { w: c.wwm, c: c.cwm };
      row('within_guarantee_share', c, view, share(within.w, c.wn), within.w, c.wn);
      row('completed_within_guarantee_share', c, view, share(within.c, c.cn), within.c, c.cn);
    }
  }
  // Medians of an empty basis: a row with a null value and a basis of 0, for every group that has counts.
  const seen = new Set(pct.map((p) => `${p.k}|${p.r}|${p.sx}|${p.ab}|${p.hr}|${p.f}|${p.v}`));
  for (const p of pct) {
    const view = p.v === 'p' ? 'excluding_pvv' : 'excluding_pvv_and_mov';
    if (p.f === 'w') {
      row('median_waited_days', p, view, p.med, null, p.n);
      row('p90_waited_days', p, view, p.p90, null, p.n);
    } else {
      row('median_completed_wait_days', p, view, p.med, null, p.n);
      if (breakdownOf(p).breakdown === '') row('p90_completed_wait_days', p, view, p.p90, null, p.n);
    }
  }
  for (const c of counts)
    for (const view of STATISTICAL_VIEWS)
      for (const f of ['w', 'c'] as const) {
        if (seen.has(`${c.k}|${c.r}|${c.sx}|${c.ab}|${c.hr}|${f}|${VIEW_COLUMN[view]}`)) continue;
        if (f === 'w') {
          row('median_waited_days', c, view, null, null, 0);
          row('p90_waited_days', c, view, null, null, 0);
        } else {
          row('median_completed_wait_days', c, view, null, null, 0);
          if (breakdownOf(c).breakdown === '') row('p90_completed_wait_days', c, view, null, null, 0);
        }
      }
  return out;
}

/**
 * data_as_of of the waiting-list figures: per region the Stockholm date of its newest applied (not dry-run)
 * waiting-list submission; the national figure rests on the newest of them.
 */
export async function waitingListDataAsOf(db: Executor): Promise<Map<string, string>> {
  const r = await sql<{ region_code: string; d: string }>`
    SELECT region_code::text AS region_code, to_char(max((submitted_at AT TIME ZONE 'Europe/Stockholm')::date), 'YYYY-MM-DD') AS d
      FROM submissions
     WHERE kind = 'waiting_list' AND NOT dry_run AND status = 'applied' AND region_code IS NOT NULL
     GROUP BY region_code`.execute(db);
  const out = new Map<string, string>();
  for (const x of r.rows) out.set(x.region_code, x.d);
  const newest = [...out.values()].sort().at(-1);
  if (newest !== undefined) out.set('', newest);
  return out;
}

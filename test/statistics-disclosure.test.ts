import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';
import { attackIntervals, type Relation } from '../src/domain/disclosure.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

/**
 * Adversarial check of everything the public statistics publish: random populations with many small cells (seeded),
 * aggregated as the computation does (every key, zeros included), stored in indicator_values, then EVERY public table
 * is fetched over HTTP (overview, brokering, series, regions, breakdown, open-data CSV and JSON). An attacker combines
 * all published numbers of a population with every additive relation (built here from the population's structure, not
 * from the publisher's code) and bounds each hidden cell (attackIntervals). No hidden count of 1–4 may be confined to an
 * interval narrower than 5; every count field is null, 0 or ≥ 5; a figure shown in two tables is the same.
 */

const REGIONS = ['01', '03', '04', '05', '06', '07'];
const WAIT_KINDS = ['specialist_first_visit', 'treatment'];
const CASE_KINDS = ['primary_assessment', 'specialist_first_visit', 'treatment'];
const VIEWS = ['excluding_pvv', 'excluding_pvv_and_mov'];
const SEXES = ['F', 'M', 'U'];
const AGES = ['0-17', '18-44', '45-64', '65-79', '80+'];
const ENDINGS = ['cancelled:other', 'closed_unresolved:other', 'completed:treated'];
const ORIGINS = ['coordinator', 'patient'];
const BROKERING = new Set(['cases_opened_count', 'cases_ended_count']);

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const pick = <T,>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

interface Episode { kind: string; region: string; sex: string; age: string; home: string; within: [boolean, boolean]; days: number }
interface Case { kind: string; region: string; sex: string; origin: string; ending: string }

function population(seed: number) {
  const r = rng(seed);
  const sizes = [0, 1, 2, 3, 4, 6, 9, 14, 25];
  const episodes: Episode[] = [];
  const cases: Case[] = [];
  for (const region of REGIONS)
    for (const kind of WAIT_KINDS) {
      const n = pick(r, sizes);
      for (let i = 0; i < n; i++) {
        const mov = r() < 0.8;
        const pvv = mov && r() < 0.9;
        episodes.push({ kind, region, sex: r() < 0.48 ? 'F' : r() < 0.93 ? 'M' : 'U', age: pick(r, AGES), home: r() < 0.8 ? region : pick(r, REGIONS), within: [pvv, mov], days: Math.floor(r() * 200) });
      }
    }
  for (const region of REGIONS) {
    const n = pick(r, sizes);
    for (let i = 0; i < n; i++) cases.push({ kind: pick(r, CASE_KINDS), region, sex: r() < 0.5 ? 'F' : 'M', origin: r() < 0.7 ? 'coordinator' : 'patient', ending: pick(r, ENDINGS) });
  }
  return { episodes, cases };
}

interface Row { id: string; view: string; kind: string; region: string; b: string; bv: string; value: number | null; num: number | null; den: number | null }

const median = (xs: number[]) => (xs.length === 0 ? null : [...xs].sort((a, b) => a - b)[Math.ceil(0.5 * xs.length) - 1]!);

/** The rows the computation would store: every key, zeros included (as src/db/statistics/*.ts do). */
function aggregate(pop: ReturnType<typeof population>): Row[] {
  const rows: Row[] = [];
  const waitKeys: [string, string, string][] = [['', '', '']];
  for (const s of SEXES) waitKeys.push(['sex', s, 'all']);
  for (const a of AGES) waitKeys.push(['age_band', a, 'all']);
  for (const h of REGIONS) waitKeys.push(['home_region', h, 'all']);
  for (const kind of WAIT_KINDS)
    for (const region of ['', ...REGIONS])
      for (const [b, bv] of waitKeys) {
        const es = pop.episodes.filter((e) => e.kind === kind && (region === '' || e.region === region) && (b === '' || (b === 'sex' ? e.sex : b === 'age_band' ? e.age : e.home) === bv));
        rows.push({ id: 'waiting_count', view: '', kind, region, b, bv, value: es.length, num: es.length, den: null });
        VIEWS.forEach((view, vi) => {
          const within = es.filter((e) => e.within[vi]).length;
          rows.push({ id: 'within_guarantee_share', view, kind, region, b, bv, value: es.length === 0 ? null : within / es.length, num: within, den: es.length });
          rows.push({ id: 'median_waited_days', view, kind, region, b, bv, value: median(es.map((e) => e.days + vi)), num: null, den: es.length });
        });
      }
  for (const kind of ['', ...CASE_KINDS])
    for (const region of ['', ...REGIONS]) {
      const keys: [string, string][] = [['', ''], ...SEXES.slice(0, 2).map((s): [string, string] => ['sex', s]), ...ORIGINS.map((o): [string, string] => ['origin', o])];
      if (region === '') for (const h of REGIONS) keys.push(['home_region', h]);
      for (const [b, bv] of keys) {
        const n = pop.cases.filter((c) => (kind === '' || c.kind === kind) && (region === '' || c.region === region) && (b === '' || (b === 'sex' ? c.sex : b === 'origin' ? c.origin : c.region) === bv)).length;
        rows.push({ id: 'cases_opened_count', view: '', kind, region, b, bv, value: n, num: n, den: null });
      }
    }
  for (const region of ['', ...REGIONS])
    for (const [b, bv] of [['', ''], ...ENDINGS.map((e) => ['ending', e])] as [string, string][]) {
      const n = pop.cases.filter((c) => (region === '' || c.region === region) && (b === '' || c.ending === bv)).length;
      rows.push({ id: 'cases_ended_count', view: '', kind: '', region, b, bv, value: n, num: n, den: null });
    }
  return rows;
}

async function store(db: Kysely<DB>, period: string, rows: Row[], revision: number, at: string): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    const part = rows.slice(i, i + 200);
    await db.insertInto('indicator_values').values(part.map((x) => ({
      indicator_id: x.id, period, view: x.view, guarantee_kind: x.kind, region_code: x.region, breakdown: x.b, breakdown_value: x.bv, revision, value: x.value, numerator_count: x.num, denominator_count: x.den, computed_at: at,
    }))).execute();
  }
  await sql`INSERT INTO statistics_runs (period, started_at, finished_at, triggered_by) VALUES (${period}, ${at}::timestamptz, ${at}::timestamptz, 'test')`.execute(db);
  await sql`UPDATE statistics_version SET version = version + 1 WHERE id = 1`.execute(db);
}
const rowKey = (x: Row) => `${x.id}|${x.view}|${x.kind}|${x.region}|${x.b}|${x.bv}`;

/** The attacker's cells: the true values of every count of one population, by cell id. */
interface Population { cells: Map<string, number>; relations: Relation[] }

/**
 * The populations and their relations, from the structure (not from the publisher): waits per kind — basis d (waiting
 * count), numerators n and complements c per view; cases opened over kinds (all kinds = Σ kinds); cases ended.
 */
function populationsOf(rows: Row[]): Map<string, Population> {
  const out = new Map<string, Population>();
  const add = (pop: string, id: string, n: number) => {
    if (!out.has(pop)) out.set(pop, { cells: new Map(), relations: [] });
    out.get(pop)!.cells.set(id, n);
  };
  for (const x of rows) {
    // never published: breakdowns per region, brokering kinds per region. Their cells are unknowns ≥ 0 in relations whose
    // other members are published margins; such a table with an unknown interior constrains its margins only through the
    // grand total, which the published relations already give, so leaving them out loses the attacker nothing.
    if (x.region !== '' && x.b !== '') continue;
    if (x.region !== '' && x.kind !== '' && x.id === 'cases_opened_count') continue;
    if (x.id === 'waiting_count') add(`waits|${x.kind}`, `d|${x.region}|${x.b}|${x.bv}`, x.num!);
    if (x.id === 'within_guarantee_share') {
      add(`waits|${x.kind}`, `n${x.view}|${x.region}|${x.b}|${x.bv}`, x.num!);
      add(`waits|${x.kind}`, `c${x.view}|${x.region}|${x.b}|${x.bv}`, x.den! - x.num!);
    }
    if (x.id === 'cases_opened_count') add('opened', `v${x.kind}|${x.region}|${x.b}|${x.bv}`, x.num!);
    if (x.id === 'cases_ended_count') add('ended', `v|${x.region}|${x.b}|${x.bv}`, x.num!);
  }
  for (const p of out.values()) {
    const ids = [...p.cells.keys()];
    const tables = new Set(ids.map((id) => id.split('|')[0]!));
    const has = (id: string) => p.cells.has(id);
    for (const t of tables) {
      const regions = REGIONS.map((r) => `${t}|${r}||`).filter(has);
      if (regions.length > 0) p.relations.push({ total: `${t}|||`, parts: regions });
      const cats = new Map<string, string[]>();
      for (const id of ids) {
        const [tt, region, b, bv] = id.split('|') as [string, string, string, string];
        if (tt !== t || b === '') continue;
        const k = `${region}|${b}`;
        if (!cats.has(k)) cats.set(k, []);
        cats.get(k)!.push(id);
        if (region === '') {
          const parts = REGIONS.map((r) => `${t}|${r}|${b}|${bv}`).filter(has);
          if (parts.length > 0) p.relations.push({ total: id, parts });
        }
      }
      for (const [k, parts] of cats) p.relations.push({ total: `${t}|${k.split('|')[0]}||`, parts });
    }
    // waits: d = n + c per view; cases: all kinds = Σ kinds
    for (const id of ids) {
      const [t, ...rest] = id.split('|');
      if (t === 'd') for (const v of VIEWS) p.relations.push({ total: id, parts: [`n${v}|${rest.join('|')}`, `c${v}|${rest.join('|')}`] });
      const kinds = CASE_KINDS.map((k) => `v${k}|${rest.join('|')}`);
      // (per region only the all-kinds figure is published: no relation there)
      if (t === 'v' && tables.has('vtreatment') && kinds.every(has)) p.relations.push({ total: id, parts: kinds });
    }
  }
  return out;
}

interface PV { indicatorId: string; period: string; view: string | null; guaranteeKind: string | null; regionCode: string | null; breakdown: string | null; breakdownValue: string | null; value: number | null; valueCount: number | null; numeratorCount: number | null; denominatorCount: number | null; suppressed: boolean }

describe.each(targets)('disclosure of every public statistics table on %s', (target) => {
  let t: TestApp;
  const truth = new Map<string, Row[]>();
  const bodies: { url: string; body: unknown }[] = [];
  const csvs: { url: string; body: string }[] = [];
  /** period → population → cell → published value (and where it was seen) */
  const known = new Map<string, Map<string, Map<string, { n: number; url: string }>>>();
  const conflicts: string[] = [];

  const learn = (period: string, pop: string, id: string, n: number | null, url: string) => {
    if (n === null) return;
    if (!known.has(period)) known.set(period, new Map());
    const k = known.get(period)!;
    if (!k.has(pop)) k.set(pop, new Map());
    const prev = k.get(pop)!.get(id);
    if (prev && prev.n !== n) conflicts.push(`${period} ${pop} ${id}: ${prev.n} in ${prev.url} but ${n} in ${url}`);
    k.get(pop)!.set(id, { n, url });
  };
  const learnValue = (v: PV, url: string) => {
    const region = v.regionCode ?? '';
    const tail = `${region}|${v.breakdown ?? ''}|${v.breakdownValue ?? ''}`;
    if (v.indicatorId === 'waiting_count') learn(v.period, `waits|${v.guaranteeKind}`, `d|${tail}`, v.valueCount, url);
    if (v.indicatorId === 'median_waited_days') learn(v.period, `waits|${v.guaranteeKind}`, `d|${tail}`, v.denominatorCount, url);
    if (v.indicatorId === 'within_guarantee_share') {
      learn(v.period, `waits|${v.guaranteeKind}`, `d|${tail}`, v.denominatorCount, url);
      learn(v.period, `waits|${v.guaranteeKind}`, `n${v.view}|${tail}`, v.numeratorCount, url);
    }
    if (v.indicatorId === 'cases_opened_count') learn(v.period, 'opened', `v${v.guaranteeKind ?? ''}|${tail}`, v.valueCount, url);
    if (v.indicatorId === 'cases_ended_count') learn(v.period, 'ended', `v|${tail}`, v.valueCount, url);
  };
  const fetchJson = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(200);
    const body = res.json();
    bodies.push({ url, body });
    return body;
  };

  beforeAll(async () => {
    t = await startTestApp(target, { clock: '2026-11-26T10:00:00Z' });
    const db = t.database.db;
    await sql`DELETE FROM indicator_values`.execute(db);
    await sql`DELETE FROM statistics_runs`.execute(db);
    // 2026-10: one population. 2026-09: revision 1, then revision 2 with a few more cases and episodes (late data).
    const a = aggregate(population(20261026));
    await store(db, '2026-10', a, 1, '2026-11-21T03:00:00Z');
    truth.set('2026-10', a);
    const p1 = population(20260926);
    const b1 = aggregate(p1);
    await store(db, '2026-09', b1, 1, '2026-10-21T03:00:00Z');
    const more = population(7);
    const b2 = aggregate({ episodes: [...p1.episodes, ...more.episodes.slice(0, 6)], cases: [...p1.cases, ...more.cases.slice(0, 4)] });
    const before = new Map(b1.map((x) => [rowKey(x), x]));
    const changed = b2.filter((x) => {
      const o = before.get(rowKey(x))!;
      return o.value !== x.value || o.num !== x.num || o.den !== x.den;
    });
    await store(db, '2026-09', changed, 2, '2026-11-03T03:00:00Z');
    truth.set('2026-09', b2);
    await t.app.pollCaches();

    // Fetch every public table.
    for (const period of ['2026-09', '2026-10']) {
      for (const region of ['', ...REGIONS]) {
        const rq = region === '' ? '' : `&region=${region}`;
        for (const view of VIEWS) {
          const url = `/api/v1/stats/overview?period=${period}&view=${view}${rq}`;
          const o = await fetchJson(url);
          for (const g of o.guarantee) if (WAIT_KINDS.includes(g.guaranteeKind)) learn(period, `waits|${g.guaranteeKind}`, `d|${region}||`, g.waitingCount, url);
          learn(period, 'opened', `v|${region}||`, o.brokering.casesOpenedCount, url);
        }
        const url = `/api/v1/stats/brokering?period=${period}${rq}`;
        const br = await fetchJson(url);
        learn(period, 'opened', `v|${region}||`, br.casesOpenedCount, url);
        for (const x of br.outcomes) learn(period, 'ended', `v|${region}|ending|${x.ending}`, x.casesCount, url);
      }
      const tables: { indicator: string; views: string[]; kinds: string[]; breakdowns: Record<string, string[]> }[] = [
        { indicator: 'waiting_count', views: [''], kinds: WAIT_KINDS, breakdowns: { sex: SEXES, age_band: AGES, home_region: REGIONS } },
        { indicator: 'within_guarantee_share', views: VIEWS, kinds: WAIT_KINDS, breakdowns: { sex: SEXES, age_band: AGES, home_region: REGIONS } },
        { indicator: 'median_waited_days', views: VIEWS, kinds: WAIT_KINDS, breakdowns: { sex: SEXES, age_band: AGES, home_region: REGIONS } },
        { indicator: 'cases_opened_count', views: [''], kinds: ['', ...CASE_KINDS], breakdowns: { sex: ['F', 'M'], origin: ORIGINS, home_region: REGIONS } },
        { indicator: 'cases_ended_count', views: [''], kinds: [''], breakdowns: { ending: ENDINGS } },
      ];
      for (const tb of tables)
        for (const view of tb.views)
          for (const kind of tb.kinds) {
            const q = `indicator=${tb.indicator}&period=${period}${view ? `&view=${view}` : ''}${kind ? `&guaranteeKind=${kind}` : ''}`;
            // published: every table nationally and per region; breakdowns nationally only; brokering kinds nationally only
            const perRegion = !(BROKERING.has(tb.indicator) && kind !== '');
            if (perRegion) {
              const reg = await fetchJson(`/api/v1/stats/regions?${q}`);
              for (const v of reg.items) learnValue(v, `/api/v1/stats/regions?${q}`);
            }
            for (const b of Object.keys(tb.breakdowns)) {
              const url = `/api/v1/stats/breakdown?${q}&breakdown=${b}`;
              for (const v of (await fetchJson(url)).items) learnValue(v, url);
            }
            if (period === '2026-10')
              for (const region of perRegion ? ['', ...REGIONS] : ['']) {
                const url = `/api/v1/stats/series?indicator=${tb.indicator}${view ? `&view=${view}` : ''}${kind ? `&guaranteeKind=${kind}` : ''}${region ? `&region=${region}` : ''}`;
                for (const v of (await fetchJson(url)).items) learnValue(v, url);
              }
          }
    }
    for (const ds of ['guarantee-compliance', 'waits', 'brokering', 'equity', 'participation']) {
      const url = `/api/v1/open-data/${ds}.json`;
      const json = await fetchJson(url);
      for (const row of json.rows as Record<string, string | number | boolean | null>[])
        learnValue({
          indicatorId: String(row.indicator_id), period: String(row.period), view: row.view === '' ? null : String(row.view), guaranteeKind: row.guarantee_kind === '' ? null : String(row.guarantee_kind),
          regionCode: row.region_code === '' ? null : String(row.region_code), breakdown: row.breakdown === '' ? null : String(row.breakdown), breakdownValue: row.breakdown_value === '' ? null : String(row.breakdown_value),
          value: row.value as number | null, valueCount: (row.value_count ?? null) as number | null, numeratorCount: (row.numerator_count ?? null) as number | null, denominatorCount: (row.denominator_count ?? null) as number | null, suppressed: Boolean(row.suppressed),
        }, url);
      const csvUrl = `/api/v1/open-data/${ds}.csv`;
      const res = await t.app.inject({ method: 'GET', url: csvUrl });
      expect(res.statusCode).toBe(200);
      csvs.push({ url: csvUrl, body: res.body });
    }
  }, 600_000);
  afterAll(async () => t?.close());

  it('publishes no count of 1–4: every field ending in Count or _count is null, 0 or at least 5', () => {
    const bad: string[] = [];
    const walk = (x: unknown, path: string) => {
      if (Array.isArray(x)) x.forEach((y, i) => walk(y, `${path}[${i}]`));
      else if (x !== null && typeof x === 'object')
        for (const [k, v] of Object.entries(x)) {
          if ((k.endsWith('Count') || k.endsWith('_count')) && v !== null && !(v === 0 || (typeof v === 'number' && v >= 5))) bad.push(`${path}.${k} = ${String(v)}`);
          walk(v, `${path}.${k}`);
        }
    };
    for (const { url, body } of bodies) walk(body, url);
    for (const { url, body } of csvs) {
      const lines = body.trim().split('\r\n').map((l) => l.split(','));
      const header = lines[0]!;
      header.forEach((col, i) => {
        if (col.endsWith('_count')) for (const l of lines.slice(1)) if (!(l[i] === '' || l[i] === '0' || Number(l[i]) >= 5)) bad.push(`${url} ${col} = ${l[i]}`);
      });
    }
    expect(bodies.length).toBeGreaterThan(200);
    expect(bad).toEqual([]);
  });

  it('shows a share or median only with its counts, and the same figure everywhere it appears', () => {
    const bad: string[] = [];
    for (const { url, body } of bodies) {
      const items = (body as { items?: PV[] }).items;
      if (!Array.isArray(items)) continue;
      for (const v of items) {
        if (v.indicatorId === 'within_guarantee_share' && v.value !== null && (v.numeratorCount === null || v.denominatorCount === null)) bad.push(`${url}: share without its counts`);
        if (v.indicatorId === 'median_waited_days' && v.value !== null && v.denominatorCount === null) bad.push(`${url}: median without its basis`);
        if ((v.indicatorId === 'waiting_count' || v.indicatorId.startsWith('cases_')) && v.suppressed !== (v.valueCount === null)) bad.push(`${url}: a count is null exactly when suppressed`);
      }
    }
    expect(bad).toEqual([]);
    expect(conflicts).toEqual([]);
    // and what is published is the truth (newest revision)
    for (const [period, rows] of truth) {
      const pops = populationsOf(rows);
      for (const [pop, cells] of known.get(period)!) for (const [id, { n, url }] of cells) expect(pops.get(pop)!.cells.get(id), `${period} ${pop} ${id} (${url})`).toBe(n);
    }
  });

  it('leaves every hidden small cell an interval at least 5 wide for an attacker who combines all tables', () => {
    const narrow: string[] = [];
    let smallHidden = 0;
    for (const [period, rows] of truth)
      for (const [pop, { cells, relations }] of populationsOf(rows)) {
        const k = known.get(period)?.get(pop) ?? new Map();
        // The attacker knows every published cell, every complement it can compute, and — stronger than real — every
        // unpublished zero; the rest is hidden.
        const hidden = new Set([...cells.keys()].filter((id) => !k.has(id) && cells.get(id)! > 0));
        for (const [id, n] of cells) if (k.has(id) && n >= 1 && n <= 4) narrow.push(`${period} ${pop} ${id} = ${n} is published`);
        const iv = attackIntervals(cells, relations, hidden);
        for (const id of hidden) {
          const n = cells.get(id)!;
          if (n < 1 || n > 4) continue;
          smallHidden++;
          const { lower, upper } = iv.get(id)!;
          expect(lower <= n && n <= upper, `${id}: true value outside the attacker's bounds`).toBe(true);
          if (upper - lower < 5) narrow.push(`${period} ${pop} ${id} = ${n} narrowed to [${lower}, ${upper}]`);
        }
      }
    expect(smallHidden).toBeGreaterThan(20);
    expect(narrow).toEqual([]);
  });

  it('publishes breakdowns nationally only (no region × breakdown table) and keeps revision marks', () => {
    for (const { body } of bodies) {
      const items = (body as { items?: PV[] }).items;
      if (Array.isArray(items)) for (const v of items) expect(v.breakdown !== null && v.regionCode !== null, `${v.indicatorId} ${v.regionCode} ${v.breakdown}`).toBe(false);
    }
    const revised = bodies.flatMap(({ body }) => ((body as { items?: (PV & { revision: number })[] }).items ?? [])).filter((v) => v.period === '2026-09' && v.revision === 2);
    expect(revised.length).toBeGreaterThan(0);
  });
});

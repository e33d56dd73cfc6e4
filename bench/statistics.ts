/**
 * npm run bench -- statistics (or npx tsx bench/statistics.ts): the monthly indicator computation at national volume and
 * the statistics API under load, printed as one JSON object under the key `statistics`.
 *
 * On a fresh PostgreSQL database (nvf_bench_<random> on BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres,
 * dropped afterwards): the demo directory, the demo waiting-list generator at scale 5 (1,000,000 waiting episodes over the
 * 21 regions, as if each region had applied a snapshot; BENCH_EPISODES overrides) and 100,000 brokering cases over the
 * last 12 months (generateBrokeringHistory; BENCH_CASES overrides). Then:
 * (1) computePeriod for the last complete month — the first computation (revision 1 of every row) and a recomputation
 *     of unchanged data (compares every row, writes none) — and the 12 months before it (the history the API serves);
 *     target (issue): ≤ 10 s per month on PostgreSQL;
 * (2) the real server (a child process, demo mode) and a load of BENCH_CONNECTIONS (default 50) connections for
 *     BENCH_DURATION seconds (default 10) after a 2 s warm-up on each public statistics endpoint, twice: as a program that
 *     asks for no compression, and as a browser (Accept-Encoding: gzip). The load comes from wrk when it is installed
 *     (bench/wrk.ts: far less CPU than autocannon on a machine whose two cores the server and PostgreSQL share, and it
 *     gives p95), else from autocannon (no p95: p90 and p97.5 bracket it); BENCH_LOAD_GENERATOR=autocannon forces it.
 *     An endpoint answering 404 is skipped with a note. Target (issue 5): p95 ≤ 10 ms at 50 connections.
 * Figures are printed, not asserted.
 */
import os from 'node:os';
import autocannon from 'autocannon';
import { connect } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { addDays } from '../src/domain/calendar.js';
import { stockholmDay } from '../src/domain/clock.js';
import { periodBounds, periodsBetween, previousPeriod } from '../src/domain/indicators.js';
import { computeBrokeringIndicators } from '../src/db/statistics/brokering.js';
import { computeParticipationIndicators } from '../src/db/statistics/participation.js';
import { computeWaitsIndicators } from '../src/db/statistics/waits.js';
import { ensureSigningKey } from '../src/services/keys.service.js';
import { loadReferenceData } from '../src/services/reference.service.js';
import { generateBrokeringHistory } from '../src/services/seed/brokering-history.js';
import { seedDemo } from '../src/services/seed/seed.service.js';
import { DEMO_EPISODES, seedDemoWaitingList } from '../src/services/seed/waiting-list-seed.js';
import { computePeriod, computePeriods } from '../src/services/statistics/compute.service.js';
import { autocannonSummary, hasWrk, runWrk } from './wrk.js';
import { BENCH_WORKERS, freshPostgres, startServer, waitHealthy, type RunningServer } from './server.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const EPISODES = Number(process.env.BENCH_EPISODES ?? 1_000_000);
const CASES = Number(process.env.BENCH_CASES ?? 100_000);

const seconds = (ms: number) => Math.round(ms / 100) / 10;

const ENDPOINTS = [
  '/api/v1/stats/overview',
  '/api/v1/stats/brokering',
  '/api/v1/stats/series?indicator=within_guarantee_share&guaranteeKind=treatment',
  '/api/v1/stats/regions?indicator=waiting_count&guaranteeKind=treatment',
  '/api/v1/follow-up/scorecard',
  '/api/v1/open-data',
  '/api/v1/open-data/guarantee-compliance.csv',
];

async function load(databaseUrl: string, today: string) {
  const database = await connect(databaseUrl);
  try {
    await migrate(database.db);
    await loadReferenceData(database.db);
    await ensureSigningKey(database.db);
    const t0 = performance.now();
    await seedDemo(database.db, { seed: 1, scale: 1 });
    const t1 = performance.now();
    const waiting = await seedDemoWaitingList(database.db, { seed: 1, today, scale: EPISODES / DEMO_EPISODES });
    const t2 = performance.now();
    const history = await generateBrokeringHistory(database.db, { cases: CASES, from: addDays(today, -365), to: addDays(today, -1), seed: 1 });
    const t3 = performance.now();
    return {
      directorySeconds: seconds(t1 - t0),
      waitingList: { episodes: waiting.episodes, capacityReports: waiting.capacityReports, seconds: seconds(t2 - t1) },
      brokeringHistory: { ...history, seconds: seconds(t3 - t2) },
    };
  } finally {
    await database.close();
  }
}

async function compute(databaseUrl: string, month: string) {
  const database = await connect(databaseUrl);
  try {
    // the parts of one computation, each alone (outside the computation's transaction), to see where the time goes
    const b = periodBounds(month);
    const part = async (f: () => Promise<unknown[]>) => {
      const t = performance.now();
      const rows = await f();
      return { ms: Math.round(performance.now() - t), rows: rows.length };
    };
    const parts = {
      waits: await part(() => computeWaitsIndicators(database.db, b)),
      brokering: await part(() => computeBrokeringIndicators(database.db, b)),
      participation: await part(() => computeParticipationIndicators(database.db, b)),
    };
    const first = await computePeriod(database.db, month, { triggeredBy: 'bench' });
    const recompute = await computePeriod(database.db, month, { triggeredBy: 'bench' });
    let from = month;
    for (let i = 0; i < 12; i++) from = previousPeriod(from);
    // the 12 months before: with `month`, the 13 the statistics job looks at, so that it has nothing to do while measured
    const earlier = periodsBetween(from, previousPeriod(month));
    const t = performance.now();
    const history = await computePeriods(database.db, earlier, { triggeredBy: 'bench' });
    return {
      month,
      parts,
      first: { ms: first.ms, rowsWritten: first.rowsWritten },
      recomputeUnchanged: { ms: recompute.ms, rowsWritten: recompute.rowsWritten },
      history: { months: history.length, totalSeconds: seconds(performance.now() - t), msPerMonth: history.map((h) => h.ms) },
      target: { msPerMonth: 10_000 },
    };
  } finally {
    await database.close();
  }
}

async function endpoints(server: RunningServer) {
  const out: Record<string, unknown> = {};
  for (const path of ENDPOINTS) {
    let probe: Response;
    const t = performance.now();
    try {
      probe = await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      out[path] = { skipped: `no answer within 60 s (${err instanceof Error ? err.message : String(err)})` };
      continue;
    }
    const firstAnswerMs = Math.round(performance.now() - t);
    const body = await probe.arrayBuffer();
    if (probe.status === 404) {
      out[path] = { skipped: `answered 404 (${Buffer.from(body).toString('utf8').slice(0, 200)})` };
      continue;
    }
    // as a program that sends no Accept-Encoding, then as a browser (Accept-Encoding: gzip; kept answers of 1,400 bytes
    // and more are then sent compressed)
    const measured: Record<string, unknown> = { status: probe.status, answerBytes: body.byteLength, firstAnswerMs };
    for (const [name, headers] of [['identity', {}], ['gzip', { 'accept-encoding': 'gzip, deflate, br' }]] as const) {
      const url = `${server.url}${path}`;
      await autocannon({ url, connections: 10, duration: 2, headers });
      const loadAverageBefore = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
      if (WRK) {
        measured[name] = { ...(await runWrk({ url, connections: CONNECTIONS, seconds: DURATION, headers })), loadAverageBefore };
        continue;
      }
      const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
      measured[name] = { ...autocannonSummary(r), loadAverageBefore };
    }
    out[path] = measured;
  }
  return out;
}

const today = stockholmDay(new Date());
const month = previousPeriod(today.slice(0, 7));
const database = await freshPostgres(BASE_URL);
let server: RunningServer | undefined;
const WRK = hasWrk();
const statistics: Record<string, unknown> = {
  database: 'postgresql',
  loadGenerator: WRK ? 'wrk (one thread; bench/wrk.ts)' : 'autocannon (install wrk for a lighter load generator with p95)',
  note: WRK ? 'p95 from wrk' : 'autocannon reports no p95; p90 and p97_5 bracket it',
};
try {
  statistics.data = await load(database.url, today);
  statistics.computation = await compute(database.url, month);
  server = await startServer({ DATABASE_URL: database.url, SEED: 'demo', NVF_MODE: 'demo', WORKERS: BENCH_WORKERS });
  await waitHealthy(server);
  // The job publishes (disclosure control) the computed months after start; the open datasets hold every indicator of
  // every month, so fetching them waits for the whole publication — measured, then the endpoints are measured warm.
  const tp = performance.now();
  // (each server process publishes for itself: new connections, so that every process is asked)
  for (let i = 0; i < 2 * Number(BENCH_WORKERS); i++)
    for (const ds of ['guarantee-compliance', 'waits', 'brokering', 'equity', 'participation'])
      await (await fetch(`${server.url}/api/v1/open-data/${ds}.json`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(600_000) })).arrayBuffer();
  statistics.publication = { allMonthsSeconds: seconds(performance.now() - tp), note: 'disclosure control of every indicator of the 13 computed months, after start (the job does it after each computation)' };
  statistics.api = await endpoints(server);
} catch (err) {
  statistics.error = err instanceof Error ? err.message : String(err);
  process.exitCode = 1;
} finally {
  console.log(JSON.stringify({ node: process.version, cpus: os.cpus().length, serverProcesses: Number(BENCH_WORKERS), durationSeconds: DURATION, connections: CONNECTIONS, statistics }, null, 2));
  await server?.stop();
  await database.drop();
}

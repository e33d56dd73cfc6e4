/**
 * npm run bench -- brokering (or npx tsx bench/brokering.ts): the brokering API under load, printed as one JSON object
 * under the key `brokering`.
 *
 * On a fresh PostgreSQL database (nvf_bench_<random> on BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres,
 * dropped afterwards): `nvf seed --scale 10` (7,250 units) as its own process, then the demo waiting list and capacity
 * reports (so that candidates have computed and reported forecasts; BENCH_BROKERING_WAITING_LIST=0 skips it), the real
 * server (a child process, demo mode, WORKERS = BENCH_WORKERS, default one process per core; then BENCH_SETTLE_SECONDS,
 * default 15, for its start-up work), a coordinator token (demo client demo-coordinator-01, secret "demo"), and
 * a load over GET /api/v1/search for every service × municipality in turn, some with a deadline and a maximum distance:
 * from wrk when it is installed (bench/wrk.ts; `apt-get install -y wrk`: it takes far less of the two cores than
 * autocannon and reports p95), else autocannon (no p95: p97.5 is printed, an upper bound of it); the warm-up is autocannon.
 * Target (issue): p95 ≤ 25 ms and ≥ 1,500 requests/s at 50 connections. Figures are printed, not asserted. BENCH_DURATION (s, default 10) and BENCH_CONNECTIONS (default 50).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { connect } from '../src/db/connect.js';
import { addDays } from '../src/domain/calendar.js';
import { stockholmDay } from '../src/domain/clock.js';
import { seedDemoWaitingList } from '../src/services/seed/waiting-list-seed.js';
import { benchLifecycles } from './lifecycles.js';
import { autocannonSummary, hasWrk, runWrk } from './wrk.js';
import { BENCH_WORKERS, freshPostgres, processTreeCpuSeconds, ROOT, startServer, waitHealthy, type RunningServer } from './server.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SCALE = 10;
const WITH_WAITING_LIST = process.env.BENCH_BROKERING_WAITING_LIST !== '0';
const WRK = hasWrk();

/** Run bin/nvf.mjs as its own process (what an operator runs); fails on a non-zero exit. */
function nvf(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'nvf.mjs'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`nvf ${args.join(' ')} exited ${code}: ${out.slice(-2000)}`))));
  });
}

async function coordinatorToken(server: RunningServer): Promise<string> {
  const r = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'demo-coordinator-01', client_secret: 'demo' }),
  });
  if (r.status !== 200) throw new Error(`token: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { access_token: string }).access_token;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** GET /api/v1/search over every service × municipality in turn; every third with a deadline, every fourth with maxDistanceKm. */
async function benchSearch(server: RunningServer, token: string) {
  const services = ((await (await fetch(`${server.url}/api/v1/services`)).json()) as { items: { id: string; active: boolean }[] }).items.filter((s) => s.active).map((s) => s.id);
  const municipalities = ((await (await fetch(`${server.url}/api/v1/municipalities`)).json()) as { items: { code: string }[] }).items.map((m) => m.code);
  const deadline = addDays(stockholmDay(new Date()), 60);
  const paths: string[] = [];
  for (let i = 0; i < services.length * municipalities.length; i++) {
    const service = services[i % services.length]!;
    const municipality = municipalities[Math.floor(i / services.length) % municipalities.length]!;
    let p = `/api/v1/search?service=${encodeURIComponent(service)}&municipality=${municipality}`;
    if (i % 3 === 0) p += `&deadline=${deadline}`;
    if (i % 4 === 0) p += '&maxDistanceKm=300';
    paths.push(p);
  }
  const headers = { authorization: `Bearer ${token}` };
  const sample = await fetch(`${server.url}${paths[1]}`, { headers });
  if (sample.status !== 200) throw new Error(`search: ${sample.status} ${await sample.text()}`);
  const body = (await sample.json()) as { total: number; options: { forecastSource: string | null }[] };
  let i = 0;
  const requests = [{ method: 'GET', path: paths[0]!, headers, setupRequest: (req: object) => ({ ...req, path: paths[i++ % paths.length] }) }];
  // Warm-up: every distinct query once (JIT, pools, every service's candidates and every municipality's distances in
  // memory in every server process), so that the measured runs see the server as it runs day to day.
  await autocannon({ url: server.url, connections: 10, amount: paths.length * Number(BENCH_WORKERS), requests });
  const loadAverageBefore = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
  // The measured runs: wrk when installed (bench/wrk.ts), else autocannon; the same paths in the same order.
  const measure = async (list: readonly string[], seconds: number) => {
    const c0 = processTreeCpuSeconds(server.child.pid);
    let out: { total: number; [k: string]: unknown };
    if (WRK) out = { ...(await runWrk({ url: server.url, connections: CONNECTIONS, seconds, headers, paths: list })) };
    else {
      let k = 0;
      const reqs = [{ method: 'GET', path: list[0]!, headers, setupRequest: (req: object) => ({ ...req, path: list[k++ % list.length] }) }];
      out = { ...autocannonSummary(await autocannon({ url: server.url, connections: CONNECTIONS, duration: seconds, requests: reqs })) };
    }
    const c1 = processTreeCpuSeconds(server.child.pid);
    const serverCpuMsPerRequest = c0 === undefined || c1 === undefined || out.total === 0 ? null : Math.round(((c1 - c0) * 1e6) / out.total) / 1000;
    return { ...out, serverCpuMsPerRequest };
  };
  const main = await measure(paths, DURATION);
  // The same mix with limit=20 (twice the options and reasons per answer), for comparison.
  const limit20 = await measure(paths.map((p) => `${p}&limit=20`), Math.max(3, Math.round(DURATION / 2)));
  return {
    query: 'GET /api/v1/search?service=…&municipality=…[&deadline=…][&maxDistanceKm=300] (default limit 10)',
    distinctQueries: paths.length,
    sample: { path: paths[1], candidates: body.total, withForecast: body.options.filter((o) => o.forecastSource !== null).length, answerBytes: JSON.stringify(body).length },
    ...main,
    loadAverageBefore,
    target: { p95Ms: 25, requestsPerSecond: 1500 },
    note: WRK ? 'load from wrk (one thread), p95 measured' : 'load from autocannon, which reports no p95; p97_5 is an upper bound of it',
    limit20,
  };
}

/**
 * Whole-case lifecycles (open a case, send a request, accept, choose, book, complete; each step audited with its outbox
 * event) by 16 concurrent workers for DURATION seconds after a warm-up of 5 s at that concurrency (bench/lifecycles.ts),
 * with the CPU the server and the database's backends spent per lifecycle (on a shared machine, 1000 / their sum is what
 * one core could do).
 */
async function benchCaseLifecycles(server: RunningServer, databaseUrl: string): Promise<Record<string, unknown>> {
  // CPU of the server and of the database's backends (same host only) over the measured lifecycles: a backend that
  // started during the run counts whole, one that ended during it is missed (the pool closes idle connections after 10 s)
  const backends = async (): Promise<Map<number, number>> => {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    const pids = (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows.map((r) => r.pid);
    await c.end();
    return new Map(pids.flatMap((p) => ((x) => (x === undefined ? [] : [[p, x] as [number, number]]))(cpuSeconds(p))));
  };
  // transactions the database committed or rolled back (each statement outside a transaction is one): statements per lifecycle
  const transactions = async (): Promise<number> => {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    const n = (await c.query<{ n: number }>('SELECT (xact_commit + xact_rollback)::int AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0]!.n;
    await c.end();
    return n;
  };
  const cpu = async () => {
    const d0 = await backends();
    const s0 = processTreeCpuSeconds(server.child.pid);
    const l0 = process.cpuUsage();
    const x0 = await transactions();
    return async () => {
      const l1 = process.cpuUsage(l0);
      const s1 = processTreeCpuSeconds(server.child.pid);
      const d1 = await backends();
      const database = [...d1].reduce((a, [p, x]) => a + x - (d0.get(p) ?? 0), 0);
      // the statistics counters reach pg_stat_database within a second of a backend's commit
      await new Promise((r) => setTimeout(r, 1500));
      return {
        server: s0 === undefined || s1 === undefined ? null : (s1 - s0) * 1000,
        database: d1.size === 0 ? null : database * 1000,
        loadGenerator: (l1.user + l1.system) / 1000,
        statements: (await transactions()) - x0 - 2, // less this function's own two look-ups (one per call)
      };
    };
  };
  return benchLifecycles(server.url, { concurrency: 16, seconds: DURATION, cpu });
}

const database = await freshPostgres(BASE_URL);
let server: RunningServer | undefined;
try {
  const env = { DATABASE_URL: database.url, NVF_MODE: 'demo' };
  const t0 = performance.now();
  await nvf(['seed', '--scale', String(SCALE)], env);
  const seedSeconds = Math.round((performance.now() - t0) / 100) / 10;
  let waitingList: { episodes: number; capacityReports: number; seconds: number } | undefined;
  if (WITH_WAITING_LIST) {
    const t1 = performance.now();
    const db = await connect(database.url);
    try {
      const s = await seedDemoWaitingList(db.db, { seed: 1, today: stockholmDay(new Date()) });
      waitingList = { episodes: s.episodes, capacityReports: s.capacityReports, seconds: Math.round((performance.now() - t1) / 100) / 10 };
    } finally {
      await db.close();
    }
  }
  server = await startServer({ ...env, WORKERS: BENCH_WORKERS, TOKEN_RATE_LIMIT_PER_MINUTE: '100000000', WRITE_RATE_LIMIT_PER_MINUTE: '100000000' });
  await waitHealthy(server);
  // let every server process finish its start-up work (the statistics job computes and publishes the newest month)
  await new Promise((r) => setTimeout(r, Number(process.env.BENCH_SETTLE_SECONDS ?? 15) * 1000));
  const token = await coordinatorToken(server);
  const search = await benchSearch(server, token);
  const lifecycles = await benchCaseLifecycles(server, database.url);
  const result = {
    node: process.version,
    cpus: os.cpus().length,
    durationSeconds: DURATION,
    connections: CONNECTIONS,
    serverProcesses: Number(BENCH_WORKERS),
    brokering: {
      database: `postgresql, nvf seed --scale ${SCALE} (${seedSeconds} s)`,
      waitingList: waitingList ?? null,
      search,
      lifecycles,
    },
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await server?.stop();
  await database.drop();
}

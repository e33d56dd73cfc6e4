/**
 * npx tsx bench/waiting-list.ts [rows] — the waiting-list import at national volume, printed as one JSON object.
 *
 * Generates a CSV of ROWS (default 1,000,000) valid episodes against the demo directory, then for PostgreSQL
 * (a fresh database on BENCH_DATABASE_URL, dropped afterwards) and for PGlite (a fresh directory):
 * the end-to-end HTTP upload to the real server (a child process; its peak RSS growth sampled from /proc),
 * the CLI import of the same file as its own process (on a fresh database with the directory seeded),
 * and a bare COPY of the same file into an unconstrained table for the ratio (goal ≤ 3×).
 * Targets (issue 3): ≤ 20 s on PostgreSQL, ≤ 45 s on PGlite, RSS growth ≤ 400 MB.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import autocannon from 'autocannon';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { connect } from '../src/db/connect.js';
import { runCli } from '../src/cli/program.js';
import { processIo, type CliIo } from '../src/cli/io.js';
import { loadConfig } from '../src/config.js';
import { spawn } from 'node:child_process';
import { freshPostgres, ROOT, startServer, waitHealthy, type RunningServer } from './server.js';

const ROWS = Number(process.argv[2] ?? process.env.BENCH_ROWS ?? 1_000_000);
const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REGION = '01';
const HEADER = 'record_id,region_code,unit_hsa_id,service_id,patient_key,sex,birth_year,home_municipality,clock_start,patient_chosen_days,medical_pause_days,status,completed_on,booked_on';
const SECRET = crypto.randomBytes(12).toString('hex');

function cliIo(env: Record<string, string>): CliIo {
  return { ...processIo, out: () => {}, config: () => loadConfig({ ...env, LOG_LEVEL: 'silent' }) };
}

async function registerReporter(env: Record<string, string>): Promise<void> {
  const code = await runCli(['clients', 'create', '--id', 'bench-reporter', '--name', 'Bench reporter', '--roles', 'region-reporter', '--region', REGION, '--secret', SECRET], cliIo(env));
  if (code !== 0) throw new Error('could not register the benchmark client');
}

async function token(server: RunningServer): Promise<string> {
  const r = await fetch(`${server.url}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'bench-reporter', client_secret: SECRET }),
  });
  if (r.status !== 200) throw new Error(`token: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { access_token: string }).access_token;
}

/** Write ROWS valid rows for the region's units and services. */
async function generate(databaseUrl: string, file: string): Promise<void> {
  const database = await connect(databaseUrl);
  const pairs = (await database.db.selectFrom('unit_services').innerJoin('units', 'units.hsa_id', 'unit_services.unit_hsa_id')
    .select(['unit_services.unit_hsa_id as unit', 'unit_services.service_id as service', 'units.municipality_code as muni'])
    .where('units.region_code', '=', REGION).execute());
  await database.close();
  if (pairs.length === 0) throw new Error('no units in the region');
  const out = fs.createWriteStream(file);
  out.write(`${HEADER}\n`);
  const day = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
  let buf: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    const p = pairs[i % pairs.length]!;
    const start = i % 420;
    const completed = i % 5 === 0;
    const key = crypto.createHash('sha256').update(`bench-${i}`).digest('hex');
    buf.push(`B-${i},${REGION},${p.unit},${p.service},${key},${i % 2 ? 'F' : 'M'},${1930 + (i % 90)},${p.muni},${day(start)},${i % 7},${i % 3},${completed ? 'completed' : 'waiting'},${completed ? day(start + 30) : ''},\n`);
    if (buf.length === 10_000) {
      if (!out.write(buf.join(''))) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = [];
    }
  }
  out.end(buf.join(''));
  await new Promise<void>((r) => out.once('finish', () => r()));
}

/** The phase durations the server logged for the submission ('waiting-list submission finished'). */
function phasesOf(server: RunningServer): Record<string, number> | undefined {
  for (const line of server.output().split('\n').reverse()) {
    if (!line.includes('waiting-list submission finished')) continue;
    try {
      return (JSON.parse(line) as { phasesMs?: Record<string, number> }).phasesMs;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function upload(server: RunningServer, file: string, bearer: string) {
  const pid = server.child.pid!;
  const rssBefore = rssOf(pid);
  let peak = rssBefore;
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 100);
  const started = performance.now();
  const u = new URL(`${server.url}/api/v1/waiting-list/submissions?mode=snapshot`);
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ method: 'POST', host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'text/csv' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(req);
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  if (answer.status !== 201) throw new Error(`upload: ${answer.status} ${answer.body.slice(0, 500)}`);
  return { seconds: Number(seconds.toFixed(2)), rowsPerSecond: Math.round(ROWS / seconds), answer: JSON.parse(answer.body) as unknown, serverRssGrowthMB: Math.round((peak - rssBefore) / 1024 / 1024) };
}

const BARE = `CREATE TABLE IF NOT EXISTS bench_bare (${HEADER.split(',').map((c) => `${c} text`).join(', ')})`;

async function bareCopyPostgres(url: string, file: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(BARE);
  const started = performance.now();
  await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom(`COPY bench_bare FROM STDIN WITH (FORMAT csv, HEADER true)`)));
  const s = (performance.now() - started) / 1000;
  await client.end();
  return Number(s.toFixed(2));
}

async function bareCopyPglite(dir: string, file: string): Promise<number> {
  const database = await connect(dir);
  try {
    await database.pglite!.exec(BARE);
    const started = performance.now();
    await database.pglite!.query(`COPY bench_bare FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`, [], { blob: new Blob([fs.readFileSync(file)]) });
    return Number(((performance.now() - started) / 1000).toFixed(2));
  } finally {
    await database.close();
  }
}

async function onPostgres(file: string | undefined, tmp: string) {
  const database = await freshPostgres(BASE_URL);
  let server: RunningServer | undefined;
  try {
    const env = { DATABASE_URL: database.url, SEED: 'demo', NVF_MODE: 'demo', WRITE_RATE_LIMIT_PER_MINUTE: '100000', LOG_LEVEL: 'info' };
    server = await startServer(env);
    await waitHealthy(server);
    const csv = file ?? path.join(tmp, 'waiting-list.csv');
    if (!file) await generate(database.url, csv);
    await registerReporter(env);
    const result = { ...(await upload(server, csv, await token(server))), phasesMs: phasesOf(server) };
    const reads = await waitingTimeReads(server);
    const bare = await bareCopyPostgres(database.url, csv);
    return { csv, reads, result: { ...result, bareCopySeconds: bare, ratio: Number((result.seconds / bare).toFixed(2)), target: { seconds: 20, ratio: 3, rssGrowthMB: 400 } } };
  } finally {
    await server?.stop();
    await database.drop();
  }
}

async function onPglite(csv: string, tmp: string) {
  const dir = path.join(tmp, 'pglite');
  const env = { DATA_DIR: dir, SEED: 'demo', NVF_MODE: 'demo', WRITE_RATE_LIMIT_PER_MINUTE: '100000', LOG_LEVEL: 'info' };
  let server = await startServer(env);
  await waitHealthy(server);
  await server.stop(); // seeded; the directory is locked while the server runs, so the client is registered in between
  await registerReporter(env);
  server = await startServer(env);
  try {
    await waitHealthy(server);
    const result = { ...(await upload(server, csv, await token(server))), phasesMs: phasesOf(server) };
    await server.stop();
    const bare = await bareCopyPglite(dir, csv);
    return { ...result, bareCopySeconds: bare, ratio: Number((result.seconds / bare).toFixed(2)), target: { seconds: 45, ratio: 3, rssGrowthMB: 400 } };
  } finally {
    await server.stop();
  }
}

/**
 * With the national file loaded (its million episodes plus the demo's): GET /api/v1/waiting-times for every service in
 * turn at 50 connections for 10 s (after a 2 s warm-up). autocannon reports p90 and p97.5, between which p95 lies.
 */
async function waitingTimeReads(server: RunningServer) {
  const services = ((await (await fetch(`${server.url}/api/v1/services`)).json()) as { items: { id: string }[] }).items.map((x) => x.id);
  const episodes = await fetch(`${server.url}/api/v1/waiting-times?service=${services[0]}`);
  if (episodes.status !== 200) throw new Error(`waiting-times answered ${episodes.status}`);
  let i = 0;
  const requests = [{ method: 'GET' as const, path: '/', setupRequest: (req: object) => ({ ...req, path: `/api/v1/waiting-times?service=${encodeURIComponent(services[i++ % services.length]!)}` }) }];
  await autocannon({ url: server.url, connections: 10, duration: 2, requests });
  const r = await autocannon({ url: server.url, connections: 50, duration: 10, requests });
  return {
    query: 'GET /api/v1/waiting-times?service=… (every service in turn)',
    services: services.length,
    connections: 50,
    requestsPerSecond: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p97_5: r.latency.p97_5, p99: r.latency.p99, max: r.latency.max },
    non2xx: r.non2xx,
    target: { p95Ms: 15 },
  };
}

/** Run bin/nvf.mjs as its own process (what an operator runs), returning its output; fails on a non-zero exit. */
function nvf(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'nvf.mjs'), ...args], {
      cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', NVF_MODE: 'demo', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`nvf ${args.join(' ')} exited ${code}: ${out.slice(-2000)}`))));
  });
}

/**
 * The CLI path: `nvf import waiting-list FILE --region 01 --mode snapshot` as a process on a database with the directory
 * seeded (no earlier waiting list), timed from the process start to its exit.
 */
async function cliImport(csv: string, env: Record<string, string>): Promise<{ seconds: number; summary: string }> {
  await nvf(['seed'], env);
  const started = performance.now();
  const out = await nvf(['import', 'waiting-list', csv, '--region', REGION, '--mode', 'snapshot', '--no-progress'], env);
  return { seconds: Number(((performance.now() - started) / 1000).toFixed(2)), summary: out.trim().split('\n').slice(-1)[0]!.trim() };
}

async function cliOnPostgres(csv: string) {
  const database = await freshPostgres(BASE_URL);
  try {
    return await cliImport(csv, { DATABASE_URL: database.url });
  } finally {
    await database.drop();
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nvf-bench-wl-'));
try {
  const which = process.env.BENCH_TARGETS ?? 'postgres,pglite';
  const out: Record<string, unknown> = { rows: ROWS };
  const pgRun = await onPostgres(undefined, tmp);
  out.fileMB = Number((fs.statSync(pgRun.csv).size / 1024 / 1024).toFixed(1));
  if (which.includes('postgres')) out.postgres = { ...pgRun.result, cli: await cliOnPostgres(pgRun.csv), waitingTimeReads: pgRun.reads };
  if (which.includes('pglite')) out.pglite = { ...(await onPglite(pgRun.csv, tmp)), cli: await cliImport(pgRun.csv, { DATA_DIR: path.join(tmp, 'pglite-cli') }) };
  console.log(JSON.stringify(out, null, 2));
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

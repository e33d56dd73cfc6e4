/**
 * npm run bench [-- directory|token|startup|waiting-list [rows]|brokering|statistics|all]: throughput and latency of the real server, printed as one JSON object.
 *
 * directory and token run against PostgreSQL (a fresh database nvf_bench_<random> on BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres, dropped afterwards); startup runs on embedded PGlite in a fresh directory.
 * Targets (design): units query ≥ 3,000 req/s with p99 ≤ 20 ms, token endpoint ≥ 500 tokens/s. Figures are printed, not asserted.
 * BENCH_DURATION (seconds, default 10) and BENCH_CONNECTIONS (default 50) tune the load.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon, { type Result } from 'autocannon';
import pg from 'pg';
import { freshPostgres, startServer, waitHealthy, type RunningServer } from './server.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CLIENT_ID = 'bench-private-key-jwt';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/** PostgreSQL backends serving the benchmark database (same host only), to count the database's share of the work. */
async function backendPids(databaseUrl: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const r = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  await c.end();
  return r.rows.map((x) => x.pid);
}

/**
 * Run autocannon and measure the CPU the server and its database backends spent per request. On a shared machine
 * (other processes, the load generator on the same cores) requests/s understates the server; CPU per request does not,
 * and 1000 / cpuMsPerRequest is what one core could serve.
 */
async function measured(server: RunningServer, databaseUrl: string, opts: Parameters<typeof autocannon>[0]) {
  const pids = await backendPids(databaseUrl);
  const sum = (xs: (number | undefined)[]) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);
  const s0 = cpuSeconds(server.child.pid);
  const d0 = sum(pids.map(cpuSeconds));
  const load = os.loadavg()[0];
  const r = await autocannon(opts);
  const s1 = cpuSeconds(server.child.pid);
  const d1 = sum(pids.map(cpuSeconds));
  const perRequest = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || r.requests.total === 0 ? null : Math.round(((b - a) * 1e6) / r.requests.total) / 1000);
  return {
    ...summary(r),
    cpuMsPerRequest: { server: perRequest(s0, s1), database: pids.length > 0 ? perRequest(d0, d1) : null },
    loadAverageBefore: Math.round((load ?? 0) * 100) / 100,
  };
}

function summary(r: Result) {
  return {
    requestsPerSecond: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

/** The service offered by the most active units in region 01 of the demo data: the query a patient most often makes. */
async function busiestService(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/units?region=01&limit=1000`);
  const { items } = (await res.json()) as { items: { serviceIds: string[] }[] };
  const counts = new Map<string, number>();
  for (const u of items) for (const s of u.serviceIds) counts.set(s, (counts.get(s) ?? 0) + 1);
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  if (!best) throw new Error('no unit in region 01 offers a service: is the demo data seeded?');
  return best[0];
}

async function benchDirectory(server: RunningServer, databaseUrl: string) {
  const service = await busiestService(server.url);
  const url = `${server.url}/api/v1/units?service=${encodeURIComponent(service)}&region=01`;
  const sample = (await (await fetch(url)).json()) as { items: unknown[] };
  await autocannon({ url, connections: 10, duration: 2 }); // warm-up: JIT, connection pool, PostgreSQL caches
  const r = await measured(server, databaseUrl, { url, connections: CONNECTIONS, duration: DURATION });
  // The same load on GET /health (one SELECT 1, a 90-byte answer): the ceiling of the HTTP stack on this machine,
  // so the units figure can be read as "query + 17 kB answer" against "everything else".
  const baseline = await measured(server, databaseUrl, { url: `${server.url}/health`, connections: CONNECTIONS, duration: Math.max(3, Math.round(DURATION / 2)) });
  // Every region × service query in turn (about 1,100 different answers), as a national search front would ask.
  const regions = ((await (await fetch(`${server.url}/api/v1/regions`)).json()) as { items: { code: string }[] }).items.map((r) => r.code);
  const services = ((await (await fetch(`${server.url}/api/v1/services`)).json()) as { items: { id: string }[] }).items.map((x) => x.id);
  const paths = regions.flatMap((r) => services.map((x) => `/api/v1/units?service=${encodeURIComponent(x)}&region=${r}`));
  let i = 0;
  const mixedRequests = [{ method: 'GET', path: paths[0]!, setupRequest: (req: object) => ({ ...req, path: paths[i++ % paths.length] }) }];
  await autocannon({ url: server.url, connections: 10, duration: 2, requests: mixedRequests });
  const mixed = await measured(server, databaseUrl, { url: server.url, connections: CONNECTIONS, duration: DURATION, requests: mixedRequests });
  // The same query with a parameter the API ignores, different on every request: no answer is ever reused,
  // so this is the cost of the query and its serialisation without the cache (ADR 0008).
  let n = 0;
  const uncachedRequests = [{ method: 'GET', path: '/', setupRequest: (req: object) => ({ ...req, path: `/api/v1/units?service=${encodeURIComponent(service)}&region=01&bench=${n++}` }) }];
  const uncached = await measured(server, databaseUrl, { url: server.url, connections: CONNECTIONS, duration: Math.max(3, Math.round(DURATION / 2)), requests: uncachedRequests });
  return {
    query: `GET /api/v1/units?service=${service}&region=01`,
    unitsPerAnswer: sample.items.length,
    answerBytes: JSON.stringify(sample).length,
    ...r,
    target: { requestsPerSecond: 3000, p99Ms: 20 },
    baselineHealth: { requestsPerSecond: baseline.requestsPerSecond, latencyMs: baseline.latencyMs, cpuMsPerRequest: baseline.cpuMsPerRequest },
    allRegionServiceQueries: { distinctQueries: paths.length, requestsPerSecond: mixed.requestsPerSecond, latencyMs: mixed.latencyMs, non2xx: mixed.non2xx, cpuMsPerRequest: mixed.cpuMsPerRequest },
    uncached: { requestsPerSecond: uncached.requestsPerSecond, latencyMs: uncached.latencyMs, non2xx: uncached.non2xx, cpuMsPerRequest: uncached.cpuMsPerRequest },
  };
}

/** Register a client with a fresh ES256 key straight in the database (the client service is not needed for this). */
async function registerClient(databaseUrl: string): Promise<{ privateKey: crypto.KeyObject; kid: string }> {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `bench-${crypto.randomBytes(4).toString('hex')}`;
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  await c.query(`INSERT INTO clients (id, name, roles, region_code, jwks) VALUES ($1, 'Benchmark client', $2, '01', $3)`, [CLIENT_ID, ['region-reporter'], JSON.stringify({ keys: [jwk] })]);
  await c.end();
  return { privateKey, kid };
}

/** A private_key_jwt assertion with a unique jti, signed synchronously so autocannon can make one per request. */
function assertion(privateKey: crypto.KeyObject, kid: string, audience: string): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'ES256', kid, typ: 'JWT' })}.${b64({ iss: CLIENT_ID, sub: CLIENT_ID, aud: audience, iat: now, exp: now + 120, jti: crypto.randomUUID() })}`;
  const signature = crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

async function benchToken(server: RunningServer, databaseUrl: string) {
  const { privateKey, kid } = await registerClient(databaseUrl);
  const audience = `${server.url}/oauth/token`;
  const body = () => new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion(privateKey, kid, audience) }).toString();
  const check = await fetch(audience, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body() });
  if (check.status !== 200) throw new Error(`the token endpoint refused the benchmark client: ${check.status} ${await check.text()}`);
  const requests = [{ method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, setupRequest: (req: object) => ({ ...req, body: body() }) }];
  await autocannon({ url: server.url, connections: 10, duration: 2, requests });
  const s = await measured(server, databaseUrl, { url: server.url, connections: CONNECTIONS, duration: DURATION, requests });
  return { authentication: 'private_key_jwt (ES256), a fresh assertion per request (signed in the load generator)', tokensPerSecond: s.requestsPerSecond, ...s, target: { tokensPerSecond: 500 } };
}

/** Spawn → first /health 200 on an empty PGlite directory (migrate, reference data, demo seed), then again on the existing one. */
async function benchStartup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvf-bench-startup-'));
  const dataDir = path.join(dir, 'pglite');
  const env = { DATA_DIR: dataDir, SEED: 'demo', NVF_MODE: 'demo' };
  try {
    const timed = async () => {
      const t0 = performance.now();
      const server = await startServer(env);
      try {
        await waitHealthy(server);
        return { ms: Math.round(performance.now() - t0), server };
      } catch (err) {
        await server.stop();
        throw err;
      }
    };
    const first = await timed();
    const t1 = performance.now();
    await first.server.stop();
    const stopMs = Math.round(performance.now() - t1);
    const second = await timed();
    await second.server.stop();
    return { database: 'pglite (fresh DATA_DIR)', command: 'node --import tsx src/server.ts', coldStartMs: first.ms, sigtermToExitMs: stopMs, restartMs: second.ms };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function onPostgres<T>(fn: (server: RunningServer, databaseUrl: string) => Promise<T>): Promise<T> {
  const database = await freshPostgres(BASE_URL);
  let server: RunningServer | undefined;
  try {
    // The token rate limit (default 60,000/min per client) would cap the measurement itself; it is lifted here.
    server = await startServer({ DATABASE_URL: database.url, SEED: 'demo', NVF_MODE: 'demo', TOKEN_RATE_LIMIT_PER_MINUTE: '100000000' });
    await waitHealthy(server);
    // PUBLIC_URL is not set, so the server's token endpoint audience is http://localhost:PORT/oauth/token.
    return await fn({ ...server, url: `http://localhost:${server.port}` }, database.url);
  } finally {
    await server?.stop();
    await database.drop();
  }
}

const which = process.argv[2] ?? 'all';
if (which === 'waiting-list') {
  // npm run bench -- waiting-list [rows]: the import benchmark has its own script (bench/waiting-list.ts).
  process.argv.splice(2, 1);
  await import('./waiting-list.js');
  process.exit(0);
}
if (which === 'brokering') {
  // npm run bench -- brokering: the search (and later whole-case lifecycles) on nvf seed --scale 10 (bench/brokering.ts).
  await import('./brokering.js');
  process.exit(0);
}
if (which === 'statistics') {
  // npm run bench -- statistics: the monthly indicator computation over 1,000,000 episodes and 100,000 cases, and the statistics API (bench/statistics.ts).
  await import('./statistics.js');
  process.exit(0);
}
if (!['directory', 'token', 'startup', 'all'].includes(which)) {
  console.error('usage: npm run bench -- [directory|token|startup|waiting-list [rows]|brokering|statistics|all]');
  process.exit(2);
}
const result: Record<string, unknown> = { node: process.version, cpus: os.cpus().length, durationSeconds: DURATION, connections: CONNECTIONS };
if (which === 'directory' || which === 'token' || which === 'all') {
  await onPostgres(async (server, url) => {
    if (which !== 'token') result.directory = await benchDirectory(server, url);
    if (which !== 'directory') result.token = await benchToken(server, url);
  });
}
if (which === 'startup' || which === 'all') result.startup = await benchStartup();
console.log(JSON.stringify(result, null, 2));

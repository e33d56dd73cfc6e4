/**
 * Whole case lifecycles through the HTTP API of a running server (issue 4: ≥ 200 per second on PostgreSQL):
 * open → request → accept → choose → book → complete, each step one request, audited and with its outbox event,
 * run by `concurrency` workers for `seconds` after a warm-up at that concurrency. Used by bench/brokering.ts.
 */
import http from 'node:http';
import { luhnCheckDigit } from '../src/domain/luhn.js';

/**
 * The steps are sent with node:http over kept-alive connections (one per worker): fetch (undici through WHATWG streams)
 * took about 6 ms of CPU per lifecycle on this machine, a large share of the two cores the load generator shares with
 * the server and the database.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

interface Tokens {
  coordinator: string;
  provider: string;
}

async function token(baseUrl: string, clientId: string): Promise<string> {
  const r = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'demo' }),
  });
  if (r.status !== 200) throw new Error(`token for ${clientId}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { access_token: string }).access_token;
}

/** A unit outside region 01 offering a treatment, and its organisation (which has a demo client). */
async function receivingUnit(baseUrl: string): Promise<{ serviceId: string; hsaId: string; organizationId: string }> {
  const services = ((await (await fetch(`${baseUrl}/api/v1/services?contactType=treatment`)).json()) as { items: { id: string }[] }).items;
  for (const s of services) {
    const units = ((await (await fetch(`${baseUrl}/api/v1/units?service=${s.id}&limit=100`)).json()) as { items: { hsaId: string; organizationId: string; regionCode: string }[] }).items;
    const u = units.find((x) => x.regionCode !== '01');
    if (u) return { serviceId: s.id, hsaId: u.hsaId, organizationId: u.organizationId };
  }
  throw new Error('no unit outside region 01 offers a treatment');
}

let serial = 0;
/** Unique, valid synthetic personnummer for the run (birth dates from 1940, birth numbers 100–899). */
function personnummer(): string {
  const n = serial++;
  const day = new Date(Date.UTC(1940, 0, 1) + Math.floor(n / 800) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const birth = String(100 + (n % 800));
  return `${day}-${birth}${luhnCheckDigit(`${day.slice(2)}${birth}`)}`;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

function post(baseUrl: string, bearer: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${path}`, {
      method: 'POST', agent,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function step(baseUrl: string, bearer: string, path: string, body: unknown, expected: number): Promise<{ id: string }> {
  const r = await post(baseUrl, bearer, path, body);
  if (r.status !== expected) throw new Error(`${path}: ${r.status} ${r.text.slice(0, 300)}`);
  return JSON.parse(r.text) as { id: string };
}

async function lifecycle(baseUrl: string, t: Tokens, unit: { serviceId: string; hsaId: string }): Promise<void> {
  const c = await step(baseUrl, t.coordinator, '/api/v1/cases', { serviceId: unit.serviceId, clockStart: day(-40), patient: { personnummer: personnummer(), homeMunicipality: '0180' } }, 201);
  const r = await step(baseUrl, t.coordinator, `/api/v1/cases/${c.id}/requests`, { unitHsaId: unit.hsaId }, 201);
  await step(baseUrl, t.provider, `/api/v1/requests/${r.id}/accept`, { offeredDate: day(10) }, 200);
  await step(baseUrl, t.coordinator, `/api/v1/cases/${c.id}/choose`, { requestId: r.id }, 200);
  await step(baseUrl, t.provider, `/api/v1/cases/${c.id}/book`, { date: day(10) }, 200);
  await step(baseUrl, t.coordinator, `/api/v1/cases/${c.id}/complete`, { completedOn: day(0), outcome: 'treated' }, 200);
}

/** `concurrency` workers running `fn` over and over for `seconds`: the duration of each run that succeeded, and the failures. */
async function runFor(seconds: number, concurrency: number, fn: () => Promise<void>) {
  const durations: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const until = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      try {
        await fn();
        durations.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  }));
  return { durations, errors, firstError };
}

function perLifecycle(measured: Record<string, number | null>, lifecycles: number) {
  const per = (v: number | null) => (v === null || lifecycles === 0 ? null : Math.round((v / lifecycles) * 10) / 10);
  const { statements, ...cpu } = measured;
  return {
    cpuMsPerLifecycle: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, per(v ?? null)])),
    ...(statements === undefined ? {} : { statementsPerLifecycle: per(statements) }),
  };
}

/** Run lifecycles with `concurrency` workers for `seconds` (after 20 one by one and `warmupSeconds` at that concurrency); lifecycles per second and step latency. */
export async function benchLifecycles(baseUrl: string, opts: { concurrency?: number; seconds?: number; warmupSeconds?: number; cpu?: () => Promise<() => Promise<Record<string, number | null>>> } = {}) {
  const concurrency = opts.concurrency ?? 16;
  const seconds = opts.seconds ?? 10;
  const warmupSeconds = opts.warmupSeconds ?? 5;
  const unit = await receivingUnit(baseUrl);
  const tokens: Tokens = { coordinator: await token(baseUrl, 'demo-coordinator-01'), provider: await token(baseUrl, `demo-provider-${unit.organizationId}`) };
  for (let i = 0; i < 20; i++) await lifecycle(baseUrl, tokens, unit);
  // Warm-up at the measured concurrency (JIT, every pooled connection's prepared statements, the server's caches):
  // without it the first seconds of a fresh server are measured, which run at about two thirds of the rate.
  await runFor(warmupSeconds, concurrency, () => lifecycle(baseUrl, tokens, unit));
  const cpuEnd = await opts.cpu?.(); // after the warm-up
  const started = performance.now();
  const { durations, errors, firstError } = await runFor(seconds, concurrency, () => lifecycle(baseUrl, tokens, unit));
  const elapsed = (performance.now() - started) / 1000;
  const cpuMs = cpuEnd ? await cpuEnd() : undefined;
  durations.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(durations[Math.min(durations.length - 1, Math.ceil(p * durations.length) - 1)] ?? 0);
  return {
    lifecycles: durations.length,
    seconds: Number(elapsed.toFixed(2)),
    lifecyclesPerSecond: Math.round(durations.length / elapsed),
    requestsPerSecond: Math.round((durations.length * 6) / elapsed),
    concurrency,
    lifecycleMs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99) },
    errors,
    ...(firstError ? { firstError } : {}),
    // CPU (ms) per lifecycle of the server, the database's backends and this load generator, and the database's
    // statements per lifecycle, all lifecycles counted (finished or not): on a shared machine, 1000 / the CPU's sum is
    // what one core could do
    ...(cpuMs ? perLifecycle(cpuMs, durations.length) : {}),
    target: { lifecyclesPerSecond: 200 },
  };
}

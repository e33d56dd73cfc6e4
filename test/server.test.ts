import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

function startServer(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitForHealth(port: number, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      if (r.status === 200) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not become healthy');
}

describe('the server process on an embedded database directory', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvf-server-'));
  const dataDir = path.join(dir, 'pglite');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts, refuses a second process on the same directory, closes cleanly on SIGTERM and restarts on the same data', async () => {
    const port = await freePort();
    const first = startServer({ DATA_DIR: dataDir, PORT: String(port), SEED: 'none' });
    await waitForHealth(port);
    expect(fs.existsSync(`${dataDir}.lock`)).toBe(true);

    const second = startServer({ DATA_DIR: dataDir, PORT: String(await freePort()), SEED: 'none' });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by process \d+/);

    const regions = (await (await fetch(`http://127.0.0.1:${port}/api/v1/regions`)).json()) as { items: unknown[] };
    expect(regions.items).toHaveLength(21);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(fs.existsSync(`${dataDir}.lock`)).toBe(false);

    const port2 = await freePort();
    const again = startServer({ DATA_DIR: dataDir, PORT: String(port2), SEED: 'none' });
    await waitForHealth(port2);
    const r = (await (await fetch(`http://127.0.0.1:${port2}/api/v1/municipalities`)).json()) as { items: unknown[] };
    expect(r.items).toHaveLength(290);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  }, 120_000);
});

/** The pids of a process's children (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

describe('WORKERS: several server processes on one port', () => {
  it('is read as 1 to 64 or auto, and refused with the embedded database', async () => {
    const { loadConfig } = await import('../src/config.js');
    expect(loadConfig({ LOG_LEVEL: 'silent' }).workers).toBe(1);
    expect(loadConfig({ LOG_LEVEL: 'silent', WORKERS: '3', DATABASE_URL: 'postgres://x@127.0.0.1/y' }).workers).toBe(3);
    expect(loadConfig({ LOG_LEVEL: 'silent', WORKERS: 'auto', DATABASE_URL: 'postgres://x@127.0.0.1/y' }).workers).toBe(os.availableParallelism());
    for (const bad of ['0', '65', 'two', '1.5', ''])
      expect(() => loadConfig({ LOG_LEVEL: 'silent', WORKERS: bad, DATABASE_URL: 'postgres://x@127.0.0.1/y' }), bad).toThrow(/WORKERS must be a whole number from 1 to 64, or auto/);
    expect(() => loadConfig({ LOG_LEVEL: 'silent', WORKERS: '2' })).toThrow(/WORKERS: more than one server process needs PostgreSQL/);
  });

  const base = process.env.TEST_DATABASE_URL;
  it.skipIf(!base || process.platform !== 'linux')('prepares the database once, serves from every process, starts a dead one again and stops them all on SIGTERM (PostgreSQL)', async () => {
    const pg = (await import('pg')).default;
    const name = `nvf_workers_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(base!);
    url.pathname = `/${name}`;
    try {
      const port = await freePort();
      const server = startServer({ DATABASE_URL: url.toString(), PORT: String(port), SEED: 'none', WORKERS: '2' });
      await waitForHealth(port);
      const waitFor = async (check: () => boolean) => {
        for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
        expect(check()).toBe(true);
      };
      await waitFor(() => childrenOf(server.child.pid!).length === 2);
      const workers = childrenOf(server.child.pid!);
      // each process holds its own connections: both have connected to the database
      const backends = async () => Number((await admin.query('SELECT count(DISTINCT client_port) AS n FROM pg_stat_activity WHERE datname = $1', [name])).rows[0].n);
      for (let i = 0; i < 40; i++) expect((await fetch(`http://127.0.0.1:${port}/api/v1/regions`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(10_000) })).status).toBe(200);
      expect(await backends()).toBeGreaterThanOrEqual(2);
      // a process that dies is started again
      process.kill(workers[0]!, 'SIGKILL');
      await waitFor(() => { const now = childrenOf(server.child.pid!); return now.length === 2 && !now.includes(workers[0]!); });
      expect(server.output()).toMatch(/server process \d ended \(SIGKILL\); starting it again/);
      await waitForHealth(port);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      for (const pid of [...workers, ...childrenOf(server.child.pid!)]) expect(() => process.kill(pid, 0), `process ${pid}`).toThrow();
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  }, 180_000);
});

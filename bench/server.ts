import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** stderr and stdout, for the error message when the start fails */
  output(): string;
  /** SIGTERM and wait for the exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

/**
 * Start the real server as a child process (not in this process, so the load generator and the server do not share
 * an event loop), with only the environment given here plus PATH/HOME: a DATABASE_URL in the caller's shell must not leak in.
 */
export async function startServer(env: Record<string, string>, entry: 'server' | 'start' = 'server'): Promise<RunningServer> {
  const port = Number(env.PORT) || (await freePort());
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under the benchmark's load.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args = [...nodeArgs, ...(entry === 'start' ? [path.join(ROOT, 'scripts', 'start.mjs')] : ['--import', 'tsx', path.join(ROOT, 'src', 'server.ts')])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Poll GET /health until 200; returns when it answered. Fails if the child exits or the time runs out. */
export async function waitHealthy(server: RunningServer, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`the server exited with ${server.child.exitCode}:\n${server.output()}`);
    try {
      const res = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no /health 200 within ${timeoutMs} ms:\n${server.output()}`);
}

/** A fresh PostgreSQL database for one benchmark run, dropped afterwards. */
export async function freshPostgres(base: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `nvf_bench_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await a.end();
    },
  };
}

/**
 * CPU seconds (user + system) a process and its children have used so far, from /proc (Linux): with WORKERS > 1 the
 * server is a primary and its worker processes. Undefined where /proc cannot be read.
 */
export function processTreeCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const read = (p: number): { ppid: number; cpu: number } | undefined => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100 };
    } catch {
      return undefined;
    }
  };
  const own = read(pid);
  if (own === undefined) return undefined;
  let total = own.cpu;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === pid) continue;
    const s = read(Number(d));
    if (s?.ppid === pid) total += s.cpu;
  }
  return total;
}

/** Server processes for the benchmarks: BENCH_WORKERS, default one per CPU core (the server's WORKERS). */
export const BENCH_WORKERS = process.env.BENCH_WORKERS ?? String(os.availableParallelism());

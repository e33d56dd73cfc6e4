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

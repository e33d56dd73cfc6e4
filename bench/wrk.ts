/**
 * wrk (Debian package `wrk`, `apt-get install -y wrk`) as the load generator when it is installed: written in C, it
 * takes a fraction of the CPU autocannon takes, which matters when the load generator, the server and PostgreSQL share
 * two cores — with autocannon the figures say as much about autocannon as about the server. It also reports p95.
 * The benchmarks fall back to autocannon without it and say which tool measured.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Result } from 'autocannon';

export function hasWrk(): boolean {
  if (process.env.BENCH_LOAD_GENERATOR === 'autocannon') return false;
  const r = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  return r.error === undefined && /^wrk /m.test(`${r.stdout}${r.stderr}`);
}

export interface LoadResult {
  tool: 'wrk';
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p95: number; p97_5: number; p99: number; max: number };
  total: number;
  bytesPerAnswer: number | null;
  /** answers with a status of 400 or more */
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** The Lua script: optional paths to cycle through (one per line), and a JSON summary on stdout at the end. */
function script(pathsFile: string | undefined): string {
  const paths = pathsFile === undefined ? '' : `
local paths = {}
for line in io.lines(${JSON.stringify(pathsFile)}) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format(nil, paths[i])
end
`;
  return `${paths}
done = function(summary, latency, requests)
  io.write(string.format('\\nNVF-RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p95":%d,"p97_5":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(97.5), latency:percentile(99), latency.max))
end
`;
}

/** One wrk run (one thread, `connections` connections) against `url`, or against url's origin + each of `paths` in turn. */
export async function runWrk(opts: { url: string; connections: number; seconds: number; headers?: Record<string, string>; paths?: readonly string[] }): Promise<LoadResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvf-wrk-'));
  try {
    let pathsFile: string | undefined;
    if (opts.paths) {
      pathsFile = path.join(dir, 'paths.txt');
      fs.writeFileSync(pathsFile, `${opts.paths.join('\n')}\n`);
    }
    const scriptFile = path.join(dir, 'nvf.lua');
    fs.writeFileSync(scriptFile, script(pathsFile));
    const args = ['-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '--timeout', '10s', '-s', scriptFile];
    for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
    args.push(opts.url);
    const out = await new Promise<string>((resolve, reject) =>
      execFile('wrk', args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(`wrk: ${err.message} ${stderr}`)) : resolve(stdout))),
    );
    const line = out.split('\n').find((l) => l.startsWith('NVF-RESULT '));
    if (!line) throw new Error(`wrk printed no result:\n${out}`);
    const r = JSON.parse(line.slice('NVF-RESULT '.length)) as Record<string, number>;
    const ms = (us: number) => Math.round(us / 100) / 10;
    return {
      tool: 'wrk',
      requestsPerSecond: Math.round(r.requests! / (r.duration_us! / 1e6)),
      latencyMs: { p50: ms(r.p50!), p90: ms(r.p90!), p95: ms(r.p95!), p97_5: ms(r.p97_5!), p99: ms(r.p99!), max: ms(r.max!) },
      total: r.requests!,
      bytesPerAnswer: r.requests! > 0 ? Math.round(r.bytes! / r.requests!) : null,
      non2xx: r.status!,
      errors: r.connect! + r.read! + r.write!,
      timeouts: r.timeout!,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An autocannon run in the shape the benchmarks print (autocannon has no p95: p90 and p97.5 bracket it). */
export function autocannonSummary(r: Result) {
  return {
    tool: 'autocannon' as const,
    requestsPerSecond: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p97_5: r.latency.p97_5, p99: r.latency.p99, max: r.latency.max },
    total: r.requests.total,
    bytesPerAnswer: r.requests.total > 0 ? Math.round(r.throughput.total / r.requests.total) : null,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

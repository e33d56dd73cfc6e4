import crypto from 'node:crypto';
import fs from 'node:fs';
import { loadConfig, type Config } from '../config.js';
import { connect, type Database } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { systemClock } from '../domain/clock.js';
import type { RequestContext } from '../services/context.js';

/** What commands touch outside themselves; tests replace it to capture output and hand in their own database. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  config(): Config;
  connect(url: string): Promise<Database>;
  readFile(path: string): string;
  /** Write a new file; refuses to overwrite (keys and secrets are never replaced silently). */
  writeNewFile(path: string, content: string, mode?: number): void;
  fileExists(path: string): boolean;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  config: () => loadConfig(process.env),
  connect: (url) => connect(url),
  readFile: (path) => fs.readFileSync(path, 'utf8'),
  writeNewFile: (path, content, mode = 0o600) => fs.writeFileSync(path, content, { flag: 'wx', mode }),
  fileExists: (path) => fs.existsSync(path),
};

/** Open the configured database (DATABASE_URL or DATA_DIR), bring its schema up to date, run the command, close it. */
export async function withDatabase<T>(io: CliIo, fn: (database: Database, config: Config, applied: string[]) => Promise<T>): Promise<T> {
  const config = io.config();
  const database = await io.connect(config.databaseUrl);
  try {
    const applied = await migrate(database.db);
    return await fn(database, config, applied);
  } finally {
    await database.close();
  }
}

/** The CLI acts as the national operator: its changes are audited with subject 'cli'. */
export function cliContext(): RequestContext {
  return { principal: { subject: 'cli', roles: ['admin'] }, requestId: `cli-${crypto.randomUUID()}`, clock: systemClock };
}

/** Render rows as an aligned plain-text table. */
export function table(rows: Record<string, string>[]): string[] {
  if (rows.length === 0) return [];
  const cols = Object.keys(rows[0]!);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((v, i) => v.padEnd(width[i]!)).join('  ').trimEnd();
  return [line(cols), ...rows.map((r) => line(cols.map((c) => r[c] ?? '')))];
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { DB } from './schema.js';
import { acquireDirectoryLock, isInitialised } from './pglite-files.js';

// Make pg's parsers agree with what the application expects on both engines:
// dates stay 'YYYY-MM-DD' strings, bigint counts become numbers, numeric becomes number.
pg.types.setTypeParser(1082, (v) => v); // date
pg.types.setTypeParser(20, (v) => Number(v)); // int8
pg.types.setTypeParser(1700, (v) => Number(v)); // numeric

export type DatabaseKind = 'postgres' | 'pglite';

/** One open database: a Kysely handle over a pg Pool (real, or PGlite behind node-postgres). */
export interface Database {
  db: Kysely<DB>;
  kind: DatabaseKind;
  /** a description without credentials, for logs */
  description: string;
  pool: pg.Pool;
  /** the embedded engine, when kind is 'pglite' */
  pglite: PGlite | undefined;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Load a PGlite data directory dump (tests use a migrated template). */
  loadDataDir?: Blob;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
}

/**
 * Open a database from a URL: `postgres://…` uses PostgreSQL, `memory://` an in-memory PGlite,
 * anything else a path to an embedded PGlite directory (locked against a second process,
 * first initialised in a temporary directory and then renamed so that a crash never leaves half a directory).
 */
export async function connect(url: string, opts: ConnectOptions = {}): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
    pool.on('error', () => {
      /* idle client errors are reported by the next query */
    });
    pool.on('connect', prepareStatements);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    const u = new URL(url);
    return {
      db,
      kind: 'postgres',
      description: `postgres://${u.host}${u.pathname}`,
      pool,
      pglite: undefined,
      close: async () => {
        await db.destroy();
      },
    };
  }

  let release: () => void = () => {};
  let dataDir: string | undefined;
  if (url !== 'memory://') {
    dataDir = path.resolve(url.replace(/^file:\/\//, ''));
    release = acquireDirectoryLock(dataDir);
    try {
      if (!isInitialised(dataDir)) await initialiseDirectory(dataDir);
    } catch (err) {
      release();
      throw err;
    }
  }
  let lite: PGlite;
  try {
    lite = await PGlite.create(dataDir ?? 'memory://', opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {});
  } catch (err) {
    release();
    throw err;
  }
  const pool = new pg.Pool(createPgConfig(lite) as unknown as pg.PoolConfig);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    kind: 'pglite',
    description: dataDir ? `pglite:${dataDir}` : 'pglite:memory',
    pool,
    pglite: lite,
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await db.destroy();
        await lite.close();
      } finally {
        release();
      }
    },
  };
}

/**
 * Statements longer than this, or beyond this many per connection, are sent unnamed (parsed and planned each time).
 * Measured: 4,000 made the capacity search (many long distinct texts) about a quarter slower and the lifecycle no faster.
 */
const PREPARED_MAX_TEXT = 1500;
const PREPARED_MAX_PER_CONNECTION = 300;

/**
 * Prepare the statements Kysely sends (ADR 0012): a statement with parameters is sent as a named statement (its name a
 * hash of its text), which PostgreSQL parses once per connection and pg then only binds and executes; PostgreSQL plans
 * it as it would an unnamed one (custom plans, then a generic plan only when that is not costlier). Kysely sends SQL
 * text and parameters only, so this is done on each pooled connection. Long statements (bulk inserts) stay unnamed.
 */
function prepareStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const names = new Map<string, string>();
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (text: unknown, values?: unknown, ...rest: unknown[]) => {
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || text.length > PREPARED_MAX_TEXT) return query(text, values, ...rest);
    let name = names.get(text);
    if (name === undefined) {
      if (names.size >= PREPARED_MAX_PER_CONNECTION) return query(text, values, ...rest);
      name = `nvf_${crypto.createHash('sha1').update(text).digest('hex')}`;
      names.set(text, name);
    }
    return query({ name, text, values }, ...rest);
  };
}

async function initialiseDirectory(dataDir: string): Promise<void> {
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
    throw new Error(
      `${dataDir} exists but is not a complete database directory (no PG_VERSION). ` +
        `Move it away or point DATA_DIR at an empty directory.`,
    );
  }
  const tmp = `${dataDir}.init-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const lite = await PGlite.create(tmp);
  await lite.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.renameSync(tmp, dataDir);
}

/** Whether the database answers a trivial query (for /health). */
export async function databaseAnswers(db: Kysely<DB>): Promise<boolean> {
  try {
    await sql`SELECT 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { connect, type Database } from '../../src/db/connect.js';

export type TestTarget = 'pglite' | 'postgres';

/** The databases the database tests run on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const targets: TestTarget[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase extends Database {
  target: TestTarget;
  /** a URL for a second connection to the same database (PostgreSQL only) */
  url: string | undefined;
}

/** A fresh database of its own for one test file: loaded from the migrated, seeded template. */
export async function openTestDatabase(target: TestTarget): Promise<TestDatabase> {
  if (target === 'pglite') {
    const dump = fs.readFileSync(inject('pgliteTemplate'));
    const database = await connect('memory://', { loadDataDir: new Blob([dump]) });
    return { ...database, target, url: undefined };
  }
  const base = process.env.TEST_DATABASE_URL!;
  const template = inject('postgresTemplate');
  if (!template) throw new Error('TEST_DATABASE_URL is set but no PostgreSQL template was built');
  const name = `nvf_test_${Math.floor(Date.now() / 1000)}_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const database = await connect(u.toString());
  return {
    ...database,
    target,
    url: u.toString(),
    close: async () => {
      await database.close();
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await a.end();
    },
  };
}

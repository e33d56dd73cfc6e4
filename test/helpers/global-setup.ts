import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connect } from '../../src/db/connect.js';
import { listMigrations, migrate } from '../../src/db/migrate.js';
import { prepareTemplateData } from './template.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string | null;
  }
}

/** A fingerprint of everything that goes into the template, so a changed migration or seed builds a new one. */
function fingerprint(): string {
  const h = crypto.createHash('sha256');
  for (const m of listMigrations()) h.update(m.id).update(m.sql);
  for (const dir of ['reference', 'src/services/seed', 'src/domain/random.ts', 'src/services/reference.service.ts']) {
    if (!fs.existsSync(dir)) continue;
    if (fs.statSync(dir).isFile()) {
      h.update(dir).update(fs.readFileSync(dir));
      continue;
    }
    for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
      const p = path.join(dir, f);
      if (fs.statSync(p).isFile()) h.update(f).update(fs.readFileSync(p));
    }
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * Build, once per test run, a migrated and seeded template of each database:
 * a PGlite data-directory dump (tests load it in about a second) and, with TEST_DATABASE_URL, a PostgreSQL template database.
 */
export default async function setup(project: TestProject): Promise<void> {
  const fp = fingerprint();
  const dump = path.join(os.tmpdir(), `nvf-test-template-${fp}.tar.gz`);
  if (!fs.existsSync(dump)) {
    const database = await connect('memory://');
    await migrate(database.db);
    await prepareTemplateData(database.db);
    const blob = await database.pglite!.dumpDataDir('gzip');
    await database.close();
    const tmp = `${dump}.${process.pid}`;
    fs.writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    fs.renameSync(tmp, dump);
  }
  project.provide('pgliteTemplate', dump);

  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    project.provide('postgresTemplate', null);
    return;
  }
  const name = `nvf_template_${fp}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    // Remove test databases left by runs that were killed before their teardown: their names carry their creation
    // time (nvf_test_<epoch seconds>_<random>), and only those older than three hours are dropped, so parallel runs are safe.
    const cutoff = Math.floor(Date.now() / 1000) - 3 * 3600;
    const stale = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^nvf_test_[0-9]+_'`);
    for (const r of stale.rows) if (Number(r.datname.split('_')[2]) < cutoff) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    // Templates of older code: dropped when no run is using them (a busy one refuses, and is left for next time).
    const oldTemplates = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'nvf_template_%' AND datname <> $1`, [name]);
    for (const r of oldTemplates.rows) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}"`).catch(() => undefined);
    const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${name}_building"`);
      const u = new URL(url);
      u.pathname = `/${name}_building`;
      const database = await connect(u.toString(), { poolSize: 2 });
      await migrate(database.db);
      await prepareTemplateData(database.db);
      await database.close();
      await admin.query(`ALTER DATABASE "${name}_building" RENAME TO "${name}"`);
    }
  } finally {
    await admin.end();
  }
  project.provide('postgresTemplate', name);
}

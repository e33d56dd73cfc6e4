import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { connect } from '../src/db/connect.js';
import { migrate, listMigrations } from '../src/db/migrate.js';
import { openTestDatabase, targets } from './helpers/db.js';

const tmpDirs: string[] = [];
const tmpDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nvf-db-'));
  tmpDirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('embedded database directory', () => {
  it('initialises a new directory completely, locks it, and releases the lock on close', async () => {
    const dir = path.join(tmpDir(), 'pglite');
    const database = await connect(dir);
    expect(fs.existsSync(path.join(dir, 'PG_VERSION'))).toBe(true);
    expect(fs.readdirSync(path.dirname(dir)).filter((f) => f.includes('.init-'))).toEqual([]);
    expect(fs.readFileSync(`${dir}.lock`, 'utf8').trim()).toBe(String(process.pid));
    await expect(connect(dir)).rejects.toThrow(/in use by process \d+/);
    await database.close();
    expect(fs.existsSync(`${dir}.lock`)).toBe(false);
    const again = await connect(dir);
    await again.close();
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dir = path.join(tmpDir(), 'pglite');
    fs.writeFileSync(`${dir}.lock`, '999999999\n');
    const database = await connect(dir);
    expect(fs.readFileSync(`${dir}.lock`, 'utf8').trim()).toBe(String(process.pid));
    await database.close();
  });

  it('refuses a directory that is not empty and not a database, instead of writing into it', async () => {
    const dir = path.join(tmpDir(), 'pglite');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await expect(connect(dir)).rejects.toThrow(/not a complete database directory/);
    expect(fs.readdirSync(dir)).toEqual(['notes.txt']);
    expect(fs.existsSync(`${dir}.lock`)).toBe(false);
  });
});

describe.each(targets)('migrations on %s', (target) => {
  it('are recorded, and applying them again changes nothing', async () => {
    const database = await openTestDatabase(target);
    try {
      const ids = (await database.db.selectFrom('schema_migrations').select('id').orderBy('id').execute()).map((r) => r.id);
      expect(ids).toEqual(listMigrations().map((m) => m.id));
      expect(await migrate(database.db)).toEqual([]);
      const types = await sql<{ d: string; n: number; m: number }>`SELECT DATE '2026-11-26' AS d, count(*) AS n, 1.5::numeric AS m FROM regions`.execute(database.db);
      expect(types.rows[0]).toEqual({ d: '2026-11-26', n: 21, m: 1.5 });
    } finally {
      await database.close();
    }
  });
});

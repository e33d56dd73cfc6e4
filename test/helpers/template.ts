import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.js';
import { loadReferenceData } from '../../src/services/reference.service.js';
import { ensureSigningKey } from '../../src/services/keys.service.js';
import { seedDemo } from '../../src/services/seed/seed.service.js';

/** What every test database starts with: reference data, a signing key and the synthetic demo directory (seed 1). */
export async function prepareTemplateData(db: Kysely<DB>): Promise<void> {
  await loadReferenceData(db);
  await ensureSigningKey(db);
  await seedDemo(db, { seed: 1, scale: 1 });
}

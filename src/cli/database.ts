import type { Command } from 'commander';
import { AppError } from '../domain/errors.js';
import { ensureSigningKey } from '../services/keys.service.js';
import { loadReferenceData } from '../services/reference.service.js';
import { seedDemo } from '../services/seed/seed.service.js';
import { type CliIo, withDatabase } from './io.js';
import { positiveInt } from './parse.js';

/** nvf migrate, nvf seed. */
export function registerDatabaseCommands(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description('Apply the database migrations not yet applied (DATABASE_URL or DATA_DIR)')
    .action(async () => {
      await withDatabase(io, async (database, _config, applied) => {
        io.out(applied.length > 0 ? `Applied ${applied.length} migration(s) to ${database.description}: ${applied.join(', ')}` : `${database.description} is up to date.`);
      });
    });

  program
    .command('seed')
    .description('Load reference data and the synthetic demo data (demo and sandbox mode only)')
    .option('--scale <n>', 'size of the synthetic data (1 = a demo, larger for load tests)', positiveInt('--scale'), 1)
    .option('--seed <n>', 'random seed: the same seed gives the same data', positiveInt('--seed'), 1)
    .action(async (opts: { scale: number; seed: number }) => {
      await withDatabase(io, async (database, config) => {
        if (config.mode === 'production')
          throw new AppError('forbidden', 'Synthetic demo data is not seeded in production mode (NVF_MODE or NODE_ENV is production).');
        const reference = await loadReferenceData(database.db);
        await ensureSigningKey(database.db);
        const started = Date.now();
        const summary = await seedDemo(database.db, { seed: opts.seed, scale: opts.scale });
        io.out(`Reference data: ${reference.regions} regions, ${reference.municipalities} municipalities, ${reference.services} services.`);
        const parts = Object.entries(summary).map(([k, v]) => `${String(v)} ${k}`);
        io.out(`Seeded ${database.description} (seed ${opts.seed}, scale ${opts.scale}) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${parts.join(', ')}.`);
      });
    });
}

import type { Config } from './config.js';
import { connect, type Database } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { ensureSigningKey } from './services/keys.service.js';
import { loadReferenceData } from './services/reference.service.js';
import { seedDemo, isDirectoryEmpty, seedDemoBrokeringHistory, seedStatisticsHistory } from './services/seed/seed.service.js';
import { seedDemoWaitingList } from './services/seed/waiting-list-seed.js';
import { stockholmDay } from './domain/clock.js';

/** Open the database and bring it up to date: migrations, reference data, a signing key, and demo data on an empty database. */
export async function openAndPrepare(config: Config, log: (msg: string) => void = () => {}): Promise<Database> {
  const database = await connect(config.databaseUrl, { poolSize: config.databasePoolSize });
  try {
    const applied = await migrate(database.db);
    if (applied.length > 0) log(`migrations applied: ${applied.join(', ')}`);
    await loadReferenceData(database.db);
    await ensureSigningKey(database.db);
    if (config.seed === 'demo' && config.mode !== 'production' && (await isDirectoryEmpty(database.db))) {
      const summary = await seedDemo(database.db, { seed: 1, scale: 1 });
      log(`synthetic demo data seeded: ${summary.organizations} organisations, ${summary.units} units, ${summary.clients} clients`);
      const waiting = await seedDemoWaitingList(database.db, { seed: 1, today: stockholmDay(new Date()) });
      log(`synthetic waiting list seeded: ${waiting.episodes} episodes, ${waiting.capacityReports} capacity reports`);
      const history = await seedDemoBrokeringHistory(database.db, { seed: 1, today: stockholmDay(new Date()), patientDataKey: config.patientDataKey });
      if (history) log(`synthetic brokering history seeded: ${history.cases} cases, ${history.requests} requests`);
      // last: the statistics of the last complete months (DEMO_STATISTICS_MONTHS), from everything seeded above
      const stats = await seedStatisticsHistory(database.db, { today: stockholmDay(new Date()) });
      log(`statistics computed for the last ${stats.months} months: ${stats.rowsWritten} values`);
    }
    return database;
  } catch (err) {
    await database.close();
    throw err;
  }
}

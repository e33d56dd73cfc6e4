import { loadConfig } from './config.js';
import { openAndPrepare } from './bootstrap.js';
import { buildApp } from './http/app.js';
import { systemClock } from './domain/clock.js';
import { startRequestExpiryJob } from './jobs/request-expiry.job.js';
import { startStatisticsJob } from './jobs/statistics.job.js';
import { startSubmissionRecoveryJob } from './jobs/submission-recovery.job.js';
import { startWaitingTimesRefreshJob } from './jobs/waiting-times-refresh.job.js';
import { startWebhookDeliveryJob } from './jobs/webhook-delivery.job.js';
import { webhookSecretBox } from './services/notifications/webhooks.service.js';

/** Start the service: prepare the database, build the app, listen; close everything on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const started = Date.now();
  const database = await openAndPrepare(config, (m) => console.log(`[nvf] ${m}`));
  const app = await buildApp({ database, config, clock: systemClock });
  const jobLog = (msg: string, err?: unknown) => (err ? app.log.error({ err }, msg) : app.log.info(msg));
  const stopJobs = [startWaitingTimesRefreshJob(database.db, systemClock, jobLog), startSubmissionRecoveryJob(database, systemClock, jobLog), startRequestExpiryJob(database.db, systemClock, jobLog), startWebhookDeliveryJob(database.db, systemClock, webhookSecretBox(config.patientDataKey), jobLog), startStatisticsJob(database.db, systemClock, jobLog)];
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'closing');
    const timer = setTimeout(() => process.exit(1), 10_000);
    try {
      for (const stop of stopJobs) stop();
      await app.close();
      await database.close();
    } finally {
      clearTimeout(timer);
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  app.log.info(`Nationell vårdförmedling listening on ${config.publicUrl} (${database.description}, ${config.mode} mode) after ${Date.now() - started} ms`);
}

main().catch((err: unknown) => {
  console.error(`[nvf] could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

import cluster from 'node:cluster';
import { loadConfig, type Config } from './config.js';
import { openAndPrepare } from './bootstrap.js';
import { buildApp } from './http/app.js';
import { systemClock } from './domain/clock.js';
import { startRequestExpiryJob } from './jobs/request-expiry.job.js';
import { startStatisticsJob } from './jobs/statistics.job.js';
import { startAuditAnchorJob } from './jobs/audit-anchor.job.js';
import { startSubmissionRecoveryJob } from './jobs/submission-recovery.job.js';
import { startWaitingTimesRefreshJob } from './jobs/waiting-times-refresh.job.js';
import { startWebhookDeliveryJob } from './jobs/webhook-delivery.job.js';
import { webhookSecretBox } from './services/notifications/webhooks.service.js';

/** Start one server process: prepare the database, build the app, listen; close everything on SIGINT/SIGTERM. */
async function serve(config: Config, worker: number | undefined): Promise<void> {
  const started = Date.now();
  const database = await openAndPrepare(config, (m) => console.log(`[nvf] ${m}`));
  const app = await buildApp({ database, config, clock: systemClock });
  const jobLog = (msg: string, err?: unknown) => (err ? app.log.error({ err }, msg) : app.log.info(msg));
  // Every process runs the jobs: each claims its work in the database (SKIP LOCKED, advisory locks), as separate
  // instances do.
  const stopJobs = [startWaitingTimesRefreshJob(database.db, systemClock, jobLog), startSubmissionRecoveryJob(database, systemClock, jobLog), startRequestExpiryJob(database.db, systemClock, jobLog), startWebhookDeliveryJob(database.db, systemClock, webhookSecretBox(config.patientDataKey), jobLog), startStatisticsJob(database.db, systemClock, jobLog), startAuditAnchorJob(database.db, systemClock, jobLog)];
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
  const who = worker === undefined ? '' : ` (process ${worker} of ${config.workers})`;
  app.log.info(`Nationell vårdförmedling listening on ${config.publicUrl}${who} (${database.description}, ${config.mode} mode) after ${Date.now() - started} ms`);
}

/**
 * WORKERS > 1 (PostgreSQL only): this process prepares the database once (migrations, reference data, demo data), then
 * starts that many server processes sharing the port (node:cluster), each with its own connection pool, caches and
 * jobs, as separate instances behind a load balancer would be. A process that dies is started again; SIGINT/SIGTERM
 * close them all.
 */
async function primary(config: Config): Promise<void> {
  const database = await openAndPrepare(config, (m) => console.log(`[nvf] ${m}`));
  await database.close();
  let closing = false;
  const start = (n: number) => {
    const w = cluster.fork({ NVF_WORKER: String(n) });
    w.on('exit', (code, signal) => {
      if (closing) return;
      console.error(`[nvf] server process ${n} ended (${signal ?? `exit ${code}`}); starting it again`);
      setTimeout(() => start(n), 1000);
    });
  };
  for (let n = 1; n <= config.workers; n++) start(n);
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    const workers = Object.values(cluster.workers ?? {});
    for (const w of workers) w?.process.kill(signal);
    const timer = setTimeout(() => process.exit(1), 15_000);
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const w of workers)
      w?.once('exit', () => {
        if (--left === 0) {
          clearTimeout(timer);
          process.exit(0);
        }
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.workers > 1 && cluster.isPrimary) return primary(config);
  return serve(config, cluster.isPrimary ? undefined : Number(process.env.NVF_WORKER));
}

main().catch((err: unknown) => {
  console.error(`[nvf] could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

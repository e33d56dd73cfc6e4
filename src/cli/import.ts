import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { systemClock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import type { RequestContext } from '../services/context.js';
import { submitWaitingList } from '../services/waiting-list/submission.service.js';
import { type CliIo, withDatabase } from './io.js';

interface ImportOptions {
  region: string;
  mode: 'delta' | 'snapshot';
  dryRun?: boolean;
  progress: boolean;
  format?: 'csv' | 'ndjson';
}

const mb = (bytes: number) => bytes / 1024 / 1024;

/** nvf import waiting-list FILE --region RR: the same service as the API, on the configured database. */
export function registerImportCommands(program: Command, io: CliIo): void {
  const imp = program.command('import').description('Import reporting files (as the API does, directly on the database)');
  imp
    .command('waiting-list')
    .description('Validate and apply a region’s waiting-list file (CSV or NDJSON); nothing is applied if any row is wrong')
    .argument('<file>', 'the file: .csv (UTF-8 or Windows-1252, , or ;) or .ndjson')
    .requiredOption('--region <RR>', 'the region the file is for (two digits)')
    .addOption(new Option('--mode <mode>', 'delta upserts; snapshot also removes the region’s episodes absent from the file').choices(['delta', 'snapshot']).default('delta'))
    .addOption(new Option('--format <format>', 'csv or ndjson (default: from the file name)').choices(['csv', 'ndjson']))
    .option('--dry-run', 'validate only; change nothing')
    .option('--no-progress', 'no progress bar')
    .action(async (file: string, opts: ImportOptions) => {
      if (!/^\d{2}$/.test(opts.region)) throw new AppError('bad_request', `--region must be a region code of two digits, not ${opts.region}.`);
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        throw new AppError('bad_request', `Cannot read ${file}.`);
      }
      const format = opts.format ?? (/\.(nd)?jsonl?$/i.test(file) || /\.ndjson$/i.test(file) ? 'ndjson' : 'csv');
      const ctx: RequestContext = {
        principal: { subject: 'cli', roles: ['region-reporter'], regionCode: opts.region },
        requestId: `cli-${crypto.randomUUID()}`,
        clock: systemClock,
      };
      await withDatabase(io, async (database) => {
        const bar = opts.progress && process.stderr.isTTY
          ? new cliProgress.SingleBar({ format: '{phase} |{bar}| {percentage}% · {rows} rows · {speed} MB/s', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic)
          : undefined;
        const started = Date.now();
        bar?.start(size, 0, { phase: 'reading ', rows: 0, speed: '0.0' });
        try {
          const result = await submitWaitingList(database, ctx, {
            body: fs.createReadStream(file, { highWaterMark: 1 << 20 }),
            contentType: format === 'ndjson' ? 'application/x-ndjson' : 'text/csv',
            mode: opts.mode,
            dryRun: opts.dryRun === true,
            maxBytes: Number.MAX_SAFE_INTEGER,
            onProgress: (p) => {
              const s = (Date.now() - started) / 1000 || 0.001;
              bar?.update(p.phase === 'receiving' ? Math.min(p.bytes, size) / 2 : size / 2 + Math.min(p.bytes, size) / 2, {
                phase: p.phase === 'receiving' ? 'copying ' : p.phase === 'reading' ? 'reading ' : p.phase.padEnd(8), rows: p.rows, speed: (mb(p.bytes) / s).toFixed(1),
              });
            },
          });
          bar?.update(size, { phase: 'done    ' });
          bar?.stop();
          const secs = ((Date.now() - started) / 1000).toFixed(1);
          const name = path.basename(file);
          if (result.replayed) io.out(`${name}: byte-identical to submission ${result.submissionId}, applied before — nothing changed (replayed its result).`);
          else if (result.dryRun) io.out(`${name}: valid (dry run, nothing applied) — submission ${result.submissionId}.`);
          else io.out(`${name}: applied as submission ${result.submissionId} in ${secs} s (${mb(size).toFixed(1)} MB).`);
          io.out(`  received ${result.received} · inserted ${result.inserted} · updated ${result.updated} · unchanged ${result.unchanged} · removed ${result.removed}${result.dryRun ? ' (would be)' : ''}`);
        } catch (err) {
          bar?.stop();
          if (err instanceof AppError && err.code === 'validation') {
            const total = Number(err.extra?.errorCount ?? err.errors?.length ?? 0);
            io.err(`${path.basename(file)}: rejected — ${err.message}`);
            for (const e of (err.errors ?? []).slice(0, 20)) io.err(`  line ${e.line ?? '?'}${e.field ? ` ${e.field}` : ''}: ${e.message}`);
            if (total > 20) io.err(`  … and ${total - 20} more (${total} errors in all${err.extra?.submissionId ? `; see submission ${String(err.extra.submissionId)}` : ''}).`);
            io.err('Nothing was applied.');
            throw new AppError('validation', `${total} error${total === 1 ? '' : 's'}; fix the file and import it again.`);
          }
          throw err;
        }
      });
    });
}

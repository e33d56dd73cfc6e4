import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { InvalidArgumentError, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { isCalendarDate } from '../domain/calendar.js';
import { stockholmDay } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import { WAITING_LIST_COLUMNS } from '../domain/waiting-list.js';
import { loadWaitingListDirectory } from '../services/seed/waiting-list-seed.js';
import { allocateRows, generateWaitingList, rowToRecord, type WaitingListDirectory } from '../services/seed/waiting-list-generate.js';
import { type CliIo, withDatabase } from './io.js';
import { positiveInt } from './parse.js';

type Format = 'csv' | 'ndjson';
interface GenerateOpts { region: string; rows: number; seed: number; today?: string; out: string; format: Format }

/** Show a progress bar from this many rows on (and only on a terminal). */
const PROGRESS_FROM = 50_000;
const LINES_PER_WRITE = 2_000;

const calendarDate = (value: string): string => {
  if (!isCalendarDate(value)) throw new InvalidArgumentError(`--today must be a date (YYYY-MM-DD), not "${value}".`);
  return value;
};
const format = (value: string): Format => {
  if (value !== 'csv' && value !== 'ndjson') throw new InvalidArgumentError(`--format must be csv or ndjson, not "${value}".`);
  return value;
};
const region = (value: string): string => {
  if (value !== 'all' && !/^\d{2}$/.test(value)) throw new InvalidArgumentError(`--region must be a region code (two digits) or "all", not "${value}".`);
  return value;
};

/**
 * nvf generate waiting-list: synthetic waiting-list files consistent with the directory in the database.
 * A file is uploaded by one region for its own episodes only, so `--region all` writes one file per region into the
 * directory `--out` (waiting-list-RR.csv), the rows shared out by the regions' size; a single region writes the file `--out`.
 */
export function registerGenerateCommands(program: Command, io: CliIo): void {
  const generate = program.command('generate').description('Write synthetic data files for tests and demos');
  generate
    .command('waiting-list')
    .description('Write a synthetic waiting list consistent with the directory (one file per region; --region all writes one per region into the --out directory)')
    .requiredOption('--region <RR|all>', 'the region (two digits), or "all" for one file per region', region)
    .requiredOption('--rows <n>', 'number of episodes (for --region all: in total)', positiveInt('--rows'))
    .requiredOption('--out <path>', 'the file to write (for --region all: a directory)')
    .option('--seed <n>', 'random seed: the same seed and directory give the same file', positiveInt('--seed'), 1)
    .option('--today <YYYY-MM-DD>', 'the date the list is as of (default: today in Sweden)', calendarDate)
    .option('--format <csv|ndjson>', 'file format', format, 'csv')
    .action(async (opts: GenerateOpts) => {
      const today = opts.today ?? stockholmDay(new Date());
      const directory = await withDatabase(io, (database) => loadWaitingListDirectory(database.db));
      if (directory.units.length === 0) throw new AppError('bad_request', 'The directory is empty: run nvf seed first (or point DATABASE_URL / DATA_DIR at a database with units).');
      const started = Date.now();
      const ext = opts.format === 'csv' ? 'csv' : 'ndjson';
      let jobs: { regionCode: string; rows: number; file: string }[];
      if (opts.region === 'all') {
        fs.mkdirSync(opts.out, { recursive: true });
        jobs = [...allocateRows(directory, opts.seed, opts.rows)]
          .filter(([, rows]) => rows > 0)
          .map(([regionCode, rows]) => ({ regionCode, rows, file: path.join(opts.out, `waiting-list-${regionCode}.${ext}`) }));
      } else {
        if (!directory.units.some((u) => u.regionCode === opts.region && u.serviceIds.length > 0))
          throw new AppError('bad_request', `Region ${opts.region} has no units with services in the directory.`);
        jobs = [{ regionCode: opts.region, rows: opts.rows, file: opts.out }];
      }
      for (const j of jobs)
        if (io.fileExists(j.file)) throw new AppError('conflict', `${j.file} exists; choose another --out or remove it first.`);

      const bar = opts.rows >= PROGRESS_FROM && process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: 'generating |{bar}| {percentage}% · {value}/{total} rows · {eta_formatted} left', stream: process.stderr }, cliProgress.Presets.shades_classic)
        : undefined;
      bar?.start(opts.rows, 0);
      let done = 0;
      try {
        for (const job of jobs) {
          await writeRegion(directory, { ...job, seed: opts.seed, today, format: opts.format }, (n) => {
            done += n;
            bar?.update(done);
          });
        }
      } finally {
        bar?.stop();
      }
      for (const j of jobs) io.out(`Wrote ${j.rows} episodes for region ${j.regionCode} to ${j.file}`);
      io.out(`Generated ${done} episodes (seed ${opts.seed}, as of ${today}, ${opts.format}) in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    });
}

async function writeRegion(
  directory: WaitingListDirectory,
  job: { regionCode: string; rows: number; file: string; seed: number; today: string; format: Format },
  progress: (n: number) => void,
): Promise<void> {
  const out = fs.createWriteStream(job.file, { flags: 'wx', encoding: 'utf8' });
  const failed = once(out, 'error').then(([err]) => {
    throw err as Error;
  });
  failed.catch(() => {}); // awaited through the races below
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
  };
  let buffer: string[] = [];
  if (job.format === 'csv') buffer.push(WAITING_LIST_COLUMNS.join(','));
  for (const row of generateWaitingList(directory, { seed: job.seed, today: job.today, regionCode: job.regionCode, rows: job.rows })) {
    const record = rowToRecord(row);
    // every value is digits, letters, '-' or a date: nothing needs quoting in CSV
    buffer.push(job.format === 'csv' ? WAITING_LIST_COLUMNS.map((c) => record[c]).join(',') : JSON.stringify(ndjsonRecord(record)));
    if (buffer.length >= LINES_PER_WRITE) {
      await write(`${buffer.join('\n')}\n`);
      progress(buffer.length - (job.format === 'csv' && buffer[0]!.startsWith('record_id') ? 1 : 0));
      buffer = [];
    }
  }
  if (buffer.length > 0) {
    await write(`${buffer.join('\n')}\n`);
    progress(buffer.length - (job.format === 'csv' && buffer[0]!.startsWith('record_id') ? 1 : 0));
  }
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
}

const NUMERIC = new Set(['birth_year', 'patient_chosen_days', 'medical_pause_days']);

/** NDJSON: numbers as JSON numbers, absent optional dates left out rather than sent as empty strings. */
function ndjsonRecord(record: Record<string, string>): Record<string, string | number> {
  const o: Record<string, string | number> = {};
  for (const c of WAITING_LIST_COLUMNS) if (record[c] !== '') o[c] = NUMERIC.has(c) ? Number(record[c]) : record[c]!;
  return o;
}

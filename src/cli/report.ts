import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import { STATISTICAL_VIEWS, type StatisticalView } from '../domain/guarantee.js';
import { isPeriod } from '../domain/indicators.js';
import { type CliIo, cliContext, withDatabase } from './io.js';

const period = (value: string): string => {
  if (!isPeriod(value)) throw new InvalidArgumentError(`--period must be a calendar month written YYYY-MM (for example 2026-10), not "${value}".`);
  return value;
};

const Options = z.object({
  period: z.string().refine(isPeriod),
  out: z.string().min(1, '--out must name a directory'),
  view: z.enum(STATISTICAL_VIEWS),
});

/** Write a file whole or not at all: to a temporary name beside it, then renamed over it. */
function writeWhole(file: string, content: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * nvf report monthly --period YYYY-MM --out DIR: the monthly report of the national coordination function, as
 * DIR/report-YYYY-MM.html and DIR/report-YYYY-MM.pdf (printed by Chromium). Nothing is written unless both are ready.
 */
export function registerReportCommands(program: Command, io: CliIo): void {
  const report = program.command('report').description('Reports for the national coordination function');
  report
    .command('monthly')
    .description('Write the monthly report (headline figures, goals by region, charts, data quality) as HTML and PDF')
    .requiredOption('--period <YYYY-MM>', 'the month: one that has ended and has been computed (nvf stats compute)', period)
    .requiredOption('--out <dir>', 'the directory to write report-YYYY-MM.html and .pdf into (created if missing)')
    .addOption(new Option('--view <view>', 'statistical view of waits and guarantee shares').choices([...STATISTICAL_VIEWS]).default('excluding_pvv_and_mov'))
    .action(async (raw: { period: string; out: string; view: StatisticalView }) => {
      const opts = Options.parse(raw);
      const outDir = path.resolve(opts.out);
      if (fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory()) throw new AppError('bad_request', `--out must be a directory; ${outDir} is a file.`);
      // Loaded on use: the report pulls in the publishing services and the browser driver, which other commands do not need.
      const [{ gatherReportData }, { renderReportHtml }, { printPdf, pdfPageCount }] = await Promise.all([
        import('../services/report/monthly-report.js'),
        import('../services/report/render-html.js'),
        import('../services/report/print-pdf.js'),
      ]);
      const started = Date.now();
      const steps = 5;
      let n = 0;
      const step = (what: string) => io.err(`[${++n}/${steps}] ${what}`);

      const data = await withDatabase(io, async (database) => {
        step(`checking ${opts.period}`);
        return gatherReportData(database.db, { period: opts.period, view: opts.view, ctx: cliContext(), onStep: (s) => step(`reading ${s}`) });
      });
      step('writing the HTML and printing the PDF with Chromium');
      const html = renderReportHtml(data);
      const pdf = await printPdf(html, { executablePath: process.env.CHROMIUM_PATH || undefined });

      fs.mkdirSync(outDir, { recursive: true });
      const htmlFile = path.join(outDir, `report-${opts.period}.html`);
      const pdfFile = path.join(outDir, `report-${opts.period}.pdf`);
      writeWhole(htmlFile, html);
      writeWhole(pdfFile, pdf);
      io.err(`Monthly report for ${opts.period}${data.synthetic ? ' (demo data — synthetic)' : ''}: ${pdfPageCount(pdf)} pages in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      io.out(htmlFile);
      io.out(pdfFile);
    });
}

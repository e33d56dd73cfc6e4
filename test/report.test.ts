import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';
import { stockholmDay, systemClock } from '../src/domain/clock.js';
import { addDays } from '../src/domain/calendar.js';
import { nextPeriod, periodBounds, previousPeriod } from '../src/domain/indicators.js';
import type { RequestContext } from '../src/services/context.js';
import { gatherReportData, lastTwelveMonths, type ReportData } from '../src/services/report/monthly-report.js';
import { DEFAULT_CHROMIUM, pdfPageCount } from '../src/services/report/print-pdf.js';
import { formatCount, formatNumber, formatShare, headlineKey, HIDDEN, monthSv, renderReportHtml } from '../src/services/report/render-html.js';
import { barChart, lineChart } from '../src/services/report/svg-charts.js';
import { seedDemoWaitingList } from '../src/services/seed/waiting-list-seed.js';
import { computePeriod } from '../src/services/statistics/compute.service.js';
import { scorecard } from '../src/services/statistics/goals.service.js';
import { brokeringStats, overview } from '../src/services/statistics/publish.service.js';
import { testIo } from './helpers/cli.js';
import { openTestDatabase, targets, type TestDatabase } from './helpers/db.js';

/** The newest month that has ended (the report's default subject) and the one before it. */
const CURRENT = stockholmDay(new Date()).slice(0, 7);
const PERIOD = previousPeriod(CURRENT);
const EARLIER = previousPeriod(PERIOD);
const HAS_CHROMIUM = fs.existsSync(DEFAULT_CHROMIUM);

const ctx: RequestContext = { principal: { subject: 'report-test', roles: ['analyst'] }, requestId: 'report-test', clock: systemClock };


/** The text of the <td> whose data-figure is `id` (tags removed), or undefined. */
function figureCell(html: string, id: string): { text: string; html: string; hidden: boolean } | undefined {
  const re = new RegExp(`<td class="([^"]*)" data-figure="${id.replace(/[|]/g, '\\|')}">(.*?)</td>`);
  const m = re.exec(html);
  if (!m) return undefined;
  return { html: m[2]!, text: m[2]!.replace(/<sup[^>]*>.*?<\/sup>/g, '').replace(/<[^>]+>/g, ''), hidden: m[1]!.split(' ').includes('hidden') };
}

/**
 * A strict well-formedness check of an XML fragment (the subset SVG output uses): one root element, every tag closed in
 * order, attributes quoted and not repeated, only known entities, no stray "<" or "&".
 */
function checkXml(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  const token = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = token.exec(xml))) {
    if (m.index !== last) problems.push(`unparsed text at ${last}`);
    last = token.lastIndex;
    if (m[6]) {
      problems.push(`stray "<" at ${m.index}: ${xml.slice(m.index, m.index + 30)}`);
      continue;
    }
    if (m[5] !== undefined) {
      for (const e of m[5].match(/&[^;\s]*;?/g) ?? []) if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(e)) problems.push(`bad entity ${e}`);
      if (stack.length === 0 && m[5].trim()) problems.push('text outside the root');
      continue;
    }
    if (m[0].startsWith('<!--')) continue;
    const [, close, name, attrs, selfClose] = m;
    if (close) {
      if (stack.pop() !== name) problems.push(`</${name}> closes the wrong element`);
      continue;
    }
    const names = [...(attrs ?? '').matchAll(/([\w:.-]+)="([^"]*)"/g)].map((a) => {
      for (const e of a[2]!.match(/&[^;\s]*;?/g) ?? []) if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(e)) problems.push(`bad entity ${e} in ${a[1]}`);
      return a[1]!;
    });
    if (new Set(names).size !== names.length) problems.push(`<${name}> repeats an attribute`);
    if (stack.length === 0) roots += 1;
    if (!selfClose) stack.push(name!);
  }
  if (last !== xml.length) problems.push('trailing text');
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

describe('report formatting and charts (pure)', () => {
  it('writes figures the Swedish way and hidden ones as "–"', () => {
    expect(formatCount(12345)).toBe('12\u00a0345');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(null)).toBe('–');
    expect(formatShare(0.78349)).toBe('78,3\u00a0%');
    expect(formatShare(1)).toBe('100,0\u00a0%');
    expect(formatShare(null)).toBe(HIDDEN);
    expect(formatNumber(26.54)).toBe('26,5');
    expect(formatNumber(-3)).toBe('−3');
  });

  it('the last twelve months end with the period and cross the year', () => {
    expect(lastTwelveMonths('2026-03')).toEqual(['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03']);
  });

  it('the line chart is well-formed SVG, breaks the line at a hidden value and escapes its text', () => {
    const svg = lineChart({
      id: 't', title: 'A & B <test>', desc: 'd', x: ['2026-01', '2026-02', '2026-03', '2026-04'].map((k) => ({ key: k, label: k })),
      series: [{ label: 'S "1"', color: '#000', values: [0.5, 0.6, null, 0.7] }], yMin: 0, yMax: 1, yTicks: [0, 0.5, 1], formatY: (v) => `${v * 100} %`, target: { value: 0.8, label: 'Mål' },
    });
    expect(checkXml(svg)).toEqual([]);
    expect(svg).toContain('<title id="t-t">A &amp; B &lt;test&gt;</title>');
    // two points before the gap make one path; the single point after it is a marker only
    expect(svg.match(/<path d="M[^"]*" fill="none"/g)).toHaveLength(1);
    expect(svg.match(/<circle /g)).toHaveLength(3 + 1); // three points and the legend's marker
  });

  it('the bar chart is well-formed SVG and prints the missing label for a hidden value', () => {
    const svg = barChart({
      id: 'b', title: 'T', desc: 'D', categories: [{ label: 'Hela landet', values: [0.8, null], strong: true }, { label: 'Region <X>', values: [0.5, 0.9] }],
      series: [{ label: 'a', color: '#111' }, { label: 'b', color: '#222' }], xMax: 1, xTicks: [0, 1], formatX: (v) => String(v), missingLabel: '–',
    });
    expect(checkXml(svg)).toEqual([]);
    expect(svg.match(/<rect [^>]*fill="#(111|222)"/g)).toHaveLength(3 + 2); // 3 bars + 2 legend swatches
    expect(svg).toContain('>–</text>');
    expect(svg).toContain('Region &lt;X&gt;');
  });
});

describe.each(targets)('monthly report on %s', (target) => {
  let database: TestDatabase;
  let dir: string;
  let data: ReportData;
  let html: string;
  let primaryWaiting: number;

  beforeAll(async () => {
    database = await openTestDatabase(target);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvf-report-test-'));
    const db = database.db;
    await seedDemoWaitingList(db, { seed: 5, today: `${nextPeriod(PERIOD)}-05`, scale: 0.02 });
    // Leave exactly three primary-care assessments waiting at the end of PERIOD: a count of 1–4 that must be hidden.
    const R = periodBounds(PERIOD).monthEnd;
    const primary = await db.selectFrom('waiting_episodes as e').innerJoin('services as s', 's.id', 'e.service_id')
      .select(['e.region_code', 'e.record_id']).where('s.contact_type', '=', 'primary_assessment').orderBy('e.record_id').limit(3).execute();
    expect(primary.length).toBe(3);
    const keep = primary.map((p) => p.record_id);
    await sql`DELETE FROM waiting_episodes WHERE service_id IN (SELECT id FROM services WHERE contact_type = 'primary_assessment') AND record_id NOT IN (${sql.join(keep)})`.execute(db);
    await db.updateTable('waiting_episodes').set({ status: 'waiting', completed_on: null, clock_start: addDays(R, -1) }).where('record_id', 'in', keep).execute();
    primaryWaiting = keep.length;
    await computePeriod(db, EARLIER, { triggeredBy: 'report-test' });
    await computePeriod(db, PERIOD, { triggeredBy: 'report-test' });
    // A late correction: ten treatment episodes waiting at R are removed and the month recomputed → revision 2.
    const gone = await db.selectFrom('waiting_episodes as e').innerJoin('services as s', 's.id', 'e.service_id').select('e.record_id')
      .where('s.contact_type', '=', 'treatment').where('e.status', '=', 'waiting').where('e.clock_start', '<=', R).orderBy('e.record_id').limit(10).execute();
    await db.deleteFrom('waiting_episodes').where('record_id', 'in', gone.map((g) => g.record_id)).execute();
    const again = await computePeriod(db, PERIOD, { triggeredBy: 'report-test' });
    expect(again.revision).toBe(2);
    data = await gatherReportData(db, { period: PERIOD, ctx });
    html = renderReportHtml(data);
  }, 1_800_000);

  afterAll(async () => {
    await database?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the headline figures exactly as the overview and brokering services publish them', async () => {
    const ov = await overview(database.db, { period: PERIOD, view: 'excluding_pvv_and_mov' });
    const br = await brokeringStats(database.db, { period: PERIOD });
    expect(ov.guarantee.length).toBeGreaterThanOrEqual(3);
    let shown = 0;
    for (const g of ov.guarantee) {
      const expected: [string, string][] = [
        ['waiting_count', formatCount(g.waitingCount)],
        ['within_guarantee_share', formatShare(g.withinGuaranteeShare)],
        ['median_waited_days', formatNumber(g.medianWaitedDays)],
        ['completed_count', formatCount(g.completedCount)],
        ['completed_within_guarantee_share', formatShare(g.completedWithinGuaranteeShare)],
      ];
      for (const [id, text] of expected) {
        const cell = figureCell(html, headlineKey(id, g.guaranteeKind));
        expect(cell, `${id} ${g.guaranteeKind}`).toBeDefined();
        expect(cell!.text, `${id} ${g.guaranteeKind}`).toBe(text);
        if (text !== HIDDEN) shown += 1;
      }
    }
    expect(shown).toBeGreaterThan(5); // real figures, not only dashes
    const treatment = ov.guarantee.find((g) => g.guaranteeKind === 'treatment')!;
    expect(treatment.waitingCount).toBeGreaterThan(50);
    expect(figureCell(html, headlineKey('waiting_count', 'treatment'))!.text).toBe(formatCount(treatment.waitingCount));
    for (const [id, v, fmt] of [
      ['cases_opened_count', br.casesOpenedCount, formatCount],
      ['requests_sent_count', br.requestsSentCount, formatCount],
      ['requests_answered_in_time_share', br.answeredInTimeShare, formatShare],
      ['acceptance_rate', br.acceptanceRate, formatShare],
      ['median_days_saved', br.medianDaysSaved, formatNumber],
    ] as const) expect(figureCell(html, headlineKey(id, null))!.text, id).toBe(fmt(v));
    expect(html).toContain(ov.summary.sv.replace(/&/g, '&amp;'));
  });

  it('shows a suppressed figure as "–" with the footnote, never its value', async () => {
    const ov = await overview(database.db, { period: PERIOD, view: 'excluding_pvv_and_mov' });
    const primary = ov.guarantee.find((g) => g.guaranteeKind === 'primary_assessment')!;
    expect(primary.waitingCount).toBeNull(); // 3 patients waiting: hidden by the service
    const cell = figureCell(html, headlineKey('waiting_count', 'primary_assessment'))!;
    expect(cell.text).toBe('–');
    expect(cell.hidden).toBe(true);
    expect(cell.text).not.toContain(String(primaryWaiting));
    expect(html).toMatch(/inte noll/); // the footnote: a dash is not zero
  });

  it('marks a revised headline figure "r" with the date and the first published value', () => {
    const cell = figureCell(html, headlineKey('waiting_count', 'treatment'))!;
    expect(cell.html).toMatch(/<sup class="rev"[^>]*>r<\/sup>/);
    const row = data.headline[headlineKey('waiting_count', 'treatment')]!;
    expect(row.revision).toBe(2);
    expect(row.firstPublished?.valueCount).toBe(Number(cell.text.replace(/\D/g, '')) + 10);
    expect(html).toContain(`först publicerat <span lang="en">first published</span> ${formatCount(row.firstPublished!.valueCount)}`);
    // a figure that did not change is not marked
    expect(figureCell(html, headlineKey('waiting_count', 'specialist_first_visit'))!.html).not.toContain('class="rev"');
  });

  it('shows every region’s goal status as the scorecard service has it, in words and colour', async () => {
    const sc = await scorecard(database.db, { period: PERIOD });
    expect(sc.regions).toHaveLength(21);
    const words = { met: 'Uppfyllt', not_met: 'Ej uppfyllt', not_assessed: 'Ej bedömt' };
    let checked = 0;
    for (const [regionCode, results] of [['', sc.national.results], ...sc.regions.map((r) => [r.regionCode, r.results] as const)] as const) {
      for (const r of results) {
        const m = new RegExp(`<td class="status ([a-z_]+)" data-region="${regionCode}" data-goal="${r.goalId}" data-status="([a-z_]+)"><span class="sign" aria-hidden="true">.</span> ([^<]+) <span`).exec(html);
        expect(m, `${regionCode} ${r.goalId}`).not.toBeNull();
        expect(m![1]).toBe(r.status); // the colour class
        expect(m![2]).toBe(r.status);
        expect(m![3]).toBe(words[r.status]);
        checked += 1;
      }
    }
    expect(checked).toBe(22 * sc.goals.filter((g) => g.active).length);
  });

  it('has two charts of valid SVG, each with a table and a summary sentence, and names the view and the demo data', () => {
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs).toHaveLength(2);
    for (const svg of svgs) expect(checkXml(svg)).toEqual([]);
    expect(svgs[0]).toContain('aria-labelledby="chart-trend-t chart-trend-d"');
    // the trend table has one row per month of the last twelve; the period's own value equals the series
    expect(data.months).toEqual(lastTwelveMonths(PERIOD));
    for (const p of data.months) expect(html).toContain(`<th scope="row">${monthSv(p)}</th>`);
    const ownValue = data.compliance[0]!.series.items.find((i) => i.period === PERIOD)!;
    expect(figureCell(html, `trend|${data.compliance[0]!.guaranteeKind}|${PERIOD}`)!.text).toBe(formatShare(ownValue.value));
    expect(figureCell(html, `region|treatment|`)!.text).toBe(formatShare(data.regions[1]!.answer.items.find((i) => i.regionCode === null)!.value));
    expect((html.match(/<section class="chart"[\s\S]*?<p class="summary">[^<]{20,}<\/p>[\s\S]*?<svg[\s\S]*?<table class="data/g) ?? []).length).toBe(2);
    expect(html).toContain('data-view="excluding_pvv_and_mov"');
    expect(html).toContain('Socialstyrelsens synsätt');
    expect(data.synthetic).toBe(true);
    expect(html).toContain('Demodata — syntetiska uppgifter');
    expect(html).toContain('docs/indicators.md');
    expect(html).not.toMatch(/<script|<link |src="http/); // self-contained
  });

  it('lists the data-quality notes: regions without an on-time submission and units without a fresh capacity report', () => {
    const late = data.dataQuality.regions.filter((r) => !r.waitingListOnTime);
    if (late.length > 0) expect(html).toContain(`${late.length} av ${data.dataQuality.regions.length} regioner</strong> lämnade inte väntelistedata i tid`);
    else expect(html).toContain('lämnade väntelistedata för');
    const stale = data.dataQuality.regions.filter((r) => r.staleUnits.length > 0);
    for (const r of stale) expect(html).toContain(`${r.regionName}: ${r.unitsWithFreshCapacityReport} av ${r.unitsExpectedToReport} aktuella`);
    expect(html.match(/<tr><th scope="row">[^<]+<\/th><td class="nowrap (ok|bad)">/g)).toHaveLength(21);
  });

  it.skipIf(!HAS_CHROMIUM)(`nvf report monthly writes the HTML and a PDF of several A4 pages (needs ${DEFAULT_CHROMIUM})`, async () => {
    const out = path.join(dir, 'out', 'nested');
    const io = testIo(database);
    const code = await runCli(['report', 'monthly', '--period', PERIOD, '--out', out], io);
    expect(io.stderr.filter((l) => l.startsWith('Error')), io.stderr.join('\n')).toEqual([]);
    expect(code).toBe(0);
    const htmlFile = path.join(out, `report-${PERIOD}.html`);
    const pdfFile = path.join(out, `report-${PERIOD}.pdf`);
    expect(io.stdout).toEqual([htmlFile, pdfFile]);
    expect(io.stderr.some((l) => /^\[1\/5\] checking/.test(l))).toBe(true);
    const written = fs.readFileSync(htmlFile, 'utf8');
    expect(written).toMatch(/^<!doctype html>/);
    expect(figureCell(written, headlineKey('waiting_count', 'treatment'))!.text).toBe(figureCell(html, headlineKey('waiting_count', 'treatment'))!.text);
    const pdf = fs.readFileSync(pdfFile);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pages = pdfPageCount(pdf);
    expect(pages).toBeGreaterThanOrEqual(2);
    if (fs.existsSync('/usr/bin/pdfinfo')) {
      const info = execFileSync('pdfinfo', [pdfFile], { encoding: 'utf8' });
      expect(Number(/Pages:\s+(\d+)/.exec(info)?.[1])).toBeGreaterThanOrEqual(2);
      expect(info).toMatch(/Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)/);
    }
    expect(fs.readdirSync(out).sort()).toEqual([`report-${PERIOD}.html`, `report-${PERIOD}.pdf`]); // no temporary files left
  }, 900_000);

  it('refuses a bad --period with a clear message and writes nothing', async () => {
    const cases: [string, RegExp][] = [
      ['2026-13', /--period must be a calendar month written YYYY-MM.*not "2026-13"/],
      ['26-10', /--period must be a calendar month written YYYY-MM/],
      ['oktober', /--period must be a calendar month written YYYY-MM/],
      [CURRENT, new RegExp(`${CURRENT} has not ended yet.*newest possible is ${PERIOD}`)],
      [nextPeriod(nextPeriod(CURRENT)), /is in the future/],
      ['2019-01', new RegExp(`No statistics for 2019-01 yet: the newest computed month is ${PERIOD}`)],
    ];
    for (const [period, message] of cases) {
      const out = path.join(dir, `refused-${period}`);
      const io = testIo(database);
      expect(await runCli(['report', 'monthly', '--period', period, '--out', out], io), period).toBe(1);
      const text = io.stderr.join('\n');
      expect(text, period).toMatch(message);
      expect(text).not.toMatch(/\n\s+at /); // no stack trace
      expect(io.stdout).toEqual([]);
      expect(fs.existsSync(out), `${period}: nothing written`).toBe(false);
    }
    const io = testIo(database);
    expect(await runCli(['report', 'monthly', '--out', path.join(dir, 'x')], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/required option '--period <YYYY-MM>'/);
  });
});

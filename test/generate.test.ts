import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysBetween } from '../src/domain/calendar.js';
import { WAITING_LIST_COLUMNS, validateRow, type WaitingListRow } from '../src/domain/waiting-list.js';
import { loadConfig } from '../src/config.js';
import { processIo, type CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/program.js';
import { readMunicipalities, readRegions, readServiceCatalogue } from '../src/services/reference.service.js';
import { generateDemoDirectory } from '../src/services/seed/generate.js';
import { regionOrganizations } from '../src/services/seed/seed.service.js';
import { allocateRows, generateWaitingList, rowToRecord, type WaitingListDirectory } from '../src/services/seed/waiting-list-generate.js';
import { generateCapacityReports } from '../src/services/seed/capacity-generate.js';
import { openTestDatabase, type TestDatabase } from './helpers/db.js';

const TODAY = '2026-11-20';
const services = readServiceCatalogue().services.map((s) => ({ id: s.id, contactType: s.contactType, specialty: s.specialty }));
const demo = generateDemoDirectory(
  {
    regions: readRegions(), municipalities: readMunicipalities(), services,
    regionOrganizations: regionOrganizations().map((o) => ({ id: o.id, name: o.name, organizationNumber: o.organization_number, regionCode: o.region_code })),
  },
  { seed: 1, scale: 1 },
);
const directory: WaitingListDirectory = {
  regions: readRegions().map((r) => ({ code: r.code, lat: r.centroid.lat, lng: r.centroid.lng })),
  municipalities: readMunicipalities(),
  units: demo.units,
  services,
};
const regionOfMunicipality = new Map(readMunicipalities().map((m) => [m.code, m.regionCode]));
const rowsOf = (regionCode: string, rows: number, seed = 7) => [...generateWaitingList(directory, { seed, today: TODAY, regionCode, rows })];
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const waitedDays = (r: WaitingListRow) => daysBetween(r.clockStart, r.completedOn ?? TODAY) - r.patientChosenDays - r.medicalPauseDays;

describe('synthetic waiting list (generator)', () => {
  const national = new Map([...allocateRows(directory, 7, 40_000)].map(([code, n]) => [code, rowsOf(code, n)]));

  it('is deterministic for a seed and differs between seeds', () => {
    expect(rowsOf('25', 500)).toEqual(rowsOf('25', 500));
    expect(rowsOf('25', 500, 8)).not.toEqual(rowsOf('25', 500));
  });

  it('writes rows every one of which passes validateRow for its region, with unique record ids', () => {
    for (const [code, rows] of national) {
      const ids = new Set<string>();
      rows.forEach((row, i) => {
        const result = validateRow(rowToRecord(row), i + 2, TODAY, code);
        expect(result.errors).toEqual([]);
        expect(result.row).toEqual(row);
        ids.add(row.recordId);
      });
      expect(ids.size).toBe(rows.length);
    }
  });

  it('shares the rows out by region size and uses only units and services of the directory', () => {
    const counts = [...national.values()].map((r) => r.length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(40_000);
    expect(national.get('01')!.length).toBeGreaterThan(3 * national.get('23')!.length); // Stockholm ≫ Jämtland Härjedalen
    const offers = new Set(demo.units.flatMap((u) => u.serviceIds.map((s) => `${u.hsaId}|${s}|${u.regionCode}`)));
    for (const rows of national.values()) for (const r of rows) expect(offers.has(`${r.unitHsaId}|${r.serviceId}|${r.regionCode}`)).toBe(true);
  });

  it('looks like a waiting list: 18 months of clock starts, completions, waiters past 90 days, removals, pauses, future bookings', () => {
    const all = [...national.values()].flat();
    const share = (p: (r: WaitingListRow) => boolean) => all.filter(p).length / all.length;
    expect(Math.max(...all.map((r) => daysBetween(r.clockStart, TODAY)))).toBeLessThanOrEqual(548);
    expect(share((r) => daysBetween(r.clockStart, TODAY) > 450)).toBeGreaterThan(0.1);
    expect(share((r) => r.status === 'completed')).toBeGreaterThan(0.5);
    expect(share((r) => r.status === 'removed')).toBeGreaterThan(0.01);
    expect(share((r) => r.status === 'removed')).toBeLessThan(0.06);
    const waiting = all.filter((r) => r.status === 'waiting');
    expect(waiting.length).toBeGreaterThan(0.05 * all.length);
    expect(waiting.filter((r) => waitedDays(r) > 90).length / waiting.length).toBeGreaterThan(0.1);
    expect(share((r) => r.patientChosenDays > 0)).toBeGreaterThan(0.05);
    expect(share((r) => r.medicalPauseDays > 0)).toBeGreaterThan(0.02);
    expect(waiting.some((r) => r.bookedOn !== null && r.bookedOn > TODAY)).toBe(true);
    for (const r of waiting) expect(r.patientChosenDays + r.medicalPauseDays).toBeLessThanOrEqual(daysBetween(r.clockStart, TODAY));
  });

  it('has patients mostly from the unit’s region, some from neighbouring regions, and plausible sex and age per service', () => {
    const all = [...national.values()].flat();
    const own = all.filter((r) => regionOfMunicipality.get(r.homeMunicipality) === r.regionCode).length / all.length;
    expect(own).toBeGreaterThan(0.85);
    expect(own).toBeLessThan(0.99);
    expect(all.every((r) => /^[0-9a-f]{64}$/.test(r.patientKey))).toBe(true);
    expect(new Set(all.map((r) => r.patientKey)).size).toBe(all.length);
    const year = Number(TODAY.slice(0, 4));
    for (const r of all) {
      if (r.serviceId.startsWith('gynaecology') || r.serviceId === 'hysterectomy') expect(r.sex).toBe('F');
      if (r.serviceId === 'cataract-surgery') expect(year - r.birthYear).toBeGreaterThanOrEqual(55);
      if (r.serviceId === 'neuropsychiatric-assessment-children') expect(year - r.birthYear).toBeLessThan(18);
    }
    expect(new Set(all.map((r) => r.sex))).toEqual(new Set(['F', 'M', 'U']));
  });

  it('makes regions and units differ: long queues in some regions, short in others', () => {
    const waitingAge = [...national].map(([code, rows]) => ({
      code,
      median: median(rows.filter((r) => r.status === 'waiting' && r.serviceId !== 'primary-care-assessment').map((r) => daysBetween(r.clockStart, TODAY))),
    }));
    const medians = waitingAge.map((w) => w.median);
    expect(Math.max(...medians)).toBeGreaterThan(1.8 * Math.min(...medians));
    const breachShare = [...national].map(([, rows]) => {
      const treated = rows.filter((r) => r.status !== 'removed' && r.serviceId !== 'primary-care-assessment');
      return treated.filter((r) => waitedDays(r) > 90).length / treated.length;
    });
    expect(Math.max(...breachShare)).toBeGreaterThan(2 * Math.min(...breachShare));
    // units within one region differ too
    const byUnit = new Map<string, number[]>();
    for (const r of national.get('01')!) if (r.status === 'completed' && r.serviceId !== 'primary-care-assessment') byUnit.set(r.unitHsaId, [...(byUnit.get(r.unitHsaId) ?? []), waitedDays(r)]);
    const unitMedians = [...byUnit.values()].filter((v) => v.length >= 30).map(median);
    expect(Math.max(...unitMedians)).toBeGreaterThan(1.5 * Math.min(...unitMedians));
  });

  it('gives capacity reports for most unit and service pairs, a few stale and a few closed to other regions', () => {
    const reports = generateCapacityReports(directory, { seed: 7, today: TODAY });
    expect(generateCapacityReports(directory, { seed: 7, today: TODAY })).toEqual(reports);
    const pairs = demo.units.reduce((n, u) => n + u.serviceIds.length, 0);
    expect(reports.length / pairs).toBeGreaterThan(0.75);
    const stale = reports.filter((r) => daysBetween(r.validFrom, TODAY) > 42).length / reports.length;
    expect(stale).toBeGreaterThan(0.02);
    expect(stale).toBeLessThan(0.15);
    const closed = reports.filter((r) => !r.acceptsOtherRegions);
    expect(closed.length / reports.length).toBeGreaterThan(0.02);
    expect(closed.length / reports.length).toBeLessThan(0.2);
    for (const r of reports) {
      expect(r.validFrom <= TODAY).toBe(true);
      expect(r.expectedWaitDays).toBeGreaterThanOrEqual(0);
      expect(r.expectedWaitDays).toBeLessThanOrEqual(3650);
    }
  });
});

describe('nvf generate waiting-list', () => {
  let database: TestDatabase;
  let dir: string;
  let io: CliIo & { stdout: string[]; stderr: string[] };
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvf-generate-test-'));
    const stdout: string[] = [];
    const stderr: string[] = [];
    io = {
      ...processIo, stdout, stderr,
      out: (line) => stdout.push(line),
      err: (line) => stderr.push(line),
      config: () => loadConfig({ LOG_LEVEL: 'silent', PORT: '3000' }),
      connect: async () => ({ ...database, close: async () => {} }),
    };
  });
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes a CSV for one region whose every row is valid, the same for the same seed', async () => {
    const file = path.join(dir, 'bd.csv');
    expect(await runCli(['generate', 'waiting-list', '--region', '25', '--rows', '3000', '--seed', '5', '--today', TODAY, '--out', file], io)).toBe(0);
    expect(io.stderr).toEqual([]);
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(WAITING_LIST_COLUMNS.join(','));
    expect(lines).toHaveLength(3001);
    lines.slice(1).forEach((line, i) => {
      const values = line.split(',');
      const raw = Object.fromEntries(WAITING_LIST_COLUMNS.map((c, j) => [c, values[j]!]));
      expect(validateRow(raw, i + 2, TODAY, '25').errors).toEqual([]);
    });
    const again = path.join(dir, 'bd-again.csv');
    expect(await runCli(['generate', 'waiting-list', '--region', '25', '--rows', '3000', '--seed', '5', '--today', TODAY, '--out', again], io)).toBe(0);
    expect(fs.readFileSync(again, 'utf8')).toBe(fs.readFileSync(file, 'utf8'));
    // never overwrites
    expect(await runCli(['generate', 'waiting-list', '--region', '25', '--rows', '10', '--today', TODAY, '--out', file], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/exists/);
  });

  it('writes one NDJSON file per region for --region all', async () => {
    const out = path.join(dir, 'all');
    expect(await runCli(['generate', 'waiting-list', '--region', 'all', '--rows', '2100', '--today', TODAY, '--format', 'ndjson', '--out', out], io)).toBe(0);
    const files = fs.readdirSync(out).sort();
    expect(files).toHaveLength(21);
    expect(files[0]).toBe('waiting-list-01.ndjson');
    let total = 0;
    for (const f of files) {
      const code = /waiting-list-(\d{2})\.ndjson/.exec(f)![1]!;
      for (const [i, line] of fs.readFileSync(path.join(out, f), 'utf8').trimEnd().split('\n').entries()) {
        const o = JSON.parse(line) as Record<string, string | number>;
        const raw = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
        expect(validateRow(raw, i + 1, TODAY, code).errors).toEqual([]);
        total++;
      }
    }
    expect(total).toBe(2100);
  });

  it('refuses a bad region or date with a clear message', async () => {
    expect(await runCli(['generate', 'waiting-list', '--region', 'x1', '--rows', '5', '--out', path.join(dir, 'x.csv')], io)).not.toBe(0);
    expect(await runCli(['generate', 'waiting-list', '--region', '01', '--rows', '5', '--today', '2026-02-30', '--out', path.join(dir, 'y.csv')], io)).not.toBe(0);
    expect(io.stderr.join('\n')).toMatch(/--today must be a date/);
    expect(fs.existsSync(path.join(dir, 'y.csv'))).toBe(false);
  });
});

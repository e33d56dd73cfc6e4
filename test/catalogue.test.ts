import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT_TYPES } from '../src/domain/directory.js';
import { KVA_CODE_PATTERN } from '../src/domain/identifiers.js';
import { readServiceCatalogue } from '../src/services/reference.service.js';
import { openTestDatabase, targets, type TestDatabase } from './helpers/db.js';

const catalogue = readServiceCatalogue();
const services = catalogue.services;

describe('the service catalogue (reference/services.json)', () => {
  it('covers at least 30 services in at least 10 specialties, with every contact type', () => {
    expect(services.length).toBeGreaterThanOrEqual(30);
    expect(new Set(services.map((s) => s.specialty)).size).toBeGreaterThanOrEqual(10);
    expect(new Set(services.map((s) => s.contactType))).toEqual(new Set(CONTACT_TYPES));
    expect(services.some((s) => s.contactType === 'primary_assessment' && s.name.sv === 'Medicinsk bedömning i primärvården')).toBe(true);
  });

  it('has unique lower-case slug ids that the database accepts', () => {
    const ids = services.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9][a-z0-9-]{1,62}$/);
  });

  it('names every service in Swedish and English', () => {
    for (const s of services) {
      expect(s.name.sv.trim().length, s.id).toBeGreaterThan(3);
      expect(s.name.en.trim().length, s.id).toBeGreaterThan(3);
      expect(s.name.sv, s.id).not.toBe(s.name.en);
    }
  });

  it('has both a first visit and treatments in the main surgical specialties', () => {
    for (const specialty of ['orthopaedics', 'ophthalmology', 'general-surgery', 'urology', 'gynaecology', 'ent', 'hand-surgery']) {
      const inSpecialty = services.filter((s) => s.specialty === specialty);
      expect(inSpecialty.some((s) => s.contactType === 'first_visit'), specialty).toBe(true);
      expect(inSpecialty.some((s) => s.contactType === 'treatment'), specialty).toBe(true);
    }
    for (const id of ['knee-replacement', 'hip-replacement', 'cataract-surgery', 'inguinal-hernia-repair', 'cholecystectomy', 'hysterectomy', 'carpal-tunnel-release', 'tonsillectomy', 'varicose-vein-treatment', 'prostate-resection'])
      expect(services.map((s) => s.id)).toContain(id);
  });

  it('uses only well-formed KVÅ codes, and names a source for every entry and the file', () => {
    expect(catalogue.source.length).toBeGreaterThan(20);
    for (const s of services) {
      for (const code of s.kvaCodes) expect(code, s.id).toMatch(KVA_CODE_PATTERN);
      expect(new Set(s.kvaCodes).size, s.id).toBe(s.kvaCodes.length);
      expect(s.source?.length ?? 0, s.id).toBeGreaterThan(20);
      if (s.kvaCodes.length > 0) expect(s.source, s.id).toMatch(/KVÅ/);
    }
    // only procedures (treatments) carry procedure codes here
    for (const s of services.filter((x) => x.contactType !== 'treatment')) expect(s.kvaCodes, s.id).toEqual([]);
    expect(services.filter((s) => s.kvaCodes.length > 0).length).toBeGreaterThanOrEqual(5);
  });
});

describe.each(targets)('the service catalogue in the database on %s', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(target);
  });
  afterAll(async () => database?.close());

  it('is loaded with its codes and sources', async () => {
    const rows = await database.db.selectFrom('services').selectAll().orderBy('id').execute();
    expect(rows.map((r) => r.id)).toEqual(services.map((s) => s.id).sort());
    const knee = rows.find((r) => r.id === 'knee-replacement')!;
    expect(knee).toMatchObject({ contact_type: 'treatment', specialty: 'orthopaedics', kva_codes: ['NGB49'] });
    for (const r of rows) expect(r.source, r.id).toBeTruthy();
  });
});

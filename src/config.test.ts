import { describe, expect, it } from 'vitest';
import { DEMO_PATIENT_DATA_KEY, loadConfig } from './config.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, mode: 'demo', seed: 'demo', capacityStaleAfterDays: 42, waitingListMaxBytes: 300 * 1024 * 1024, databaseUrl: './data/pglite', databasePoolSize: 20 });
    expect(loadConfig({ DATABASE_POOL_SIZE: '5' }).databasePoolSize).toBe(5);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
  });

  it.each([['30', 30], [' 7 ', 7]])('CAPACITY_STALE_AFTER_DAYS=%j gives %i', (raw, n) => expect(loadConfig({ CAPACITY_STALE_AFTER_DAYS: raw }).capacityStaleAfterDays).toBe(n));

  it.each(['0', '-5', '4.5', 'abc', '3651'])('refuses CAPACITY_STALE_AFTER_DAYS=%j, naming the variable', (raw) =>
    expect(() => loadConfig({ CAPACITY_STALE_AFTER_DAYS: raw })).toThrow(/CAPACITY_STALE_AFTER_DAYS/));

  it('refuses a waiting-list limit that is not a positive number, and demo mode in production', () => {
    expect(() => loadConfig({ WAITING_LIST_MAX_BYTES: '-1' })).toThrow(/WAITING_LIST_MAX_BYTES/);
    expect(loadConfig({ NODE_ENV: 'production', PATIENT_DATA_KEY: 'c5'.repeat(32) }).mode).toBe('production');
    expect(() => loadConfig({ NODE_ENV: 'production', NVF_MODE: 'demo' })).toThrow(/refused/);
  });

  it('needs a patient-data key in production, checks its form without echoing it, and uses the public demo key otherwise', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PATIENT_DATA_KEY: required in production/);
    const secret = 'zz-not-a-key-zz';
    let message = '';
    try {
      loadConfig({ PATIENT_DATA_KEY: secret });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/PATIENT_DATA_KEY/);
    expect(message).not.toContain(secret);
    const demo = loadConfig({});
    expect(demo).toMatchObject({ patientDataKey: DEMO_PATIENT_DATA_KEY, patientDataKeyIsDemo: true });
    expect(loadConfig({ PATIENT_DATA_KEY: 'd6'.repeat(32) })).toMatchObject({ patientDataKey: 'd6'.repeat(32), patientDataKeyIsDemo: false });
  });
});

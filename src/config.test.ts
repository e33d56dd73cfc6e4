import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, mode: 'demo', seed: 'demo', capacityStaleAfterDays: 42, waitingListMaxBytes: 300 * 1024 * 1024, databaseUrl: './data/pglite' });
  });

  it.each([['30', 30], [' 7 ', 7]])('CAPACITY_STALE_AFTER_DAYS=%j gives %i', (raw, n) => expect(loadConfig({ CAPACITY_STALE_AFTER_DAYS: raw }).capacityStaleAfterDays).toBe(n));

  it.each(['0', '-5', '4.5', 'abc', '3651'])('refuses CAPACITY_STALE_AFTER_DAYS=%j, naming the variable', (raw) =>
    expect(() => loadConfig({ CAPACITY_STALE_AFTER_DAYS: raw })).toThrow(/CAPACITY_STALE_AFTER_DAYS/));

  it('refuses a waiting-list limit that is not a positive number, and demo mode in production', () => {
    expect(() => loadConfig({ WAITING_LIST_MAX_BYTES: '-1' })).toThrow(/WAITING_LIST_MAX_BYTES/);
    expect(loadConfig({ NODE_ENV: 'production' }).mode).toBe('production');
    expect(() => loadConfig({ NODE_ENV: 'production', NVF_MODE: 'demo' })).toThrow(/refused/);
  });
});

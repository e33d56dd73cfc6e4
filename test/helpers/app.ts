import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { fixedClock, systemClock, type Clock } from '../../src/domain/clock.js';
import type { Principal, TokenRole } from '../../src/domain/roles.js';
import { KeyStore } from '../../src/services/keys.service.js';
import { TokenService } from '../../src/services/token.service.js';
import { openTestDatabase, type TestDatabase, type TestTarget } from './db.js';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  config: Config;
  clock: Clock;
  tokens: TokenService;
  /** A Bearer header for a principal with these roles and scope. */
  auth(p: Partial<Principal> & { roles: TokenRole[] }): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

/** The patient-data key of the test apps (production mode needs one; a fixed one keeps test data readable across apps). */
export const TEST_PATIENT_DATA_KEY = 'a3'.repeat(32);

/** Boot the real app on a fresh test database (no port; use app.inject). */
export async function startTestApp(target: TestTarget, opts: { env?: Record<string, string>; clock?: Clock | string } = {}): Promise<TestApp> {
  const database = await openTestDatabase(target);
  const config = loadConfig({ LOG_LEVEL: 'silent', PORT: '3000', PATIENT_DATA_KEY: TEST_PATIENT_DATA_KEY, ...opts.env });
  const clock = typeof opts.clock === 'string' ? fixedClock(opts.clock) : (opts.clock ?? systemClock);
  const app = await buildApp({ database, config, clock });
  await app.ready();
  const tokens = new TokenService(
    database.db,
    new KeyStore(database.db),
    { issuer: config.issuer, audience: config.audience, ttlSeconds: 600, allowSecrets: true, tokenEndpoint: `${config.publicUrl}/oauth/token` },
    clock,
  );
  return {
    app,
    database,
    config,
    clock,
    tokens,
    auth: async (p) => {
      const t = await tokens.sign({ subject: p.subject ?? `test-${p.roles.join('-')}`, ...p });
      return { authorization: `Bearer ${t.access_token}` };
    },
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

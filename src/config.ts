import crypto from 'node:crypto';
import os from 'node:os';
import { parsePatientKeys } from './services/patient-crypto.js';
import { z } from 'zod';

/** The operating mode: demo seeds synthetic data and demo logins; sandbox is for integrators; production allows neither. */
export const MODES = ['demo', 'sandbox', 'production'] as const;
export type Mode = (typeof MODES)[number];

const EnvSchema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().optional(),
  DATABASE_READ_URL: z.string().optional(),
  DATA_DIR: z.string().default('./data/pglite'),
  SEED: z.enum(['demo', 'none']).default('demo'),
  NVF_MODE: z.enum(MODES).optional(),
  PUBLIC_URL: z.string().url().optional(),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  CITIZEN_OIDC_ISSUER: z.string().url().optional(),
  CITIZEN_OIDC_CLIENT_ID: z.string().optional(),
  CITIZEN_OIDC_CLIENT_SECRET: z.string().optional(),
  CITIZEN_OIDC_ACR: z.string().default('http://id.elegnamnden.se/loa/1.0/loa3'),
  CORS_ORIGINS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TOKEN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(60_000),
  WRITE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(6_000),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  WAITING_LIST_MAX_BYTES: z.coerce.number().int().positive().default(300 * 1024 * 1024),
  CAPACITY_STALE_AFTER_DAYS: z.coerce.number().int().min(1).max(3650).default(42),
  PATIENT_DATA_KEY: z.string().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  WORKERS: z.string().regex(/^(auto|[1-9]|[1-5][0-9]|6[0-4])$/, 'WORKERS must be a whole number from 1 to 64, or auto (one per CPU core)').default('1'),
});

/**
 * The demo and sandbox key for patient identities when PATIENT_DATA_KEY is unset: public, so only for synthetic data.
 * Production refuses to start without a key of its own.
 */
export const DEMO_PATIENT_DATA_KEY = crypto.createHash('sha256').update('nvf demo patient data key: synthetic patients only').digest('hex');

export interface Config {
  nodeEnv: string;
  port: number;
  host: string;
  databaseUrl: string;
  databaseReadUrl: string | undefined;
  seed: 'demo' | 'none';
  mode: Mode;
  publicUrl: string;
  issuer: string;
  audience: string;
  oidc: { issuer: string; clientId: string; clientSecret: string | undefined } | undefined;
  /** citizen login (e-legitimation through an OpenID Connect broker): the patient's personnummer is a verified claim */
  citizenOidc: { issuer: string; clientId: string; clientSecret: string | undefined; acr: string } | undefined;
  corsOrigins: string[];
  logLevel: string;
  tokenRateLimitPerMinute: number;
  writeRateLimitPerMinute: number;
  bodyLimitBytes: number;
  /** the largest waiting-list upload (413 above) */
  waitingListMaxBytes: number;
  /** a capacity report older than this many days is shown as stale */
  capacityStaleAfterDays: number;
  /** connections to PostgreSQL per instance (PGlite has one) */
  databasePoolSize: number;
  /** server processes sharing the port (src/server.ts); more than one only on PostgreSQL */
  workers: number;
  /** the secret patient identities are encrypted and looked up with (src/services/patient-crypto.ts) */
  patientDataKey: string;
  /** true when no PATIENT_DATA_KEY was given and the public demo key is used (demo and sandbox only) */
  patientDataKeyIsDemo: boolean;
  /** Access-token lifetime in seconds. */
  tokenTtlSeconds: number;
}

/** Parse configuration from the environment; a wrong value stops the start with a message naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const nodeEnv = e.NODE_ENV ?? 'development';
  const mode: Mode = e.NVF_MODE ?? (nodeEnv === 'production' ? 'production' : 'demo');
  if (nodeEnv === 'production' && mode === 'demo') throw new Error('NVF_MODE=demo is refused when NODE_ENV=production.');
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  if (e.OIDC_ISSUER && !e.OIDC_CLIENT_ID) throw new Error('Invalid configuration:\n  OIDC_CLIENT_ID: required when OIDC_ISSUER is set');
  if (e.CITIZEN_OIDC_ISSUER && !e.CITIZEN_OIDC_CLIENT_ID) throw new Error('Invalid configuration:\n  CITIZEN_OIDC_CLIENT_ID: required when CITIZEN_OIDC_ISSUER is set');
  if (e.WORKERS !== '1' && !/^postgres(ql)?:\/\//.test(e.DATABASE_URL ?? ''))
    throw new Error('Invalid configuration:\n  WORKERS: more than one server process needs PostgreSQL (DATABASE_URL=postgres://…); the embedded database is opened by one process only');
  if (mode === 'production' && !e.PATIENT_DATA_KEY)
    throw new Error('Invalid configuration:\n  PATIENT_DATA_KEY: required in production (64 hexadecimal characters or base64 of 32 random bytes)');
  if (e.PATIENT_DATA_KEY) {
    try {
      parsePatientKeys(e.PATIENT_DATA_KEY);
    } catch (err) {
      throw new Error(`Invalid configuration:\n  PATIENT_DATA_KEY: ${(err as Error).message}`);
    }
  }
  return {
    nodeEnv,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL ?? e.DATA_DIR,
    databaseReadUrl: e.DATABASE_READ_URL,
    seed: e.SEED,
    mode,
    publicUrl,
    issuer: publicUrl,
    audience: 'nvf-api',
    oidc: e.OIDC_ISSUER ? { issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID!, clientSecret: e.OIDC_CLIENT_SECRET } : undefined,
    citizenOidc: e.CITIZEN_OIDC_ISSUER ? { issuer: e.CITIZEN_OIDC_ISSUER, clientId: e.CITIZEN_OIDC_CLIENT_ID!, clientSecret: e.CITIZEN_OIDC_CLIENT_SECRET, acr: e.CITIZEN_OIDC_ACR } : undefined,
    corsOrigins: (e.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    logLevel: e.LOG_LEVEL,
    tokenRateLimitPerMinute: e.TOKEN_RATE_LIMIT_PER_MINUTE,
    writeRateLimitPerMinute: e.WRITE_RATE_LIMIT_PER_MINUTE,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    waitingListMaxBytes: e.WAITING_LIST_MAX_BYTES,
    capacityStaleAfterDays: e.CAPACITY_STALE_AFTER_DAYS,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    workers: e.WORKERS === 'auto' ? os.availableParallelism() : Number(e.WORKERS),
    patientDataKey: e.PATIENT_DATA_KEY ?? DEMO_PATIENT_DATA_KEY,
    patientDataKeyIsDemo: !e.PATIENT_DATA_KEY,
    tokenTtlSeconds: 3600,
  };
}

import crypto from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError, type FieldError } from '../domain/errors.js';
import { TOKEN_ROLES, type TokenRole } from '../domain/roles.js';
import { recordAudit } from './audit.service.js';
import type { RequestContext } from './context.js';
import { hashSecret } from './secrets.js';

/** How a new client proves who it is at POST /oauth/token. */
export type ClientCredential =
  | { kind: 'secret'; value?: string | undefined }
  | { kind: 'jwk'; jwk: unknown }
  | { kind: 'generate-key' };

export interface CreateClientInput {
  id: string;
  name: string;
  roles: string[];
  regionCode?: string | undefined;
  organizationId?: string | undefined;
  unitHsaId?: string | undefined;
  credential: ClientCredential;
}

export interface ClientSummary {
  id: string;
  name: string;
  roles: string[];
  regionCode: string | null;
  organizationId: string | null;
  unitHsaId: string | null;
  authMethods: ('client_secret' | 'private_key_jwt')[];
  keyIds: string[];
  synthetic: boolean;
  disabled: boolean;
  createdAt: string;
}

export interface CreatedClient {
  client: ClientSummary;
  /** the secret, when it was generated: shown once, stored only as a hash */
  generatedSecret?: string;
  /** the private key, when it was generated: handed to the client's operator, never stored */
  privateJwk?: JWK;
}

const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$/;
const MIN_SECRET_LENGTH = 16;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
/** The algorithms TokenService accepts for client assertions. */
const ASSERTION_ALGS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

function defaultAlg(jwk: JWK): string | undefined {
  if (jwk.kty === 'EC') return jwk.crv === 'P-256' ? 'ES256' : jwk.crv === 'P-384' ? 'ES384' : undefined;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

/** Check a registered public key: a signing key of an accepted algorithm, with no private part; a kid is added if missing. */
async function publicKeys(input: unknown): Promise<JWK[]> {
  const keys = (input && typeof input === 'object' && Array.isArray((input as { keys?: unknown }).keys) ? (input as { keys: unknown[] }).keys : [input]) as JWK[];
  if (keys.length === 0) throw new AppError('validation', 'The JWK Set has no keys.', { errors: [{ field: 'jwk', message: 'has no keys' }] });
  const out: JWK[] = [];
  for (const [i, jwk] of keys.entries()) {
    const field = keys.length > 1 ? `jwk.keys[${i}]` : 'jwk';
    const bad = (message: string) => new AppError('validation', `The key ${field} ${message}.`, { errors: [{ field, message }] });
    if (!jwk || typeof jwk !== 'object' || typeof jwk.kty !== 'string') throw bad('is not a JWK (it needs at least kty)');
    if (PRIVATE_JWK_MEMBERS.some((m) => m in jwk)) throw bad('contains a private or symmetric key; register only the public half (without d, p, q, dp, dq, qi, k)');
    const alg = jwk.alg ?? defaultAlg(jwk);
    if (!alg || !ASSERTION_ALGS.includes(alg)) throw bad(`has algorithm ${alg ?? '(unknown)'}; use one of ${ASSERTION_ALGS.join(', ')}`);
    if (jwk.use !== undefined && jwk.use !== 'sig') throw bad('has use other than "sig"');
    try {
      await importJWK(jwk, alg);
    } catch {
      throw bad(`cannot be read as an ${alg} public key`);
    }
    out.push({ ...jwk, alg, use: 'sig', kid: jwk.kid ?? (await calculateJwkThumbprint(jwk)) });
  }
  return out;
}

/** Register an API client (an admin action, audited): roles and scope checked against the directory. */
export async function createClient(db: Kysely<DB>, ctx: RequestContext, input: CreateClientInput): Promise<CreatedClient> {
  const errors: FieldError[] = [];
  if (!CLIENT_ID.test(input.id)) errors.push({ field: 'id', message: 'must be 2–100 letters, digits, dots, hyphens or underscores, starting with a letter or digit' });
  if (input.name.trim() === '' || input.name.length > 200) errors.push({ field: 'name', message: 'must be 1–200 characters' });
  const roles = [...new Set(input.roles)];
  const unknown = roles.filter((r) => !(TOKEN_ROLES as readonly string[]).includes(r));
  if (roles.length === 0) errors.push({ field: 'roles', message: `name at least one of ${TOKEN_ROLES.join(', ')}` });
  if (unknown.length > 0) errors.push({ field: 'roles', message: `${unknown.join(', ')} ${unknown.length > 1 ? 'are not roles' : 'is not a role'}; use ${TOKEN_ROLES.join(', ')}` });
  const has = (r: TokenRole) => roles.includes(r);
  if ((has('coordinator') || has('region-reporter')) && !input.regionCode) errors.push({ field: 'region', message: 'coordinator and region-reporter clients need a region' });
  if (has('provider') && !input.organizationId) errors.push({ field: 'organization', message: 'provider clients need an organisation' });
  if (input.regionCode && !(await db.selectFrom('regions').select('code').where('code', '=', input.regionCode).executeTakeFirst()))
    errors.push({ field: 'region', message: `${input.regionCode} is not a region code (see GET /api/v1/regions)` });
  if (input.organizationId && !(await db.selectFrom('organizations').select('id').where('id', '=', input.organizationId).executeTakeFirst()))
    errors.push({ field: 'organization', message: `${input.organizationId} is not an organisation (see GET /api/v1/organizations)` });
  if (input.unitHsaId) {
    const unit = await db.selectFrom('units').select(['organization_id']).where('hsa_id', '=', input.unitHsaId).executeTakeFirst();
    if (!unit) errors.push({ field: 'unit', message: `${input.unitHsaId} is not a unit (see GET /api/v1/units)` });
    else if (input.organizationId && unit.organization_id !== input.organizationId) errors.push({ field: 'unit', message: `${input.unitHsaId} belongs to ${unit.organization_id}, not ${input.organizationId}` });
  }
  const c = input.credential;
  if (c.kind === 'secret' && c.value !== undefined && c.value.length < MIN_SECRET_LENGTH)
    errors.push({ field: 'secret', message: `must be at least ${MIN_SECRET_LENGTH} characters; leave the value out to have a strong one generated` });
  if (errors.length > 0) throw new AppError('validation', `The client cannot be created: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}.`, { errors });

  let secretHash: string | null = null;
  let jwks: { keys: JWK[] } | null = null;
  const created: Omit<CreatedClient, 'client'> = {};
  if (c.kind === 'secret') {
    const secret = c.value ?? crypto.randomBytes(32).toString('base64url');
    if (c.value === undefined) created.generatedSecret = secret;
    secretHash = hashSecret(secret);
  } else if (c.kind === 'jwk') {
    jwks = { keys: await publicKeys(c.jwk) };
  } else {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const pub = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(pub);
    jwks = { keys: [{ ...pub, kid, alg: 'ES256', use: 'sig' }] };
    created.privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  }

  return db.transaction().execute(async (trx) => {
    const exists = await trx.selectFrom('clients').select('id').where('id', '=', input.id).executeTakeFirst();
    if (exists) throw new AppError('conflict', `A client with id ${input.id} exists already; choose another id.`);
    const row = await trx
      .insertInto('clients')
      .values({
        id: input.id,
        name: input.name.trim(),
        roles,
        region_code: input.regionCode ?? null,
        organization_id: input.organizationId ?? null,
        unit_hsa_id: input.unitHsaId ?? null,
        secret_hash: secretHash,
        jwks: jwks ? JSON.stringify(jwks) : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const client = summary(row);
    await recordAudit(trx, ctx, {
      action: 'client.create',
      entityType: 'client',
      entityId: client.id,
      details: { roles: client.roles, regionCode: client.regionCode, organizationId: client.organizationId, unitHsaId: client.unitHsaId, authMethods: client.authMethods, keyIds: client.keyIds },
    });
    return { client, ...created };
  });
}

/** Every registered client, without secrets. */
export async function listClients(db: Kysely<DB>): Promise<ClientSummary[]> {
  const rows = await db.selectFrom('clients').selectAll().orderBy('id').execute();
  return rows.map(summary);
}

type ClientRow = Selectable<DB['clients']>;

function summary(row: ClientRow): ClientSummary {
  const keys = (row.jwks?.keys ?? []) as JWK[];
  return {
    id: row.id,
    name: row.name,
    roles: row.roles,
    regionCode: row.region_code,
    organizationId: row.organization_id,
    unitHsaId: row.unit_hsa_id,
    authMethods: [...(row.secret_hash ? (['client_secret'] as const) : []), ...(row.jwks ? (['private_key_jwt'] as const) : [])],
    keyIds: keys.map((k) => k.kid ?? '(no kid)'),
    synthetic: row.synthetic,
    disabled: row.disabled,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

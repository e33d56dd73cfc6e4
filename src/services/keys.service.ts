import crypto from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

export const SIGNING_ALG = 'ES256';
/** How long a retired key stays published, so tokens it signed still verify (longer than any token lives). */
const RETIRED_KEY_GRACE_MS = 24 * 3600 * 1000;

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

async function createKey(db: Kysely<DB>): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const kid = `nvf-${new Date().toISOString().slice(0, 10)}-${crypto.randomBytes(4).toString('hex')}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  await db
    .insertInto('signing_keys')
    .values({ kid, alg: SIGNING_ALG, private_jwk: JSON.stringify(privateJwk), public_jwk: JSON.stringify(publicJwk) })
    .execute();
  return kid;
}

/** Make sure one active signing key exists (first start). */
export async function ensureSigningKey(db: Kysely<DB>): Promise<void> {
  const active = await db.selectFrom('signing_keys').select('kid').where('retired_at', 'is', null).executeTakeFirst();
  if (!active) await createKey(db);
}

/** Start signing with a new key; the old one is retired but stays published for a day. Returns the new kid. */
export async function rotateSigningKey(db: Kysely<DB>, now = new Date()): Promise<{ kid: string; retired: string[] }> {
  return db.transaction().execute(async (trx) => {
    const retired = await trx
      .updateTable('signing_keys')
      .set({ retired_at: now, expires_at: new Date(now.getTime() + RETIRED_KEY_GRACE_MS) })
      .where('retired_at', 'is', null)
      .returning('kid')
      .execute();
    const kid = await createKey(trx);
    return { kid, retired: retired.map((r) => r.kid) };
  });
}

/** The public keys to publish at /.well-known/jwks.json: the active key and retired keys still in grace. */
export async function publicJwks(db: Kysely<DB>, now = new Date()): Promise<{ keys: JWK[] }> {
  const rows = await db
    .selectFrom('signing_keys')
    .select(['public_jwk'])
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .execute();
  return { keys: rows.map((r) => r.public_jwk as JWK) };
}

/** A cache of the platform's keys: signing uses the newest active key, verification any published one. */
export class KeyStore {
  private signer: SigningKey | undefined;
  private verifiers = new Map<string, CryptoKey>();
  private loadedAt = 0;

  constructor(private readonly db: Kysely<DB>, private readonly maxAgeMs = 30_000) {}

  private async load(): Promise<void> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();
    const now = Date.now();
    const verifiers = new Map<string, CryptoKey>();
    let signer: SigningKey | undefined;
    for (const r of rows) {
      const expired = r.expires_at !== null && new Date(r.expires_at).getTime() <= now;
      if (expired) continue;
      verifiers.set(r.kid, (await importJWK(r.public_jwk as JWK, r.alg)) as CryptoKey);
      if (!signer && r.retired_at === null) signer = { kid: r.kid, privateKey: (await importJWK(r.private_jwk as JWK, r.alg)) as CryptoKey };
    }
    this.verifiers = verifiers;
    this.signer = signer;
    this.loadedAt = now;
  }

  async signingKey(): Promise<SigningKey> {
    if (!this.signer || Date.now() - this.loadedAt > this.maxAgeMs) await this.load();
    if (!this.signer) throw new Error('No active signing key: run `nvf keys rotate`.');
    return this.signer;
  }

  /** The verification key for a kid; reloads when the kid is new (a rotation in another instance), at most every 200 ms so unknown kids cannot flood the database. */
  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    if (Date.now() - this.loadedAt > this.maxAgeMs) await this.load();
    let key = this.verifiers.get(kid);
    if (!key && Date.now() - this.loadedAt > 200) {
      await this.load();
      key = this.verifiers.get(kid);
    }
    return key;
  }
}

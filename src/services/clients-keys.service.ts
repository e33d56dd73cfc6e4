import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

// Belongs beside rotateSigningKey in keys.service.ts; kept apart only while that file has another owner.

export interface SigningKeyInfo {
  kid: string;
  alg: string;
  state: 'active' | 'retired' | 'expired';
  createdAt: string;
  retiredAt: string | null;
  /** until when the public key is published (retired keys) */
  expiresAt: string | null;
}

/** The platform's signing keys, newest first, without their private parts. */
export async function listSigningKeys(db: Kysely<DB>, now = new Date()): Promise<SigningKeyInfo[]> {
  const rows = await db.selectFrom('signing_keys').select(['kid', 'alg', 'created_at', 'retired_at', 'expires_at']).orderBy('created_at', 'desc').execute();
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  return rows.map((r) => ({
    kid: r.kid,
    alg: r.alg,
    state: r.retired_at === null ? 'active' : r.expires_at !== null && new Date(r.expires_at) <= now ? 'expired' : 'retired',
    createdAt: iso(r.created_at)!,
    retiredAt: iso(r.retired_at),
    expiresAt: iso(r.expires_at),
  }));
}

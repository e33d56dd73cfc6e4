import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { anchorText, genesisOf, type ChainHead } from '../domain/audit.js';
import { isCalendarDate } from '../domain/calendar.js';
import { stockholmDay, type Clock } from '../domain/clock.js';
import { AppError, invalid } from '../domain/errors.js';

/**
 * The audit chains' daily anchor (ADR 0017): the 64 chain heads as they stood once a day, and the SHA-256 of their
 * text (`anchorText`). Published (GET /api/v1/audit/anchors, the server's log) so that copies are kept outside the
 * database; verify checks every stored anchor against the chains.
 */
export interface AuditAnchor {
  day: string;
  takenAt: string;
  digest: string;
  /** events in all chains when the anchor was taken */
  events: number;
  heads: ChainHead[];
}

export const anchorDigest = (heads: readonly ChainHead[]): string => crypto.createHash('sha256').update(anchorText(heads)).digest('hex');

const anchorOf = (r: { day: string; taken_at: Date | string; heads: ChainHead[]; digest: string }): AuditAnchor => {
  const heads = r.heads.map((h) => ({ chain: Number(h.chain), seq: Number(h.seq), hash: h.hash }));
  return { day: r.day, takenAt: new Date(r.taken_at).toISOString(), digest: r.digest, events: heads.reduce((n, h) => n + h.seq, 0), heads };
};

/**
 * Take today's anchor (the Stockholm date of the clock), once: the heads are read in one statement (one snapshot of all
 * 64 chains) and inserted unless the day has its anchor already (several instances run the job). Returns the day's
 * anchor and whether this call took it.
 */
export async function anchorAuditChains(db: Kysely<DB>, clock: Clock): Promise<{ anchor: AuditAnchor; taken: boolean }> {
  const now = clock.now();
  const day = stockholmDay(now);
  const existing = await anchorRow(db, day);
  if (existing) return { anchor: existing, taken: false };
  const heads = (await db.selectFrom('audit_head').select(['id', 'seq', 'hash']).orderBy('id').execute()).map((h) => ({ chain: h.id, seq: Number(h.seq), hash: h.hash }));
  const digest = anchorDigest(heads);
  const inserted = await db
    .insertInto('audit_anchors')
    .values({ day, taken_at: now, heads: JSON.stringify(heads), digest })
    .onConflict((oc) => oc.column('day').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { anchor: anchorOf(inserted), taken: true };
  return { anchor: (await anchorRow(db, day))!, taken: false };
}

async function anchorRow(db: Kysely<DB>, day: string): Promise<AuditAnchor | undefined> {
  const r = await db.selectFrom('audit_anchors').selectAll().where('day', '=', day).executeTakeFirst();
  return r && anchorOf(r);
}

/** One day's anchor with its heads; 404 naming the days that have one when it has none. */
export async function anchorOfDay(db: Kysely<DB>, day: string): Promise<AuditAnchor> {
  if (!isCalendarDate(day)) throw invalid([{ field: 'day', message: 'a day is a date written YYYY-MM-DD, e.g. 2026-11-26' }]);
  const found = await anchorRow(db, day);
  if (found) return found;
  const span = await sql<{ first: string | null; last: string | null }>`SELECT min(day)::text AS first, max(day)::text AS last FROM audit_anchors`.execute(db);
  const { first, last } = span.rows[0] ?? { first: null, last: null };
  throw new AppError('not_found', first === null ? 'No audit anchor has been taken yet: the server takes the first within minutes of starting (nvf audit anchor takes it at once).' : `No audit anchor for ${day}: anchors exist for the days from ${first} to ${last} (GET /api/v1/audit/anchors lists them).`);
}

/** The anchors, newest first, without their heads: `limit` + 1 of them (the caller pages), before the day `before`. */
export async function listAnchors(db: Kysely<DB>, opts: { limit: number; before?: string | undefined }): Promise<Omit<AuditAnchor, 'heads'>[]> {
  let q = db.selectFrom('audit_anchors').selectAll().orderBy('day', 'desc').limit(opts.limit + 1);
  if (opts.before !== undefined) {
    if (!isCalendarDate(opts.before)) throw new AppError('bad_request', 'The cursor is not one this API gave out; start again without cursor.');
    q = q.where('day', '<', opts.before);
  }
  return (await q.execute()).map(anchorOf).map(({ heads: _heads, ...rest }) => rest);
}

/**
 * What the stored anchors say the chains hold, for verify: for each (chain, position) an anchor names, the hash and
 * the anchor's day (the earliest anchor first: they must all agree with the chain). An anchor whose heads do not give
 * its digest was itself changed.
 */
export async function anchorExpectations(db: Kysely<DB>): Promise<{ anchors: number; badAnchor?: string; expect: Map<string, { hash: string; day: string }>; longest: Map<number, { seq: number; day: string }> }> {
  const rows = (await db.selectFrom('audit_anchors').selectAll().orderBy('day').execute()).map(anchorOf);
  const expect = new Map<string, { hash: string; day: string }>();
  const longest = new Map<number, { seq: number; day: string }>();
  for (const a of rows) {
    let digest: string;
    try {
      digest = anchorDigest(a.heads);
    } catch {
      return { anchors: rows.length, badAnchor: a.day, expect, longest };
    }
    if (digest !== a.digest) return { anchors: rows.length, badAnchor: a.day, expect, longest };
    for (const h of a.heads) {
      if (h.seq === 0) {
        if (h.hash !== genesisOf(h.chain)) return { anchors: rows.length, badAnchor: a.day, expect, longest };
        continue;
      }
      const key = `${h.chain}:${h.seq}`;
      const earlier = expect.get(key);
      if (earlier === undefined) expect.set(key, { hash: h.hash, day: a.day });
      else if (earlier.hash !== h.hash) return { anchors: rows.length, badAnchor: a.day, expect, longest }; // two anchors disagree
      if ((longest.get(h.chain)?.seq ?? 0) < h.seq) longest.set(h.chain, { seq: h.seq, day: a.day });
    }
  }
  return { anchors: rows.length, expect, longest };
}

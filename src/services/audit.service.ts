import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely, RawBuilder, Selectable, Transaction } from 'kysely';
import type { AuditEventsTable, DB } from '../db/schema.js';
import { anchorIndex, anchorText, AUDIT_CHAINS, chainInput, chainInputParts, genesisOf, type AnchorIndex, type AuditRecord, type ChainHead } from '../domain/audit.js';
import { isCalendarDate } from '../domain/calendar.js';
import { stockholmDay, type Clock } from '../domain/clock.js';
import { AppError, invalid } from '../domain/errors.js';
import { parsePatientIdentity } from '../domain/patient-identity.js';
import type { Executor, RequestContext } from './context.js';
import { outboxRow, type OutboxEvent, type OutboxRow } from './outbox.js';

export interface AuditInput {
  action: string;
  entityType: string;
  entityId?: string | null;
  outcome?: 'success' | 'denied' | 'failure';
  details?: Record<string, unknown>;
  /** keyed hash of a patient's identity (never the identity) */
  patientRef?: string | null;
}

const sha256 = (s: string): string => crypto.createHash('sha256').update(s).digest('hex');

/**
 * Append one event to an audit chain inside the caller's transaction, so the event and the change it records commit
 * or roll back together. Appends to one chain are serialised by a row lock on its head (ADR 0004, 0014, 0016).
 */
export async function recordAudit(trx: Executor, ctx: RequestContext, input: AuditInput): Promise<void> {
  await recordAudits(trx, ctx, [input]);
}

/**
 * One event as audit_append (migration 0017) takes it: the two parts of its canonical JSON around its position in the
 * chain; the database links it to the head as it is and reads its row from that text.
 */
function appendParts(ctx: RequestContext, chainId: number, input: AuditInput, occurredAt: string): [string, string] {
  const p = ctx.principal;
  const { prefix, suffix } = chainInputParts({
    id: crypto.randomUUID(),
    chain: chainId === 1 ? undefined : chainId,
    occurredAt,
    actorSubject: p.subject,
    actorRoles: [...p.roles],
    actorRegionCode: p.regionCode ?? null,
    actorOrganizationId: p.organizationId ?? null,
    actorUnitHsaId: p.unitHsaId ?? null,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId ?? null,
    outcome: input.outcome ?? 'success',
    requestId: ctx.requestId,
    patientRef: input.patientRef ?? null,
    // as JSON would have it (dates as text, no undefined): what is hashed is what is stored and verified
    details: JSON.parse(JSON.stringify(input.details ?? {})) as Record<string, unknown>,
  });
  return [prefix, suffix];
}

/** The audit events of one statement as the JSON text audit_append takes. */
export function auditAppendJson(ctx: RequestContext, chainId: number, inputs: readonly AuditInput[]): string {
  const occurredAt = ctx.clock.now().toISOString();
  return JSON.stringify(inputs.map((input) => appendParts(ctx, chainId, input, occurredAt)));
}

/**
 * Which chain this process appends to (ADR 0014). A transaction takes a chain none of this process's open transactions
 * holds — the first free one from a starting point chosen at random per process, so that several instances mostly
 * keep to different chains — and gives it back when it ends; audited writes of one instance therefore never wait for
 * each other's commit. With all chains taken (more open audited transactions than chains) one is shared: the database
 * serialises the appends on it (audit_append locks the chain's head).
 */
class Chains {
  private readonly taken = new Map<number, number>();
  private readonly start = crypto.randomInt(AUDIT_CHAINS);
  private turn = crypto.randomInt(AUDIT_CHAINS) + 1;

  take(): number {
    for (let i = 0; i < AUDIT_CHAINS; i++) {
      const c = ((this.start + i) % AUDIT_CHAINS) + 1;
      if (!this.taken.has(c)) {
        this.taken.set(c, 1);
        return c;
      }
    }
    const c = crypto.randomInt(AUDIT_CHAINS) + 1;
    this.taken.set(c, this.taken.get(c)! + 1);
    return c;
  }

  /**
   * A chain for one append outside auditedTransaction, whose transaction's end this process does not see: the chains
   * in turn (skipping those taken), so that appends shortly after one another go to different chains and do not wait
   * for each other's commit.
   */
  next(): number {
    for (let i = 0; i < AUDIT_CHAINS; i++) {
      this.turn = (this.turn % AUDIT_CHAINS) + 1;
      if (!this.taken.has(this.turn)) return this.turn;
    }
    return this.turn;
  }

  give(c: number): void {
    const n = this.taken.get(c) ?? 0;
    if (n <= 1) this.taken.delete(c);
    else this.taken.set(c, n - 1);
  }
}
/** This process's chains (one per process: the ones its open writes hold). */
export const chains = new Chains();

const OUTBOX_COLUMNS = sql.raw('id, type, case_id, region_code, organization_id, payload, occurred_at');
/** Rows as one JSON array (for jsonb_populate_recordset); the columns that hold JSON text are spliced in as JSON. */
const jsonRows = <T extends object>(rows: readonly T[], jsonColumn: string): string =>
  `[${rows.map((r) => { const { [jsonColumn]: j, ...rest } = r as Record<string, unknown>; return `${JSON.stringify(rest).slice(0, -1)},${JSON.stringify(jsonColumn)}:${j as string}}`; }).join(',')}]`;

/** INSERT of the outbox events (from one JSON array parameter), for a WITH clause; `when` is the condition they are written on. */
export const outboxInsert = (events: readonly OutboxRow[], when: RawBuilder<boolean> = sql<boolean>`true`) => sql`
  INSERT INTO outbox_events (${OUTBOX_COLUMNS}) SELECT ${OUTBOX_COLUMNS} FROM jsonb_populate_recordset(NULL::outbox_events, ${jsonRows(events, 'payload')}::jsonb) WHERE ${when}`;

/**
 * Append several events at once, chained in order on one chain, with the use case's outbox events (if any), in one
 * statement: audit_append (migration 0017) locks the chain's head, links the events to it and moves it. The head's row
 * lock is held until the transaction ends, so call this last (auditedTransaction does). `chainId` is the chain the
 * caller's transaction holds (auditedTransaction takes one for the whole transaction); without it the next chain in
 * turn is used.
 */
export async function recordAudits(trx: Executor, ctx: RequestContext, inputs: readonly AuditInput[], events: readonly OutboxRow[] = [], chainId?: number): Promise<void> {
  if (inputs.length === 0) {
    if (events.length > 0) await trx.insertInto('outbox_events').values([...events]).execute();
    return;
  }
  const c = chainId ?? chains.next();
  const append = sql`audit_append(${c}, ${auditAppendJson(ctx, c, inputs)}::jsonb)`;
  if (events.length === 0) await sql`SELECT ${append}`.execute(trx);
  else await sql`WITH outboxed AS (${outboxInsert(events)}) SELECT ${append}`.execute(trx);
}

/**
 * A transaction whose audit events are written at its end, just before the commit, on a chain this process's other
 * open transactions do not hold (ADR 0011, 0014): a chain head is then held only for the insert and the commit, and
 * audited writes run side by side, their commits included. The events still commit or roll back with the change they
 * record. The use case's outbox events (`emit`) are written in the same statement as the audit events (ADR 0012).
 */
export async function auditedTransaction<T>(
  db: Kysely<DB>, ctx: RequestContext,
  fn: (trx: Transaction<DB>, audit: (input: AuditInput) => void, emit: (event: OutboxEvent) => void) => Promise<T>,
): Promise<T> {
  const chainId = chains.take();
  try {
    return await db.transaction().execute(async (trx) => {
      const pending: AuditInput[] = [];
      const events: OutboxRow[] = [];
      const result = await fn(trx, (input) => pending.push(input), (event) => events.push(outboxRow(ctx, event)));
      await recordAudits(trx, ctx, pending, events, chainId);
      return result;
    });
  } finally {
    chains.give(chainId);
  }
}

/** Record an audit event in a transaction of its own (for denials and reads that change nothing). */
export async function recordAuditAlone(db: Kysely<DB>, ctx: RequestContext, input: AuditInput): Promise<void> {
  await db.transaction().execute((trx) => recordAudit(trx, ctx, input));
}

/** An audit_events row as the chain hashes it. */
export function auditRecordOf(r: Selectable<AuditEventsTable>): AuditRecord {
  const chain = Number(r.chain);
  return {
    id: r.id,
    chain: chain === 1 ? undefined : chain,
    seq: Number(r.seq),
    occurredAt: new Date(r.occurred_at).toISOString(),
    actorSubject: r.actor_subject,
    actorRoles: r.actor_roles,
    actorRegionCode: r.actor_region_code,
    actorOrganizationId: r.actor_organization_id,
    actorUnitHsaId: r.actor_unit_hsa_id,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    outcome: r.outcome,
    requestId: r.request_id,
    patientRef: r.patient_ref,
    details: r.details,
  };
}

export interface VerifyResult {
  ok: boolean;
  events: number;
  firstBadEvent?: string;
  reason?: string;
  /** the daily anchors checked against the chains (ADR 0017) */
  anchors: number;
}

/**
 * Walk every chain in order and recompute every hash (ADR 0004, 0014): in each chain the positions run 1, 2, 3, …
 * without a gap, every event links to the one before it (its chain's genesis for the first) and its hash is the hash
 * of that link, and the chain's head names its last event (so a deleted tail shows). The first event whose link does
 * not hold is reported, with the number of events found good before it (chains walked in order 1 to 64). Every daily
 * anchor (ADR 0017) must agree: its digest with its heads, and each head it names with the event at that position —
 * which shows a rewrite of a chain from a changed event onwards, heads included, that the links alone cannot.
 */
export async function verifyAuditChain(db: Kysely<DB>, batchSize = 5000): Promise<VerifyResult> {
  const anchored = await anchorExpectations(db);
  const anchors = anchored.anchors;
  if ('badAnchor' in anchored)
    return { ok: false, events: 0, anchors, reason: `the audit anchor of ${anchored.badAnchor} does not match its digest: it was changed in the database` };
  const heads = new Map((await chainHeads(db)).map((h) => [h.chain, h]));
  let count = 0;
  let chainId = 1;
  let prevHash = genesisOf(1);
  let expectedSeq = 1;
  /** the walk has left chain `chainId` (at its end): its head must name its last event */
  const closeChain = (): VerifyResult | undefined => {
    const head = heads.get(chainId);
    if (head === undefined) return { ok: false, events: count, anchors, reason: `the head of chain ${chainId} is missing` };
    if (head.seq !== expectedSeq - 1 || head.hash !== prevHash)
      return { ok: false, events: count, anchors, reason: `the head of chain ${chainId} says ${head.seq} events but ${expectedSeq - 1} were found` };
    const longest = anchored.longest.get(chainId);
    if (longest !== undefined && longest.seq > expectedSeq - 1)
      return { ok: false, events: count, anchors, reason: `chain ${chainId} has ${expectedSeq - 1} events but its anchor of ${longest.day} names ${longest.seq}: events were removed` };
    return undefined;
  };
  let after: { chain: number; seq: number } = { chain: 0, seq: 0 };
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where((eb) => eb(eb.refTuple('chain', 'seq'), '>', eb.tuple(after.chain, after.seq)))
      .orderBy('chain')
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    for (const r of rows) {
      const rowChain = Number(r.chain);
      while (chainId < rowChain) {
        const bad = closeChain();
        if (bad) return bad;
        chainId++;
        prevHash = genesisOf(chainId);
        expectedSeq = 1;
      }
      const event = auditRecordOf(r);
      if (event.seq !== expectedSeq) return { ok: false, events: count, anchors, firstBadEvent: r.id, reason: `event ${expectedSeq} of chain ${chainId} is missing` };
      if (r.prev_hash !== prevHash || sha256(chainInput(prevHash, event)) !== r.hash)
        return { ok: false, events: count, anchors, firstBadEvent: r.id, reason: 'the event does not match its hash' };
      const anchor = anchored.expect.get(`${chainId}:${event.seq}`);
      if (anchor !== undefined && anchor.hash !== r.hash)
        return { ok: false, events: count, anchors, firstBadEvent: r.id, reason: `event ${event.seq} of chain ${chainId} is not the one the anchor of ${anchor.day} names: the chain up to it was rewritten since` };
      prevHash = r.hash;
      expectedSeq++;
      count++;
    }
    if (rows.length < batchSize) break;
    const last = rows[rows.length - 1]!;
    after = { chain: Number(last.chain), seq: Number(last.seq) };
  }
  for (;;) {
    const bad = closeChain();
    if (bad) return bad;
    if (chainId >= AUDIT_CHAINS) break;
    chainId++;
    prevHash = genesisOf(chainId);
    expectedSeq = 1;
  }
  return { ok: true, events: count, anchors };
}

/** Count of audit events, cheap (for metrics): the heads' positions added up. */
export async function auditEventCount(db: Kysely<DB>): Promise<number> {
  const r = await sql<{ n: number }>`SELECT COALESCE(sum(seq), 0) AS n FROM audit_head`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export interface PatientLogItem {
  at: string;
  action: string;
  outcome: string;
  /** who: the organisation, unit or region the reader acted for, and the role */
  organizationId: string | null;
  unitHsaId: string | null;
  regionCode: string | null;
  roles: string[];
  entityType: string;
  entityId: string | null;
}

/**
 * The patient's log extract (loggutdrag, patientdatalagen 4 kap 3 §): every audited access to the patient's data,
 * found by the keyed hash of the identity (never the identity itself). Producing it is audited too.
 */
export async function patientLog(db: Kysely<DB>, ctx: RequestContext, patients: { lookupHash(v: string): string }, personnummer: string): Promise<PatientLogItem[]> {
  const identity = parsePatientIdentity(personnummer, stockholmDay(ctx.clock.now()));
  if (!identity.ok) throw invalid([{ field: 'personnummer', message: identity.message }]);
  const ref = patients.lookupHash(identity.value);
  return db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('audit_events')
      .select(['occurred_at', 'action', 'outcome', 'actor_organization_id', 'actor_unit_hsa_id', 'actor_region_code', 'actor_roles', 'entity_type', 'entity_id'])
      .where('patient_ref', '=', ref).orderBy('pos').execute();
    await recordAudit(trx, ctx, { action: 'audit.patient_log', entityType: 'patient', patientRef: ref, details: { events: rows.length } });
    return rows.map((r) => ({
      at: r.occurred_at instanceof Date ? r.occurred_at.toISOString() : String(r.occurred_at),
      action: r.action, outcome: r.outcome, organizationId: r.actor_organization_id, unitHsaId: r.actor_unit_hsa_id, regionCode: r.actor_region_code,
      roles: r.actor_roles, entityType: r.entity_type, entityId: r.entity_id,
    }));
  });
}

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

const anchorDigest = (heads: readonly ChainHead[]): string => sha256(anchorText(heads));

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
  const heads = await chainHeads(db);
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

/** The anchors, newest first, without their heads: `limit` + 1 of them (the caller pages), before the day `before` (YYYY-MM-DD). */
export async function listAnchors(db: Kysely<DB>, opts: { limit: number; before?: string | undefined }): Promise<Omit<AuditAnchor, 'heads'>[]> {
  let q = db.selectFrom('audit_anchors').selectAll().orderBy('day', 'desc').limit(opts.limit + 1);
  if (opts.before !== undefined) q = q.where('day', '<', opts.before);
  return (await q.execute()).map(anchorOf).map(({ heads: _heads, ...rest }) => rest);
}

/**
 * What the stored anchors say the chains hold (`anchorIndex`), for verify; `badAnchor` names the first anchor that
 * cannot be true — its heads do not give its digest (it was changed), or they contradict another anchor.
 */
async function anchorExpectations(db: Kysely<DB>): Promise<{ anchors: number } & (AnchorIndex | { badAnchor: string })> {
  const rows = (await db.selectFrom('audit_anchors').selectAll().orderBy('day').execute()).map(anchorOf);
  for (const a of rows) {
    let digest: string;
    try {
      digest = anchorDigest(a.heads);
    } catch {
      return { anchors: rows.length, badAnchor: a.day }; // not 64 chains, each once
    }
    if (digest !== a.digest) return { anchors: rows.length, badAnchor: a.day };
  }
  return { anchors: rows.length, ...anchorIndex(rows) };
}

/** The 64 chains' heads, in one statement (one moment of all chains). */
async function chainHeads(db: Kysely<DB>): Promise<ChainHead[]> {
  return (await db.selectFrom('audit_head').select(['id', 'seq', 'hash']).orderBy('id').execute()).map((h) => ({ chain: h.id, seq: Number(h.seq), hash: h.hash }));
}

import { sql, type Compilable, type Kysely, type OperationNodeSource, type RawBuilder } from 'kysely';
import { guardHolds } from '../db/atomic.js';
import type { DB } from '../db/schema.js';
import { AppError } from '../domain/errors.js';
import { auditAppendJson, chains, outboxInsert, type AuditInput } from './audit.service.js';
import type { Executor, RequestContext } from './context.js';
import { outboxRow, type OutboxEvent, type OutboxRow } from './outbox.js';

/**
 * A use case as one read and one atomic write statement (ADR 0016). The use case reads what it needs in one statement
 * (no lock, no transaction), decides in the domain, and returns its plan: a guard — a data-modifying query on the case
 * that returns the case row only if the case is still as read (cases.change_seq; every change to a case or its
 * requests moves it), or the insert of a new case — and further writes, each written only when the guard returned its
 * row (`guardHolds` of src/db/atomic.ts in their WHERE) and each expected to touch a known number of rows. The guard,
 * the writes, the outbox events and the audit events (audit_append, migration 0017) are then one statement: all of it
 * is written, or none. When the guard returns no row, someone changed the case in between: nothing was written and the
 * use case runs again on what is now stored (where its checks give the answer: the state machine's 409, the 412 of
 * If-Match, …). A plan without a lock is one whose guard cannot lose a race (an insert): it is not run again.
 */

type Query<R> = Compilable<R> & OperationNodeSource;

export interface AtomicPlan<Row, T> {
  /** returns the case as written (RETURNING *), or no row when the case changed since it was read */
  guard: Query<Row>;
  /** further data-modifying queries with `guardHolds` in their WHERE, each returning one row per row it touched */
  writes?: readonly { query: Query<unknown> | RawBuilder<unknown>; rows: number; what: string }[];
  /** the answer, from the case row as written */
  answer(row: Row): T;
}

/** How many times a use case runs without a lock before it queues for the case's lock. */
export const OPTIMISTIC_ATTEMPTS = 3;

/** This process's lost races since it started (GET /metrics: nvf_atomic_write_races_total): runs again, and runs under the lock. */
const races = { retried: 0, locked: 0 };
export const atomicWriteRaces = (): Readonly<typeof races> => races;

type Plan<Row, T> = (db: Executor, audit: (input: AuditInput) => void, emit: (event: OutboxEvent) => void) => Promise<AtomicPlan<Row, T>>;

/**
 * Run `plan` and write what it returns atomically, again while the case changes under it. After OPTIMISTIC_ATTEMPTS
 * lost races (many writers on one case at once) the use case queues instead: in a transaction that first takes the
 * case's row lock (`lock`, which locks the row the plan's guard will change), the plan reads and writes once more —
 * nobody can change the case in between, so the guard holds. `what` names the case in errors. The plan's `audit` and
 * `emit` collect the audit and outbox events of one attempt.
 */
export async function atomicUseCase<Row extends object, T>(
  db: Kysely<DB>, ctx: RequestContext, opts: { what: string; lock?: (trx: Executor) => Promise<unknown> }, plan: Plan<Row, T>,
): Promise<T> {
  // The audit chain is held for the write statement, or for the whole transaction under the lock (whose commit ends the
  // head's row lock): no other write of this process appends to it meanwhile.
  const held: number[] = [];
  const attempt = async (executor: Executor) => {
    const audits: AuditInput[] = [];
    const events: OutboxRow[] = [];
    const p = await plan(executor, (input) => audits.push(input), (event) => events.push(outboxRow(ctx, event)));
    const chainId = chains.take();
    try {
      const row = await writeAtomically(executor, ctx, chainId, p, audits, events);
      return row === undefined ? undefined : { answer: p.answer(row) };
    } finally {
      if (executor === db) chains.give(chainId);
      else held.push(chainId);
    }
  };
  const lock = opts.lock;
  if (lock === undefined) {
    const done = await attempt(db);
    if (!done) throw new Error(`${opts.what}: the guard of a plan without a lock returned no row`);
    return done.answer;
  }
  for (let i = 1; i <= OPTIMISTIC_ATTEMPTS; i++) {
    const done = await attempt(db);
    if (done) return done.answer;
    if (i < OPTIMISTIC_ATTEMPTS) races.retried++;
  }
  races.locked++;
  const done = await db.transaction().execute(async (trx) => {
    await lock(trx);
    return attempt(trx);
  }).finally(() => held.splice(0).forEach((c) => chains.give(c)));
  if (!done) throw new AppError('conflict', `${opts.what} changed while your change was being written, though it was locked; reload it and try again.`);
  return done.answer;
}

/** The plan as one statement; the guard's row, or undefined when the guard matched nothing (and nothing was written). */
async function writeAtomically<Row extends object>(
  db: Executor, ctx: RequestContext, chainId: number, p: AtomicPlan<Row, unknown>, audits: readonly AuditInput[], events: readonly OutboxRow[],
): Promise<Row | undefined> {
  const writes = p.writes ?? [];
  const ctes = [
    sql`guard AS (${p.guard})`,
    ...writes.map((w, i) => sql`${sql.raw(`w${i}`)} AS (${w.query})`),
    ...(events.length > 0 ? [sql`outboxed AS (${outboxInsert(events, guardHolds)})`] : []),
  ];
  const columns = [
    sql`guard.*`,
    ...(audits.length > 0 ? [sql`audit_append(${chainId}, ${auditAppendJson(ctx, chainId, audits)}::jsonb) AS audit_position`] : []),
    // a write that touched another number of rows than planned breaks an invariant: the statement fails whole
    ...writes.map((w, i) => sql`write_assert((SELECT count(*) FROM ${sql.raw(`w${i}`)}) = ${w.rows}, ${w.what}) AS ${sql.raw(`w${i}_ok`)}`),
  ];
  const r = await sql<Row>`WITH ${sql.join(ctes, sql`, `)} SELECT ${sql.join(columns, sql`, `)} FROM guard`.execute(db);
  const row = r.rows[0] as (Row & Record<string, unknown>) | undefined;
  if (row === undefined) return undefined;
  delete row.audit_position;
  writes.forEach((_, i) => delete row[`w${i}_ok`]);
  return row;
}

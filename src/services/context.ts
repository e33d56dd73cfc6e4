import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Clock } from '../domain/clock.js';
import type { Principal } from '../domain/roles.js';

/** A database handle or an open transaction: repositories accept either. */
export type Executor = Kysely<DB> | Transaction<DB>;

/** Who acts, in which request, at what time: passed to every use case. */
export interface RequestContext {
  principal: Principal;
  requestId: string;
  clock: Clock;
}

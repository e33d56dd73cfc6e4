import { sql, type RawBuilder } from 'kysely';

/**
 * The condition every write of an atomic plan is written on (ADR 0016): the plan's guard — the CTE named `guard` —
 * returned its row. See src/services/atomic-write.ts.
 */
export const guardHolds: RawBuilder<boolean> = sql<boolean>`EXISTS (SELECT 1 FROM guard)`;

import { z } from 'zod';
import { AppError } from '../domain/errors.js';

/** Query parameters of every list (contract: limit default 50, max 1000; opaque cursor). */
export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(1000).default(50).describe('Page size, 1–1000 (default 50).'),
  cursor: z.string().max(500).optional().describe('Opaque cursor from the previous answer’s nextCursor.'),
};

export function encodeCursor(after: string): string {
  return Buffer.from(JSON.stringify({ a: after }), 'utf8').toString('base64url');
}

/** The key a cursor carries; `valid` checks it is a key of this list (a forged cursor is refused like a broken one). */
export function decodeCursor(cursor: string | undefined, valid: (key: string) => boolean = () => true): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { a?: unknown };
    if (typeof v.a === 'string' && valid(v.a)) return v.a;
  } catch {
    /* fall through */
  }
  throw new AppError('bad_request', 'The cursor is not one this API gave out; start again without cursor.');
}

/** Build the page answer: ask the repository for limit+1 rows, give limit and a cursor when there is more. */
export function page<T>(rows: T[], limit: number, keyOf: (row: T) => string): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}

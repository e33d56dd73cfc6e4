import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../domain/errors.js';

const KEY = /^[A-Za-z0-9._:-]{8,100}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { principal: string; key: string };
  }
}

/**
 * Idempotency-Key for POSTs (contract, HTTP conventions): the first answer for a key is stored and replayed for the same
 * key and the same request; the same key with another request is a 422; a key still in progress is a 409.
 */
export function registerIdempotency(app: FastifyInstance, db: Kysely<DB>): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST' || request.routeOptions.url === '/oauth/token') return; // tokens are never stored
    const key = request.headers['idempotency-key'];
    if (key === undefined) return;
    if (typeof key !== 'string' || !KEY.test(key)) throw new AppError('bad_request', 'Idempotency-Key must be 8–100 characters of letters, digits and . _ : -');
    const principal = request.principal.subject;
    const path = request.url.split('?')[0] ?? '';
    const requestHash = crypto.createHash('sha256').update(request.method).update(request.url).update(JSON.stringify(request.body ?? null)).digest('hex');
    const inserted = await db
      .insertInto('idempotency_keys')
      .values({ principal, key, method: request.method, path, request_hash: requestHash, status: 0, response: null })
      .onConflict((oc) => oc.doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) {
      request.idempotency = { principal, key };
      return;
    }
    const prior = await db.selectFrom('idempotency_keys').selectAll().where('principal', '=', principal).where('key', '=', key).executeTakeFirstOrThrow();
    if (prior.request_hash !== requestHash) throw new AppError('validation', 'This Idempotency-Key was used for another request; use a new key for a new request.');
    if (prior.status === 0) throw new AppError('conflict', 'A request with this Idempotency-Key is still being processed; retry shortly.');
    reply.header('idempotent-replayed', 'true');
    const ct = prior.status >= 400 ? 'application/problem+json' : 'application/json';
    await reply.code(prior.status).type(ct).serializer((p: unknown) => JSON.stringify(p)).send(prior.response);
    return reply;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const idem = request.idempotency;
    if (!idem) return payload;
    request.idempotency = undefined;
    const q = db.updateTable('idempotency_keys').where('principal', '=', idem.principal).where('key', '=', idem.key);
    if (reply.statusCode >= 500 || reply.statusCode === 429) {
      await db.deleteFrom('idempotency_keys').where('principal', '=', idem.principal).where('key', '=', idem.key).execute();
    } else {
      await q.set({ status: reply.statusCode, response: typeof payload === 'string' ? payload : null }).execute();
    }
    return payload;
  });
}

/** Parse an If-Match header of the form "v<version>" (or W/"v<version>"). */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  const m = /^(?:W\/)?"v(\d{1,9})"$/.exec(value?.trim() ?? '');
  if (!m) throw new AppError('precondition_failed', 'If-Match must be the ETag you read, e.g. "v3".');
  return Number(m[1]);
}

export const etag = (version: number): string => `"v${version}"`;

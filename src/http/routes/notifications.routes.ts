import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { EVENT_TYPES } from '../../services/outbox.js';
import * as webhooks from '../../services/notifications/webhooks.service.js';
import type { AppServices } from '../app.js';
import { writeRateLimit } from '../app.js';
import { decodeCursor, encodeCursor, PageQuery } from '../paging.js';

const OWNERS = { roles: ['coordinator', 'provider', 'admin'] } as const;
const ADMIN = { roles: ['admin'] } as const;

const EXAMPLE_SUBSCRIPTION_ID = '3b2f6c1d-8e4a-4b7f-9c2d-1a0e5f6b7c8d';
const EXAMPLE_DELIVERY_ID = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';
const EXAMPLE_EVENT_ID = 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';
const EXAMPLE_CASE_ID = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';

const CreateIn = z.object({
  url: z.string().min(8).max(2000).describe('Where events are POSTed: https (http only to localhost or 127.0.0.1 in demo and sandbox).'),
  regionCode: z.string().regex(/^\d{2}$/, 'two digits').optional().describe('Subscribe for a home region’s events (default for a coordinator: its region).'),
  organizationId: z.string().min(1).max(100).optional().describe('Subscribe for a provider organisation’s events (default for a provider: its organisation).'),
  eventTypes: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).optional().describe('Only these event types; empty or absent: all.'),
  description: z.string().min(1).max(200).optional(),
}).strict();

const SubscriptionOut = z.object({
  id: z.string().uuid(),
  regionCode: z.string().nullable(),
  organizationId: z.string().nullable(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  description: z.string().nullable(),
  active: z.boolean(),
  createdBy: z.string(),
  createdAt: z.string(),
  version: z.number().int(),
});
const subscriptionExample = {
  id: EXAMPLE_SUBSCRIPTION_ID, regionCode: '01', organizationId: null, url: 'https://journal.region01.example/nvf/webhooks', eventTypes: ['request.accepted', 'request.declined'],
  description: 'Journalsystemets mottagare', active: true, createdBy: 'demo-coordinator-01', createdAt: '2026-11-26T08:00:00.000Z', version: 1,
};
const CreatedOut = SubscriptionOut.extend({ secret: z.string().describe('The signing secret: shown this once, keep it safe.') });

const DeadLetterOut = z.object({
  id: z.string().uuid(), subscriptionId: z.string().uuid(), regionCode: z.string().nullable(), organizationId: z.string().nullable(), url: z.string(),
  eventId: z.string().uuid(), eventSeq: z.number().int(), eventType: z.string(), caseId: z.string().nullable(), occurredAt: z.string(),
  attempts: z.number().int(), lastStatus: z.number().int().nullable(), lastError: z.string().nullable(), deadAt: z.string(),
});
const deadLetterExample = {
  id: EXAMPLE_DELIVERY_ID, subscriptionId: EXAMPLE_SUBSCRIPTION_ID, regionCode: '01', organizationId: null, url: 'https://journal.region01.example/nvf/webhooks',
  eventId: EXAMPLE_EVENT_ID, eventSeq: 4711, eventType: 'request.accepted', caseId: EXAMPLE_CASE_ID, occurredAt: '2026-11-25T08:00:00.000Z', attempts: 31,
  lastStatus: 503, lastError: 'answered HTTP 503', deadAt: '2026-11-26T08:00:00.000Z',
};

const STREAM_EXAMPLE =
  ': connected\nretry: 5000\nid: 7741093.0\n\n' +
  `id: 7741093.4711\nevent: request.accepted\ndata: {"id":"${EXAMPLE_EVENT_ID}","type":"request.accepted","occurredAt":"2026-11-26T13:02:00.000Z","caseId":"${EXAMPLE_CASE_ID}","seq":4711,"data":{"caseId":"${EXAMPLE_CASE_ID}","requestId":"0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d","offeredDate":"2026-12-14"}}\n\n`;
/** The stream's answer: documented as text/event-stream through the route's `produces` (the zod transform keeps examples only this way). */
const EventStreamAnswer = z.string()
  .describe('A text/event-stream of the caller’s events: `id` is the stream position after the event, `<xid>.<seq>` (send it back as Last-Event-ID), `event` its type, `data` the JSON event (with its `seq`); lines starting with a colon are comments (heartbeats).')
  .meta({ examples: [STREAM_EXAMPLE] });

const POLL_MS = 1_000;
const HEARTBEAT_MS = 20_000;

function sseMessage(e: webhooks.StreamEvent): string {
  const data = JSON.stringify({ id: e.id, type: e.type, occurredAt: e.occurredAt, caseId: e.caseId, seq: e.seq, data: e.data });
  return `id: ${webhooks.formatStreamCursor(e.cursor)}\nevent: ${e.type}\ndata: ${data}\n\n`;
}

/**
 * A stream position as a client sends it: `<xid>.<seq>` (the SSE id; 19 digits always fit an xid8, 18 a bigint), or a
 * plain `<seq>`, the id before cursors.
 */
const STREAM_POSITION = /^(\d{1,19}\.)?\d{1,18}$/;
const STREAM_POSITION_MESSAGE = 'send the id of the last event received, as the stream wrote it (<xid>.<seq>, e.g. 7741093.4711); a plain event seq (4711) is accepted too';

/** Notifications: webhook subscriptions, dead letters and the server-sent event stream (docs/webhooks.md). */
export function notificationsRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const deps: webhooks.WebhookDeps = { db: s.database.db, secrets: webhooks.webhookSecretBox(s.config.patientDataKey), mode: s.config.mode };
    const writes = writeRateLimit(s.config);
    const streams = new Set<() => void>();
    // Open streams would keep the server from closing: end them first.
    app.addHook('preClose', async () => {
      for (const end of [...streams]) end();
    });

    r.post('/webhooks', {
      config: { access: OWNERS, rateLimit: writes },
      schema: {
        tags: ['Notifications'], summary: 'Subscribe a webhook', operationId: 'createWebhook',
        description: 'A coordinator subscribes for its region’s cases, a provider for its organisation, an admin for any region or organisation. ' +
          'Each event is POSTed as JSON signed with HMAC-SHA256 (header Nvf-Signature); see docs/webhooks.md. The answer carries the secret, this once.',
        body: CreateIn.meta({ examples: [{ url: 'https://journal.region01.example/nvf/webhooks', eventTypes: ['request.accepted', 'request.declined'], description: 'Journalsystemets mottagare' }] }),
        response: { 201: CreatedOut.meta({ examples: [{ ...subscriptionExample, secret: 'whsec_3q2-7wEXAMPLEonlyEXAMPLEonlyEXAMPLEonly0000' }] }) },
      },
    }, async (request, reply) => {
      const created = await webhooks.createSubscription(deps, request.ctx, request.body);
      reply.code(201).header('location', `/api/v1/webhooks/${created.id}`).header('cache-control', 'no-store');
      return created;
    });

    r.get('/webhooks', {
      config: { access: OWNERS },
      schema: {
        tags: ['Notifications'], summary: 'List webhook subscriptions', operationId: 'listWebhooks',
        description: 'The caller’s subscriptions (an admin: all). Secrets are never shown again.',
        querystring: z.object({ includeInactive: z.enum(['true', 'false']).optional().describe('Also deactivated ones.') }),
        response: { 200: z.object({ items: z.array(SubscriptionOut) }).meta({ examples: [{ items: [subscriptionExample] }] }) },
      },
    }, async (request) => ({ items: await webhooks.listSubscriptions(deps, request.ctx, { includeInactive: request.query.includeInactive === 'true' }) }));

    r.delete('/webhooks/:id', {
      config: { access: OWNERS, rateLimit: writes },
      schema: {
        tags: ['Notifications'], summary: 'Deactivate a webhook subscription', operationId: 'deleteWebhook',
        description: 'Stops deliveries to the subscription (kept, inactive, for the record). Another owner’s subscription is 404.',
        params: z.object({ id: z.string().uuid().describe('The subscription id.') }),
        response: { 200: SubscriptionOut.meta({ examples: [{ ...subscriptionExample, active: false, version: 2 }] }) },
      },
    }, async (request) => webhooks.deactivateSubscription(deps, request.ctx, request.params.id));

    r.get('/webhooks/dead-letters', {
      config: { access: ADMIN },
      schema: {
        tags: ['Notifications'], summary: 'List dead webhook deliveries', operationId: 'listDeadLetters',
        description: 'Deliveries that were retried for 24 hours without a 2xx answer, most recent first.',
        querystring: z.object(PageQuery),
        response: { 200: z.object({ items: z.array(DeadLetterOut), nextCursor: z.string().nullable() }).meta({ examples: [{ items: [deadLetterExample], nextCursor: null }] }) },
      },
    }, async (request) => {
      const raw = decodeCursor(request.query.cursor);
      let after: { deadAt: string; id: string } | undefined;
      if (raw !== undefined) {
        const [deadAt, id] = raw.split('|');
        if (!deadAt || !id) throw new AppError('bad_request', 'The cursor is not one this API gave out; start again without cursor.');
        after = { deadAt, id };
      }
      const res = await webhooks.listDeadLetters(deps, request.ctx, { limit: request.query.limit, after });
      return { items: res.items, nextCursor: res.next ? encodeCursor(`${res.next.deadAt}|${res.next.id}`) : null };
    });

    r.post('/webhooks/dead-letters/:id/retry', {
      config: { access: ADMIN, rateLimit: writes },
      schema: {
        tags: ['Notifications'], summary: 'Re-queue a dead webhook delivery', operationId: 'retryDeadLetter',
        description: 'The delivery is tried again now and retried for another 24 hours; per-case order holds as before.',
        params: z.object({ id: z.string().uuid().describe('The delivery id (from the dead-letter list).') }),
        response: {
          200: z.object({ id: z.string().uuid(), status: z.literal('pending'), nextAttemptAt: z.string(), giveUpAt: z.string() })
            .meta({ examples: [{ id: EXAMPLE_DELIVERY_ID, status: 'pending', nextAttemptAt: '2026-11-26T09:00:00.000Z', giveUpAt: '2026-11-27T09:00:00.000Z' }] }),
        },
      },
    }, async (request) => webhooks.retryDeadLetter(deps, request.ctx, request.params.id));

    r.get('/events/stream', {
      config: { access: OWNERS },
      schema: {
        tags: ['Notifications'], summary: 'Stream the caller’s events (server-sent events)', operationId: 'streamEvents', produces: ['text/event-stream'],
        description: 'text/event-stream of brokering events: a coordinator’s region, a provider’s organisation, an admin’s all. Works with the web session cookie. ' +
          'Reconnect with Last-Event-ID (or ?after=) to resume; without either the stream begins with the next event. A comment line is sent every 20 s. ' +
          'With ?once=true the events there are now are sent and the stream ends. ' +
          'Each id is a position `<xid>.<seq>`: events are sent in the order their transactions become final (transaction id, then seq), ' +
          'and only once no older transaction is still running, because seq is taken before commit and transactions commit out of seq order — ' +
          'resuming by seq alone could skip an event that committed late. A plain seq (the id before positions) still resumes, possibly repeating a few events.',
        querystring: z.object({
          after: z.string().regex(STREAM_POSITION, STREAM_POSITION_MESSAGE).optional()
            .describe('Begin after this position, as Last-Event-ID: `<xid>.<seq>` from an event’s id (a plain seq is accepted too).'),
          once: z.enum(['true', 'false']).optional().describe('Send what there is and end (for tests and polling clients).'),
        }),
        headers: z.object({
          'last-event-id': z.string().regex(STREAM_POSITION, STREAM_POSITION_MESSAGE).optional()
            .describe('The id of the last event received (`<xid>.<seq>`); a browser’s EventSource sends it when it reconnects.'),
        }),
        response: { 200: EventStreamAnswer },
      },
    }, async (request, reply) => {
      const scope = webhooks.eventScopeOf(request.ctx);
      const from = request.headers['last-event-id'] ?? request.query.after;
      let after = await webhooks.streamStart(deps.db, from === undefined ? undefined : webhooks.parseStreamPosition(from));
      const start = after;
      reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-cache, no-transform').header('x-accel-buffering', 'no');
      const batch = async () => {
        let out = '';
        for (;;) {
          const { events, next, more } = await webhooks.eventsAfter(deps.db, scope, after);
          for (const e of events) out += sseMessage(e);
          after = next;
          if (!more) return out;
        }
      };
      if (request.query.once === 'true') return reply.send(`: events after ${webhooks.formatStreamCursor(start)}\nretry: 5000\n\n${await batch()}`);

      const stream = new PassThrough();
      let polling = false;
      let ended = false;
      const poll = setInterval(() => {
        if (polling || ended) return;
        polling = true;
        batch()
          .then((text) => { if (text && !ended) stream.write(text); })
          .catch((err: unknown) => request.log.warn({ err }, 'event stream poll failed'))
          .finally(() => { polling = false; });
      }, POLL_MS);
      const heartbeat = setInterval(() => { if (!ended) stream.write(': heartbeat\n\n'); }, HEARTBEAT_MS);
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(poll);
        clearInterval(heartbeat);
        streams.delete(end);
        stream.end();
      };
      streams.add(end);
      reply.raw.on('close', end);
      // An id without data moves the client's Last-Event-ID without an event: a reconnect before the first event resumes here.
      stream.write(`: connected\nretry: 5000\nid: ${webhooks.formatStreamCursor(start)}\n\n`);
      return reply.send(stream as unknown as string);
    });
  };
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CANCEL_REASONS, CASE_EVENTS, CASE_STATUSES, CLOSE_REASONS, DECLINE_REASONS, OUTCOMES, REQUEST_EVENTS, REQUEST_STATUSES } from '../../domain/case-state.js';
import { AppError } from '../../domain/errors.js';
import * as cases from '../../services/brokering/case.service.js';
import * as requests from '../../services/brokering/request.service.js';
import type { RequestContext } from '../../services/context.js';
import type { CaseView, InboxItem } from '../../services/brokering/views.js';
import type { AppServices } from '../app.js';
import { writeRateLimit } from '../app.js';
import { etag, parseIfMatch } from '../idempotency.js';
import { decodeCursor, encodeCursor, PageQuery } from '../paging.js';

const COORDINATOR = { roles: ['coordinator'] } as const;
const CASE_READERS = { roles: ['coordinator', 'admin'] } as const;
const PROVIDER = { roles: ['provider'] } as const;
const REQUEST_READERS = { roles: ['provider', 'coordinator'] } as const;
const INBOX_READERS = { roles: ['provider', 'admin'] } as const;
const CARE_PARTIES = { roles: ['coordinator', 'provider'] } as const;

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const Id = z.object({ id: z.string().uuid().describe('The id (a UUID).') });
const IfMatch = z.object({ 'if-match': z.string().max(100).optional().describe('ETag from a previous read, e.g. "v3"; 412 if it is stale.') });

const EXAMPLE_CASE_ID = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
const EXAMPLE_REQUEST_ID = '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d';

const Preferences = z.object({
  maxDistanceKm: z.number().int().min(1).max(2000).optional().describe('How far the patient can travel, km.'),
  unavailableDates: z.array(DATE).max(366).optional().describe('Dates the patient cannot come.'),
  language: z.string().min(1).max(50).optional().describe('Language the patient needs, e.g. "arabiska" or "tolk: somaliska".'),
  accessibilityNeeds: z.string().min(1).max(500).optional().describe('E.g. wheelchair, hearing loop.'),
  notes: z.string().min(1).max(2000).optional().describe('For the receiving unit; no identity here.'),
}).strict();

const PatientIn = z.object({
  personnummer: z.string().min(10).max(13).describe('Personnummer or samordningsnummer: 12 digits (10 also accepted), with or without the hyphen. Encrypted at rest.'),
  name: z.string().min(1).max(200).optional(),
  phone: z.string().min(3).max(40).optional(),
  homeMunicipality: z.string().regex(/^\d{4}$/, 'four digits (SCB municipality code)').describe('SCB code of the home municipality; must be in the coordinator’s region.'),
}).strict();

const OpenCaseIn = z.object({
  serviceId: z.string().min(1).max(63),
  clockStart: DATE.describe('When the guarantee clock started (decision or referral). Taken from the waiting episode when waitingRecordId is given.'),
  patient: PatientIn,
  preferences: Preferences.optional(),
  waitingRecordId: z.string().min(1).max(64).optional().describe('A waiting episode of the region (GET /api/v1/waiting-list/at-risk): its clock start and pauses set the deadline.'),
}).strict();

const PatientOut = z.object({
  personnummer: z.string().nullable().describe('Only for the coordinator of the home region (and the chosen provider); null otherwise.'),
  masked: z.string().describe('For lists and screens: the birth date and four stars, or only the birth year where identity is not shown.'),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  birthYear: z.number().int(),
  sex: z.enum(['F', 'M']),
  homeMunicipality: z.string(),
});

const RequestOut = z.object({
  id: z.string().uuid(),
  caseId: z.string().uuid(),
  unitHsaId: z.string(),
  unitName: z.string(),
  organizationId: z.string(),
  status: z.enum(REQUEST_STATUSES),
  version: z.number().int(),
  sentAt: z.string(),
  respondBy: z.string().describe('When the unit must have answered (ISO 8601); unanswered requests then expire.'),
  answeredAt: z.string().nullable(),
  offeredDate: z.string().nullable(),
  declineReason: z.string().nullable(),
  declineComment: z.string().nullable(),
  closedAt: z.string().nullable(),
  allowedEvents: z.array(z.enum(REQUEST_EVENTS)).describe('What can be done with the request now.'),
  offeredServiceId: z.string().nullable().describe('The service the unit was asked to provide when the unit does not offer the case’s own service but one declared equivalent to it (GET /api/v1/services, equivalents); null when it is the case’s service.'),
});

const requestExample = {
  id: EXAMPLE_REQUEST_ID, caseId: EXAMPLE_CASE_ID, unitHsaId: 'SE2321000016-E0042', unitName: 'Ortopedkliniken Västerås (syntetisk)', organizationId: 'region-19',
  status: 'accepted', version: 2, sentAt: '2026-11-26T08:15:00.000Z', respondBy: '2026-11-30T08:15:00.000Z', answeredAt: '2026-11-26T13:02:00.000Z',
  offeredDate: '2026-12-14', declineReason: null, declineComment: null, closedAt: null, allowedEvents: ['withdraw', 'choose'], offeredServiceId: null,
};

const CaseOut = z.object({
  id: z.string().uuid(),
  status: z.enum(CASE_STATUSES),
  version: z.number().int().describe('Also the ETag ("v<version>"): send it as If-Match when you change the case.'),
  regionCode: z.string().describe('The patient’s home region: it owns the case and pays.'),
  serviceId: z.string(),
  guaranteeKind: z.string(),
  clockStart: z.string(),
  deadline: z.string().describe('The last day within the care guarantee.'),
  daysLeft: z.number().int().describe('Calendar days from today to the deadline (negative when passed).'),
  origin: z.enum(['coordinator', 'patient']),
  patient: PatientOut,
  preferences: z.object({ maxDistanceKm: z.number().optional(), unavailableDates: z.array(z.string()).optional(), language: z.string().optional(), accessibilityNeeds: z.string().optional(), notes: z.string().optional() }),
  waitingRecordId: z.string().nullable(),
  openedBy: z.string(),
  openedAt: z.string(),
  updatedAt: z.string(),
  chosenRequestId: z.string().nullable(),
  referral: z.object({ id: z.string(), payingRegionCode: z.string(), validUntil: z.string() }).nullable()
    .describe('The referral and the home region’s payment commitment (betalningsförbindelse, valid one year), once the patient has chosen.'),
  bookedDate: z.string().nullable(),
  completedOn: z.string().nullable(),
  outcome: z.string().nullable(),
  end: z.object({ reason: z.string(), comment: z.string().nullable(), at: z.string() }).nullable(),
  allowedEvents: z.array(z.enum(CASE_EVENTS)).describe('What the state machine allows now.'),
  requests: z.array(RequestOut),
});

const caseExample = {
  id: EXAMPLE_CASE_ID, status: 'offered', version: 4, regionCode: '25', serviceId: 'knee-replacement', guaranteeKind: 'treatment', clockStart: '2026-07-01',
  deadline: '2026-09-29', daysLeft: -58, origin: 'coordinator',
  patient: { personnummer: '19121212-1212', masked: '19121212-****', name: 'Tolvan Tolvansson', phone: '070-123 45 67', birthYear: 1912, sex: 'M', homeMunicipality: '2580' },
  preferences: { maxDistanceKm: 800, language: 'svenska' }, waitingRecordId: null, openedBy: 'demo-coordinator-25', openedAt: '2026-11-26T08:00:00.000Z',
  updatedAt: '2026-11-26T13:02:00.000Z', chosenRequestId: null, referral: null, bookedDate: null, completedOn: null, outcome: null, end: null,
  allowedEvents: ['request_sent', 'offer_received', 'offers_withdrawn', 'requests_exhausted', 'choose', 'cancel', 'close_unresolved'], requests: [requestExample],
};

const CaseList = z.object({ items: z.array(CaseOut), nextCursor: z.string().nullable() });
const ProviderCaseOut = z.object({
  id: z.string().uuid(), status: z.enum(CASE_STATUSES), serviceId: z.string(), guaranteeKind: z.string(), clockStart: z.string(), deadline: z.string(), daysLeft: z.number().int(),
  homeRegionCode: z.string(), homeMunicipality: z.string(), patient: PatientOut, preferences: CaseOut.shape.preferences,
});
const InboxItemOut = RequestOut.extend({ case: ProviderCaseOut.describe('The case as the receiving provider may see it: no identity until the patient has chosen it.') });
const inboxExample = {
  ...requestExample, status: 'pending', version: 1, answeredAt: null, offeredDate: null, allowedEvents: ['accept', 'decline', 'expire', 'withdraw'],
  case: {
    id: EXAMPLE_CASE_ID, status: 'requested', serviceId: 'knee-replacement', guaranteeKind: 'treatment', clockStart: '2026-07-01', deadline: '2026-09-29', daysLeft: -58,
    homeRegionCode: '25', homeMunicipality: '2580',
    patient: { personnummer: null, masked: '1912****-****', name: null, phone: null, birthYear: 1912, sex: 'M', homeMunicipality: '2580' },
    preferences: { maxDistanceKm: 800 },
  },
};
const InboxList = z.object({ items: z.array(InboxItemOut), nextCursor: z.string().nullable() });
const HistoryOut = z.object({
  items: z.array(z.object({
    at: z.string(), action: z.string(), outcome: z.string(),
    actor: z.object({ subject: z.string(), roles: z.array(z.string()), regionCode: z.string().nullable(), organizationId: z.string().nullable(), unitHsaId: z.string().nullable() }),
    details: z.record(z.string(), z.unknown()),
  })),
});

function casePage<T>(r: { items: T[]; next?: { deadline: string; id: string } }) {
  return { items: r.items, nextCursor: r.next ? encodeCursor(`${r.next.deadline}|${r.next.id}`) : null };
}

function afterOf<K extends string>(cursor: string | undefined, first: K): ({ [P in K]: string } & { id: string }) | undefined {
  const raw = decodeCursor(cursor);
  if (raw === undefined) return undefined;
  const [a, id] = raw.split('|');
  if (!a || !id) throw new AppError('bad_request', 'The cursor is not one this API gave out; start again without cursor.');
  return { [first]: a, id } as { [P in K]: string } & { id: string };
}

const statusList = <T extends string>(values: readonly T[]) =>
  z.string().max(200).optional().transform((s, ctx) => {
    if (s === undefined) return undefined;
    const list = s.split(',').map((x) => x.trim()).filter(Boolean);
    for (const x of list) if (!(values as readonly string[]).includes(x)) {
      ctx.addIssue({ code: 'custom', message: `${x} is not a status; use ${values.join(', ')}` });
      return z.NEVER;
    }
    return list as T[];
  });

/** Brokering: cases for patients and requests to receiving units (contract, "Brokering"). */
export function casesRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const deps: cases.BrokeringDeps = { db: s.database.db, patients: s.patients };
    const writes = writeRateLimit(s.config);

    r.post('/cases', {
      config: { access: COORDINATOR, rateLimit: writes },
      schema: {
        tags: ['Brokering'], summary: 'Open a case for a patient', operationId: 'openCase',
        description: 'The coordinator of the patient’s home region opens a case for one service, from the clock start (or from a waiting episode of the region). ' +
          'The deadline is the clock start plus the guarantee’s limit (and the episode’s excluded days). The identity is validated, encrypted at rest and audited; ' +
          'one open case per patient and service (409 for a second).',
        body: OpenCaseIn.meta({ examples: [{ serviceId: 'knee-replacement', clockStart: '2026-07-01', patient: { personnummer: '19121212-1212', name: 'Tolvan Tolvansson', homeMunicipality: '2580' }, preferences: { maxDistanceKm: 800 } }] }),
        response: { 201: CaseOut.meta({ examples: [{ ...caseExample, status: 'open', version: 1, requests: [], allowedEvents: ['request_sent', 'cancel', 'close_unresolved'] }] }) },
      },
    }, async (request, reply) => {
      const c = await cases.openCase(deps, request.ctx, request.body);
      reply.code(201).header('location', `/api/v1/cases/${c.id}`).header('etag', etag(c.version));
      return c;
    });

    r.get('/cases', {
      config: { access: CASE_READERS },
      schema: {
        tags: ['Brokering'], summary: 'List cases', operationId: 'listCases',
        description: 'A coordinator gets its region’s cases, an admin all; soonest deadline first. Lists carry no identities (open a case to see the patient; that read is audited).',
        querystring: z.object({ status: statusList(CASE_STATUSES).describe('One or more statuses, comma-separated.'), ...PageQuery }),
        response: { 200: CaseList.meta({ examples: [{ items: [{ ...caseExample, patient: { ...caseExample.patient, personnummer: null, masked: '1912****-****', name: null, phone: null }, requests: [] }], nextCursor: null }] }) },
      },
    }, async (request) => casePage(await cases.listCases(deps, request.ctx, { statuses: request.query.status, after: afterOf(request.query.cursor, 'deadline'), limit: request.query.limit })));

    r.get('/cases/:id', {
      config: { access: CASE_READERS },
      schema: {
        tags: ['Brokering'], summary: 'Get a case with its requests', operationId: 'getCase',
        description: 'The coordinator of the home region sees the patient’s identity; an admin does not. Every read is audited. Another region’s case is 404.',
        params: Id, response: { 200: CaseOut.meta({ examples: [caseExample] }) },
      },
    }, async (request, reply) => {
      const c = await cases.getCase(deps, request.ctx, request.params.id);
      reply.header('etag', etag(c.version));
      return c;
    });

    r.get('/cases/:id/history', {
      config: { access: CASE_READERS },
      schema: {
        tags: ['Brokering'], summary: 'The audited timeline of a case', operationId: 'getCaseHistory',
        description: 'Every audited event of the case, oldest first: who did what and when (reads included).',
        params: Id,
        response: { 200: HistoryOut.meta({ examples: [{ items: [{ at: '2026-11-26T08:00:00.000Z', action: 'case.open', outcome: 'success', actor: { subject: 'demo-coordinator-25', roles: ['coordinator'], regionCode: '25', organizationId: null, unitHsaId: null }, details: { serviceId: 'knee-replacement', deadline: '2026-09-29' } }] }] }) },
      },
    }, async (request) => ({ items: await cases.caseHistory(deps, request.ctx, request.params.id) }));

    r.post('/cases/:id/requests', {
      config: { access: COORDINATOR, rateLimit: writes },
      schema: {
        tags: ['Brokering'], summary: 'Send a request to a receiving unit', operationId: 'sendRequest',
        description: 'The unit must offer the service and, outside the home region, accept patients from other regions. ' +
          'respondBy defaults to two Swedish working days (public holidays counted); unanswered requests expire then and the coordinator is told. One open request per unit.',
        params: Id, headers: IfMatch,
        body: z.object({
          unitHsaId: z.string().min(1).max(40),
          respondBy: z.string().datetime({ offset: true }).optional().describe('ISO 8601 with offset; at least an hour and at most 14 days ahead.'),
        }).strict().meta({ examples: [{ unitHsaId: 'SE2321000016-E0042' }] }),
        response: { 201: RequestOut.meta({ examples: [{ ...requestExample, status: 'pending', version: 1, answeredAt: null, offeredDate: null, allowedEvents: ['accept', 'decline', 'expire', 'withdraw'] }] }) },
      },
    }, async (request, reply) => {
      const req = await requests.sendRequest(deps, request.ctx, request.params.id, request.body, parseIfMatch(request.headers['if-match']));
      reply.code(201).header('location', `/api/v1/requests/${req.id}`).header('etag', etag(req.version));
      return req;
    });

    const caseAction = <B extends z.ZodTypeAny>(path: string, opts: { operationId: string; summary: string; description: string; body: B; example: z.input<B>; access?: typeof COORDINATOR | typeof CARE_PARTIES }, run: (id: string, body: z.output<B>, version: number | undefined, ctx: RequestContext) => Promise<CaseView>) =>
      r.post(`/cases/:id/${path}`, {
        config: { access: opts.access ?? COORDINATOR, rateLimit: writes },
        schema: {
          tags: ['Brokering'], summary: opts.summary, operationId: opts.operationId, description: opts.description, params: Id, headers: IfMatch,
          body: opts.body.meta({ examples: [opts.example] }), response: { 200: CaseOut.meta({ examples: [caseExample] }) },
        },
      }, async (request, reply) => {
        const c = await run(request.params.id, request.body as z.output<B>, parseIfMatch(request.headers['if-match']), request.ctx);
        reply.header('etag', etag(c.version));
        return c;
      });

    caseAction('choose', {
      operationId: 'chooseOffer', summary: 'Record the patient’s choice of an accepted offer',
      description: 'The chosen request becomes chosen, every other open request is withdrawn (their providers are told), and the referral with the home region’s payment commitment (valid one year) is recorded. At most one choice per case, whatever the concurrency.',
      body: z.object({ requestId: z.string().uuid() }).strict(), example: { requestId: EXAMPLE_REQUEST_ID },
    }, (id, b, v, ctx) => cases.chooseOffer(deps, ctx, id, b.requestId, v));

    caseAction('book', {
      operationId: 'bookCase', summary: 'Book (or re-book) the date', access: CARE_PARTIES,
      description: 'The coordinator, or the provider the patient chose, records the booked date (today or later).',
      body: z.object({ date: DATE }).strict(), example: { date: '2026-12-14' },
    }, (id, b, v, ctx) => cases.bookCase(deps, ctx, id, b.date, v));

    caseAction('complete', {
      operationId: 'completeCase', summary: 'Record that the care was given, with its outcome', access: CARE_PARTIES,
      description: `The coordinator, or the provider the patient chose. outcome: ${OUTCOMES.join(', ')} (default treated).`,
      body: z.object({ completedOn: DATE, outcome: z.enum(OUTCOMES).optional() }).strict(), example: { completedOn: '2026-12-14', outcome: 'treated' },
    }, (id, b, v, ctx) => cases.completeCase(deps, ctx, id, b.completedOn, b.outcome, v));

    caseAction('cancel', {
      operationId: 'cancelCase', summary: 'Cancel the case',
      description: `Until it is completed, with a reason (${CANCEL_REASONS.join(', ')}; a comment is required for other). Open requests are withdrawn.`,
      body: z.object({ reasonCode: z.enum(CANCEL_REASONS), comment: z.string().min(1).max(1000).optional() }).strict(), example: { reasonCode: 'treated_at_home_unit' },
    }, (id, b, v, ctx) => cases.endCase(deps, ctx, id, 'cancel', b.reasonCode, b.comment, v));

    caseAction('close', {
      operationId: 'closeCaseUnresolved', summary: 'Close the case unresolved',
      description: `Before the patient has chosen, with a reason (${CLOSE_REASONS.join(', ')}; a comment is required for other). Open requests are withdrawn.`,
      body: z.object({ reasonCode: z.enum(CLOSE_REASONS), comment: z.string().min(1).max(1000).optional() }).strict(), example: { reasonCode: 'no_capacity_found' },
    }, (id, b, v, ctx) => cases.endCase(deps, ctx, id, 'close_unresolved', b.reasonCode, b.comment, v));

    r.get('/requests', {
      config: { access: INBOX_READERS },
      schema: {
        tags: ['Brokering'], summary: 'The provider’s request inbox', operationId: 'listRequests',
        description: 'Requests to the caller’s organisation (or its one unit), soonest respond-by first, with the case as the provider may see it: service, deadline, preferences — no identity. An admin sees all.',
        querystring: z.object({ status: statusList(REQUEST_STATUSES).describe('One or more statuses, comma-separated, e.g. pending.'), ...PageQuery }),
        response: { 200: InboxList.meta({ examples: [{ items: [inboxExample], nextCursor: null }] }) },
      },
    }, async (request) => {
      const res = await requests.listInbox(deps, request.ctx, { statuses: request.query.status, after: afterOf(request.query.cursor, 'respondBy'), limit: request.query.limit });
      return { items: res.items, nextCursor: res.next ? encodeCursor(`${res.next.respondBy}|${res.next.id}`) : null };
    });

    r.get('/requests/:id', {
      config: { access: REQUEST_READERS },
      schema: {
        tags: ['Brokering'], summary: 'Get a request', operationId: 'getRequest',
        description: 'Its provider (the patient’s identity only once the patient has chosen it; that read is audited) or the coordinator of its case. Anyone else gets 404.',
        params: Id, response: { 200: InboxItemOut.meta({ examples: [inboxExample] }) },
      },
    }, async (request, reply) => {
      const item = await requests.getRequest(deps, request.ctx, request.params.id);
      reply.header('etag', etag(item.version));
      return item;
    });

    const requestAction = <B extends z.ZodTypeAny>(path: string, opts: { operationId: string; summary: string; description: string; body: B; example: z.input<B> }, run: (id: string, body: z.output<B>, version: number | undefined, ctx: RequestContext) => Promise<InboxItem>) =>
      r.post(`/requests/:id/${path}`, {
        config: { access: PROVIDER, rateLimit: writes },
        schema: {
          tags: ['Brokering'], summary: opts.summary, operationId: opts.operationId, description: opts.description, params: Id, headers: IfMatch,
          body: opts.body.meta({ examples: [opts.example] }), response: { 200: InboxItemOut.meta({ examples: [inboxExample] }) },
        },
      }, async (request, reply) => {
        const item = await run(request.params.id, request.body as z.output<B>, parseIfMatch(request.headers['if-match']), request.ctx);
        reply.header('etag', etag(item.version));
        return item;
      });

    requestAction('accept', {
      operationId: 'acceptRequest', summary: 'Accept with an offered date',
      description: 'The receiving provider offers a date, today or later and not after the patient’s deadline (else decline with cannot_meet_deadline). At most once, whatever the concurrency.',
      body: z.object({ offeredDate: DATE }).strict(), example: { offeredDate: '2026-12-14' },
    }, (id, b, v, ctx) => requests.acceptRequest(deps, ctx, id, b.offeredDate, v));

    requestAction('decline', {
      operationId: 'declineRequest', summary: 'Decline with a reason',
      description: `reasonCode: ${DECLINE_REASONS.join(', ')}; a comment is required for other.`,
      body: z.object({ reasonCode: z.enum(DECLINE_REASONS), comment: z.string().min(1).max(1000).optional() }).strict(), example: { reasonCode: 'no_capacity' },
    }, (id, b, v, ctx) => requests.declineRequest(deps, ctx, id, b.reasonCode, b.comment, v));

    r.post('/requests/:id/withdraw', {
      config: { access: COORDINATOR, rateLimit: writes },
      schema: {
        tags: ['Brokering'], summary: 'Withdraw a request', operationId: 'withdrawRequest',
        description: 'The coordinator of the case takes a pending or accepted request back; the answer is the case.',
        params: Id, headers: IfMatch, response: { 200: CaseOut.meta({ examples: [caseExample] }) },
      },
    }, async (request, reply) => {
      const c = await requests.withdrawRequest(deps, request.ctx, request.params.id, parseIfMatch(request.headers['if-match']));
      reply.header('etag', etag(c.version));
      return c;
    });
  };
}

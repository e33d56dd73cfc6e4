import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOpenApi } from '../scripts/write-openapi.js';
import { luhnCheckDigit } from '../src/domain/luhn.js';
import type { Principal, TokenRole } from '../src/domain/roles.js';
import { anchorAuditChains } from '../src/services/audit.service.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { freshPersonnummer } from './helpers/brokering.js';
import { targets } from './helpers/db.js';

/** One request; headers are added to the caller's Authorization. */
interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  payload?: unknown;
}
interface Factory {
  /** A fresh, valid request: a permitted caller must succeed with it. */
  make(): Promise<Call>;
  /** When a permitted caller cannot get a 2xx/3xx in the test setup: the status it gets instead, and why. */
  permitted?: { status: number; why: string };
  /** The Authorization header is read as client credentials here (RFC 6749 §2.3.1), so the walk sends no bearer token. */
  clientAuthentication?: true;
}

interface Operation {
  operationId: string;
  'x-nvf-access': 'public' | TokenRole[];
}

const CALLERS: { name: string; principal?: Partial<Principal> & { roles: TokenRole[] } }[] = [
  { name: 'no token' },
  { name: 'patient', principal: { roles: ['patient'], subject: 'demo-patient-1' } }, // a demo patient: has a (synthetic) identity
  { name: 'coordinator', principal: { roles: ['coordinator'], regionCode: '01' } },
  { name: 'provider', principal: { roles: ['provider'], organizationId: 'region-01' } },
  { name: 'region-reporter', principal: { roles: ['region-reporter'], regionCode: '01' } },
  { name: 'analyst', principal: { roles: ['analyst'] } },
  { name: 'admin', principal: { roles: ['admin'] } },
];

const HIDDEN = ['/metrics', '/api/openapi.json', '/api/docs'];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

// Fresh identifiers per call: a random prefix per run (several targets share nothing, but re-runs should not collide either).
// 200–899: the third digit of an organisation number must be ≥ 2, and the demo companies use 559…
const run = crypto.randomInt(200, 900);
let counter = 0;
function freshOrganizationNumber(): string {
  const nine = `55${run}${String(++counter).padStart(4, '0')}`;
  const ten = `${nine}${luhnCheckDigit(nine)}`;
  return `${ten.slice(0, 6)}-${ten.slice(6)}`;
}
const freshSlug = (kind: string) => `walk-${kind}-${run}-${++counter}`;

/** Parse fastify's printRoutes({ commonPrefix: false }) tree into "METHOD /path" lines. */
function registeredRoutes(tree: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = `${stack[depth - 1] ?? ''}${m[2]}`;
    stack[depth] = path;
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD' && method !== 'OPTIONS') out.push(`${method} ${path}`);
  }
  return out;
}

describe.each(targets)('access declarations on %s', (target) => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, Operation>> };
  let admin: { authorization: string };
  let serviceId: string;
  let unitHsaId: string;

  const json = async (call: Call, headers: Record<string, string> = admin) => t.app.inject({ ...call, headers: { ...headers, ...call.headers }, payload: call.payload as string | object | undefined });
  const createdOrganization = async () => (await json({ method: 'POST', url: '/api/v1/organizations', payload: { name: `Walk Vård ${++counter} AB`, organizationNumber: freshOrganizationNumber(), kind: 'private' } })).json() as { id: string; version: number };
  const createdService = async () => (await json({ method: 'POST', url: '/api/v1/services', payload: { id: freshSlug('svc'), name: { sv: 'Promenadtjänst', en: 'Walk service' }, contactType: 'first_visit', specialty: 'orthopaedics' } })).json() as { id: string; version: number };
  const newUnit = () => {
    const orgNumber = freshOrganizationNumber().replace('-', '');
    return { hsaId: `SE${orgNumber}-W${++counter}`, name: `Walk mottagning ${counter}`, organizationId: 'region-01', municipalityCode: '0180', kind: 'clinic', serviceIds: [serviceId] };
  };

  /** A unit of organisation region-01 in region 01 with a service: the provider and region-reporter callers may report for it. */
  const waitingListCsv = async () => {
    const u = await region01Unit();
    const key = crypto.createHash('sha256').update(`walk-${run}-${++counter}`).digest('hex');
    return `record_id,region_code,unit_hsa_id,service_id,patient_key,sex,birth_year,home_municipality,clock_start,patient_chosen_days,medical_pause_days,status\nwalk-${run}-${counter},01,${u.hsaId},${u.serviceIds[0]},${key},F,1960,0180,2025-01-02,0,0,waiting\n`;
  };
  const region01Unit = async () => {
    const units = (await json({ method: 'GET', url: '/api/v1/units?organization=region-01&region=01&limit=50' }, {})).json() as { items: { hsaId: string; serviceIds: string[] }[] };
    return units.items.find((u) => u.serviceIds.length > 0)!;
  };

  // Brokering: cases of region 01 (the walk's coordinator) with requests to a unit of organisation region-01 (the walk's provider).
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const coordinator01 = () => t.auth({ roles: ['coordinator'], regionCode: '01' });
  const provider01 = () => t.auth({ roles: ['provider'], organizationId: 'region-01' });
  const openedCase = async () => {
    const u = await region01Unit();
    const c = (await json({ method: 'POST', url: '/api/v1/cases', payload: { serviceId: u.serviceIds[0], clockStart: day(-30), patient: { personnummer: freshPersonnummer(), homeMunicipality: '0180' } } }, await coordinator01())).json() as { id: string };
    return { caseId: c.id, unit: u };
  };
  const caseWithRequest = async (stage: 'pending' | 'accepted' | 'chosen' | 'booked') => {
    const { caseId, unit } = await openedCase();
    const coordinator = await coordinator01();
    const r = (await json({ method: 'POST', url: `/api/v1/cases/${caseId}/requests`, payload: { unitHsaId: unit.hsaId } }, coordinator)).json() as { id: string };
    if (stage !== 'pending') await json({ method: 'POST', url: `/api/v1/requests/${r.id}/accept`, payload: { offeredDate: day(7) } }, await provider01());
    if (stage === 'chosen' || stage === 'booked') await json({ method: 'POST', url: `/api/v1/cases/${caseId}/choose`, payload: { requestId: r.id } }, coordinator);
    if (stage === 'booked') await json({ method: 'POST', url: `/api/v1/cases/${caseId}/book`, payload: { date: day(7) } }, coordinator);
    return { caseId, requestId: r.id, unit };
  };

  /** A computed month (last month) with one figure, as the statistics computation would leave it; once per run. */
  let statisticsDone: Promise<void> | undefined;
  const statisticsReady = () =>
    (statisticsDone ??= (async () => {
      const db = t.database.db;
      const period = day(-32).slice(0, 7);
      if (await db.selectFrom('statistics_runs').select('id').where('period', '=', period).executeTakeFirst()) return;
      await db.insertInto('indicator_values').values({ indicator_id: 'waiting_count', period, guarantee_kind: 'treatment', revision: 1, value: 12, numerator_count: 12, computed_at: new Date() }).execute();
      await db.insertInto('statistics_runs').values({ period, started_at: new Date(), finished_at: new Date(), triggered_by: 'access-walk' }).execute();
      await db.updateTable('statistics_version').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', 1).execute();
      await t.app.pollCaches();
    })());

  /** One factory per operationId; an operation without one fails the walk, so new routes must add theirs. */
  const FACTORIES: Record<string, Factory> = {
    getHealth: { make: async () => ({ method: 'GET', url: '/health' }) },
    getJwks: { make: async () => ({ method: 'GET', url: '/.well-known/jwks.json' }) },
    createToken: {
      clientAuthentication: true,
      make: async () => ({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: 'demo-analyst', client_secret: 'demo' } }),
    },
    listRegions: { make: async () => ({ method: 'GET', url: '/api/v1/regions' }) },
    listContentPages: { make: async () => ({ method: 'GET', url: '/api/v1/content?lang=sv' }) },
    getContentPage: { make: async () => ({ method: 'GET', url: '/api/v1/content/dina-rattigheter?lang=en' }) },
    searchContent: { make: async () => ({ method: 'GET', url: '/api/v1/content/search?q=ivo&lang=sv' }) },
    listMunicipalities: { make: async () => ({ method: 'GET', url: '/api/v1/municipalities?region=01' }) },
    listOrganizations: { make: async () => ({ method: 'GET', url: '/api/v1/organizations?limit=5' }) },
    getOrganization: { make: async () => ({ method: 'GET', url: '/api/v1/organizations/region-01' }) },
    createOrganization: { make: async () => ({ method: 'POST', url: '/api/v1/organizations', payload: { name: `Walk Ny ${++counter} AB`, organizationNumber: freshOrganizationNumber(), kind: 'private' } }) },
    updateOrganization: {
      make: async () => {
        const org = await createdOrganization();
        return { method: 'PATCH', url: `/api/v1/organizations/${org.id}`, headers: { 'if-match': `"v${org.version}"` }, payload: { name: `Walk Ändrad ${++counter} AB` } };
      },
    },
    listServices: { make: async () => ({ method: 'GET', url: '/api/v1/services' }) },
    getService: { make: async () => ({ method: 'GET', url: `/api/v1/services/${serviceId}` }) },
    createService: { make: async () => ({ method: 'POST', url: '/api/v1/services', payload: { id: freshSlug('new'), name: { sv: 'Ny tjänst', en: 'New service' }, contactType: 'treatment', specialty: 'orthopaedics' } }) },
    updateService: {
      make: async () => {
        const svc = await createdService();
        return { method: 'PATCH', url: `/api/v1/services/${svc.id}`, headers: { 'if-match': `"v${svc.version}"` }, payload: { kvaCodes: ['NGB49'] } };
      },
    },
    listUnits: { make: async () => ({ method: 'GET', url: `/api/v1/units?region=01&service=${serviceId}` }) },
    getUnit: { make: async () => ({ method: 'GET', url: `/api/v1/units/${unitHsaId}` }) },
    createUnit: { make: async () => ({ method: 'POST', url: '/api/v1/units', payload: newUnit() }) },
    updateUnit: {
      make: async () => {
        const unit = (await json({ method: 'POST', url: '/api/v1/units', payload: newUnit() })).json() as { hsaId: string; version: number };
        return { method: 'PATCH', url: `/api/v1/units/${unit.hsaId}`, headers: { 'if-match': `"v${unit.version}"` }, payload: { name: `Walk ändrad ${++counter}` } };
      },
    },
    putCapacityReport: {
      make: async () => {
        const u = await region01Unit();
        return { method: 'PUT', url: `/api/v1/units/${u.hsaId}/capacity/${u.serviceIds[0]}`, payload: { expectedWaitDays: 30, weeklyCapacityForOtherRegions: 2, acceptsOtherRegions: true, validFrom: new Date().toISOString().slice(0, 10) } };
      },
    },
    getUnitCapacity: { make: async () => ({ method: 'GET', url: `/api/v1/units/${unitHsaId}/capacity?history=true` }) },
    submitCapacity: {
      make: async () => {
        const u = await region01Unit();
        const csv = `unit_hsa_id,service_id,expected_wait_days,weekly_capacity_for_other_regions,accepts_other_regions,valid_from,comment\n${u.hsaId},${u.serviceIds[0]},${++counter % 365},1,true,${new Date().toISOString().slice(0, 10)},\n`;
        return { method: 'POST', url: '/api/v1/capacity/submissions', headers: { 'content-type': 'text/csv' }, payload: csv };
      },
    },
    submitWaitingList: {
      make: async () => ({ method: 'POST', url: '/api/v1/waiting-list/submissions?mode=delta', headers: { 'content-type': 'text/csv' }, payload: await waitingListCsv() }),
    },
    getWaitingListSubmission: {
      make: async () => {
        const reporter = await t.auth({ roles: ['region-reporter'], regionCode: '01' });
        const made = (await json({ method: 'POST', url: '/api/v1/waiting-list/submissions?mode=delta&dryRun=true', headers: { 'content-type': 'text/csv' }, payload: await waitingListCsv() }, reporter)).json() as { submissionId: string };
        return { method: 'GET', url: `/api/v1/waiting-list/submissions/${made.submissionId}` };
      },
    },
    verifyAudit: { make: async () => ({ method: 'GET', url: '/api/v1/audit/verify' }) },
    listAuditAnchors: { make: async () => ({ method: 'GET', url: '/api/v1/audit/anchors' }) },
    getAuditAnchor: {
      make: async () => {
        const { anchor } = await anchorAuditChains(t.database.db, t.clock);
        return { method: 'GET', url: `/api/v1/audit/anchors/${anchor.day}` };
      },
    },
    getPatientLog: { make: async () => ({ method: 'POST', url: '/api/v1/audit/patient-log', payload: { personnummer: freshPersonnummer() } }) },
    openCase: {
      make: async () => {
        const u = await region01Unit();
        return { method: 'POST', url: '/api/v1/cases', payload: { serviceId: u.serviceIds[0], clockStart: day(-30), patient: { personnummer: freshPersonnummer(), homeMunicipality: '0180' } } };
      },
    },
    listCases: { make: async () => ({ method: 'GET', url: '/api/v1/cases?status=open,requested&limit=5' }) },
    getCase: { make: async () => ({ method: 'GET', url: `/api/v1/cases/${(await openedCase()).caseId}` }) },
    getCaseHistory: { make: async () => ({ method: 'GET', url: `/api/v1/cases/${(await openedCase()).caseId}/history` }) },
    sendRequest: {
      make: async () => {
        const { caseId, unit } = await openedCase();
        return { method: 'POST', url: `/api/v1/cases/${caseId}/requests`, payload: { unitHsaId: unit.hsaId } };
      },
    },
    chooseOffer: {
      make: async () => {
        const { caseId, requestId } = await caseWithRequest('accepted');
        return { method: 'POST', url: `/api/v1/cases/${caseId}/choose`, payload: { requestId } };
      },
    },
    bookCase: { make: async () => ({ method: 'POST', url: `/api/v1/cases/${(await caseWithRequest('chosen')).caseId}/book`, payload: { date: day(7) } }) },
    completeCase: { make: async () => ({ method: 'POST', url: `/api/v1/cases/${(await caseWithRequest('booked')).caseId}/complete`, payload: { completedOn: day(0), outcome: 'treated' } }) },
    cancelCase: { make: async () => ({ method: 'POST', url: `/api/v1/cases/${(await openedCase()).caseId}/cancel`, payload: { reasonCode: 'no_longer_needed' } }) },
    closeCaseUnresolved: { make: async () => ({ method: 'POST', url: `/api/v1/cases/${(await openedCase()).caseId}/close`, payload: { reasonCode: 'no_capacity_found' } }) },
    askForCareElsewhere: {
      make: async () => {
        const services = (await json({ method: 'GET', url: '/api/v1/services?contactType=treatment' }, {})).json() as { items: { id: string }[] };
        return { method: 'POST', url: '/api/v1/patient/requests', payload: { serviceId: services.items[++counter % services.items.length]!.id, clockStart: day(-80) } };
      },
    },
    listMyCases: { make: async () => ({ method: 'GET', url: '/api/v1/patient/cases' }) },
    searchCapacity: { make: async () => ({ method: 'GET', url: `/api/v1/search?service=${serviceId}&municipality=0180` }) },
    listRequests: { make: async () => ({ method: 'GET', url: '/api/v1/requests?status=pending&limit=5' }) },
    getRequest: { make: async () => ({ method: 'GET', url: `/api/v1/requests/${(await caseWithRequest('pending')).requestId}` }) },
    acceptRequest: { make: async () => ({ method: 'POST', url: `/api/v1/requests/${(await caseWithRequest('pending')).requestId}/accept`, payload: { offeredDate: day(7) } }) },
    declineRequest: { make: async () => ({ method: 'POST', url: `/api/v1/requests/${(await caseWithRequest('pending')).requestId}/decline`, payload: { reasonCode: 'no_capacity' } }) },
    withdrawRequest: { make: async () => ({ method: 'POST', url: `/api/v1/requests/${(await caseWithRequest('pending')).requestId}/withdraw` }) },
    getWaitingTimes: { make: async () => ({ method: 'GET', url: `/api/v1/waiting-times?service=${serviceId}` }) },
    listAtRiskEpisodes: { make: async () => ({ method: 'GET', url: '/api/v1/waiting-list/at-risk?region=01' }) },
    getMe: { make: async () => ({ method: 'GET', url: '/api/v1/me' }) },
    logout: { make: async () => ({ method: 'POST', url: '/auth/logout' }) },
    listDemoPeople: { make: async () => ({ method: 'GET', url: '/auth/demo/people' }) },
    demoLogin: {
      make: async () => {
        const people = (await json({ method: 'GET', url: '/auth/demo/people' }, {})).json() as { items: { id: string }[] };
        return { method: 'POST', url: '/auth/demo/login', payload: { personId: people.items[0]!.id } };
      },
    },
    // Notifications. A subscription belongs to the caller's own region or organisation, so these factories shape the
    // request for the caller: the walk calls make() once per caller, in the order of CALLERS.
    createWebhook: {
      make: (() => {
        let n = 0;
        return async () => {
          const caller = CALLERS[n++ % CALLERS.length]!;
          const owner = caller.principal?.roles.includes('admin') ? { regionCode: '01' } : {};
          return { method: 'POST', url: '/api/v1/webhooks', payload: { url: `https://hooks.example/walk-${++counter}`, ...owner } };
        };
      })(),
    },
    listWebhooks: { make: async () => ({ method: 'GET', url: '/api/v1/webhooks' }) },
    deleteWebhook: {
      make: (() => {
        let n = 0;
        return async () => {
          const caller = CALLERS[n++ % CALLERS.length]!;
          const owner = caller.principal?.roles.includes('provider') ? { organizationId: 'region-01' } : { regionCode: '01' };
          const sub = (await json({ method: 'POST', url: '/api/v1/webhooks', payload: { url: `https://hooks.example/walk-${++counter}`, ...owner } })).json() as { id: string };
          return { method: 'DELETE', url: `/api/v1/webhooks/${sub.id}` };
        };
      })(),
    },
    listDeadLetters: { make: async () => ({ method: 'GET', url: '/api/v1/webhooks/dead-letters?limit=5' }) },
    retryDeadLetter: {
      make: async () => {
        // a delivery that has died: a subscription, an event of a new case, and its delivery given up
        const sub = (await json({ method: 'POST', url: '/api/v1/webhooks', payload: { url: `https://hooks.example/walk-${++counter}`, regionCode: '01' } })).json() as { id: string };
        const { caseId } = await openedCase();
        const event = await t.database.db.selectFrom('outbox_events').select(['seq', 'id']).where('case_id', '=', caseId).orderBy('seq').executeTakeFirstOrThrow();
        const id = crypto.randomUUID();
        const at = new Date();
        await t.database.db.insertInto('webhook_deliveries').values({
          id, subscription_id: sub.id, event_seq: event.seq, event_id: event.id, case_id: caseId, status: 'dead', attempts: 31, next_attempt_at: at, give_up_at: at, dead_at: at, created_at: at,
        }).execute();
        return { method: 'POST', url: `/api/v1/webhooks/dead-letters/${id}/retry` };
      },
    },
    streamEvents: { make: async () => ({ method: 'GET', url: '/api/v1/events/stream?once=true&after=0' }) },
    startLogin: { permitted: { status: 404, why: 'no identity provider is configured in tests' }, make: async () => ({ method: 'GET', url: '/auth/login' }) },
    finishLogin: { permitted: { status: 404, why: 'no identity provider is configured in tests' }, make: async () => ({ method: 'GET', url: '/auth/callback?code=x&state=y' }) },
    // Statistics and follow-up: answered from indicator_values, so a computed month must exist (statisticsReady).
    listStatisticsPeriods: { make: async () => (await statisticsReady(), { method: 'GET', url: '/api/v1/stats/periods' }) },
    listIndicators: { make: async () => ({ method: 'GET', url: '/api/v1/stats/indicators' }) },
    getStatisticsOverview: { make: async () => (await statisticsReady(), { method: 'GET', url: '/api/v1/stats/overview?region=01' }) },
    getBrokeringStatistics: { make: async () => (await statisticsReady(), { method: 'GET', url: '/api/v1/stats/brokering' }) },
    getStatisticsSeries: { make: async () => (await statisticsReady(), { method: 'GET', url: '/api/v1/stats/series?indicator=waiting_count&guaranteeKind=treatment' }) },
    getStatisticsByRegion: { make: async () => (await statisticsReady(), { method: 'GET', url: '/api/v1/stats/regions?indicator=waiting_count&guaranteeKind=treatment' }) },
    getStatisticsBreakdown: { make: async () => (await statisticsReady(), { method: 'GET', url: '/api/v1/stats/breakdown?indicator=waiting_count&guaranteeKind=treatment&breakdown=sex' }) },
    getProviderStatistics: { make: async () => ({ method: 'GET', url: '/api/v1/stats/provider?organization=region-01' }) },
    listGoals: { make: async () => ({ method: 'GET', url: '/api/v1/follow-up/goals' }) },
    putGoal: {
      make: async () => ({ method: 'PUT', url: `/api/v1/follow-up/goals/${freshSlug('goal')}`, payload: { indicatorId: 'connected_systems', comparator: 'gte', target: 1, dueDate: day(365), title: { sv: 'Promenadmål', en: 'Walk goal' } } }),
    },
    getScorecard: { make: async () => (await statisticsReady(), { method: 'GET', url: '/api/v1/follow-up/scorecard' }) },
    getDataQuality: { make: async () => (await statisticsReady(), { method: 'GET', url: '/api/v1/follow-up/data-quality' }) },
    listOpenData: { make: async () => ({ method: 'GET', url: '/api/v1/open-data' }) },
    getOpenDataJson: { make: async () => (await statisticsReady(), { method: 'GET', url: '/api/v1/open-data/waits.json' }) },
    getOpenDataCsv: { make: async () => (await statisticsReady(), { method: 'GET', url: '/api/v1/open-data/guarantee-compliance.csv' }) },
    getOpenDataDictionary: { make: async () => ({ method: 'GET', url: '/api/v1/open-data/equity/dictionary' }) },
    startCitizenLogin: { permitted: { status: 404, why: 'no citizen identity provider is configured in tests' }, make: async () => ({ method: 'GET', url: '/auth/citizen/login' }) },
    finishCitizenLogin: { permitted: { status: 404, why: 'no citizen identity provider is configured in tests' }, make: async () => ({ method: 'GET', url: '/auth/citizen/callback?code=x&state=y' }) },
  };

  beforeAll(async () => {
    t = await startTestApp(target);
    admin = await t.auth({ roles: ['admin'] });
    doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const units = (await t.app.inject({ method: 'GET', url: '/api/v1/units?region=01&limit=50' })).json() as { items: { hsaId: string; serviceIds: string[] }[] };
    const offered = units.items.find((u) => u.serviceIds.length > 0)!;
    unitHsaId = offered.hsaId;
    serviceId = offered.serviceIds[0]!;
  });
  afterAll(async () => t?.close());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path, op: item[m]! })));

  it('has a request factory for every operation in the document', () => {
    const missing = operations().filter(({ op }) => !FACTORIES[op.operationId]).map(({ method, path, op }) => `${op.operationId} (${method} ${path})`);
    expect(missing, 'add a request factory to FACTORIES in test/access.test.ts').toEqual([]);
    const stale = Object.keys(FACTORIES).filter((id) => !operations().some(({ op }) => op.operationId === id));
    expect(stale, 'factories for operations that no longer exist').toEqual([]);
  });

  it('answers every operation for every caller as its x-nvf-access declares', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const { method, path, op } of operations()) {
      const factory = FACTORIES[op.operationId];
      if (!factory) continue; // reported by the test above
      const access = op['x-nvf-access'];
      expect(access, `${op.operationId} declares no x-nvf-access`).toBeDefined();
      for (const caller of CALLERS) {
        const call = await factory.make();
        expect(`${call.method} ${call.url.split('?')[0]}`, `${op.operationId} factory`).toMatch(new RegExp(`^${method} ${path.replace(/\{[^}]+\}/g, '[^/]+')}$`));
        const auth = caller.principal && !factory.clientAuthentication ? await t.auth(caller.principal) : {};
        const res = await json(call, auth);
        checked++;
        const permitted = access === 'public' || (caller.principal !== undefined && caller.principal.roles.some((r) => (access as string[]).includes(r)));
        const expected = permitted ? (factory.permitted ? String(factory.permitted.status) : '2xx/3xx') : caller.principal ? '403' : '401';
        const ok = permitted ? (factory.permitted ? res.statusCode === factory.permitted.status : res.statusCode >= 200 && res.statusCode < 400) : res.statusCode === Number(expected);
        if (!ok) failures.push(`${op.operationId} as ${caller.name}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (!permitted) expect(res.headers['content-type'], `${op.operationId} as ${caller.name}`).toMatch(/^application\/problem\+json/);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(operations().length * CALLERS.length);
  });

  it('the token endpoint reads Authorization as client credentials: a bearer token there is an invalid client', async () => {
    const res = await json(await FACTORIES.createToken!.make(), admin);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('hidden routes are public and answer without a token', async () => {
    for (const url of HIDDEN) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeLessThan(400);
    }
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/nvf_http_request_duration_seconds/);
    // A bad token is refused even on public routes: the caller should learn it is wrong.
    const bad = await t.app.inject({ method: 'GET', url: '/api/openapi.json', headers: { authorization: 'Bearer not-a-token' } });
    expect(bad.statusCode).toBe(401);
  });

  it('every registered API route is in the document unless hidden', () => {
    const documented = new Set(operations().map(({ method, path }) => `${method} ${path.replace(/\{([^}]+)\}/g, ':$1')}`));
    const routes = registeredRoutes(t.app.printRoutes({ commonPrefix: false }));
    const api = routes.filter((r) => /^\S+ \/(api\/v1|oauth|auth|\.well-known)(\/|$)/.test(r));
    expect(api.length).toBeGreaterThan(15);
    expect(api.filter((r) => !documented.has(r) && !HIDDEN.some((h) => r.endsWith(` ${h}`)))).toEqual([]);
    // and the other way round: the document describes nothing the app does not serve
    expect([...documented].filter((d) => !routes.includes(d))).toEqual([]);
  });

  it('serves the published document, but for the server URL', async () => {
    const published = await generateOpenApi();
    const served = doc as unknown as Record<string, unknown>;
    const strip = (d: Record<string, unknown>) => ({ ...d, servers: undefined, info: { ...(d.info as object), contact: undefined } });
    expect(strip(served)).toEqual(strip(published));
  });
});

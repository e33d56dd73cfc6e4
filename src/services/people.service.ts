import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Mode } from '../config.js';
import { AppError } from '../domain/errors.js';
import type { Principal, TokenRole } from '../domain/roles.js';
import { recordAudit } from './audit.service.js';
import type { RequestContext } from './context.js';
import type { TokenService } from './token.service.js';

/** A made-up person the demo login offers: one per role and scope, so every screen can be tried without an IdP. */
export interface DemoPerson {
  id: string;
  displayName: string;
  roles: TokenRole[];
  regionCode?: string;
  organizationId?: string;
  description: { sv: string; en: string };
}

/** Web sessions last a working day. */
export const WEB_SESSION_TTL_SECONDS = 8 * 3600;
/** The largest regions get a demo reporter; enough to try the upload screens without a list of 21 more people. */
const REPORTER_REGIONS = ['01', '12', '14'];
const DEMO_PATIENTS = 2;

/**
 * The synthetic identities of the demo patients (valid check digits, invented people) and where they live: patient 1 in
 * Luleå (Norrbotten, as in journey 2 of the design), patient 2 in Stockholm. Demo mode only.
 */
export const DEMO_PATIENT_IDENTITIES: Readonly<Record<string, { personnummer: string; homeMunicipality: string }>> = {
  'demo-patient-1': { personnummer: '19560314-2380', homeMunicipality: '2580' },
  'demo-patient-2': { personnummer: '19810927-4467', homeMunicipality: '0180' },
};

const notInProduction = (code: 'not_found' | 'forbidden'): AppError =>
  new AppError(code, 'Demo login does not exist in production mode; staff log in through the identity provider at /auth/login.');

/** The demo people, built from the regions and organisations in the database (so they follow the seeded data). */
export async function listDemoPeople(db: Kysely<DB>, mode: Mode): Promise<DemoPerson[]> {
  if (mode === 'production') throw notInProduction('not_found');
  const [regions, orgs] = await Promise.all([
    db.selectFrom('regions').select(['code', 'name']).orderBy('code').execute(),
    db
      .selectFrom('organizations')
      .select(['id', 'name', 'kind', 'region_code'])
      .where((eb) => eb.or([eb('kind', '=', 'region'), eb.and([eb('kind', '=', 'private'), eb('synthetic', '=', true)])]))
      .orderBy('kind')
      .orderBy('id')
      .execute(),
  ]);
  const people: DemoPerson[] = [
    {
      id: 'admin',
      displayName: 'Administratör (demo)',
      roles: ['admin'],
      description: { sv: 'Nationell förvaltning: katalog, klienter och granskningslogg.', en: 'National operator: directory, clients and the audit log.' },
    },
    {
      id: 'analyst',
      displayName: 'Analytiker (demo)',
      roles: ['analyst'],
      description: { sv: 'Nationell statistik och uppföljning.', en: 'National statistics and follow-up.' },
    },
    ...regions.map((r) => ({
      id: `coordinator-${r.code}`,
      displayName: `Samordnare, ${r.name} (demo)`,
      roles: ['coordinator' as const],
      regionCode: r.code,
      description: { sv: `Vårdgarantikansliet i ${r.name}: förmedlar vård för regionens patienter.`, en: `Care guarantee office of ${r.name}: brokers care for the region's patients.` },
    })),
    ...regions
      .filter((r) => REPORTER_REGIONS.includes(r.code))
      .map((r) => ({
        id: `reporter-${r.code}`,
        displayName: `Rapportör, ${r.name} (demo)`,
        roles: ['region-reporter' as const],
        regionCode: r.code,
        description: { sv: `Rapporterar väntelistor och kapacitet för ${r.name}.`, en: `Submits waiting lists and capacity for ${r.name}.` },
      })),
    ...orgs.map((o) => ({
      id: `provider-${o.id}`,
      displayName: `Vårdgivare, ${o.name} (demo)`,
      roles: ['provider' as const],
      organizationId: o.id,
      description:
        o.kind === 'region'
          ? { sv: `Tar emot förfrågningar till ${o.name}s enheter.`, en: `Answers requests to the units of ${o.name}.` }
          : { sv: `Privat vårdgivare med avtal: tar emot förfrågningar, bokar och rapporterar.`, en: 'Private provider under contract: answers requests, books and reports.' },
    })),
    ...Array.from({ length: DEMO_PATIENTS }, (_, i) => ({
      id: `patient-${i + 1}`,
      displayName: `Patient ${i + 1} (demo)`,
      roles: ['patient' as const],
      description: { sv: 'Invånare: ser sina egna ärenden.', en: 'Citizen: sees their own cases.' },
    })),
  ];
  return people;
}

/** The token subject of a demo person; patients get the subject their demo cases are linked to. */
export function demoSubject(person: DemoPerson): string {
  return person.roles.includes('patient') ? `demo-${person.id}` : `demo-person:${person.id}`;
}

export function demoPrincipal(person: DemoPerson): Principal {
  return {
    subject: demoSubject(person),
    roles: person.roles,
    regionCode: person.regionCode,
    organizationId: person.organizationId,
    displayName: person.displayName,
  };
}

/** Log a demo person in: a platform access token for the web session, and an audit event saying who and when. */
export async function demoLogin(
  db: Kysely<DB>,
  tokens: TokenService,
  ctx: RequestContext,
  mode: Mode,
  personId: string,
): Promise<{ principal: Principal; accessToken: string; expiresIn: number }> {
  if (mode === 'production') throw notInProduction('forbidden');
  const person = (await listDemoPeople(db, mode)).find((p) => p.id === personId);
  if (!person)
    throw new AppError('validation', `personId ${JSON.stringify(personId)} is not a demo person; pick an id from GET /auth/demo/people.`, {
      errors: [{ field: 'personId', message: 'is not the id of a demo person (see GET /auth/demo/people)' }],
    });
  const principal = demoPrincipal(person);
  const token = await tokens.sign(principal, WEB_SESSION_TTL_SECONDS);
  await db.transaction().execute((trx) =>
    recordAudit(trx, { ...ctx, principal }, { action: 'session.demo_login', entityType: 'session', entityId: principal.subject, details: { personId: person.id } }),
  );
  return { principal, accessToken: token.access_token, expiresIn: token.expires_in };
}

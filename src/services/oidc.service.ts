import * as client from 'openid-client';
import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Clock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import type { Principal, TokenRole } from '../domain/roles.js';
import { recordAudit } from './audit.service.js';
import type { RequestContext } from './context.js';
import { SIGNING_ALG, type KeyStore } from './keys.service.js';
import { WEB_SESSION_TTL_SECONDS } from './people.service.js';
import type { TokenService } from './token.service.js';
import type { PatientCrypto } from './patient-crypto.js';
import { parsePatientIdentity } from '../domain/patient-identity.js';
import { stockholmDay } from '../domain/clock.js';

/**
 * Staff login through an external OpenID Connect provider (authorization code flow with PKCE).
 *
 * Claim mapping (ID token claims → Principal); the IdP is configured to release these claims:
 * - roles: `nvf_roles`, else `roles` — an array, or a space-separated string. Only the staff roles
 *   coordinator, provider, region-reporter, analyst and admin are recognised; others are ignored.
 *   Without any recognised role the login is refused (403).
 * - region (coordinator, region-reporter): `nvf_region`, else `region` — the two-digit SCB county code.
 * - unit: `nvf_unit`, else `hsa_unit_id`, else `healthCareUnitHsaId` (HSA attribute) — a unit HSA-id in the directory.
 * - organisation (provider): `nvf_org`, else `org` — a directory organisation id; when absent it is taken from the unit.
 * - display name: `name`, else `given_name` + `family_name`.
 * - subject: `oidc:` + the IdP's `sub`.
 */
export const STAFF_ROLES: readonly TokenRole[] = ['coordinator', 'provider', 'region-reporter', 'analyst', 'admin'];

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** our issuer (the state cookie's issuer) */
  platformIssuer: string;
  /** `${publicUrl}/auth/callback` (staff) or `${publicUrl}/auth/citizen/callback` (citizens) */
  redirectUri: string;
}

/** How long a started login may take before the user must start again. */
export const LOGIN_STATE_TTL_SECONDS = 600;
const STATE_TYP = 'nvf-oidc-login+jwt';

type Claims = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

function claimRoles(claims: Claims): string[] {
  const raw = claims.nvf_roles ?? claims.roles;
  if (Array.isArray(raw)) return raw.filter((r): r is string => typeof r === 'string');
  if (typeof raw === 'string') return raw.split(/[\s,]+/).filter(Boolean);
  return [];
}

/** The claim mapping as a pure function (see the module comment); scope is checked against the directory by the caller. */
export function principalFromClaims(claims: Claims): Principal {
  const roles = [...new Set(claimRoles(claims))].filter((r): r is TokenRole => (STAFF_ROLES as readonly string[]).includes(r));
  if (roles.length === 0)
    throw new AppError('forbidden', `Your account at the identity provider carries no role of this platform (claim nvf_roles or roles with one of ${STAFF_ROLES.join(', ')}); ask your administrator to grant one.`);
  const given = [str(claims.given_name), str(claims.family_name)].filter(Boolean).join(' ');
  return {
    subject: `oidc:${String(claims.sub)}`,
    roles,
    regionCode: str(claims.nvf_region) ?? str(claims.region),
    organizationId: str(claims.nvf_org) ?? str(claims.org),
    unitHsaId: str(claims.nvf_unit) ?? str(claims.hsa_unit_id) ?? str(claims.healthCareUnitHsaId),
    displayName: str(claims.name) ?? (given || undefined),
  };
}

/** Check the principal's scope against the directory, fill the organisation from the unit, and refuse what cannot act. */
async function checkScope(db: Kysely<DB>, p: Principal): Promise<Principal> {
  const refuse = (msg: string) => new AppError('forbidden', `${msg} Ask your administrator to correct your account at the identity provider.`);
  let { organizationId } = p;
  if (p.unitHsaId) {
    const unit = await db.selectFrom('units').select(['organization_id']).where('hsa_id', '=', p.unitHsaId).executeTakeFirst();
    if (!unit) throw refuse(`Your unit ${p.unitHsaId} is not in the directory.`);
    if (organizationId && organizationId !== unit.organization_id) throw refuse(`Your unit ${p.unitHsaId} does not belong to organisation ${organizationId}.`);
    organizationId = unit.organization_id;
  }
  if (p.regionCode && !(await db.selectFrom('regions').select('code').where('code', '=', p.regionCode).executeTakeFirst()))
    throw refuse(`Your region ${p.regionCode} is not a region code.`);
  if (organizationId && !(await db.selectFrom('organizations').select('id').where('id', '=', organizationId).executeTakeFirst()))
    throw refuse(`Your organisation ${organizationId} is not in the directory.`);
  for (const role of ['coordinator', 'region-reporter'] as const)
    if (p.roles.includes(role) && !p.regionCode) throw refuse(`The role ${role} needs a region (claim nvf_region or region).`);
  if (p.roles.includes('provider') && !organizationId) throw refuse('The role provider needs an organisation (claim nvf_org or org, or a unit claim).');
  return { ...p, organizationId };
}

/** What differs between the staff login and the citizen login: scope, extra parameters, the claim mapping, the audit. */
export interface LoginProfile {
  /** where a failed login starts again, for messages */
  startPath: string;
  scope: string;
  /** extra authorization request parameters (e.g. acr_values) */
  authParams?: Record<string, string>;
  /** the audit action of a completed login */
  auditAction: string;
  /** the ID token's claims → the principal (throws AppError 403 for accounts that cannot act here) */
  principal(claims: Claims): Promise<Principal>;
}

/** The staff profile: roles and scope from claims (see the module comment), checked against the directory. */
export function staffProfile(db: Kysely<DB>): LoginProfile {
  return { startPath: '/auth/login', scope: 'openid profile', auditAction: 'session.oidc_login', principal: (claims) => checkScope(db, principalFromClaims(claims)) };
}

/**
 * Citizen login (journey 2 in production): e-legitimation (BankID, Freja eID) through an OpenID Connect broker following the
 * Swedish eID Framework's OIDC profile. The personnummer is the claim `https://id.oidc.se/claim/personalIdentityNumber`
 * (or a samordningsnummer in `https://id.oidc.se/claim/coordinationNumber`; `personal_identity_number` and `personnummer`
 * are accepted from brokers that flatten names). The login must be made at the configured assurance level
 * (`acr`, default LoA 3) or LoA 4. The principal is a patient whose subject is `citizen:` + the keyed look-up hash (never the
 * number), carrying the number sealed (AES-256-GCM under PATIENT_DATA_KEY): the token never shows it readable, and the
 * patient services decrypt it to find the patient's cases.
 */
export const CITIZEN_ID_CLAIMS = ['https://id.oidc.se/claim/personalIdentityNumber', 'https://id.oidc.se/claim/coordinationNumber', 'personal_identity_number', 'personnummer'] as const;

export function citizenPrincipalFromClaims(claims: Claims, acr: string, patients: PatientCrypto, today: string): Principal {
  const given = [str(claims.given_name), str(claims.family_name)].filter(Boolean).join(' ');
  const raw = CITIZEN_ID_CLAIMS.map((c) => str(claims[c])).find((v) => v !== undefined);
  if (raw === undefined)
    throw new AppError('forbidden', 'The identity provider did not tell us your personnummer, so you cannot be logged in as a patient. Log in with BankID or Freja eID, or contact your region’s care guarantee office.');
  const identity = parsePatientIdentity(raw, today);
  if (!identity.ok) throw new AppError('forbidden', 'The identity provider sent a personnummer that is not valid; contact your region’s care guarantee office.');
  const got = str(claims.acr);
  if (got !== acr && !(got !== undefined && /\/loa4$/.test(got)))
    throw new AppError('forbidden', 'Your login was not made with an e-legitimation strong enough for patient data (assurance level 3 or higher); log in again with BankID or Freja eID.');
  return {
    subject: `citizen:${patients.lookupHash(identity.value).slice(0, 32)}`,
    roles: ['patient'],
    displayName: str(claims.name) ?? (given || undefined),
    patientIdentity: patients.encrypt(identity.value),
  };
}

export function citizenProfile(acr: string, patients: PatientCrypto, clock: Clock): LoginProfile {
  return {
    startPath: '/auth/citizen/login',
    scope: 'openid profile https://id.oidc.se/scope/naturalPersonNumber',
    authParams: { acr_values: acr },
    auditAction: 'session.citizen_login',
    principal: (claims) => Promise.resolve(citizenPrincipalFromClaims(claims, acr, patients, stockholmDay(clock.now()))),
  };
}

/** Whether plain http may be used: only for an IdP on this machine (development and tests). */
function isLocalHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

export class OidcService {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(
    private readonly settings: OidcSettings,
    private readonly profile: LoginProfile,
    private readonly db: Kysely<DB>,
    private readonly keys: KeyStore,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
  ) {}

  /** Discover the IdP once; a failure is not cached, so the next login tries again. */
  private discover(): Promise<client.Configuration> {
    if (!this.configuration) {
      const server = new URL(this.settings.issuer);
      if (server.protocol !== 'https:' && !isLocalHttp(server))
        return Promise.reject(new AppError('unavailable', `OIDC_ISSUER must be an https URL (plain http is allowed only for localhost); it is ${server.origin}.`));
      const { clientId, clientSecret } = this.settings;
      const auth = clientSecret ? client.ClientSecretBasic(clientSecret) : client.None();
      this.configuration = client
        .discovery(server, clientId, undefined, auth, isLocalHttp(server) ? { execute: [client.allowInsecureRequests] } : undefined)
        .then((config) => {
          // Also verify the ID token's signature against the IdP's JWKS, not only its claims.
          client.enableNonRepudiationChecks(config);
          return config;
        })
        .catch((err: unknown) => {
          this.configuration = undefined;
          throw new AppError('unavailable', `The identity provider at ${server.origin} could not be reached or described itself wrongly (${describe(err)}); try again shortly.`);
        });
    }
    return this.configuration;
  }

  /** Start a login: the IdP URL to send the browser to, and the sealed state to keep in a short-lived cookie. */
  async startLogin(): Promise<{ redirectTo: string; sealedState: string }> {
    const config = await this.discover();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: this.profile.scope,
      ...this.profile.authParams,
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { redirectTo: url.href, sealedState: await this.seal({ state, nonce, cv: codeVerifier }) };
  }

  /** Finish a login: exchange the code, validate the ID token, map its claims and issue the web session's token. */
  async finishLogin(ctx: RequestContext, query: string, sealedState: string | undefined): Promise<{ principal: Principal; accessToken: string; expiresIn: number }> {
    const params = new URLSearchParams(query);
    if (params.get('error'))
      throw new AppError('unauthorized', `The identity provider refused the login (${params.get('error')}${params.get('error_description') ? `: ${params.get('error_description')}` : ''}); start again at ${this.profile.startPath}.`);
    const checks = await this.open(sealedState);
    const config = await this.discover();
    let claims: Claims | undefined;
    try {
      const currentUrl = new URL(`${this.settings.redirectUri}?${params.toString()}`);
      const result = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: checks.cv,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      claims = result.claims() as Claims | undefined;
    } catch (err) {
      throw new AppError('unauthorized', `The login could not be completed: ${describe(err)}. Start again at ${this.profile.startPath}.`);
    }
    if (!claims) throw new AppError('unauthorized', `The identity provider sent no ID token; start again at ${this.profile.startPath}.`);
    const principal = await this.profile.principal(claims);
    const token = await this.tokens.sign(principal, WEB_SESSION_TTL_SECONDS);
    await this.db.transaction().execute((trx) =>
      recordAudit(trx, { ...ctx, principal }, { action: this.profile.auditAction, entityType: 'session', entityId: principal.subject, details: { issuer: this.settings.issuer } }),
    );
    return { principal, accessToken: token.access_token, expiresIn: token.expires_in };
  }

  /** State, nonce and PKCE verifier are signed with the platform key, so no server-side session store is needed. */
  private async seal(payload: { state: string; nonce: string; cv: string }): Promise<string> {
    const key = await this.keys.signingKey();
    const nowS = Math.floor(this.clock.now().getTime() / 1000);
    return new SignJWT(payload)
      .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: STATE_TYP })
      .setIssuer(this.settings.platformIssuer)
      .setAudience(this.settings.redirectUri)
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + LOGIN_STATE_TTL_SECONDS)
      .sign(key.privateKey);
  }

  private async open(sealed: string | undefined): Promise<{ state: string; nonce: string; cv: string }> {
    const restart = `The login state is missing or has expired (the login took more than 10 minutes, or was started in another browser); start again at ${this.profile.startPath}.`;
    if (!sealed) throw new AppError('bad_request', restart);
    try {
      const kid = decodeProtectedHeader(sealed).kid;
      const key = kid ? await this.keys.verificationKey(kid) : undefined;
      if (!key) throw new Error('unknown key');
      const { payload } = await jwtVerify(sealed, key, {
        algorithms: [SIGNING_ALG],
        typ: STATE_TYP,
        issuer: this.settings.platformIssuer,
        audience: this.settings.redirectUri,
        currentDate: this.clock.now(),
      });
      const { state, nonce, cv } = payload as Record<string, unknown>;
      if (typeof state !== 'string' || typeof nonce !== 'string' || typeof cv !== 'string') throw new Error('incomplete');
      return { state, nonce, cv };
    } catch {
      throw new AppError('bad_request', restart);
    }
  }
}

/** An error's message for the user, without anything a token could leak into (openid-client messages name checks, not values). */
function describe(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.slice(0, 200);
}

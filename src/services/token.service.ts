import crypto from 'node:crypto';
import { SignJWT, jwtVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, type JWK } from 'jose';
import type { Kysely, Selectable } from 'kysely';
import type { ClientsTable, DB } from '../db/schema.js';
import { AppError } from '../domain/errors.js';
import { ROLES, type Principal, type Role } from '../domain/roles.js';
import type { Clock } from '../domain/clock.js';
import { KeyStore, SIGNING_ALG } from './keys.service.js';
import { verifySecret } from './secrets.js';

/** How long a verified access token is remembered at most, and how many are (see TokenService.verify). */
const VERIFIED_CACHE_MS = 5 * 60_000;
const VERIFIED_CACHE_ENTRIES = 10_000;

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ASSERTION_ALGS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];
const MAX_ASSERTION_LIFETIME_S = 300;

/** The token request as parsed at the edge (form or JSON body plus Basic credentials). */
export interface TokenRequest {
  grantType: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
  clientAssertionType: string | undefined;
  clientAssertion: string | undefined;
  scope: string | undefined;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** whether client secrets are accepted (demo and sandbox only) */
  allowSecrets: boolean;
  /** URLs a client assertion may name as audience: the token endpoint and the issuer */
  tokenEndpoint: string;
}

const oauthError = (status: 'bad_request' | 'unauthorized', error: string, description: string): AppError =>
  new AppError(status, description, { extra: { error, error_description: description } });

type ClientRow = Selectable<ClientsTable>;

/** Issues and verifies the platform's access tokens. */
export class TokenService {
  private readonly keySets = new Map<string, { fingerprint: string; set: ReturnType<typeof createLocalJWKSet> }>();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly keys: KeyStore,
    private readonly settings: TokenSettings,
    private readonly clock: Clock,
  ) {}

  /** OAuth 2.0 client credentials grant (RFC 6749 §4.4) with private_key_jwt (RFC 7523) or, in demo/sandbox, a secret. */
  async issueForClient(req: TokenRequest): Promise<TokenResponse> {
    if (req.grantType !== 'client_credentials')
      throw oauthError('bad_request', 'unsupported_grant_type', 'grant_type must be client_credentials.');
    const clientId = req.clientId;
    let client: ClientRow | undefined;
    if (req.clientAssertion !== undefined || req.clientAssertionType !== undefined) {
      if (req.clientAssertionType !== CLIENT_ASSERTION_TYPE)
        throw oauthError('bad_request', 'invalid_request', `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}.`);
      if (!req.clientAssertion) throw oauthError('bad_request', 'invalid_request', 'client_assertion is missing.');
      client = await this.verifyClientAssertion(req.clientAssertion, clientId);
    } else {
      if (!clientId || req.clientSecret === undefined)
        throw oauthError('unauthorized', 'invalid_client', 'Authenticate the client with private_key_jwt (client_assertion) or, in demo and sandbox mode, a client secret.');
      if (!this.settings.allowSecrets)
        throw oauthError('unauthorized', 'invalid_client', 'Client secrets are not accepted in production mode; use private_key_jwt.');
      client = await this.findClient(clientId);
      if (!client?.secret_hash || !verifySecret(req.clientSecret, client.secret_hash))
        throw oauthError('unauthorized', 'invalid_client', 'Unknown client or wrong secret.');
    }
    let roles = client.roles.filter((r): r is Exclude<Role, 'public'> => (ROLES as readonly string[]).includes(r) && r !== 'public');
    if (req.scope) {
      // A client may ask for fewer of its roles (least privilege); the token then carries only those.
      const asked = req.scope.split(/\s+/).filter(Boolean);
      const unknown = asked.filter((s) => !roles.includes(s as never));
      if (unknown.length > 0) throw oauthError('bad_request', 'invalid_scope', `The client may not ask for ${unknown.join(', ')}; it has ${roles.join(', ')}.`);
      roles = roles.filter((r) => asked.includes(r));
    }
    return this.sign({
      subject: client.id,
      roles,
      regionCode: client.region_code ?? undefined,
      organizationId: client.organization_id ?? undefined,
      unitHsaId: client.unit_hsa_id ?? undefined,
      displayName: client.name,
    });
  }

  /** Sign an access token for a principal (clients, and people logged in through the web). */
  async sign(p: Principal, ttlSeconds = this.settings.ttlSeconds): Promise<TokenResponse> {
    const key = await this.keys.signingKey();
    const nowS = Math.floor(this.clock.now().getTime() / 1000);
    const scope = [
      ...p.roles,
      ...(p.regionCode ? [`region:${p.regionCode}`] : []),
      ...(p.organizationId ? [`organization:${p.organizationId}`] : []),
      ...(p.unitHsaId ? [`unit:${p.unitHsaId}`] : []),
    ].join(' ');
    const token = await new SignJWT({
      roles: p.roles,
      scope,
      ...(p.regionCode ? { region: p.regionCode } : {}),
      ...(p.organizationId ? { org: p.organizationId } : {}),
      ...(p.unitHsaId ? { unit: p.unitHsaId } : {}),
      ...(p.displayName ? { name: p.displayName } : {}),
      ...(p.patientIdentity ? { pid: p.patientIdentity } : {}),
    })
      .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setSubject(p.subject)
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + ttlSeconds)
      .setJti(crypto.randomUUID())
      .sign(key.privateKey);
    return { access_token: token, token_type: 'Bearer', expires_in: ttlSeconds, scope };
  }

  /** Verify an access token and return who it speaks for; any flaw is a 401 that says what was wrong. */
  /**
   * Verified tokens, remembered until they expire (at most VERIFIED_CACHE_MS, so that a signing key taken out of the
   * key set stops working within minutes): an ES256 signature check is the largest single cost of an API request.
   */
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  async verify(token: string): Promise<Principal> {
    const now = this.clock.now().getTime();
    const hit = this.verified.get(token);
    if (hit && hit.until > now) return hit.principal;
    if (hit) this.verified.delete(token);
    const principal = await this.verifyUncached(token);
    const exp = (() => {
      try {
        return Number(decodeJwt(token).exp) * 1000;
      } catch {
        return 0;
      }
    })();
    if (exp > now) {
      if (this.verified.size >= VERIFIED_CACHE_ENTRIES) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { principal, until: Math.min(exp, now + VERIFIED_CACHE_MS) });
    }
    return principal;
  }

  private async verifyUncached(token: string): Promise<Principal> {
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== SIGNING_ALG) throw new AppError('unauthorized', `The access token is signed with ${String(header.alg)}; only ${SIGNING_ALG} tokens from this platform are accepted.`);
      kid = header.kid;
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('unauthorized', 'The access token is not a JWT; get one from POST /oauth/token.');
    }
    const key = kid ? await this.keys.verificationKey(kid) : undefined;
    if (!key) throw new AppError('unauthorized', 'The access token was not signed by a key of this platform; get a new one from POST /oauth/token.');
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: [SIGNING_ALG],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        currentDate: this.clock.now(),
      });
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r)) : [];
      return {
        subject: String(payload.sub),
        roles,
        regionCode: typeof payload.region === 'string' ? payload.region : undefined,
        organizationId: typeof payload.org === 'string' ? payload.org : undefined,
        unitHsaId: typeof payload.unit === 'string' ? payload.unit : undefined,
        displayName: typeof payload.name === 'string' ? payload.name : undefined,
        patientIdentity: typeof payload.pid === 'string' ? payload.pid : undefined,
      };
    } catch (err) {
      throw new AppError('unauthorized', describeJoseError(err));
    }
  }

  private async findClient(id: string): Promise<ClientRow | undefined> {
    return this.db.selectFrom('clients').selectAll().where('id', '=', id).where('disabled', '=', false).executeTakeFirst();
  }

  /** RFC 7523 §3: iss = sub = client_id, aud names this token endpoint, exp soon, jti never reused. */
  private async verifyClientAssertion(assertion: string, claimedClientId: string | undefined): Promise<ClientRow> {
    let sub: string | undefined;
    try {
      const unverified = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown; iss?: unknown };
      sub = typeof unverified.sub === 'string' ? unverified.sub : undefined;
    } catch {
      throw oauthError('unauthorized', 'invalid_client', 'client_assertion is not a JWT.');
    }
    if (!sub) throw oauthError('unauthorized', 'invalid_client', 'client_assertion has no sub; set iss and sub to your client id.');
    if (claimedClientId && claimedClientId !== sub) throw oauthError('unauthorized', 'invalid_client', 'client_id does not match the sub of client_assertion.');
    const client = await this.findClient(sub);
    if (!client?.jwks) throw oauthError('unauthorized', 'invalid_client', `No public key is registered for client ${sub}; register one with \`nvf clients create --jwk\`.`);
    const jwks = this.clientKeySet(client);
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, jwks, {
        algorithms: ASSERTION_ALGS,
        issuer: sub,
        subject: sub,
        audience: [this.settings.tokenEndpoint, this.settings.issuer],
        currentDate: this.clock.now(),
        requiredClaims: ['exp', 'jti'],
      }));
    } catch (err) {
      throw oauthError('unauthorized', 'invalid_client', `client_assertion rejected: ${describeJoseError(err)}`);
    }
    const nowS = Math.floor(this.clock.now().getTime() / 1000);
    if (payload.exp! - nowS > MAX_ASSERTION_LIFETIME_S)
      throw oauthError('unauthorized', 'invalid_client', `client_assertion must expire within ${MAX_ASSERTION_LIFETIME_S} seconds.`);
    const inserted = await this.db
      .insertInto('client_assertion_jtis')
      .values({ client_id: sub, jti: String(payload.jti), expires_at: new Date(payload.exp! * 1000) })
      .onConflict((oc) => oc.doNothing())
      .returning('jti')
      .executeTakeFirst();
    if (!inserted) throw oauthError('unauthorized', 'invalid_client', 'client_assertion has been used before (jti replay); sign a new one for every request.');
    return client;
  }

  /** The client's registered keys as a key set, imported once per client and key set (jose caches imported keys in it). */
  private clientKeySet(client: ClientRow): ReturnType<typeof createLocalJWKSet> {
    const fingerprint = JSON.stringify(client.jwks);
    const cached = this.keySets.get(client.id);
    if (cached && cached.fingerprint === fingerprint) return cached.set;
    const set = createLocalJWKSet(client.jwks as { keys: JWK[] });
    if (this.keySets.size > 10_000) this.keySets.clear();
    this.keySets.set(client.id, { fingerprint, set });
    return set;
  }

  /** Forget used assertion ids once they have expired (called by a periodic job). */
  async pruneAssertionIds(): Promise<number> {
    const r = await this.db.deleteFrom('client_assertion_jtis').where('expires_at', '<', this.clock.now()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'The token has expired; get a new one.';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `The token's ${err.claim} claim is wrong (${err.reason}).`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature does not verify.';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'The token is signed with an algorithm that is not allowed.';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'No registered key matches the token (check kid and alg).';
  if (err instanceof joseErrors.JOSEError) return `The token is invalid (${err.code}).`;
  return 'The token is invalid.';
}

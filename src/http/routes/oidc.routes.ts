import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { AppError } from '../../domain/errors.js';
import { citizenProfile, LOGIN_STATE_TTL_SECONDS, OidcService, staffProfile } from '../../services/oidc.service.js';
import type { AppServices } from '../app.js';
import { ProblemSchema } from '../openapi.js';

/** The short-lived cookie holding the signed state, nonce and PKCE verifier of a login in progress. */
export const LOGIN_STATE_COOKIE = 'nvf_oidc_login';

/** An error answer documented in the OpenAPI document, in the form the app's onRoute hook uses for the others. */
export const problemAnswer = (description: string) =>
  ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } }) as unknown as z.ZodType;

const Redirect = z.null().describe('Redirect (see the Location header)');

const CallbackQuery = z
  .looseObject({
    code: z.string().max(2000).optional(),
    state: z.string().max(500).optional(),
    error: z.string().max(200).optional(),
    error_description: z.string().max(1000).optional(),
  })
  .meta({ examples: [{ code: 'SplxlOBeZQQYbYS6WxSbIA', state: 'af0ifjsldkj' }] });

type SetSession = (reply: FastifyReply, config: Config, accessToken: string, maxAgeSeconds?: number) => void;

/** The short-lived cookie of a citizen login in progress (its own, so a staff and a citizen login cannot cross). */
export const CITIZEN_LOGIN_STATE_COOKIE = 'nvf_citizen_login';

/** Staff login through the configured OpenID Connect provider, and citizen login through the citizen one; 404 when not configured. */
export function oidcRoutes(s: AppServices, setSession: SetSession) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { config } = s;
    const redirectUri = `${config.publicUrl}/auth/callback`;
    const oidc = config.oidc
      ? new OidcService(
          { issuer: config.oidc.issuer, clientId: config.oidc.clientId, clientSecret: config.oidc.clientSecret, platformIssuer: config.issuer, redirectUri },
          staffProfile(s.database.db),
          s.database.db,
          s.keys,
          s.tokens,
          s.clock,
        )
      : undefined;
    const citizenRedirectUri = `${config.publicUrl}/auth/citizen/callback`;
    const citizen = config.citizenOidc
      ? new OidcService(
          { issuer: config.citizenOidc.issuer, clientId: config.citizenOidc.clientId, clientSecret: config.citizenOidc.clientSecret, platformIssuer: config.issuer, redirectUri: citizenRedirectUri },
          citizenProfile(config.citizenOidc.acr, s.patients, s.clock),
          s.database.db,
          s.keys,
          s.tokens,
          s.clock,
        )
      : undefined;
    const citizenConfigured = (): OidcService => {
      if (!citizen) throw new AppError('not_found', 'Citizen login with e-legitimation is not configured here (set CITIZEN_OIDC_ISSUER and CITIZEN_OIDC_CLIENT_ID); in demo mode use the demo login.');
      return citizen;
    };
    const configured = (): OidcService => {
      if (!oidc) throw new AppError('not_found', 'Staff login through an identity provider is not configured here (set OIDC_ISSUER and OIDC_CLIENT_ID); in demo mode use the demo login.');
      return oidc;
    };
    // Lax, not Strict: the browser must send it on the top-level redirect back from the IdP, which is a cross-site navigation.
    const stateCookie = { httpOnly: true, sameSite: 'lax' as const, path: '/auth', secure: config.publicUrl.startsWith('https:') };

    r.get('/auth/login', {
      config: { access: 'public' },
      schema: {
        tags: ['Identity'], summary: 'Staff login: redirect to the identity provider', operationId: 'startLogin',
        description: 'OpenID Connect authorization code flow with PKCE. Answers 404 when no identity provider is configured.',
        response: { 302: Redirect, 404: problemAnswer('No identity provider is configured'), 503: problemAnswer('The identity provider does not answer') },
      },
    }, async (_request, reply) => {
      const { redirectTo, sealedState } = await configured().startLogin();
      reply.setCookie(LOGIN_STATE_COOKIE, sealedState, { ...stateCookie, maxAge: LOGIN_STATE_TTL_SECONDS });
      reply.header('cache-control', 'no-store');
      return reply.redirect(redirectTo, 302);
    });

    r.get('/auth/callback', {
      config: { access: 'public' },
      schema: {
        tags: ['Identity'], summary: 'Staff login: the identity provider’s answer', operationId: 'finishLogin',
        description: 'Exchanges the code, validates the ID token, maps its claims to roles and scope, sets the session cookie and redirects to /. People without a role of the platform get 403.',
        querystring: CallbackQuery,
        response: {
          302: Redirect,
          401: problemAnswer('The login could not be completed'),
          403: problemAnswer('The account has no role or scope on this platform'),
          404: problemAnswer('No identity provider is configured'),
        },
      },
    }, async (request, reply) => {
      const service = configured();
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
      // The login state is single use whatever the outcome.
      reply.clearCookie(LOGIN_STATE_COOKIE, stateCookie);
      const { accessToken, expiresIn } = await service.finishLogin(request.ctx, query, request.cookies?.[LOGIN_STATE_COOKIE]);
      setSession(reply, config, accessToken, expiresIn);
      reply.header('cache-control', 'no-store');
      return reply.redirect('/', 302);
    });

    r.get('/auth/citizen/login', {
      config: { access: 'public' },
      schema: {
        tags: ['Identity'], summary: 'Citizen login: redirect to the e-legitimation identity provider', operationId: 'startCitizenLogin',
        description: 'For patients (journey 2): OpenID Connect authorization code flow with PKCE at the configured assurance level (acr_values). Answers 404 when no citizen identity provider is configured.',
        response: { 302: Redirect, 404: problemAnswer('No citizen identity provider is configured'), 503: problemAnswer('The identity provider does not answer') },
      },
    }, async (_request, reply) => {
      const { redirectTo, sealedState } = await citizenConfigured().startLogin();
      reply.setCookie(CITIZEN_LOGIN_STATE_COOKIE, sealedState, { ...stateCookie, maxAge: LOGIN_STATE_TTL_SECONDS });
      reply.header('cache-control', 'no-store');
      return reply.redirect(redirectTo, 302);
    });

    r.get('/auth/citizen/callback', {
      config: { access: 'public' },
      schema: {
        tags: ['Identity'], summary: 'Citizen login: the identity provider’s answer', operationId: 'finishCitizenLogin',
        description: 'Exchanges the code, validates the ID token, requires a valid personnummer (or samordningsnummer) claim and the assurance level, sets the session cookie (a patient whose identity travels sealed in the token) and redirects to the patient’s cases.',
        querystring: CallbackQuery,
        response: {
          302: Redirect,
          401: problemAnswer('The login could not be completed'),
          403: problemAnswer('No valid personnummer, or too weak an e-legitimation'),
          404: problemAnswer('No citizen identity provider is configured'),
        },
      },
    }, async (request, reply) => {
      const service = citizenConfigured();
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
      reply.clearCookie(CITIZEN_LOGIN_STATE_COOKIE, stateCookie);
      const { accessToken, expiresIn } = await service.finishLogin(request.ctx, query, request.cookies?.[CITIZEN_LOGIN_STATE_COOKIE]);
      setSession(reply, config, accessToken, expiresIn);
      reply.header('cache-control', 'no-store');
      return reply.redirect('/mina-arenden', 302);
    });
  };
}

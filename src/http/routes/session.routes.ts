import { patientHome } from '../../services/brokering/patient.service.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { recordAuditAlone } from '../../services/audit.service.js';
import { demoLogin, listDemoPeople, WEB_SESSION_TTL_SECONDS } from '../../services/people.service.js';
import type { AppServices } from '../app.js';
import { writeRateLimit } from '../app.js';
import { oidcRoutes, problemAnswer } from './oidc.routes.js';

export const SESSION_COOKIE = 'nvf_session';

/** The web session cookie: not readable by scripts, never sent by other sites, Secure whenever the site is https. */
export function setSessionCookie(reply: FastifyReply, config: Config, accessToken: string, maxAgeSeconds = WEB_SESSION_TTL_SECONDS): void {
  reply.setCookie(SESSION_COOKIE, accessToken, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: config.publicUrl.startsWith('https:'),
    maxAge: maxAgeSeconds,
  });
}

const Me = z
  .object({
    authenticated: z.boolean(),
    subject: z.string(),
    roles: z.array(z.string()),
    regionCode: z.string().optional(),
    organizationId: z.string().optional(),
    unitHsaId: z.string().optional(),
    displayName: z.string().optional(),
    homeMunicipality: z.string().optional().describe('For a patient whose identity the login verified: where they live (SCB code).'),
    mode: z.enum(['demo', 'sandbox', 'production']),
    oidc: z.boolean(),
    citizenLogin: z.boolean().describe('whether patients can log in with e-legitimation here (GET /auth/citizen/login)'),
  })
  .meta({ examples: [{ authenticated: true, subject: 'demo-person:coordinator-25', roles: ['coordinator'], regionCode: '25', displayName: 'Samordnare, Region Norrbotten (demo)', mode: 'demo', oidc: false, citizenLogin: false }] });

const DemoPeople = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        displayName: z.string(),
        roles: z.array(z.string()),
        regionCode: z.string().optional(),
        organizationId: z.string().optional(),
        description: z.object({ sv: z.string(), en: z.string() }),
      }),
    ),
  })
  .meta({
    examples: [
      {
        items: [
          { id: 'coordinator-01', displayName: 'Samordnare, Region Stockholm (demo)', roles: ['coordinator'], regionCode: '01', description: { sv: 'Vårdgarantikansliet i Region Stockholm: förmedlar vård för regionens patienter.', en: "Care guarantee office of Region Stockholm: brokers care for the region's patients." } },
          { id: 'patient-1', displayName: 'Patient 1 (demo)', roles: ['patient'], description: { sv: 'Invånare: ser sina egna ärenden.', en: 'Citizen: sees their own cases.' } },
        ],
      },
    ],
  });

const DemoLoginBody = z
  .object({ personId: z.string().min(1).max(200).describe('An id from GET /auth/demo/people.') })
  .meta({ examples: [{ personId: 'coordinator-01' }] });

/** Who the caller is (web sessions and tokens alike), demo login, staff login (OIDC) and logging out of the web. */
export function sessionRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get('/api/v1/me', {
      config: { access: 'public' },
      schema: { tags: ['Identity'], summary: 'Who am I? The caller’s roles and scope', operationId: 'getMe', response: { 200: Me } },
    }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const p = request.principal;
      const home = patientHome(request.ctx, s.config.mode);
      return {
        authenticated: p.subject !== 'anonymous',
        subject: p.subject,
        roles: p.roles,
        ...(p.regionCode ? { regionCode: p.regionCode } : {}),
        ...(p.organizationId ? { organizationId: p.organizationId } : {}),
        ...(p.unitHsaId ? { unitHsaId: p.unitHsaId } : {}),
        ...(p.displayName ? { displayName: p.displayName } : {}),
        ...(home ? { homeMunicipality: home } : {}),
        mode: s.config.mode,
        oidc: !!s.config.oidc,
        citizenLogin: !!s.config.citizenOidc,
      };
    });

    r.get('/auth/demo/people', {
      config: { access: 'public' },
      schema: {
        tags: ['Identity'], summary: 'The made-up people of the demo login', operationId: 'listDemoPeople',
        description: 'Demo and sandbox mode only: one person per role and scope, built from the directory. In production mode this answers 404.',
        response: { 200: DemoPeople, 404: problemAnswer('Production mode: there is no demo login') },
      },
    }, async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return { items: await listDemoPeople(s.database.db, s.config.mode) };
    });

    r.post('/auth/demo/login', {
      config: { access: 'public', rateLimit: writeRateLimit(s.config) },
      schema: {
        tags: ['Identity'], summary: 'Log in to the web as a demo person', operationId: 'demoLogin',
        description: `Demo and sandbox mode only. Sets the httpOnly session cookie \`${SESSION_COOKIE}\` (8 hours) holding a platform access token; the login is audited. In production mode this answers 403.`,
        body: DemoLoginBody,
        response: { 204: z.null().describe('Logged in; the session cookie is set'), 403: problemAnswer('Production mode: there is no demo login') },
      },
    }, async (request, reply) => {
      const { accessToken, expiresIn } = await demoLogin(s.database.db, s.tokens, request.ctx, s.config.mode, request.body.personId);
      setSessionCookie(reply, s.config, accessToken, expiresIn);
      reply.header('cache-control', 'no-store');
      return reply.code(204).send(null);
    });

    r.post('/auth/logout', {
      config: { access: 'public' },
      schema: { tags: ['Identity'], summary: 'Log out of the web (clears the session cookie)', operationId: 'logout', response: { 204: z.null().describe('Logged out') } },
    }, async (request, reply) => {
      // The token itself lives until it expires (8 h at most); clearing the cookie ends the browser's session.
      if (request.principal.subject !== 'anonymous' && request.cookies?.[SESSION_COOKIE])
        await recordAuditAlone(s.database.db, request.ctx, { action: 'session.logout', entityType: 'session', entityId: request.principal.subject });
      reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: s.config.publicUrl.startsWith('https:') });
      return reply.code(204).send(null);
    });

    await app.register(oidcRoutes(s, setSessionCookie));
  };
}

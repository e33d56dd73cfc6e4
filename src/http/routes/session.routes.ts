import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppServices } from '../app.js';

export const SESSION_COOKIE = 'nvf_session';

const Me = z
  .object({
    authenticated: z.boolean(),
    subject: z.string(),
    roles: z.array(z.string()),
    regionCode: z.string().optional(),
    organizationId: z.string().optional(),
    unitHsaId: z.string().optional(),
    displayName: z.string().optional(),
    mode: z.enum(['demo', 'sandbox', 'production']),
    oidc: z.boolean(),
  })
  .meta({ examples: [{ authenticated: true, subject: 'demo-person:coordinator-25', roles: ['coordinator'], regionCode: '25', displayName: 'Anna Lindqvist (demo)', mode: 'demo', oidc: false }] });

/** Who the caller is (web sessions and tokens alike) and logging out of the web. */
export function sessionRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get('/api/v1/me', {
      config: { access: 'public' },
      schema: { tags: ['Identity'], summary: 'Who am I? The caller’s roles and scope', operationId: 'getMe', response: { 200: Me } },
    }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const p = request.principal;
      return {
        authenticated: p.subject !== 'anonymous',
        subject: p.subject,
        roles: p.roles,
        ...(p.regionCode ? { regionCode: p.regionCode } : {}),
        ...(p.organizationId ? { organizationId: p.organizationId } : {}),
        ...(p.unitHsaId ? { unitHsaId: p.unitHsaId } : {}),
        ...(p.displayName ? { displayName: p.displayName } : {}),
        mode: s.config.mode,
        oidc: !!s.config.oidc,
      };
    });

    r.post('/auth/logout', {
      config: { access: 'public' },
      schema: { tags: ['Identity'], summary: 'Log out of the web (clears the session cookie)', operationId: 'logout', response: { 204: z.null().describe('Logged out') } },
    }, async (_request, reply) => {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    });
  };
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { publicJwks } from '../../services/keys.service.js';
import { CLIENT_ASSERTION_TYPE } from '../../services/token.service.js';
import type { AppServices } from '../app.js';

const TokenBody = z
  .object({
    grant_type: z.string().max(100).optional(),
    client_id: z.string().max(100).optional(),
    client_secret: z.string().max(500).optional(),
    client_assertion_type: z.string().max(200).optional(),
    client_assertion: z.string().max(8000).optional(),
    scope: z.string().max(500).optional(),
  })
  .meta({
    examples: [{ grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: 'eyJhbGciOiJFUzI1NiIsImtpZCI6InJlZ2lvbi0wMS1rZXkifQ.eyJpc3MiOiJyZWdpb24tMDEiLCJzdWIiOiJyZWdpb24tMDEiLCJhdWQiOiJodHRwczovL252Zi5leGFtcGxlL29hdXRoL3Rva2VuIiwiZXhwIjoxNzk1MDAwMDAwLCJqdGkiOiIxIn0.c2lnbmF0dXJl' }],
  });

const TokenAnswer = z
  .object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number().int(), scope: z.string() })
  .meta({ examples: [{ access_token: 'eyJhbGciOiJFUzI1NiIsImtpZCI6Im52Zi0yMDI2LTExLTI2LWFiY2QifQ.eyJyb2xlcyI6WyJjb29yZGluYXRvciJdfQ.c2ln', token_type: 'Bearer', expires_in: 3600, scope: 'coordinator region:01' }] });

const Jwks = z
  .object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional() })) })
  .meta({ examples: [{ keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'nvf-2026-11-26-abcd', alg: 'ES256', use: 'sig' }] }] });

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header?.trim() ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  // RFC 6749 §2.3.1: the id and secret are form-urlencoded before Basic encoding
  return { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
}

/** POST /oauth/token and the platform's public keys. */
export function oauthRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.post('/oauth/token', {
      config: { access: 'public', rateLimit: { max: s.config.tokenRateLimitPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['Identity'],
        summary: 'Get an access token (OAuth 2.0 client credentials)',
        description:
          'Client credentials grant (RFC 6749 §4.4). Authenticate with `private_key_jwt` (RFC 7523: a JWT signed with your registered key, ' +
          'iss = sub = client id, aud = this endpoint, exp within 5 minutes, unique jti). Demo and sandbox mode also accept ' +
          '`client_secret_basic` and `client_secret_post`. Send the body as application/x-www-form-urlencoded (or JSON).',
        operationId: 'createToken',
        body: TokenBody,
        response: { 200: TokenAnswer },
      },
    }, async (request, reply) => {
      const body = request.body ?? {};
      const basic = parseBasic(request.headers.authorization);
      if (request.headers.authorization && !basic)
        throw new AppError('unauthorized', 'Only Basic client authentication is read at the token endpoint.', { extra: { error: 'invalid_client', error_description: 'Malformed Authorization header.' } });
      if (basic && body.client_secret !== undefined)
        throw new AppError('bad_request', 'Authenticate in one way only: Basic or client_secret in the body.', { extra: { error: 'invalid_request', error_description: 'Two client authentication methods.' } });
      const answer = await s.tokens.issueForClient({
        grantType: body.grant_type,
        clientId: basic?.id ?? body.client_id,
        clientSecret: basic?.secret ?? body.client_secret,
        clientAssertionType: body.client_assertion_type,
        clientAssertion: body.client_assertion,
        scope: body.scope,
      });
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return answer;
    });

    r.get('/.well-known/jwks.json', {
      config: { access: 'public' },
      schema: { tags: ['Identity'], summary: 'The platform’s token-signing public keys (JWK Set)', operationId: 'getJwks', response: { 200: Jwks } },
    }, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return (await publicJwks(s.database.db)) as z.infer<typeof Jwks>;
    });
  };
}

import crypto from 'node:crypto';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import cookie from '@fastify/cookie';
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import type { Clock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import { ANONYMOUS, allows, type Access } from '../domain/roles.js';
import { KeyStore } from '../services/keys.service.js';
import { TokenService } from '../services/token.service.js';
import { problemFor, sendProblem, toProblem } from './problem.js';
import { addErrorResponses, registerOpenApi } from './openapi.js';
import { registerMetrics } from './metrics.js';
import { registerSecurityHeaders } from './security-headers.js';
import { healthRoutes } from './routes/health.routes.js';
import { oauthRoutes } from './routes/oauth.routes.js';
import { directoryRoutes } from './routes/directory.routes.js';
import { waitingListRoutes } from './routes/waiting-list.routes.js';
import { waitingTimesRoutes } from './routes/waiting-times.routes.js';
import { capacityRoutes } from './routes/capacity.routes.js';
import { searchRoutes } from './routes/search.routes.js';
import { auditRoutes } from './routes/audit.routes.js';
import { casesRoutes } from './routes/cases.routes.js';
import { notificationsRoutes } from './routes/notifications.routes.js';
import { patientRoutes } from './routes/patient.routes.js';
import { contentRoutes } from './routes/content.routes.js';
import { statsRoutes } from './routes/stats.routes.js';
import { followUpRoutes } from './routes/follow-up.routes.js';
import { openDataRoutes } from './routes/open-data.routes.js';
import { statisticsVersion } from '../services/statistics/publish.service.js';
import { sessionRoutes, SESSION_COOKIE } from './routes/session.routes.js';
import { registerWeb } from './web.js';
import { registerIdempotency } from './idempotency.js';
import { send as sendCached, VersionedResponseCache } from './response-cache.js';
import { directoryVersion } from '../db/directory.repository.js';
import { waitingTimesVersion } from '../db/waiting-times.repository.js';
import { stockholmDay } from '../domain/clock.js';
import { createPatientCrypto, parsePatientKeys, type PatientCrypto } from '../services/patient-crypto.js';
import './types.js';

export interface AppDeps {
  database: Database;
  config: Config;
  clock: Clock;
}

/** What route modules get: the dependencies and the services built from them. */
export interface AppServices extends AppDeps {
  tokens: TokenService;
  keys: KeyStore;
  /** cached answers of public directory reads (src/http/response-cache.ts) */
  directoryCache: VersionedResponseCache;
  /** cached answers of the public waiting times (figures, capacity reports and the day) */
  waitingTimesCache: VersionedResponseCache;
  /** cached answers of the public statistics, follow-up and open data (keyed on statistics_version) */
  statisticsCache: VersionedResponseCache;
  /** encryption and look-up hashing of patient identities (PATIENT_DATA_KEY) */
  patients: PatientCrypto;
}

/** Routes under these prefixes must declare who may call them. */
const GUARDED_PREFIXES = ['/api/v1', '/oauth', '/auth', '/.well-known', '/health', '/metrics'];
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Where in a parsed JSON value (objects and arrays, keys included) a string holds U+0000; undefined when none does. */
function nulPath(value: unknown, at: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? at : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], `${at}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  // a parsed JSON object or a query/params record (their prototypes vary); never a Buffer or a stream
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array) && typeof (value as { pipe?: unknown }).pipe !== 'function') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k.includes('\u0000')) return `${at} key`;
      const found = nulPath(v, at === 'body' || at === 'query' || at === 'path' ? k : `${at}.${k}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** Build the whole HTTP application from its dependencies. It does not listen: server.ts does, tests use inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            // No personal data in logs: never bodies, never query strings with identities, never tokens.
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], remove: true },
            serializers: {
              req: (req: { method: string; url: string; id: string }) => ({ method: req.method, url: req.url.split('?')[0], id: req.id }),
            },
          },
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    },
    requestIdHeader: false,
    trustProxy: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();

  // Only JSON (and the formats a route adds itself) is read; text/plain is refused with 415 rather than half-parsed.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const keys = new KeyStore(deps.database.db);
  const tokens = new TokenService(
    deps.database.db,
    keys,
    {
      issuer: config.issuer,
      audience: config.audience,
      ttlSeconds: config.tokenTtlSeconds,
      allowSecrets: config.mode !== 'production',
      tokenEndpoint: `${config.publicUrl}/oauth/token`,
    },
    deps.clock,
  );
  const directoryCache = new VersionedResponseCache(() => directoryVersion(deps.database.db));
  const patients = createPatientCrypto(parsePatientKeys(config.patientDataKey));
  const waitingTimesCache = new VersionedResponseCache(() => waitingTimesVersion(deps.database.db, stockholmDay(deps.clock.now())));
  const statisticsCache = new VersionedResponseCache(() => statisticsVersion(deps.database.db));
  const services: AppServices = { ...deps, tokens, keys, directoryCache, waitingTimesCache, statisticsCache, patients };
  const caches = [directoryCache, waitingTimesCache, statisticsCache];
  app.decorate('pollCaches', async () => {
    await Promise.all(caches.map((c) => c.poll()));
  });
  app.addHook('onReady', async () => {
    for (const c of caches) c.start();
    await app.pollCaches();
  });
  app.addHook('onClose', async () => {
    for (const c of caches) c.stop();
  });

  // Every guarded route declares its access; a route without one is a programming error found at start.
  const routePatterns: { method: string; pattern: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const pattern = new RegExp(`^${route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+').replace(/\\\*/g, '.*')}/?$`);
    if (!route.url.includes('*')) for (const m of methods) if (m !== 'OPTIONS') routePatterns.push({ method: String(m), pattern });
    const guarded = GUARDED_PREFIXES.some((p) => route.url === p || route.url.startsWith(`${p}/`));
    if (guarded && route.config?.access === undefined && !route.url.startsWith('/api/docs'))
      throw new Error(`Route ${methods.join(',')} ${route.url} does not declare config.access`);
    const access = route.config?.access;
    if (guarded) addErrorResponses(route as unknown as RouteOptions, access);
    if (access && access !== 'public' && route.schema && !route.schema.hide) {
      route.schema.security = [{ bearerAuth: [] }];
      const roles = access.roles.join(', ');
      // once: a GET's HEAD route shares its schema and comes through here too
      if (!route.schema.description?.includes('**Roles:**')) route.schema.description = `${route.schema.description ? `${route.schema.description}\n\n` : ''}**Roles:** ${roles}.`;
    }
  });

  registerSecurityHeaders(app, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cors, {
    // Closed by default: only origins named in CORS_ORIGINS may call the API from a browser.
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    credentials: false,
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => {
      const err = new AppError('rate_limited', `Too many requests: at most ${ctx.max} per ${ctx.after}. Wait ${Math.ceil(ctx.ttl / 1000)} s and retry.`);
      (err as unknown as { statusCode: number }).statusCode = 429;
      return err;
    },
  });

  // Kept answers of public reads (statistics, open data, directory, waiting times) go to anonymous callers at once: the
  // answer is the same for everyone and was made by this route for this very URL, so authentication, validation and the
  // route's work would only repeat themselves. A caller with a token or a session cookie takes the whole path (a bad
  // token is still a 401).
  app.addHook('onRequest', (request, reply, done) => {
    if (request.method === 'GET' && request.headers.authorization === undefined && request.headers.cookie === undefined) {
      for (const cache of caches) {
        const entry = cache.publicEntry(request.url);
        if (entry === undefined) continue;
        reply.header('x-request-id', request.id);
        sendCached(request, reply, entry);
        return;
      }
    }
    done();
  });

  // Authentication: a Bearer token (systems) or the session cookie (people in the web). A bad token is a 401 even on public routes.
  app.decorateRequest('principal', { getter: () => ANONYMOUS });
  app.decorateRequest('ctx', { getter: () => ({ principal: ANONYMOUS, requestId: '', clock: deps.clock }) });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    let principal = ANONYMOUS;
    const auth = request.headers.authorization;
    const cookieToken = request.cookies?.[SESSION_COOKIE];
    const isTokenEndpoint = request.routeOptions.url === '/oauth/token'; // reads Basic client credentials itself
    if (auth !== undefined && !isTokenEndpoint) {
      const m = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(auth.trim());
      if (!m) throw new AppError('unauthorized', 'The Authorization header must be "Bearer <access token>".');
      principal = await tokens.verify(m[1]!);
    } else if (cookieToken) {
      try {
        principal = await tokens.verify(cookieToken);
      } catch {
        reply.clearCookie(SESSION_COOKIE, { path: '/' }); // an expired web session is simply logged out
      }
    }
    const ctx = { principal, requestId: request.id, clock: deps.clock };
    Object.defineProperty(request, 'principal', { value: principal, writable: true });
    Object.defineProperty(request, 'ctx', { value: ctx, writable: true });
    const access: Access | undefined = request.routeOptions.config?.access;
    if (access && !allows(access, principal)) {
      if (principal === ANONYMOUS) throw new AppError('unauthorized', `This needs an access token with one of the roles ${access === 'public' ? '' : access.roles.join(', ')}; get one from POST /oauth/token.`);
      throw new AppError('forbidden', `Your roles (${principal.roles.join(', ')}) may not do this; it needs ${access === 'public' ? '' : access.roles.join(' or ')}.`);
    }
  });

  // PostgreSQL cannot hold the NUL character (U+0000) in text, so no field anywhere may carry it: refused at the edge
  // for every JSON body, query string and path, before a route sees it (a raw file body is checked by its own reader).
  app.addHook('preValidation', async (request) => {
    const body = typeof request.body === 'object' ? request.body : undefined; // a raw text or file body is its reader's
    const where = nulPath(request.params, 'path') ?? nulPath(request.query, 'query') ?? nulPath(body, 'body');
    if (where !== undefined)
      throw new AppError('bad_request', `${where} contains a NUL character (U+0000), which no text may hold; remove it.`, { errors: [{ field: where, message: 'contains a NUL character (U+0000)' }] });
  });

  app.setErrorHandler((err, request, reply) => sendProblem(reply, toProblem(err, request)));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = [...new Set(routePatterns.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(reply, problemFor(405, 'method_not_allowed', `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}.`));
    }
    return sendProblem(reply, problemFor(404, 'not_found', `There is nothing at ${request.method} ${path}. The API is described at /api/docs.`));
  });

  registerIdempotency(app, deps.database.db);
  await registerOpenApi(app, config);
  registerMetrics(app, services);
  await app.register(healthRoutes(services));
  await app.register(oauthRoutes(services));
  await app.register(directoryRoutes(services), { prefix: '/api/v1' });
  await app.register(waitingListRoutes(services), { prefix: '/api/v1' });
  await app.register(waitingTimesRoutes(services), { prefix: '/api/v1' });
  await app.register(capacityRoutes(services), { prefix: '/api/v1' });
  await app.register(searchRoutes(services), { prefix: '/api/v1' });
  await app.register(auditRoutes(services), { prefix: '/api/v1' });
  await app.register(casesRoutes(services), { prefix: '/api/v1' });
  await app.register(notificationsRoutes(services), { prefix: '/api/v1' });
  await app.register(patientRoutes(services), { prefix: '/api/v1' });
  await app.register(contentRoutes(services), { prefix: '/api/v1' });
  await app.register(statsRoutes(services), { prefix: '/api/v1' });
  await app.register(followUpRoutes(services), { prefix: '/api/v1' });
  await app.register(openDataRoutes(services), { prefix: '/api/v1' });
  await app.register(sessionRoutes(services));
  await registerWeb(app, config);
  return app;
}

/** Per-route rate limit for writes (POST/PUT/PATCH/DELETE), keyed by the caller. */
export function writeRateLimit(config: Config) {
  return {
    max: config.writeRateLimitPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (req: { principal?: { subject: string }; ip: string }) => (req.principal && req.principal.subject !== 'anonymous' ? `sub:${req.principal.subject}` : `ip:${req.ip}`),
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The security headers helmet sets for these options, worked out once. They depend on nothing in the request (no
 * nonces, no function directives), so every answer can carry the same set; @fastify/helmet instead built the helmet
 * middleware anew and parsed the CSP directives on every request, a few per cent of a small answer's CPU.
 */
export function securityHeaders(options: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failed: unknown;
  helmet({ ...options })({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    failed = err;
  });
  if (failed !== undefined) throw failed instanceof Error ? failed : new Error(String(failed));
  if (Object.keys(headers).length === 0) throw new Error('helmet set no headers: its middleware did not run synchronously');
  return Object.freeze(headers);
}

/** Every answer (pages, API, errors, 404s) carries the security headers, set at the start of the request. */
export function registerSecurityHeaders(app: FastifyInstance, options: Readonly<HelmetOptions>): void {
  const headers = securityHeaders(options);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}

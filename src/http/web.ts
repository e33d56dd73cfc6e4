import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Config } from '../config.js';

/** Where the built web app lives (vite build output). */
export const WEB_DIST = path.resolve(process.env.NVF_WEB_DIST ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist'));

/** Serve the built web app from the same server; any non-API GET that accepts HTML gets index.html (client routing). */
export async function registerWeb(app: FastifyInstance, _config: Config): Promise<void> {
  const index = path.join(WEB_DIST, 'index.html');
  if (!fs.existsSync(index)) {
    app.log.warn(`web app not built (${index} missing): run npm run build:web`);
    return;
  }
  await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, index: false, maxAge: '1h', immutable: false });
  const html = fs.readFileSync(index, 'utf8');
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const p = request.url.split('?')[0] ?? '/';
    if (/^\/(api|oauth|auth|\.well-known)(\/|$)/.test(p) || /\.[a-z0-9]{1,8}$/i.test(p)) return reply.callNotFound();
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });
}

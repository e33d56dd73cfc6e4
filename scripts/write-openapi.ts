/**
 * npm run openapi: write docs/openapi.json from the route schemas.
 *
 * The app is built on a database stub that never connects (Kysely's DummyDriver): building routes and the
 * OpenAPI document needs no data, so generation takes well under a second and needs no PostgreSQL or PGlite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/connect.js';
import type { DB } from '../src/db/schema.js';
import { systemClock } from '../src/domain/clock.js';
import { buildApp } from '../src/http/app.js';

/** The servers URL of the published document: a placeholder, so the file does not depend on PORT or PUBLIC_URL. */
export const DOCUMENT_SERVER = 'https://nvf.example';
export const OPENAPI_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'openapi.json');

function offlineDatabase(): Database {
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  // pg.Pool connects lazily; nothing here ever asks it for a connection.
  const pool = new pg.Pool({ max: 1 });
  return { db, kind: 'postgres', description: 'offline (OpenAPI generation)', pool, pglite: undefined, close: async () => { await db.destroy(); await pool.end(); } };
}

/** The whole app, ready but on a database that is never asked anything: for reading its routes and document. */
export async function buildOfflineApp(): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', PUBLIC_URL: DOCUMENT_SERVER, NVF_MODE: 'demo' });
  const database = offlineDatabase();
  const app = await buildApp({ database, config, clock: systemClock });
  await app.ready();
  return { app, close: async () => { await app.close(); await database.close(); } };
}

/** The OpenAPI document as the app serves it at /api/openapi.json, for the placeholder server. */
export async function generateOpenApi(): Promise<Record<string, unknown>> {
  const { app, close } = await buildOfflineApp();
  try {
    // A deep copy: the swagger plugin caches its object, and callers may change theirs.
    return JSON.parse(JSON.stringify(app.swagger())) as Record<string, unknown>;
  } finally {
    await close();
  }
}

/** Stable formatting: two-space JSON with a final newline, keys in the order the app produces them. */
export function renderOpenApi(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const text = renderOpenApi(await generateOpenApi());
  fs.mkdirSync(path.dirname(OPENAPI_FILE), { recursive: true });
  fs.writeFileSync(OPENAPI_FILE, text);
  const doc = JSON.parse(text) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0);
  console.log(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)} (${operations} operations)`);
}

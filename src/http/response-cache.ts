import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

interface Entry {
  /** the answer, encoded once */
  body: Buffer;
  etag: string;
  contentType: string;
  /** headers the route sets on the answer besides the type and the cache headers (Link, Content-Disposition) */
  headers: Readonly<Record<string, string>>;
  /** the route is public: the answer may be sent before authentication (publicEntry) */
  public: boolean;
  /** the gzip-compressed body and its ETag, made on the first request that accepts gzip */
  gzip?: { body: Buffer; etag: string } | undefined;
}

/** What a route's compute gives for a text answer (the other kind is JSON data in the route's response shape). */
export interface TextAnswer {
  text: string;
  contentType: string;
  headers?: Record<string, string>;
}

/** Answers smaller than this are sent as they are: compressing them saves less than it costs. */
const GZIP_MIN_BYTES = 1400;
const JSON_TYPE = 'application/json; charset=utf-8';

/** Whether an Accept-Encoding header takes gzip: named with a weight above 0, or else covered by `*` with one. */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  let star: boolean | undefined;
  for (const part of value.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    const takes = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip') return takes;
    star = takes;
  }
  return star === true;
}

/**
 * Serialised answers of public reads, kept while the data they came from is unchanged.
 * The data's version is read from the database every `pollMs` (so another instance's change is seen within that time)
 * and at once after a change made through this instance. Directory data changes rarely and is read very often:
 * this turns a national directory query into a map look-up.
 */
export class VersionedResponseCache {
  private version: number | undefined;
  /** bumped on every clear, so an answer computed before a change is never stored after it */
  private generation = 0;
  private entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly readVersion: () => Promise<number>,
    private readonly opts: { pollMs: number; maxEntries: number } = { pollMs: 1000, maxEntries: 5000 },
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.opts.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Read the version now; clears the cache when it moved. Errors leave the cache cold (never serve a guess). */
  async poll(): Promise<void> {
    this.polling ??= (async () => {
      try {
        const v = await this.readVersion();
        if (v !== this.version) this.clear(v);
      } catch {
        this.clear(undefined);
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }

  /** After a change through this instance: forget everything at once and learn the new version. */
  async invalidate(): Promise<void> {
    this.clear(undefined);
    await this.poll();
  }

  private clear(version: number | undefined): void {
    this.version = version;
    this.generation++;
    this.entries.clear();
  }

  /**
   * Answer a GET from the cache, or compute, serialise and keep the answer. Honours If-None-Match with 304 and sends the
   * body gzip-compressed to a client that accepts it. `compute` returns plain JSON data that already has the route's
   * response shape (with `headers`, the answer's own headers besides type and caching), or (`text: true`) a text body
   * with its content type and headers. Every header of the answer must come through here: a kept answer may be sent by
   * publicEntry's fast path, which runs none of the route's code.
   */
  async reply(request: FastifyRequest, reply: FastifyReply, compute: () => Promise<unknown>, opts?: { headers: Record<string, string> }): Promise<FastifyReply>;
  async reply(request: FastifyRequest, reply: FastifyReply, compute: () => Promise<TextAnswer>, opts: { text: true }): Promise<FastifyReply>;
  async reply(request: FastifyRequest, reply: FastifyReply, compute: () => Promise<unknown>, opts?: { text?: true; headers?: Record<string, string> }): Promise<FastifyReply> {
    const key = request.url;
    let entry = this.version === undefined ? undefined : this.entries.get(key);
    if (!entry) {
      const generation = this.generation;
      const known = this.version !== undefined;
      const answer = await compute();
      const text = opts?.text ? (answer as TextAnswer) : undefined;
      const body = Buffer.from(text ? text.text : JSON.stringify(answer), 'utf8');
      entry = {
        body,
        etag: `"d${crypto.createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`,
        contentType: text ? text.contentType : JSON_TYPE,
        headers: text?.headers ?? opts?.headers ?? {},
        public: request.routeOptions.config?.access === 'public',
      };
      if (known && generation === this.generation) {
        if (this.entries.size >= this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value!);
        this.entries.set(key, entry);
      } else if (!known) void this.poll();
    }
    return send(request, reply, entry);
  }

  /**
   * The kept answer of a public route for this URL, when there is one for the current version: the application's first
   * request hook sends it to anonymous callers before authentication, validation and the route's own work (app.ts).
   */
  publicEntry(url: string): Entry | undefined {
    if (this.version === undefined) return undefined;
    const e = this.entries.get(url);
    return e?.public ? e : undefined;
  }
}

/** Send a kept answer: 304 for a matching If-None-Match, gzip when the client takes it and the body is worth it. */
export function send(request: FastifyRequest, reply: FastifyReply, entry: Entry): FastifyReply {
  const gzip = entry.body.length >= GZIP_MIN_BYTES && acceptsGzip(request.headers['accept-encoding']);
  if (gzip) entry.gzip ??= (() => {
    const body = zlib.gzipSync(entry.body, { level: 6 });
    return { body, etag: `${entry.etag.slice(0, -1)}-gz"` };
  })();
  const etag = gzip ? entry.gzip!.etag : entry.etag;
  reply.headers(entry.headers).header('etag', etag).header('cache-control', 'public, max-age=5');
  if (entry.body.length >= GZIP_MIN_BYTES) reply.header('vary', 'accept-encoding');
  const inm = request.headers['if-none-match'];
  if (inm !== undefined && (inm === etag || inm.split(',').some((t) => t.trim() === etag))) return reply.code(304).send();
  reply.type(entry.contentType);
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(gzip ? entry.gzip!.body : entry.body);
}

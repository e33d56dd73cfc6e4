import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

interface Entry {
  body: string;
  etag: string;
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
   * Answer a GET from the cache, or compute, serialise and keep the answer. Honours If-None-Match with 304.
   * `compute` must return plain JSON data that already has the route's response shape.
   */
  async reply(request: FastifyRequest, reply: FastifyReply, compute: () => Promise<unknown>): Promise<FastifyReply> {
    const key = request.url;
    let entry = this.version === undefined ? undefined : this.entries.get(key);
    if (!entry) {
      const generation = this.generation;
      const known = this.version !== undefined;
      const body = JSON.stringify(await compute());
      entry = { body, etag: `"d${crypto.createHash('sha1').update(body).digest('base64url').slice(0, 20)}"` };
      if (known && generation === this.generation) {
        if (this.entries.size >= this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value!);
        this.entries.set(key, entry);
      } else if (!known) void this.poll();
    }
    reply.header('etag', entry.etag).header('cache-control', 'public, max-age=5');
    if (request.headers['if-none-match'] === entry.etag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').serializer((p: unknown) => p as string).send(entry.body);
  }
}

import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database } from './connect.js';

/** One value in PostgreSQL's COPY text format: NULL is \N; backslash, tab, newline and carriage return are escaped. */
export function copyText(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : v;
}

/** One row in COPY text format, with its newline. */
export const copyLine = (values: readonly (string | number | null | undefined)[]): string => `${values.map(copyText).join('\t')}\n`;

/** Writes rows into a table by COPY: PostgreSQL through pg-copy-streams, PGlite through /dev/blob in batches. */
export interface CopyWriter {
  /** Add `rows` lines (default one) made by copyLine, joined; resolves when more may follow (backpressure). */
  write(lines: string, rows?: number): Promise<void>;
  /** Flush and finish; returns the number of rows written. */
  end(): Promise<number>;
  /** Give up (after an error elsewhere); rows already copied stay (they are keyed, the caller deletes them). */
  abort(): Promise<void>;
}

/**
 * Open a COPY into `table (columns)`, outside any transaction (the rows are committed as they arrive, keyed by the caller).
 * On PGlite the single connection is held only while one batch is copied, so other requests are not starved.
 */
export async function openCopy(database: Database, table: string, columns: readonly string[], opts: { batchRows?: number } = {}): Promise<CopyWriter> {
  const statementFor = (source: string) => `COPY ${table} (${columns.join(', ')}) FROM ${source}`;
  let rows = 0;
  if (database.kind === 'pglite') {
    const lite = database.pglite!;
    const batchRows = opts.batchRows ?? 50_000;
    let parts: string[] = [];
    let partRows = 0;
    const flush = async () => {
      if (parts.length === 0) return;
      const blob = new Blob(parts);
      parts = [];
      partRows = 0;
      // Hold the pool's only client so that no transaction of another request is open on the connection meanwhile.
      const client = await database.pool.connect();
      try {
        await lite.query(statementFor(`'/dev/blob'`), [], { blob });
      } finally {
        client.release();
      }
    };
    return {
      write: async (lines, n = 1) => {
        parts.push(lines);
        rows += n;
        partRows += n;
        if (partRows >= batchRows) await flush();
      },
      end: async () => {
        await flush();
        return rows;
      },
      abort: async () => {
        parts = [];
        partRows = 0;
      },
    };
  }

  const client = await database.pool.connect();
  let released = false;
  const release = (err?: Error) => {
    if (released) return;
    released = true;
    client.release(err);
  };
  let stream: Writable;
  try {
    stream = client.query(copyFrom(statementFor('STDIN')));
  } catch (err) {
    release(err as Error);
    throw err;
  }
  let failure: Error | undefined;
  stream.on('error', (err: Error) => {
    failure = err;
  });
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('finish', () => resolve());
    stream.on('error', reject);
  });
  finished.catch(() => {});
  let pending: string[] = [];
  let pendingBytes = 0;
  const push = async () => {
    const chunk = pending.join('');
    pending = [];
    pendingBytes = 0;
    if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), finished]);
  };
  return {
    write: async (lines, n = 1) => {
      if (failure) throw failure;
      pending.push(lines);
      pendingBytes += lines.length;
      rows += n;
      if (pendingBytes >= 256 * 1024) await push();
    },
    end: async () => {
      try {
        if (failure) throw failure;
        if (pending.length > 0) await push();
        stream.end();
        await finished;
        release();
        return rows;
      } catch (err) {
        release(err as Error);
        throw err;
      }
    },
    abort: async () => {
      if (released) return;
      // Destroying the stream makes pg-copy-streams send CopyFail; the client is then discarded.
      stream.destroy(new Error('copy aborted'));
      await finished.catch(() => {});
      release(new Error('copy aborted'));
    },
  };
}

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_FILE, generateOpenApi, renderOpenApi } from '../scripts/write-openapi.js';
import { TOKEN_ROLES } from '../src/domain/roles.js';

const run = promisify(execFile);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  'x-nvf-access'?: unknown;
  responses: Record<string, { content?: Record<string, { example?: unknown; examples?: unknown; schema?: unknown }> }>;
}
interface Document {
  tags: { name: string; description?: string }[];
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
}

function operations(doc: Document): { method: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path: p, op: item[m]! })),
  );
}

describe('the OpenAPI document', () => {
  let text: string;
  let doc: Document;
  beforeAll(async () => {
    text = renderOpenApi(await generateOpenApi());
    doc = JSON.parse(text) as Document;
  });

  it('docs/openapi.json is up to date with the routes', () => {
    const committed = fs.existsSync(OPENAPI_FILE) ? fs.readFileSync(OPENAPI_FILE, 'utf8') : '';
    // A plain equality check would print a 4,000-line diff; say what to do instead.
    expect(committed === text, 'docs/openapi.json is stale: run npm run openapi and commit the result').toBe(true);
  });

  it('names a fixed placeholder server, not the port it was generated on', () => {
    expect(doc.servers.map((s) => s.url)).toEqual(['https://nvf.example']);
  });

  it('every operation has a unique operationId, a summary and defined tags', () => {
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThanOrEqual(15);
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.filter((id) => !id), 'operations without operationId').toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    const tagNames = new Set(doc.tags.map((t) => t.name));
    for (const { method, path: p, op } of ops) {
      expect(op.summary, `${method} ${p} summary`).toMatch(/\S{3}/);
      expect(op.tags?.length, `${method} ${p} tags`).toBeGreaterThan(0);
      for (const t of op.tags ?? []) expect(tagNames.has(t), `${method} ${p} uses undeclared tag ${t}`).toBe(true);
    }
    for (const t of doc.tags) expect(t.description, `tag ${t.name}`).toBeTruthy();
  });

  it('every operation documents problem+json error answers and an example of its success answer', () => {
    for (const { method, path: p, op } of operations(doc)) {
      const statuses = Object.keys(op.responses);
      const problems = statuses.filter((s) => /^4\d\d$/.test(s) && op.responses[s]!.content?.['application/problem+json']?.example);
      expect(problems.length, `${method} ${p} has no 4xx problem response with an example`).toBeGreaterThan(0);
      const success = statuses.filter((s) => /^2\d\d$/.test(s));
      // Browser navigations (OIDC login and callback) answer only with a redirect, which has no body to exemplify.
      const redirects = statuses.filter((s) => /^3\d\d$/.test(s));
      expect(success.length + redirects.length, `${method} ${p} has no success response`).toBeGreaterThan(0);
      for (const s of success) {
        const content = op.responses[s]!.content;
        if (s === '204') {
          expect(content, `${method} ${p} 204 has no body`).toBeUndefined();
          continue;
        }
        const media = Object.values(content ?? {});
        expect(media.length, `${method} ${p} ${s} has no content`).toBeGreaterThan(0);
        for (const m of media) expect(m.example ?? m.examples, `${method} ${p} ${s} has no example`).toBeDefined();
      }
    }
  });

  it('every operation declares who may call it in x-nvf-access, consistent with its security', () => {
    for (const { method, path: p, op } of operations(doc)) {
      const access = op['x-nvf-access'];
      const raw = op as unknown as { security?: unknown[] };
      if (access === 'public') {
        expect(raw.security, `${method} ${p}`).toEqual([]);
      } else {
        expect(Array.isArray(access), `${method} ${p} x-nvf-access is ${JSON.stringify(access)}`).toBe(true);
        expect((access as string[]).length).toBeGreaterThan(0);
        for (const r of access as string[]) expect(TOKEN_ROLES as readonly string[], `${method} ${p}`).toContain(r);
        expect(raw.security, `${method} ${p}`).toEqual([{ bearerAuth: [] }]);
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
        // the roles are named in the description exactly once (a GET's HEAD route shares its schema)
        const description = (op as unknown as { description?: string }).description ?? '';
        expect(description.split('**Roles:**').length - 1, `${method} ${p}`).toBe(1);
        expect(description).toContain(`**Roles:** ${(access as string[]).join(', ')}.`);
      }
    }
  });

  it('passes Redocly lint (recommended + stricter rules) with no errors and no warnings', async () => {
    // Lints the committed file (the test above keeps it equal to what the routes produce), so that the per-location
    // exceptions in .redocly.lint-ignore.yaml, which name docs/openapi.json, apply exactly as on the command line.
    const { stdout } = await run(
      process.execPath,
      [path.resolve('node_modules/@redocly/cli/bin/cli.js'), 'lint', '--config', 'redocly.yaml', '--format', 'json', path.relative(process.cwd(), OPENAPI_FILE)],
      { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, maxBuffer: 32 * 1024 * 1024 },
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    const result = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { totals: { errors: number; warnings: number; ignored: number }; problems: { ruleId: string; message: string; location?: { pointer?: string }[] }[] };
    const found = result.problems.map((pr) => `${pr.ruleId}: ${pr.message} at ${pr.location?.[0]?.pointer ?? '?'}`);
    expect(found).toEqual([]);
    expect(result.totals).toMatchObject({ errors: 0, warnings: 0 });
    // Every ignored problem is one the ignore file lists by location with a reason; nothing else may be ignored.
    const ignores = fs.existsSync('.redocly.lint-ignore.yaml') ? fs.readFileSync('.redocly.lint-ignore.yaml', 'utf8') : '';
    expect(result.totals.ignored).toBe((ignores.match(/^\s+- '#\//gm) ?? []).length);
  });

  it('the redocly configuration switches no rule off without a written reason', () => {
    const lines = fs.readFileSync('redocly.yaml', 'utf8').split('\n');
    const ignores = fs.existsSync('.redocly.lint-ignore.yaml') ? fs.readFileSync('.redocly.lint-ignore.yaml', 'utf8') : '';
    for (const rule of ignores.matchAll(/^ {2}([a-z0-9-]+):/gm)) expect(ignores, `exception to ${rule[1]} without a reason`).toMatch(new RegExp(`#.*${rule[1]}:.{20,}`));
    lines.forEach((line, i) => {
      if (/:\s*off\b/.test(line)) expect(`${lines[i - 1] ?? ''} ${line}`, `redocly.yaml line ${i + 1}`).toMatch(/#\s*\S.{10,}/);
    });
    expect(lines.join('\n')).toMatch(/extends:\s*\n\s*-\s*recommended/);
  });
});

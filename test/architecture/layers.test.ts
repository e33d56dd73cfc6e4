import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The dependency rule of docs/architecture.md is enforced by eslint; this proves the rule bites. */
describe('layering', () => {
  const eslint = new ESLint();
  const lint = async (file: string, code: string) => (await eslint.lintText(code, { filePath: file }))[0]!.messages.filter((m) => m.ruleId === 'no-restricted-imports');

  it.each([
    ["import { sql } from 'kysely';", 'database'],
    ["import fs from 'node:fs';", 'Node built-in'],
    ["import { connect } from '../db/connect.js';", 'db layer'],
    ["import Fastify from 'fastify';", 'HTTP'],
    ["import { problemFor } from '../http/problem.js';", 'http layer'],
  ])('rejects %s in src/domain (%s)', async (code) => {
    expect((await lint('src/domain/example.ts', `${code}\nexport const x = 1;\n`)).length).toBeGreaterThan(0);
  });

  it('accepts a pure import in src/domain', async () => {
    expect(await lint('src/domain/example.ts', "import { z } from 'zod';\nexport const x = z.string();\n")).toHaveLength(0);
  });

  it('rejects HTTP in services', async () => {
    expect(await lint('src/services/example.ts', "import { sendProblem } from '../http/problem.js';\nexport const x = sendProblem;\n")).toHaveLength(1);
  });
});

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Lint rules; the architecture's dependency direction is enforced here (docs/architecture.md). */
export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', 'data/', 'test-results/', 'playwright-report/', 'docs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // src/domain is pure: no database, no HTTP, no Node built-ins, no other layer.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'src/domain is pure: no Node built-ins.' },
            { group: ['../db/*', '../http/*', '../services/*', '../jobs/*', '../cli/*', '../../*'], message: 'src/domain depends on nothing else in src.' },
            { group: ['kysely', 'pg', '@electric-sql/*', 'fastify', '@fastify/*', 'fs', 'path', 'crypto', 'os', 'child_process', 'http', 'https', 'net'], message: 'src/domain is pure: no database, HTTP or Node modules.' },
          ],
        },
      ],
    },
  },
  {
    // Repositories never throw HTTP errors; services never import HTTP.
    files: ['src/db/**/*.ts', 'src/services/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../http/*', '../../http/*', 'fastify', '@fastify/*'], message: 'db and services do not know about HTTP.' }] }] },
  },
);

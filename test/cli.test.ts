import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, importJWK, type JWK } from 'jose';
import { runCli } from '../src/cli/program.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { testIo } from './helpers/cli.js';
import { targets } from './helpers/db.js';


describe.each(targets)('nvf CLI on %s', (target) => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await startTestApp(target);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvf-cli-test-'));
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('migrate says the database is up to date', async () => {
    const io = testIo(t.database);
    expect(await runCli(['migrate'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/up to date/);
  });

  it('clients create --generate-key writes a private JWK; a private_key_jwt token then works', async () => {
    const keyFile = path.join(dir, 'cli-client.jwk.json');
    const io = testIo(t.database);
    const code = await runCli(['clients', 'create', '--id', 'cli-client', '--name', 'CLI test system', '--roles', 'coordinator', '--region', '01', '--generate-key', keyFile], io);
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/Created client cli-client/);
    expect(fs.statSync(keyFile).mode & 0o077).toBe(0); // only the owner may read the private key
    const jwk = JSON.parse(fs.readFileSync(keyFile, 'utf8')) as JWK;
    expect(jwk.d).toBeDefined();

    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid! })
      .setIssuer('cli-client').setSubject('cli-client').setAudience(`${t.config.publicUrl}/oauth/token`)
      .setIssuedAt(now).setExpirationTime(now + 60).setJti(`jti-${now}-${Math.random()}`)
      .sign(await importJWK(jwk, 'ES256'));
    const r = await t.app.inject({
      method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }).toString(),
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().scope).toBe('coordinator region:01');

    const event = await t.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'client.create').where('entity_id', '=', 'cli-client').executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_subject: 'cli', actor_roles: ['admin'] });

    const again = testIo(t.database);
    expect(await runCli(['clients', 'create', '--id', 'cli-client-2', '--name', 'x', '--roles', 'analyst', '--generate-key', keyFile], again)).toBe(1);
    expect(again.stderr.join('\n')).toMatch(/exists already/);
  });

  it('clients create --secret without a value prints a generated secret once, which then works (demo mode)', async () => {
    const io = testIo(t.database);
    expect(await runCli(['clients', 'create', '--id', 'cli-secret', '--name', 'Sandbox system', '--roles', 'analyst', '--secret'], io)).toBe(0);
    const secret = /Client secret \(shown once.*\): (\S+)/.exec(io.stdout.join('\n'))?.[1];
    expect(secret?.length).toBeGreaterThanOrEqual(40);
    expect(io.stdout.join('\n')).toMatch(/only in demo and sandbox mode/);
    const r = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: 'cli-secret', client_secret: secret } });
    expect(r.statusCode).toBe(200);
    const stored = await t.database.db.selectFrom('clients').select('secret_hash').where('id', '=', 'cli-secret').executeTakeFirstOrThrow();
    expect(stored.secret_hash).not.toContain(secret!);
  });

  it('clients create refuses wrong roles, scope and credentials with clear messages and exit code 1', async () => {
    const cases: [string[], RegExp][] = [
      [['--roles', 'coordinator,bogus', '--region', '01', '--secret'], /bogus is not a role/],
      [['--roles', 'coordinator', '--secret'], /coordinator and region-reporter clients need a region/],
      [['--roles', 'provider', '--secret'], /provider clients need an organisation/],
      [['--roles', 'coordinator', '--region', '99', '--secret'], /99 is not a region code/],
      [['--roles', 'provider', '--organization', 'no-such-org', '--secret'], /no-such-org is not an organisation/],
      [['--roles', 'analyst'], /exactly one of --secret/],
      [['--roles', 'analyst', '--secret', 'short'], /at least 16 characters/],
      [['--roles', 'analyst', '--jwk', path.join(dir, 'missing.json')], /Cannot read the JWK file/],
    ];
    for (const [args, message] of cases) {
      const io = testIo(t.database);
      expect(await runCli(['clients', 'create', '--id', 'refused', '--name', 'Refused', ...args], io), args.join(' ')).toBe(1);
      const text = io.stderr.join('\n');
      expect(text, args.join(' ')).toMatch(message);
      expect(text).not.toMatch(/\n\s+at /); // no stack trace
    }
    const privateJwk = path.join(dir, 'private.json');
    fs.writeFileSync(privateJwk, JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' }));
    const io = testIo(t.database);
    expect(await runCli(['clients', 'create', '--id', 'refused', '--name', 'R', '--roles', 'analyst', '--jwk', privateJwk], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/register only the public half/);
    expect(await t.database.db.selectFrom('clients').select('id').where('id', '=', 'refused').executeTakeFirst()).toBeUndefined();
  });

  it('clients list shows the clients without secrets', async () => {
    const io = testIo(t.database);
    expect(await runCli(['clients', 'list'], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toMatch(/demo-coordinator-01\s+coordinator\s+01\s+client_secret/);
    expect(text).not.toMatch(/scrypt/);
    const json = testIo(t.database);
    await runCli(['clients', 'list', '--json'], json);
    expect(JSON.parse(json.stdout.join('\n'))).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'demo-admin', roles: ['admin'] })]));
  });

  it('keys rotate starts a new key, the old one stays published, and keys list shows both', async () => {
    const before = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: 'demo-admin', client_secret: 'demo' } });
    const io = testIo(t.database);
    expect(await runCli(['keys', 'rotate'], io)).toBe(0);
    const kid = /New signing key: (\S+)/.exec(io.stdout.join('\n'))?.[1];
    const retired = /Retired .*: (\S+)/.exec(io.stdout.join('\n'))?.[1];
    expect(kid && retired).toBeTruthy();
    const jwks = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(jwks.json().keys.map((k: JWK) => k.kid)).toEqual(expect.arrayContaining([kid, retired]));
    const old = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${before.json().access_token}` } });
    expect(old.statusCode).toBe(200);
    const list = testIo(t.database);
    expect(await runCli(['keys', 'list'], list)).toBe(0);
    expect(list.stdout.join('\n')).toMatch(new RegExp(`${kid}\\s+ES256\\s+active`));
    expect(list.stdout.join('\n')).toMatch(new RegExp(`${retired}\\s+ES256\\s+retired`));
  });

  it('seed is refused in production mode', async () => {
    const io = testIo(t.database, { NVF_MODE: 'production' });
    expect(await runCli(['seed'], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/not seeded in production/);
  });
});

describe('nvf CLI against its own database', () => {
  it('seed fills an empty database and prints a summary', async () => {
    const io = testIo(undefined, { DATA_DIR: 'memory://' });
    expect(await runCli(['seed', '--scale', '1', '--seed', '7'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/Seeded pglite:memory \(seed 7, scale 1\).*organizations/);
  });

  it('bin/nvf.mjs runs as a process: bad arguments exit 1 with a message and no stack trace', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvf-cli-proc-'));
    try {
      const run = promisify(execFile);
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: path.join(dataDir, 'db'), NODE_ENV: 'development' };
      delete env.DATABASE_URL;
      delete env.NVF_MODE;
      const err = await run(process.execPath, ['bin/nvf.mjs', 'clients', 'create', '--id', 'p', '--name', 'P', '--roles', 'analyst'], { env }).catch((e: { code: number; stderr: string }) => e);
      expect((err as { code: number }).code).toBe(1);
      expect((err as { stderr: string }).stderr).toMatch(/exactly one of --secret/); // refused before any database is opened
      expect((err as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import path from 'node:path';
import { Option, type Command } from 'commander';
import { AppError } from '../domain/errors.js';
import { createClient, listClients, type ClientCredential } from '../services/clients.service.js';
import { cliContext, type CliIo, table, withDatabase } from './io.js';
import { commaList } from './parse.js';

interface CreateOptions {
  id: string;
  name: string;
  roles: string[];
  region?: string;
  organization?: string;
  unit?: string;
  secret?: string | true;
  jwk?: string;
  generateKey?: string;
}

function credentialFrom(io: CliIo, opts: CreateOptions): ClientCredential {
  const given = [opts.secret !== undefined, opts.jwk !== undefined, opts.generateKey !== undefined].filter(Boolean).length;
  if (given !== 1) throw new AppError('bad_request', 'Give exactly one of --secret [VALUE], --jwk FILE or --generate-key OUTFILE.');
  if (opts.secret !== undefined) return { kind: 'secret', value: opts.secret === true ? undefined : opts.secret };
  if (opts.jwk !== undefined) {
    let text: string;
    try {
      text = io.readFile(opts.jwk);
    } catch {
      throw new AppError('bad_request', `Cannot read the JWK file ${opts.jwk}.`);
    }
    try {
      return { kind: 'jwk', jwk: JSON.parse(text) as unknown };
    } catch {
      throw new AppError('bad_request', `${opts.jwk} is not JSON; it must hold a public JWK or a JWK Set ({"keys": [...]}).`);
    }
  }
  if (io.fileExists(opts.generateKey!)) throw new AppError('bad_request', `${opts.generateKey} exists already; name a new file for the private key.`);
  return { kind: 'generate-key' };
}

/** nvf clients create | list: the API clients allowed to get tokens. */
export function registerClientsCommands(program: Command, io: CliIo): void {
  const clients = program.command('clients').description('API clients (systems that get tokens at POST /oauth/token)');

  clients
    .command('create')
    .description('Register an API client with its roles, scope and credential')
    .requiredOption('--id <id>', 'client id (letters, digits, . _ -)')
    .requiredOption('--name <name>', 'a name people recognise, e.g. the system and its owner')
    .requiredOption('--roles <r1,r2>', 'roles: patient, coordinator, provider, region-reporter, analyst, admin', commaList)
    .option('--region <RR>', 'region code (required for coordinator and region-reporter)')
    .option('--organization <ORG>', 'organisation id (required for provider)')
    .option('--unit <HSA>', 'narrow the client to one unit (HSA-id)')
    .addOption(new Option('--secret [value]', 'a client secret (demo and sandbox only); without a value one is generated and shown once'))
    .option('--jwk <file>', 'a file with the client’s public JWK or JWK Set, for private_key_jwt')
    .option('--generate-key <outfile>', 'generate an ES256 key pair: the private JWK is written to OUTFILE, the public half registered')
    .action(async (opts: CreateOptions) => {
      const credential = credentialFrom(io, opts);
      await withDatabase(io, async (database, config) => {
        const created = await createClient(database.db, cliContext(), {
          id: opts.id,
          name: opts.name,
          roles: opts.roles,
          regionCode: opts.region,
          organizationId: opts.organization,
          unitHsaId: opts.unit,
          credential,
        });
        const c = created.client;
        const scope = [c.regionCode && `region ${c.regionCode}`, c.organizationId && `organisation ${c.organizationId}`, c.unitHsaId && `unit ${c.unitHsaId}`].filter(Boolean).join(', ');
        io.out(`Created client ${c.id} (${c.roles.join(', ')}${scope ? `; ${scope}` : ''}).`);
        if (created.privateJwk) {
          io.writeNewFile(opts.generateKey!, `${JSON.stringify(created.privateJwk, null, 2)}\n`, 0o600);
          io.out(`Private key (kid ${created.privateJwk.kid}) written to ${path.resolve(opts.generateKey!)}; keep it secret, it is not stored here.`);
        }
        if (c.authMethods.includes('private_key_jwt'))
          io.out(`Get tokens with private_key_jwt: a JWT signed with the key, iss = sub = ${c.id}, aud = ${config.publicUrl}/oauth/token, exp within 5 minutes, a new jti each time.`);
        if (created.generatedSecret) io.out(`Client secret (shown once, only its hash is stored): ${created.generatedSecret}`);
        if (credential.kind === 'secret') {
          const note = 'Client secrets are accepted only in demo and sandbox mode; production clients use private_key_jwt (--jwk or --generate-key).';
          if (config.mode === 'production') io.err(`Warning: ${note} This installation is in production mode, so the secret will not work.`);
          else io.out(`Note: ${note}`);
        }
      });
    });

  clients
    .command('list')
    .description('List the registered clients (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(io, async (database) => {
        const rows = await listClients(database.db);
        if (opts.json) return io.out(JSON.stringify(rows, null, 2));
        const lines = table(
          rows.map((c) => ({
            id: c.id,
            roles: c.roles.join(','),
            scope: c.unitHsaId ?? c.organizationId ?? c.regionCode ?? '',
            auth: c.authMethods.join(','),
            state: c.disabled ? 'disabled' : c.synthetic ? 'synthetic' : 'active',
            name: c.name,
          })),
        );
        for (const line of lines) io.out(line);
        io.out(`${rows.length} client(s).`);
      });
    });
}

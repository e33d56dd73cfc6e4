import type { Command } from 'commander';
import { recordAuditAlone } from '../services/audit.service.js';
import { rotateSigningKey } from '../services/keys.service.js';
import { listSigningKeys } from '../services/clients-keys.service.js';
import { cliContext, type CliIo, table, withDatabase } from './io.js';

/** nvf keys rotate | list: the platform's token-signing keys. */
export function registerKeysCommands(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('The platform’s token-signing keys');

  keys
    .command('rotate')
    .description('Start signing with a new key; the old one stays published so tokens it signed keep verifying')
    .action(async () => {
      await withDatabase(io, async (database) => {
        const ctx = cliContext();
        const { kid, retired } = await rotateSigningKey(database.db, ctx.clock.now());
        await recordAuditAlone(database.db, ctx, { action: 'signing_key.rotate', entityType: 'signing_key', entityId: kid, details: { retired } });
        io.out(`New signing key: ${kid}`);
        io.out(retired.length > 0 ? `Retired (still published at /.well-known/jwks.json for 24 h, so tokens they signed keep verifying): ${retired.join(', ')}` : 'No key was active before.');
        io.out('Running servers sign with the new key within 30 seconds.');
      });
    });

  keys
    .command('list')
    .description('List the signing keys and their state')
    .action(async () => {
      await withDatabase(io, async (database) => {
        const rows = await listSigningKeys(database.db);
        if (rows.length === 0) return io.out('No signing keys yet: start the server or run `nvf keys rotate`.');
        for (const line of table(rows.map((r) => ({ kid: r.kid, alg: r.alg, state: r.state, created: r.createdAt, 'published until': r.expiresAt ?? '' })))) io.out(line);
      });
    });
}

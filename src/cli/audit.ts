import type { Command } from 'commander';
import { AppError } from '../domain/errors.js';
import { anchorAuditChains, verifyAuditChain } from '../services/audit.service.js';
import { cliContext, type CliIo, withDatabase } from './io.js';

/** nvf audit verify | anchor: the audit log's hash chains and their daily anchors (ADR 0004, 0014, 0017). */
export function registerAuditCommands(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('The audit log: verify its hash chains, take the daily anchor');

  audit
    .command('verify')
    .description('Recompute every hash of the 64 audit chains and check them against every daily anchor; exits 1 when something does not hold')
    .action(async () => {
      await withDatabase(io, async (database) => {
        const r = await verifyAuditChain(database.db);
        if (!r.ok) {
          throw new AppError('conflict', `the audit log does not verify: ${r.reason ?? 'an event does not match its hash'}${r.firstBadEvent ? ` (first bad event ${r.firstBadEvent})` : ''}; ${r.events} events checked before it.`);
        }
        io.out(`The audit log verifies: ${r.events} events in 64 chains, ${r.anchors} daily anchor(s) agree.`);
      });
    });

  audit
    .command('anchor')
    .description('Take today’s anchor now if the day has none (the server does so within ten minutes of midnight) and print its digest')
    .action(async () => {
      await withDatabase(io, async (database) => {
        const { anchor, taken } = await anchorAuditChains(database.db, cliContext().clock);
        io.out(`${taken ? 'Took' : 'Today already has'} the audit anchor of ${anchor.day}: sha256 ${anchor.digest} over 64 chain heads (${anchor.events} events).`);
        io.out(`Published at GET /api/v1/audit/anchors/${anchor.day}; keep a copy of the digest outside the platform.`);
      });
    });
}

import { Command, CommanderError } from 'commander';
import { AppError } from '../domain/errors.js';
import { registerAuditCommands } from './audit.js';
import { registerClientsCommands } from './clients.js';
import { registerDatabaseCommands } from './database.js';
import { registerGenerateCommands } from './generate.js';
import { type CliIo, processIo } from './io.js';
import { registerKeysCommands } from './keys.js';
import { registerImportCommands } from './import.js';
import { registerReportCommands } from './report.js';
import { registerStatsCommands } from './stats.js';

/** The nvf command tree; each command group lives in a file of its own and registers itself here. */
export function createProgram(io: CliIo = processIo): Command {
  const program = new Command('nvf')
    .description('Nationell vårdförmedling: operate the platform’s database, keys, clients and audit log')
    .showHelpAfterError('(run nvf --help for the commands)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();
  registerDatabaseCommands(program, io);
  registerKeysCommands(program, io);
  registerClientsCommands(program, io);
  registerImportCommands(program, io);
  registerGenerateCommands(program, io);
  registerReportCommands(program, io);
  registerStatsCommands(program, io);
  registerAuditCommands(program, io);
  // Subcommands inherit exitOverride and output only when set on them too.
  for (const cmd of allCommands(program)) cmd.exitOverride().configureOutput(program.configureOutput());
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** Run the CLI; returns the exit code. User errors are printed as one clear message, never as a stack trace. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    await createProgram(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander has printed its message (or the help)
    if (err instanceof AppError) {
      io.err(`Error: ${err.message}`);
      return 1;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.err(`Error: ${message}`);
    if (process.env.NVF_DEBUG && err instanceof Error && err.stack) io.err(err.stack);
    else io.err('(set NVF_DEBUG=1 to see the details)');
    return 1;
  }
}

import { loadConfig } from '../../src/config.js';
import { processIo, type CliIo } from '../../src/cli/io.js';
import type { Database } from '../../src/db/connect.js';

export interface CapturedIo extends CliIo {
  stdout: string[];
  stderr: string[];
}

/**
 * The real CLI wiring with output captured and the test's database handed in (left open: the test owns it); without a
 * database, the CLI connects as configured. `env` is added to the test configuration.
 */
export function testIo(database: Database | undefined, env: Record<string, string> = {}): CapturedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    ...processIo,
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    config: () => loadConfig({ LOG_LEVEL: 'silent', PORT: '3000', PATIENT_DATA_KEY: 'b4'.repeat(32), ...env }),
    connect: database ? async () => ({ ...database, close: async () => {} }) : processIo.connect,
  };
}

// Entry point of the nvf command (bin/nvf.mjs runs it through tsx). The commands are in src/cli/program.ts.
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));

import chalk from 'chalk';
import { KayakError, UserError } from '../errors.js';
import { buildProgram } from './program.js';
import { ShutdownSignals } from './shutdown.js';

/**
 * Runs the CLI: a user's mistake prints one line and the next step; only our own bugs print a stack. SIGINT and
 * SIGTERM are handled from here on, before any command prints or writes anything.
 */
async function main(argv: string[], shutdown: ShutdownSignals): Promise<void> {
  let exitCode = 0;
  const program = buildProgram((code) => (exitCode = code), shutdown);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    exitCode = report(error);
  }
  process.exitCode = exitCode;
  // Give stdout a moment to drain, then leave even if a stray handle is open.
  setTimeout(() => process.exit(exitCode), 100).unref();
}

function report(error: unknown): number {
  if (error instanceof UserError) {
    const next = error.nextStep === undefined ? '' : chalk.dim(` (${error.nextStep})`);
    console.error(`${chalk.red('error:')} ${error.message}${next}`);
    return error.exitCode;
  }
  const message = error instanceof KayakError ? error.message : String(error);
  console.error(`${chalk.red('kayak-cast failed unexpectedly:')} ${message}`);
  if (error instanceof Error && error.stack) console.error(chalk.dim(error.stack));
  console.error('This is a bug in kayak-cast; please report it with the lines above.');
  return 70;
}

await main(process.argv, new ShutdownSignals());

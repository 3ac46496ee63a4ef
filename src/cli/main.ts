import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { registerBacktest } from './backtest.js';
import { registerData } from './data.js';
import { registerLiq } from './liq.js';
import { registerReport } from './report.js';
import { registerSweep } from './sweep.js';
import { registerMerge } from './merge.js';

/** The margincall command line; each command lives in its own file and only parses and calls src/. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('margincall')
    .description(
      'Backtester for crypto perpetual futures: isolated vs cross margin, exact liquidations, WASM speed.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerData(program);
  registerLiq(program);
  registerBacktest(program);
  registerReport(program);
  registerSweep(program);
  registerMerge(program);
  return program;
}

/** Runs the CLI; returns the exit status instead of exiting so tests can call it in-process. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed its message (help, version or a usage error)
      return err.exitCode;
    }
    if (err instanceof UserError) {
      process.stderr.write(`margincall: error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

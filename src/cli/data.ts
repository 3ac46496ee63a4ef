import type { Command } from 'commander';

/** `margincall data …`: import, synth, info (see src/data). */
export function registerData(program: Command): void {
  program.command('data').description('import, generate and inspect candle datasets');
}

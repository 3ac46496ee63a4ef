// `margincall merge`: joins sweep shards into one file ordered by run index.
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { mergeShards } from '../sweep/merge.js';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('Join the shard files of one sweep (--shard i/n) into one file ordered by run index.')
    .argument('<files...>', 'shard files (.arrow or .parquet, written by margincall sweep --shard)')
    .option('--out <file>', 'the merged file (.arrow, .parquet or .csv)')
    .option('--json', 'print {"out", "rows", "shards"}')
    .addHelpText(
      'after',
      `
The shards must be complete parts of one sweep (same grid, settings and data) that cover every run
exactly once: a missing, duplicated or foreign shard is refused.

Example:
  margincall merge part-*.arrow --out sweep.parquet`,
    )
    .action((files: string[], f: { out?: string; json?: boolean }) => {
      if (f.out === undefined) throw new UserError('where to write the merged file', { field: '--out' });
      const res = mergeShards(files, f.out);
      process.stdout.write(
        f.json ? JSON.stringify({ out: f.out, rows: res.rows, shards: res.shards }) + '\n' : `${res.rows} runs from ${res.shards} shards written to ${f.out}\n`,
      );
    });
}

// Joining shard files into one sweep file ordered by run index. The shards must be complete
// parts of one sweep (same grid hash in their metadata, same columns) that together cover every
// run exactly once. Shards are read one at a time, so memory is that of the largest shard.
import { UserError } from '../errors.js';
import { formatFromPath, openTableWriter, readTable, type ResultTable } from '../report/export.js';

interface ShardInfo {
  file: string;
  hash: string;
  total: number;
  first: number;
  end: number;
  shard: string | null;
  complete: boolean;
  columns: string;
}

const KEY = 'margincall.sweep';

function infoOf(file: string, t: ResultTable): ShardInfo {
  const raw = t.metadata?.[KEY];
  if (raw === undefined) {
    const why = formatFromPath(file) === 'csv' ? 'CSV keeps no metadata: write shards as .arrow or .parquet to merge them' : 'no sweep metadata';
    throw new UserError(`is not a margincall sweep shard (${why})`, { file });
  }
  let m: Omit<ShardInfo, 'file' | 'columns'>;
  try {
    m = JSON.parse(raw);
  } catch {
    throw new UserError(`has unreadable sweep metadata`, { file });
  }
  return { file, ...m, columns: t.columns.map((c) => `${c.name}:${c.kind}`).join(',') };
}

export interface MergeResult {
  rows: number;
  shards: number;
  total: number;
}

/** Merges `files` into `out` (format by extension), refusing an incomplete or overlapping set. */
export function mergeShards(files: readonly string[], out: string): MergeResult {
  if (files.length === 0) throw new UserError('no shard files given', { field: 'files' });
  const format = formatFromPath(out);
  // first pass: metadata and checks (each table is read and dropped)
  const infos = files.map((file) => {
    const t = readTable(file);
    const info = infoOf(file, t);
    if (!info.complete) throw new UserError(`is an interrupted shard (${info.shard ?? 'whole grid'}); finish it with --resume first`, { file });
    if (t.length !== info.end - info.first) throw new UserError(`holds ${t.length} rows, its metadata says ${info.end - info.first}`, { file });
    return info;
  });
  const ref = infos[0]!;
  for (const i of infos) {
    if (i.hash !== ref.hash || i.total !== ref.total) {
      throw new UserError(`belongs to another sweep than ${ref.file} (different grid, settings or data)`, { file: i.file });
    }
    if (i.columns !== ref.columns) throw new UserError(`has other columns than ${ref.file}`, { file: i.file });
  }
  infos.sort((a, b) => a.first - b.first || a.end - b.end);
  let at = 0;
  for (const i of infos) {
    if (i.first < at) {
      throw new UserError(`overlaps another shard: runs ${i.first}..${Math.min(at, i.end) - 1} are in two files`, { file: i.file });
    }
    if (i.first > at) throw new UserError(`the shards are incomplete: runs ${at}..${i.first - 1} are missing`, { field: 'files' });
    at = i.end;
  }
  if (at !== ref.total) throw new UserError(`the shards are incomplete: runs ${at}..${ref.total - 1} are missing`, { field: 'files' });

  const first = readTable(infos[0]!.file);
  const metadata = { [KEY]: JSON.stringify({ hash: ref.hash, total: ref.total, first: 0, end: ref.total, shard: null, complete: true }) };
  const writer = openTableWriter(out, first.columns, format, { metadata });
  let rows = 0;
  try {
    for (const i of infos) {
      const t = i === infos[0] ? first : readTable(i.file);
      const run = t.columns.find((c) => c.name === 'run')?.data;
      if (!run) throw new UserError('has no run column', { file: i.file });
      for (let r = 0; r < t.length; r++) {
        if (run[r] !== i.first + r) throw new UserError(`row ${r + 1} holds run ${String(run[r])}, expected ${i.first + r}`, { file: i.file });
      }
      writer.write({ columns: t.columns, length: t.length });
      rows += t.length;
    }
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
  return { rows, shards: infos.length, total: ref.total };
}

// What a report is made from: a backtest's `--out` directory (summary.json and the three record
// tables) or a sweep's output file (one row per run). Either is read here into plain tables, and
// a missing file or column is a UserError naming it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../errors.js';
import { METRIC_NAMES } from '../../engine/types.js';
import { readTable, type ResultTable } from '../export.js';
import { RECORD_SCHEMAS, type RecordTables } from '../records.js';
import type { RunJson, SummaryJson } from '../summary.js';

export interface BacktestResults extends RecordTables {
  kind: 'backtest';
  summary: SummaryJson;
  /** Where the results were read from (a directory), when they came from files. */
  source?: string;
}

export interface SweepResults {
  kind: 'sweep';
  table: ResultTable;
  source?: string;
}

export type Results = BacktestResults | SweepResults;

const RECORD_EXTENSIONS = ['.arrow', '.parquet', '.csv'] as const;

/**
 * Reads results from `path`: a directory holding summary.json (or that summary.json itself) is a
 * backtest; an .arrow/.feather/.ipc/.parquet/.csv file is a sweep.
 */
export function readResults(path: string): Results {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new UserError('no such file or directory', { file: path });
  }
  if (isDir) return readBacktestDir(path);
  if (basename(path) === 'summary.json') return readBacktestDir(dirname(path));
  const table = readTable(path);
  if (modeColumn(table) === undefined) {
    throw new UserError('not a sweep output: it has no marginMode column (give a backtest --out directory or a sweep file)', {
      file: path,
      field: 'marginMode',
    });
  }
  return { kind: 'sweep', table, source: path };
}

/** summary.json and equity/trades/liquidations (whichever of .arrow, .parquet, .csv is there). */
export function readBacktestDir(dir: string): BacktestResults {
  const summaryPath = join(dir, 'summary.json');
  if (!existsSync(summaryPath)) {
    throw new UserError('no summary.json here: not a backtest --out directory', { file: dir });
  }
  const summary = parseSummary(readFileSync(summaryPath, 'utf8'), summaryPath);
  const read = (kind: keyof RecordTables): ResultTable => {
    for (const ext of RECORD_EXTENSIONS) {
      const file = join(dir, kind + ext);
      if (existsSync(file)) return readTable(file, RECORD_SCHEMAS[kind]);
    }
    throw new UserError(`no ${kind}.arrow, ${kind}.parquet or ${kind}.csv beside summary.json`, { file: dir });
  };
  return { kind: 'backtest', summary, equity: read('equity'), trades: read('trades'), liquidations: read('liquidations'), source: dir };
}

/** summary.json, checked for the fields a report uses. */
export function parseSummary(text: string, file: string): SummaryJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`not valid JSON (${(err as Error).message})`, { file });
  }
  const runs = (json as { runs?: unknown })?.runs;
  if (!Array.isArray(runs) || runs.length === 0) throw new UserError('expected {"runs": [...]} with at least one run', { file, field: 'runs' });
  runs.forEach((r: Partial<RunJson>, i) => {
    const bad = (field: string) => new UserError(`run ${i}: missing or invalid ${field}`, { file, row: i + 1, field });
    if (r.marginMode !== 'isolated' && r.marginMode !== 'cross') throw bad('marginMode');
    if (typeof r.strategy !== 'string') throw bad('strategy');
    if (!Array.isArray(r.symbols) || r.symbols.some((s) => typeof s !== 'string')) throw bad('symbols');
    if (typeof r.leverage !== 'number') throw bad('leverage');
    if (typeof r.params !== 'object' || r.params === null) throw bad('params');
    if (typeof r.metrics !== 'object' || r.metrics === null) throw bad('metrics');
    for (const m of METRIC_NAMES) if (!(m in r.metrics)) throw bad(`metrics.${m}`);
  });
  return json as SummaryJson;
}

/** The column `name` of `t`, or a UserError naming the file and the field. */
export function column(t: ResultTable, name: string, file?: string): ResultTable['columns'][number]['data'] {
  const c = t.columns.find((col) => col.name === name);
  if (!c) throw new UserError(`missing column '${name}'`, { file, field: name });
  return c.data;
}

/** A numeric column as numbers (null stays null; NaN stays NaN). */
export function numbers(t: ResultTable, name: string, file?: string): ArrayLike<number | null> {
  const data = column(t, name, file);
  if (data.length > 0 && typeof data[0] === 'string') throw new UserError(`column '${name}' is text; expected numbers`, { file, field: name });
  if (data instanceof Uint8Array) return Array.from(data);
  return data as ArrayLike<number | null>;
}

/** A column as strings (null stays null). */
export function strings(t: ResultTable, name: string, file?: string): ArrayLike<string | null> {
  const data = column(t, name, file);
  if (data.length > 0 && typeof data[0] !== 'string' && data[0] !== null) throw new UserError(`column '${name}' is not text`, { file, field: name });
  return data as ArrayLike<string | null>;
}

/** The margin-mode column of a sweep table: `marginMode` as in the backtest records, or `margin`. */
export function modeColumn(t: ResultTable): string | undefined {
  return ['marginMode', 'margin'].find((name) => t.columns.some((c) => c.name === name && c.kind === 'utf8'));
}

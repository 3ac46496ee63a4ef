// Result tables to and from files: Arrow IPC file format (what pandas' and polars' feather readers
// expect; uncompressed, as apache-arrow 21's compressed writer is broken), Parquet (ZSTD, read by
// DuckDB, pandas, polars) and CSV. The format follows the file's extension unless given.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { tableToIPC } from 'apache-arrow';
import { readArrowTable } from '../data/arrow-io.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { parseCsvTable } from './csv.js';
import { arrowToParquet, parquetToArrow } from './parquet.js';
import { openTableWriter } from './table-writer.js';
import { fromArrowTable, toArrowTable, type ColumnSchema, type ResultTable } from './table.js';

export type ExportFormat = 'arrow' | 'parquet' | 'csv';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['arrow', 'parquet', 'csv'];

const EXTENSIONS: Record<string, ExportFormat> = {
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
  '.parquet': 'parquet',
  '.csv': 'csv',
};

/** The extension a file of `format` gets (`equity` + extensionFor('parquet') → equity.parquet). */
export function extensionFor(format: ExportFormat): string {
  return format === 'arrow' ? '.arrow' : `.${format}`;
}

export function formatFromPath(path: string): ExportFormat {
  const format = EXTENSIONS[extname(path).toLowerCase()];
  if (!format) {
    throw new UserError(`cannot tell the output format from the extension; use .arrow (or .feather, .ipc), .parquet or .csv`, {
      file: path,
    });
  }
  return format;
}

/** Writes `t` to `path` through a temporary file and a rename. */
export function writeTable(path: string, t: ResultTable, format: ExportFormat = formatFromPath(path)): void {
  if (format === 'csv') {
    const writer = openTableWriter(path, t.columns, 'csv');
    writer.write(t);
    writer.close();
    return;
  }
  const table = toArrowTable(t);
  writeFileAtomic(path, format === 'arrow' ? tableToIPC(table, 'file') : arrowToParquet(table));
}

export interface ReadTableOptions {
  /** Read only these columns, in this order (all when absent). */
  columns?: string[];
  /** Kinds and nullability of CSV columns, which CSV cannot record (see csv.ts). */
  csvSchema?: readonly ColumnSchema[];
}

/**
 * Reads a result table from an Arrow IPC (file or stream), Parquet or CSV file, by extension.
 * A bare array as `options` is taken as `csvSchema`.
 */
export function readTable(path: string, options: ReadTableOptions | readonly ColumnSchema[] = {}): ResultTable {
  if (Array.isArray(options)) options = { csvSchema: options };
  const format = formatFromPath(path);
  const { columns } = options as ReadTableOptions;
  if (format === 'arrow') {
    const table = readArrowTable(path);
    checkColumnsExist(table.schema.fields.map((f) => f.name), columns, path);
    return fromArrowTable(columns ? table.select(columns) : table, path);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new UserError(`cannot read: ${(err as Error).message}`, { file: path });
  }
  if (format === 'csv') {
    const t = parseCsvTable(bytes.toString('utf8'), path, (options as ReadTableOptions).csvSchema);
    checkColumnsExist(t.columns.map((c) => c.name), columns, path);
    return columns ? { ...t, columns: columns.map((name) => t.columns.find((c) => c.name === name)!) } : t;
  }
  let table;
  try {
    table = parquetToArrow(bytes, columns);
  } catch (err) {
    throw new UserError(`not a readable Parquet file (${err instanceof Error ? err.message : String(err)})`, { file: path });
  }
  checkColumnsExist(table.schema.fields.map((f) => f.name), columns, path);
  return fromArrowTable(columns ? table.select(columns) : table, path);
}

function checkColumnsExist(names: string[], wanted: string[] | undefined, file: string): void {
  for (const name of wanted ?? []) {
    if (!names.includes(name)) throw new UserError(`has no column '${name}' (it has: ${names.join(', ')})`, { file, field: name });
  }
}

export { openTableWriter, type TableWriter, type TableWriterOptions } from './table-writer.js';
export { csvHeader, csvRows } from './csv.js';
export { toArrowTable, fromArrowTable } from './table.js';
export type { ColumnData, ColumnKind, ColumnSchema, ColumnSpec, ResultTable } from './table.js';

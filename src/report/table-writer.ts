// Streaming result-table writers for outputs too large to hold (a sweep's million rows). Each
// writes to a temporary file beside the target and renames it over the target on close; abort,
// or any failure while writing, removes the temporary file, so the target is never partial.
//
// Memory per format: Arrow writes each batch to the file as it comes (only the footer's block
// list grows, 24 bytes a batch); CSV writes text as it comes; Parquet buffers rows until a row
// group is full (`rowGroupRows`, default 65,536), then writes the row group and keeps only its
// footer entry. Batches are copied where they are kept, so callers may reuse their arrays.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { AsyncByteQueue, RecordBatchFileWriter, Table, type RecordBatch, type Schema } from 'apache-arrow';
import { tempPathFor } from '../io/atomic.js';
import { csvHeader, csvRows } from './csv.js';
import { PARQUET_ROW_GROUP_ROWS, ParquetSplicer, arrowToParquet } from './parquet.js';
import { arrowSchema, checkBatchShape, toRecordBatch, type ColumnSchema, type ResultTable } from './table.js';
import type { ExportFormat } from './export.js';

export interface TableWriter {
  /** Appends the rows of `batch`, whose columns must match the writer's schema in order. */
  write(batch: ResultTable): void;
  /** Finishes the file and renames it into place. */
  close(): void;
  /** Removes the temporary file; the target is left as it was. */
  abort(): void;
  /** Rows written so far. */
  readonly rows: number;
}

export interface TableWriterOptions {
  /** Schema-level key/value metadata (Arrow and Parquet; CSV has nowhere to keep it). */
  metadata?: Record<string, string>;
  /** Parquet rows per row group. */
  rowGroupRows?: number;
}

interface Sink {
  write(batch: ResultTable): void;
  finish(): void;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/**
 * apache-arrow's writers emit into an AsyncByteQueue that holds every chunk until read; this one
 * writes each chunk to the file at once, which keeps the Arrow writer synchronous and flat.
 */
class FileByteSink extends AsyncByteQueue {
  constructor(private readonly fd: number) {
    super();
  }
  override write(value: ArrayBufferView | ArrayBuffer): void {
    const bytes = ArrayBuffer.isView(value)
      ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
      : new Uint8Array(value);
    writeAll(this.fd, bytes);
  }
}

function arrowSink(fd: number, schema: Schema): Sink {
  const writer = new RecordBatchFileWriter();
  // starting with the schema makes a valid file even when no batch follows
  writer.reset(new FileByteSink(fd), schema);
  return {
    write: (batch) => writer.write(toRecordBatch(schema, batch)),
    finish: () => void writer.finish(),
  };
}

function csvSink(fd: number, schema: Schema): Sink {
  const encoder = new TextEncoder();
  writeAll(fd, encoder.encode(csvHeader(schema.fields)));
  const CHUNK = 16_384;
  return {
    write(batch) {
      checkBatchShape(schema, batch);
      // nullability is the writer's, not the batch's
      const rows = { ...batch, columns: batch.columns.map((c, j) => ({ ...c, nullable: schema.fields[j]!.nullable })) };
      for (let from = 0; from < batch.length; from += CHUNK) {
        writeAll(fd, encoder.encode(csvRows(rows, from, Math.min(batch.length, from + CHUNK))));
      }
    },
    finish() {},
  };
}

function parquetSink(fd: number, schema: Schema, rowGroupRows: number): Sink {
  const splicer = new ParquetSplicer(fd, arrowToParquet(new Table(schema)));
  let pending: RecordBatch[] = [];
  let pendingRows = 0;
  const flush = (): void => {
    if (pendingRows === 0) return;
    // one part, one row group: the limit is above the rows buffered
    splicer.append(arrowToParquet(new Table(schema, pending), pendingRows + 1));
    pending = [];
    pendingRows = 0;
  };
  return {
    write(batch) {
      let from = 0;
      while (from < batch.length) {
        const take = Math.min(batch.length - from, rowGroupRows - pendingRows);
        const part = from === 0 && take === batch.length ? batch : sliceTable(batch, from, from + take);
        pending.push(toRecordBatch(schema, part, true));
        pendingRows += take;
        from += take;
        if (pendingRows >= rowGroupRows) flush();
      }
    },
    finish() {
      flush();
      splicer.finish();
    },
  };
}

function sliceTable(t: ResultTable, from: number, to: number): ResultTable {
  return {
    ...t,
    length: to - from,
    columns: t.columns.map((c) => ({ ...c, data: c.data.slice(from, to) as typeof c.data })),
  };
}

/** Opens a streaming writer of `format` to `path` (written only when closed). */
export function openTableWriter(
  path: string,
  columns: readonly ColumnSchema[],
  format: ExportFormat,
  options: TableWriterOptions = {},
): TableWriter {
  const schema = arrowSchema(columns, options.metadata);
  const rowGroupRows = options.rowGroupRows ?? PARQUET_ROW_GROUP_ROWS;
  if (!(Number.isInteger(rowGroupRows) && rowGroupRows > 0)) throw new Error(`rowGroupRows must be a positive integer, not ${rowGroupRows}`);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  let fd: number | undefined = openSync(tmp, 'w');
  let rows = 0;
  const discard = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    rmSync(tmp, { force: true });
  };
  const guarded = <A extends unknown[]>(what: string, fn: (...args: A) => void) =>
    (...args: A): void => {
      if (fd === undefined) throw new Error(`cannot ${what}: the writer for ${path} is closed`);
      try {
        fn(...args);
      } catch (err) {
        discard();
        throw err;
      }
    };
  let sink: Sink;
  try {
    sink =
      format === 'arrow' ? arrowSink(fd, schema) : format === 'csv' ? csvSink(fd, schema) : parquetSink(fd, schema, rowGroupRows);
  } catch (err) {
    discard();
    throw err;
  }
  return {
    write: guarded('write', (batch: ResultTable) => {
      sink.write(batch);
      rows += batch.length;
    }),
    close: guarded('close', () => {
      sink.finish();
      closeSync(fd!);
      fd = undefined;
      try {
        renameSync(tmp, path);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw err;
      }
    }),
    abort: () => discard(),
    get rows() {
      return rows;
    },
  };
}

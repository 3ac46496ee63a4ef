// Parquet through parquet-wasm 0.8.0 (its Node build, loaded synchronously on first use: its
// WebAssembly instance costs ~16 MB, which importing the library should not). Arrow tables cross
// into WebAssembly as IPC streams. parquet-wasm has no synchronous incremental writer (its
// `transformParquetStream` is async and resolves only once the first batch arrives), so the
// streaming writer here writes each row group as a complete small Parquet file and splices the
// row groups into one file, rewriting the footer: memory stays flat in the number of row groups.
import { writeSync } from 'node:fs';
import { DataType, tableFromIPC, tableToIPC, type Schema, type Table } from 'apache-arrow';
import { createRequire } from 'node:module';
import type * as ParquetWasm from 'parquet-wasm';
import {
  T_I16,
  T_I64,
  T_LIST,
  T_STRUCT,
  decodeStruct,
  encodeStruct,
  getField,
  removeFields,
  setField,
  type TList,
  type TStruct,
} from './thrift-compact.js';

let parquetWasm: typeof ParquetWasm | null = null;
function pw(): typeof ParquetWasm {
  parquetWasm ??= createRequire(import.meta.url)('parquet-wasm') as typeof ParquetWasm;
  return parquetWasm;
}

/** Rows per row group: small enough to buffer while streaming, large enough for scans. */
export const PARQUET_ROW_GROUP_ROWS = 65_536;

const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // "PAR1"

function writerProperties(maxRowGroupRows: number, schema: Schema): ParquetWasm.WriterProperties {
  // a fresh object per call: writeParquet consumes (frees) the properties it is given
  let builder = new (pw().WriterPropertiesBuilder)()
    .setCompression(pw().Compression.ZSTD)
    .setMaxRowGroupSize(maxRowGroupRows)
    .setCreatedBy('margincall')
    // dictionary pages made metric columns (nearly all values distinct) both larger and about
    // three times slower to write; strings (symbols, margin modes) keep them
    .setDictionaryEnabled(false);
  for (const field of schema.fields) {
    if (DataType.isUtf8(field.type)) builder = builder.setColumnDictionaryEnabled(field.name, true);
  }
  const metadata = schema.metadata;
  // the schema metadata is also inside ARROW:schema, which only Arrow-aware readers decode;
  // as plain key/values it shows in DuckDB's parquet_kv_metadata() too
  if (metadata.size) builder = builder.setKeyValueMetadata(new Map(metadata));
  return builder.build();
}

/** An Arrow table as Parquet bytes (ZSTD; schema metadata, nullability and UTC timestamps kept). */
export function arrowToParquet(table: Table, maxRowGroupRows = PARQUET_ROW_GROUP_ROWS): Uint8Array {
  const wasmTable = pw().Table.fromIPCStream(tableToIPC(table, 'stream'));
  return pw().writeParquet(wasmTable, writerProperties(maxRowGroupRows, table.schema));
}

/**
 * Parquet bytes as an Arrow table (the Arrow schema stored by the writer is restored), all
 * columns or those named. The whole file is decoded in WebAssembly memory (about 3× its
 * uncompressed size at the peak, and that memory is kept for reuse).
 */
export function parquetToArrow(bytes: Uint8Array, columns?: string[]): Table {
  // parquet-wasm's default of 1,024-row batches made reads ~7× slower
  const wasmTable = pw().readParquet(bytes, { batchSize: 65_536, ...(columns ? { columns } : {}) });
  return tableFromIPC(wasmTable.intoIPCStream());
}

// Thrift field ids from parquet.thrift
const FMD_NUM_ROWS = 3;
const FMD_ROW_GROUPS = 4;
const RG_COLUMNS = 1;
const RG_NUM_ROWS = 3;
const RG_FILE_OFFSET = 5;
const RG_ORDINAL = 7;
const CC_FILE_OFFSET = 2;
const CC_META_DATA = 3;
const CC_PAGE_INDEX_FIELDS = [4, 5, 6, 7]; // offset/column index offsets and lengths
const CMD_TOTAL_COMPRESSED_SIZE = 7;
const CMD_PAGE_OFFSETS = [9, 10, 11]; // data, index, dictionary page offsets
const CMD_BLOOM_FIELDS = [14, 15];

interface ParsedParquet {
  footer: TStruct;
  /** End of the column chunk data; page indexes and bloom filters, if any, follow it. */
  dataEnd: number;
}

function parseParquet(bytes: Uint8Array): ParsedParquet {
  const n = bytes.length;
  if (n < 12 || !startsWith(bytes, MAGIC, 0) || !startsWith(bytes, MAGIC, n - 4)) {
    throw new Error('parquet: missing PAR1 magic');
  }
  const footerLength = new DataView(bytes.buffer, bytes.byteOffset + n - 8, 4).getUint32(0, true);
  const footerStart = n - 8 - footerLength;
  const footer = decodeStruct(bytes.subarray(footerStart, n - 8));
  let dataEnd = MAGIC.length;
  for (const rg of listOf(footer, FMD_ROW_GROUPS)) {
    for (const chunk of listOf(rg as TStruct, RG_COLUMNS)) {
      const meta = getField(chunk as TStruct, CC_META_DATA)?.value as TStruct;
      const dict = getField(meta, 11)?.value as bigint | undefined;
      const data = getField(meta, 9)!.value as bigint;
      const start = dict !== undefined && dict > 0n && dict < data ? dict : data;
      const size = getField(meta, CMD_TOTAL_COMPRESSED_SIZE)!.value as bigint;
      dataEnd = Math.max(dataEnd, Number(start + size));
    }
  }
  if (dataEnd > footerStart) throw new Error('parquet: column chunks overlap the footer');
  return { footer, dataEnd };
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array, at: number): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

function listOf(s: TStruct, id: number): TStruct[] {
  const f = getField(s, id);
  return f ? ((f.value as TList).items as TStruct[]) : [];
}

function shiftI64(s: TStruct, id: number, delta: bigint): void {
  const f = getField(s, id);
  if (f && (f.value as bigint) > 0n) f.value = (f.value as bigint) + delta;
}

/**
 * Writes one Parquet file to an open descriptor from parts, each a complete Parquet file of the
 * same schema (as `arrowToParquet` makes them). The parts' column chunks are copied as they are;
 * only the footer is rebuilt, with every absolute offset shifted to the chunk's new place. Page
 * indexes are dropped (they are optional; row-group statistics remain).
 */
export class ParquetSplicer {
  private position = 0;
  private rows = 0n;
  private readonly rowGroups: TStruct[] = [];

  /** `template`: a Parquet file of the schema (0 rows is fine) whose footer supplies the rest. */
  constructor(
    private readonly fd: number,
    private readonly template: Uint8Array,
  ) {
    this.write(MAGIC);
  }

  private write(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    this.position += bytes.length;
  }

  append(part: Uint8Array): void {
    const { footer, dataEnd } = parseParquet(part);
    const delta = BigInt(this.position - MAGIC.length);
    for (const rg of listOf(footer, FMD_ROW_GROUPS)) {
      shiftI64(rg, RG_FILE_OFFSET, delta);
      for (const chunk of listOf(rg, RG_COLUMNS)) {
        shiftI64(chunk, CC_FILE_OFFSET, delta);
        removeFields(chunk, CC_PAGE_INDEX_FIELDS);
        const meta = getField(chunk, CC_META_DATA)!.value as TStruct;
        for (const id of CMD_PAGE_OFFSETS) shiftI64(meta, id, delta);
        removeFields(meta, CMD_BLOOM_FIELDS);
      }
      if (getField(rg, RG_ORDINAL)) setField(rg, RG_ORDINAL, T_I16, this.rowGroups.length);
      this.rows += getField(rg, RG_NUM_ROWS)!.value as bigint;
      this.rowGroups.push(rg);
    }
    this.write(part.subarray(MAGIC.length, dataEnd));
  }

  /** Writes the footer; the file is complete after this. */
  finish(): void {
    const { footer } = parseParquet(this.template);
    setField(footer, FMD_NUM_ROWS, T_I64, this.rows);
    setField(footer, FMD_ROW_GROUPS, T_LIST, { kind: 'list', elemType: T_STRUCT, items: this.rowGroups });
    const encoded = encodeStruct(footer);
    const tail = new Uint8Array(8);
    new DataView(tail.buffer).setUint32(0, encoded.length, true);
    tail.set(MAGIC, 4);
    this.write(encoded);
    this.write(tail);
  }
}

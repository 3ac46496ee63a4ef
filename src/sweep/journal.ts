// The resume state of a sweep writing to <out>: two sidecar files.
//   <out>.sweep.json  the manifest: grid hash, total runs, this shard's index range (atomic write)
//   <out>.sweep.bin   the journal: fixed-size records [run index, metrics…] as little-endian f64,
//                     appended in run-index order and fsync'ed per flush
// Records are fixed-size, so after a kill -9 the complete prefix is floor(size / record) records;
// a torn last record is cut off on resume. Nothing is ever lost but unflushed rows, which are
// simply run again.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { METRICS_PER_ROW } from './task.js';

export const RECORD_F64 = 1 + METRICS_PER_ROW;
const RECORD_BYTES = RECORD_F64 * 8;

export interface Manifest {
  version: 1;
  /** SHA-256 of the grid, the settings and the data (see sweepHash). */
  hash: string;
  total: number;
  first: number;
  end: number;
  shard: string | null;
  recordBytes: number;
}

export const manifestPath = (out: string): string => `${out}.sweep.json`;
export const journalPath = (out: string): string => `${out}.sweep.bin`;

export function readManifest(out: string): Manifest | null {
  const p = manifestPath(out);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Manifest;
  } catch (err) {
    throw new UserError(`the sweep manifest is unreadable (${(err as Error).message}); remove it to start over`, { file: p });
  }
}

export class Journal {
  private fd: number;
  private pending: Float64Array;
  private pendingRows = 0;
  /** Rows durably written (and, after a flush, all rows appended). */
  rows: number;

  private constructor(fd: number, rows: number, flushRows: number) {
    this.fd = fd;
    this.rows = rows;
    this.pending = new Float64Array(flushRows * RECORD_F64);
  }

  /** Starts a new journal (and manifest) for `m`. */
  static create(out: string, m: Omit<Manifest, 'version' | 'recordBytes'>, flushRows = 4096): Journal {
    // manifest first: a kill between the two leaves a resumable state (a missing journal is empty)
    writeFileAtomic(manifestPath(out), JSON.stringify({ version: 1, ...m, recordBytes: RECORD_BYTES }, null, 2) + '\n');
    const fd = openSync(journalPath(out), 'w');
    return new Journal(fd, 0, flushRows);
  }

  /**
   * Reopens an interrupted sweep's journal: checks it belongs to the same sweep (`expect`), cuts
   * a torn last record, checks the records are the expected indices, and appends from there.
   */
  static resume(out: string, expect: Omit<Manifest, 'version' | 'recordBytes'>, flushRows = 4096): Journal {
    const m = readManifest(out);
    if (!m) throw new UserError(`there is no interrupted sweep to resume (no ${manifestPath(out)})`, { field: '--resume' });
    if (m.hash !== expect.hash || m.recordBytes !== RECORD_BYTES) {
      throw new UserError(
        'the interrupted sweep was run with another grid, settings or data; run the same command to resume, or remove its state to start over',
        { file: manifestPath(out) },
      );
    }
    if (m.first !== expect.first || m.end !== expect.end || m.shard !== expect.shard) {
      throw new UserError(`the interrupted sweep was shard ${m.shard ?? 'none'}, not ${expect.shard ?? 'none'}`, { file: manifestPath(out) });
    }
    const jp = journalPath(out);
    const fd = openSync(jp, existsSync(jp) ? 'r+' : 'w+');
    const size = fstatSync(fd).size;
    const rows = Math.floor(size / RECORD_BYTES);
    if (rows * RECORD_BYTES !== size) ftruncateSync(fd, rows * RECORD_BYTES);
    if (rows > m.end - m.first) throw new UserError(`the journal holds more rows (${rows}) than the sweep has runs`, { file: jp });
    // the records must be first, first + 1, …: check the first and last
    for (const r of rows ? [0, rows - 1] : []) {
      const buf = new Float64Array(1);
      readSync(fd, new Uint8Array(buf.buffer), 0, 8, r * RECORD_BYTES);
      if (buf[0] !== m.first + r) throw new UserError(`record ${r} holds run ${buf[0]}, expected ${m.first + r}`, { file: jp });
    }
    return new Journal(fd, rows, flushRows);
  }

  /** Appends rows [first, first + count) with their metrics; flushes when the buffer fills. */
  append(first: number, count: number, metrics: Float64Array): void {
    for (let r = 0; r < count; r++) {
      if (this.pendingRows * RECORD_F64 >= this.pending.length) this.flush();
      const at = this.pendingRows * RECORD_F64;
      this.pending[at] = first + r;
      this.pending.set(metrics.subarray(r * METRICS_PER_ROW, (r + 1) * METRICS_PER_ROW), at + 1);
      this.pendingRows++;
    }
  }

  /** Writes the buffered rows and fsyncs: after this, a kill -9 loses none of them. */
  flush(): void {
    if (this.pendingRows === 0) return;
    const bytes = new Uint8Array(this.pending.buffer, 0, this.pendingRows * RECORD_BYTES);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.rows * RECORD_BYTES + done);
    fsyncSync(this.fd);
    this.rows += this.pendingRows;
    this.pendingRows = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Reads journal records [from, from + count) into `into` (count × RECORD_F64). */
export function readJournal(out: string, from: number, count: number, into: Float64Array): void {
  const fd = openSync(journalPath(out), 'r');
  try {
    const bytes = new Uint8Array(into.buffer, into.byteOffset, count * RECORD_BYTES);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(fd, bytes, done, bytes.length - done, from * RECORD_BYTES + done);
      if (n === 0) throw new Error(`journal ${journalPath(out)} ends early`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
}

export function removeResumeState(out: string): void {
  rmSync(journalPath(out), { force: true });
  rmSync(manifestPath(out), { force: true });
}

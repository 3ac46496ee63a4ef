// Opening one input path: a CSV, a Binance .zip of CSVs, or an Arrow/Feather file.
import { readFileSync, statSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { UserError } from '../../errors.js';
import { readCsvPart } from './csv.js';
import { readArrowParts } from './feather.js';
import { hintsFromPath, mergeHints } from './names.js';
import type { KindHint, Part } from './parts.js';

const ARROW = /\.(feather|arrow|ipc)$/i;

function readBytes(path: string): Buffer {
  try {
    if (statSync(path).isDirectory()) throw new UserError('is a directory, not a file', { file: path });
    return readFileSync(path);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read: ${(err as Error).message}`, { file: path });
  }
}

const decoder = new TextDecoder('utf-8');

/** The parts of one input path (several for a zip holding several CSVs). */
export function readInput(path: string, kindOverride: KindHint): Part[] {
  const hints = hintsFromPath(path);
  if (ARROW.test(path)) return readArrowParts(path, path, hints, kindOverride);
  const bytes = readBytes(path);
  if (/\.zip$/i.test(path)) {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(bytes, { filter: (f) => /\.csv$/i.test(f.name) && !f.name.endsWith('/') });
    } catch (err) {
      throw new UserError(`not a readable zip archive (${(err as Error).message})`, { file: path });
    }
    const names = Object.keys(entries).sort();
    if (names.length === 0) throw new UserError('the zip archive holds no .csv file', { file: path });
    return names.map((name) =>
      readCsvPart(decoder.decode(entries[name]!), `${path}:${name}`, mergeHints(hintsFromPath(name), hints), kindOverride),
    );
  }
  return [readCsvPart(decoder.decode(bytes), path, hints, kindOverride)];
}

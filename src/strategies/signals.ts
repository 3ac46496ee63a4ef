// The `signals` strategy: target weights read from an Arrow IPC file, for strategies computed
// elsewhere (a notebook, another backtester). One Float64 column per symbol, named by the
// symbol, or a single column `weight` when the run has one symbol; null or NaN = no new target.
import { readFileSync } from 'node:fs';
import { DataType, Precision, tableFromIPC, type Float, type Table, type Vector } from 'apache-arrow';
import { UserError } from '../errors.js';
import { checkWeights } from './targets.js';

/** Name of the column used when the run has a single symbol and no column carries its name. */
export const WEIGHT_COLUMN = 'weight';

export function readSignals(path: string, symbols: readonly string[], nBars: number): Float64Array[] {
  let table: Table;
  try {
    table = tableFromIPC(readFileSync(path));
  } catch (e) {
    throw new UserError(`cannot read the signals file as Arrow IPC: ${(e as Error).message}`, { file: path });
  }
  if (table.numRows !== nBars) {
    throw new UserError(`the signals file has ${table.numRows} rows but the data has ${nBars} bars`, { file: path });
  }
  return symbols.map((symbol) => {
    let name = symbol;
    let vector = table.getChild(symbol);
    if (!vector && symbols.length === 1) {
      name = WEIGHT_COLUMN;
      vector = table.getChild(WEIGHT_COLUMN);
    }
    if (!vector) {
      const wanted = symbols.length === 1 ? `'${symbol}' or '${WEIGHT_COLUMN}'` : `'${symbol}'`;
      const found = table.schema.fields.map((f) => f.name).join(', ') || 'none';
      throw new UserError(`no weight column ${wanted} (columns: ${found})`, { file: path, field: symbol });
    }
    const col = toFloat64(vector, path, name);
    checkWeights(col, path, name);
    return col;
  });
}

/** Numeric column → Float64Array, nulls → NaN (Arrow's own conversion reads nulls as 0). */
function toFloat64(vector: Vector, file: string, field: string): Float64Array {
  if (!DataType.isFloat(vector.type) && !DataType.isInt(vector.type)) {
    throw new UserError(`weights must be numbers, found Arrow type ${vector.type}`, { file, field });
  }
  const out = new Float64Array(vector.length);
  // Half floats come out of toArray() as raw Uint16 bits; get() decodes them.
  const half = DataType.isFloat(vector.type) && (vector.type as Float).precision === Precision.HALF;
  const values: ArrayLike<number | bigint | null> = half ? Array.from(vector) : vector.toArray();
  for (let i = 0; i < out.length; i++) out[i] = Number(values[i]);
  if (vector.nullCount > 0) {
    for (let i = 0; i < out.length; i++) if (!vector.isValid(i)) out[i] = NaN;
  }
  return out;
}

import type { Candles, SymbolSeries } from '../../src/data/schema.js';
import { buildRunSpec } from '../../src/engine/runspec.js';
import type { RunSpec } from '../../src/engine/types.js';

/** Bars of one symbol as [open, high, low, close] rows; mark rows and funding optional. */
export interface BarsSpec {
  bars: [number, number, number, number][];
  mark?: [number, number, number, number][];
  funding?: number[];
}

const col = (rows: number[][], k: number) => Float64Array.from(rows, (r) => r[k]!);

/** Hourly candles from small literal tables, for hand-computed scenarios. */
export function candlesOf(symbols: Record<string, BarsSpec>, intervalMs = 3_600_000): Candles {
  const entries = Object.entries(symbols);
  const n = entries[0]![1].bars.length;
  const series: SymbolSeries[] = entries.map(([symbol, s]) => ({
    symbol,
    open: col(s.bars, 0),
    high: col(s.bars, 1),
    low: col(s.bars, 2),
    close: col(s.bars, 3),
    volume: new Float64Array(n).fill(1),
    mark: s.mark ? { open: col(s.mark, 0), high: col(s.mark, 1), low: col(s.mark, 2), close: col(s.mark, 3) } : null,
    fundingRate: s.funding ? Float64Array.from(s.funding) : null,
  }));
  return {
    time: Float64Array.from({ length: n }, (_, i) => 1_735_689_600_000 + i * intervalMs),
    interval: '1h',
    intervalMs,
    symbols: series,
  };
}

/** A flat bar at price p. */
export const flatBar = (p: number): [number, number, number, number] => [p, p, p, p];

/** A run spec with SPEC §5 defaults (from buildRunSpec), no fees unless given, records on. */
export function specOf(symbols: string[], over: Partial<RunSpec> = {}): RunSpec {
  return { ...buildRunSpec({ marginMode: 'isolated', strategy: 'signals', symbols, feeRate: 0, records: true }), ...over };
}

/** Target columns from literal arrays. */
export const targetsOf = (...cols: number[][]): Float64Array[] => cols.map((c) => Float64Array.from(c));

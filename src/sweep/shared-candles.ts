// Candles packed into one SharedArrayBuffer by the main thread, so every worker reads the same
// bytes: the dataset is held once in the process, not once per worker. Workers rebuild the
// Candles shape as Float64Array views (no copy).
import { createHash } from 'node:crypto';
import type { Candles, SymbolSeries } from '../data/schema.js';

export interface SharedCandles {
  buffer: SharedArrayBuffer;
  nBars: number;
  interval: string | null;
  intervalMs: number | null;
  symbols: { symbol: string; mark: boolean; funding: boolean }[];
}

function columnsOf(s: SymbolSeries): Float64Array[] {
  const cols = [s.open, s.high, s.low, s.close, s.volume];
  if (s.mark) cols.push(s.mark.open, s.mark.high, s.mark.low, s.mark.close);
  if (s.fundingRate) cols.push(s.fundingRate);
  return cols;
}

export function shareCandles(c: Candles): SharedCandles {
  const nBars = c.time.length;
  const nCols = 1 + c.symbols.reduce((n, s) => n + columnsOf(s).length, 0);
  const buffer = new SharedArrayBuffer(nCols * nBars * 8);
  const all = new Float64Array(buffer);
  let at = 0;
  const put = (col: Float64Array): void => {
    all.set(col, at);
    at += nBars;
  };
  put(c.time);
  for (const s of c.symbols) columnsOf(s).forEach(put);
  return {
    buffer,
    nBars,
    interval: c.interval,
    intervalMs: c.intervalMs,
    symbols: c.symbols.map((s) => ({ symbol: s.symbol, mark: s.mark !== null, funding: s.fundingRate !== null })),
  };
}

export function candlesFromShared(sh: SharedCandles): Candles {
  const n = sh.nBars;
  let at = 0;
  const next = (): Float64Array => {
    const v = new Float64Array(sh.buffer, at * 8, n);
    at += n;
    return v;
  };
  const time = next();
  const symbols: SymbolSeries[] = sh.symbols.map((s) => {
    const open = next();
    const high = next();
    const low = next();
    const close = next();
    const volume = next();
    const mark = s.mark ? { open: next(), high: next(), low: next(), close: next() } : null;
    const fundingRate = s.funding ? next() : null;
    return { symbol: s.symbol, open, high, low, close, volume, mark, fundingRate };
  });
  return { time, interval: sh.interval, intervalMs: sh.intervalMs, symbols };
}

/** SHA-256 of the shared columns and their names: identifies the data a sweep ran on. */
export function fingerprint(sh: SharedCandles): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ n: sh.nBars, interval: sh.interval, symbols: sh.symbols }));
  h.update(new Uint8Array(sh.buffer));
  return h.digest('hex');
}

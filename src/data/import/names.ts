// Symbol, interval and content kind read from file names as exchanges and freqtrade write them:
// `BTCUSDT-1h-2024-01.csv`, `.../markPriceKlines/BTCUSDT/1h/BTCUSDT-1h-2024-01.zip`,
// `BTCUSDT-fundingRate-2024-01.csv`, `BTC_USDT_USDT-1h-futures.feather`, `…-funding_rate.feather`.
import { basename } from 'node:path';
import { isIntervalLabel } from '../interval.js';
import type { NameHints } from './parts.js';

const EXTENSIONS = /\.(csv|zip|feather|arrow|ipc)$/i;
const PLAIN_SYMBOL = /^[A-Z0-9]{2,}$/;
/** freqtrade's file form of a ccxt symbol: BTC/USDT:USDT → BTC_USDT_USDT. */
const FREQTRADE_PAIR = /^([A-Z0-9]+)_([A-Z0-9]+)(?:_[A-Z0-9]+)?$/;

/** Symbols are file names in a dataset, so keep them to safe characters. */
export const SYMBOL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function hintsFromPath(path: string): NameHints {
  const base = basename(path).replace(EXTENSIONS, '').replace(EXTENSIONS, '');
  const first = base.split('-')[0]!;
  let symbol: string | null = null;
  const pair = FREQTRADE_PAIR.exec(first);
  if (pair) symbol = pair[1]! + pair[2]!;
  else if (PLAIN_SYMBOL.test(first)) symbol = first;

  const tokens = base.split(/[-_.]/);
  const interval = tokens.slice(1).find(isIntervalLabel) ?? null;
  const lowerTokens = tokens.map((t) => t.toLowerCase());
  const lowerPath = path.toLowerCase();
  let kind: NameHints['kind'] = null;
  if (lowerTokens.includes('mark') || lowerPath.includes('markpriceklines')) kind = 'mark';
  else if (lowerTokens.includes('funding') || lowerTokens.includes('fundingrate') || lowerPath.includes('fundingrate')) {
    kind = 'funding';
  }
  return { symbol, interval, kind };
}

/** Hints of a file inside an archive: its own name first, then the archive's path. */
export function mergeHints(inner: NameHints, outer: NameHints): NameHints {
  return {
    symbol: inner.symbol ?? outer.symbol,
    interval: inner.interval ?? outer.interval,
    kind: inner.kind ?? outer.kind,
  };
}

// What `margincall data info` reports about a dataset.
import { msToInterval } from './interval.js';
import { loadDataset } from './load.js';
import { COLUMNS } from './schema.js';
import { isoTime } from './time.js';

export interface DatasetInfo {
  path: string;
  interval: string | null;
  intervalMs: number | null;
  bars: number;
  first: string;
  last: string;
  gaps: {
    /** Steps longer than one interval. */
    count: number;
    /** Bars missing in those steps. */
    missingBars: number;
    /** The longest step, ms (0 without gaps), and the open time of the bar that ends it. */
    largestMs: number;
    largestEndsAt: string | null;
  };
  symbols: Array<{ symbol: string; columns: string[]; fundingEvents: number }>;
}

export function datasetInfo(path: string): DatasetInfo {
  const c = loadDataset(path);
  const { time } = c;
  const step = c.intervalMs;
  let count = 0, missing = 0, largest = 0, largestAt = -1;
  if (step !== null) {
    for (let i = 1; i < time.length; i++) {
      const d = time[i]! - time[i - 1]!;
      if (d > step) {
        count++;
        missing += d / step - 1;
        if (d > largest) {
          largest = d;
          largestAt = i;
        }
      }
    }
  }
  return {
    path,
    interval: c.interval,
    intervalMs: step,
    bars: time.length,
    first: isoTime(time[0]!),
    last: isoTime(time[time.length - 1]!),
    gaps: {
      count,
      missingBars: missing,
      largestMs: largest,
      largestEndsAt: largestAt >= 0 ? isoTime(time[largestAt]!) : null,
    },
    symbols: c.symbols.map((s) => {
      const columns: string[] = [COLUMNS.time, COLUMNS.open, COLUMNS.high, COLUMNS.low, COLUMNS.close, COLUMNS.volume];
      if (s.mark) columns.push(COLUMNS.markOpen, COLUMNS.markHigh, COLUMNS.markLow, COLUMNS.markClose);
      let fundingEvents = 0;
      if (s.fundingRate) {
        columns.push(COLUMNS.fundingRate);
        for (const r of s.fundingRate) if (r === r) fundingEvents++;
      }
      return { symbol: s.symbol, columns, fundingEvents };
    }),
  };
}

export function formatInfo(info: DatasetInfo): string {
  const lines = [
    `${info.path}: ${info.symbols.length} symbol${info.symbols.length === 1 ? '' : 's'}, ` +
      `${info.bars} bars of ${info.interval ?? (info.intervalMs ? msToInterval(info.intervalMs) + ' (median step)' : '?')}`,
    `  from ${info.first} to ${info.last}`,
    info.gaps.count === 0
      ? '  gaps: none'
      : `  gaps: ${info.gaps.count} (${info.gaps.missingBars} missing bars; largest ${msToInterval(info.gaps.largestMs)} ending ${info.gaps.largestEndsAt})`,
  ];
  const width = Math.max(...info.symbols.map((s) => s.symbol.length));
  for (const s of info.symbols) {
    const mark = s.columns.includes(COLUMNS.markClose) ? 'mark' : 'no mark';
    const funding = s.columns.includes(COLUMNS.fundingRate) ? `${s.fundingEvents} funding events` : 'no funding';
    lines.push(`  ${s.symbol.padEnd(width)}  ${mark}, ${funding}  [${s.columns.join(', ')}]`);
  }
  return lines.join('\n');
}

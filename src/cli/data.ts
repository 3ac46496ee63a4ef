import { Command, Option } from 'commander';
import { UserError } from '../errors.js';
import { importFiles, type ImportSummary } from '../data/import/index.js';
import { datasetInfo, formatInfo } from '../data/info.js';
import { synthesize } from '../data/synth.js';
import { parseTimeOption, isoTime } from '../data/time.js';
import { writeDataset } from '../data/write.js';

/** `margincall data …`: import, synth, info (see src/data). */
export function registerData(program: Command): void {
  const data = program.command('data').description('import, generate and inspect candle datasets');

  data
    .command('import')
    .summary('convert exchange files (Binance CSV/zip, freqtrade feather, OHLCV CSV) into a dataset')
    .description('Convert exchange files into a dataset: one <SYMBOL>.arrow per symbol in --out.')
    .addHelpText(
      'after',
      `
Inputs:
  Binance USDⓈ-M kline CSVs (12 columns, header or not) and the .zip files they come in
  markPriceKlines CSVs/zips (path or name says "markPriceKlines" or "mark", or --mark) → mark_*
  fundingRate CSVs (calc_time,…,last_funding_rate or funding_time,…,funding_rate) → funding_rate,
    settled at the first bar opening at or after the event time − 60 s (SPEC §3.1)
  generic OHLCV CSVs with a header (open_time|timestamp|time|date; epoch s/ms/µs/ns or ISO-8601)
  freqtrade feathers: <PAIR>-<tf>-futures.feather, -mark.feather, -funding_rate.feather

Symbol and interval come from file names such as BTCUSDT-1h-2024-01.csv unless given.
Every file is validated before anything is written; a bad file writes nothing.

Examples:
  margincall data import BTCUSDT-1h-2024-*.zip --mark markPriceKlines/BTCUSDT-1h-2024-01.zip --out data/btc
  margincall data import BTC_USDT_USDT-1h-futures.feather BTC_USDT_USDT-1h-mark.feather \\
    BTC_USDT_USDT-1h-funding_rate.feather ETH_USDT_USDT-1h-*.feather --align inner --out data/majors`,
    )
    .argument('[files...]', 'input files (.csv, .zip, .feather); mark and funding files are told by their names')
    .requiredOption('-o, --out <dir>', 'output dataset directory')
    .option('--symbol <SYMBOL>', 'symbol of every input (default: from the file names)')
    .option('--interval <label>', 'bar interval such as 1m, 1h, 1d (default: from file names, else the smallest step)')
    .option('--mark <file>', 'read this file as mark-price candles (repeatable)', collect)
    .option('--funding <file>', 'read this file as funding events (repeatable)', collect)
    .addOption(
      new Option('--align <mode>', 'inner: keep only the bars every symbol (and mark series) has').choices(['exact', 'inner']).default('exact'),
    )
    .option('--from <time>', 'keep bars opening at or after this time (ISO-8601 or epoch ms)')
    .option('--to <time>', 'keep bars opening before this time (ISO-8601 or epoch ms)')
    .option('--json', 'print the summary as JSON')
    .action((files: string[], o) => {
      const { candles, summary } = importFiles(files, {
        symbol: o.symbol,
        interval: o.interval,
        align: o.align,
        from: o.from === undefined ? undefined : timeOption(o.from, '--from'),
        to: o.to === undefined ? undefined : timeOption(o.to, '--to'),
        mark: o.mark,
        funding: o.funding,
      });
      const paths = writeDataset(o.out, candles);
      if (o.json) print(JSON.stringify({ out: o.out, files: paths, ...summary }, null, 2));
      else print(formatImport(summary, paths));
    });

  data
    .command('synth')
    .summary('generate a deterministic synthetic dataset (benchmarks at scale)')
    .description(
      'Generate a deterministic synthetic dataset: correlated fat-tailed returns, volatility regimes, ' +
        'jumps, consistent OHLC, mark prices near last, funding every 8h. The same options and seed give ' +
        'the same bytes.',
    )
    .requiredOption('-o, --out <dir>', 'output dataset directory')
    .option('--symbols <list>', 'comma-separated symbols', 'BTCUSDT,ETHUSDT,BNBUSDT')
    .option('--bars <n>', 'bars per symbol', '100000')
    .option('--interval <label>', 'bar interval', '1m')
    .option('--seed <n>', 'random seed (same seed, same bytes)', '1')
    .option('--start <time>', 'open time of the first bar (ISO-8601 or epoch ms)', '2024-01-01T00:00:00Z')
    .option('--json', 'print the summary as JSON')
    .action((o) => {
      const started = performance.now();
      const symbols = String(o.symbols).split(',').map((s) => s.trim()).filter(Boolean);
      const candles = synthesize({
        symbols,
        bars: integer(o.bars, '--bars'),
        interval: o.interval,
        seed: integer(o.seed, '--seed'),
        start: timeOption(o.start, '--start'),
      });
      const paths = writeDataset(o.out, candles);
      const n = candles.time.length;
      const summary = {
        out: o.out,
        files: paths,
        symbols,
        bars: n,
        interval: candles.interval,
        seed: integer(o.seed, '--seed'),
        first: isoTime(candles.time[0]!),
        last: isoTime(candles.time[n - 1]!),
      };
      if (o.json) print(JSON.stringify(summary, null, 2));
      else {
        const secs = ((performance.now() - started) / 1000).toFixed(2);
        print(
          `wrote ${symbols.length} × ${n} bars of ${candles.interval} (seed ${summary.seed}) to ${o.out} in ${secs} s\n` +
            `  from ${summary.first} to ${summary.last}`,
        );
      }
    });

  data
    .command('info')
    .summary('show a dataset: symbols, bars, interval, time range, columns, gaps, funding events')
    .description('Show a dataset: symbols, bar count, interval, first and last bar, columns, gaps, funding events.')
    .argument('<path>', 'dataset directory or one .arrow file')
    .option('--json', 'print as JSON')
    .action((path: string, o) => {
      const info = datasetInfo(path);
      print(o.json ? JSON.stringify(info, null, 2) : formatInfo(info));
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function print(text: string): void {
  process.stdout.write(text + '\n');
}

function integer(text: string, flag: string): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(String(text).trim()) || !Number.isSafeInteger(n)) {
    throw new UserError(`${flag} '${text}' is not a whole number`);
  }
  return n;
}

function timeOption(text: string, flag: string): number {
  try {
    return parseTimeOption(text, flag);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}

function formatImport(s: ImportSummary, paths: string[]): string {
  const lines = [
    `imported ${s.symbols.length} symbol${s.symbols.length === 1 ? '' : 's'}: ${s.bars} bars of ${s.interval}, ` +
      `${s.first} to ${s.last}${s.align === 'inner' ? ' (--align inner)' : ''}`,
  ];
  const width = Math.max(...s.symbols.map((x) => x.symbol.length));
  s.symbols.forEach((x, i) => {
    const parts = [x.mark ? 'mark' : 'no mark'];
    if (x.funding) {
      parts.push(
        `${x.funding.applied} funding events` +
          (x.funding.skippedOutsideRange > 0 ? ` (${x.funding.skippedOutsideRange} outside the range skipped)` : ''),
      );
    } else parts.push('no funding');
    if (x.droppedByAlign > 0) parts.push(`${x.droppedByAlign} bars dropped by alignment`);
    lines.push(`  ${x.symbol.padEnd(width)}  ${parts.join(', ')}  → ${paths[i]}`);
  });
  return lines.join('\n');
}

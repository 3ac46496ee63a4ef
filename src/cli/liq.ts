import type { Command } from 'commander';
import {
  bankruptcyPrice,
  bracketTableFor,
  crossBankruptcyPrice,
  crossOthersMarginAndPnl,
  defaultBracketTables,
  isolatedLiquidation,
  loadBracketFile,
  orderAllowed,
  singleBracketTable,
  type BracketTable,
  type CrossOther,
} from '../engine/brackets.js';
import { UserError } from '../errors.js';

/** What `liq` was asked, after parsing and checking the flags. */
export interface LiqInput {
  symbol: string;
  side: 1 | -1;
  qty: number;
  entry: number;
  wallet: number;
  cross: boolean;
  table: BracketTable;
  /** True when --mmr/--cum replaced the symbol's table (its max leverage is then unknown). */
  overridden: boolean;
  others: Array<CrossOther & { symbol: string }>;
  leverage: number | null;
}

/** The `--json` shape (stable); `bracket` is the one in which the LP lies, null without an LP. */
export interface LiqResult {
  liquidationPrice: number | null;
  bankruptcyPrice: number | null;
  bracket: { mmr: number; cum: number; maxLeverage: number | null } | null;
  leverageAllowed?: boolean;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

// `what` names a part of a compound flag ("SIDE of 'ETHUSDT:flat:…' "), empty for a whole flag.
function parseNumber(text: string, field: string, what = ''): number {
  const t = text.trim();
  const x = NUMBER.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(x)) throw new UserError(`${what}expected a number, got '${text}'`, { field });
  return x;
}

function positive(text: string, field: string, what = ''): number {
  const x = parseNumber(text, field, what);
  if (!(x > 0)) throw new UserError(`${what}must be positive, got ${text}`, { field });
  return x;
}

function parseSide(text: string, field: string, what = ''): 1 | -1 {
  const t = text.trim().toLowerCase();
  if (t === 'long') return 1;
  if (t === 'short') return -1;
  throw new UserError(`${what}must be long or short, got '${text}'`, { field });
}

function parseMmr(text: string, field: string, what = ''): number {
  const x = parseNumber(text, field, what);
  if (!(x >= 0 && x < 1)) throw new UserError(`${what}a maintenance margin rate is in [0, 1), got ${text}`, { field });
  return x;
}

function parseCum(text: string, field: string, what = ''): number {
  const x = parseNumber(text, field, what);
  if (!(x >= 0)) throw new UserError(`${what}a maintenance amount is ≥ 0, got ${text}`, { field });
  return x;
}

/** SYMBOL:SIDE:QTY:ENTRY:MARK[:MMR:CUM] */
function parseOther(spec: string, tables: Record<string, BracketTable>): CrossOther & { symbol: string } {
  const field = '--other';
  const parts = spec.split(':');
  if (parts.length !== 5 && parts.length !== 7) {
    throw new UserError(
      `expected SYMBOL:SIDE:QTY:ENTRY:MARK or SYMBOL:SIDE:QTY:ENTRY:MARK:MMR:CUM, got '${spec}'`,
      { field },
    );
  }
  const symbol = parts[0]!.trim().toUpperCase();
  if (!symbol) throw new UserError(`the symbol is empty in '${spec}'`, { field });
  const of = (part: string) => `${part} of '${spec}': `;
  return {
    symbol,
    side: parseSide(parts[1]!, field, of('SIDE')),
    qty: positive(parts[2]!, field, of('QTY')),
    entry: positive(parts[3]!, field, of('ENTRY')),
    mark: positive(parts[4]!, field, of('MARK')),
    table:
      parts.length === 7
        ? singleBracketTable(parseMmr(parts[5]!, field, of('MMR')), parseCum(parts[6]!, field, of('CUM')))
        : bracketTableFor(symbol, tables),
  };
}

interface LiqFlags {
  symbol: string;
  side: string;
  qty: string;
  entry: string;
  wallet: string;
  cross?: boolean;
  other?: string[];
  mmr?: string;
  cum?: string;
  brackets?: string;
  leverage?: string;
  json?: boolean;
}

/** Checks the flags and resolves the bracket tables. */
export function parseLiqFlags(flags: LiqFlags): LiqInput {
  const otherSpecs = flags.other ?? [];
  const symbol = flags.symbol.trim().toUpperCase();
  if (!symbol) throw new UserError('the symbol is empty', { field: '--symbol' });
  const side = parseSide(flags.side, '--side');
  const qty = positive(flags.qty, '--qty');
  const entry = positive(flags.entry, '--entry');
  const cross = flags.cross === true;
  const wallet = parseNumber(flags.wallet, '--wallet');
  if (!cross && wallet < 0) {
    throw new UserError(`an isolated wallet cannot be negative, got ${flags.wallet}`, { field: '--wallet' });
  }
  if (!cross && otherSpecs.length > 0) {
    throw new UserError('other positions only matter in cross margin: add --cross', { field: '--other' });
  }
  if (flags.cum !== undefined && flags.mmr === undefined) {
    throw new UserError('--cum goes with --mmr (the bracket to use instead of the table)', { field: '--cum' });
  }
  const tables =
    flags.brackets !== undefined
      ? { ...defaultBracketTables(), ...loadBracketFile(flags.brackets) }
      : defaultBracketTables();
  const overridden = flags.mmr !== undefined;
  const table = overridden
    ? singleBracketTable(parseMmr(flags.mmr!, '--mmr'), flags.cum === undefined ? 0 : parseCum(flags.cum, '--cum'))
    : bracketTableFor(symbol, tables);
  let leverage: number | null = null;
  if (flags.leverage !== undefined) {
    leverage = parseNumber(flags.leverage, '--leverage');
    if (!(leverage >= 1)) throw new UserError(`must be at least 1, got ${flags.leverage}`, { field: '--leverage' });
    if (overridden) {
      throw new UserError(
        'an --mmr/--cum bracket has no max leverage to check against: give the table with --brackets instead',
        { field: '--leverage' },
      );
    }
  }
  const others = otherSpecs.map((spec) => parseOther(spec, tables));
  return { symbol, side, qty, entry, wallet, cross, table, overridden, others, leverage };
}

/** Liquidation and bankruptcy prices of the position (SPEC §2), and the bracket at the LP. */
export function computeLiq(input: LiqInput): LiqResult {
  const { table, side, qty, entry, wallet, cross, others } = input;
  // the single-position cross solution: IW replaced by CW − TMM1 + UPNL1 (SPEC §2 CROSS)
  const { tmm, upnl } = crossOthersMarginAndPnl(cross ? others : []);
  const effective = cross ? wallet - tmm + upnl : wallet;
  const lp = isolatedLiquidation(table, side, qty, entry, effective);
  const b = lp ? table[lp.bracket]! : null;
  const result: LiqResult = {
    liquidationPrice: lp ? lp.price : null,
    bankruptcyPrice: cross
      ? crossBankruptcyPrice(side, qty, entry, wallet, others)
      : bankruptcyPrice(side, qty, entry, wallet),
    bracket: b ? { mmr: b.mmr, cum: b.cum, maxLeverage: input.overridden ? null : b.maxLeverage } : null,
  };
  if (input.leverage !== null) result.leverageAllowed = orderAllowed(table, qty * entry, input.leverage);
  return result;
}

const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 6 });

function formatHuman(input: LiqInput, r: LiqResult): string {
  const side = input.side === 1 ? 'long' : 'short';
  const lines = [
    `${input.symbol} ${side} ${fmt(input.qty)} @ ${fmt(input.entry)}, ` +
      `${input.cross ? 'cross' : 'isolated'} wallet ${fmt(input.wallet)}`,
  ];
  if (input.cross && input.others.length > 0) {
    const { tmm, upnl } = crossOthersMarginAndPnl(input.others);
    lines.push(
      `  other positions     ${input.others.map((o) => o.symbol).join(', ')}: ` +
        `maintenance ${fmt(tmm)}, unrealized PnL ${fmt(upnl)} → wallet for this position ${fmt(input.wallet - tmm + upnl)}`,
    );
  }
  lines.push(
    `  liquidation price   ${
      r.liquidationPrice === null
        ? input.side === 1
          ? 'none (the wallet covers the whole entry notional)'
          : 'none (the margin balance is already ≤ 0 at any price)'
        : fmt(r.liquidationPrice)
    }`,
  );
  lines.push(`  bankruptcy price    ${r.bankruptcyPrice === null ? 'none' : fmt(r.bankruptcyPrice)}`);
  if (r.bracket) {
    const lev = r.bracket.maxLeverage === null ? '' : `, max leverage ${fmt(r.bracket.maxLeverage)}`;
    lines.push(`  bracket at LP       mmr ${r.bracket.mmr}, cum ${fmt(r.bracket.cum)}${lev}`);
  }
  if (r.leverageAllowed !== undefined) {
    lines.push(
      `  leverage ${fmt(input.leverage!)}`.padEnd(22) +
        `${r.leverageAllowed ? 'allowed' : 'NOT allowed'} at the entry notional ${fmt(input.qty * input.entry)}`,
    );
  }
  return lines.join('\n') + '\n';
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** `margincall liq`: the liquidation-price calculator (SPEC §2). */
export function registerLiq(program: Command): void {
  program
    .command('liq')
    .description(
      'liquidation and bankruptcy price of one position (SPEC §2), isolated or cross, with Binance brackets',
    )
    .requiredOption('--symbol <SYMBOL>', 'symbol whose bracket table applies, e.g. BTCUSDT (others use the generic table)')
    .requiredOption('--side <side>', 'long or short')
    .requiredOption('--qty <qty>', 'position size in base units, > 0, e.g. 0.5')
    .requiredOption('--entry <price>', 'entry price, e.g. 60000')
    .requiredOption('--wallet <usdt>', 'the isolated wallet of the position, or with --cross the cross wallet, e.g. 6000')
    .option('--cross', 'cross margin: --wallet is the cross wallet, shared with the --other positions')
    .option(
      '--other <spec>',
      'another cross position, SYMBOL:SIDE:QTY:ENTRY:MARK, or SYMBOL:SIDE:QTY:ENTRY:MARK:MMR:CUM to give its ' +
        'bracket by hand; repeatable; e.g. ETHUSDT:short:10:3000:3100',
      collect,
    )
    .option('--mmr <rate>', "use this maintenance margin rate instead of the symbol's table, e.g. 0.1")
    .option('--cum <usdt>', 'the maintenance amount that goes with --mmr (default 0), e.g. 135365')
    .option('--brackets <json>', 'bracket tables to use over the bundled ones (same shape as data/brackets.json)')
    .option('--leverage <L>', 'also check that the entry notional q × entry may be opened at this leverage, e.g. 20')
    .option('--json', 'print {"liquidationPrice", "bankruptcyPrice", "bracket": {"mmr", "cum", "maxLeverage"}}')
    .addHelpText(
      'after',
      `
The liquidation price solves IW + s q (P − EP) = MM(P) with the bracket of q × P (SPEC §2); in
cross margin IW is CW − TMM1 + UPNL1, the other positions held at their marks. null/none: no
such price (a long whose wallet covers q × entry). "bracket" is the bracket in which the
liquidation price lies (null without one); its maxLeverage is null with --mmr/--cum.

Examples:
  margincall liq --symbol BTCUSDT --side long --qty 1 --entry 60000 --wallet 6000
  margincall liq --symbol BTCUSDT --side long --qty 1 --entry 60000 --wallet 10000 --cross \\
      --other ETHUSDT:short:10:3000:3100 --json
  margincall liq --symbol ETHUSDT --side long --qty 3683.979 --entry 1456.84 \\
      --wallet 1535443.01 --mmr 0.10 --cum 135365
  margincall liq --symbol ETHUSDT --side long --qty 3683.979 --entry 1456.84 --wallet 1535443.01 \\
      --mmr 0.10 --cum 135365 --cross --other BTCUSDT:long:109.488:32481.98:31967.27:0.025:16300`,
    )
    .action((flags: LiqFlags) => {
      const input = parseLiqFlags(flags);
      const result = computeLiq(input);
      process.stdout.write(flags.json ? JSON.stringify(result) + '\n' : formatHuman(input, result));
    });
}

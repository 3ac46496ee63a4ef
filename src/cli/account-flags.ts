// The account flags that `backtest` and `sweep` share (balance, sizing, fees, liquidation model,
// brackets): declared and parsed in one place so the two commands cannot drift apart.
import type { Command } from 'commander';
import { loadBracketFile } from '../engine/brackets.js';
import {
  CLI_FLAGS,
  DEFAULTS,
  parseLiquidation,
  parseMarginPerPosition,
  parseNumberFlag,
  parseSlippageBps,
  type AccountSettings,
} from '../engine/runspec.js';

export interface AccountFlags {
  balance?: string;
  marginPerPosition?: string;
  feeRate?: string;
  slippageBps?: string;
  liquidation?: string;
  liquidationFeeRate?: string;
  brackets?: string;
}

/** Declares the account flags on a command. */
export function addAccountOptions(command: Command): Command {
  return command
    .option('--balance <usdt>', `starting wallet (default ${DEFAULTS.balance})`)
    .option('--margin-per-position <usdt|pct>', `margin of a full position: USDT, or e.g. 10% of equity (default ${DEFAULTS.marginPerPosition})`)
    .option('--fee-rate <rate>', `taker fee as a fraction of notional (default ${DEFAULTS.feeRate} = 0.05%)`)
    .option('--slippage-bps <bps>', 'slippage against every fill, in basis points (default 0)')
    .option('--liquidation <model>', 'binance (brackets) or threshold:X, liquidated when losses reach X of the margin (default binance)')
    .option('--liquidation-fee-rate <rate>', `liquidation fee as a fraction of notional (default ${DEFAULTS.liquidationFeeRate})`)
    .option('--brackets <json>', 'bracket tables to use over the bundled ones (same shape as data/brackets.json)');
}

/** Parses the account flags; a flag not given stays undefined (the run spec fills the default). */
export function accountSettings(f: AccountFlags): AccountSettings {
  const num = (text: string | undefined, flag: string) => (text === undefined ? undefined : parseNumberFlag(text, flag));
  return {
    balance: num(f.balance, CLI_FLAGS.balance),
    sizing: f.marginPerPosition === undefined ? undefined : parseMarginPerPosition(f.marginPerPosition),
    feeRate: num(f.feeRate, CLI_FLAGS.feeRate),
    slippage: f.slippageBps === undefined ? undefined : parseSlippageBps(f.slippageBps),
    liquidation: f.liquidation === undefined ? undefined : parseLiquidation(f.liquidation),
    liquidationFeeRate: num(f.liquidationFeeRate, CLI_FLAGS.liquidationFeeRate),
    brackets: f.brackets === undefined ? undefined : loadBracketFile(f.brackets),
  };
}

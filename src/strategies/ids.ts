// Numeric ids of the built-in strategies, shared by the host and the kernel. This file is
// compiled by both TypeScript and AssemblyScript, so it holds only integer constants.

export const STRATEGY_BUY_HOLD = 0;
export const STRATEGY_SMA_CROSS = 1;
export const STRATEGY_EMA_CROSS = 2;
export const STRATEGY_RSI = 3;
export const STRATEGY_DONCHIAN = 4;
export const STRATEGY_BOLLINGER = 5;
export const STRATEGY_PAIR = 6;
/** Target weights supplied by the user (an Arrow file or a function); the kernel computes nothing. */
export const STRATEGY_SIGNALS = 7;

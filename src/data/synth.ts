// Synthetic markets that behave like crypto perpetuals, for benchmarks at scale and tests:
// one market factor plus idiosyncratic noise (correlated symbols), Student-t shocks (fat tails),
// a three-state volatility regime, rare jumps, a small mark/last basis and 8-hourly funding.
// Deterministic: the same options give the same columns, bit for bit.
import { UserError } from '../errors.js';
import { intervalToMs } from './interval.js';
import { Prng } from './prng.js';
import type { Candles, SymbolSeries } from './schema.js';

export interface SynthOptions {
  symbols: string[];
  bars: number;
  /** Interval label; default `1m`. */
  interval?: string;
  /** PRNG seed (integer); default 1. */
  seed?: number;
  /** Open time of the first bar, ms; default 2024-01-01T00:00Z. */
  start?: number;
}

interface Profile {
  price: number;
  /** Annualised volatility. */
  vol: number;
  /** Sensitivity to market jumps. */
  beta: number;
  /** Typical daily traded notional, USDT. */
  dailyNotional: number;
}

const PROFILES: Record<string, Profile> = {
  BTCUSDT: { price: 42_000, vol: 0.55, beta: 1, dailyNotional: 8e9 },
  ETHUSDT: { price: 2_300, vol: 0.7, beta: 1.2, dailyNotional: 5e9 },
  BNBUSDT: { price: 310, vol: 0.65, beta: 0.9, dailyNotional: 3e8 },
  SOLUSDT: { price: 100, vol: 0.9, beta: 1.4, dailyNotional: 1.5e9 },
  XRPUSDT: { price: 0.6, vol: 0.8, beta: 1.1, dailyNotional: 8e8 },
};

function profileOf(symbol: string): Profile {
  const known = PROFILES[symbol];
  if (known) return known;
  // unknown names get a stable price between 1 and 1000 from a hash of the name
  let h = 2166136261;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 16777619);
  const price = 10 ** (((h >>> 0) % 3000) / 1000);
  return { price, vol: 0.85, beta: 1.2, dailyNotional: 1e8 };
}

const DAY = 86_400_000;
const YEAR = 365 * DAY;
const FUNDING_EVERY = 8 * 3_600_000;
/** Loading of each symbol on the market factor: pairwise return correlation ≈ 0.72. */
const RHO = 0.85;
/** Volatility multipliers of the calm, normal and turbulent regimes, and their mean durations. */
const REGIME_VOL = [0.6, 1, 2.2];
const REGIME_DAYS = [10, 15, 3];
const MARKET_JUMP_DAYS = 4;
const IDIO_JUMP_DAYS = 12;
/** Stationary std of the mark/last basis, and its decay time. */
const BASIS_STD = 3e-4;
const BASIS_HALF_LIFE = 2 * 3_600_000;
const FUNDING_BASE = 1e-4;
const FUNDING_CAP = 3e-3;

/** Generates `opts.bars` bars for each symbol (validated options; throws UserError on bad ones). */
export function synthesize(opts: SynthOptions): Candles {
  const interval = opts.interval ?? '1m';
  const step = intervalToMs(interval);
  if (step === null) throw new UserError(`--interval '${interval}' is not an interval (e.g. 1m, 5m, 1h, 1d)`);
  if (!Number.isInteger(opts.bars) || opts.bars < 1) throw new UserError(`--bars must be a positive integer`);
  if (opts.symbols.length === 0) throw new UserError('--symbols needs at least one symbol');
  if (new Set(opts.symbols).size !== opts.symbols.length) throw new UserError('--symbols has a duplicate');
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(seed)) throw new UserError('--seed must be an integer');
  const start = opts.start ?? Date.UTC(2024, 0, 1);

  const n = opts.bars;
  const m = opts.symbols.length;
  const rng = new Prng(seed);
  const time = new Float64Array(n);
  for (let k = 0; k < n; k++) time[k] = start + k * step;

  const profiles = opts.symbols.map(profileOf);
  const sigma = profiles.map((p) => p.vol * Math.sqrt(step / YEAR));
  const dailySigma = profiles.map((p) => p.vol * Math.sqrt(DAY / YEAR));
  const barVolume = profiles.map((p) => (p.dailyNotional / p.price) * (step / DAY));
  const idio = Math.sqrt(1 - RHO * RHO);
  const pMarketJump = Math.min(1, step / (MARKET_JUMP_DAYS * DAY));
  const pIdioJump = Math.min(1, step / (IDIO_JUMP_DAYS * DAY));
  const pLeave = REGIME_DAYS.map((d) => Math.min(1, step / (d * DAY)));
  const phi = Math.exp((-step * Math.LN2) / BASIS_HALF_LIFE);
  const basisShock = BASIS_STD * Math.sqrt(1 - phi * phi);

  const series: SymbolSeries[] = opts.symbols.map((symbol) => ({
    symbol,
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    mark: { open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n) },
    fundingRate: new Float64Array(n).fill(NaN),
  }));
  const last = profiles.map((p) => p.price);
  const basis = new Float64Array(m);
  const funding = new Float64Array(m).fill(FUNDING_BASE);
  const priceAtLastEvent = profiles.map((p) => p.price);
  let regime = 1;
  let nextEvent = Math.ceil(start / FUNDING_EVERY) * FUNDING_EVERY;

  for (let k = 0; k < n; k++) {
    if (rng.uniform() < pLeave[regime]!) regime = regime === 1 ? (rng.uniform() < 0.7 ? 0 : 2) : 1;
    const volMult = REGIME_VOL[regime]!;
    const market = rng.student4();
    const marketJump = rng.uniform() < pMarketJump ? rng.student4() * 0.4 : 0;
    // events settle at the first bar opening at or after them (SPEC §3.1)
    let events = 0;
    while (nextEvent <= time[k]!) {
      events++;
      nextEvent += FUNDING_EVERY;
    }
    for (let j = 0; j < m; j++) {
      const s = series[j]!;
      const sig = sigma[j]! * volMult;
      let jump = marketJump * dailySigma[j]! * profiles[j]!.beta;
      if (rng.uniform() < pIdioJump) jump += rng.student4() * 0.3 * dailySigma[j]!;
      const r = sig * (RHO * market + idio * rng.student4()) - 0.5 * sig * sig + jump;
      const o = last[j]!;
      const c = o * Math.exp(r);
      const top = Math.max(o, c), bottom = Math.min(o, c);
      const wickUp = sig * 0.6 * Math.abs(rng.normal()) + 0.3 * Math.abs(jump);
      const wickDown = sig * 0.6 * Math.abs(rng.normal()) + 0.3 * Math.abs(jump);
      const h = top * Math.exp(wickUp);
      const l = bottom * Math.exp(-wickDown);
      s.open[k] = o;
      s.high[k] = h;
      s.low[k] = l;
      s.close[k] = c;
      const activity = 1 + 1.5 * Math.abs(r) / sig;
      s.volume[k] = barVolume[j]! * volMult * activity * Math.exp(0.4 * rng.normal() - 0.08);

      // mark = last × (1 + basis); its wicks are shorter (an index average is smoother than trades)
      const b0 = basis[j]!;
      const b1 = b0 * phi + basisShock * rng.normal();
      basis[j] = b1;
      const mo = o * (1 + b0), mc = c * (1 + b1);
      const mark = s.mark!;
      mark.open[k] = mo;
      mark.close[k] = mc;
      mark.high[k] = Math.max(mo, mc, (top + 0.7 * (h - top)) * (1 + b1));
      mark.low[k] = Math.min(mo, mc, (bottom - 0.7 * (bottom - l)) * (1 + b1));

      if (events > 0) {
        let total = 0;
        for (let e = 0; e < events; e++) {
          // sticky around 0.01 %, pushed up by rallies and down by sell-offs since the last event
          const trend = Math.log(o / priceAtLastEvent[j]!);
          const f = 0.7 * funding[j]! + 0.3 * FUNDING_BASE + 0.01 * trend + 5e-5 * rng.normal();
          funding[j] = Math.max(-FUNDING_CAP, Math.min(FUNDING_CAP, f));
          priceAtLastEvent[j] = o;
          total += funding[j]!;
        }
        s.fundingRate![k] = total;
      }
      last[j] = c;
    }
  }
  return { time, interval, intervalMs: step, symbols: series };
}

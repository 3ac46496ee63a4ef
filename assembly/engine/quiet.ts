// Quiet bars of a one-symbol run: bars with no queued fill, no funding event and no liquidation
// (isolated: the MP open and adverse extreme stay off LP; cross: cross.ts's pathSafe bound holds
// at the adverse extreme). On such a bar steps 1–4 do nothing, so only step 5 is left (mark,
// margin ratio and metrics, with the position and the metric state held in locals) and step 6
// when the target changes. quietBars bounds a stretch of such bars with precomputed data (the
// funding bars, the next decision, quiet-bounds.ts's searches over per-block price extremes), and
// any bar that is not quiet goes back to index.ts's full step. Every value is computed with the
// same operations in the same order as the full step and assembly/metrics.ts, so a run gives the
// same bits with or without this path (the property tests run both against the TypeScript
// reference); the one exception is the return sums of whole blocks that quiet-moments.ts adds in
// sweeps' metrics-only isolated runs, equal to rounding. The loop is written for what V8 makes of
// it: see docs/performance.md, "What made it fast".
import { bracketIndexAt } from "../brackets";
import {
  BR_CUM,
  BR_FLOOR,
  BR_MMR,
  BRACKET_FIELDS,
  METRICS_BLOCK,
  P_ENTRY,
  P_IW,
  P_LAST_TARGET,
  P_LP,
  P_MM_FIXED,
  P_QTY,
  P_SIDE,
  QUIET_BLOCK_SHIFT,
  S_CHANGE_COUNT,
  S_CHANGES,
  S_FUNDING_BARS,
  S_FUNDING_RATES,
  S_MARK_CLOSE,
  S_MARK_HIGH,
  S_MARK_LOW,
  S_MARK_OPEN,
  S_OPEN,
  S_TARGETS,
} from "../../src/engine/layout";
import * as M from "../metrics";
import * as S from "./state";
import { queueTarget } from "./account";
import { stepOpen } from "./bar-open";
import { colPtr, pget } from "./state";
import { closeLeaveBar, fixedK, isolatedFixedRange, isolatedLiquidationBar, isolatedRange, rangeHi, rangeLo } from "./quiet-bounds";
import { momentBlock, momentDown, momentHigh, momentLast, momentLow, momentSquares, momentSum, momentsReset, nextMoments } from "./quiet-moments";

/** Where the stretch's cache-warming reads go, so that they are not optimised away. */
let touchSink: f64 = 0;
let streamSink: i64 = 0;

// The bracket of the stretch's notional: [lo, hi) and its line.
let bracketLo: f64 = 0;
let bracketHi: f64 = 0;
let bracketMmr: f64 = 0;
let bracketCum: f64 = 0;

// @ts-ignore: decorator
@inline function at(ptr: usize, t: i32): f64 {
  return load<f64>(ptr + (<usize>t << 3));
}

function findBracket(notional: f64): void {
  if (S.threshold >= 0) {
    // the threshold model's fixed MM as a line: N × 0 − (−MM) = MM, the same bits
    bracketLo = -Infinity;
    bracketHi = Infinity;
    bracketMmr = 0;
    bracketCum = -pget(0, P_MM_FIXED);
    return;
  }
  // the bracket of the last stretch, while the notional stays in it (resetQuiet empties it)
  if (notional >= bracketLo && notional < bracketHi) return;
  const table = S.tablePtr(0);
  const rows = S.tableRows(0);
  const k = bracketIndexAt(table, rows, notional);
  const row = table + (<usize>(k * BRACKET_FIELDS) << 3);
  bracketLo = k == 0 ? -Infinity : load<f64>(row + (<usize>BR_FLOOR << 3));
  bracketHi = k + 1 < rows ? load<f64>(row + (<usize>(BRACKET_FIELDS + BR_FLOOR) << 3)) : Infinity;
  bracketMmr = load<f64>(row + (<usize>BR_MMR << 3));
  bracketCum = load<f64>(row + (<usize>BR_CUM << 3));
}

// @ts-ignore: decorator
@inline function i32At(ptr: usize, t: i32): i32 {
  return load<i32>(ptr + (<usize>t << 2));
}

// The lazy search for the next bar whose target changes (index.ts stepClose's step 6): a decision
// bar found ahead and not reached yet, and how far the bars are known to hold none. The last
// target only changes at such a bar, so what a search learned stays true until it is reached.
let decisionFound: i32 = -1;
let scannedTo: i32 = 0;
/** Where the last search stopped in the run's list of target changes (S_CHANGES), when it has one. */
let changeAt: i32 = 0;
/** Where the last search stopped in the dataset's list of funding bars (stretches start in bar order). */
let fundingAt: i32 = 0;
/** The last bar whose open's steps (bar-open.ts) quietBars ran itself (-1: none this run). */
let opened: i32 = -1;
/** Whether the run's data has the table of return moments (quiet-moments.ts). */
let moments = false;
/** The run's list of target changes (0: none, the dense column instead) and its length, read once per run. */
let changes: usize = 0;
let changeCount: i32 = 0;

// @ts-ignore: decorator
@inline function changeBar(list: usize, k: i32): i32 {
  const e = i32At(list, k);
  return e > 0 ? e - 1 : -e - 1;
}

/** The index of the first change at a bar ≥ t in the run's list (bars only ever grow). */
function changeFrom(t: i32): i32 {
  let k = changeAt;
  while (k < changeCount && changeBar(changes, k) < t) k++;
  changeAt = k;
  return k;
}

/** Forgets the last run's searches (index.ts runEngine, at the start of every run). */
export function resetQuiet(): void {
  changes = colPtr(0, S_CHANGES);
  changeCount = changes != 0 ? <i32>S.sym(0, S_CHANGE_COUNT) : 0;
  changeAt = 0;
  opened = -1;
  bracketLo = Infinity;
  bracketHi = -Infinity;
  moments = momentsReset();
  decisionFound = -1;
  scannedTo = 0;
  fundingAt = 0;
}

/** Whether quietBars has run the open's steps of bar t (index.ts then only marks it). */
export function openedAt(t: i32): bool {
  return t == opened;
}

/** The first funding bar ≥ t0, or nBars (the list's sentinel). */
function nextFunding(t0: i32): i32 {
  const list = colPtr(0, S_FUNDING_BARS);
  let k = fundingAt;
  while (i32At(list, k) < t0) k++;
  fundingAt = k;
  return i32At(list, k);
}

/**
 * The target of symbol i at bar t (NaN: no new one). With a change list (one-symbol sweep runs),
 * it is read from the list, and the dense column is not there at all.
 */
export function targetAt(i: i32, t: i32): f64 {
  if (i != 0 || changes == 0) return S.col(i, S_TARGETS, t);
  const k = changeFrom(t);
  if (k == changeCount || changeBar(changes, k) != t) return NaN;
  return i32At(changes, k) > 0 ? 1 : -1;
}

/** The first decision bar ≥ t0, or `limit` when there is none before it. */
function nextDecision(t0: i32, limit: i32): i32 {
  if (changes != 0) {
    // the host's list: every change is a decision of a run that is not ruined
    const k = changeFrom(t0);
    return k < changeCount ? changeBar(changes, k) : limit;
  }
  if (decisionFound >= t0) return decisionFound;
  const targets = colPtr(0, S_TARGETS);
  const last = pget(0, P_LAST_TARGET);
  // Dense targets mostly repeat the last one bit for bit: an integer comparison skips those (V8
  // turns the float tests into flag juggling); any other bits get the exact test.
  const lastBits = reinterpret<i64>(last);
  for (let t = scannedTo > t0 ? scannedTo : t0; t < limit; t++) {
    if (load<i64>(targets + (<usize>t << 3)) != lastBits) {
      const w = at(targets, t);
      if (w != last && !isNaN(w)) {
        decisionFound = t;
        return t;
      }
    }
  }
  scannedTo = limit;
  return limit;
}

/**
 * Runs the quiet bars from t0 on and returns the first bar it did not run (t0 when bar t0 is not
 * quiet). A bar whose new target is decided at its close is run too, the order queued, and the
 * stretch ends after it. Stops before the last bar (it closes the position), before a funding
 * event, an isolated liquidation or a bracket change (an isolated metrics-only stretch finds that
 * one itself).
 *
 * A bar t0 with a fill or a funding event opens a stretch: its open's steps run here (the same
 * functions as the full step's), and the stretch marks it. Without the full step's marking and
 * decision code in between, an event costs ~25% less. When the bar then cannot run quietly,
 * index.ts marks it (openedAt).
 */
export function quietBars(t0: i32): i32 {
  if (t0 == 0 || S.ruined) return t0;
  let end = S.nBars - 1;
  if (t0 >= end) return t0;
  let side = pget(0, P_SIDE);
  const fundingDue = side != 0 && nextFunding(t0) == t0;
  if (S.anyPending || fundingDue) {
    // the funding list says whether the open has funding to settle, and its rate
    S.fundingKnown = true;
    S.knownRate = fundingDue ? load<f64>(colPtr(0, S_FUNDING_RATES) + (<usize>fundingAt << 3)) : NaN;
    stepOpen(t0);
    opened = t0;
    if (S.ruined) return t0;
    side = pget(0, P_SIDE);
  }
  if (side != 0) {
    // funding at t0 is settled (or was not due: a position opened at t0 did not hold into it)
    const funding = nextFunding(t0 + 1);
    if (funding < end) end = funding;
  }
  const decision = nextDecision(t0, end);
  // the stretch ends after the decision bar: the searches below need not look further
  if (decision < end) end = decision + 1;
  if (side != 0 && S.isolated) {
    end = isolatedLiquidationBar(t0, end, side, pget(0, P_LP));
    if (t0 >= end) return t0;
  }
  if (side == 0) return S.records ? stretch<u8, bool>(t0, end, decision) : stretch<u8, void>(t0, end, decision);
  const qty = pget(0, P_QTY);
  findBracket(qty * at(colPtr(0, S_MARK_CLOSE), t0));
  // (an isolated metrics-only stretch keeps its closes inside the bracket itself: one search less)
  if (S.records || !S.isolated) end = closeLeaveBar(t0, end, qty, bracketLo, bracketHi);
  if (S.records) return S.isolated ? stretch<u16, bool>(t0, end, decision) : stretch<u32, bool>(t0, end, decision);
  return S.isolated ? stretch<u16, void>(t0, end, decision) : stretch<u32, void>(t0, end, decision);
}

// The constants of the running stretch. Read from globals inside the loop, they reach V8 as memory
// operands and leave its 16 float registers to the accumulators (held in locals, the constants
// pushed two accumulators onto the stack, which made their loop-carried additions ~2× slower).
let kQty: f64 = 0;
let kEntry: f64 = 0;
let kIw: f64 = 0;
let kSq: f64 = 0;
let kQtyEntry: f64 = 0;
let kWallet: f64 = 0;
let kAbsWallet: f64 = 0;
let kShift: f64 = 0;
/** A margin ratio can only be a new maximum above this (1e-6 below it: far beyond rounding). */
let kRatioBar: f64 = 0;
/** 1, as a global: V8 rebuilds a float constant with three instructions at every use. */
let kOne: f64 = 1;

// The isolated pair loop's constants as lanes, set at the stretch's start. Read into locals before
// the loop, they stay in registers; locals splatted from the scalars instead are splatted again
// from the stack at every iteration, and a constant 1 is rebuilt there with four instructions.
let vW: v128 = f64x2.splat(0);
let vIw: v128 = f64x2.splat(0);
let vSq: v128 = f64x2.splat(0);
let vEntry: v128 = f64x2.splat(0);
let vShift: v128 = f64x2.splat(0);
let vOne: v128 = f64x2.splat(0);
/**
 * The loop, specialised at compile time by `Mode` (u8 flat, u16 an isolated position, u32 a cross
 * position) and by `Records` (bool writes the equity records, void does not), so each version
 * holds only its own work. quietBars has already ended the stretch where the close notional
 * leaves its bracket, but for an isolated metrics-only stretch, which stops at that bar itself; a
 * cross position's adverse extreme leaving it ends the stretch here.
 */
function stretch<Mode, Records>(t0: i32, end: i32, decision: i32): i32 {
  const OPEN = sizeof<Mode>() > 1;
  const ISOLATED = sizeof<Mode>() == 2;
  const RECORDS = !isVoid<Records>();
  const side = pget(0, P_SIDE);
  kQty = pget(0, P_QTY);
  kEntry = pget(0, P_ENTRY);
  kIw = pget(0, P_IW);
  kSq = side * kQty;
  kQtyEntry = kQty * kEntry;
  kWallet = S.wallet;
  kAbsWallet = Math.abs(kWallet);
  kShift = M.shift;
  kRatioBar = S.maxMarginRatio * 0.999999;
  const adverse = side == 1 ? colPtr(0, S_MARK_LOW) : colPtr(0, S_MARK_HIGH);
  const markClose = colPtr(0, S_MARK_CLOSE);
  // The full step reads these columns at the bar that ends the stretch; reading them here as well
  // keeps them streaming through the cache, instead of one cache miss each at every event.
  const open = colPtr(0, S_OPEN);
  const markOpen = colPtr(0, S_MARK_OPEN);
  const markLow = colPtr(0, S_MARK_LOW);
  const markHigh = colPtr(0, S_MARK_HIGH);
  // (not the funding column: a bar quietBars opens takes its rate from the funding list)
  // the decision bar's close is marked here too, then its order queued
  const last = decision < end ? decision + 1 : end;

  let prev = M.prev;
  // the metric sums as (even bar, odd bar) lanes, as metrics.ts keeps them
  let S1 = f64x2(M.s1Even, M.s1Odd);
  let S2 = f64x2(M.s2Even, M.s2Odd);
  let DOWN = f64x2(M.downsideEven, M.downsideOdd);
  let peak = M.peak;
  // The lowest equity since the peak last rose: for a fixed peak, 1 − E / peak is largest there.
  let trough = M.trough;

  if (ISOLATED && !RECORDS) {
    vW = f64x2.splat(kWallet);
    vIw = f64x2.splat(kIw);
    vSq = f64x2.splat(kSq);
    vEntry = f64x2.splat(kEntry);
    vShift = f64x2.splat(kShift);
    vOne = f64x2.splat(kOne);
  }

  // A metrics block that ends inside the stretch is merged there (metrics.ts), and the next one
  // starts with empty sums and the new shift.
  let blockEnd = t0 + (METRICS_BLOCK - M.blockN);
  let blockStart = t0;
  let t = t0;
  while (t < last) {
    if (t == blockEnd) {
      M.s1Even = f64x2.extract_lane(S1, 0);
      M.s1Odd = f64x2.extract_lane(S1, 1);
      M.s2Even = f64x2.extract_lane(S2, 0);
      M.s2Odd = f64x2.extract_lane(S2, 1);
      M.blockN += t - blockStart;
      M.metricsMergeBlock();
      S1 = f64x2.splat(M.s1Even);
      S2 = f64x2.splat(M.s2Even);
      kShift = M.shift;
      vShift = f64x2.splat(kShift);
      blockStart = t;
      blockEnd = t + METRICS_BLOCK;
    }
    const segEnd = blockEnd < last ? blockEnd : last;
    if (ISOLATED && !RECORDS) {
      // Two bars at once (an even one and the next) while both closes are inside the plain range:
      // every lane does the one-bar operations below in the same order, so the bits are the same.
      if ((t & 1) == 0 && t + 1 < segEnd) {
        isolatedFixedRange(kWallet, kIw, kSq, kEntry, kRatioBar, bracketMmr, bracketCum, bracketLo, bracketHi);
        isolatedRange(peak);
        // the pairs before the first close outside the range (the bracket's included): the loop
        // itself tests nothing, which leaves V8 the registers for all its lanes
        const stop = closeLeaveBar(t, segEnd, 1, rangeLo, rangeHi);
        const from = t;
        let PREVV = f64x2.splat(prev);
        let TROUGH = f64x2.splat(trough);
        // Whole blocks go by the dataset's table of return moments where the run has one
        // (quiet-moments.ts); the bars around them go in pairs. The stretch's first bar's previous
        // equity can be from before its fill or funding: when that bar starts a block, the block
        // still goes by the table, with the bar's term swapped (below).
        const k = moments ? fixedK : 0;
        const firstMoment = t > t0 ? t : (t0 & ((1 << QUIET_BLOCK_SHIFT) - 1)) == 0 ? t0 : t0 + 1;
        let pairsTo = moments ? nextMoments(firstMoment, stop, k) : stop;
        while (true) {
          // (locals: V8 keeps them in registers, where it loads a global at every use)
          const w = vW;
          const iw = vIw;
          const sq = vSq;
          const entry = vEntry;
          const one = vOne;
          const sh = vShift;
          for (; t + 1 < pairsTo; t += 2) {
            const C = v128.load(markClose + (<usize>t << 3));
            const EQ = f64x2.add(w, f64x2.add(iw, f64x2.mul(sq, f64x2.sub(C, entry))));
            const R = f64x2.sub(f64x2.div(EQ, v128.shuffle<f64>(PREVV, EQ, 1, 2)), one);
            const D = f64x2.sub(R, sh);
            S1 = f64x2.add(S1, D);
            S2 = f64x2.add(S2, f64x2.mul(D, D));
            const LOSS = f64x2.pmin(f64x2.splat(0), R);
            DOWN = f64x2.add(DOWN, f64x2.mul(LOSS, LOSS));
            TROUGH = f64x2.pmin(TROUGH, EQ);
            PREVV = EQ;
            // integer reads keep the columns streaming without taking a float register
            if ((t & 7) == 0) {
              const at8 = <usize>t << 3;
              streamSink ^= load<i64>(open + at8) ^ load<i64>(markOpen + at8) ^ load<i64>(markLow + at8) ^ load<i64>(markHigh + at8);
            }
          }
          if (pairsTo >= stop) break;
          // the block from pairsTo: its sums (into the even lanes: only their totals matter), its
          // trough and its last bar's equity, by the same formula as the lanes'
          momentBlock(pairsTo, k, kSq > 0);
          let sum = momentSum;
          let squares = momentSquares;
          let down = momentDown;
          if (pairsTo == t0) {
            // The table's term for bar t0 assumes the stretch's position held at t0 − 1; its
            // equity then was `prev`, from before the fill or funding: that bar's exact return
            // replaces the term (a loss is a negative return, long or short).
            const c = at(markClose, t0);
            const before = at(markClose, t0 - 1);
            const assumed = (c - before) / (before + k);
            const r = (kWallet + (kIw + kSq * (c - kEntry))) / prev - kOne;
            const assumedLoss = assumed < 0 ? assumed : 0;
            const loss = r < 0 ? r : 0;
            sum += r - assumed;
            squares += r * r - assumed * assumed;
            down += loss * loss - assumedLoss * assumedLoss;
          }
          const n = <f64>(1 << QUIET_BLOCK_SHIFT);
          const s1 = sum - n * kShift;
          const s2 = squares - 2 * kShift * sum + n * kShift * kShift;
          S1 = f64x2.replace_lane(S1, 0, f64x2.extract_lane(S1, 0) + s1);
          S2 = f64x2.replace_lane(S2, 0, f64x2.extract_lane(S2, 0) + s2);
          DOWN = f64x2.replace_lane(DOWN, 0, f64x2.extract_lane(DOWN, 0) + down);
          const worst = kSq > 0 ? momentLow : momentHigh;
          TROUGH = f64x2.pmin(TROUGH, f64x2.splat(kWallet + (kIw + kSq * (worst - kEntry))));
          PREVV = f64x2.splat(kWallet + (kIw + kSq * (momentLast - kEntry)));
          t = pairsTo + (1 << QUIET_BLOCK_SHIFT);
          pairsTo = nextMoments(t, stop, k);
        }
        if (t != from) {
          prev = f64x2.extract_lane(PREVV, 1);
          trough = f64x2.extract_lane(f64x2.pmin(TROUGH, v128.shuffle<f64>(TROUGH, TROUGH, 1, 0)), 0);
          continue;
        }
      }
    } else if ((t & 1) == 0 && t + 1 < segEnd) {
      // Two bars at once (an even one and the next) when neither is special: every lane does the
      // one-bar operations below in the same order, so the bits are the same.
      let fast = true;
      if (!ISOLATED && OPEN) {
        const A = v128.load(adverse + (<usize>t << 3));
        const N = f64x2.mul(f64x2.splat(kQty), A);
        const inside = v128.and(f64x2.ge(N, f64x2.splat(bracketLo)), f64x2.lt(N, f64x2.splat(bracketHi)));
        const MA = f64x2.sub(f64x2.mul(N, f64x2.splat(bracketMmr)), f64x2.splat(bracketCum));
        const F = f64x2.add(f64x2.splat(kWallet), f64x2.sub(f64x2.mul(f64x2.splat(kSq), f64x2.sub(A, f64x2.splat(kEntry))), MA));
        const SCALE = f64x2.add(f64x2.splat(kAbsWallet), f64x2.add(f64x2.add(N, f64x2.splat(kQtyEntry)), f64x2.abs(MA)));
        const safe = f64x2.gt(F, f64x2.add(f64x2.mul(f64x2.splat(1e-9), SCALE), f64x2.splat(S.mmSlack)));
        fast = v128.all_true<i64>(v128.and(inside, safe));
      }
      let EQ = f64x2.splat(kWallet);
      let RATIO = f64x2.splat(0);
      if (fast && OPEN) {
        const C = v128.load(markClose + (<usize>t << 3));
        const UPNL = f64x2.mul(f64x2.splat(kSq), f64x2.sub(C, f64x2.splat(kEntry)));
        const MM = f64x2.sub(f64x2.mul(f64x2.mul(f64x2.splat(kQty), C), f64x2.splat(bracketMmr)), f64x2.splat(bracketCum));
        if (ISOLATED) {
          const MARGIN = f64x2.add(f64x2.splat(kIw), UPNL);
          EQ = f64x2.add(f64x2.splat(kWallet), MARGIN);
          if (RECORDS) {
            const R = f64x2.div(MM, MARGIN);
            RATIO = v128.and(R, f64x2.gt(R, f64x2.splat(0)));
          } else if (v128.any_true(f64x2.gt(MM, f64x2.mul(f64x2.splat(kRatioBar), MARGIN)))) {
            fast = false;
          }
        } else {
          EQ = f64x2.add(f64x2.splat(kWallet), UPNL);
          if (RECORDS) {
            RATIO = v128.and(f64x2.div(MM, EQ), f64x2.gt(MM, f64x2.splat(0)));
          } else if (v128.any_true(v128.and(f64x2.gt(MM, f64x2.splat(0)), f64x2.gt(MM, f64x2.mul(f64x2.splat(kRatioBar), EQ))))) {
            fast = false;
          }
        }
        if (RECORDS && v128.any_true(f64x2.gt(RATIO, f64x2.splat(S.maxMarginRatio)))) fast = false;
      }
      // equity > 0 in both, and no new peak (the peak and drawdown go bar by bar)
      if (fast && v128.all_true<i64>(f64x2.gt(EQ, f64x2.splat(0))) && !v128.any_true(f64x2.gt(EQ, f64x2.splat(peak)))) {
        const PREV = v128.shuffle<f64>(f64x2.splat(prev), EQ, 1, 2);
        const R = f64x2.sub(f64x2.div(EQ, PREV), f64x2.splat(kOne));
        const D = f64x2.sub(R, f64x2.splat(kShift));
        S1 = f64x2.add(S1, D);
        S2 = f64x2.add(S2, f64x2.mul(D, D));
        const LOSS = f64x2.pmin(f64x2.splat(0), R);
        DOWN = f64x2.add(DOWN, f64x2.mul(LOSS, LOSS));
        const lows = f64x2.pmin(f64x2.splat(trough), EQ);
        trough = f64x2.extract_lane(f64x2.pmin(lows, v128.shuffle<f64>(lows, lows, 1, 0)), 0);
        prev = f64x2.extract_lane(EQ, 1);
        if ((t & 7) == 0) touchSink += at(open, t) + at(markOpen, t) + at(markLow, t) + at(markHigh, t);
        if (RECORDS) {
          v128.store(S.equityPtr + (<usize>t << 3), EQ);
          v128.store(S.ratioPtr + (<usize>t << 3), RATIO);
        }
        t += 2;
        continue;
      }
    }

    // One bar.
    if (!ISOLATED && OPEN) {
      // cross.ts pathSafe (step 2 and 4 have nothing to do), one position at its adverse extreme
      const a = at(adverse, t);
      const n = kQty * a;
      if (<i32>(n < bracketLo) | <i32>(n >= bracketHi)) break;
      const m = n * bracketMmr - bracketCum;
      const f = kWallet + (kSq * (a - kEntry) - m);
      const scale = kAbsWallet + (n + kQtyEntry + Math.abs(m));
      if (!(f > 1e-9 * scale + S.mmSlack)) break;
    }

    // Step 5.
    let equity = kWallet;
    let ratio: f64 = 0;
    if (OPEN) {
      const c = at(markClose, t);
      const upnl = kSq * (c - kEntry);
      // the notional stays in the bracket: quietBars ended the stretch before it leaves, but for
      // an isolated metrics-only stretch, which stops here
      if (ISOLATED && !RECORDS && <i32>(kQty * c < bracketLo) | <i32>(kQty * c >= bracketHi)) break;
      const m = kQty * c * bracketMmr - bracketCum;
      if (ISOLATED) {
        const margin = kIw + upnl;
        equity = kWallet + margin;
        if (!(equity > 0)) break;
        // the division only when the ratio could be a new maximum (or is recorded); a margin ≤ 0
        // passes too, and gives the full step's ratio (0, or +∞ when it is 0 under a positive MM)
        if (RECORDS || m > kRatioBar * margin) {
          const r = m / margin;
          if (r > 0) ratio = r;
        }
      } else {
        equity = kWallet + upnl;
        if (!(equity > 0)) break;
        if (m > 0 && (RECORDS || m > kRatioBar * equity)) ratio = m / equity;
      }
      if (ratio > S.maxMarginRatio) {
        S.maxMarginRatio = ratio;
        kRatioBar = ratio * 0.999999;
      }
    } else if (!(equity > 0)) {
      break;
    }

    // metrics.ts metricsAddBar, in the lane of the bar's parity
    // prev > 0: a stretch starts only on a run that is not ruined, and stops before equity ≤ 0
    const r = equity / prev - kOne;
    const d = r - kShift;
    // min(r, 0) by pmin (minpd): V8 lowers f64.min to branches that r's sign mispredicts
    const loss = f64x2.extract_lane(f64x2.pmin(f64x2.splat(0), f64x2.splat(r)), 0);
    if ((t & 1) == 0) {
      S1 = f64x2.replace_lane(S1, 0, f64x2.extract_lane(S1, 0) + d);
      S2 = f64x2.replace_lane(S2, 0, f64x2.extract_lane(S2, 0) + d * d);
      DOWN = f64x2.replace_lane(DOWN, 0, f64x2.extract_lane(DOWN, 0) + loss * loss);
    } else {
      S1 = f64x2.replace_lane(S1, 1, f64x2.extract_lane(S1, 1) + d);
      S2 = f64x2.replace_lane(S2, 1, f64x2.extract_lane(S2, 1) + d * d);
      DOWN = f64x2.replace_lane(DOWN, 1, f64x2.extract_lane(DOWN, 1) + loss * loss);
    }
    if (equity > peak) {
      if (trough < peak) M.metricsDrawdownAt(trough, peak);
      peak = equity;
      trough = equity;
    } else {
      // pmin (minpd) rather than a branch that the equity path mispredicts
      trough = f64x2.extract_lane(f64x2.pmin(f64x2.splat(trough), f64x2.splat(equity)), 0);
    }
    prev = equity;
    if ((t & 7) == 0) touchSink += at(open, t) + at(markOpen, t) + at(markLow, t) + at(markHigh, t);
    if (RECORDS) {
      store<f64>(S.equityPtr + (<usize>t << 3), equity);
      store<f64>(S.ratioPtr + (<usize>t << 3), ratio);
    }
    t++;
  }
  if (t == t0) return t0;
  if (t > decision) {
    // Step 6 at the decision bar's close: the order fills at the next open.
    queueTarget(0, targetAt(0, decision), prev);
  }

  // (its drawdown waits until the peak rises or the run ends: one division per peak, not per stretch)
  M.trough = trough;
  M.prev = prev;
  M.last = prev;
  M.s1Even = f64x2.extract_lane(S1, 0);
  M.s1Odd = f64x2.extract_lane(S1, 1);
  M.s2Even = f64x2.extract_lane(S2, 0);
  M.s2Odd = f64x2.extract_lane(S2, 1);
  M.downsideEven = f64x2.extract_lane(DOWN, 0);
  M.downsideOdd = f64x2.extract_lane(DOWN, 1);
  M.peak = peak;
  M.blockN += t - blockStart;
  if (M.blockN == METRICS_BLOCK) M.metricsMergeBlock();
  // (stepOpen counted an opened bar t0 already)
  if (OPEN) S.exposedBars += <f64>(t - t0 - (opened == t0 ? 1 : 0));
  return t;
}

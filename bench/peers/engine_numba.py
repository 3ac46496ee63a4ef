"""margincall's single-symbol simulation written the way vectorbt's engine is: Numba @njit loops
over flat NumPy arrays, state in scalars and small float arrays, records in preallocated 2-D
arrays. A faithful port of src/engine/reference.ts for one symbol (isolated and cross, brackets,
threshold model, mark-price liquidation at the open gap and intrabar, funding, fees, slippage,
SPEC §7 metrics), in the reference's order of operations, so results agree to 1e-9.

Only the benchmark uses it (bench/peers/run.ts); it is not part of the package.
"""
import math

import numpy as np
from numba import njit, prange

NAN = np.nan

# position and open-trade state, one float64 array per run
SIDE, QTY, ENTRY, IW, MM_FIXED, LP, ENTRY_TIME, QTY_IN, ENTRY_VALUE, QTY_OUT, EXIT_VALUE, BOOKED, T_FEES, T_FUNDING = range(14)
POS_FIELDS = 14
# account totals
WALLET, RUINED, GROUP, FEES, FUNDING, REJECTED, LIQS, LIQ_LOSS, EXPOSED, MAX_MR, N_TRADES, N_LIQ_REC = range(12)
ACC_FIELDS = 12
# streaming metrics (MetricsAccumulator)
M_PREV, M_LAST, M_N, M_MEAN, M_M2, M_DOWN, M_GROWTH, M_PEAK, M_MAXDD, M_TRADES, M_WINS, M_GAINS, M_LOSSES, M_PNL, M_SEGMENT = range(15)
MET_FIELDS = 15
# trade records: side, entryTime, exitTime, qty, entryPrice, exitPrice, pnl, fees, funding, reason
TRADE_FIELDS = 10
REASON_SIGNAL, REASON_LIQUIDATION, REASON_END = 0, 1, 2
# liquidation records: time, side, trigger, where (0 open, 1 intrabar), loss, group
LIQ_FIELDS = 6
# bracket table columns
B_FLOOR, B_CAP, B_MMR, B_MAXLEV, B_CUM = range(5)

METRIC_NAMES = [
    'finalEquity', 'totalReturn', 'annualizedReturn', 'volatility', 'sharpe', 'sortino', 'maxDrawdown',
    'calmar', 'trades', 'winRate', 'profitFactor', 'expectancy', 'exposure', 'liquidations',
    'liquidationLoss', 'fees', 'funding', 'rejectedOrders', 'maxMarginRatio', 'ruined',
]
NULLABLE = {'annualizedReturn', 'volatility', 'sharpe', 'sortino', 'calmar', 'winRate', 'profitFactor', 'expectancy'}

jit = njit(cache=True, error_model='numpy', fastmath=False)


@jit
def bracket_index(tab, notional):
    k = 0
    for i in range(1, tab.shape[0]):
        if tab[i, B_FLOOR] <= notional:
            k += 1
    return k


@jit
def maintenance_margin(tab, qty, price):
    notional = qty * price
    k = bracket_index(tab, notional)
    return notional * tab[k, B_MMR] - tab[k, B_CUM]


@jit
def order_allowed(tab, notional, lev):
    if not (notional <= tab[tab.shape[0] - 1, B_CAP]):
        return False
    return tab[bracket_index(tab, notional), B_MAXLEV] >= lev


@jit
def line_root(tab, k, side, qty, entry, wallet):
    if side == 1:
        return (qty * entry - wallet - tab[k, B_CUM]) / (qty * (1 - tab[k, B_MMR]))
    return (qty * entry + wallet + tab[k, B_CUM]) / (qty * (1 + tab[k, B_MMR]))


@jit
def isolated_lp(tab, side, qty, entry, wallet):
    last = tab.shape[0] - 1
    k = bracket_index(tab, qty * entry)
    direction = 0
    for _ in range(2 * tab.shape[0] + 2):
        p = line_root(tab, k, side, qty, entry, wallet)
        if not (p > 0):
            if k == 0:
                return NAN
            k = 0
            direction = 0
            continue
        n = qty * p
        want = 0
        if n < tab[k, B_FLOOR]:
            want = -1
        elif k < last and n >= tab[k, B_CAP]:
            want = 1
        if want == 0 or (direction != 0 and want != direction):
            return p
        direction = want
        k += want
    return NAN


@jit
def mm_of(pos, tab, threshold, price):
    if threshold >= 0:
        return pos[MM_FIXED]
    return maintenance_margin(tab, pos[QTY], price)


@jit
def refresh_lp(pos, tab, isolated, threshold):
    if not isolated or pos[SIDE] == 0:
        pos[LP] = NAN
        return
    if threshold >= 0:
        lp = pos[ENTRY] - (pos[SIDE] * (pos[IW] - pos[MM_FIXED])) / pos[QTY]
        pos[LP] = lp if lp > 0 else NAN
    else:
        pos[LP] = isolated_lp(tab, pos[SIDE], pos[QTY], pos[ENTRY], pos[IW])


@jit
def add_bar(met, equity):
    r = equity / met[M_PREV] - 1 if met[M_PREV] > 0 else 0.0
    met[M_N] += 1
    delta = r - met[M_MEAN]
    met[M_MEAN] += delta / met[M_N]
    met[M_M2] += delta * (r - met[M_MEAN])
    if r < 0:
        met[M_DOWN] += r * r
    # Π(1 + r) by segments of bars with a previous equity > 0 (it telescopes), as the reference
    if met[M_SEGMENT] > 0:
        if not equity > 0:
            met[M_GROWTH] *= equity / met[M_SEGMENT]
            met[M_SEGMENT] = 0.0
    elif equity > 0:
        met[M_SEGMENT] = equity
    if equity > met[M_PEAK]:
        met[M_PEAK] = equity
    if met[M_PEAK] > 0:
        dd = 1 - equity / met[M_PEAK]
        if dd > met[M_MAXDD]:
            met[M_MAXDD] = dd
    met[M_PREV] = equity
    met[M_LAST] = equity


@jit
def add_trade(met, pnl):
    met[M_TRADES] += 1
    met[M_PNL] += pnl
    if pnl > 0:
        met[M_WINS] += 1
        met[M_GAINS] += pnl
    elif pnl < 0:
        met[M_LOSSES] -= pnl


@jit
def flat(pos):
    pos[:] = 0.0
    pos[LP] = NAN


@jit
def close_trade(pos, acc, met, trades, records, t_time, reason):
    pnl = pos[BOOKED] - pos[T_FEES] - pos[T_FUNDING]
    if reason != REASON_END:
        add_trade(met, pnl)
    if records:
        k = int(acc[N_TRADES])
        row = trades[k]
        row[0] = pos[SIDE]
        row[1] = pos[ENTRY_TIME]
        row[2] = t_time
        row[3] = pos[QTY_IN]
        row[4] = pos[ENTRY_VALUE] / pos[QTY_IN]
        row[5] = pos[EXIT_VALUE] / pos[QTY_OUT]
        row[6] = pnl
        row[7] = pos[T_FEES]
        row[8] = pos[T_FUNDING]
        row[9] = reason
        acc[N_TRADES] = k + 1
    flat(pos)


@jit
def reduce_pos(pos, acc, met, trades, records, tab, isolated, threshold, t_time, dq, fill, fee, reason):
    price = pos[SIDE] * dq * (fill - pos[ENTRY])
    if isolated:
        released = pos[IW] if dq == pos[QTY] else (pos[IW] * dq) / pos[QTY]
        returned = max(0.0, released + price)
        acc[WALLET] += returned - fee
        pos[IW] -= released
        booked = returned - released
    else:
        acc[WALLET] += price - fee
        booked = price
    pos[BOOKED] += booked
    pos[T_FEES] += fee
    pos[QTY_OUT] += dq
    pos[EXIT_VALUE] += dq * fill
    acc[FEES] += fee
    if dq == pos[QTY]:
        close_trade(pos, acc, met, trades, records, t_time, reason)
    else:
        before = pos[QTY]
        pos[QTY] -= dq
        if threshold >= 0:
            pos[MM_FIXED] *= pos[QTY] / before
        refresh_lp(pos, tab, isolated, threshold)


@jit
def liquidate_isolated(pos, acc, met, trades, liqs, records, liq_fee_rate, t_time, price, where):
    notional = pos[QTY] * price
    upnl = pos[SIDE] * pos[QTY] * (price - pos[ENTRY])
    returned = max(0.0, pos[IW] + upnl - liq_fee_rate * notional)
    loss = pos[IW] - returned
    acc[WALLET] += returned
    acc[GROUP] += 1
    acc[LIQS] += 1
    acc[LIQ_LOSS] += loss
    if records:
        record_liq(acc, liqs, t_time, pos[SIDE], price, where, loss)
    pos[BOOKED] -= loss
    pos[QTY_OUT] += pos[QTY]
    pos[EXIT_VALUE] += pos[QTY] * price
    close_trade(pos, acc, met, trades, records, t_time, REASON_LIQUIDATION)


@jit
def record_liq(acc, liqs, t_time, side, price, where, loss):
    k = int(acc[N_LIQ_REC])
    row = liqs[k]
    row[0] = t_time
    row[1] = side
    row[2] = price
    row[3] = where
    row[4] = loss
    row[5] = acc[GROUP]
    acc[N_LIQ_REC] = k + 1


@jit
def liquidate_cross(pos, acc, met, trades, liqs, records, liq_fee_rate, t_time, price, where):
    sum_n = pos[QTY] * price
    sum_upnl = pos[SIDE] * pos[QTY] * (price - pos[ENTRY])
    raw = acc[WALLET] + sum_upnl - liq_fee_rate * sum_n
    after = max(0.0, raw)
    cover = after - raw
    acc[GROUP] += 1
    n = pos[QTY] * price
    upnl = pos[SIDE] * pos[QTY] * (price - pos[ENTRY])
    loss = -upnl + liq_fee_rate * n - (cover * n) / sum_n
    acc[LIQS] += 1
    acc[LIQ_LOSS] += loss
    if records:
        record_liq(acc, liqs, t_time, pos[SIDE], price, where, loss)
    pos[BOOKED] -= loss
    pos[QTY_OUT] += pos[QTY]
    pos[EXIT_VALUE] += n
    close_trade(pos, acc, met, trades, records, t_time, REASON_LIQUIDATION)
    acc[WALLET] = after


@jit
def cross_surplus(pos, acc, tab, threshold, price):
    f = acc[WALLET]
    if pos[SIDE] != 0:
        f += pos[SIDE] * pos[QTY] * (price - pos[ENTRY]) - mm_of(pos, tab, threshold, price)
    return f


@jit
def cross_trigger(pos, acc, tab, threshold, o, adverse):
    """SPEC §3.4 for one cross position: the smallest λ where the account condition holds, or −1."""
    d = adverse - o
    a = 0.0
    fa = cross_surplus(pos, acc, tab, threshold, o + a * d)
    if fa <= 0:
        return 0.0
    while True:
        # next λ in (a, 1) where the notional reaches a bracket floor, else 1
        b = 1.0
        if threshold < 0 and d != 0:
            k = bracket_index(tab, pos[QTY] * (o + a * d))
            floor = NAN
            if d > 0:
                if k + 1 < tab.shape[0]:
                    floor = tab[k + 1, B_FLOOR]
            elif k != 0:
                floor = tab[k, B_FLOOR]
            if floor == floor:
                lam = (floor / pos[QTY] - o) / d
                if lam > a and lam < b:
                    b = lam
        fb = cross_surplus(pos, acc, tab, threshold, o + b * d)
        if fb <= 0:
            return a + ((b - a) * fa) / (fa - fb)
        if b >= 1:
            return -1.0
        a = b
        fa = fb


@jit
def increase(pos, acc, tab, isolated, threshold, lev, fee_rate, t_time, m_open, side, dq, fill):
    notional = (pos[QTY] + dq) * fill
    if not order_allowed(tab, notional, lev):
        return False
    fee = dq * fill * fee_rate
    margin = (dq * fill) / lev
    if isolated:
        if not (acc[WALLET] >= margin + fee):
            return False
        acc[WALLET] -= margin + fee
        pos[IW] += margin
    else:
        available = acc[WALLET]
        if pos[SIDE] != 0:
            available += pos[SIDE] * pos[QTY] * (m_open - pos[ENTRY]) - (pos[QTY] * pos[ENTRY]) / lev
        if not (available >= margin + fee):
            return False
        acc[WALLET] -= fee
    if pos[SIDE] == 0:
        pos[SIDE] = side
        pos[ENTRY_TIME] = t_time
    pos[ENTRY] = (pos[QTY] * pos[ENTRY] + dq * fill) / (pos[QTY] + dq)
    pos[QTY] += dq
    if threshold >= 0:
        pos[MM_FIXED] = ((1 - threshold) * pos[QTY] * pos[ENTRY]) / lev
    pos[QTY_IN] += dq
    pos[ENTRY_VALUE] += dq * fill
    pos[T_FEES] += fee
    acc[FEES] += fee
    refresh_lp(pos, tab, isolated, threshold)
    return True


@jit
def simulate(time, open_, m_open, m_high, m_low, m_close, funding, has_funding, targets, tab,
             isolated, threshold, lev, balance, sizing_fixed, size, fee_rate, slippage, liq_fee_rate,
             bars_per_year, records, trades, liqs, counts):
    """One single-symbol run; returns the 20 metrics in METRIC_NAMES order (NaN where null) and
    writes the numbers of trade and liquidation records to counts[0], counts[1]."""
    n_bars = time.shape[0]
    pos = np.empty(POS_FIELDS)
    flat(pos)
    acc = np.zeros(ACC_FIELDS)
    acc[WALLET] = balance
    met = np.zeros(MET_FIELDS)
    met[M_PREV] = balance
    met[M_LAST] = balance
    met[M_GROWTH] = 1.0
    met[M_SEGMENT] = balance if balance > 0 else 0.0
    met[M_PEAK] = balance
    last_target = 0.0
    pending = NAN
    for t in range(n_bars):
        t_time = time[t]
        mo = m_open[t]
        # 1. funding at the open
        if pos[SIDE] != 0 and has_funding:
            rate = funding[t]
            if rate == rate:
                pay = pos[SIDE] * pos[QTY] * mo * rate
                if isolated:
                    pos[IW] -= pay
                    refresh_lp(pos, tab, isolated, threshold)
                else:
                    acc[WALLET] -= pay
                pos[T_FUNDING] += pay
                acc[FUNDING] += pay
        # 2. gap check at the mark open
        if isolated:
            if pos[SIDE] != 0 and pos[LP] == pos[LP]:
                if (mo <= pos[LP]) if pos[SIDE] == 1 else (mo >= pos[LP]):
                    liquidate_isolated(pos, acc, met, trades, liqs, records, liq_fee_rate, t_time, mo, 0)
        elif pos[SIDE] != 0:
            if cross_surplus(pos, acc, tab, threshold, mo) <= 0:
                liquidate_cross(pos, acc, met, trades, liqs, records, liq_fee_rate, t_time, mo, 0)
        # 3. fills at the open: the close leg first, then the open leg
        open_qty = 0.0
        open_fill = 0.0
        open_side = 0
        target = pending
        if target == target:
            pending = NAN
            o = open_[t]
            current = pos[SIDE] * pos[QTY]
            move = target / o - current
            if move != 0:
                fill = o * (1 + slippage) if move > 0 else o * (1 - slippage)
                nxt = target / fill
                if not ((nxt <= current) if move > 0 else (nxt >= current)):
                    if pos[SIDE] != 0 and (nxt == 0 or (nxt > 0) != (pos[SIDE] == 1)):
                        q = pos[QTY]
                        reduce_pos(pos, acc, met, trades, records, tab, isolated, threshold, t_time,
                                   q, fill, q * fill * fee_rate, REASON_SIGNAL)
                        if nxt != 0:
                            open_qty = abs(nxt)
                            open_fill = fill
                            open_side = 1 if nxt > 0 else -1
                    elif abs(nxt) < pos[QTY]:
                        dq = pos[QTY] - abs(nxt)
                        reduce_pos(pos, acc, met, trades, records, tab, isolated, threshold, t_time,
                                   dq, fill, dq * fill * fee_rate, REASON_SIGNAL)
                    else:
                        open_qty = abs(nxt) - pos[QTY]
                        open_fill = fill
                        open_side = 1 if nxt > 0 else -1
        if not isolated and acc[WALLET] < 0 and pos[SIDE] == 0:
            acc[WALLET] = 0.0
            acc[RUINED] = 1.0
        if open_qty != 0 and acc[RUINED] == 0:
            if not increase(pos, acc, tab, isolated, threshold, lev, fee_rate, t_time, mo, open_side, open_qty, open_fill):
                acc[REJECTED] += 1
        if pos[SIDE] != 0:
            acc[EXPOSED] += 1
        # 4. intrabar liquidation on the path from the mark open to the adverse extreme
        if isolated:
            if pos[SIDE] != 0 and pos[LP] == pos[LP]:
                lp = pos[LP]
                if pos[SIDE] == 1:
                    if mo <= lp:
                        liquidate_isolated(pos, acc, met, trades, liqs, records, liq_fee_rate, t_time, mo, 1)
                    elif m_low[t] <= lp:
                        liquidate_isolated(pos, acc, met, trades, liqs, records, liq_fee_rate, t_time, lp, 1)
                else:
                    if mo >= lp:
                        liquidate_isolated(pos, acc, met, trades, liqs, records, liq_fee_rate, t_time, mo, 1)
                    elif m_high[t] >= lp:
                        liquidate_isolated(pos, acc, met, trades, liqs, records, liq_fee_rate, t_time, lp, 1)
        elif pos[SIDE] != 0:
            adverse = m_low[t] if pos[SIDE] == 1 else m_high[t]
            lam = cross_trigger(pos, acc, tab, threshold, mo, adverse)
            if lam >= 0:
                liquidate_cross(pos, acc, met, trades, liqs, records, liq_fee_rate, t_time,
                                mo + lam * (adverse - mo), 1)
        # end of data: close at the mark close without fee
        if t == n_bars - 1:
            if pos[SIDE] != 0:
                reduce_pos(pos, acc, met, trades, records, tab, isolated, threshold, t_time,
                           pos[QTY], m_close[t], 0.0, REASON_END)
            if not isolated and acc[WALLET] < 0 and pos[SIDE] == 0:
                acc[WALLET] = 0.0
                acc[RUINED] = 1.0
        # 5. mark to market at the close
        equity = acc[WALLET]
        ratio = 0.0
        sum_mm = 0.0
        if pos[SIDE] != 0:
            c = m_close[t]
            upnl = pos[SIDE] * pos[QTY] * (c - pos[ENTRY])
            m = mm_of(pos, tab, threshold, c)
            if isolated:
                equity += pos[IW] + upnl
                r = m / (pos[IW] + upnl)
                if r > ratio:
                    ratio = r
            else:
                equity += upnl
                sum_mm += m
        if not isolated and sum_mm > 0:
            ratio = sum_mm / equity
        if ratio > acc[MAX_MR]:
            acc[MAX_MR] = ratio
        add_bar(met, equity)
        if equity <= 0:
            acc[RUINED] = 1.0
        # 6. decide the target of the next open
        if acc[RUINED] != 0 or t == n_bars - 1:
            continue
        w = targets[t]
        if w != w or w == last_target:
            continue
        last_target = w
        margin = size if sizing_fixed else size * equity
        pending = w * margin * lev
    counts[0] = acc[N_TRADES]
    counts[1] = acc[N_LIQ_REC]
    return finish(met, acc, balance, bars_per_year)


@jit
def finish(met, acc, balance, ann):
    out = np.empty(20)
    n = met[M_N]
    std = math.sqrt(met[M_M2] / (n - 1)) if n > 1 else NAN
    sqrt_ann = math.sqrt(ann)
    growth = met[M_GROWTH] * (met[M_LAST] / met[M_SEGMENT]) if met[M_SEGMENT] > 0 else met[M_GROWTH]
    annualized = growth ** (ann / n) - 1 if n > 0 else NAN
    down_dev = math.sqrt(met[M_DOWN] / n) if n > 0 else NAN
    trades = met[M_TRADES]
    out[0] = met[M_LAST]
    out[1] = met[M_LAST] / balance - 1
    out[2] = annualized
    out[3] = std * sqrt_ann
    out[4] = (met[M_MEAN] / std) * sqrt_ann
    out[5] = (met[M_MEAN] * ann) / (down_dev * sqrt_ann)
    out[6] = met[M_MAXDD]
    out[7] = annualized / met[M_MAXDD]
    out[8] = trades
    out[9] = met[M_WINS] / trades if trades > 0 else NAN
    out[10] = met[M_GAINS] / met[M_LOSSES] if met[M_LOSSES] > 0 else NAN
    out[11] = met[M_PNL] / trades if trades > 0 else NAN
    out[12] = acc[EXPOSED] / n if n > 0 else 0.0
    out[13] = acc[LIQS]
    out[14] = acc[LIQ_LOSS]
    out[15] = acc[FEES]
    out[16] = acc[FUNDING]
    out[17] = acc[REJECTED]
    out[18] = acc[MAX_MR]
    out[19] = acc[RUINED]
    return out


@jit
def sma_cross(close, fast, slow, out):
    """src/strategies/sma-cross.ts: rolling sums in the same order, SPEC §4's ε comparison."""
    sum_fast = 0.0
    sum_slow = 0.0
    w = 0.0
    eps = 1e-10
    for t in range(close.shape[0]):
        sum_fast += close[t]
        if t >= fast:
            sum_fast -= close[t - fast]
        sum_slow += close[t]
        if t >= slow:
            sum_slow -= close[t - slow]
        if t >= slow - 1:
            a = sum_fast / fast
            b = sum_slow / slow
            if a - b > eps * max(abs(a), abs(b)):
                w = 1.0
            elif b - a > eps * max(abs(a), abs(b)):
                w = -1.0
        out[t] = w


@njit(parallel=True, cache=True, error_model='numpy')
def sweep_sma(time, open_, m_open, m_high, m_low, m_close, funding, has_funding, close, fasts, slows, tab,
              isolated, threshold, lev, balance, sizing_fixed, size, fee_rate, slippage, liq_fee_rate,
              bars_per_year):
    """W2: one metrics row per parameter set, the sets spread over the cores with prange."""
    n_sets = fasts.shape[0]
    out = np.empty((n_sets, 20))
    no_trades = np.empty((1, TRADE_FIELDS))
    no_liqs = np.empty((1, LIQ_FIELDS))
    for i in prange(n_sets):
        counts = np.zeros(2)
        targets = np.empty(close.shape[0])
        sma_cross(close, fasts[i], slows[i], targets)
        out[i] = simulate(time, open_, m_open, m_high, m_low, m_close, funding, has_funding, targets, tab,
                          isolated, threshold, lev, balance, sizing_fixed, size, fee_rate, slippage,
                          liq_fee_rate, bars_per_year, False, no_trades, no_liqs, counts)
    return out


def metrics_dict(row):
    """The 20 metrics as SPEC §7 JSON: NaN (or a non-finite ratio) → None, counts as ints."""
    out = {}
    for name, x in zip(METRIC_NAMES, row):
        x = float(x)
        if name in NULLABLE and not math.isfinite(x):
            out[name] = None
        elif name in ('trades', 'liquidations', 'rejectedOrders'):
            out[name] = int(x)
        elif name == 'ruined':
            out[name] = x != 0
        else:
            out[name] = x
    return out

"""The Numba side of `npm run bench:peers`: reads the candles bench/peers/run.ts wrote (raw
little-endian float64 columns and a meta.json), compiles, times W1 (isolated and cross, with
records) and W2 (the sma-cross grid over all cores with prange), then runs the untimed
liquidation checks, and prints one JSON object.

Usage: /usr/bin/python3 bench/peers/run_numba.py <dir>
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numba  # noqa: E402
from engine_numba import LIQ_FIELDS, TRADE_FIELDS, metrics_dict, simulate, sweep_sma  # noqa: E402


def column(d, name):
    return np.fromfile(os.path.join(d, name + '.bin'), dtype='<f8')


def dataset(d, prefix):
    cols = {k: column(d, f'{prefix}-{k}') for k in ('time', 'open', 'mopen', 'mhigh', 'mlow', 'mclose', 'funding', 'close')}
    has_funding = not np.all(np.isnan(cols['funding']))
    return cols, has_funding


def run_once(c, has_funding, targets, tab, s, isolated, records):
    n = c['time'].shape[0]
    cap = n + 1 if records else 1
    trades = np.zeros((cap, TRADE_FIELDS))
    liqs = np.zeros((cap, LIQ_FIELDS))
    counts = np.zeros(2)
    row = simulate(c['time'], c['open'], c['mopen'], c['mhigh'], c['mlow'], c['mclose'], c['funding'], has_funding,
                   targets, tab, isolated, s['threshold'], s['leverage'], s['balance'], s['sizingFixed'], s['size'],
                   s['feeRate'], s['slippage'], s['liquidationFeeRate'], s['barsPerYear'], records, trades, liqs, counts)
    return row, trades[: int(counts[0])], liqs[: int(counts[1])]


def records_of(trades, liqs):
    return trades.tolist(), liqs.tolist()


def main():
    d = sys.argv[1]
    meta = json.load(open(os.path.join(d, 'meta.json')))
    s = meta['spec']
    tab = np.array(meta['brackets'], dtype=np.float64)
    out = {'numba': numba.__version__, 'numpy': np.__version__, 'threads': numba.get_num_threads()}

    if 'w1' in meta:
        c, has_funding = dataset(d, 'w1')
        targets = column(d, 'w1-targets')
        t0 = time.perf_counter()
        run_once(c, has_funding, targets[:200], tab, s, True, True)  # compiles (or loads the cache)
        out['compileMs'] = (time.perf_counter() - t0) * 1000
        w1 = {}
        for mode in ('isolated', 'cross'):
            isolated = mode == 'isolated'
            times = []
            for _ in range(meta['w1']['iterations'] + 1):
                t = time.perf_counter()
                row, trades, liqs = run_once(c, has_funding, targets, tab, s, isolated, True)
                times.append((time.perf_counter() - t) * 1000)
            times = times[1:]  # the first call is the warm-up
            tr, lq = records_of(trades, liqs)
            w1[mode] = {'meanMs': sum(times) / len(times), 'minMs': min(times), 'samples': len(times),
                        'metrics': metrics_dict(row), 'trades': tr, 'liquidations': lq}
        out['w1'] = w1

    if 'w2' in meta:
        c, has_funding = dataset(d, 'w2')
        fasts = column(d, 'w2-fast').astype(np.int64)
        slows = column(d, 'w2-slow').astype(np.int64)
        args = (c['time'], c['open'], c['mopen'], c['mhigh'], c['mlow'], c['mclose'], c['funding'], has_funding,
                c['close'])
        rest = (tab, True, s['threshold'], s['leverage'], s['balance'], s['sizingFixed'], s['size'], s['feeRate'],
                s['slippage'], s['liquidationFeeRate'], s['barsPerYear'])
        t0 = time.perf_counter()
        sweep_sma(*args, fasts[:2], slows[:2], *rest)
        out['sweepCompileMs'] = (time.perf_counter() - t0) * 1000
        t = time.perf_counter()
        rows = sweep_sma(*args, fasts, slows, *rest)
        wall = (time.perf_counter() - t) * 1000
        check = meta['w2']['check']
        out['w2'] = {'wallMs': wall, 'sets': int(fasts.shape[0]), 'bars': int(c['time'].shape[0]),
                     'checked': {str(i): metrics_dict(rows[i]) for i in check}}

    if 'checks' in meta:
        # untimed: liquidating scenarios, so the gate also covers the liquidation paths
        c, has_funding = dataset(d, 'chk')
        targets = column(d, 'chk-targets')
        out['checks'] = []
        for chk in meta['checks']:
            row, trades, liqs = run_once(c, has_funding, targets, tab, chk['spec'], chk['isolated'], True)
            out['checks'].append({'metrics': metrics_dict(row), 'trades': trades.tolist(), 'liquidations': liqs.tolist()})

    print(json.dumps(out))


if __name__ == '__main__':
    main()

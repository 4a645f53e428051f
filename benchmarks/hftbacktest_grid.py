"""hftbacktest's side of ``bench_tick.py``: the same one-level grid quoter on the same L2 events.

Runs only inside hftbacktest's own venv (``benchmarks/.venv-hftbacktest``, made by
``hftbacktest_reference.py``: hftbacktest pins numpy < 2.3). Reads the events that
``bench_tick.py`` wrote (``.npz``: exch_ts, kind, side, price, qty), converts them to
hftbacktest's ``event_dtype`` (docs/data.rst), runs a quoter written after its
"High-Frequency Grid Trading" example (one bid and one ask two ticks from the mid, order id =
price tick, a position limit, a wake-up every millisecond) and a GLFT quoter after its GLFT
tutorial, with the risk-averse queue model and no latency, and prints one JSON line: events,
seconds (the grid), replay_seconds (the book alone, no orders), glft_seconds, fills (the
grid's), glft_fills. It uses hftbacktest's
no-partial-fill exchange: its partial-fill exchange stops with InvalidOrderStatus when a queue
fill equals an order's remaining quantity (hftbacktest#312), which one-lot quotes hit at once.

    benchmarks/.venv-hftbacktest/bin/python benchmarks/hftbacktest_grid.py EVENTS.npz
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from hftbacktest import BacktestAsset, HashMapMarketDepthBacktest
from hftbacktest.order import GTC, LIMIT
from hftbacktest.types import (
    BUY_EVENT,
    DEPTH_EVENT,
    DEPTH_SNAPSHOT_EVENT,
    EXCH_EVENT,
    LOCAL_EVENT,
    SELL_EVENT,
    TRADE_EVENT,
    event_dtype,
)
from numba import njit, uint64

TICK = 0.01


@njit
def grid(hbt):
    fills = 0
    while hbt.elapse(1_000_000) == 0:
        hbt.clear_inactive_orders(0)
        depth = hbt.depth(0)
        position = hbt.position(0)
        orders = hbt.orders(0)
        mid = (depth.best_bid_tick + depth.best_ask_tick) / 2.0
        bid_tick = uint64(np.floor(mid - 2.0 + 1e-9))
        ask_tick = uint64(np.ceil(mid + 2.0 - 1e-9))
        quote(hbt, orders, position, bid_tick, ask_tick)
        fills = hbt.state_values(0).num_trades
    return fills


@njit
def quote(hbt, orders, position, bid_tick, ask_tick):
    """One bid and one ask (order id = price tick): others cancelled; none beyond 10 lots."""
    values = orders.values()
    while values.has_next():
        order = values.get()
        if order.cancellable and order.order_id != bid_tick and order.order_id != ask_tick:
            hbt.cancel(0, order.order_id, False)
    if position < 10 and bid_tick not in orders:
        hbt.submit_buy_order(0, bid_tick, bid_tick * TICK, 1.0, GTC, LIMIT, False)
    if position > -10 and ask_tick not in orders:
        hbt.submit_sell_order(0, ask_tick, ask_tick * TICK, 1.0, GTC, LIMIT, False)


@njit
def glft(hbt):
    """GLFT quotes after its "GLFT market making model and grid trading" tutorial, with the
    parameters of bench_tick's MAKER (fixed A, k; sigma the std of the last 100 mid changes)."""
    A, k, gamma, window = 100.0, 100.0, 0.05, 100
    c1 = np.log1p(gamma / k) / gamma
    c2 = np.sqrt(gamma / (2.0 * A * k) * (1.0 + gamma / k) ** (k / gamma + 1.0))
    changes = np.zeros(window)
    seen, previous, fills = 0, np.nan, 0
    while hbt.elapse(1_000_000) == 0:
        hbt.clear_inactive_orders(0)
        depth = hbt.depth(0)
        mid_tick = (depth.best_bid_tick + depth.best_ask_tick) / 2.0
        if not np.isnan(previous):
            changes[seen % window] = mid_tick - previous
            seen += 1
        previous = mid_tick
        if seen < window:
            continue
        sigma = np.std(changes) * TICK / np.sqrt(0.001)
        q = hbt.position(0)
        bid_tick = uint64(np.floor((mid_tick * TICK - c1 - (2 * q + 1) / 2 * sigma * c2) / TICK + 1e-9))
        ask_tick = uint64(np.ceil((mid_tick * TICK + c1 - (2 * q - 1) / 2 * sigma * c2) / TICK - 1e-9))
        bid_tick = min(bid_tick, uint64(depth.best_ask_tick - 1))
        ask_tick = max(ask_tick, uint64(depth.best_bid_tick + 1))
        quote(hbt, hbt.orders(0), q, bid_tick, ask_tick)
        fills = hbt.state_values(0).num_trades
    return fills


@njit
def replay(hbt):
    """The book alone: every event applied, no orders (one wake-up a second)."""
    while hbt.elapse(1_000_000_000) == 0:
        pass
    return 0


def main() -> None:
    stored = np.load(sys.argv[1])
    kinds = {1: DEPTH_EVENT, 2: TRADE_EVENT, 4: DEPTH_SNAPSHOT_EVENT}
    data = np.zeros(len(stored["kind"]), event_dtype)
    data["ev"] = (
        EXCH_EVENT | LOCAL_EVENT | np.where(stored["side"] > 0, BUY_EVENT, SELL_EVENT).astype(np.uint64)
    )
    for kind, flag in kinds.items():
        data["ev"][stored["kind"] == kind] |= np.uint64(flag)
    data["exch_ts"] = data["local_ts"] = stored["exch_ts"]
    data["px"], data["qty"] = stored["price"], stored["qty"]
    asset = (
        BacktestAsset()
        .data(data)
        .linear_asset(1.0)
        .constant_order_latency(0, 0)
        .risk_adverse_queue_model()
        .no_partial_fill_exchange()
        .trading_value_fee_model(0.0, 0.0)
        .tick_size(TICK)
        .lot_size(1.0)
    )
    best, counted = {}, {}
    for name, run in (("replay", replay), ("grid", grid), ("glft", glft)):
        best[name] = float("inf")
        for _ in range(3):  # the first run compiles
            start = time.perf_counter()
            hbt = HashMapMarketDepthBacktest([asset])
            counted[name] = run(hbt)
            best[name] = min(best[name], time.perf_counter() - start)
            hbt.close()
    print(
        json.dumps(
            {
                "events": len(data),
                "seconds": best["grid"],
                "replay_seconds": best["replay"],
                "glft_seconds": best["glft"],
                "fills": int(counted["grid"]),
                "glft_fills": int(counted["glft"]),
            }
        )
    )


if __name__ == "__main__":
    main()

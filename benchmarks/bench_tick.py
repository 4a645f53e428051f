"""Tick engine throughput: events/s of the replay, the compiled grid and market makers, a Python strategy.

The events are a seeded L2 stream (five levels a side around a random-walk mid, size updates,
trades at the touch; 10 µs apart) so the run needs no data files. Each path replays the same
events in one run, best of ``--repeats`` (after one warm-up run that compiles):

- replay: the book alone (an execution replay with no orders);
- grid: the built-in quoter, compiled (target >= 5M events/s);
- avellaneda_stoikov, glft: the compiled market makers (closed-form quotes, rolling volatility
  of the mid) with the same wake-ups, size and position limit (target >= 5M events/s);
- python: the same quoter as a plain Python class (target >= 200k events/s);
- hftbacktest: its book replay, its grid quoter and a GLFT quoter after its tutorial on the same
  events, in its own venv (``hftbacktest_grid.py``; made by ``hftbacktest_reference.py``), when
  that venv exists; targets: ours at least as fast on each.

Memory: the peak of what a run allocates (tracemalloc). On the events and on 4x as many in
memory, beyond the array: the replay's stays flat (books over the price range; nothing per
event), the grid's grows with its orders and fills (its result). Streamed from native Parquet
files of 2x, 4x and 8x the events in chunks of a quarter of them: flat, a few chunks (with the
default ``hftlab.tick.source.CHUNK`` of 1M rows, about five of 56 MiB).

    .venv/bin/python benchmarks/bench_tick.py [--events 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

import numba
import numpy as np
import pandas as pd

from hftlab import tick_backtest
from hftlab.market.event_sources import write_events
from hftlab.market.events import EVENT_DTYPE, EventKind
from hftlab.tick import Strategy, source

TICK = 0.01
HFTBACKTEST = Path(__file__).resolve().parent / ".venv-hftbacktest" / "bin" / "python"
GRID = {"half_spread": 0.02, "order_qty": 1, "max_position": 10, "interval": "1ms"}
MAKER = {"A": 100.0, "k": 100.0, "gamma": 0.05, "order_qty": 1, "max_position": 10, "interval": "1ms"}


@numba.njit(cache=True)
def _put(kinds, sides, ticks, qtys, k, kind, side, tick, qty):
    kinds[k], sides[k], ticks[k], qtys[k] = kind, side, tick, qty


@numba.njit(cache=True)
def _stream(n, seed, out_kind, out_side, out_tick, out_qty):
    np.random.seed(seed)
    mid, k = 100_000, 0
    for side in (1, -1):  # the opening book
        for level in range(1, 6):
            _put(out_kind, out_side, out_tick, out_qty, k, 4, side, mid - side * level, 10.0)
            k += 1
    while k < n - 4:
        u = np.random.random()
        if u < 0.1:  # the mid moves one tick: the touch it moves to goes, a level appears behind
            step = 1 if np.random.random() < 0.5 else -1
            _put(out_kind, out_side, out_tick, out_qty, k, 1, -step, mid + step, 0.0)
            _put(out_kind, out_side, out_tick, out_qty, k + 1, 1, step, mid - 5 * step, 0.0)
            mid += step
            _put(out_kind, out_side, out_tick, out_qty, k + 2, 1, step, mid - step, 10.0)
            _put(out_kind, out_side, out_tick, out_qty, k + 3, 1, -step, mid + 5 * step, 10.0)
            k += 4
        elif u < 0.3:  # a trade at the touch
            side = 1 if np.random.random() < 0.5 else -1
            _put(out_kind, out_side, out_tick, out_qty, k, 2, side, mid + side, 1.0 + np.random.randint(3))
            k += 1
        else:  # a size update inside the book
            side = 1 if np.random.random() < 0.5 else -1
            level = 1 + np.random.randint(5)
            out_kind[k], out_side[k], out_tick[k], out_qty[k] = (
                1,
                side,
                mid - side * level,
                1.0 + np.random.randint(20),
            )
            k += 1
    return k


def l2_stream(n: int, seed: int = 0) -> np.ndarray:
    """``n`` (or a few fewer) seeded L2 events of EVENT_DTYPE."""
    kind, side, tick, qty = np.zeros(n, np.uint8), np.zeros(n, np.int8), np.zeros(n, np.int64), np.zeros(n)
    used = _stream(n, seed, kind, side, tick, qty)
    events = np.zeros(used, EVENT_DTYPE)
    events["exch_ts"] = events["local_ts"] = 1_700_000_000_000_000_000 + np.arange(used) * 10_000
    events["kind"], events["side"], events["price"], events["qty"] = (
        kind[:used],
        side[:used],
        tick[:used] * TICK,
        qty[:used],
    )
    return events


def top_of_book_stream(n: int, seed: int = 0) -> np.ndarray:
    """``n`` seeded top-of-book events: at each move both sides' only level is deleted, then the
    new one set (a random walk of the mid); two far trades first widen the grid to 100,000 ticks."""
    moves = (n - 2) // 4
    mid = 100_000 + np.cumsum(np.random.default_rng(seed).choice([-1, 1], moves))
    ticks = np.stack([np.roll(mid, 1) - 1, np.roll(mid, 1) + 1, mid - 1, mid + 1], axis=1)
    events = np.zeros(4 * moves + 2, EVENT_DTYPE)
    steps = np.concatenate([[0, 0], np.repeat(np.arange(moves), 4)])
    events["exch_ts"] = events["local_ts"] = 1_700_000_000_000_000_000 + steps * 10_000
    events["kind"] = np.concatenate([[EventKind.TRADE] * 2, np.full(4 * moves, EventKind.DEPTH)])
    events["side"] = np.concatenate([[1, 1], np.tile([1, -1, 1, -1], moves)])
    events["price"] = np.concatenate([[50_000, 150_000], ticks.ravel()]) * TICK
    events["qty"] = np.concatenate([[1, 1], np.tile([0, 0, 5, 5], moves)])
    return events[[0, 1, *range(4, len(events))]]  # the first move has nothing to delete


def snapshot_stream(n: int, depth: int = 10, seed: int = 0) -> np.ndarray:
    """About ``n`` seeded events of a snapshot feed: each snapshot a CLEAR and ``depth`` levels a
    side around a random-walk mid; two far trades first widen the grid to 100,000 ticks."""
    per = 1 + 2 * depth
    snapshots = (n - 2) // per
    mid = 100_000 + np.cumsum(np.random.default_rng(seed).choice([-1, 1], snapshots))
    events = np.zeros(2 + snapshots * per, EVENT_DTYPE)
    events["kind"][:2], events["side"][:2], events["qty"][:2] = EventKind.TRADE, 1, 1
    events["price"][:2] = 50_000 * TICK, 150_000 * TICK
    body = events[2:].reshape(snapshots, per)
    body["kind"][:, 0], body["kind"][:, 1:] = EventKind.CLEAR, EventKind.SNAPSHOT
    body["side"][:, 1 : depth + 1], body["side"][:, depth + 1 :] = 1, -1
    offsets = np.arange(1, depth + 1)
    body["price"][:, 1 : depth + 1] = (mid[:, None] - offsets) * TICK
    body["price"][:, depth + 1 :] = (mid[:, None] + offsets) * TICK
    body["qty"][:, 1:] = 5
    steps = np.concatenate([[0, 0], np.repeat(np.arange(snapshots), per)])
    events["exch_ts"] = events["local_ts"] = 1_700_000_000_000_000_000 + steps * 100_000
    return events


class PythonGrid(Strategy):
    """The grid quoter as a plain Python strategy (one bid, one ask, two ticks from the mid)."""

    interval = 0.001

    def __init__(self) -> None:
        self.quotes: dict[int, tuple[int, float] | None] = {1: None, -1: None}

    def on_tick(self, ctx) -> None:
        mid = ctx.mid
        if mid != mid:
            return
        for side, price in ((1, round(mid - 0.02, 2)), (-1, round(mid + 0.02, 2))):
            quote = self.quotes[side]
            if quote is not None and (ctx.status(quote[0]) not in ("sent", "open") or quote[1] != price):
                ctx.cancel(quote[0])
                quote = None
            if quote is None and side * ctx.position < 10:  # as the compiled grid's max_position
                quote = ((ctx.buy if side > 0 else ctx.sell)(price, 1), price)
            self.quotes[side] = quote


def timed(run, repeats: int) -> tuple[float, object]:
    run()
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    events = l2_stream(args.events)
    empty = pd.DataFrame({"time": [], "side": [], "type": [], "price": [], "qty": []})
    runs = {
        "replay": lambda events: tick_backtest(events, "orders", {"orders": empty}, tick_size=TICK, lot_size=1),
        "grid": lambda events: tick_backtest(events, "grid", GRID, tick_size=TICK, lot_size=1),
        "avellaneda_stoikov": lambda events: tick_backtest(
            events, "avellaneda_stoikov", MAKER, tick_size=TICK, lot_size=1
        ),
        "glft": lambda events: tick_backtest(events, "glft", MAKER, tick_size=TICK, lot_size=1),
        "python": lambda events: tick_backtest(events, PythonGrid(), tick_size=TICK, lot_size=1),
    }
    targets = {"replay": None, "grid": 5e6, "avellaneda_stoikov": 5e6, "glft": 5e6, "python": 2e5}
    rows = []
    for name, run in runs.items():
        seconds, result = timed(lambda run=run: run(events), args.repeats if name != "python" else 1)
        rate = len(events) / seconds
        target = targets[name]
        verdict = "" if target is None else ("met" if rate >= target else "MISSED")
        rows.append(
            {"path": name, "events": len(events), "seconds": round(seconds, 3), "fills": len(result.fills),
             "events_per_s": f"{rate / 1e6:.2f}M", "target": verdict}
        )  # fmt: skip
    print(pd.DataFrame(rows).to_string(index=False))
    replay_rate = len(events) / next(row["seconds"] for row in rows if row["path"] == "replay")
    feeds = (
        ("a top-of-book feed", "each move empties a side", top_of_book_stream(args.events)),
        ("a snapshot feed", "a CLEAR and 10 levels a side per snapshot", snapshot_stream(args.events)),
    )
    for name, shape, feed in feeds:
        seconds, _ = timed(lambda feed=feed: runs["replay"](feed), args.repeats)
        rate = len(feed) / seconds
        print(
            f"replay of {name} ({len(feed):,} events, {shape}; grid of 100,000 ticks): "
            f"{rate / 1e6:.2f}M events/s, {rate / replay_rate:.2f}x the L2 replay"
        )
    if HFTBACKTEST.exists():
        with tempfile.TemporaryDirectory() as tmp:
            stored = Path(tmp) / "events.npz"
            np.savez(stored, **{name: events[name] for name in ("exch_ts", "kind", "side", "price", "qty")})
            script = Path(__file__).with_name("hftbacktest_grid.py")
            done = subprocess.run([str(HFTBACKTEST), str(script), str(stored)], capture_output=True, text=True)
        if done.returncode == 0:
            theirs = json.loads(done.stdout.strip().splitlines()[-1])
            paths = (
                ("replay", "replay_seconds", None),
                ("grid", "seconds", "fills"),
                ("glft", "glft_seconds", "glft_fills"),
            )
            for name, key, counted in paths:
                row = next(row for row in rows if row["path"] == name)
                rate, ours = theirs["events"] / theirs[key], len(events) / float(row["seconds"])
                fills = f" ({theirs[counted]} fills, ours {row['fills']})" if counted else ""
                print(
                    f"hftbacktest {name}: {rate / 1e6:.2f}M events/s{fills}; "
                    f"hftlab {name} / hftbacktest = {ours / rate:.2f}x ({'met' if ours >= rate else 'MISSED'})"
                )
        else:
            print(f"hftbacktest grid failed: {done.stderr[-500:]}")
    else:
        print("hftbacktest: its venv is missing (run benchmarks/hftbacktest_reference.py once to make it)")
    for n in (args.events, 4 * args.events):
        stream = l2_stream(n, seed=1)
        for name in ("replay", "grid"):
            tracemalloc.start()  # numpy's and pandas' allocations (the compiled engine allocates nothing)
            result = runs[name](stream)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(
                f"{name} of {len(stream):,} events in memory ({stream.nbytes / 2**20:.0f} MiB): "
                f"{peak:.1f} MiB allocated at peak beyond them, for {len(result.orders):,} orders"
            )
    source.CHUNK = args.events // 4  # so that every file below is many chunks long
    with tempfile.TemporaryDirectory() as tmp:
        for n in (2 * args.events, 4 * args.events, 8 * args.events):
            path = Path(tmp) / f"events-{n}.parquet"
            write_events(l2_stream(n, seed=1), path)
            tracemalloc.start()
            runs["replay"](path)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(
                f"replay of {n:,} events streamed from a Parquet file in chunks of {source.CHUNK:,}: "
                f"{peak:.0f} MiB allocated at peak"
            )


if __name__ == "__main__":
    main()

"""LOBSTER replay throughput: the numba array book vs a plain sortedcontainers dict-of-deques book.

Both replay the same messages with the same rules (seed from the state before
the first message, forget levels beyond depth L, take levels entering from
beyond L from the orderbook file) and must rebuild the orderbook file exactly;
the script checks that, then prints messages/s of each and their ratio, on the
AAPL sample of ``hftlab.data.lobster_sample()`` (replayed many times) and on a longer
synthetic LOBSTER stream generated through the matching engine.

Targets (issue 8): >= 1M messages/s and >= 10x the plain book.

    .venv/bin/python benchmarks/bench_lobster.py [--synthetic 50000] [--repeats 200]
"""

from __future__ import annotations

import argparse
import time
from collections import deque
from itertools import islice

import numpy as np
import pandas as pd
from sortedcontainers import SortedDict
from tqdm import tqdm

from hftlab.data import lobster_sample
from hftlab.errors import SampleUnavailable
from hftlab.market.lobster import (
    EMPTY_ASK_PRICE,
    EMPTY_BID_PRICE,
    read_messages,
    read_orderbook,
    replay_arrays,
)
from hftlab.market.synthetic import synthetic_lobster

UNKNOWN = -1  # resting shares whose order ids are not in the message file (seeded or entered from beyond)


class PlainBook:
    """Price level -> deque of ``[order id, shares]`` per side, in ``SortedDict``s (the textbook design)."""

    def __init__(self, levels: int) -> None:
        self.levels = levels
        self.sides = {1: SortedDict(), -1: SortedDict()}  # bids keyed by -price, asks by price

    def load(self, row: np.ndarray) -> None:
        for offset, side, empty in ((0, -1, EMPTY_ASK_PRICE), (2, 1, EMPTY_BID_PRICE)):
            for level in range(self.levels):
                price, shares = int(row[4 * level + offset]), int(row[4 * level + offset + 1])
                if price != empty:
                    self.sides[side][-price if side == 1 else price] = deque([[UNKNOWN, shares]])

    def change(self, side: int, order_id: int, price: int, shares: int) -> None:
        book = self.sides[side]
        key = -price if side == 1 else price
        if shares > 0:
            book.setdefault(key, deque()).append([order_id, shares])
            while len(book) > self.levels:
                book.popitem(-1)
            return
        queue = book[key]
        entry = next((e for e in queue if e[0] == order_id), None) or next(e for e in queue if e[0] == UNKNOWN)
        entry[1] += shares
        if entry[1] == 0:
            queue.remove(entry)
        if not queue:
            del book[key]

    def fill_and_write(self, row: list[int]) -> list[int]:
        out = [0] * (4 * self.levels)
        for offset, side, empty in ((0, -1, EMPTY_ASK_PRICE), (2, 1, EMPTY_BID_PRICE)):
            book = self.sides[side]
            while len(book) < self.levels and row[4 * len(book) + offset] != empty:
                price, shares = row[4 * len(book) + offset], row[4 * len(book) + offset + 1]
                book[-price if side == 1 else price] = deque([[UNKNOWN, shares]])
            for level, (key, queue) in enumerate(islice(book.items(), self.levels)):
                out[4 * level + offset] = -key if side == 1 else key
                out[4 * level + offset + 1] = sum(e[1] for e in queue)
            for level in range(len(book), self.levels):
                out[4 * level + offset] = empty
        return out


def plain_replay(messages: np.ndarray, orderbook: np.ndarray) -> np.ndarray:
    """The replay of :func:`hftlab.market.lobster.replay_arrays` on :class:`PlainBook`."""
    book = PlainBook(orderbook.shape[1] // 4)
    book.load(orderbook[0])
    kinds, ids, sizes, prices, sides = (messages[:, i].astype(np.int64).tolist() for i in (1, 2, 3, 4, 5))
    signs = {1: 1, 2: -1, 3: -1, 4: -1}
    if kinds[0] in signs:  # undo the first message: the state before it
        book.change(sides[0], UNKNOWN, prices[0], -signs[kinds[0]] * sizes[0])
    rows = []
    for k, file_row in enumerate(orderbook.tolist()):
        if kinds[k] in signs:
            book.change(sides[k], ids[k], prices[k], signs[kinds[k]] * sizes[k])
        rows.append(book.fill_and_write(file_row))
    return np.array(rows, dtype=np.int64)


def throughput(
    replay, messages: np.ndarray, orderbook: np.ndarray, repeats: int, label: str
) -> tuple[float, float]:
    """Messages per second of process CPU time and of wall time, best of three batches of ``repeats`` replays.

    Both are single-threaded; on a shared machine the CPU-time figure is the one
    that does not depend on what else runs.
    """
    best_cpu = best_wall = np.inf
    for _ in tqdm(range(3), desc=label, leave=False):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(repeats):
            replay(messages, orderbook)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return repeats * len(messages) / best_cpu, repeats * len(messages) / best_wall


def compare(name: str, messages: pd.DataFrame, orderbook: pd.DataFrame, repeats: int) -> dict:
    m, ob = messages.to_numpy(np.float64), orderbook.to_numpy(np.int64)
    fast, _ = replay_arrays(m, ob)  # also compiles / loads the numba kernel
    plain = plain_replay(m, ob)
    for result in (fast, plain):
        np.testing.assert_array_equal(result, ob)
    fast_cpu, fast_wall = throughput(replay_arrays, m, ob, repeats, f"{name}: numba")
    plain_cpu, plain_wall = throughput(plain_replay, m, ob, max(1, repeats // 50), f"{name}: plain")
    return {
        "data": name,
        "messages": len(m),
        "numba msg/s (cpu)": fast_cpu,
        "plain msg/s (cpu)": plain_cpu,
        "speedup (cpu)": fast_cpu / plain_cpu,
        "numba msg/s (wall)": fast_wall,
        "plain msg/s (wall)": plain_wall,
        "speedup (wall)": fast_wall / plain_wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=50_000, help="messages of the synthetic stream")
    parser.add_argument("--repeats", type=int, default=200, help="replays of the AAPL sample per batch")
    args = parser.parse_args()
    rows = []
    try:
        sample = lobster_sample()
    except SampleUnavailable as exc:
        print(f"{exc}\nsynthetic stream only")
    else:
        messages, orderbook = read_messages(sample.message), read_orderbook(sample.orderbook)
        rows.append(compare("AAPL sample (L=10)", messages, orderbook, args.repeats))
    start = time.perf_counter()
    messages, orderbook = synthetic_lobster(args.synthetic, levels=10, seed=0)
    print(
        f"synthetic stream: {len(messages)} messages generated through the matching engine "
        f"in {time.perf_counter() - start:.1f} s"
    )
    rows.append(compare("synthetic (L=10)", messages, orderbook, max(1, args.repeats // 50)))
    table = pd.DataFrame(rows)
    rates = {name: "{:,.0f}".format for name in table.columns if "msg/s" in name}
    speedups = {name: "{:.1f}x".format for name in table.columns if "speedup" in name}
    print(table.to_string(index=False, formatters=rates | speedups))
    met = (table["numba msg/s (cpu)"] >= 1e6).all() and (table["speedup (cpu)"] >= 10).all()
    print(f"targets (>= 1,000,000 msg/s and >= 10x the plain book, CPU time): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()

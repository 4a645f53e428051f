"""Resuming the simulated stream: seconds to the first batch after ``resume_from``, three ways side
by side in one run, each the best of ``--runs``:

- ``stream``: stream from the first batch and drop the batches before ``resume_from`` (what a
  resume cost before checkpoints: every skipped tick simulated, written, merged and batched);
- ``cold``: ``resume_from`` with no checkpoint (the cache emptied): the skipped ticks are
  simulated and counted, not written or merged;
- ``checkpoint``: ``resume_from`` after the stream ran there (a client reconnecting to a server
  that kept running): from the nearest checkpoint.

Shown as ratios to ``stream``, for a near and a far ``resume_from``; the checkpoint's time does
not grow with ``resume_from``.

    python benchmarks/bench_resume.py [--runs 3]
"""

from __future__ import annotations

import argparse
import itertools
import time

import pandas as pd

from hftlab.market.simulated_feed import CHECKPOINT_TICKS, CHECKPOINTS, SimulatedFeed

SYMBOLS, SEED, SIZE = ["AAPL", "MSFT", "BTC-USD", "ETH-USD"], 1, 10_000


def first_batch(resume_from: int, skip: int = 0) -> float:
    """Seconds to the batch after ``resume_from + skip`` (``skip`` batches received and dropped)."""
    start = time.perf_counter()
    batches = SimulatedFeed(SYMBOLS, SEED, SIZE, resume_from=resume_from).batches()
    next(itertools.islice(batches, skip, None))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    first_batch(1)  # compile and warm up
    rows = []
    for resume_from in (50, 200):
        seconds = {"stream": [], "cold": [], "checkpoint": []}
        for _ in range(runs):  # interleaved
            CHECKPOINTS.clear()
            seconds["stream"].append(first_batch(0, skip=resume_from))
            CHECKPOINTS.clear()
            seconds["cold"].append(first_batch(resume_from))
            seconds["checkpoint"].append(first_batch(resume_from))
        best = {way: min(times) for way, times in seconds.items()}
        rows.append(
            {
                "resume_from": resume_from,
                "ticks skipped": resume_from * SIZE,
                **{f"{way} s": value for way, value in best.items()},
                "stream/cold": best["stream"] / best["cold"],
                "stream/checkpoint": best["stream"] / best["checkpoint"],
            }
        )
    table = pd.DataFrame(rows)
    print(f"{len(SYMBOLS)} symbols, batches of {SIZE:,} ticks, a checkpoint every {CHECKPOINT_TICKS:,} ticks")
    print(table.to_string(index=False, float_format="{:.3f}".format))


if __name__ == "__main__":
    main()

"""Market-data stream throughput: decoded ticks/s in-process and over gRPC, side by side in one run.

For each source and batch size, drains the same stream three ways and counts the
ticks that reach the caller as numpy columns, after the first batch (steady state;
the time to the first batch, which includes opening the file or warming the
simulation, is shown apart):

- ``feed``: the feed object itself (no request, no backend);
- ``local``: ``hftlab.stream_market_data`` on the local backend;
- ``grpc``: the same call through an ``hftlab serve`` process on loopback (server
  computes and encodes, the client decodes every batch into numpy arrays).

Sources: the simulated market (order-book simulation: compute-bound) and a Parquet
tick file replayed as fast as possible (isolates the transport). Target: >= 1M
decoded ticks/s over gRPC.

    python benchmarks/bench_stream.py [--quick]
"""

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from tqdm import tqdm

import hftlab
from hftlab.market.feeds import concat_batches
from hftlab.market.replay_feed import ReplayFeed
from hftlab.market.simulated_feed import SimulatedFeed
from hftlab.server import ServerProcess

SYMBOLS = ["AAPL", "MSFT", "BTC-USD", "ETH-USD"]
TARGET = 1_000_000


def ticks_per_second(batches) -> tuple[float, float]:
    """Steady-state decoded ticks/s (after the first batch) and the seconds to the first batch."""
    start = time.perf_counter()
    iterator = iter(batches)
    next(iterator)
    first = time.perf_counter()
    count = sum(len(batch) for batch in iterator)
    return count / (time.perf_counter() - first), first - start


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    total = 400_000 if quick else 2_000_000
    batch_sizes = (10_000, 100_000)
    rows = []
    with tempfile.TemporaryDirectory() as folder, ServerProcess() as server:
        path = Path(folder) / "ticks.parquet"
        recorded = concat_batches(
            list(SimulatedFeed(SYMBOLS, seed=1, batch_size=100_000, max_batches=total // 100_000))
        )
        recorded.reset_index(drop=True).assign(timestamp=recorded.index.asi8).to_parquet(path)
        remote = hftlab.get_client(server.address)
        list(remote.stream(hftlab.types.market.StreamMarketDataRequest(SYMBOLS, max_batches=1)))  # warm up
        cases = [(source, size) for source in ("simulated", "replay") for size in batch_sizes]
        for source, size in tqdm(cases, desc="streams"):
            options = {"source": source, "batch_size": size, "max_batches": total // size}
            if source == "replay":
                options["path"] = str(path)
                feed = ReplayFeed(path, batch_size=size, max_batches=total // size)
            else:
                feed = SimulatedFeed(SYMBOLS, seed=1, batch_size=size, max_batches=total // size)
            row = {"source": source, "batch_size": size}
            row["feed"], _ = ticks_per_second(feed.batches())
            for name, backend in (("local", "local"), ("grpc", remote)):
                with hftlab.using(backend):
                    stream = hftlab.stream_market_data(SYMBOLS, **options)
                    row[name], row[f"{name}_first_s"] = ticks_per_second(stream)
            row["grpc/local"] = row["grpc"] / row["local"]
            rows.append(row)
    table = pd.DataFrame(rows)
    shown = table.copy()
    for column in ("feed", "local", "grpc"):
        shown[column] = (table[column] / 1e6).map("{:.2f} M/s".format)
    seconds = "{:.3f} s".format
    print(
        shown.to_string(
            index=False,
            formatters={"grpc/local": "{:.2f}".format, "local_first_s": seconds, "grpc_first_s": seconds},
        )
    )
    best = table["grpc"].max()
    verdict = "meets" if best >= TARGET else "misses"
    print(
        f"\nbest decoded ticks/s over gRPC: {best / 1e6:.2f} M/s ({verdict} the {TARGET / 1e6:.0f} M/s target)"
    )


if __name__ == "__main__":
    main()

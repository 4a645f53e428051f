"""hftlab over gRPC against bare grpcio, measured side by side in one run (``hftlab bench``).

Per RPC: p50/p99 latency locally, through an ``hftlab serve`` process and for a bare
grpcio echo of the same payload sizes, and what hftlab adds over the echo
(``added / echo``); float64 array round trips (1K...8M) through hftlab's NDArray codec
vs raw bytes; ticks/s of the market-data stream. Prints the table with the targets
(unary overhead <= 1.2x, added / echo <= 1.0, arrays >= 80 %, >= 1M ticks/s), writes
``reports/bench_grpc.json`` and the chart ``reports/bench_grpc.html``.

First, throughput: calls per second of ``optimize_portfolio`` (50 assets, minimum
variance) from 1, 4 and 16 concurrent client processes against ``hftlab serve --workers 2``
on loopback, next to as many client processes computing on the local backend on the same
cores (:mod:`hftlab.bench.throughput`; ``--throughput-only`` skips the rest).

    python benchmarks/bench_grpc.py [--quick] [--throughput-only]
"""

import sys
from pathlib import Path

from hftlab.bench import run_bench
from hftlab.bench.throughput import min_variance_request, throughput_rows
from hftlab.server import ServerProcess

OUT = Path("reports")


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    # before any channel is opened here: the clients are forked processes
    with ServerProcess("127.0.0.1", 0, "--workers", "2") as server:
        table = throughput_rows(min_variance_request(50), server.address, seconds=1.0 if quick else 3.0)
    print("optimize_portfolio (50 assets, min variance): calls/s, 2-worker server vs local backend")
    print(table.round(2).to_string(index=False), "\n")
    if "--throughput-only" in sys.argv[1:]:
        return
    report = run_bench(quick=quick, out=OUT / "bench_grpc.json")
    print(report.table())
    report.figure().write_html(OUT / "bench_grpc.html", include_plotlyjs=True)
    print(f"\nwritten: {OUT / 'bench_grpc.json'}, {OUT / 'bench_grpc.html'}")


if __name__ == "__main__":
    main()

"""hftlab over gRPC against bare grpcio, measured side by side in one run (``hftlab bench``).

Per RPC: p50/p99 latency locally, through an ``hftlab serve`` process and for a bare
grpcio echo of the same payload sizes; float64 array round trips (1K...8M) through
hftlab's NDArray codec vs raw bytes; ticks/s of the market-data stream. Prints the
table with the targets (unary overhead <= 1.2x, arrays >= 80 %, >= 1M ticks/s), writes
``reports/bench_grpc.json`` and the chart ``reports/bench_grpc.html``.

    python benchmarks/bench_grpc.py [--quick]
"""

import sys
from pathlib import Path

from hftlab.bench import run_bench

OUT = Path("reports")


def main() -> None:
    report = run_bench(quick="--quick" in sys.argv[1:], out=OUT / "bench_grpc.json")
    print(report.table())
    report.figure().write_html(OUT / "bench_grpc.html", include_plotlyjs=True)
    print(f"\nwritten: {OUT / 'bench_grpc.json'}, {OUT / 'bench_grpc.html'}")


if __name__ == "__main__":
    main()

"""The ``hftlab`` command: ``serve``, ``report``, ``bench`` and ``record``."""

from __future__ import annotations

import argparse
import sys

from hftlab.version import __version__

TOKEN_WARNING = (
    "warning: --token is visible to every local user (ps, /proc/<pid>/cmdline); "
    "set HFTLAB_TOKEN or 'token' in the --config file instead."
)


def _serve(args: argparse.Namespace) -> int:
    import os

    from hftlab.server import ServerConfig, serve, serve_worker

    if "HFTLAB_WORKER_CONFIG" in os.environ:
        serve_worker()
        return 0
    overrides = {
        name: getattr(args, name)
        for name in (
            "host",
            "port",
            "workers",
            "blas_threads",
            "log_level",
            "log_format",
            "metrics_port",
            "token",
            "tls_cert",
            "tls_key",
            "tls_client_ca",
            "feed_urls",
            "replay_dirs",
            "max_points",
            "max_assets",
            "max_events",
            "max_samples",
            "max_memory_mb",
        )
    }
    overrides["insecure"] = args.insecure or None
    if args.token is not None:
        print(TOKEN_WARNING, file=sys.stderr, flush=True)
    config = ServerConfig.from_toml(args.config, **overrides)
    serve(config, on_ready=lambda address: print(f"hftlab serving on {address}", flush=True))
    return 0


def _update_golden(args: argparse.Namespace) -> int:
    """Re-run each notebook with its golden parameters (local backend) and rewrite its values."""
    import tempfile
    from pathlib import Path

    from hftlab.workflows.golden import load_golden, update_golden
    from hftlab.workflows.reports import execute

    paths = [Path(n) for n in args.notebooks] or sorted(Path("notebooks").glob("*.ipynb"))
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            golden_path = Path(args.golden_dir) / f"{path.stem}.json"
            if not golden_path.exists():
                print(f"{path.stem}: no {golden_path}; write its 'parameters' first", file=sys.stderr)
                failed += 1
                continue
            parameters = {**load_golden(golden_path)["parameters"], "backend": "local"}
            run = execute(path, Path(tmp) / path.name, parameters)
            if run.status != "ok":
                print(f"{path.stem}: {run.error}", file=sys.stderr)
                failed += 1
                continue
            update_golden(golden_path, run.values)
            print(f"{golden_path}: {len(run.values)} values rewritten")
    return 1 if failed else 0


def _report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hftlab.workflows.reports import matrix_note, run_reports

    if args.update_golden:
        return _update_golden(args)

    matrix = args.matrix
    if matrix is None and Path("reports.toml").is_file():
        matrix = "reports.toml"
    print(f"hftlab report: {matrix_note(matrix)}", file=sys.stderr)
    index, runs = run_reports(
        args.notebooks,
        out=args.out,
        backends=args.backends.split(","),
        matrix_file=matrix,
        scheduler=args.scheduler,
        server=args.server,
    )
    failed = [f"{run.notebook} ({run.backend})" for run in runs if run.status != "ok"]
    print(f"report written to {index.resolve()}")
    if failed:
        print(f"{len(failed)} run(s) failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _bench(args: argparse.Namespace) -> int:
    from hftlab.bench import run_bench

    ops = args.ops.split(",") if args.ops else None
    options = {"token": args.token} if args.token else {}
    report = run_bench(
        quick=args.quick, ops=ops, parts=args.parts.split(","), address=args.address, out=args.out, **options
    )
    print(report.table())
    if args.out:
        print(f"\nJSON written to {args.out}")
    return 0


def _record(args: argparse.Namespace) -> int:
    import logging

    from hftlab.market.recorder import record_market_data

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    summary = record_market_data(
        args.venue,
        args.symbols,
        args.out,
        ws_url=args.ws_url,
        rest_url=args.rest_url,
        duration=args.duration,
        max_events=args.max_events,
        progress=True,
    )  # Ctrl-C ends the recording: the files are closed and the summary returned
    print(f"recorded {summary}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hftlab", description=__doc__)
    parser.add_argument("--version", action="version", version=f"hftlab {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve every operation over gRPC")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 50051; 0 picks a free one)")
    serve.add_argument("--config", help="config.toml with a [server] table")
    serve.add_argument("--workers", type=int, help="server processes sharing the port (default 1)")
    serve.add_argument("--blas-threads", type=int, help="threads one BLAS/OpenMP call may use (default 1)")
    serve.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    serve.add_argument("--log-format", choices=["text", "json"], help="log lines (default text)")
    serve.add_argument("--metrics-port", type=int, help="serve Prometheus /metrics on this port")
    serve.add_argument(
        "--token", help="require this bearer token (visible to local users: prefer HFTLAB_TOKEN or the config)"
    )
    serve.add_argument("--tls-cert", help="PEM certificate chain: serve TLS")
    serve.add_argument("--tls-key", help="PEM private key of --tls-cert")
    serve.add_argument("--tls-client-ca", help="PEM CA: require client certificates it signed")
    serve.add_argument(
        "--insecure",
        action="store_true",
        help="allow a non-loopback host without TLS or token",
    )
    serve.add_argument(
        "--feed-url",
        action="append",
        dest="feed_urls",
        help="a URL prefix clients may point exchange feeds at (repeatable)",
    )
    serve.add_argument(
        "--replay-dir",
        action="append",
        dest="replay_dirs",
        help="a directory whose files clients may replay (repeatable)",
    )
    for name, what in (
        ("points", "rows of one series or table"),
        ("assets", "columns of one table"),
        ("events", "events of one tick backtest"),
        ("samples", "iterations, samples or time steps of one call"),
        ("memory-mb", "MiB one call may need, estimated"),
    ):
        serve.add_argument(f"--max-{name}", type=int, help=f"most {what} a request may ask for (0: no limit)")
    serve.set_defaults(run=_serve)

    report = commands.add_parser("report", help="execute the notebooks on every backend")
    report.add_argument("notebooks", nargs="*", help="notebooks to run (default: all)")
    report.add_argument("--out", default="reports", help="output directory (default reports/)")
    report.add_argument("--backends", default="local,grpc", help="comma-separated backends")
    report.add_argument(
        "--matrix", help="parameter sets per notebook (default: reports.toml in this folder, if there is one)"
    )
    report.add_argument("--scheduler", help="Dask scheduler address (default: a LocalCluster)")
    report.add_argument("--server", help="grpc://host:port for the grpc runs (default: start one)")
    report.add_argument(
        "--update-golden",
        action="store_true",
        help="rewrite the golden values of the notebooks (local backend, golden parameters)",
    )
    report.add_argument("--golden-dir", default="tests/golden", help="golden files (default tests/golden)")
    report.set_defaults(run=_report)

    bench = commands.add_parser("bench", help="latency and bandwidth: local, grpc and bare grpcio side by side")
    bench.add_argument("--quick", action="store_true", help="a few calls per measure (seconds, not minutes)")
    bench.add_argument("--ops", help="comma-separated RPC names (default: every RPC with a benchmark input)")
    bench.add_argument("--parts", default="unary,arrays,stream", help="any of unary,arrays,stream")
    bench.add_argument("--address", help="grpc://host:port of a running server (default: start one)")
    bench.add_argument("--token", help="bearer token for --address")
    bench.add_argument("--out", default="reports/bench.json", help="JSON output (default reports/bench.json)")
    bench.set_defaults(run=_bench)

    record = commands.add_parser(
        "record", help="record an exchange's books and trades to Parquet (Ctrl-C stops)"
    )
    record.add_argument("venue", help="binance, kraken or coinbase")
    record.add_argument("symbols", nargs="+", help="instruments in the venue's spelling")
    record.add_argument("--out", required=True, help="output directory (venue=/symbol=/hour= partitions)")
    record.add_argument("--ws-url", help="websocket base URL (default: the venue's public endpoint)")
    record.add_argument("--rest-url", help="REST base URL (Binance snapshots)")
    record.add_argument("--duration", type=float, help="seconds to record (default: until Ctrl-C)")
    record.add_argument("--max-events", type=int, help="stop after this many events")
    record.set_defaults(run=_record)

    args = parser.parse_args(argv)
    from hftlab.errors import HftlabError

    try:
        return args.run(args)
    except HftlabError as exc:
        print(f"hftlab {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

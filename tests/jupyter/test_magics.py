"""The %hftlab magics, driven without a browser (anywidget-style)."""

import re
import socket

import numpy as np
import pandas as pd
import pytest
from IPython.core.error import UsageError

import hftlab
from hftlab.bench import BenchReport
from hftlab.errors import BackendUnavailable, FailedPrecondition, InvalidInput, Unauthenticated
from hftlab.jupyter import session
from hftlab.jupyter.compare import Comparison, run_source
from hftlab.jupyter.magics import HELP
from hftlab.server import ServerConfig, build_server

TOKEN = "s3cret-token-for-tests"


@pytest.fixture(autouse=True)
def restore_backend():
    previous = hftlab.backend()
    yield
    hftlab.use(previous)


def test_use_and_status(ip, grpc_address, capsys):
    ip.run_line_magic("hftlab", f"use {grpc_address}")
    assert hftlab.backend().address == grpc_address
    report = ip.run_line_magic("hftlab", "status")
    assert report["backend"] == "grpc" and report["server_version"] == hftlab.__version__
    assert report["round_trip_ms"] > 0
    assert f"address: {grpc_address}" in repr(report)  # displayed as an aligned table
    ip.run_line_magic("hftlab", "use local")
    assert hftlab.backend().name == "local"
    assert "backend: local" in capsys.readouterr().out
    assert session.grpc_backend().address == grpc_address  # remembered for compare/bench


def test_help_lists_every_subcommand(ip, capsys):
    ip.run_line_magic("hftlab", "")
    out = capsys.readouterr().out
    for command in (
        "use local",
        "use grpc://",
        "--token",
        "status",
        "serve [--port N]",
        "stop",
        "bench",
        "%%hftlab compare",
        "help",
    ):
        assert command in out
    assert HELP.splitlines()[2] in ip.find_line_magic("hftlab").__doc__  # what %hftlab? shows


def test_bad_address_raises_and_keeps_the_backend(ip):
    with pytest.raises(InvalidInput, match="'address' must look like grpc://host:port"):
        ip.run_line_magic("hftlab", "use http://nowhere")
    assert hftlab.backend().name == "local"


def test_use_checks_health_before_switching(ip, grpc_address, capsys):
    ip.run_line_magic("hftlab", f"use {grpc_address}")
    with pytest.raises(BackendUnavailable, match=r"no hftlab server serving at grpc://127.0.0.1:1 \(health"):
        ip.run_line_magic("hftlab", "use grpc://127.0.0.1:1")
    assert hftlab.backend().address == grpc_address  # unchanged
    ip.run_line_magic("hftlab", "use grpc://127.0.0.1:1 --no-check")  # the lazy case
    assert hftlab.backend().address == "grpc://127.0.0.1:1"
    assert "hftlab backend: grpc (grpc://127.0.0.1:1) (not checked)" in capsys.readouterr().out


def test_use_checks_the_token_before_switching(ip, capsys):
    server, port = build_server(ServerConfig(port=0, token=TOKEN))
    address = f"grpc://127.0.0.1:{port}"
    try:
        for flags, reason in (("", "missing bearer token"), ("--token wrong-token-1", "wrong bearer token")):
            with pytest.raises(Unauthenticated, match=reason):
                ip.run_line_magic("hftlab", f"use {address} {flags}")
            assert hftlab.backend().name == "local"
        ip.run_line_magic("hftlab", f"use {address} --token {TOKEN}")
        assert hftlab.backend().address == address
        assert f"hftlab backend: grpc ({address})\n" in capsys.readouterr().out
    finally:
        server.stop(grace=None)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("launch", "unknown subcommand 'launch'"),
        ("use", "use needs an address"),
        ("use local --check", "unexpected argument '--check'"),
        ("serve --port x", "--port must be an integer; got 'x'"),
        ("serve --workers 2", "unexpected argument '--workers'"),
        ("stop now", "stop takes no arguments"),
        ("bench --all", "bench takes RPC names only"),
    ],
)
def test_wrong_arguments_raise_a_usage_error_with_the_help(ip, line, message):
    with pytest.raises(UsageError, match=re.escape(message)) as raised:
        ip.run_line_magic("hftlab", line)
    assert "%%hftlab compare" in str(raised.value)


@pytest.mark.parametrize(
    ("line", "error", "message"),
    [
        ("serve --token short", InvalidInput, "'token' must be a string of at least 8 characters"),
        ("serve --port 70000", InvalidInput, "'port' must be"),
        ("status", BackendUnavailable, "no hftlab server reachable at grpc://127.0.0.1:1"),
    ],
)
def test_failing_subcommands_raise(ip, line, error, message):
    hftlab.use("grpc://127.0.0.1:1")  # a dead server, for status
    with pytest.raises(error, match=re.escape(message)):
        ip.run_line_magic("hftlab", line)


def test_serve_on_a_busy_port_raises_one_line(ip, free_port):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port))
        taken.listen()
        busy = f"did not start: port {free_port} is in use; try --port 0"
        with pytest.raises(BackendUnavailable, match=busy):
            ip.run_line_magic("hftlab", f"serve --port {free_port}")
    assert session.server() is None and hftlab.backend().name == "local"


def test_a_failing_magic_fails_its_cell_with_one_line(ip, capsys):
    result = ip.run_cell("%hftlab use grpc://127.0.0.1:1")
    assert isinstance(result.error_in_exec, BackendUnavailable)
    shown = capsys.readouterr().out
    assert "BackendUnavailable: no hftlab server serving at grpc://127.0.0.1:1" in shown
    assert "Traceback" not in shown and "run_line_magic" not in shown
    result = ip.run_cell("%hftlab launch")
    assert isinstance(result.error_in_exec, UsageError) and not result.success


def test_serve_then_stop(ip, capsys):
    ip.run_line_magic("hftlab", "serve")
    server = session.server()
    assert server is not None
    assert hftlab.backend().address == server.address
    assert hftlab.server_info().pid == server.process.pid
    assert ip.run_line_magic("hftlab", "status")["kernel_server"] == server.address
    ip.run_line_magic("hftlab", "stop")
    assert server.process.poll() is not None
    assert hftlab.backend().name == "local"
    assert session.server() is None
    ip.run_line_magic("hftlab", "stop")
    out = capsys.readouterr().out
    assert f"hftlab serving on {server.address}" in out
    assert f"server at {server.address} stopped; backend: local" in out
    assert "no server started by this kernel" in out


def test_compare_runs_the_cell_on_both_backends(ip, grpc_address, capsys):
    hftlab.use(grpc_address)
    session.remember(hftlab.backend())
    hftlab.use("local")
    rng = np.random.default_rng(3)
    ip.user_ns["prices"] = pd.Series(100 + np.cumsum(rng.normal(size=200)))
    cell = "result = hftlab.mean_reversion(prices, lookback=10)\nz = result.last_zscore\nresult.metrics"
    comparison = ip.run_cell_magic("hftlab", "compare", cell)
    assert isinstance(comparison, Comparison)
    assert comparison.identical and comparison.differences == []
    assert comparison.backends == ["local", grpc_address]
    assert comparison.compared == ["Out", "result", "z"]
    assert len(comparison.seconds) == 2 and min(comparison.seconds) > 0
    assert hftlab.backend().name == "local"  # restored
    assert ip.user_ns["z"] == hftlab.mean_reversion(ip.user_ns["prices"], lookback=10).last_zscore
    assert "identical" in comparison._repr_html_()
    assert f"[{grpc_address}]" in capsys.readouterr().out


def test_compare_shows_what_differs(ip, grpc_address):
    session.remember(hftlab.get_client(grpc_address))
    cell = "name = hftlab.backend().name\nsame = 1.5\nfigure = object()\nhftlab.backend().info().pid"
    comparison = ip.run_cell_magic("hftlab", "compare", cell)
    names = [name for name, _, _ in comparison.differences]
    assert names == ["name"]  # the pid is the same process: the test server runs in-process
    assert comparison.differences[0][2] == "'local' != 'grpc'"
    assert comparison.skipped == ["figure"]
    assert list(comparison.table()["name"]) == ["name"]
    assert "DIFFERENT" in comparison._repr_html_()


def test_compare_reports_an_error_on_one_backend_only(ip, grpc_address):
    session.remember(hftlab.get_client(grpc_address))
    cell = "if hftlab.backend().name == 'grpc':\n    raise ValueError('remote only')\nok = True"
    comparison = ip.run_cell_magic("hftlab", "compare", cell)
    assert ("raised", "raised", "bound on one backend only") in comparison.differences


def test_compare_without_a_grpc_backend_says_how_to_get_one(ip, monkeypatch):
    monkeypatch.setattr(session, "_last_grpc", None)
    with pytest.raises(FailedPrecondition, match="run `%hftlab serve`"):
        ip.run_cell_magic("hftlab", "compare", "x = 1")


def test_run_source_returns_the_last_expression():
    namespace = {}
    assert run_source("a = 2\na * 21", namespace) == 42 and namespace["a"] == 2
    assert run_source("b = 1", namespace) is None


def test_bench_shows_the_latency_table(ip, grpc_address):
    session.remember(hftlab.get_client(grpc_address))
    report = ip.run_line_magic("hftlab", "bench GetServerInfo CalculateMeanReversion")
    assert isinstance(report, BenchReport)
    assert report.meta["grpc_address"] == grpc_address and report.meta["mode"] == "quick"
    assert list(report.unary["rpc"]) == ["GetServerInfo", "CalculateMeanReversion"]
    assert len(report.arrays) == 0 and len(report.stream) == 0
    assert "latency" in report._repr_html_()


def test_bench_names_an_unknown_rpc(ip, grpc_address):
    session.remember(hftlab.get_client(grpc_address))
    with pytest.raises(InvalidInput, match=re.escape("'ops' has unknown RPC(s) ['NoSuchRpc']")):
        ip.run_line_magic("hftlab", "bench NoSuchRpc")

"""Running a server: worker processes, metrics, structured logs, deadlines, graceful shutdown."""

import json
import logging
import os
import signal
import threading
import time
import urllib.request
from pathlib import Path

import grpc
import numpy as np
import pytest

import hftlab
from hftlab.backends import GrpcBackend, GrpcConfig
from hftlab.errors import DeadlineExceeded, InvalidInput
from hftlab.server import ServerProcess, build_server
from hftlab.server.app import _JsonFormatter
from hftlab.server.config import ServerConfig
from hftlab.threads import limit_threads
from hftlab.types import MeanReversionRequest, ServerInfoRequest

rng = np.random.default_rng(3)
SMALL = 100 + np.cumsum(rng.normal(size=80))
SLOW = 100 + np.cumsum(rng.normal(size=1_000_000))  # about half a second of statistics (ADF lag search)


@pytest.fixture
def server():
    server, port = build_server(ServerConfig(port=0))
    yield server, f"grpc://127.0.0.1:{port}"
    server.stop(grace=None)


def test_workers_share_the_port():
    with ServerProcess("127.0.0.1", 0, "--workers", "2") as server:
        pids = set()
        for _ in range(300):  # the second worker needs a moment to start; connections then spread
            with GrpcBackend(GrpcConfig.from_address(server.address, wait_for_ready=True)) as client:
                pids.add(client.execute(ServerInfoRequest()).pid)
            if len(pids) == 2:
                break
            threading.Event().wait(0.1)
        assert len(pids) == 2 and server.process.pid in pids


def test_server_info_counts_calls_errors_and_latency(server):
    _, address = server
    with GrpcBackend(GrpcConfig.from_address(address)) as client:
        for _ in range(3):
            client.execute(MeanReversionRequest(SMALL, lookback=5))
        with pytest.raises(InvalidInput):
            client.execute(MeanReversionRequest(SMALL, lookback=500))
        info = client.execute(ServerInfoRequest())
    assert info.calls["CalculateMeanReversion"] == 3
    assert all(type(count) is int for count in info.calls.values())
    assert "CalculateMeanReversion" not in info.errors  # bad input never left the client
    assert 0 < info.latency_p50_ms["CalculateMeanReversion"] <= info.latency_p99_ms["CalculateMeanReversion"]


def test_server_info_percentiles_are_exact_over_the_recent_calls():
    from hftlab.server.metrics import RECENT, RpcMetrics

    metrics = RpcMetrics()
    metrics.observe("One", "OK", 0.0042)  # between histogram buckets (2.5 and 5 ms)
    for seconds in (0.001, 0.002, 0.010):
        metrics.observe("Three", "OK", seconds)
    metrics.observe("Three", "INVALID_ARGUMENT", 0.002)
    summary = metrics.summary()
    assert summary["latency_p50_ms"]["One"] == summary["latency_p99_ms"]["One"] == pytest.approx(4.2)
    assert summary["latency_p50_ms"]["Three"] == pytest.approx(2.0)
    assert summary["latency_p99_ms"]["Three"] == pytest.approx(np.percentile([1, 2, 2, 10], 99))
    assert summary["calls"] == {"One": 1, "Three": 4} and summary["errors"] == {"Three": 1}
    assert all(type(n) is int for n in [*summary["calls"].values(), *summary["errors"].values()])
    for _ in range(RECENT):
        metrics.observe("One", "OK", 0.5)
    assert summary["calls"]["One"] == 1 and metrics.summary()["latency_p50_ms"]["One"] == pytest.approx(500)


def test_errors_are_counted_by_status(server):
    grpc_server, address = server
    from hftlab.rpc.v1 import trading_pb2 as pb
    from hftlab.rpc.v1 import trading_pb2_grpc

    with grpc.insecure_channel(address.removeprefix("grpc://")) as channel:
        stub = trading_pb2_grpc.TradingStub(channel)
        with pytest.raises(grpc.RpcError):
            stub.CalculateMeanReversion(pb.CalculateMeanReversionRequest(lookback=1), timeout=10)
    summary = grpc_server.hftlab_service.metrics.summary()
    assert summary["errors"]["CalculateMeanReversion"] == 1


def test_prometheus_endpoint(server):
    grpc_server, address = server
    with GrpcBackend(GrpcConfig.from_address(address)) as client:
        client.execute(ServerInfoRequest())
    port = grpc_server.hftlab_service.metrics.serve_http("127.0.0.1", 0)
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    assert 'hftlab_rpc_calls_total{code="OK",rpc="GetServerInfo"} 1.0' in text
    assert 'hftlab_rpc_seconds_bucket{le="+Inf",rpc="GetServerInfo"} 1.0' in text


def test_logs_carry_the_client_request_id(server, caplog):
    _, address = server
    with grpc.insecure_channel(address.removeprefix("grpc://")) as channel, caplog.at_level(logging.INFO):
        call = channel.unary_unary(
            "/hftlab.v1.Trading/GetServerInfo",
            request_serializer=lambda b: b,
            response_deserializer=lambda b: b,
        )
        _, state = call.with_call(b"", metadata=[("x-request-id", "req-42")], timeout=10)
        assert ("x-request-id", "req-42") in state.trailing_metadata()
    (record,) = [r for r in caplog.records if getattr(r, "request_id", None) == "req-42"]
    line = json.loads(_JsonFormatter().format(record))
    assert (line["rpc"], line["code"], line["request_id"]) == ("GetServerInfo", "OK", "req-42")
    assert line["ms"] >= 0 and line["peer"].startswith("ipv")


def test_deadline_exceeded_is_typed_and_harmless(server):
    _, address = server
    with GrpcBackend(GrpcConfig.from_address(address, timeout=0.05)) as client:
        with pytest.raises(DeadlineExceeded, match=r"did not finish within 0\.05 s") as error:
            client.execute(MeanReversionRequest(SLOW))
        assert error.value.request_id
        assert client.execute(ServerInfoRequest(), timeout=10).version == hftlab.__version__


def _cpu_seconds(pid: int) -> float:
    """CPU time a process has used (``/proc/<pid>/stat``: utime and stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads a process's CPU time from /proc")
def test_sigterm_drains_in_flight_calls(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[server]\ngrace_seconds = 60\n")
    server = ServerProcess("127.0.0.1", 0, "--config", str(config)).start()
    try:
        results = {}
        client = GrpcBackend(GrpcConfig.from_address(server.address))
        client.info()  # connected
        idle = _cpu_seconds(server.process.pid)

        def slow_call():
            results["slow"] = client.execute(MeanReversionRequest(SLOW))

        worker = threading.Thread(target=slow_call)
        worker.start()
        deadline = time.monotonic() + 60
        while _cpu_seconds(server.process.pid) < idle + 0.15 and time.monotonic() < deadline:
            time.sleep(0.01)  # until the server works on the call (~0.5 s of it): a fixed wait lost the race
        server.process.send_signal(signal.SIGTERM)
        worker.join(timeout=120)
        assert server.process.wait(timeout=120) == 0
        with limit_threads(1, "blas"):  # as the server computes (blas_threads = 1): sums in its order
            local = hftlab.get_client("local").execute(MeanReversionRequest(SLOW))
        assert hftlab.differences(results["slow"], local) == []
    finally:
        server.stop()

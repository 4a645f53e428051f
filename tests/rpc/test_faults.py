"""Faults: a server killed mid-stream, a client that cancels, loopback only."""

import time

import hftlab
from hftlab.backends import GrpcBackend, GrpcConfig
from hftlab.server import ServerProcess, build_server
from hftlab.server.config import ServerConfig
from hftlab.types import ServerInfoRequest
from hftlab.types.market import StreamMarketDataRequest

REQUEST = {"symbols": ["AAPL", "MSFT"], "seed": 3, "batch_size": 500, "max_batches": 12, "speed": 20.0}


def test_stream_resumes_on_a_restarted_server_without_loss_or_duplicates(free_port):
    expected = list(hftlab.get_client("local").stream(StreamMarketDataRequest(**REQUEST)))
    servers = [ServerProcess("127.0.0.1", free_port).start()]
    try:
        client = GrpcBackend(GrpcConfig(port=free_port, timeout=60, max_retries=4))
        received = []
        for batch in client.stream(StreamMarketDataRequest(**REQUEST)):
            received.append(batch)
            if len(received) == 3:
                servers[0].kill()  # a crash: no goodbye to the client
                servers.append(ServerProcess("127.0.0.1", free_port).start())
        assert [b.sequence for b in received] == list(range(1, 13))
        assert all(hftlab.differences(a, b) == [] for a, b in zip(received, expected, strict=True))
        assert servers[0].process.poll() is not None
        # the tail of the stream really came from the restarted server
        deadline = time.monotonic() + 30
        while client.execute(ServerInfoRequest()).calls.get("StreamMarketData", 0) < 1:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        for server in servers:
            server.stop()


def test_a_cancelled_stream_is_released_by_the_server():
    server, port = build_server(ServerConfig(port=0))
    try:
        client = GrpcBackend(GrpcConfig(port=port))
        endless = StreamMarketDataRequest(symbols=["AAPL"], batch_size=100, speed=1.0)
        stream = client.stream(endless)
        assert next(stream).sequence == 1
        stream.close()  # the client walks away mid-stream
        metrics = server.hftlab_service.metrics
        deadline = time.monotonic() + 30
        while metrics.summary()["calls"].get("StreamMarketData", 0) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        summary = metrics.summary()
        assert summary["calls"]["StreamMarketData"] == 1
        assert summary["errors"]["StreamMarketData"] == 1  # ended CANCELLED, its feed closed
    finally:
        server.stop(grace=None)

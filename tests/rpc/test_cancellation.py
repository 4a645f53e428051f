"""Cancellation stops work: a cancelled or expired call leaves the server's CPU idle within 1 s,
and SIGTERM ends the server within grace_seconds + 1 s whatever runs (loopback only).

The server's CPU time is read from the process (psutil): a computation that outlived its call
would keep it busy for seconds after the window each test measures.
"""

import signal
import threading
import time

import numpy as np
import psutil
import pytest

from hftlab import cancel
from hftlab.backends import GrpcBackend, GrpcConfig
from hftlab.errors import BackendUnavailable, Cancelled, DeadlineExceeded
from hftlab.market.event_sources import write_events
from hftlab.market.events import EVENT_DTYPE
from hftlab.server import ServerProcess
from hftlab.tick.backtest import backtest_stream
from hftlab.types.regimes import RunMCMCRequest
from hftlab.types.tick import TickBacktestRequest

rng = np.random.default_rng(5)
SPREAD = np.cumsum(rng.normal(size=500)) * 0.1
LONG_MCMC = RunMCMCRequest(objective="ou", spread=SPREAD, n_samples=200_000, n_chains=4, burn_in=1000)
"""Tens of seconds of sampling."""


def quiet_book(n: int) -> np.ndarray:
    """``n`` L2 events of a book that never moves (size updates at 100.00 / 100.01, 10 us apart)."""
    events = np.zeros(n, EVENT_DTYPE)
    events["exch_ts"] = events["local_ts"] = 1_700_000_000 * 10**9 + np.arange(n) * 10_000
    side = np.where(np.arange(n) % 2 == 0, 1, -1)
    events["kind"], events["side"] = 1, side
    events["kind"][:2] = 4  # the opening snapshot
    events["price"] = np.where(side == 1, 100.0, 100.01)
    events["qty"] = 1.0 + np.arange(n) % 20
    return events


def busy_seconds(process: psutil.Process, start: float, length: float) -> float:
    """CPU seconds ``process`` used from ``start`` (a time.monotonic) for ``length`` seconds."""
    time.sleep(max(0.0, start - time.monotonic()))
    before = sum(process.cpu_times()[:2])
    time.sleep(length)
    return sum(process.cpu_times()[:2]) - before


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as running:
        yield running, psutil.Process(running.process.pid)


def test_a_call_past_its_deadline_stops_computing(server):
    running, process = server
    with GrpcBackend(GrpcConfig.from_address(running.address, timeout=1.0)) as client:
        with pytest.raises(DeadlineExceeded):
            client.execute(LONG_MCMC)
        expired = time.monotonic()
    assert busy_seconds(process, expired + 1.0, 1.0) < 0.1


def test_a_cancelled_tick_backtest_stops_the_servers_engine(server, tmp_path):
    running, process = server
    path = tmp_path / "quiet.parquet"
    write_events(quiet_book(6_000_000), path)  # seconds of engine time, 1M events per chunk
    request = TickBacktestRequest(path=str(path), params={"interval": 1e-5}, tick_size=0.01)
    with GrpcBackend(GrpcConfig.from_address(running.address)) as client:
        stream = client.stream(request)
        first = next(stream)  # the engine is running: it reported its first chunk
        assert (first.done, first.total, first.result) == (1_000_000, 6_000_000, None)
        stream.close()
        cancelled = time.monotonic()
        assert busy_seconds(process, cancelled + 1.0, 1.0) < 0.1
        deadline = time.monotonic() + 30
        while client.info().errors.get("RunTickBacktest", 0) < 1:  # counted, as CANCELLED
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_a_closed_local_tick_stream_stops_its_engine():
    events = quiet_book(3_000_000)
    request = TickBacktestRequest(events=events, params={"interval": 1e-5}, tick_size=0.01)
    token = cancel.CancelToken()
    with cancel.scope(token):
        stream = backtest_stream(**{name: getattr(request, name) for name in request.__dataclass_fields__})
        assert next(stream).done == 1_000_000
        token.cancel("stop")
        with pytest.raises(Cancelled, match="stop"):
            list(stream)  # the engine's thread stopped at its next chunk


def test_sigterm_ends_the_server_within_the_grace_period_and_a_second(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[server]\ngrace_seconds = 1\n")
    running = ServerProcess("127.0.0.1", 0, "--config", str(config)).start()
    try:
        failures = []

        def call() -> None:
            with GrpcBackend(GrpcConfig.from_address(running.address, max_retries=0)) as client:
                try:
                    client.execute(LONG_MCMC)
                except (Cancelled, BackendUnavailable) as exc:
                    failures.append(exc)

        caller = threading.Thread(target=call)
        caller.start()
        time.sleep(1.0)  # the call is computing
        running.process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        running.process.wait(timeout=30)
        assert time.monotonic() - signalled < 1.0 + 1.0
        caller.join(timeout=30)
        assert len(failures) == 1  # the call ended with the server, typed
    finally:
        running.stop()

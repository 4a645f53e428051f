"""Bounded work: a server refuses a request beyond its limits before any work starts, naming the
field and the limit (RESOURCE_EXHAUSTED); the local backend has none unless given; a stream's
resume_from beyond what its source can produce is refused (INVALID_ARGUMENT), loopback only."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from hftlab.backends import GrpcBackend, GrpcConfig, LocalBackend
from hftlab.bench.inputs import INPUTS
from hftlab.errors import InvalidInput, ResourceExhausted
from hftlab.server import ServerProcess, build_server
from hftlab.server.config import ServerConfig
from hftlab.types.limits import Limits
from hftlab.types.market import StreamMarketDataRequest
from hftlab.types.regimes import RunMCMCRequest
from hftlab.types.statarb import MeanReversionRequest, ScanPairsRequest
from hftlab.types.tick import TickBacktestRequest

rng = np.random.default_rng(11)
SMALL = {"max_points": 1_000, "max_assets": 3, "max_events": 500, "max_samples": 5_000, "max_memory_mb": 0}
PRICES = 100 + np.cumsum(rng.normal(size=2_000))
UNIVERSE = pd.DataFrame(100 + np.cumsum(rng.normal(size=(200, 5)), axis=0), columns=list("ABCDE"))
EVENTS = INPUTS["RunTickBacktest"]()["events"]


@pytest.fixture(scope="module")
def small_server():
    server, port = build_server(ServerConfig(port=0, **SMALL))
    with GrpcBackend(GrpcConfig(port=port, timeout=60)) as client:
        yield client
    server.stop(grace=None)


@pytest.mark.parametrize(
    "request_, message",
    [
        (MeanReversionRequest(PRICES), r"'prices' asks for 2,000 rows; .* at most 1,000 \(max_points"),
        (RunMCMCRequest(objective="ou", spread=PRICES[:500], n_samples=10_000),
         r"'n_samples' asks for 44,000 n_chains x \(burn_in \+ n_samples x thin\) .* 5,000 \(max_samples"),
        (TickBacktestRequest(events=EVENTS), r"'events' asks for 2,\d{3} events; .* at most 500 \(max_events"),
        (StreamMarketDataRequest(["AAPL"], resume_from=10**9),
         r"'resume_from' asks for 10,000,000,000,000 ticks simulated to resume .* \(max_samples"),
    ],
)  # fmt: skip
def test_requests_beyond_the_limits_are_refused_by_name(small_server, request_, message):
    with pytest.raises(ResourceExhausted, match=message):
        list(small_server.stream(request_)) if request_.streaming else small_server.execute(request_)


def test_a_streamed_scan_is_refused_before_its_first_message(small_server):
    with pytest.raises(ResourceExhausted, match=r"'prices' asks for 5 columns; .* at most 3 \(max_assets"):
        next(small_server.stream(ScanPairsRequest(UNIVERSE)))


def test_estimated_memory_is_bounded():
    limits = Limits(max_samples=None, max_memory_mb=100)
    huge = RunMCMCRequest(objective="ou", spread=PRICES[:500], n_samples=1_000_000, n_chains=4)
    with pytest.raises(ResourceExhausted, match=r"'n_samples' asks for 18\d MiB of memory \(estimated\)"):
        limits.check(huge)
    tiny_samples = TickBacktestRequest(events=EVENTS, sample_every=1e-9)  # 8e9 equity samples
    with pytest.raises(
        ResourceExhausted, match=r"'sample_every' asks for .* MiB .* at most 100 \(max_memory_mb"
    ):
        limits.check(tiny_samples)


def test_the_local_backend_has_no_limits_unless_given():
    assert LocalBackend().limits is None
    request = MeanReversionRequest(PRICES)
    assert LocalBackend().execute(request).zscore.shape == (2_000,)
    with pytest.raises(ResourceExhausted, match=r"at most 1,000 \(max_points"):
        LocalBackend(Limits(max_points=1_000)).execute(request)


def test_limits_come_from_config_toml_and_flags(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[server]\nmax_points = 0\nmax_samples = 123\n")
    settings = ServerConfig.from_toml(config, max_assets=7)
    assert settings.limits == Limits(max_points=None, max_assets=7, max_samples=123)
    with pytest.raises(InvalidInput, match="max_events"):
        ServerConfig(max_events=-1)
    with (
        ServerProcess("127.0.0.1", 0, "--max-samples", "100") as server,
        GrpcBackend(GrpcConfig.from_address(server.address, timeout=60)) as client,
        pytest.raises(ResourceExhausted, match=r"at most 100 \(max_samples"),
    ):
        list(client.stream(StreamMarketDataRequest(["AAPL"], resume_from=10**12)))  # refused, not regenerated


def test_resume_beyond_the_source_is_refused(backend, lobster_files):
    with pytest.raises(InvalidInput, match="'resume_from' 5 is beyond the stream's last batch"):
        StreamMarketDataRequest(["AAPL"], max_batches=4, resume_from=5)
    replay = StreamMarketDataRequest(
        ["AAPL"], source="replay", path=str(lobster_files.message), batch_size=100, resume_from=11
    )
    with pytest.raises(InvalidInput, match=r"'resume_from' 11 is beyond the replay's last batch \(10 batches"):
        list(backend.stream(replay))
    last = dataclasses.replace(replay, resume_from=9)
    assert [batch.sequence for batch in backend.stream(last)] == [10]  # seeks straight to it

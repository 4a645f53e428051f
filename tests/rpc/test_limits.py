"""Bounded work: a server refuses a request beyond its limits before any work starts, naming the
field and the limit (RESOURCE_EXHAUSTED); the local backend has none unless given; a stream's
resume_from beyond what its source can produce is refused (INVALID_ARGUMENT), loopback only."""

import dataclasses
import gzip

import numpy as np
import pandas as pd
import pytest

from hftlab.backends import GrpcBackend, GrpcConfig, LocalBackend
from hftlab.bench.inputs import INPUTS
from hftlab.errors import InvalidInput, ResourceExhausted
from hftlab.market import replay_feed
from hftlab.market.event_sources import write_events
from hftlab.market.events import EVENT_DTYPE
from hftlab.server import ServerProcess, build_server
from hftlab.server.config import ServerConfig
from hftlab.types.limits import Limits
from hftlab.types.market import GetOrderBookRequest, StreamMarketDataRequest
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


def tick_table(rows: int) -> pd.DataFrame:
    mid = 100 + np.cumsum(rng.normal(scale=0.01, size=rows))
    stamps = np.arange(rows, dtype=np.int64) * 1_000_000 + 1_700_000_000 * 10**9
    return pd.DataFrame({"timestamp": stamps, "symbol": "XYZ", "bid": mid - 0.01, "ask": mid + 0.01})


def test_a_replayed_file_is_sized_before_it_is_read(tmp_path, monkeypatch):
    big, small = tmp_path / "big.parquet", tmp_path / "small.parquet"
    tick_table(200_000).to_parquet(big)  # 4 columns: 6.4 MB decoded, 12.8 MB estimated
    tick_table(1_000).to_parquet(small)
    server, port = build_server(ServerConfig(port=0, max_memory_mb=5))
    try:
        with GrpcBackend(GrpcConfig(port=port, timeout=60)) as client:
            request = StreamMarketDataRequest(["XYZ"], source="replay", path=str(big), batch_size=50_000)
            with pytest.raises(
                ResourceExhausted, match=r"'path' asks for 12 MiB of memory .* at most 5 \(max_mem"
            ):
                list(client.stream(request))
            with pytest.raises(ResourceExhausted, match=r"'path' asks for 12 MiB"):
                client.execute(GetOrderBookRequest("XYZ", source="replay", path=str(big)))
            served = client.stream(dataclasses.replace(request, path=str(small)))
            assert sum(len(batch.timestamp) for batch in served) == 1_000
    finally:
        server.stop(grace=None)
    monkeypatch.setattr(replay_feed, "load_ticks", lambda path: pytest.fail("the file was read"))
    with pytest.raises(ResourceExhausted, match="'path'"):
        list(LocalBackend(Limits(max_memory_mb=5)).stream(request))


def test_replay_sizes_come_from_footers_and_trailers(tmp_path, lobster_files):
    events = tmp_path / "events.parquet"
    write_events(EVENTS, events)
    assert replay_feed.decoded_bytes(events) == len(EVENTS) * (EVENT_DTYPE.itemsize + 8 * 7)  # event, tick
    assert replay_feed.decoded_bytes(tmp_path) == replay_feed.decoded_bytes(events)  # a directory's recordings
    table = tmp_path / "ticks.csv.gz"
    tick_table(5_000).to_csv(table, index=False)
    with gzip.open(table, "rb") as file:
        assert replay_feed.decoded_bytes(table) == len(file.read())
    pair = lobster_files.message.stat().st_size + lobster_files.orderbook.stat().st_size
    assert replay_feed.decoded_bytes(lobster_files.message) == pair
    assert replay_feed.decoded_bytes(tmp_path / "missing.csv") == 0  # the replay says NotFound

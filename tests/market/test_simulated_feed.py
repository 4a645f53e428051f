"""Resuming the simulated stream: from a checkpoint and cold, the same batches as an uninterrupted
stream; a resume from a checkpoint does work proportional to the checkpoint spacing; the
checkpoint cache is bounded and keyed by what determines the stream; cancellation; parity over
gRPC; a far resume is refused before any tick is simulated (counted: ticks simulated)."""

import dataclasses

import pytest

import hftlab
from hftlab import cancel
from hftlab.backends import GrpcBackend, GrpcConfig
from hftlab.errors import Cancelled, ResourceExhausted
from hftlab.market import simulated_feed
from hftlab.market.simulated import SymbolSimulation
from hftlab.market.simulated_feed import CHECKPOINTS, Checkpoints, SimulatedFeed, resume_ticks
from hftlab.server import ServerConfig, build_server
from hftlab.types.market import StreamMarketDataRequest

pytestmark = pytest.mark.timeout(300)

SYMBOLS, SEED, SIZE, BATCHES = ["AAPL", "BTC-USD", "EUR-USD"], 3, 500, 30
EVERY = 4  # batches between checkpoints (CHECKPOINT_TICKS // SIZE)


@pytest.fixture
def work(monkeypatch):
    """Small checkpoint spacing, an empty cache, and the ticks every stream of this process
    (an in-process server's included) simulates, one entry per time step. Blocks of 4,096
    uniforms (the same random numbers: a block continues the generator's sequence), so that
    checkpoints fall in later blocks than the first."""
    monkeypatch.setattr(simulated_feed, "CHECKPOINT_TICKS", EVERY * SIZE)
    monkeypatch.setattr(SymbolSimulation, "_RANDOM_CHUNK", 1 << 12)
    CHECKPOINTS.clear()
    done = []
    chunk = simulated_feed._Run.chunk

    def counted(self, *args, **kwargs):
        before = self.ticks
        merged = chunk(self, *args, **kwargs)
        done.append(self.ticks - before)
        return merged

    monkeypatch.setattr(simulated_feed._Run, "chunk", counted)
    yield done
    CHECKPOINTS.clear()


def stream(resume_from=0, seed=SEED, size=SIZE, batches=BATCHES):
    return list(SimulatedFeed(SYMBOLS, seed, size, max_batches=batches, resume_from=resume_from).batches())


def positions(seed=SEED, size=SIZE):
    """Ticks at which the stream's checkpoints were saved."""
    key = (tuple(SYMBOLS), seed, size)
    return list(CHECKPOINTS._streams[key][0]) if key in CHECKPOINTS._streams else []


def test_a_resume_gives_exactly_the_next_batches_from_a_checkpoint_and_cold(work):
    full = stream()
    saved = positions()
    # after every chunk that crosses a multiple of EVERY batches: 7 in 30 batches
    assert len(saved) == BATCHES // EVERY and all(
        0 < p - i * EVERY * SIZE < 3 * SIZE for i, p in enumerate(saved, 1)
    )
    # k = EVERY itself, around the first two checkpoints, a batch before the end
    around = [saved[0] // SIZE, saved[0] // SIZE + 1, saved[1] // SIZE, saved[1] // SIZE + 1]
    for k in sorted({1, EVERY - 1, EVERY, EVERY + 1, *around, BATCHES - 1}):
        from_checkpoint = resume_ticks(SYMBOLS, SEED, SIZE, k)
        assert from_checkpoint == k * SIZE - max([0] + [p for p in saved if p <= k * SIZE])
        resumed = stream(k)
        assert [batch.sequence for batch in resumed] == list(range(k + 1, BATCHES + 1))
        assert hftlab.differences(resumed, full[k:]) == [], k
        CHECKPOINTS.clear()
        assert resume_ticks(SYMBOLS, SEED, SIZE, k) == k * SIZE
        assert hftlab.differences(stream(k), full[k:]) == [], f"cold {k}"  # (it saves checkpoints anew)
        assert positions() == saved  # the same time steps, so the same checkpoints


def test_a_resume_from_a_checkpoint_costs_the_checkpoint_spacing_not_its_position(work):
    stream()
    cost = {}
    for k in (12, 28):
        work.clear()
        next(iter(SimulatedFeed(SYMBOLS, SEED, SIZE, resume_from=k).batches()))
        cost[k] = sum(work)
    assert cost[12] < (EVERY + 4) * SIZE and cost[28] < (EVERY + 4) * SIZE  # k = 28 costs as little as 12
    CHECKPOINTS.clear()
    work.clear()
    next(iter(SimulatedFeed(SYMBOLS, SEED, SIZE, resume_from=28).batches()))
    assert sum(work) > 29 * SIZE  # cold: every tick before batch 29, then it


def test_checkpoints_are_keyed_by_what_determines_the_stream(work):
    full = stream()
    assert resume_ticks(SYMBOLS, SEED, SIZE, 20) < EVERY * SIZE
    assert resume_ticks(SYMBOLS, SEED + 1, SIZE, 20) == 20 * SIZE  # other seed: nothing to reuse
    assert resume_ticks(SYMBOLS[::-1], SEED, SIZE, 20) == 20 * SIZE  # other symbols (order)
    assert resume_ticks(SYMBOLS, SEED, SIZE + 1, 20) == 20 * (SIZE + 1)  # other batch size
    work.clear()
    other = stream(20, seed=SEED + 1)
    assert sum(work) > 21 * SIZE  # regenerated from the first tick, not from seed 3's checkpoint
    assert other[0].sequence == 21 and hftlab.differences(other, full[20:]) != []
    assert hftlab.differences(other, stream(seed=SEED + 1)[20:]) == []


def test_the_checkpoint_cache_is_bounded_and_drops_the_least_recently_used_stream_first():
    cache = Checkpoints(max_bytes=1_000)
    for position in (300, 100, 200):
        cache.add("a", position, f"a{position}", 200)
    cache.add("b", 50, "b50", 200)
    cache.add("b", 50, "again", 200)  # a position is kept once
    assert cache.nearest("a", 250) == (200, "a200") and cache.nearest("a", 99) is None  # "a" used last
    cache.add("b", 60, "b60", 200)  # 1,000 bytes: within the bound
    cache.add("b", 70, "b70", 200)  # 1,200: "a", used least recently, loses its earliest
    assert (len(cache), cache.nbytes) == (5, 1_000) and cache.nearest("a", 150) is None
    assert cache.nearest("b", 55) == (50, "b50")  # "b" used last
    cache.add("a", 400, "a400", 200)  # "b" loses its earliest
    assert cache.nearest("b", 55) is None and cache.nearest("b", 65) == (60, "b60")
    assert cache.nearest("a", 1_000) == (400, "a400")
    cache.add("c", 0, "c0", 2_000)  # larger than the bound: every checkpoint goes, it too
    assert (len(cache), cache.nbytes) == (0, 0)


def test_a_long_stream_keeps_its_latest_checkpoints_within_the_bound(work, monkeypatch):
    monkeypatch.setattr(CHECKPOINTS, "max_bytes", 100_000)  # about 4 checkpoints of 3 symbols
    full = stream(batches=60)
    assert CHECKPOINTS.nbytes <= 100_000 and len(CHECKPOINTS) == 3
    assert resume_ticks(SYMBOLS, SEED, SIZE, 10) == 10 * SIZE  # the early ones were dropped
    assert resume_ticks(SYMBOLS, SEED, SIZE, 58) < EVERY * SIZE
    assert hftlab.differences(stream(58, batches=60), full[58:]) == []


def test_a_cold_resume_stops_when_cancelled(work):
    token = cancel.CancelToken()
    chunk = simulated_feed._Run.chunk  # (the counting one)

    def cancelling(self, *args, **kwargs):
        if len(work) == 5:
            token.cancel("the client went away")
        return chunk(self, *args, **kwargs)

    with (
        pytest.MonkeyPatch.context() as patch,
        cancel.scope(token),
        pytest.raises(Cancelled, match="went away"),
    ):
        patch.setattr(simulated_feed._Run, "chunk", cancelling)
        next(iter(SimulatedFeed(SYMBOLS, SEED, SIZE, resume_from=10**9).batches()))
    assert len(work) == 5  # no time step after the cancellation


def test_resume_parity_over_grpc(work, backend):
    kwargs = {"symbols": SYMBOLS, "seed": SEED, "batch_size": SIZE, "max_batches": BATCHES}
    full = list(hftlab.stream_market_data(**kwargs))
    assert len(positions()) == BATCHES // EVERY  # saved where the stream ran (this process)
    work.clear()
    warm = list(hftlab.stream_market_data(**kwargs, resume_from=25))
    assert sum(work) < (EVERY + 4 + 5) * SIZE  # from the checkpoint, then the 5 batches sent
    CHECKPOINTS.clear()
    cold = list(hftlab.stream_market_data(**kwargs, resume_from=25))
    assert hftlab.differences(warm, full[25:]) == [] and hftlab.differences(cold, full[25:]) == []


def test_a_far_resume_is_refused_before_any_tick_unless_a_checkpoint_is_near(work):
    server, port = build_server(ServerConfig(port=0, max_samples=10 * SIZE))
    try:
        with GrpcBackend(GrpcConfig(port=port, timeout=60)) as client:
            request = StreamMarketDataRequest(SYMBOLS, seed=SEED, batch_size=SIZE, max_batches=BATCHES)
            full = list(client.stream(request))  # a stream's length is not limited, its resume is
            work.clear()
            near = list(client.stream(dataclasses.replace(request, resume_from=27)))
            assert hftlab.differences(near, full[27:]) == [] and sum(work) < (EVERY + 4 + 3) * SIZE
            CHECKPOINTS.clear()
            work.clear()
            with pytest.raises(
                ResourceExhausted,
                match=r"'resume_from' asks for 13,500 ticks simulated to resume .* at most 5,000 \(max_samples",
            ):
                list(client.stream(dataclasses.replace(request, resume_from=27)))
            assert work == []  # refused before any simulation
            assert client.health() == "SERVING"
    finally:
        server.stop(grace=None)

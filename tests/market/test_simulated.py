"""The simulated market: determinism, independence of symbols and chunking, microstructure."""

import numpy as np
import pytest

import hftlab
from hftlab.errors import NotFound
from hftlab.market import simulated
from hftlab.market.feeds import concat_batches
from hftlab.market.simulated import SYMBOLS, SymbolSimulation, simulated_book
from hftlab.market.simulated_feed import SimulatedFeed

pytestmark = pytest.mark.timeout(300)


def ticks(symbols, seed=7, batch_size=5_000, batches=4, **options):
    return concat_batches(
        list(SimulatedFeed(symbols, seed=seed, batch_size=batch_size, max_batches=batches, **options))
    )


@pytest.fixture(scope="module")
def market():
    """60,000 ticks of four symbols."""
    return ticks(["AAPL", "MSFT", "BTC-USD", "EUR-USD"], batches=12)


def test_same_seed_same_batches_other_seed_other_path():
    first = list(SimulatedFeed(["AAPL", "ETH-USD"], seed=3, batch_size=2_000, max_batches=3))
    again = list(SimulatedFeed(["AAPL", "ETH-USD"], seed=3, batch_size=2_000, max_batches=3))
    assert [hftlab.differences(a, b) for a, b in zip(first, again, strict=True)] == [[], [], []]
    other = list(SimulatedFeed(["AAPL", "ETH-USD"], seed=4, batch_size=2_000, max_batches=1))
    assert not np.array_equal(first[0].bid, other[0].bid)


def test_batching_does_not_change_the_ticks():
    small = ticks(["AAPL", "BTC-USD"], batch_size=1_000, batches=12)
    large = ticks(["AAPL", "BTC-USD"], batch_size=4_000, batches=3)
    assert small.equals(large)


def test_a_symbol_follows_the_same_path_whatever_else_is_streamed():
    alone = ticks(["MSFT"], batches=2)
    mixed = ticks(["AAPL", "MSFT", "EUR-USD"], batches=6)
    msft = mixed[mixed["symbol"] == "MSFT"].drop(columns="symbol")
    assert len(msft) > 4_000
    assert msft.equals(alone.drop(columns="symbol").iloc[: len(msft)])


def test_resume_regenerates_exactly_the_next_batch():
    full = list(SimulatedFeed(["SPY", "QQQ"], seed=5, batch_size=3_000, max_batches=5))
    resumed = list(SimulatedFeed(["SPY", "QQQ"], seed=5, batch_size=3_000, max_batches=5, resume_from=3))
    assert [b.sequence for b in resumed] == [4, 5]
    assert hftlab.differences(resumed, full[3:]) == []


def test_ticks_are_valid_quotes_in_time_order(market):
    assert np.all(np.diff(market.index.asi8) >= 0)
    for symbol, frame in market.groupby("symbol", observed=True):
        tick = SYMBOLS[symbol].tick
        spread = (frame["ask"] - frame["bid"]) / tick
        assert (spread > 0.999).all() and np.allclose(spread, spread.round())
        assert (frame[["bid_size", "ask_size"]] > 0).all().all()
        trades = frame[frame["volume"] > 0]
        assert len(trades) > 100 and np.isclose(trades["volume"] / SYMBOLS[symbol].lot % 1, 0).all()
        # a trade prints at a price that was quoted on the side it hit just before
        previous = frame.shift(1).loc[trades.index[1:]]
        prints = trades["last"].iloc[1:].to_numpy()
        assert np.mean((prints <= previous["bid"].to_numpy()) | (prints >= previous["ask"].to_numpy())) == 1.0


def test_microstructure_is_realistic(market):
    """Tight spreads, a moving mid, ~10 % trade ticks, clustered (Hawkes) trades."""
    for symbol, frame in market.groupby("symbol", observed=True):
        spec = SYMBOLS[symbol]
        spread_ticks = ((frame["ask"] - frame["bid"]) / spec.tick).mean()
        assert 1.0 < spread_ticks < 3.0, symbol
        assert 0.03 < (frame["volume"] > 0).mean() < 0.3, symbol
        mid = (frame["bid"] + frame["ask"]) / 2
        assert mid.nunique() > 20 and abs(mid.iloc[-1] / spec.price - 1) < 0.05, symbol
        gaps = np.diff(frame.index[frame["volume"] > 0].asi8) / 1e9
        assert gaps.std() / gaps.mean() > 1.2, symbol  # Poisson arrivals would give 1


def test_hawkes_excitation_clusters_market_orders():
    """Counts of trades per window are over-dispersed (variance / mean > 1) with self-excitation."""
    frame = ticks(["SPY"], batches=8)
    trades = frame.index[frame["volume"] > 0].asi8
    counts = np.bincount(((trades - trades[0]) // 200_000_000).astype(int))
    assert counts.var() / counts.mean() > 2.0


def test_order_book_is_the_streams_book_after_the_same_ticks():
    stream = ticks(["ETH-USD"], batch_size=2_500, batches=2)
    book = simulated_book("ETH-USD", seed=7, ticks=5_000)
    last = stream.iloc[-1]
    assert (book.best_bid, book.best_ask) == (last["bid"], last["ask"])
    assert (book.best_bid_size, book.best_ask_size) == (last["bid_size"], last["ask_size"])
    assert book.sequence == 5_000 and len(book.bids()) > 5 and len(book.asks()) > 5
    assert book.timestamp == pytest.approx(stream.index[-1].value / 1e9)


def _fresh_book(symbol: str, seed: int, ticks: int):
    simulation = SymbolSimulation(symbol, SYMBOLS[symbol], seed)
    simulation.advance(np.inf, max_ticks=ticks)
    return simulation.book(sequence=ticks)


def test_successive_books_continue_one_simulation_with_the_same_books(monkeypatch):
    made = []
    monkeypatch.setattr(simulated, "_simulations", simulated.OrderedDict())
    monkeypatch.setattr(
        simulated, "SymbolSimulation", lambda *args: made.append(args) or SymbolSimulation(*args)
    )
    books = [simulated_book("SPY", seed=3, ticks=n) for n in (1_500, 4_000, 4_000, 9_000)]
    assert len(made) == 1  # continued, not replayed from the first tick
    behind = simulated_book("SPY", seed=3, ticks=2_000)  # behind the kept one: a new simulation
    np.testing.assert_array_equal(behind.bids(), _fresh_book("SPY", 3, 2_000).bids())
    simulated_book("SPY", seed=4, ticks=2_000)
    assert len(made) == 3
    for n, book in zip((1_500, 4_000, 4_000, 9_000), books, strict=True):
        fresh = _fresh_book("SPY", 3, n)
        assert book.sequence == n and book.best_bid == fresh.best_bid
        np.testing.assert_array_equal(book.bids(), fresh.bids())
        np.testing.assert_array_equal(book.asks(), fresh.asks())
    assert books[0].best_bid != books[-1].best_bid or books[0].best_ask != books[-1].best_ask


def test_grid_recentres_when_the_price_drifts():
    simulation = SymbolSimulation("EUR-USD", SYMBOLS["EUR-USD"], seed=1)
    columns = simulation.advance(3_000.0)
    mid = (columns["bid"] + columns["ask"]) / 2 / SYMBOLS["EUR-USD"].tick
    assert np.ptp(mid) > 100  # moved more than 100 ticks: beyond the starting window
    assert (columns["ask"] > columns["bid"]).all()


def test_unknown_symbols_are_not_found():
    with pytest.raises(NotFound, match=r"unknown simulated symbol\(s\) 'ZZZ'"):
        SimulatedFeed(["AAPL", "ZZZ"])

"""Cross-venue and triangular arbitrage on planted multi-book streams: the opportunities found
(count, duration, capacity), what the taker captured, a leg that misses, fees that turn a gross
opportunity into a loss, and IOC fills identical to the single-book engine's."""

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab import arbitrage_backtest, tick_backtest
from hftlab.errors import InvalidInput
from hftlab.market.events import EVENT_DTYPE, EventKind
from hftlab.market.lead_lag import lead_lag_venues

S = 1_000_000_000
T0 = 1_700_000_000 * S


def book(rows) -> np.ndarray:
    """DEPTH events from (seconds, side, price, qty) rows."""
    events = np.zeros(len(rows), EVENT_DTYPE)
    for i, (t, side, price, qty) in enumerate(rows):
        ts = T0 + round(t * S)
        events[i] = (ts, ts, EventKind.DEPTH, side, price, qty, 0, 0)
    return events


def venues() -> dict[str, np.ndarray]:
    """Two opportunities: 1.00-1.25 s buy on b (ask 99.99 x3) and sell on a (bid 100.00 x5);
    2.00-2.50 s buy on a (ask 99.96 x2) and sell on b (bid 99.97 x5)."""
    a = book(
        [
            (0, 1, 100.00, 5), (0, -1, 100.02, 5),
            (2, 1, 100.00, 0), (2, 1, 99.94, 4), (2, -1, 100.02, 0), (2, -1, 99.96, 2),
            (2.5, -1, 99.96, 0), (2.5, -1, 100.02, 5), (2.5, 1, 99.94, 0), (2.5, 1, 100.00, 5),
            (3, 1, 100.00, 6),
        ]
    )  # fmt: skip
    b = book(
        [
            (0, 1, 99.97, 5), (0, -1, 100.03, 5),
            (1, -1, 100.03, 0), (1, -1, 99.99, 3),
            (1.25, -1, 99.99, 0), (1.25, -1, 100.03, 5),
        ]
    )  # fmt: skip
    return {"a:X/USD": a, "b:X/USD": b}


def triangle() -> dict[str, np.ndarray]:
    """One opportunity, 1.0-1.2 s: ETH/BTC's ask drops to 0.0666 x4, so USDT -> BTC (ask 30001)
    -> ETH (ask 0.0666 BTC) -> USDT (bid 2000.0) returns 2000 / (30001 * 0.0666) - 1."""
    return {
        "BTC/USDT": book([(0, 1, 30000, 1), (0, -1, 30001, 1), (2, 1, 30000, 2)]),
        "ETH/USDT": book([(0, 1, 2000.0, 10), (0, -1, 2000.1, 10)]),
        "ETH/BTC": book([(0, 1, 0.0664, 10), (0, -1, 0.0670, 10), (1, -1, 0.0666, 4), (1.2, -1, 0.0666, 0)]),
    }


def test_cross_venue_finds_the_planted_opportunities_and_captures_them():
    result = arbitrage_backtest(venues(), "cross_venue", taker_fee=0.0, order_latency=0.001)
    table = result.opportunities
    assert table["direction"].tolist() == ["buy b:X/USD, sell a:X/USD", "buy a:X/USD, sell b:X/USD"]
    assert table["start"].tolist() == [T0 + S, T0 + 2 * S]
    assert table["duration"].tolist() == [0.25, 0.5]
    assert table["size"].tolist() == pytest.approx([3.0, 2.0], rel=1e-12)
    assert table["capacity"].tolist() == pytest.approx([3 * 99.99, 2 * 99.96], rel=1e-12)
    assert table["gross_return"].tolist() == pytest.approx([100 / 99.99 - 1, 99.97 / 99.96 - 1], rel=1e-9)
    assert table["attempts"].tolist() == [1, 1]
    assert table["captured"].tolist() == pytest.approx([0.03, 0.02], abs=1e-9)
    assert result.attempts["completed"].all()
    assert result.stats["pnl"] == pytest.approx(0.05, abs=1e-9)
    assert result.venues["position"].tolist() == [-1.0, 1.0]  # each venue keeps its inventory
    assert result.venues["fills"].tolist() == [2, 2]


def test_cross_venue_respects_the_position_limit_of_each_venue():
    result = arbitrage_backtest(venues(), "cross_venue", taker_fee=0.0, order_latency=0.001, max_position=1.0)
    # 1 unit (a from 0 to -1); then 2 (a from -1 to +1, b from +1 to -1)
    assert result.attempts["amount"].tolist() == pytest.approx([99.99, 2 * 99.96], rel=1e-12)
    assert result.venues["position"].tolist() == [1.0, -1.0]
    assert result.stats["pnl"] == pytest.approx(0.01 + 0.02, abs=1e-9)


def test_a_leg_slower_than_the_opportunity_misses():
    latency = {"a:X/USD": 0.001, "b:X/USD": 0.5}  # b's leg arrives at 1.5 s, after b's ask went back
    result = arbitrage_backtest(venues(), "cross_venue", taker_fee=0.0, order_latency=latency)
    first = result.attempts.iloc[0]
    assert (first["legs_filled"], first["completed"]) == (1, False)
    assert result.fills[result.fills["book"] == "b:X/USD"]["exch_ts"].min() > T0 + 2 * S  # not the first
    assert result.stats["missed"] >= 1
    assert result.opportunities["duration"].tolist() == [0.25, 0.5]  # the market's, whatever we do


def test_triangular_opportunity_capacity_duration_and_capture():
    fee = 0.0001
    result = arbitrage_backtest(triangle(), "triangular", taker_fee=fee, order_latency=0.001, lot_size=1e-4)
    (row,) = result.opportunities.itertuples()
    assert result.currency == "USDT"
    assert row.direction == "buy BTC/USDT, buy ETH/BTC, sell ETH/USDT"
    assert (row.start, row.duration) == (T0 + S, pytest.approx(0.2, abs=1e-12))
    assert row.capacity == pytest.approx(4 * 0.0666 * 30001, rel=1e-12)  # ETH/BTC's 4 ETH at the top
    assert row.size == pytest.approx(4 * 0.0666, rel=1e-12)  # in BTC, the first leg's base
    assert row.gross_return == pytest.approx(2000 / (30001 * 0.0666) - 1, rel=1e-9)
    net = 2000 * (1 - fee) / (30001 * (1 + fee) * 0.0666 * (1 + fee)) - 1
    assert row.net_return == pytest.approx(net, rel=1e-9)
    btc_fee = fee * 0.2664  # paid in BTC on ETH/BTC, valued at BTC/USDT's last mid
    pnl = 8000 - 0.2664 * 30001 - fee * (0.2664 * 30001 + 8000) - btc_fee * 30000.5
    assert row.captured == pytest.approx(pnl, rel=1e-9)
    assert result.stats["pnl"] == pytest.approx(pnl, rel=1e-9)
    positions = result.venues["position"]
    assert positions["ETH/USDT"] + positions["ETH/BTC"] == pytest.approx(0.0, abs=1e-12)  # no ETH left


def test_fees_turn_a_gross_opportunity_into_a_net_loss():
    fee = 0.001  # three legs of 10 bp against a gross 9.7 bp
    result = arbitrage_backtest(triangle(), "triangular", taker_fee=fee, order_latency=0.001, lot_size=1e-4)
    (row,) = result.opportunities.itertuples()
    assert row.gross_return > 0 > row.net_return
    assert (row.attempts, result.stats["attempts"], result.stats["pnl"]) == (0, 0.0, 0.0)
    forced = arbitrage_backtest(
        triangle(), "triangular", taker_fee=fee, order_latency=0.001, lot_size=1e-4, min_return=-0.0025
    )
    loss = 8000 - 0.2664 * 30001 - fee * (0.2664 * 30001 + 8000) - fee * 0.2664 * 30000.5
    assert loss < 0
    assert forced.stats["pnl"] == pytest.approx(loss, rel=1e-9)


def test_triangular_leg_that_misses_leaves_inventory_and_fills_as_the_single_book_engine():
    latency = {"BTC/USDT": 0.001, "ETH/USDT": 0.001, "ETH/BTC": 0.5}
    result = arbitrage_backtest(
        triangle(), "triangular", taker_fee=0.0001, order_latency=latency, lot_size=1e-4
    )
    (attempt,) = result.attempts.itertuples()
    assert (attempt.legs_filled, attempt.completed) == (2, False)
    assert result.venues["position"].to_dict() == pytest.approx(
        {"BTC/USDT": 0.2664, "ETH/USDT": -4.0, "ETH/BTC": 0.0}
    )
    legs = {
        "BTC/USDT": ("buy", 30001.0, 0.2664),
        "ETH/USDT": ("sell", 2000.0, 4.0),
        "ETH/BTC": ("buy", 0.0666, 4.0),
    }
    for name, events in triangle().items():  # the same IOC order alone on its book: the same fills
        side, price, qty = legs[name]
        orders = pd.DataFrame(
            {"time": [attempt.sent_ts], "side": [side], "type": ["ioc"], "price": [price], "qty": [qty]}
        )
        alone = tick_backtest(
            events, "orders", {"orders": orders}, order_latency=latency[name], taker_fee=0.0001, lot_size=1e-4
        )
        mine = result.fills[result.fills["book"] == name].reset_index(drop=True)
        columns = ["exch_ts", "local_ts", "side", "price", "qty", "fee"]
        pd.testing.assert_frame_equal(mine[columns], alone.fills[columns], check_exact=True)


@pytest.mark.parametrize("on_miss", ["complete", "unwind"])
def test_a_missed_leg_is_completed_or_unwound_at_market(on_miss):
    """ETH/BTC's leg misses (its 0.0666 ask is gone when it arrives at 1.5 s). Its reply is back
    at 2.0 s; "complete" then buys its 4 ETH at market (the 0.0670 ask, from 2.5 s), "unwind"
    sells the 0.2664 BTC and buys back the 4 ETH on their books: no ETH, or nothing, is left."""
    latency = {"BTC/USDT": 0.001, "ETH/USDT": 0.001, "ETH/BTC": 0.5}
    settings = {"taker_fee": 0.0001, "order_latency": latency, "lot_size": 1e-4}
    held = arbitrage_backtest(triangle(), "triangular", **settings)
    settled = arbitrage_backtest(triangle(), "triangular", **settings, on_miss=on_miss)
    (attempt,) = settled.attempts.itertuples()
    assert (attempt.legs_filled, attempt.completed) == (2, False)  # the legs as sent, as held
    assert held.attempts["fixes"].tolist() == [0]
    fills = settled.fills.iloc[len(held.fills) :]  # the fills of the fixes come last
    position = settled.venues["position"]
    if on_miss == "complete":
        assert attempt.fixes == 1
        assert fills[["book", "side", "price", "qty"]].values.tolist() == [["ETH/BTC", 1, 0.0670, 4.0]]
        assert fills["exch_ts"].tolist() == [T0 + 2_500_000_000]
        assert position.to_dict() == pytest.approx({"BTC/USDT": 0.2664, "ETH/USDT": -4.0, "ETH/BTC": 4.0})
    else:
        assert attempt.fixes == 2
        unwound = fills.sort_values("book")
        assert unwound[["book", "side", "qty"]].values.tolist() == [
            ["BTC/USDT", -1, 0.2664],
            ["ETH/USDT", 1, 4],
        ]
        assert unwound["price"].tolist() == pytest.approx([30000.0, 2000.1], rel=1e-12)  # the bid, the ask
        assert position.to_dict() == pytest.approx(
            {"BTC/USDT": 0.0, "ETH/USDT": 0.0, "ETH/BTC": 0.0}, abs=1e-12
        )
    cash = settled.venues["cash"] * settled.venues["quote"].map({"USDT": 1.0, "BTC": 30000.5})
    assert attempt.pnl == pytest.approx(settled.stats["pnl"], rel=1e-12)  # one attempt: all of it
    assert settled.stats["pnl"] == pytest.approx(
        float(cash.sum())
        + float((position * settled.venues["base"].map({"BTC": 30000.5, "ETH": 2000.05})).sum()),
        rel=1e-12,
    )


def test_a_completed_attempt_is_not_settled_again():
    result = arbitrage_backtest(venues(), "cross_venue", taker_fee=0.0, order_latency=0.001, on_miss="unwind")
    plain = arbitrage_backtest(venues(), "cross_venue", taker_fee=0.0, order_latency=0.001)
    assert result.attempts["fixes"].tolist() == [0, 0]
    assert hftlab.differences(result, plain) == []


def test_lead_lag_opportunities_last_the_lag():
    books = lead_lag_venues(120.0, 0.05, jump_rate=0.5, mean_jump=2.0, seed=3)
    result = arbitrage_backtest(books, "cross_venue", taker_fee=0.0, order_latency=0.2)
    lead = books["lead:X/USD"]
    moves = np.diff(lead["price"][lead["side"] == 1][lead["qty"][lead["side"] == 1] > 0])
    planted = int((np.abs(np.round(moves / 0.01)) >= 2).sum())  # a jump of two ticks crosses a spread of one
    assert planted > 10
    assert len(result.opportunities) == planted
    assert np.allclose(result.opportunities["duration"], 0.05)
    assert result.stats["completed"] == 0  # 200 ms orders never reach a 50 ms opportunity


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"strategy": "statistical"}, "strategy"),
        ({"books": {"a:X/USD": venues()["a:X/USD"], "b:Y/USD": venues()["b:X/USD"]}}, "books"),
        ({"strategy": "triangular", "books": {**triangle(), "XRP/BTC": triangle()["ETH/BTC"]}}, "books"),
        ({"taker_fee": {"a:X/USD": 0.001}}, "taker_fee"),
        ({"order_latency": {"a:X/USD": 0.001, "c:X/USD": 0.001}}, "order_latency"),
        ({"order_latency": -1.0}, "order_latency"),
        ({"min_return": float("nan")}, "min_return"),
    ],
)
def test_bad_input_names_the_field(change, field):
    arguments = {
        "books": venues(),
        "strategy": "cross_venue",
        "taker_fee": 0.0,
        "order_latency": 0.001,
        **change,
    }
    with pytest.raises(InvalidInput, match=f"'{field}"):
        arbitrage_backtest(**arguments)


def test_a_triangle_whose_currencies_do_not_close_is_refused():
    books = triangle()
    books["ETH/EUR"] = books.pop("ETH/BTC")
    with pytest.raises(InvalidInput, match=r"'books' .* do not close a triangle"):
        arbitrage_backtest(books, "triangular", taker_fee=0.0, order_latency=0.0)


def test_a_cancelled_call_stops_between_chunks_of_the_clock(monkeypatch):
    """The books are stepped CHUNK times of the clock at a time; the caller's cancellation is
    checked after each: a call cancelled during the first chunk steps no second one."""
    from hftlab import cancel
    from hftlab.errors import Cancelled
    from hftlab.tick import arbitrage, arbitrage_driver

    books = lead_lag_venues(120.0, 0.05, jump_rate=0.5, mean_jump=2.0, seed=3)
    token, calls, drive = cancel.CancelToken(), [], arbitrage_driver.drive

    def first_chunk_then_cancel(*args):
        calls.append(args[6] - args[5])  # times stepped: end - start
        token.cancel("no longer wanted")
        return drive(*args)

    whole = arbitrage_backtest(books, "cross_venue", taker_fee=0.0, order_latency=0.2)
    monkeypatch.setattr(arbitrage, "CHUNK", 10)
    chunked = arbitrage_backtest(books, "cross_venue", taker_fee=0.0, order_latency=0.2)
    assert hftlab.differences(chunked, whole) == []
    monkeypatch.setattr(arbitrage_driver, "drive", first_chunk_then_cancel)
    with cancel.scope(token), pytest.raises(Cancelled, match="no longer wanted"):
        arbitrage_backtest(books, "cross_venue", taker_fee=0.0, order_latency=0.2)
    assert calls == [10]  # of 95 times

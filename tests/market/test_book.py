"""L2 book: analytics against hand computations, sequence gaps, resync and bad input."""

import math

import numpy as np
import pandas as pd
import pytest

from hftlab.errors import InvalidInput
from hftlab.market.book import L2Book


@pytest.fixture
def book():
    """bids 99.0 x 2, 98.5 x 3, 98.0 x 10; asks 100.0 x 1, 100.5 x 4, 101.0 x 5 (mid 99.5)."""
    book = L2Book("XYZ")
    book.apply_snapshot([(98.0, 10), (99.0, 2), (98.5, 3)], [(100.0, 1), (101.0, 5), (100.5, 4)], sequence=100)
    return book


def test_top_of_book_by_hand(book):
    assert (book.best_bid, book.best_ask) == (99.0, 100.0)
    assert book.mid == 99.5
    assert book.spread == 1.0
    assert book.spread_bps == pytest.approx(1.0 / 99.5 * 1e4)
    # micro-price: (P_b Q_a + P_a Q_b) / (Q_a + Q_b) = (99*1 + 100*2) / 3
    assert book.microprice == pytest.approx(299 / 3)


def test_imbalance_depth_vwap_slippage_by_hand(book):
    assert book.imbalance(1) == pytest.approx((2 - 1) / 3)
    assert book.imbalance(2) == pytest.approx((5 - 5) / 10)
    assert book.imbalance(3) == pytest.approx((15 - 10) / 25)
    # +-60 bps around 99.5: [98.903, 100.097] holds bid 99.0 (2) and ask 100.0 (1)
    assert book.depth(60) == (2.0, 1.0)
    # +-110 bps: [98.4055, 100.5945] adds 98.5 (3) and 100.5 (4)
    assert book.depth(110) == (5.0, 5.0)
    # buy 7: 1 @ 100 + 4 @ 100.5 + 2 @ 101
    assert book.vwap("buy", 7) == pytest.approx((100 + 402 + 202) / 7)
    assert book.slippage_bps("buy", 7) == pytest.approx(((100 + 402 + 202) / 7 - 99.5) / 99.5 * 1e4)
    # sell 4: 2 @ 99 + 2 @ 98.5
    assert book.vwap("sell", 4) == pytest.approx((198 + 197) / 4)
    assert book.slippage_bps("sell", 4) == pytest.approx((99.5 - (198 + 197) / 4) / 99.5 * 1e4)
    assert math.isnan(book.vwap("buy", 11))  # only 10 offered


def test_levels_and_snapshot(book):
    levels = book.levels(4)
    assert list(levels.columns) == ["bid_price", "bid_size", "ask_price", "ask_size"]
    np.testing.assert_array_equal(levels["bid_price"].to_numpy()[:3], [99.0, 98.5, 98.0])
    assert levels.iloc[3].isna().all()
    snap = book.snapshot(depth=2, imbalance_levels=2, depth_bps=60, order_size=7)
    assert snap.symbol == "XYZ" and snap.sequence == 100 and not snap.stale
    pd.testing.assert_frame_equal(snap.bids, pd.DataFrame({"price": [99.0, 98.5], "size": [2.0, 3.0]}))
    pd.testing.assert_frame_equal(snap.asks, pd.DataFrame({"price": [100.0, 100.5], "size": [1.0, 4.0]}))
    assert snap.imbalance == 0.0 and (snap.bid_depth, snap.ask_depth) == (2.0, 1.0)
    assert snap.vwap_buy == pytest.approx(704 / 7)
    assert snap.vwap_sell == pytest.approx((2 * 99 + 3 * 98.5 + 2 * 98) / 7)
    assert snap.slippage_sell_bps == pytest.approx((99.5 - (2 * 99 + 3 * 98.5 + 2 * 98) / 7) / 99.5 * 1e4)


def test_updates_and_deletes(book):
    assert book.apply_update("bid", 99.5, 7, sequence=101)
    assert book.best_bid == 99.5 and book.sequence == 101
    assert book.apply_update("ask", 100.0, 0, sequence=102)  # size 0 deletes the level
    assert book.best_ask == 100.5
    assert book.apply_updates([1, -1, "bid"], [99.5, 100.5, 97.0], [0, 2, 1], sequence=105, first_sequence=103)
    assert (book.best_bid, book.best_ask, book.best_ask_size) == (99.0, 100.5, 2.0)
    assert book.bids()[-1].tolist() == [97.0, 1.0]


def test_old_updates_are_skipped_and_a_gap_marks_the_book_stale(book):
    assert not book.apply_update("bid", 99.0, 50, sequence=100)  # already applied
    assert book.best_bid_size == 2
    assert not book.apply_update("bid", 99.0, 50, sequence=102)  # 101 is missing
    assert book.stale and book.gaps == 1 and book.best_bid_size == 2
    assert not book.apply_update("bid", 99.0, 50, sequence=103)  # ignored until a resync
    assert book.snapshot().stale
    book.resync([(99.0, 8)], [(99.25, 1)], sequence=110)
    assert (
        not book.stale and book.sequence == 110 and book.microprice == pytest.approx((99 * 1 + 99.25 * 8) / 9)
    )
    assert book.apply_update("ask", 99.25, 3, sequence=111)
    assert book.best_ask_size == 3


def test_batch_spanning_the_sequence_is_applied_like_binance(book):
    # A batch with ids 95..101 straddles the book's 100: applied (the first event after a snapshot).
    assert book.apply_updates(["ask"], [100.0], [9], sequence=101, first_sequence=95)
    assert book.best_ask_size == 9 and not book.stale


def test_unsequenced_updates_and_max_depth():
    book = L2Book("K", max_depth=2)
    book.apply_snapshot([(10, 1), (9, 1), (8, 1)], [(11, 1)], sequence=0)
    assert book.bids().tolist() == [[10, 1], [9, 1]]
    assert book.apply_update("bid", 9.5, 4, sequence=None)
    assert book.bids().tolist() == [[10, 1], [9.5, 4]] and book.sequence == 1


@pytest.mark.parametrize(
    ("bids", "asks", "message"),
    [
        ([(100, 1)], [(100, 1)], "the snapshot is crossed: best bid 100.0 >= best ask 100.0"),
        ([(99, -1)], [(100, 1)], "'size' must be a finite number >= 0; got -1.0"),
        ([(0, 1)], [(100, 1)], "'price' must be a finite number > 0; got 0.0"),
        ([(99, 1), (99, 2)], [(100, 1)], "'bids' must not repeat a price level"),
        ([(99, 1, 3)], [(100, 1)], "'bids' must be (price, size) pairs"),
    ],
)
def test_bad_snapshots_raise_and_leave_the_book_unchanged(book, bids, asks, message):
    with pytest.raises(InvalidInput) as error:
        book.apply_snapshot(bids, asks, sequence=200)
    assert str(error.value).startswith(message)
    assert book.sequence == 100 and book.best_bid == 99.0


def test_crossing_or_negative_updates_raise_and_roll_back(book):
    with pytest.raises(InvalidInput, match=r"would cross the book: best bid 100\.0 >= best ask 100\.0"):
        book.apply_update("bid", 100.0, 1, sequence=101)
    with pytest.raises(InvalidInput, match="would cross"):
        book.apply_updates([1, 1], [99.0, 100.5], [0, 1], sequence=101)
    assert book.bids(1).tolist() == [[99.0, 2.0]] and book.sequence == 100
    with pytest.raises(InvalidInput, match="'size' must be a finite number >= 0; got nan"):
        book.apply_update("ask", 100.0, float("nan"), sequence=101)
    with pytest.raises(InvalidInput, match="'side' must be"):
        book.apply_update("middle", 100.0, 1, sequence=101)
    # a batch that crosses transiently but not at its end is fine
    assert book.apply_updates([1, -1], [100.0, 100.0], [1, 0], sequence=101)
    assert (book.best_bid, book.best_ask) == (100.0, 100.5)


def test_an_empty_book_gives_nan_analytics_not_errors():
    book = L2Book("EMPTY")
    assert book.stale  # until the first snapshot
    book.apply_snapshot([], [], sequence=0)
    snap = book.snapshot(depth=3)
    assert not snap.stale and snap.bids.shape == (0, 2)
    assert all(
        math.isnan(x) for x in (snap.mid, snap.spread_bps, snap.microprice, snap.imbalance, snap.vwap_buy)
    )
    book.apply_updates(["bid", "ask"], ["1.5", "1.6"], ["2", "3"], sequence=1)  # exchange strings are numbers
    assert (book.best_bid, book.best_ask_size) == (1.5, 3.0)

"""The feed interface: tick batches, the buffer, pacing and the sync wrapper's resource handling."""

import asyncio

import numpy as np
import pandas as pd
import pytest

from hftlab.market import feeds
from hftlab.market.feeds import AsyncFeed, Pacer, TickBatch, TickBuffer, concat_batches, iterate_in_thread


def make_batch(sequence=1):
    return TickBatch(
        sequence,
        ["AAA", "BBB"],
        np.array([1, 0, 1], np.int32),
        np.array([1_700_000_000_000_000_000, 1_700_000_000_500_000_000, 1_700_000_001_000_000_000]),
        np.array([10.0, 20.0, 10.5]),
        np.array([10.1, 20.2, 10.6]),
        np.array([1.0, 2.0, 3.0]),
        np.array([4.0, 5.0, 6.0]),
        np.array([np.nan, 20.1, 10.55]),
        np.array([0.0, 7.0, 1.0]),
    )


def test_to_frame_names_symbols_and_converts_time():
    frame = make_batch().to_frame()
    assert list(frame.columns) == ["symbol", "bid", "ask", "bid_size", "ask_size", "last", "volume"]
    assert frame["symbol"].tolist() == ["BBB", "AAA", "BBB"]
    assert frame.index[1] == pd.Timestamp("2023-11-14 22:13:20.5", tz="UTC")
    assert np.isnan(frame["last"].iloc[0]) and frame["volume"].sum() == 8.0
    assert make_batch().mid.tolist() == pytest.approx([10.05, 20.1, 10.55])


def test_concat_keeps_every_tick_in_order():
    frame = concat_batches([make_batch(1), make_batch(2)])
    assert len(frame) == 6 and frame["bid"].tolist() == [10.0, 20.0, 10.5] * 2
    assert concat_batches([]).empty


def test_buffer_cuts_columns_with_the_batch_dtypes():
    buffer = TickBuffer(["X"])
    buffer.add(0, 5, 1.0, 2.0, 3.0, 4.0, np.nan, 0.0)
    buffer.add(0, 6, 1.5, 2.0, 3.0, 4.0, 1.7, 2.0)
    batch = buffer.cut(7)
    assert len(buffer) == 0 and batch.sequence == 7 and len(batch) == 2
    assert batch.symbol_id.dtype == np.int32 and batch.timestamp.dtype == np.int64
    assert batch.bid.tolist() == [1.0, 1.5] and batch.volume.tolist() == [0.0, 2.0]
    assert len(buffer.cut(8)) == 0


def test_pacer_waits_for_the_batch_clock(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(feeds.time, "monotonic", lambda: now[0])
    assert Pacer(None).delay(make_batch()) == 0.0
    pacer = Pacer(2.0)  # twice as fast as recorded: the 1 s batch span takes 0.5 s
    assert pacer.delay(make_batch()) == pytest.approx(0.5)
    now[0] = 100.2
    assert pacer.delay(make_batch()) == pytest.approx(0.3)
    now[0] = 101.0
    assert pacer.delay(make_batch()) == 0.0


class Counting(AsyncFeed):
    """An endless async feed that records whether it was closed."""

    def __init__(self, fail_at=None):
        self.symbols = ["AAA", "BBB"]
        self.closed = False
        self.fail_at = fail_at

    async def stream(self):
        try:
            sequence = 0
            while True:
                sequence += 1
                if sequence == self.fail_at:
                    raise ValueError("feed broke")
                await asyncio.sleep(0)
                yield make_batch(sequence)
        finally:
            self.closed = True


@pytest.mark.timeout(30)
def test_sync_wrapper_yields_in_order_and_closing_releases_the_feed():
    feed = Counting()
    batches = feed.batches()
    assert [next(batches).sequence for _ in range(5)] == [1, 2, 3, 4, 5]
    batches.close()
    assert feed.closed


@pytest.mark.timeout(30)
def test_sync_wrapper_reraises_the_feeds_error():
    with pytest.raises(ValueError, match="feed broke"):
        list(iterate_in_thread(Counting(fail_at=3).stream))


@pytest.mark.timeout(30)
def test_sync_wrapper_works_inside_a_running_event_loop():
    """Notebooks call the sync wrapper from a thread that already runs an event loop."""

    async def inside():
        return [batch.sequence for _, batch in zip(range(3), Counting(), strict=False)]

    assert asyncio.run(inside()) == [1, 2, 3]

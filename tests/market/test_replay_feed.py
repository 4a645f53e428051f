"""File replay: the LOBSTER sample, CSV and Parquet tick tables, resume and bad files."""

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab.errors import InvalidInput, NotFound
from hftlab.market.feeds import concat_batches
from hftlab.market.lobster import read_messages, read_orderbook
from hftlab.market.replay_feed import ReplayFeed, replay_book


@pytest.fixture
def tick_table():
    """Two symbols' ticks in time order, as a user's file would hold them."""
    rng = np.random.default_rng(0)
    n = 500
    bid = np.round(100 + np.cumsum(rng.choice([-0.01, 0, 0.01], n)), 2)
    return pd.DataFrame(
        {
            "timestamp": 1_700_000_000_000_000_000 + np.cumsum(rng.integers(1, 10**6, n)),
            "symbol": rng.choice(["ES", "NQ"], n),
            "bid": bid,
            "ask": bid + 0.01,
            "bid_size": rng.integers(1, 50, n).astype(float),
            "ask_size": rng.integers(1, 50, n).astype(float),
            "last": bid,
            "volume": rng.integers(0, 3, n).astype(float),
        }
    )


def test_lobster_messages_become_ticks_with_the_files_top_of_book(lobster_files):
    message_path, orderbook_path = lobster_files
    frame = concat_batches(list(ReplayFeed(orderbook_path, batch_size=300)))  # either file of the pair
    messages, book = read_messages(message_path), read_orderbook(orderbook_path)
    assert len(frame) == len(messages) == 999 and set(frame["symbol"]) == {"AAPL"}
    assert np.array_equal(frame["bid"], book["bid_price_1"] / 10_000)
    assert np.array_equal(frame["ask_size"], book["ask_size_1"])
    executions = messages["type"].isin([4, 5, 6]).to_numpy()
    assert np.array_equal(frame["volume"].to_numpy()[executions], messages["size"][executions])
    assert (frame["volume"].to_numpy()[~executions] == 0).all()
    assert frame["last"].iloc[-1] == messages["price"][executions].iloc[-1] / 10_000
    # 34200 s after midnight in New York on 2012-06-21 is 13:30 UTC (EDT)
    assert frame.index[0].floor("s") == pd.Timestamp("2012-06-21 13:30:00", tz="UTC")
    assert frame.index[0] == pd.Timestamp("2012-06-21 09:30", tz="America/New_York") + pd.Timedelta(
        seconds=messages["time"].iloc[0] - 34_200
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_tick_tables_replay_row_for_row(tmp_path, tick_table, suffix):
    path = tmp_path / f"ticks{suffix}"
    tick_table.to_csv(path, index=False) if suffix == ".csv" else tick_table.to_parquet(path)
    batches = list(ReplayFeed(path, batch_size=128))
    assert [len(b) for b in batches] == [128, 128, 128, 116]
    frame = concat_batches(batches)
    assert frame.index.asi8.tolist() == tick_table["timestamp"].tolist()
    assert frame["symbol"].astype(str).tolist() == tick_table["symbol"].tolist()
    for column in ("bid", "ask", "bid_size", "ask_size", "last", "volume"):
        assert np.array_equal(frame[column], tick_table[column]), column


def test_symbols_filter_resume_and_datetime_timestamps(tmp_path, tick_table):
    table = tick_table.assign(timestamp=pd.to_datetime(tick_table["timestamp"], unit="ns", utc=True))
    table.drop(columns=["last", "volume"]).to_csv(tmp_path / "ticks.csv", index=False)
    full = list(ReplayFeed(tmp_path / "ticks.csv", ["NQ"], batch_size=50))
    assert set(np.concatenate([b.symbol_id for b in full])) == {0} and full[0].symbols == ["NQ"]
    assert np.isnan(full[0].last).all() and (full[0].volume == 0).all()
    resumed = list(ReplayFeed(tmp_path / "ticks.csv", ["NQ"], batch_size=50, resume_from=2, max_batches=4))
    assert [b.sequence for b in resumed] == [3, 4]
    assert hftlab.differences(resumed, full[2:4]) == []
    assert full[0].timestamp[0] == tick_table.loc[tick_table["symbol"] == "NQ", "timestamp"].iloc[0]


def test_book_of_a_lobster_file_has_every_level_of_its_row(lobster_files):
    _, orderbook_path = lobster_files
    row = read_orderbook(orderbook_path).iloc[499].to_numpy().reshape(10, 4)
    book = replay_book(orderbook_path, "AAPL", ticks=500)
    assert book.asks().tolist() == [[p / 10_000, s] for p, s, *_ in row]
    assert book.bids().tolist() == [[p / 10_000, s] for *_, p, s in row]
    assert book.sequence == 500


def test_bad_files_and_symbols(tmp_path, tick_table, lobster_files):
    with pytest.raises(NotFound, match="does not exist"):
        ReplayFeed(tmp_path / "missing.csv")
    with pytest.raises(NotFound, match=r"symbol\(s\) 'CL' not in ticks.csv"):
        tick_table.to_csv(tmp_path / "ticks.csv", index=False)
        ReplayFeed(tmp_path / "ticks.csv", ["ES", "CL"])
    tick_table.drop(columns="ask").to_csv(tmp_path / "no_ask.csv", index=False)
    with pytest.raises(InvalidInput, match=r"lacks column\(s\) \['ask'\]"):
        ReplayFeed(tmp_path / "no_ask.csv")
    tick_table.iloc[::-1].to_csv(tmp_path / "backwards.csv", index=False)
    with pytest.raises(InvalidInput, match="must be in time order; row 1 goes back in time"):
        ReplayFeed(tmp_path / "backwards.csv")
    (tmp_path / "ticks.json").write_text("{}")
    with pytest.raises(InvalidInput, match=r"must be a LOBSTER file, a \.csv or a \.parquet"):
        ReplayFeed(tmp_path / "ticks.json")
    with pytest.raises(InvalidInput, match="'ticks' must be at most 999"):
        replay_book(lobster_files[0], "AAPL", ticks=5_000)

"""Events streamed from native Parquet files in chunks give what the same events in memory give."""

import numpy as np
import pytest

import hftlab
from hftlab.errors import InvalidInput
from hftlab.market.event_sources import write_events
from hftlab.market.events import EventKind
from hftlab.tick import source

GRID = {"half_spread": 0.02, "order_qty": 100, "max_position": 300, "interval": 0.01}


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(source, "CHUNK", 37)  # record batches and engine chunks of 37 rows


@pytest.mark.parametrize("latency", [{}, {"feed_latency": 0.002, "order_latency": 0.001}])
def test_a_file_streamed_in_chunks_equals_the_events_in_memory(lobster_files, tmp_path, small_chunks, latency):
    events = hftlab.load_events(lobster_files)
    path = tmp_path / "day.parquet"
    write_events(events, path)
    settings = {"queue_model": "risk_averse", "tick_size": 0.01, **latency}  # an L2 model: the file streams
    assert isinstance(source.open_source(path), source.FileSource)
    streamed = hftlab.tick_backtest(path, "grid", GRID, **settings)
    in_memory = hftlab.tick_backtest(events, "grid", GRID, **settings)
    assert hftlab.differences(streamed, in_memory) == []
    assert len(streamed.fills) > 10 and streamed.stats["events"] == len(events)
    fifo = hftlab.tick_backtest(path, "grid", GRID, tick_size=0.01)  # L3: exact FIFO reads the file whole
    assert hftlab.differences(fifo, hftlab.tick_backtest(events, "grid", GRID, tick_size=0.01)) == []


def test_a_streamed_file_names_the_row_of_a_problem_across_chunks(lobster_files, tmp_path, small_chunks):
    events = hftlab.load_events(lobster_files)
    late = events.copy()
    late["exch_ts"][37] = late["exch_ts"][36] - 1  # the first row of the second chunk goes back in time
    write_events(late, tmp_path / "late.parquet", validate=False)
    with pytest.raises(InvalidInput, match=r"exch_ts at row 37 \(\d+\) is before row 36 \(\d+\)"):
        hftlab.tick_backtest(tmp_path / "late.parquet", "grid", GRID, queue_model="risk_averse")
    crossed = events.copy()
    bid = np.flatnonzero((crossed["side"] == 1) & (crossed["kind"] == EventKind.ADD))
    row = int(bid[bid > 80][0])  # a bid added in the third chunk, raised through every ask
    crossed["price"][row] = crossed["price"].max() + 1
    write_events(crossed, tmp_path / "crossed.parquet", validate=False)
    with pytest.raises(InvalidInput, match=rf"'events' cross the book at row {row}: best bid"):
        hftlab.tick_backtest(tmp_path / "crossed.parquet", "grid", GRID, queue_model="risk_averse")

"""OrderBookView and RegimeView driven headless: feed batches, change K, check the figures."""

import re
import signal
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab.jupyter import live
from hftlab.jupyter.market import OrderBookView, RegimeView
from hftlab.market.streams import open_streams


@pytest.fixture(autouse=True)
def restore_backend():
    previous = hftlab.backend()
    yield
    hftlab.use(previous)


def _mids(batches: int, batch_size: int) -> np.ndarray:
    stream = hftlab.stream_market_data("AAPL", batch_size=batch_size, max_batches=batches)
    return np.concatenate([batch.mid for batch in stream])


def test_order_book_view_draws_the_stream_and_the_book_at_its_position():
    view = OrderBookView("AAPL", batch_size=400, depth=5)
    view.run(2)
    view.run(1)  # resumes after batch 2
    assert (view.batches, view.ticks) == (3, 1200)
    np.testing.assert_array_equal(view.figure.data[2].y, _mids(3, 400))
    np.testing.assert_array_equal(view.figure.data[3].y[-400:], view.last.ask - view.last.bid)
    book = hftlab.order_book("AAPL", 5, ticks=1200)
    np.testing.assert_array_equal(view.figure.data[0].y, book.bids["price"].to_numpy())
    np.testing.assert_array_equal(view.figure.data[1].x, book.asks["size"].to_numpy())
    assert book.best_bid == view.last.bid[-1] and book.best_ask == view.last.ask[-1]
    assert "batch 3, 1,200 ticks" in view.figure.layout.title.text
    assert "on local" in view.figure.layout.title.text


def test_order_book_view_keeps_the_last_points_only():
    view = OrderBookView("MSFT", batch_size=500, max_points=700)
    view.run(2)
    assert len(view.figure.data[2].y) == 700


def _wait(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert condition()


def test_start_and_stop_buttons_run_the_stream_in_the_background():
    view = OrderBookView("AAPL", batch_size=200)
    view.start_button.click()
    assert view.start_button.disabled and not view.stop_button.disabled
    _wait(lambda: view.batches >= 2)
    view.stop_button.click()
    assert not view.running and open_streams() == 0  # the thread ended, the stream was released
    assert view.batches >= 2 and not view.start_button.disabled and view.stop_button.disabled
    assert f"stopped at batch {view.batches}" in view.status.value
    shown = (view.batches, view.draws)
    view.start()  # resumes after the last batch shown
    _wait(lambda: view.batches > shown[0])
    view.stop()
    np.testing.assert_array_equal(view.figure.data[2].y, _mids(view.batches, 200)[-view.max_points :])


def test_header_ladder_and_chart_always_show_the_same_batch():
    view = OrderBookView("AAPL", batch_size=100, depth=4)
    shown = []
    draw = view._draw

    def recorded(batches, backend):
        draw(batches, backend)
        figure = view.figure
        shown.append((figure.layout.title.text, figure.data[0].y, figure.data[1].x, figure.data[2].y[-1]))

    view._draw = recorded
    view.start()
    _wait(lambda: len(shown) >= 6)
    view.stop()
    mids = _mids(view.batches, 100)
    assert view.batches > len(shown)  # fast feed: several batches per redraw
    for title, bid_prices, ask_sizes, last_mid in shown:
        batch, ticks = (
            int(x.replace(",", "")) for x in re.search(r"batch (\d+), ([\d,]+) ticks", title).groups()
        )
        assert ticks == 100 * batch and last_mid == mids[ticks - 1]
        book = hftlab.order_book("AAPL", 4, ticks=ticks)
        np.testing.assert_array_equal(bid_prices, book.bids["price"].to_numpy())
        np.testing.assert_array_equal(ask_sizes, book.asks["size"].to_numpy())


def test_redraws_are_bounded_whatever_the_feed_rate():
    view = OrderBookView("SPY", batch_size=20, max_rate=5)
    started = time.monotonic()
    view.run(600)
    elapsed = time.monotonic() - started
    assert view.batches == 600
    assert view.draws <= 2 + elapsed * 5  # the first, one per 0.2 s, the last
    assert view.draws < 600 / 10


def test_stop_ends_a_paced_stream_without_waiting_for_its_next_batch():
    view = OrderBookView("AAPL", batch_size=5_000, speed=0.01)  # the first batch is due in ~1,000 s
    view.start()
    _wait(lambda: open_streams() == 1)
    view.stop(timeout=5)
    assert not view.running and open_streams() == 0
    assert view.batches == 0 and view.draws == 0  # the paced batch was never shown


def test_closing_the_widget_stops_its_stream():
    view = OrderBookView("AAPL", batch_size=100)
    view.start()
    _wait(lambda: view.draws >= 1)
    view.close()
    assert not view.running and open_streams() == 0
    # closed by the front end: its comm, or its last view removed (the tab closed)
    for close in (
        lambda v: v.comm.handle_close({"content": {"data": {}}}),
        lambda v: setattr(v, "_view_count", 0),
    ):
        view = OrderBookView("AAPL", batch_size=100)
        view._view_count = 1
        view.start()
        _wait(lambda v=view: v.draws >= 1)
        close(view)
        view._live._thread.join(5)
        assert not view.running


def test_a_kernel_interrupt_stops_every_stream(ip, monkeypatch):
    idle = []
    monkeypatch.setattr(
        ip, "kernel", SimpleNamespace(saved_sigint_handler=lambda *args: idle.append(args)), raising=False
    )
    monkeypatch.setattr(live, "_watching", False)
    views = [OrderBookView(symbol, batch_size=100) for symbol in ("AAPL", "MSFT")]
    for view in views:
        view.start()
    _wait(lambda: all(view.draws for view in views))
    ip.run_cell("raise KeyboardInterrupt")  # a running cell interrupted
    for view in views:
        view._live._thread.join(5)
        assert not view.running
    views[0].start()
    _wait(lambda: views[0].draws > 1)
    ip.kernel.saved_sigint_handler(signal.SIGINT, None)  # SIGINT while the kernel is idle
    views[0]._live._thread.join(5)
    assert not views[0].running and idle == [(signal.SIGINT, None)]  # ipykernel's own handler still runs


def test_order_book_view_over_grpc_matches_local(grpc_address):
    local = OrderBookView("AAPL", batch_size=300)
    local.run(2)
    hftlab.use(grpc_address)
    remote = OrderBookView("AAPL", batch_size=300)
    remote.run(2)
    np.testing.assert_array_equal(remote.figure.data[2].y, local.figure.data[2].y)
    assert hftlab.differences(remote.book, local.book) == []
    assert f"on {grpc_address}" in remote.figure.layout.title.text


def test_the_header_names_the_backend_the_stream_runs_on(grpc_address):
    hftlab.use(grpc_address)
    view = OrderBookView("AAPL", batch_size=100)
    view.start()
    _wait(lambda: view.draws >= 1)
    hftlab.use("local")  # the stream stays on the server
    drawn = view.draws
    _wait(lambda: view.draws > drawn + 1)
    view.stop()
    assert f"on {grpc_address}" in view.figure.layout.title.text


def test_unknown_symbol_is_shown_not_raised():
    view = OrderBookView("NOPE")
    view.run(1)
    assert "NOPE" in view.status.value and "#c62828" in view.status.value


@pytest.fixture(scope="module")
def switching_prices():
    """Calm and turbulent stretches: 300 bars of 0.5 % vol, 200 of 3 %, 300 of 0.5 %."""
    rng = np.random.default_rng(1)
    vol = np.r_[np.full(300, 0.005), np.full(200, 0.03), np.full(300, 0.005)]
    returns = rng.normal(0.0, vol)
    return pd.Series(100 * np.exp(np.cumsum(returns)), index=pd.bdate_range("2020-01-01", periods=800))


def test_regime_view_colours_prices_by_state_and_refits_on_k(switching_prices):
    view = RegimeView(switching_prices, n_states=2)
    assert len(view.figure.data) == 3 and view.result.n_states == 2
    turbulent = view.result.viterbi.iloc[320:480]  # bars 321..480 of prices
    assert turbulent.nunique() == 1 and view.result.viterbi.iloc[:250].nunique() == 1
    assert turbulent.iloc[0] != view.result.viterbi.iloc[0]
    coloured = [trace.y for trace in view.figure.data[1:]]
    assert sum(int(np.isfinite(np.asarray(y, dtype=float)).sum()) for y in coloured) == 799
    view.n_states.value = 3
    assert len(view.figure.data) == 4 and view.result.n_states == 3
    expected = hftlab.run_hmm(np.log(switching_prices).diff().dropna().rename("log_return"), n_states=3)
    assert hftlab.differences(view.result, expected) == []
    assert view.progress.bar_style == "success" and "BIC" in view.status.value

"""OrderBookView and RegimeView driven headless: feed batches, change K, check the figures."""

import time

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab.jupyter.market import OrderBookView, RegimeView


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
    assert "batch 3, 1,200 ticks" in view.status.value


def test_order_book_view_keeps_the_last_points_only():
    view = OrderBookView("MSFT", batch_size=500, max_points=700)
    view.run(2)
    assert len(view.figure.data[2].y) == 700


def test_start_and_stop_buttons_run_the_stream_in_the_background():
    view = OrderBookView("AAPL", batch_size=200, ladder_every=10)
    view.start_button.click()
    assert view.start_button.disabled and not view.stop_button.disabled
    deadline = time.monotonic() + 60
    while view.batches < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    view.stop_button.click()
    assert not view._thread.is_alive()
    assert view.batches >= 2 and not view.start_button.disabled and view.stop_button.disabled
    stopped_at = view.batches
    time.sleep(0.2)
    assert view.batches == stopped_at


def test_order_book_view_over_grpc_matches_local(grpc_address):
    local = OrderBookView("AAPL", batch_size=300)
    local.run(2)
    hftlab.use(grpc_address)
    remote = OrderBookView("AAPL", batch_size=300)
    remote.run(2)
    np.testing.assert_array_equal(remote.figure.data[2].y, local.figure.data[2].y)
    assert hftlab.differences(remote.book, local.book) == []
    assert "(grpc)" in remote.status.value


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

"""hftlab.replay_lobster on both backends: parity with the direct computation, analytics, bad input."""

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab.errors import InvalidInput
from hftlab.market import read_messages, read_orderbook
from hftlab.market.replay import replay


@pytest.fixture(scope="module")
def frames(lobster_files):
    return read_messages(lobster_files[0]), read_orderbook(lobster_files[1])


def test_replay_matches_the_file_and_the_local_computation(backend, lobster_files, frames):
    result = hftlab.replay_lobster(*lobster_files, levels=10, imbalance_levels=3)
    expected = replay(frames[0].astype(np.float64), frames[1].astype(np.float64), levels=10, imbalance_levels=3)
    assert hftlab.differences(result, expected) == []
    assert result.mismatched_rows == 0 and result.messages == 999 and result.levels == 10
    np.testing.assert_array_equal(result.book.to_numpy(), frames[1].to_numpy())
    assert 0 < result.levels_from_file < 999 * 20


def test_analytics_by_hand_on_the_first_row(backend, frames):
    result = hftlab.replay_lobster(*frames, imbalance_levels=2)
    first = frames[1].iloc[0]
    row = result.analytics.iloc[0]
    bid, ask = first["bid_price_1"] / 1e4, first["ask_price_1"] / 1e4
    qb, qa = first["bid_size_1"], first["ask_size_1"]
    assert (row["best_bid"], row["best_ask"]) == (bid, ask)
    assert row["spread_bps"] == pytest.approx((ask - bid) / ((ask + bid) / 2) * 1e4)
    assert row["microprice"] == pytest.approx((bid * qa + ask * qb) / (qa + qb))
    bids = first["bid_size_1"] + first["bid_size_2"]
    asks = first["ask_size_1"] + first["ask_size_2"]
    assert row["imbalance"] == pytest.approx((bids - asks) / (bids + asks))
    assert row["bid_depth"] == frames[1].iloc[0, 3::4].sum()
    assert result.mean_spread_bps == pytest.approx(result.analytics["spread_bps"].mean())


def test_plots(frames):
    result = hftlab.replay_lobster(*frames)
    assert len(result.plot().data) == 4
    heatmap = result.plot_depth().data[0]
    assert heatmap.z.shape[1] == 400 and np.nanmax(heatmap.z) > 0 > np.nanmin(heatmap.z)


def _bad_cases(messages, orderbook):
    wrong_kind = messages.copy()
    wrong_kind.loc[5, "type"] = 8
    fractional = messages.astype(np.float64)
    fractional.loc[3, "size"] = 1.5
    unrelated = messages.copy()
    unrelated.loc[2, "price"] = 1
    unsorted = messages.iloc[[0, 2, 1, *range(3, len(messages))]]
    return [
        (
            {"messages": unsorted},
            f"'messages' must be in time order; row 2 (time {messages.time[1]}) is before row 1.",
        ),
        ({"messages": messages.iloc[:, :5]}, "'messages' must have the 6 LOBSTER columns"),
        ({"messages": wrong_kind}, "'messages' must be event types 1..7 in column 'type'; got 8."),
        ({"messages": fractional}, "'messages' column 'size' must hold whole numbers; got 1.5 at row 3."),
        ({"orderbook": orderbook.iloc[:, :6]}, "'orderbook' must have 4 columns per level"),
        ({"orderbook": orderbook.iloc[:10]}, "'orderbook' must have one row per message (999); got 10 rows."),
        ({"levels": 5}, "'levels' must equal the orderbook's depth (10); got 5."),
        ({"imbalance_levels": 11}, "'imbalance_levels' must be an int >= 1 and <= 10; got 11."),
        ({"messages": unrelated}, "'messages' row 2 (type 1) "),
        ({"messages": pd.DataFrame(np.zeros((0, 6)))}, "'messages' must have at least 1 row(s); got 0."),
    ]


def test_bad_input_names_the_field(backend, frames):
    for kwargs, message in _bad_cases(*frames):
        arguments = {"messages": frames[0], "orderbook": frames[1]} | kwargs
        with pytest.raises(InvalidInput) as error:
            hftlab.replay_lobster(**arguments)
        assert str(error.value).startswith(message), kwargs.keys()

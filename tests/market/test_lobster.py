"""LOBSTER replay: the AAPL sample rebuilt row by row, tampering, hand cases and synthetic flow."""

import numpy as np
import pandas as pd
import pytest

from hftlab.errors import InvalidInput
from hftlab.market.lobster import (
    EMPTY_ASK_PRICE,
    EMPTY_BID_PRICE,
    orderbook_columns,
    read_messages,
    read_orderbook,
    replay_arrays,
    replay_lobster,
)
from hftlab.market.synthetic import synthetic_lobster


def test_replay_equals_the_orderbook_file_at_every_row_and_level(lobster_files):
    message_path, orderbook_path = lobster_files
    replayed = replay_lobster(message_path, orderbook_path, levels=10)
    raw = pd.read_csv(orderbook_path, header=None).to_numpy()
    assert replayed.shape == raw.shape == (999, 40)
    assert list(replayed.columns[:4]) == ["ask_price_1", "ask_size_1", "bid_price_1", "bid_size_1"]
    assert (replayed.dtypes == np.int64).all()
    np.testing.assert_array_equal(replayed.to_numpy(), raw)


def test_most_of_the_book_comes_from_the_messages(lobster_files):
    messages, orderbook = read_messages(lobster_files[0]), read_orderbook(lobster_files[1])
    _, from_file = replay_arrays(messages.to_numpy(np.float64), orderbook.to_numpy())
    # levels that entered from beyond depth 10 (after a level emptied) are the only ones copied
    emptied = ((messages["type"] != 1) & (messages["type"] <= 4)).sum()
    assert 0 < from_file <= emptied


def test_a_tampered_message_changes_the_replayed_row(lobster_files, tmp_path):
    messages = read_messages(lobster_files[0])
    orderbook = read_orderbook(lobster_files[1])
    # the submit of row 1 (a new bid level: 18 shares at 585.32) gets 7 more shares
    row = 1
    assert messages.loc[row, "type"] == 1 and messages.loc[row, "direction"] == 1
    tampered = messages.copy()
    tampered.loc[row, "size"] += 7
    path = tmp_path / "tampered_message_10.csv"
    tampered.to_csv(path, header=False, index=False, float_format="%.9f")
    replayed = replay_lobster(path, lobster_files[1]).to_numpy()
    expected = orderbook.to_numpy()
    np.testing.assert_array_equal(replayed[:row], expected[:row])
    changed = np.argwhere(replayed[row] != expected[row]).ravel()
    level = np.flatnonzero(expected[row, 2::4] == messages.loc[row, "price"])[0]
    assert changed.tolist() == [4 * level + 3]  # that level's bid size, and nothing else
    assert replayed[row, 4 * level + 3] - expected[row, 4 * level + 3] == 7


def test_removing_size_that_is_not_there_names_the_row(lobster_files):
    messages, orderbook = read_messages(lobster_files[0]), read_orderbook(lobster_files[1])
    broken = messages.to_numpy(np.float64)
    deletes = np.flatnonzero(broken[:, 1] == 3)
    broken[deletes[0], 4] += 1  # delete at a price one unit off any level
    with pytest.raises(InvalidInput, match=rf"'messages' row {deletes[0]} \(type 3\) removes size at price"):
        replay_arrays(broken, orderbook.to_numpy())


def test_hand_made_level_2_book_with_sentinels_and_a_level_entering_from_beyond():
    a, b = EMPTY_ASK_PRICE, EMPTY_BID_PRICE
    messages = np.array(
        [
            # time, type, id, size, price, direction
            [1.0, 1, 1, 100, 10000, 1],  # bid 100 @ 1.00
            [2.0, 1, 2, 30, 10200, -1],  # ask 30 @ 1.02 (second level)
            [3.0, 1, 3, 10, 10050, -1],  # ask 10 @ 1.005: 1.02 falls beyond depth 2 and is forgotten
            [4.0, 4, 3, 10, 10050, -1],  # executed: a level enters from beyond (the file shows 1.03 x 5)
            [5.0, 5, 9, 40, 10075, 1],  # hidden execution: no visible change
            [6.0, 3, 1, 100, 10000, 1],  # bid deleted: empty bid side
        ]
    )
    orderbook = np.array(
        [
            [10100, 50, 10000, 100, a, 0, b, 0],
            [10100, 50, 10000, 100, 10200, 30, b, 0],
            [10050, 10, 10000, 100, 10100, 50, b, 0],
            [10100, 50, 10000, 100, 10300, 5, b, 0],
            [10100, 50, 10000, 100, 10300, 5, b, 0],
            [10100, 50, b, 0, 10300, 5, b, 0],
        ]
    )
    replayed, from_file = replay_arrays(messages, orderbook)
    np.testing.assert_array_equal(replayed, orderbook)
    assert from_file == 1
    assert orderbook_columns(2) == [
        "ask_price_1",
        "ask_size_1",
        "bid_price_1",
        "bid_size_1",
        "ask_price_2",
        "ask_size_2",
        "bid_price_2",
        "bid_size_2",
    ]


def test_submit_crossing_the_book_is_rejected():
    a, b = EMPTY_ASK_PRICE, EMPTY_BID_PRICE
    messages = np.array([[1.0, 1, 1, 10, 10000, 1], [2.0, 1, 2, 10, 10100, 1]])
    orderbook = np.array([[10100, 50, 10000, 10], [10100, 50, 10100, 10]])
    with pytest.raises(InvalidInput, match=r"row 1 \(type 1\) would cross the book at price 10100"):
        replay_arrays(messages, orderbook)
    assert (a, b) == (9_999_999_999, -9_999_999_999)


@pytest.mark.parametrize("seed", [3, 4])
def test_synthetic_flow_from_the_matching_engine_replays_exactly(seed):
    messages, orderbook = synthetic_lobster(3000, levels=5, seed=seed)
    assert set(messages["type"]) == {1, 2, 3, 4}
    assert (messages["time"].diff().dropna() >= 0).all()
    replayed, from_file = replay_arrays(messages.to_numpy(np.float64), orderbook.to_numpy())
    np.testing.assert_array_equal(replayed, orderbook.to_numpy())
    assert from_file > 0
    again, _ = synthetic_lobster(3000, levels=5, seed=seed)
    pd.testing.assert_frame_equal(messages, again)


def test_reader_rejects_files_of_the_wrong_shape(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("1,2,3\n4,5,6\n")
    with pytest.raises(InvalidInput, match="'message_path' must have 6 columns"):
        read_messages(path)
    with pytest.raises(InvalidInput, match="'orderbook_path' must have 4 columns per level"):
        read_orderbook(path)

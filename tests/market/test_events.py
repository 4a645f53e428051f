"""The event format: LOBSTER as L3 events rebuilds the orderbook file, tick tables, Parquet, validation."""

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import hftlab
from hftlab.errors import InvalidInput, NotFound
from hftlab.market import EVENT_DTYPE, EventKind, load_events
from hftlab.market.event_sources import events_from_lobster, events_from_ticks, write_events
from hftlab.market.events import events_frame, validate_events
from hftlab.market.lobster import EMPTY_ASK_PRICE, EMPTY_BID_PRICE, read_messages, read_orderbook
from hftlab.market.synthetic import synthetic_lobster

K = EventKind
T0 = 1_700_000_000_000_000_000


def rebuild_orderbook(events: np.ndarray, levels: int) -> np.ndarray:
    """LOBSTER orderbook rows from L3 events: the book after each message's events.

    A book per price of anonymous volume plus orders: SNAPSHOT/DEPTH set a level
    to anonymous ``qty`` (forgetting its orders), ADD rests an order, CANCEL and
    EXECUTE reduce the order, or the anonymous volume for an id not in the book.
    """
    book = {1: {}, -1: {}}  # side -> price -> [anonymous, {order id: qty}]
    where, rows, messages = {}, [], 0

    def top() -> list[int]:
        bids, asks = sorted(book[1], reverse=True)[:levels], sorted(book[-1])[:levels]
        row = []
        for level in range(levels):
            for side, prices, empty in ((-1, asks, EMPTY_ASK_PRICE), (1, bids, EMPTY_BID_PRICE)):
                if level < len(prices):
                    anonymous, orders = book[side][prices[level]]
                    row += [round(prices[level] * 10_000), anonymous + sum(orders.values())]
                else:
                    row += [empty, 0]
        return row

    for event in events:
        kind, side, price = EventKind(event["kind"]), int(event["side"]), float(event["price"])
        qty, order_id = int(event["qty"]), int(event["order_id"])
        if kind in (K.ADD, K.CANCEL, K.EXECUTE, K.TRADE):  # a message: the previous one's row is complete
            rows += [top()] if messages else []
            messages += 1
        if kind == K.CLEAR:
            for s in (1, -1):
                book[s].clear() if side in (0, s) else None
        elif kind in (K.SNAPSHOT, K.DEPTH):
            assert order_id == 0
            for forgotten in book[side].pop(price, [0, {}])[1]:
                del where[forgotten]
            if qty:
                book[side][price] = [qty, {}]
        elif kind == K.ADD:
            book[side].setdefault(price, [0, {}])[1][order_id] = qty
            where[order_id] = (side, price)
        elif kind in (K.CANCEL, K.EXECUTE):
            level = book[side][price]
            if order_id in where:
                assert where[order_id] == (side, price)
                level[1][order_id] -= qty
                assert level[1][order_id] >= 0
                if level[1][order_id] == 0:
                    del level[1][order_id], where[order_id]
            else:
                level[0] -= qty
                assert level[0] >= 0
            if level[0] == 0 and not level[1]:
                del book[side][price]
    rows.append(top())
    return np.array(rows, dtype=np.int64)


def test_lobster_events_rebuild_every_row_and_level_of_the_aapl_sample(lobster_files):
    events = events_from_lobster(*lobster_files)
    orderbook = read_orderbook(lobster_files.orderbook).to_numpy()
    assert orderbook.shape == (999, 40)
    np.testing.assert_array_equal(rebuild_orderbook(events, 10), orderbook)


@pytest.mark.parametrize("levels", [1, 5])
def test_lobster_events_rebuild_synthetic_files(levels):
    messages, orderbook = synthetic_lobster(2000, levels=levels, seed=3)
    events = events_from_lobster(messages, orderbook, date="2024-01-02")
    validate_events(events)
    np.testing.assert_array_equal(rebuild_orderbook(events, levels), orderbook.to_numpy())
    # levels we kept beyond depth L that the file shows gone are removed by DEPTH rows of size 0
    removals = (events["kind"] == K.DEPTH) & (events["qty"] == 0)
    assert removals.sum() > 0
    rebuilt = rebuild_orderbook(events[~removals], levels)
    assert not np.array_equal(rebuilt, orderbook.to_numpy())


def test_lobster_event_counts_and_first_timestamp(lobster_files):
    events = events_from_lobster(*lobster_files)
    types = read_messages(lobster_files.message)["type"].value_counts().to_dict()
    counts = {kind: int((events["kind"] == kind).sum()) for kind in EventKind}
    assert types == {1: 471, 3: 369, 4: 98, 5: 61}  # no partial cancels, cross trades or halts here
    assert counts[K.ADD] == types[1] == 471
    assert counts[K.CANCEL] == types.get(2, 0) + types[3] == 369
    assert counts[K.EXECUTE] == types[4] == 98
    assert counts[K.TRADE] == types[5] == 61
    assert counts[K.CLEAR] == 1 and counts[K.GAP] == counts[K.RESYNC] == 0
    assert counts[K.SNAPSHOT] == 19  # row 0 (10 + 10 levels) with its submit of a new bid level undone
    assert counts[K.DEPTH] == 320
    first = pd.Timestamp("2012-06-21 09:30:00.004241176", tz="America/New_York").value
    assert first == 1_340_285_400_004_241_176
    assert events["exch_ts"][0] == first and (events["local_ts"] == events["exch_ts"]).all()
    assert events["kind"][0] == K.CLEAR and events["side"][0] == 0
    # message 0: a submit of 18 shares at 585.33 (bid, order 16113575)
    message = events[events["kind"] == K.ADD][0]
    assert (message["side"], message["price"], message["qty"], message["order_id"]) == (1, 585.33, 18, 16113575)
    hidden = events[events["kind"] == K.TRADE]
    directions = read_messages(lobster_files.message).query("type == 5")["direction"].to_numpy()
    assert (hidden["order_id"] == 0).all() and np.array_equal(hidden["side"], -directions)
    frame = events_frame(events)
    assert frame["kind"][0] == "CLEAR" and frame["kind"][1] == "SNAPSHOT"
    assert frame["exch_ts"][0] == pd.Timestamp("2012-06-21 09:30:00.004241176", tz="America/New_York")


def test_lobster_frames_need_a_date_and_files_must_match(lobster_files):
    messages, orderbook = read_messages(lobster_files.message), read_orderbook(lobster_files.orderbook)
    with pytest.raises(InvalidInput) as error:
        events_from_lobster(messages, orderbook)
    assert str(error.value) == (
        "'date' is required unless the message file is named SYMBOL_DATE_START_END_message_L.csv."
    )
    with pytest.raises(InvalidInput, match=r"'levels' must equal the orderbook file's depth \(10\); got 5"):
        events_from_lobster(*lobster_files, levels=5)
    tampered = orderbook.copy()
    tampered.loc[500, "bid_size_3"] += 1
    with pytest.raises(InvalidInput) as error:
        events_from_lobster(messages, tampered, date="2012-06-21")
    assert str(error.value).startswith("orderbook row 500 is not the book the messages leave")
    same = events_from_lobster(messages, orderbook, date="2012-06-21")
    assert np.array_equal(same, events_from_lobster(*lobster_files))


def test_load_events_on_the_path_the_pair_and_an_array_agree(lobster_files):
    by_pair = load_events(lobster_files)
    assert len(by_pair) == 1339
    for source in (lobster_files.message, str(lobster_files.orderbook), tuple(lobster_files), by_pair):
        assert np.array_equal(load_events(source), by_pair)
    assert hftlab.load_events is load_events


def test_native_parquet_round_trips_exactly(lobster_files, tmp_path):
    events = load_events(lobster_files)
    path = tmp_path / "aapl.parquet"
    write_events(events, path)
    schema = pq.read_schema(path)
    assert schema.names == list(EVENT_DTYPE.names)
    assert str(schema.field("kind").type) == "uint8" and str(schema.field("side").type) == "int8"
    back = load_events(path)
    assert back.dtype == EVENT_DTYPE and np.array_equal(back, events)


TICKS = pd.DataFrame(
    {
        "timestamp": [T0 + 1, T0 + 2, T0 + 2, T0 + 3, T0 + 4, T0 + 5],
        "symbol": ["ES", "ES", "NQ", "ES", "ES", "ES"],
        "bid": [10.00, 10.00, 50.0, 10.01, np.nan, 10.00],
        "ask": [10.02, 10.02, 50.5, 10.02, 10.03, 10.03],
        "bid_size": [5.0, 6.0, 1.0, 2.0, np.nan, 3.0],
        "ask_size": [7.0, 7.0, 1.0, 4.0, 1.0, 1.0],
        "last": [np.nan, 10.02, 50.5, 10.02, 10.02, 10.02],
        "volume": [0.0, 3.0, 1.0, 0.0, 0.0, 0.0],
    }
)


@pytest.mark.parametrize("suffix", ["frame", ".csv", ".parquet"])
def test_tick_table_becomes_top_of_book_depth_and_trades(tmp_path, suffix):
    source = TICKS
    if suffix != "frame":
        source = tmp_path / f"ticks{suffix}"
        TICKS.to_csv(source, index=False) if suffix == ".csv" else TICKS.to_parquet(source)
    events = events_from_ticks(source, symbol="ES")
    got = [
        (int(e["exch_ts"] - T0), int(e["kind"]), int(e["side"]), float(e["price"]), float(e["qty"]))
        for e in events
    ]
    assert got == [
        (1, K.DEPTH, 1, 10.00, 5.0),
        (1, K.DEPTH, -1, 10.02, 7.0),
        (2, K.TRADE, 0, 10.02, 3.0),
        (2, K.DEPTH, 1, 10.00, 6.0),  # size change only
        (3, K.DEPTH, 1, 10.00, 0.0),  # the bid moves up: old price removed, new one set
        (3, K.DEPTH, 1, 10.01, 2.0),
        (3, K.DEPTH, -1, 10.02, 4.0),
        (4, K.DEPTH, 1, 10.01, 0.0),  # the bid side empties
        (4, K.DEPTH, -1, 10.02, 0.0),
        (4, K.DEPTH, -1, 10.03, 1.0),
        (5, K.DEPTH, 1, 10.00, 3.0),
    ]
    assert (events["local_ts"] == events["exch_ts"]).all() and (events["order_id"] == 0).all()
    if suffix != "frame":
        assert np.array_equal(load_events(source, symbol="ES"), events)


def test_tick_table_symbols():
    with pytest.raises(InvalidInput) as error:
        events_from_ticks(TICKS)
    assert str(error.value) == "'symbol' is required: the tick frame holds 'ES', 'NQ'."
    with pytest.raises(NotFound, match=r"symbol 'CL' is not in the tick frame; it has 'ES', 'NQ'"):
        events_from_ticks(TICKS, symbol="CL")
    nq = events_from_ticks(TICKS, symbol="NQ")
    assert nq["kind"].tolist() == [K.TRADE, K.DEPTH, K.DEPTH]
    assert len(events_from_ticks(TICKS[TICKS["symbol"] == "ES"])) == 11
    no_size = TICKS.assign(bid_size=TICKS["bid_size"].where(TICKS.index != 3))
    with pytest.raises(InvalidInput) as error:
        events_from_ticks(no_size, symbol="ES")
    assert str(error.value) == "tick column 'bid_size' at row 3 is nan; a row with a bid needs its size."
    no_last = TICKS.assign(last=np.nan)
    with pytest.raises(InvalidInput) as error:
        events_from_ticks(no_last, symbol="NQ")
    assert (
        str(error.value) == "tick column 'last' at row 2 is nan; a row with volume > 0 needs the trade price."
    )


def book(*rows) -> np.ndarray:
    """Events from ``(exch_ts offset, kind, side, price, qty, update_id)`` rows; local_ts 10 ns later."""
    events = np.zeros(len(rows), dtype=EVENT_DTYPE)
    for i, (t, kind, side, price, qty, update_id) in enumerate(rows):
        events[i] = (T0 + t, T0 + t + 10, kind, side, price, qty, 0, update_id)
    return events


VALID = book(
    (0, K.CLEAR, 0, 0.0, 0.0, 0),
    (0, K.SNAPSHOT, 1, 100.0, 5.0, 10),
    (0, K.SNAPSHOT, -1, 101.0, 4.0, 10),
    (1, K.DEPTH, 1, 100.5, 2.0, 11),
    (2, K.TRADE, -1, 100.5, 1.0, 0),
    (3, K.DEPTH, 1, 101.5, 1.0, 12),  # crosses 101.0 for a moment: same exchange timestamp as the next row
    (3, K.DEPTH, -1, 101.0, 0.0, 12),
    (3, K.DEPTH, -1, 102.0, 3.0, 12),
    (4, K.DEPTH, 1, 101.5, 0.0, 13),
)


def invalid(**changes) -> np.ndarray:
    events = VALID.copy()
    for name, (row, value) in changes.items():
        events[name][row] = value
    return events


def message(events) -> str:
    with pytest.raises(InvalidInput) as error:
        validate_events(events)
    return str(error.value)


def test_valid_events_pass_and_load_as_they_are():
    validate_events(VALID)
    assert load_events(VALID) is VALID
    assert events_frame(VALID)["kind"].tolist()[:3] == ["CLEAR", "SNAPSHOT", "SNAPSHOT"]


def test_a_frame_or_the_records_of_its_columns_become_events_alike():
    """Events travel as a frame of their fields; a server reads that frame as the structured
    array of its columns (any order, any integer or float widths), which converts as the frame does."""
    from hftlab.market.events import events_from_frame

    frame = pd.DataFrame({name: VALID[name] for name in reversed(EVENT_DTYPE.names)})
    frame["side"] = frame["side"].astype(np.int64)
    records = frame.to_records(index=False)
    for table in (frame, records):
        events = events_from_frame(table)
        assert events.dtype == EVENT_DTYPE and events.tobytes() == VALID.tobytes()
    with pytest.raises(InvalidInput, match=r"'events' column 'price' must hold numbers; got int64"):
        events_from_frame(frame.assign(price=1).to_records(index=False))
    with pytest.raises(InvalidInput, match=r"'events' frame is missing the column\(s\) \['qty'\]"):
        events_from_frame(frame.drop(columns="qty").to_records(index=False))
    with pytest.raises(InvalidInput, match="'events' must be a frame with a column per event field; got"):
        events_from_frame(VALID["price"])


def test_validation_errors_name_the_field_and_row():
    shuffled = VALID[[0, 1, 2, 4, 3, 5, 6, 7, 8]]
    assert message(shuffled) == (
        f"'events' are not in time order: exch_ts at row 4 ({T0 + 1}) is before row 3 ({T0 + 2}); sort them "
        "by time first, e.g. events[np.argsort(events['exch_ts'], kind='stable')]."
    )
    assert message(invalid(local_ts=(5, T0 + 1))) == (
        f"'events' are not in time order: local_ts at row 5 ({T0 + 1}) is before row 4 ({T0 + 12}); sort "
        "them by time first, e.g. events[np.argsort(events['local_ts'], kind='stable')]."
    )
    assert message(invalid(update_id=(6, 9))) == (
        "'events' have broken update ids: update_id at row 6 (9) is below row 5 (12), "
        "the previous non-zero one."
    )
    assert message(invalid(kind=(2, 12))) == (
        "'events' field 'kind' at row 2 is 12; known kinds are 1 DEPTH, 2 TRADE, 3 CLEAR, 4 SNAPSHOT, 5 ADD, "
        "6 CANCEL, 7 EXECUTE, 8 GAP, 9 RESYNC."
    )
    assert message(invalid(price=(3, np.nan))) == (
        "'events' field 'price' at row 3 is nan (a DEPTH row); it must be finite and >= 0."
    )
    assert message(invalid(qty=(4, -1.0))) == (
        "'events' field 'qty' at row 4 is -1.0 (a TRADE row); it must be finite and >= 0."
    )
    assert message(invalid(side=(3, 0))) == (
        "'events' field 'side' at row 3 is 0 (a DEPTH row); this kind needs 1 (bid) or -1 (ask)."
    )
    assert message(invalid(side=(4, 2))) == (
        "'events' field 'side' at row 4 is 2 (a TRADE row); it must be 1 (bid/buy), -1 (ask/sell) or 0 (none)."
    )
    assert message(np.zeros(3, dtype=[("exch_ts", "i8")])) == (
        "'events' must be a one-dimensional array of hftlab.market.EVENT_DTYPE (exch_ts int64, local_ts int64, "
        "kind uint8, side int8, price float64, qty float64, order_id int64, update_id int64; e.g. "
        "np.zeros(n, dtype=EVENT_DTYPE)); got dtype [('exch_ts', '<i8')], 1 dimension(s)."
    )


def test_a_crossed_book_is_named_at_its_row():
    crossed = invalid(price=(8, 102.0), qty=(8, 1.0))  # a bid at the best ask
    assert message(crossed) == "'events' cross the book at row 8: best bid 102.0 >= best ask 102.0."
    # the same bid at 101.5 before 101.0 leaves the asks, one exchange timestamp later: crossed at row 5
    early = invalid(exch_ts=(5, T0 + 2))
    assert message(early) == "'events' cross the book at row 5: best bid 101.5 >= best ask 101.0."
    # a CLEAR of the asks empties them: no longer crossed
    validate_events(np.concatenate([VALID[:5], book((2, K.CLEAR, -1, 0, 0, 0)), VALID[5:]]))
    # between a GAP and the next RESYNC the book is not checked
    gap = np.concatenate([VALID[:5], book((2, K.GAP, 0, 0, 0, 0)), crossed[5:]])
    validate_events(gap)
    resynced = np.concatenate([gap[:-1], book((4, K.RESYNC, 0, 0, 0, 0)), gap[-1:]])
    assert message(resynced) == "'events' cross the book at row 10: best bid 102.0 >= best ask 102.0."


def test_l3_rows_change_level_sizes():
    events = np.zeros(4, dtype=EVENT_DTYPE)
    events["exch_ts"] = events["local_ts"] = T0 + np.arange(4)
    events["kind"] = [K.ADD, K.ADD, K.CANCEL, K.ADD]
    events["side"] = [-1, 1, -1, 1]
    events["price"] = [10.0, 9.0, 10.0, 10.0]
    events["qty"] = [5, 5, 5, 1]
    events["order_id"] = [1, 2, 1, 3]
    validate_events(events)  # the ask at 10.0 is gone when the bid arrives there
    events["qty"][2] = 4
    assert message(events) == "'events' cross the book at row 3: best bid 10.0 >= best ask 10.0."


def test_missing_files_and_bad_sources(tmp_path):
    with pytest.raises(NotFound) as error:
        load_events(tmp_path / "nope.parquet")
    assert str(error.value) == f"'source' {str(tmp_path / 'nope.parquet')!r} does not exist."
    with pytest.raises(NotFound, match=r"'message_path_or_frame' '.*missing_message_10\.csv' does not exist"):
        events_from_lobster(tmp_path / "missing_message_10.csv", tmp_path / "missing_orderbook_10.csv")
    with pytest.raises(InvalidInput, match="'source' must be a path, a LOBSTER"):
        load_events(42)

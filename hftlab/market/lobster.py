"""LOBSTER files: reader, and replay of a message file through an array book.

LOBSTER (Huang & Polak 2011, "LOBSTER: Limit Order Book Reconstruction System",
https://lobsterdata.com/info/DataStructure.php) reconstructs NASDAQ books from
ITCH data into two CSV files without header:

* message file, one event per row: ``time`` (seconds after midnight), ``type``
  (1 submit, 2 partial cancel, 3 delete, 4 visible execution, 5 hidden
  execution, 6 cross trade, 7 halt), ``order_id``, ``size``, ``price`` (dollars
  x 10,000) and ``direction`` (1 buy, -1 sell limit order);
* orderbook file, row ``k`` = the book after message ``k``: for each level
  1..L ``ask_price, ask_size, bid_price, bid_size``; empty levels hold the price
  sentinels ``9999999999`` (ask) / ``-9999999999`` (bid) and size 0.

:func:`replay_lobster` rebuilds every orderbook row from the messages. A
level-L file only carries the events inside the top L levels, so the replay
seeds its book from the state *before* the first message (orderbook row 0 with
message 0 undone), forgets levels once they fall beyond depth L, and takes the
levels that enter the top L from beyond it (after a level empties) from the
orderbook file; every other number comes from the messages. The book is two
fixed arrays of L price levels per side, updated by a numba kernel.
"""

from __future__ import annotations

from pathlib import Path

import numba
import numpy as np
import pandas as pd

from hftlab.errors import InvalidInput

MESSAGE_COLUMNS = ["time", "type", "order_id", "size", "price", "direction"]
EMPTY_ASK_PRICE = 9_999_999_999
EMPTY_BID_PRICE = -9_999_999_999
PRICE_SCALE = 10_000
SUBMIT, PARTIAL_CANCEL, DELETE, EXECUTE, HIDDEN_EXECUTE, CROSS_TRADE, HALT = range(1, 8)

_ERRORS = {
    1: "removes size at price {price}, which is not in the book",
    2: "removes {size} shares at price {price}, more than the level holds",
    3: "would cross the book at price {price}",
    4: "adds a level at price {price}, beyond the top levels the file covers",
}


def orderbook_columns(levels: int) -> list[str]:
    """``ask_price_1, ask_size_1, bid_price_1, bid_size_1, ..., bid_size_L``."""
    return [
        f"{name}_{level}"
        for level in range(1, levels + 1)
        for name in ("ask_price", "ask_size", "bid_price", "bid_size")
    ]


_EXACT = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}
"""Before pandas 3 (where exact is the default) ``read_csv``'s fast float parser could miss by an ulp."""


def read_csv(path: str | Path, **options) -> pd.DataFrame:
    """``pandas.read_csv`` of a data file, its numbers parsed exactly (:data:`_EXACT`); a file that
    is not one (not text, a quote left open, a value of the wrong type) is :class:`InvalidInput`
    naming it, not the parser's error."""
    try:
        return pd.read_csv(path, **_EXACT, **options)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InvalidInput(f"{Path(path).name} is not a readable CSV file of numbers: {exc}") from None


def read_messages(path: str | Path) -> pd.DataFrame:
    """A LOBSTER message file as a frame (``time`` float64, the other columns int64)."""
    frame = read_csv(path, header=None, dtype={0: np.float64} | dict.fromkeys(range(1, 6), np.int64))
    if frame.shape[1] != len(MESSAGE_COLUMNS):
        raise InvalidInput(f"'message_path' must have 6 columns; {path} has {frame.shape[1]}.")
    frame.columns = MESSAGE_COLUMNS
    return frame


def read_orderbook(path: str | Path) -> pd.DataFrame:
    """A LOBSTER orderbook file as an int64 frame with :func:`orderbook_columns` names."""
    frame = read_csv(path, header=None, dtype=np.int64)
    if frame.shape[1] % 4:
        raise InvalidInput(f"'orderbook_path' must have 4 columns per level; {path} has {frame.shape[1]}.")
    frame.columns = orderbook_columns(frame.shape[1] // 4)
    return frame


@numba.njit(cache=True)
def _change(prices, sizes, count, levels, is_bid, price, delta):
    """Add ``delta`` shares at ``price`` on one side (arrays of ``levels + 1`` slots, best first).

    Returns ``(new count, error code)``: 0 ok, 1 size removed at a price not in
    the book, 2 more size removed than the level holds, 4 a new level beyond
    depth ``levels``. A new level is inserted in price order and the level
    pushed beyond ``levels`` is forgotten.
    """
    if delta == 0:
        return count, 0
    position = 0
    while position < count and (prices[position] > price if is_bid else prices[position] < price):
        position += 1
    if position < count and prices[position] == price:
        size = sizes[position] + delta
        if size < 0:
            return count, 2
        if size > 0:
            sizes[position] = size
            return count, 0
        for i in range(position, count - 1):
            prices[i] = prices[i + 1]
            sizes[i] = sizes[i + 1]
        return count - 1, 0
    if delta < 0:
        return count, 1
    if position >= levels:  # a level-L file only has events inside the top L levels
        return count, 4
    for i in range(count, position, -1):
        prices[i] = prices[i - 1]
        sizes[i] = sizes[i - 1]
    prices[position] = price
    sizes[position] = delta
    return min(count + 1, levels), 0


@numba.njit(cache=True)
def _load_side(row, offset, empty, prices, sizes, levels):
    count = 0
    for level in range(levels):
        if row[4 * level + offset] != empty:
            prices[count] = row[4 * level + offset]
            sizes[count] = row[4 * level + offset + 1]
            count += 1
    return count


@numba.njit(cache=True)
def _fill_side(row, offset, empty, prices, sizes, count, levels):
    """Take the levels below our ``count`` known ones from the orderbook row (entered from beyond)."""
    filled = 0
    while count < levels and row[4 * count + offset] != empty:
        prices[count] = row[4 * count + offset]
        sizes[count] = row[4 * count + offset + 1]
        count += 1
        filled += 1
    return count, filled


@numba.njit(cache=True)
def _write_side(out, offset, empty, prices, sizes, count, levels):
    for level in range(levels):
        if level < count:
            out[4 * level + offset] = prices[level]
            out[4 * level + offset + 1] = sizes[level]
        else:
            out[4 * level + offset] = empty
            out[4 * level + offset + 1] = 0


@numba.njit(cache=True)
def _apply(kind, size, price, direction, ask_p, ask_s, n_ask, bid_p, bid_s, n_bid, levels, undo):
    """Apply (or, with ``undo``, revert) one message; returns ``(n_ask, n_bid, error)``."""
    if kind == 1:
        delta = size
    elif kind == 2 or kind == 3 or kind == 4:
        delta = -size
    else:
        return n_ask, n_bid, 0
    if undo:
        delta = -delta
    if direction == 1:
        if delta > 0 and n_ask > 0 and price >= ask_p[0]:
            return n_ask, n_bid, 3
        n_bid, error = _change(bid_p, bid_s, n_bid, levels, True, price, delta)
    else:
        if delta > 0 and n_bid > 0 and price <= bid_p[0]:
            return n_ask, n_bid, 3
        n_ask, error = _change(ask_p, ask_s, n_ask, levels, False, price, delta)
    return n_ask, n_bid, error


@numba.njit(cache=True)
def _replay(kinds, sizes, prices, directions, orderbook, levels):
    """Kernel of :func:`replay_arrays`: ``(book, levels taken from the file, error, error row)``."""
    n = len(kinds)
    out = np.empty((n, 4 * levels), dtype=np.int64)
    ask_p = np.empty(levels + 1, dtype=np.int64)
    ask_s = np.empty(levels + 1, dtype=np.int64)
    bid_p = np.empty(levels + 1, dtype=np.int64)
    bid_s = np.empty(levels + 1, dtype=np.int64)
    n_ask = _load_side(orderbook[0], 0, EMPTY_ASK_PRICE, ask_p, ask_s, levels)
    n_bid = _load_side(orderbook[0], 2, EMPTY_BID_PRICE, bid_p, bid_s, levels)
    n_ask, n_bid, error = _apply(
        kinds[0], sizes[0], prices[0], directions[0], ask_p, ask_s, n_ask, bid_p, bid_s, n_bid, levels, True
    )
    if error:
        return out, 0, error, -1
    from_file = 0
    for k in range(n):
        n_ask, n_bid, error = _apply(
            kinds[k],
            sizes[k],
            prices[k],
            directions[k],
            ask_p,
            ask_s,
            n_ask,
            bid_p,
            bid_s,
            n_bid,
            levels,
            False,
        )
        if error:
            return out, from_file, error, k
        n_ask, filled_ask = _fill_side(orderbook[k], 0, EMPTY_ASK_PRICE, ask_p, ask_s, n_ask, levels)
        n_bid, filled_bid = _fill_side(orderbook[k], 2, EMPTY_BID_PRICE, bid_p, bid_s, n_bid, levels)
        from_file += filled_ask + filled_bid
        _write_side(out[k], 0, EMPTY_ASK_PRICE, ask_p, ask_s, n_ask, levels)
        _write_side(out[k], 2, EMPTY_BID_PRICE, bid_p, bid_s, n_bid, levels)
    return out, from_file, 0, 0


def replay_arrays(messages: np.ndarray, orderbook: np.ndarray) -> tuple[np.ndarray, int]:
    """Replay ``messages`` (n x 6, LOBSTER columns) against ``orderbook`` (n x 4L, int64).

    Returns the replayed ``(n, 4L)`` int64 book and the number of levels that
    were taken from the orderbook file (levels entering from beyond depth L).
    Inconsistent messages (size removed at an unknown price, more than a level
    holds, a submit crossing the book) raise :class:`InvalidInput` naming the row.
    """
    messages = np.asarray(messages)
    orderbook = np.ascontiguousarray(orderbook, dtype=np.int64)
    if len(messages) == 0:
        return np.empty((0, orderbook.shape[1]), dtype=np.int64), 0
    columns = [np.ascontiguousarray(messages[:, i], dtype=np.int64) for i in (1, 3, 4, 5)]
    book, from_file, error, row = _replay(*columns, orderbook, orderbook.shape[1] // 4)
    if error:
        seeding = row < 0
        row = 0 if seeding else int(row)
        kind, size, price, _ = (int(c[row]) for c in columns)
        reason = _ERRORS[int(error)].format(price=price, size=size)
        when = " when undone to seed the book" if seeding else ""
        raise InvalidInput(
            f"'messages' row {row} (type {kind}) {reason}{when}: "
            "the message and orderbook files do not belong together."
        )
    return book, int(from_file)


def replay_lobster(
    message_path: str | Path, orderbook_path: str | Path, levels: int | None = None
) -> pd.DataFrame:
    """Rebuild a LOBSTER orderbook file from its message file (see the module docstring).

    Parameters
    ----------
    message_path, orderbook_path : str or Path
        The ``..._message_L.csv`` and ``..._orderbook_L.csv`` files of one day.
    levels : int, optional
        Depth L of the files (checked against the orderbook's columns; default: inferred).

    Returns
    -------
    pd.DataFrame
        Same shape, column order and sentinels as the orderbook file
        (columns named by :func:`orderbook_columns`), int64.

    References
    ----------
    Huang & Polak (2011), "LOBSTER: Limit Order Book Reconstruction System", SSRN 1977207.
    """
    messages = read_messages(message_path)
    orderbook = read_orderbook(orderbook_path)
    depth = orderbook.shape[1] // 4
    if levels is not None and levels != depth:
        raise InvalidInput(f"'levels' must equal the orderbook file's depth ({depth}); got {levels!r}.")
    if len(messages) != len(orderbook):
        raise InvalidInput(
            f"the message file has {len(messages)} rows but the orderbook file has {len(orderbook)}."
        )
    book, _ = replay_arrays(messages.to_numpy(np.float64), orderbook.to_numpy())
    return pd.DataFrame(book, columns=orderbook.columns)

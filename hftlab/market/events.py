"""One columnar event format for order-book data (L2 and L3), and :func:`load_events`.

Every source of order-book data (LOBSTER files, tick tables, the recorder's
Parquet files) becomes one numpy structured array of :data:`EVENT_DTYPE`, one
row per event, in time order, which the tick engine replays. The idea of one
flat event record with an exchange and a local timestamp, an event kind and
price/qty comes from hftbacktest's data format ("Data" page of
https://hftbacktest.readthedocs.io); the columns and kinds here are our own.

Columns
-------
``exch_ts`` int64
    Exchange timestamp, ns since the epoch (UTC).
``local_ts`` int64
    Local receive timestamp, ns since the epoch; equal to ``exch_ts`` where the
    source records no receive time.
``kind`` uint8
    An :class:`EventKind`.
``side`` int8
    ``+1`` bid / buy, ``-1`` ask / sell, ``0`` unknown or none.
``price``, ``qty`` float64
    Price in the instrument's quote currency (dollars for LOBSTER), quantity in
    shares or contracts.
``order_id`` int64
    The venue's order id (L3); ``0`` for anonymous volume and L2 rows.
``update_id`` int64
    The venue's sequence or update id; ``0`` where there is none.

Kinds
-----
L2 (market by price):

``DEPTH = 1``
    The level at ``price`` on ``side`` (+1/-1) now holds ``qty``; ``qty = 0``
    removes it. ``order_id`` 0.
``TRADE = 2``
    A trade printed at ``price`` for ``qty``; ``side`` is the aggressor's side
    if known (0 otherwise). No book change.
``CLEAR = 3``
    Empty ``side`` (+1/-1), or both sides if ``side`` is 0, e.g. before a
    snapshot. ``price`` and ``qty`` unused (0).
``SNAPSHOT = 4``
    One level of a snapshot: same meaning as DEPTH.

L3 (market by order):

``ADD = 5``
    A new order ``order_id`` rests on ``side`` at ``price`` for ``qty``.
``CANCEL = 6``
    ``qty`` is removed from order ``order_id`` (on ``side`` at ``price``); the
    order leaves the book when nothing remains. Partial and full cancels alike.
``EXECUTE = 7``
    Resting order ``order_id`` on ``side`` executed for ``qty`` at ``price``:
    a book change *and* a trade whose aggressor side is ``-side``.

Recorder markers:

``GAP = 8``
    Updates were missed; ``update_id`` is the first missing id (0 where the
    venue numbers none, or after a lost connection). The book is unreliable
    until the next RESYNC.
``RESYNC = 9``
    The book was rebuilt from a snapshot (the CLEAR and SNAPSHOT rows before it)
    after a gap.

L3 data and anonymous volume: volume the source knows only as a level size
(orders that rested before the data starts, or a level that entered the known
book from beyond its depth) is anonymous: a SNAPSHOT or DEPTH row with
``order_id`` 0 at that price, which sets the level's whole size (orders known
there before are forgotten) and stands ahead of any order ADDed later at that
price. A CANCEL or EXECUTE of an order id that is not in the book (never
ADDed, or forgotten) reduces the anonymous volume at its price.

Validation
----------
:func:`validate_events` (run by :func:`load_events`) checks the dtype, kinds,
sides, prices and quantities, that ``exch_ts`` and ``local_ts`` never decrease
(any ``local_ts``, even one before ``exch_ts``, is allowed), that non-zero
``update_id`` never decrease, and that the book is never crossed:
level sizes are kept per price (DEPTH/SNAPSHOT set a level, ADD adds,
CANCEL/EXECUTE remove, never below 0, CLEAR empties a side; a level holding
less than 1e-9 is empty) and the best bid must stay below
the best ask after the last event of every exchange timestamp (events stamped
alike are one update), except between a GAP and the next RESYNC.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

import numpy as np
import pandas as pd

from hftlab.errors import InvalidInput, NotFound
from hftlab.jit import kernel
from hftlab.market.replay_feed import lobster_pair

EVENT_DTYPE = np.dtype(
    [
        ("exch_ts", np.int64),
        ("local_ts", np.int64),
        ("kind", np.uint8),
        ("side", np.int8),
        ("price", np.float64),
        ("qty", np.float64),
        ("order_id", np.int64),
        ("update_id", np.int64),
    ],
    align=True,
)
"""One order-book event (see the module docstring for each column)."""


class EventKind(IntEnum):
    """The ``kind`` of an event (see the module docstring for the columns of each)."""

    DEPTH = 1
    TRADE = 2
    CLEAR = 3
    SNAPSHOT = 4
    ADD = 5
    CANCEL = 6
    EXECUTE = 7
    GAP = 8
    RESYNC = 9


_SIDED = np.isin(np.arange(256), [1, 4, 5, 6, 7])  # by kind: DEPTH, SNAPSHOT, ADD, CANCEL, EXECUTE
_PRICED = _SIDED | (np.arange(256) == EventKind.TRADE)  # kinds whose price and qty matter
_RULES = {  # problems of _bad_row about one field of one row: (field, rule)
    1: ("kind", f"known kinds are {', '.join(f'{k.value} {k.name}' for k in EventKind)}"),
    2: ("side", "it must be 1 (bid/buy), -1 (ask/sell) or 0 (none)"),
    3: ("side", "this kind needs 1 (bid) or -1 (ask)"),
    4: ("price", "it must be finite and >= 0"),
    5: ("qty", "it must be finite and >= 0"),
}
_EMPTY = 1e-9  # a level holding less is empty (sums of L3 sizes carry rounding error)


def validate_events(events: np.ndarray) -> None:
    """Raise :class:`~hftlab.errors.InvalidInput` naming the field and row of the first problem:
    :func:`check_rows`, then :func:`check_book` on the grid of the events' distinct prices."""
    check_rows(events)
    check_book(events)


def check_rows(events: np.ndarray, carry: np.ndarray | None = None, first_row: int = 0) -> None:
    """Raise :class:`~hftlab.errors.InvalidInput` unless ``events`` is a one-dimensional
    :data:`EVENT_DTYPE` array whose every row keeps the rules of its own.

    Names the first row that breaks one: ``kind`` (an :class:`EventKind`), ``side`` (-1, 0 or
    1, and not 0 where the kind changes a level), ``price`` and ``qty`` (finite and >= 0 where
    the kind uses them), ``exch_ts`` and ``local_ts`` (never decreasing), non-zero
    ``update_id`` (never decreasing). One compiled pass. Events checked in consecutive chunks
    pass the same ``carry`` (from :func:`row_carry`: the last row's times and last non-zero
    update id) and each chunk's ``first_row``, so rules hold across chunks and rows are
    numbered in the whole.
    """
    if not isinstance(events, np.ndarray) or events.dtype != EVENT_DTYPE or events.ndim != 1:
        got = (
            f"dtype {events.dtype}, {events.ndim} dimension(s)"
            if isinstance(events, np.ndarray)
            else type(events)
        )
        raise InvalidInput(
            "'events' must be a one-dimensional array of hftlab.market.EVENT_DTYPE "
            f"({', '.join(f'{name} {EVENT_DTYPE[name]}' for name in EVENT_DTYPE.names)}; "
            f"e.g. np.zeros(n, dtype=EVENT_DTYPE)); got {got}."
        )
    carry = row_carry() if carry is None else carry
    before_chunk = carry.copy()  # what an error about the row before the chunk quotes
    columns = ("exch_ts", "local_ts", "kind", "side", "price", "qty", "update_id")
    problem, row, before = _bad_row(*(events[name] for name in columns), carry, first_row)
    if problem in _RULES:
        field, rule = _RULES[problem]
        where = "" if field == "kind" else f" (a {EventKind(events['kind'][row]).name} row)"
        value = events[field][row]
        raise InvalidInput(f"'events' field {field!r} at row {first_row + row} is {value}{where}; {rule}.")
    if problem:
        field = ("exch_ts", "local_ts", "update_id")[problem - 6]
        earlier = events[field][before - first_row] if before >= first_row else before_chunk[problem - 6]
        if problem == 8:
            raise InvalidInput(
                f"'events' have broken update ids: update_id at row {first_row + row} ({events[field][row]}) "
                f"is below row {before} ({earlier}), the previous non-zero one."
            )
        raise InvalidInput(
            f"'events' are not in time order: {field} at row {first_row + row} ({events[field][row]}) is "
            f"before row {before} ({earlier}); sort them by time first, e.g. "
            f"events[np.argsort(events[{field!r}], kind='stable')]."
        )


def row_carry() -> np.ndarray:
    """What :func:`check_rows` carries from one chunk to the next: the last row's ``exch_ts``
    and ``local_ts``, the last non-zero ``update_id`` and its row (none yet)."""
    low = np.iinfo(np.int64).min
    return np.array([low, low, 0, -1], np.int64)


def check_book(events: np.ndarray, tick_size: float | None = None) -> None:
    """Raise :class:`~hftlab.errors.InvalidInput` naming the first row after which the book of
    rows that passed :func:`check_rows` is crossed (see the module docstring).

    The book is kept on a grid of prices: the events' distinct prices (found by hashing, then
    sorted), or with ``tick_size`` the ticks between the lowest and highest level (the tick
    engine's grid, which prices round to). O(1) per row, except that when the best level
    empties (and others are left on its side) the next one is found by scanning the grid (a few
    slots in real books).
    """
    if tick_size is not None:
        low, high = _tick_bounds(events["kind"], events["price"], tick_size)
        BookCheck(np.arange(low, high + 1) * tick_size, tick_size)(events)
        return
    codes, distinct = pd.factorize(events["price"], use_na_sentinel=False)  # hashing: O(n)
    order = np.argsort(distinct)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    BookCheck(distinct[order])(events, level=rank[codes])  # rank[codes]: each row's place in the grid


class BookCheck:
    """:func:`check_book` on events that come in consecutive chunks: the book carries over.

    ``grid`` holds the prices a level may have, ascending; with ``tick_size`` they are ticks
    and a row's place is its price in ticks above the first, else each call gives every row's
    place (``level``).
    """

    def __init__(self, grid: np.ndarray, tick_size: float | None = None) -> None:
        self.grid, self.tick = grid, tick_size
        self.low = round(grid[0] / tick_size) if tick_size is not None and len(grid) else 0
        self.size = np.zeros((2, len(grid)))
        self.stamp = np.zeros((2, len(grid)), dtype=np.int64)  # counts if stamped with its side's generation
        self.generation = np.ones(2, np.int64)
        self.counts = np.zeros(2, np.int64)  # non-empty levels of each side
        self.state = np.array([-1, len(grid), 1], np.int64)  # best bid, best ask, checking (no gap)

    def __call__(
        self, events: np.ndarray, level: np.ndarray | None = None, first_row: int = 0, next_ts: int = -1
    ):
        """Check ``events`` (rows ``first_row`` on of the whole; ``next_ts``: the exchange time of
        the row after them, -1 if none)."""
        level = np.zeros(0, np.int64) if level is None else level
        book = self.size, self.stamp, self.generation, self.counts, self.state
        columns = (events[name] for name in ("exch_ts", "kind", "side", "price", "qty"))
        row, bid, ask = _crossed(*columns, level, self.tick or 1.0, self.low, *book, next_ts)
        if row >= 0:
            bid, ask = (round(float(self.grid[i]), 10) for i in (bid, ask))
            raise InvalidInput(
                f"'events' cross the book at row {first_row + row}: best bid {bid} >= best ask {ask}."
            )


@kernel()
def _tick_bounds(kinds, prices, tick):
    """The lowest and highest price in ticks of a row that changes a level (0, -1 if none)."""
    low, high = np.iinfo(np.int64).max, np.iinfo(np.int64).min
    for k in range(len(kinds)):
        if _SIDED[kinds[k]]:
            j = np.int64(np.round(prices[k] / tick))
            low, high = min(low, j), max(high, j)
    return (low, high) if low <= high else (0, -1)


@kernel()
def _bad_row(exch_ts, local_ts, kinds, sides, prices, qtys, update_ids, carry, first_row):
    """``(problem, row, earlier row in the whole)`` of the first row breaking a rule of its own;
    problem 0 if none, and then ``carry`` (:func:`row_carry`) holds this chunk's last values.

    Problems, checked in this order per row: 1 unknown kind, 2 unknown side, 3
    side 0 where the kind needs one, 4 bad price, 5 bad qty, 6 ``exch_ts``
    and 7 ``local_ts`` before the row above, 8 ``update_id`` below the last
    non-zero one.
    """
    last_exch, last_local, last_id, last_id_row = carry[0], carry[1], carry[2], carry[3]
    for k in range(len(kinds)):
        kind = kinds[k]
        if kind < EventKind.DEPTH or kind > EventKind.RESYNC:
            return 1, k, k
        if sides[k] < -1 or sides[k] > 1:
            return 2, k, k
        if _SIDED[kind] and sides[k] == 0:
            return 3, k, k
        if _PRICED[kind] and not (0 <= prices[k] < np.inf):
            return 4, k, k
        if _PRICED[kind] and not (0 <= qtys[k] < np.inf):
            return 5, k, k
        if exch_ts[k] < last_exch:
            return 6, k, first_row + k - 1
        if local_ts[k] < last_local:
            return 7, k, first_row + k - 1
        last_exch, last_local = exch_ts[k], local_ts[k]
        if update_ids[k] != 0:
            if last_id_row >= 0 and update_ids[k] < last_id:
                return 8, k, last_id_row
            last_id, last_id_row = update_ids[k], first_row + k
    carry[0], carry[1], carry[2], carry[3] = last_exch, last_local, last_id, last_id_row
    return 0, -1, -1


@kernel(inline="always")
def apply_clear(side, generation, counts, best_bid, best_ask, n_levels):
    """A CLEAR event on an ``apply_level`` grid: the bids (``side`` >= 0) and the asks
    (``side`` <= 0) empty (their generation moves on); returns the new best bid and ask indices."""
    if side >= 0:
        generation[0] += 1
        counts[0] = 0
        best_bid = -1
    if side <= 0:
        generation[1] += 1
        counts[1] = 0
        best_ask = n_levels
    return best_bid, best_ask


@kernel(inline="always")
def apply_level(kind, side, i, qty, size, stamp, generation, counts, best_bid, best_ask):
    """Apply one book event (DEPTH, SNAPSHOT, ADD, CANCEL, EXECUTE) to level ``i`` of a
    ``(2, n_levels)`` grid of sizes (a level counts only if ``stamp`` holds its side's
    ``generation``: a CLEAR bumps the generation; ``counts``: the non-empty levels of each
    side, so that a side emptied needs no scan of the grid); returns the new best bid and ask
    indices."""
    n_levels = size.shape[1]
    s = 0 if side == 1 else 1
    held = size[s, i] if stamp[s, i] == generation[s] else 0.0
    counts[s] -= int(held > _EMPTY)
    if kind == EventKind.DEPTH or kind == EventKind.SNAPSHOT:
        held = qty
    elif kind == EventKind.ADD:
        held += qty
    else:  # CANCEL, EXECUTE
        held = max(held - qty, 0.0)
    size[s, i] = held
    stamp[s, i] = generation[s]
    counts[s] += int(held > _EMPTY)
    if held > _EMPTY and s == 0:
        best_bid = max(best_bid, i)
    elif held > _EMPTY:
        best_ask = min(best_ask, i)
    elif counts[s] == 0:
        if s == 0:
            best_bid = -1
        else:
            best_ask = n_levels
    elif s == 0 and i == best_bid:
        while best_bid >= 0 and (stamp[0, best_bid] != generation[0] or size[0, best_bid] <= _EMPTY):
            best_bid -= 1
    elif s == 1 and i == best_ask:
        while best_ask < n_levels and (stamp[1, best_ask] != generation[1] or size[1, best_ask] <= _EMPTY):
            best_ask += 1
    return best_bid, best_ask


@kernel()
def _crossed(
    exch_ts, kinds, sides, prices, qty, level, tick, low, size, stamp, generation, counts, state, next_ts
):
    """First row after which the book is crossed and the best bid/ask grid indices then (-1 if
    none). A row's place in the grid is ``level[row]``, or with no ``level`` its price in ticks
    above ``low``; ``size``, ``stamp``, ``generation`` and ``state`` (best bid, best ask,
    checking) and ``counts`` are the book (``apply_level``), kept for the next chunk; ``next_ts`` is the
    exchange time of the row after these (-1: none), as the book is checked at each time's end.
    """
    n_levels = size.shape[1]
    best_bid, best_ask, checking = state[0], state[1], state[2] == 1
    for k in range(len(kinds)):
        kind = kinds[k]
        if kind == EventKind.CLEAR:
            best_bid, best_ask = apply_clear(sides[k], generation, counts, best_bid, best_ask, n_levels)
        elif kind == EventKind.GAP:
            checking = False
        elif kind == EventKind.RESYNC:
            checking = True
        elif kind != EventKind.TRADE:  # DEPTH, SNAPSHOT, ADD, CANCEL, EXECUTE
            i = level[k] if len(level) else np.int64(np.round(prices[k] / tick)) - low
            best_bid, best_ask = apply_level(
                kind, sides[k], i, qty[k], size, stamp, generation, counts, best_bid, best_ask
            )
        following = exch_ts[k + 1] if k + 1 < len(kinds) else next_ts
        if (
            following != exch_ts[k]
            and checking
            and best_bid >= 0
            and best_ask < n_levels
            and best_bid >= best_ask
        ):
            return k, best_bid, best_ask
    state[0], state[1], state[2] = best_bid, best_ask, checking
    return -1, -1, -1


def load_events(
    source,
    *,
    symbol: str | None = None,
    venue: str | None = None,
    date: str | None = None,
    levels: int | None = None,
    validate: bool = True,
) -> np.ndarray:
    """Order-book events of a file, a recording, a LOBSTER pair or an array, validated.

    Parameters
    ----------
    source : str, Path, (message, orderbook) pair, np.ndarray or DataFrame
        A LOBSTER message or orderbook file (read with its pair), a native
        Parquet file (see :func:`~hftlab.market.event_sources.write_events`), a
        directory of the recorder's native parts (its output directory with
        ``venue`` and ``symbol``, or any directory below it that holds one
        recording; parts concatenated in time order, see
        :func:`~hftlab.market.event_sources.recordings`), a
        CSV/Parquet tick table, a LOBSTER ``(message, orderbook)`` pair of paths
        or frames (e.g. ``hftlab.data.lobster_sample()``), an array of
        :data:`EVENT_DTYPE` (validated and returned), or a frame with one
        numeric column per field of :data:`EVENT_DTYPE` (how events travel to a server).
    symbol : str, optional
        The symbol to take from a tick table or a recording directory holding several.
    venue : str, optional
        The venue to take from a recording directory holding several.
    date : str, optional
        A LOBSTER pair's trading day (``"2012-06-21"``); default: from the file
        name (Huang & Polak 2011 name files ``SYMBOL_DATE_..._message_L.csv``).
    levels : int, optional
        A LOBSTER pair's depth L (checked against the orderbook file).
    validate : bool
        False leaves :func:`validate_events` to the caller (the tick engine runs it on its
        own price grid; the events are checked once).

    Returns
    -------
    np.ndarray
        Events of :data:`EVENT_DTYPE` in time order.
    """
    from hftlab.market import event_sources as sources  # it imports this module's format

    if isinstance(source, np.ndarray):
        events = source
    elif isinstance(source, pd.DataFrame):
        events = events_from_frame(source)
    elif isinstance(source, (tuple, list)) and len(source) == 2:
        events = sources.events_from_lobster(*source, date=date, levels=levels)
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if path.is_dir():
            return load_events(sources.read_recording(path, venue, symbol), validate=validate)
        if not path.is_file():
            raise NotFound(f"'source' {str(path)!r} does not exist.")
        pair = lobster_pair(path)
        if pair is not None:
            events = sources.events_from_lobster(pair[0], pair[1], date=date, levels=levels)
        elif sources.is_native(path):
            events = sources.read_events(path)
        else:
            events = sources.events_from_ticks(path, symbol=symbol)
    else:
        raise InvalidInput(
            "'source' must be a path, a LOBSTER (message, orderbook) pair or an EVENT_DTYPE array; "
            f"got {type(source).__name__}."
        )
    if validate:
        validate_events(events)
    return events


def correct_local_ts(events: np.ndarray, base_latency: float = 0.0) -> np.ndarray:
    """``events`` with every ``local_ts`` shifted by one offset so that no row is received before
    the exchange stamped it: by the largest ``exch_ts - local_ts``, plus ``base_latency``
    seconds, when some row was early (clocks out of step); unchanged otherwise. Relative
    latencies are kept. After hftbacktest's ``correct_local_timestamp``.
    """
    early = int((events["exch_ts"] - events["local_ts"]).max(initial=0))
    corrected = events.copy()
    if early > 0:
        corrected["local_ts"] += early + round(base_latency * 1e9)
    return corrected


def check_frame(frame: object, dtype: np.dtype = EVENT_DTYPE) -> None:
    """Raise unless ``frame`` (a frame, or a structured array as a frame comes off the wire) has a
    column of the right kind of number for each field of ``dtype`` (the cheap part of
    :func:`events_from_frame`): floats for floats, integers for integers."""
    if isinstance(frame, pd.DataFrame):
        columns, kind_of = frame.columns, lambda name: frame[name].dtype
    elif isinstance(frame, np.ndarray) and frame.dtype.names is not None:
        columns, kind_of = frame.dtype.names, lambda name: frame.dtype[name]
    else:
        raise InvalidInput(
            f"'events' must be a frame with a column per event field; got {type(frame).__name__}."
        )
    missing = [name for name in dtype.names if name not in columns]
    if missing:
        raise InvalidInput(f"'events' frame is missing the column(s) {missing}; it needs {list(dtype.names)}.")
    for name in dtype.names:
        got = kind_of(name)
        kinds = "f" if dtype[name].kind == "f" else "iu"
        if got.kind not in kinds:
            wanted = "numbers" if kinds == "f" else "integers"
            raise InvalidInput(f"'events' column {name!r} must hold {wanted}; got {got}.")


def events_from_frame(frame: pd.DataFrame | np.ndarray, dtype: np.dtype = EVENT_DTYPE) -> np.ndarray:
    """An array of ``dtype`` (:data:`EVENT_DTYPE`) from a frame, or a structured array, with a
    numeric column per field (in any order; other columns are left out)."""
    check_frame(frame, dtype)
    events = np.zeros(len(frame), dtype)
    for name in dtype.names:
        events[name] = frame[name] if isinstance(frame, np.ndarray) else frame[name].to_numpy()
    return events


def events_frame(events: np.ndarray) -> pd.DataFrame:
    """Events as a frame for display: timestamps as UTC datetimes, ``kind`` by name."""
    if not isinstance(events, np.ndarray) or events.dtype != EVENT_DTYPE:
        raise InvalidInput("'events' must be an array of hftlab.market.EVENT_DTYPE.")
    frame = pd.DataFrame({name: events[name] for name in EVENT_DTYPE.names})
    for name in ("exch_ts", "local_ts"):
        frame[name] = pd.to_datetime(frame[name], unit="ns", utc=True)
    names = [kind.name for kind in EventKind]
    frame["kind"] = pd.Categorical(frame["kind"].map({kind.value: kind.name for kind in EventKind}), names)
    return frame

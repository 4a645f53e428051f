"""Converters into the event format of :mod:`hftlab.market.events`, and its native Parquet files.

- :func:`events_from_lobster`: a LOBSTER message/orderbook pair (Huang & Polak
  2011) as L3 events, from which the orderbook file is rebuilt exactly.
- :func:`events_from_ticks`: a CSV/Parquet tick table (the format
  :func:`~hftlab.market.replay_feed.load_ticks` reads) as a top-of-book L2 stream.
- :func:`write_events` / :func:`read_events`: the native format, one Parquet
  column per field of :data:`~hftlab.market.events.EVENT_DTYPE`, same types.
- :func:`recordings` / :func:`read_recording`: the recorder's directories of
  native parts (:mod:`hftlab.market.recorder`), hive-partitioned
  ``venue=<venue>/symbol=<symbol>/hour=<YYYY-MM-DDTHH>/part-<n>.parquet``.
- :func:`ticks_from_events`: events as a tick table (top of book after each
  update, trades as last/volume), what ``source="replay"`` streams of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import numba
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hftlab.errors import InvalidInput, NotFound
from hftlab.market.events import EVENT_DTYPE, EventKind, apply_clear, apply_level, validate_events
from hftlab.market.lobster import (
    EMPTY_ASK_PRICE,
    EMPTY_BID_PRICE,
    MESSAGE_COLUMNS,
    PRICE_SCALE,
    _apply,
    _fill_side,
    _load_side,
    read_messages,
    read_orderbook,
    replay_arrays,
)
from hftlab.market.replay_feed import LOBSTER_NAME, LOBSTER_TIMEZONE, _normalise, load_ticks
from hftlab.validation import names

_SCHEMA = pa.schema([(name, pa.from_numpy_dtype(EVENT_DTYPE[name])) for name in EVENT_DTYPE.names])
# LOBSTER message type -> event kind (0: dropped); 2 partial cancel and 3 delete are both CANCEL
_KINDS = np.array(
    [0, EventKind.ADD, EventKind.CANCEL, EventKind.CANCEL, EventKind.EXECUTE] + [EventKind.TRADE] * 2 + [0]
)


def events_from_lobster(
    message_path_or_frame, orderbook_path_or_frame, date: str | None = None, levels: int | None = None
) -> np.ndarray:
    """A LOBSTER message/orderbook pair as L3 events.

    The events start with a CLEAR (both sides) and anonymous SNAPSHOT rows for
    the book before the first message (orderbook row 0 with message 0 undone,
    bids best first, then asks), then one event per message: type 1 (submit)
    -> ADD, 2 (partial cancel) and 3 (delete) -> CANCEL of the message's size,
    4 (visible execution) -> EXECUTE (``side`` = the resting order's
    direction), 5 (hidden execution) -> TRADE with aggressor side
    ``-direction``, 6 (cross trade) -> TRADE with side 0; TRADE rows carry no
    order id. Type 7 (trading halt) is dropped.

    A level-L file only shows the top L levels, so after a message that
    empties a level, the levels entering the top L from beyond (known only
    from the orderbook file) follow as anonymous DEPTH rows, and levels we had
    kept beyond depth L that the file shows are gone get DEPTH rows of size 0.
    Applying the events to a book kept per price (anonymous volume and orders,
    see :mod:`hftlab.market.events`) gives every orderbook row exactly, at
    every level; files whose rows the messages do not reproduce raise
    :class:`~hftlab.errors.InvalidInput`.

    Parameters
    ----------
    message_path_or_frame, orderbook_path_or_frame : str, Path or pd.DataFrame
        The message and orderbook file of one day, or frames named as
        :func:`~hftlab.market.lobster.read_messages` and
        :func:`~hftlab.market.lobster.read_orderbook` return them (e.g. from
        :func:`~hftlab.market.synthetic.synthetic_lobster`).
    date : str, optional
        The trading day (``"2012-06-21"``); default: parsed from the message
        file's name (``SYMBOL_DATE_START_END_message_L.csv``); required for frames.
    levels : int, optional
        Depth L (checked against the orderbook's columns; default: inferred).

    Returns
    -------
    np.ndarray
        Events of :data:`~hftlab.market.events.EVENT_DTYPE`: prices in dollars
        (LOBSTER price / 10,000), ``exch_ts`` = ``local_ts`` = the message time
        (seconds after midnight, New York) on ``date``, in UTC ns.

    References
    ----------
    Huang & Polak (2011), "LOBSTER: Limit Order Book Reconstruction System", SSRN 1977207.
    """
    messages = _lobster_frame(message_path_or_frame, read_messages, "message_path_or_frame")
    orderbook = _lobster_frame(orderbook_path_or_frame, read_orderbook, "orderbook_path_or_frame")
    if date is None and isinstance(message_path_or_frame, (str, Path)):
        match = LOBSTER_NAME.match(Path(message_path_or_frame).name)
        date = match["date"] if match else None
    if date is None:
        raise InvalidInput(
            "'date' is required unless the message file is named SYMBOL_DATE_START_END_message_L.csv."
        )
    try:
        midnight = pd.Timestamp(date, tz=LOBSTER_TIMEZONE).value
    except ValueError:
        raise InvalidInput(f"'date' must be a day such as '2012-06-21'; got {date!r}.") from None
    if list(messages.columns) != MESSAGE_COLUMNS or orderbook.shape[1] % 4:
        raise InvalidInput(f"LOBSTER frames must have columns {MESSAGE_COLUMNS} and 4 per orderbook level.")
    depth = orderbook.shape[1] // 4
    if levels is not None and levels != depth:
        raise InvalidInput(f"'levels' must equal the orderbook file's depth ({depth}); got {levels!r}.")
    if len(messages) != len(orderbook):
        raise InvalidInput(
            f"the message file has {len(messages)} rows but the orderbook file has {len(orderbook)}."
        )
    if len(messages) == 0:
        return np.zeros(0, dtype=EVENT_DTYPE)
    unknown = np.flatnonzero(~messages["type"].between(1, 7).to_numpy())
    if len(unknown):
        raise InvalidInput(
            f"LOBSTER message row {unknown[0]} has type {messages['type'][unknown[0]]}; types are 1-7."
        )
    book = orderbook.to_numpy(np.int64)
    replayed, _ = replay_arrays(messages.to_numpy(np.float64), book)  # raises on inconsistent messages
    differ = np.flatnonzero((replayed != book).any(axis=1))
    if len(differ):
        raise InvalidInput(
            f"orderbook row {differ[0]} is not the book the messages leave ({len(differ)} such rows): "
            "the message and orderbook files do not belong together."
        )
    columns = [messages[name].to_numpy(np.int64) for name in ("type", "order_id", "size", "price", "direction")]
    row, kind, side, price, qty, order_id = _lobster_events(*columns, book, depth)
    times = midnight + np.round(messages["time"].to_numpy(np.float64) * 1e9).astype(np.int64)
    events = np.zeros(len(row), dtype=EVENT_DTYPE)
    events["exch_ts"] = events["local_ts"] = times[row]
    events["kind"], events["side"], events["order_id"] = kind, side, order_id
    events["price"], events["qty"] = price / PRICE_SCALE, qty
    return events


def _lobster_frame(value, reader, name: str) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        return value
    if not isinstance(value, (str, Path)):
        raise InvalidInput(f"'{name}' must be a path or a DataFrame; got {type(value).__name__}.")
    if not Path(value).is_file():
        raise NotFound(f"'{name}' {str(value)!r} does not exist.")
    return reader(value)


@numba.njit(cache=True)
def _lobster_events(types, order_ids, sizes, prices, directions, orderbook, levels):
    """Kernel of :func:`events_from_lobster`: ``(message row, kind, side, price, qty, order id)`` columns.

    Keeps the book of :func:`~hftlab.market.lobster.replay_arrays` (top L per
    side) plus, per side, a stack of the levels pushed beyond depth L (best on
    top), which an event reader still holds.
    """
    n = len(types)
    size = 3 * n + 4 * levels + 1  # seed, one event per message, fills and stale removals
    row, kind, side = np.zeros(size, np.int64), np.zeros(size, np.uint8), np.zeros(size, np.int8)
    price, qty, order_id = np.zeros(size, np.int64), np.zeros(size, np.int64), np.zeros(size, np.int64)
    book_p = np.empty((2, levels + 1), dtype=np.int64)  # [0] asks, [1] bids, best first, LOBSTER's order
    book_s = np.empty((2, levels + 1), dtype=np.int64)
    stale = np.empty((2, n + 1), dtype=np.int64)
    n_stale = np.zeros(2, dtype=np.int64)
    empty = (EMPTY_ASK_PRICE, EMPTY_BID_PRICE)
    count = np.zeros(2, dtype=np.int64)
    for s in range(2):
        count[s] = _load_side(orderbook[0], 2 * s, empty[s], book_p[s], book_s[s], levels)
    _apply_message(book_p, book_s, count, levels, types[0], sizes[0], prices[0], directions[0], True)
    kind[0] = EventKind.CLEAR  # both sides (side 0), then the book before message 0
    m = 1
    for s in (1, 0):
        for level in range(count[s]):
            kind[m], side[m], price[m], qty[m] = (
                EventKind.SNAPSHOT,
                2 * s - 1,
                book_p[s, level],
                book_s[s, level],
            )
            m += 1
    for k in range(n):
        for s in range(2):
            book_p[s, levels] = empty[s]  # a level pushed beyond depth L lands in this slot
        _apply_message(book_p, book_s, count, levels, types[k], sizes[k], prices[k], directions[k], False)
        if _KINDS[types[k]]:
            row[m], kind[m], price[m], qty[m] = k, _KINDS[types[k]], prices[k], sizes[k]
            if types[k] <= 4:  # ADD, CANCEL, EXECUTE: the resting order's id and side
                order_id[m], side[m] = order_ids[k], directions[k]
            elif types[k] == 5:  # TRADE against a hidden order: the aggressor is the other side
                side[m] = -directions[k]
            m += 1
        for s in range(2):
            if book_p[s, levels] != empty[s]:
                stale[s, n_stale[s]] = book_p[s, levels]
                n_stale[s] += 1
            before = count[s]
            count[s], _ = _fill_side(orderbook[k], 2 * s, empty[s], book_p[s], book_s[s], count[s], levels)
            sign = 2 * s - 1  # +1 bid, -1 ask
            # levels kept beyond depth L that the file shows gone: all of them if the side now has fewer
            # than L levels, else those at or better than its L-th level (one the file shows is re-set)
            while n_stale[s] and (
                count[s] < levels or sign * (stale[s, n_stale[s] - 1] - book_p[s, levels - 1]) >= 0
            ):
                n_stale[s] -= 1
                gone = stale[s, n_stale[s]]
                if not (book_p[s, before : count[s]] == gone).any():
                    row[m], kind[m], side[m], price[m] = k, EventKind.DEPTH, sign, gone
                    m += 1
            for level in range(before, count[s]):
                row[m], kind[m], side[m], price[m], qty[m] = (
                    k,
                    EventKind.DEPTH,
                    sign,
                    book_p[s, level],
                    book_s[s, level],
                )
                m += 1
    return row[:m], kind[:m], side[:m], price[:m], qty[:m], order_id[:m]


@numba.njit(cache=True)
def _apply_message(book_p, book_s, count, levels, kind, size, price, direction, undo):
    """:func:`~hftlab.market.lobster._apply` on our ``[asks, bids]`` arrays, counts updated in place."""
    count[0], count[1], _ = _apply(
        kind,
        size,
        price,
        direction,
        book_p[0],
        book_s[0],
        count[0],
        book_p[1],
        book_s[1],
        count[1],
        levels,
        undo,
    )


def events_from_ticks(path_or_frame, symbol: str | None = None) -> np.ndarray:
    """A tick table (``timestamp, symbol, bid, ask, bid_size, ask_size, last, volume``) as L2 events.

    Per row, in this order: a TRADE at ``last`` for ``volume`` (side 0) if
    ``volume > 0``; then per side (bid, then ask) a DEPTH of size 0 at the old
    best price when the best price changes, and a DEPTH at the new best price
    with its size when the price or the size changes. A side whose price is
    missing (NaN) is empty. ``exch_ts`` = ``local_ts`` = ``timestamp``.

    Parameters
    ----------
    path_or_frame : str, Path or pd.DataFrame
        A ``.csv``, ``.csv.gz`` or ``.parquet`` tick table, or a frame with its columns.
    symbol : str, optional
        The symbol to convert; required when the table holds several.
    """
    if isinstance(path_or_frame, pd.DataFrame):
        ticks, name = _normalise(path_or_frame, "frame"), "the tick frame"
    else:
        ticks, name = load_ticks(path_or_frame), Path(path_or_frame).name
    present = [str(s) for s in pd.unique(ticks["symbol"])]
    if symbol is None and len(present) > 1:
        raise InvalidInput(f"'symbol' is required: {name} holds {names(present)}.")
    if symbol is not None:
        if symbol not in present:
            raise NotFound(f"symbol {symbol!r} is not in {name}; it has {names(present)}.")
        ticks = ticks[ticks["symbol"] == symbol]  # keeps the table's row numbers for errors
    volume, last = ticks["volume"].to_numpy(), ticks["last"].to_numpy()
    trade = volume > 0
    _require(trade & ~np.isfinite(last), ticks, "last", "a row with volume > 0 needs the trade price")
    slots = [(trade, EventKind.TRADE, 0, last, volume)]
    for sign, column in ((1, "bid"), (-1, "ask")):
        best, size = ticks[column].to_numpy(), ticks[f"{column}_size"].to_numpy()
        shown = np.isfinite(best)
        _require(shown & ~(size >= 0), ticks, f"{column}_size", f"a row with a {column} needs its size")
        before, size_before = np.r_[np.nan, best[:-1]], np.r_[np.nan, size[:-1]]
        moved = (best != before) & (shown | np.isfinite(before))
        slots.append((moved & np.isfinite(before), EventKind.DEPTH, sign, before, 0.0))
        slots.append((shown & (moved | (size != size_before)), EventKind.DEPTH, sign, best, size))
    keep = np.stack([slot[0] for slot in slots], axis=1)  # row-major: row by row, slot by slot

    def column(i: int) -> np.ndarray:
        return np.stack([np.broadcast_to(slot[i], len(ticks)) for slot in slots], axis=1)[keep]

    events = np.zeros(int(keep.sum()), dtype=EVENT_DTYPE)
    events["exch_ts"] = events["local_ts"] = np.repeat(ticks["timestamp"].to_numpy(np.int64), keep.sum(axis=1))
    events["kind"], events["side"], events["price"], events["qty"] = column(1), column(2), column(3), column(4)
    return events


def _require(bad: np.ndarray, ticks: pd.DataFrame, column: str, rule: str) -> None:
    rows = np.flatnonzero(bad)
    if len(rows):
        row = ticks.index[rows[0]]
        raise InvalidInput(f"tick column {column!r} at row {row} is {ticks[column][row]}; {rule}.")


def write_events(events: np.ndarray, path: str | Path, *, validate: bool = True) -> None:
    """Write events as native Parquet: one column per field, same types (``kind`` uint8).

    ``validate=False`` skips :func:`~hftlab.market.events.validate_events` (for
    a part of a longer stream, whose book starts before the part does).
    """
    if validate:
        validate_events(events)
    columns = {name: np.ascontiguousarray(events[name]) for name in EVENT_DTYPE.names}
    pq.write_table(pa.table(columns, schema=_SCHEMA), path)


def is_native(path: Path) -> bool:
    """Whether ``path`` is a Parquet file with every column of the event format."""
    if not "".join(path.suffixes[-2:]).lower().endswith((".parquet", ".pq")):
        return False
    try:
        schema = pq.read_schema(path)
    except pa.ArrowException as exc:
        raise InvalidInput(f"{path.name} is not a readable Parquet file: {exc}") from None
    return set(EVENT_DTYPE.names) <= set(schema.names)


def read_events(path: str | Path) -> np.ndarray:
    """Events of a native Parquet file (see :func:`write_events`), not validated."""
    try:
        table = pq.read_table(path, columns=list(EVENT_DTYPE.names)).cast(_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InvalidInput(f"{Path(path).name} is not a file of the event format: {exc}") from None
    return _events(table)


def iter_events(parts: list[Path], rows: int) -> Iterator[np.ndarray]:
    """The events of native Parquet files one after another, at most ``rows`` at a time (a
    file's record batches: memory holds one), not validated."""
    for part in parts:
        try:
            for batch in pq.ParquetFile(part).iter_batches(batch_size=rows, columns=list(EVENT_DTYPE.names)):
                yield _events(pa.Table.from_batches([batch]).cast(_SCHEMA))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InvalidInput(f"{Path(part).name} is not a file of the event format: {exc}") from None


def _events(table: pa.Table) -> np.ndarray:
    events = np.zeros(table.num_rows, dtype=EVENT_DTYPE)
    for name in EVENT_DTYPE.names:
        events[name] = table[name].to_numpy()
    return events


_PART = re.compile(r"part-(\d+)\.parquet$")


def recordings(path: str | Path, venue: str | None = None, symbol: str | None = None) -> dict:
    """The recordings under ``path``: ``{(venue, symbol): [part files in time order]}``.

    ``path`` is a recorder's output directory, any directory below it (a
    venue's, a symbol's, an hour's) or one native Parquet file. A part's venue
    and symbol are its path's ``venue=`` and ``symbol=`` segments
    (URL-decoded, as Hive and pyarrow encode them); a native file outside such
    directories is a recording of its own, named by its stem. Parts are in time
    order: by ``hour=`` segment, then part number. ``venue`` and ``symbol`` keep
    only the matching recordings.
    """
    path = Path(path)
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(f for f in path.rglob("*") if f.is_file() and f.suffix in (".parquet", ".pq"))
    else:
        raise NotFound(f"'path' {str(path)!r} does not exist.")
    found: dict[tuple[str, str], list[tuple]] = {}
    for file in files:
        if not is_native(file):
            continue
        segments = dict(part.split("=", 1) for part in file.parts[:-1] if "=" in part)
        key = (unquote(segments.get("venue", "")), unquote(segments.get("symbol", file.stem)))
        number = _PART.match(file.name)
        found.setdefault(key, []).append((segments.get("hour", ""), int(number[1]) if number else -1, file))
    chosen = {
        key: [file for *_, file in sorted(parts)]
        for key, parts in found.items()
        if venue in (None, key[0]) and symbol in (None, key[1])
    }
    if not chosen:
        wanted = "".join(
            f" {name} {value!r}" for name, value in (("venue", venue), ("symbol", symbol)) if value
        )
        held = names(["/".join(key) for key in sorted(found)]) or "none"
        raise NotFound(f"no recording{wanted} of the event format under {str(path)!r}; it holds: {held}.")
    return chosen


def read_recording(path: str | Path, venue: str | None = None, symbol: str | None = None) -> np.ndarray:
    """The events of one recording under ``path`` (see :func:`recordings`), its parts concatenated.

    Raises :class:`~hftlab.errors.InvalidInput` naming ``venue`` and ``symbol``
    when ``path`` holds several recordings and they do not pick one.
    """
    return np.concatenate([read_events(part) for part in recording_parts(path, venue, symbol)])


def recording_parts(path: str | Path, venue: str | None = None, symbol: str | None = None) -> list[Path]:
    """The part files of the one recording under ``path``, in time order (see :func:`read_recording`)."""
    found = recordings(path, venue, symbol)
    if len(found) > 1:
        held = names([f"venue={v!r} symbol={s!r}" for v, s in sorted(found)])
        raise InvalidInput(f"'symbol' (and 'venue') must pick one recording under {str(path)!r}: {held}.")
    return next(iter(found.values()))


def ticks_from_events(events: np.ndarray, symbol: str) -> pd.DataFrame:
    """Events as a tick table (the columns :func:`~hftlab.market.replay_feed.load_ticks` returns).

    One tick per trade (TRADE or EXECUTE row: ``last`` = its price, ``volume``
    = its size) and one after each update that changes the top of book (an
    update: consecutive rows with the same ``exch_ts`` and ``local_ts``);
    ``bid``/``ask`` are the best prices after the row (NaN while a side is
    empty), ``bid_size``/``ask_size`` the size there (0 when empty),
    ``timestamp`` the row's ``exch_ts``. The book is kept per price as
    :func:`~hftlab.market.events.validate_events` keeps it.
    """
    codes, prices = pd.factorize(events["price"], use_na_sentinel=False)
    order = np.argsort(prices)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    grid = prices[order]
    rows, bid, ask, bid_size, ask_size = _tops(
        events["exch_ts"],
        events["local_ts"],
        events["kind"],
        events["side"],
        events["qty"],
        rank[codes],
        len(grid),
    )
    kinds = events["kind"][rows]
    trade = (kinds == EventKind.TRADE) | (kinds == EventKind.EXECUTE)
    last = pd.Series(np.where(trade, events["price"][rows], np.nan)).ffill().to_numpy()
    padded = np.r_[grid, np.nan]  # index -1 (an empty side) reads NaN
    return pd.DataFrame(
        {
            "timestamp": events["exch_ts"][rows],
            "symbol": symbol,
            "bid": padded[bid],
            "ask": padded[ask],
            "bid_size": bid_size,
            "ask_size": ask_size,
            "last": last,
            "volume": np.where(trade, events["qty"][rows], 0.0),
        }
    )


@numba.njit(cache=True)
def _tops(exch_ts, local_ts, kinds, sides, qty, level, n_levels):
    """Rows of :func:`ticks_from_events`' ticks and the top of book after each (-1: empty side)."""
    size = np.zeros((2, n_levels))
    stamp = np.zeros((2, n_levels), dtype=np.int64)  # a level counts only if stamped with its side's generation
    generation = np.ones(2, dtype=np.int64)
    counts = np.zeros(2, dtype=np.int64)  # non-empty levels of each side
    best_bid, best_ask = -1, n_levels
    n = len(kinds)
    rows, bids, asks = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64)
    bid_sizes, ask_sizes = np.empty(n), np.empty(n)
    m = 0
    shown_bid, shown_ask, shown_bid_size, shown_ask_size = -2, -2, -1.0, -1.0  # the top of the last tick
    for k in range(n):
        kind = kinds[k]
        if kind == EventKind.CLEAR:
            best_bid, best_ask = apply_clear(sides[k], generation, counts, best_bid, best_ask, n_levels)
        elif kind != EventKind.TRADE and kind != EventKind.GAP and kind != EventKind.RESYNC:
            best_bid, best_ask = apply_level(
                kind, sides[k], level[k], qty[k], size, stamp, generation, counts, best_bid, best_ask
            )
        ask = best_ask if best_ask < n_levels else -1
        bid_size = size[0, best_bid] if best_bid >= 0 else 0.0
        ask_size = size[1, ask] if ask >= 0 else 0.0
        moved = (
            best_bid != shown_bid
            or ask != shown_ask
            or bid_size != shown_bid_size
            or ask_size != shown_ask_size
        )
        trade = kind == EventKind.TRADE or kind == EventKind.EXECUTE
        last = k == n - 1 or exch_ts[k + 1] != exch_ts[k] or local_ts[k + 1] != local_ts[k]
        if trade or (last and moved):
            rows[m], bids[m], asks[m], bid_sizes[m], ask_sizes[m] = k, best_bid, ask, bid_size, ask_size
            shown_bid, shown_ask, shown_bid_size, shown_ask_size = best_bid, ask, bid_size, ask_size
            m += 1
    return rows[:m], bids[:m], asks[:m], bid_sizes[:m], ask_sizes[:m]

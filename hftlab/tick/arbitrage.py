"""Arbitrage on several replayed books at once, behind :func:`hftlab.arbitrage_backtest`.

Two strategies take liquidity only (IOC orders) across books stepped on one clock
(:mod:`hftlab.tick.arbitrage_driver`; fills by the engine's rules, :mod:`hftlab.tick.engine`):

- ``"cross_venue"``: one instrument on two venues (books ``"binance:BTC/USDT"`` and
  ``"kraken:BTC/USDT"``): buy where the ask is low, sell where the bid is high, in both
  directions; each venue keeps its own inventory (``max_position``), nothing is transferred.
- ``"triangular"``: three books whose currencies close a triangle (``"BTC/USDT"``,
  ``"ETH/USDT"``, ``"ETH/BTC"``): from the quote currency of the first book round the
  triangle, both ways, all three legs sent at once.

Books are named ``[venue:]BASE/QUOTE`` (``-`` also separates base and quote). Each book has its
own taker fee and order latency (``taker_fee``, ``order_latency``: one value per book), its tick
(the largest decimal step dividing all its prices, :func:`hftlab.tick.source.grid_step`) and one lot for all
(``lot_size``: our quantities are rounded down to it).
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

import numpy as np
import numpy.lib.recfunctions as rfn
import pandas as pd

from hftlab import cancel
from hftlab import validation as v
from hftlab.errors import InvalidInput, ResourceExhausted
from hftlab.market.events import EVENT_DTYPE, check_rows, events_from_frame
from hftlab.tick import arbitrage_driver as d
from hftlab.tick import engine as k
from hftlab.tick.arbitrage_result import ArbitrageResult, build_result
from hftlab.tick.backtest import _engine, _seconds, room
from hftlab.tick.source import ArraySource, Feed

STRATEGIES = ("cross_venue", "triangular")
BOOK_EVENT_DTYPE = np.dtype([(name, EVENT_DTYPE[name]) for name in EVENT_DTYPE.names] + [("book", np.int64)])
"""The events of several books in one array: an :data:`~hftlab.market.EVENT_DTYPE` row and the
index of its book (in the request's ``books``)."""
LOT = 1e-8
"""Default lot of every book (``lot_size``): our quantities are rounded down to it."""
CHUNK = 1 << 20
"""Times of the common clock stepped between two checks of the caller's cancellation."""
_NAME = re.compile(r"^(?:([^:]+):)?([A-Za-z0-9_.]+)[/-]([A-Za-z0-9_.]+)$")


class Book(NamedTuple):
    name: str
    venue: str
    base: str
    quote: str


class Cycles(NamedTuple):
    """The strategy's cycles: per cycle and leg, the book and the side (+1 buy, -1 sell)."""

    legs: np.ndarray
    sides: np.ndarray
    currency: str  # where every cycle starts and ends


def parse_books(names: Any) -> list[Book]:
    if not isinstance(names, (list, tuple)) or not all(isinstance(name, str) for name in names):
        raise v.fail("books", "a list of book names such as 'binance:BTC/USDT'", names)
    books = []
    for name in names:
        match = _NAME.match(name)
        if match is None or match[2] == match[3]:
            raise v.fail("books", "names '[venue:]BASE/QUOTE' such as 'binance:BTC/USDT'", name)
        books.append(Book(name, match[1] or "", match[2], match[3]))
    if len(set(names)) != len(names):
        raise v.fail("books", "distinct names", list(names))
    return books


def cycles(strategy: str, books: list[Book]) -> Cycles:
    """The cycles of ``strategy`` on ``books``, or :class:`InvalidInput` naming ``books``."""
    v.check_choice("strategy", strategy, STRATEGIES)
    if strategy == "cross_venue":
        if len(books) != 2:
            raise v.fail("books", "two books (one instrument on two venues) for 'cross_venue'", len(books))
        a, b = books
        if (a.base, a.quote) != (b.base, b.quote):
            raise InvalidInput(
                f"'books' {a.name!r} and {b.name!r} do not share an instrument ({a.base}/{a.quote} vs "
                f"{b.base}/{b.quote}); 'cross_venue' trades one instrument on two venues."
            )
        legs, sides = np.array([[1, 0, 0], [0, 1, 0]]), np.array([[1, -1, 0], [1, -1, 0]])
        return Cycles(legs, sides, a.quote)
    if len(books) != 3:
        raise v.fail("books", "three books (a triangle of currencies) for 'triangular'", len(books))
    currencies = [c for book in books for c in (book.base, book.quote)]
    if len(set(currencies)) != 3 or any(currencies.count(c) != 2 for c in currencies):
        raise InvalidInput(
            f"'books' {[book.name for book in books]} do not close a triangle: each of three currencies "
            f"must be in exactly two books; got {sorted(set(currencies))}."
        )
    start, first = books[0].quote, books[0].base
    (last,) = set(currencies) - {start, first}
    legs, sides = np.zeros((2, 3), np.int64), np.zeros((2, 3), np.int64)
    for c, path in enumerate(((start, first, last, start), (start, last, first, start))):
        for leg in range(3):
            have, want = path[leg], path[leg + 1]
            b = next(i for i, book in enumerate(books) if {book.base, book.quote} == {have, want})
            legs[c, leg], sides[c, leg] = b, 1 if books[b].base == want else -1
    return Cycles(legs, sides, start)


def per_book(name: str, values: Any, books: list[Book], low: float, high: float, seconds: bool) -> dict:
    """One value per book (a dict by book name), each checked."""
    if not isinstance(values, dict):
        raise v.fail(name, "a dict of book name to value (one per book)", values)
    missing = [book.name for book in books if book.name not in values]
    if missing:
        raise InvalidInput(f"'{name}' has no value for the book(s) {missing}; give one per book.")
    unknown = sorted(set(values) - {book.name for book in books})
    if unknown:
        raise v.fail(name, f"values only for the books {[book.name for book in books]}", unknown)
    if seconds:
        return {book.name: _seconds(f"{name}[{book.name}]", values[book.name]) for book in books}
    return {
        book.name: v.check_float(f"{name}[{book.name}]", values[book.name], low=low, high=high, low_open=True)
        for book in books
    }


def merge_books(books: dict) -> tuple[np.ndarray, list[str]]:
    """The events of a dict of book name -> events (anything :func:`hftlab.load_events` reads)
    as one :data:`BOOK_EVENT_DTYPE` array, and the names in order."""
    from hftlab.market.events import load_events

    if not isinstance(books, dict) or not books:
        raise v.fail("books", "a dict of book name ('binance:BTC/USDT') to its events", books)
    names = list(books)
    parts = []
    for b, name in enumerate(names):
        part = rfn.require_fields(load_events(books[name], validate=False), BOOK_EVENT_DTYPE)
        part["book"] = b
        parts.append(part)
    return np.concatenate(parts), names


def split_books(events: np.ndarray, books: list[Book]) -> list[np.ndarray]:
    """Each book's events (checked row by row) from one :data:`BOOK_EVENT_DTYPE` array."""
    index = events["book"]
    if len(index) and (index.min() < 0 or index.max() >= len(books)):
        raise v.fail(
            "events",
            f"book indices in [0, {len(books) - 1}]",
            int(index.min() if index.min() < 0 else index.max()),
        )
    parts = []
    for b, book in enumerate(books):
        part = rfn.require_fields(events[index == b], EVENT_DTYPE)
        if len(part) == 0:
            raise InvalidInput(f"'events' hold no event of the book {book.name!r}.")
        try:
            check_rows(part)
        except InvalidInput as exc:
            raise InvalidInput(f"book {book.name!r}: {exc}") from exc
        parts.append(part)
    return parts


SETTINGS = ("min_return", "max_notional", "max_position", "lot_size", "feed_latency", "sample_every", "on_miss")


def check_settings(books, strategy, taker_fee, order_latency, **settings) -> dict:
    """Every setting checked (durations in seconds; ``books`` parsed): the one validation of
    the request and of :func:`arbitrage_backtest`, so both backends refuse alike.
    ``settings``: the keyword arguments named in :data:`SETTINGS`."""
    parsed = parse_books(books)
    cycles(strategy, parsed)
    limit, notional, feed = settings["max_position"], settings["max_notional"], settings["feed_latency"]
    return {
        "books": parsed,
        "strategy": strategy,
        "taker_fee": per_book("taker_fee", taker_fee, parsed, -1.0, 1.0, False),
        "order_latency": per_book("order_latency", order_latency, parsed, 0.0, 0.0, True),
        "min_return": v.check_float("min_return", settings["min_return"], low=-1.0, high=1e6),
        "max_notional": None
        if notional is None
        else v.check_float("max_notional", notional, low=0, low_open=True),
        "max_position": None if limit is None else v.check_float("max_position", limit, low=0),
        "lot_size": v.check_float("lot_size", settings["lot_size"], low=1e-12, high=1e9),
        "feed_latency": None if feed is None else _seconds("feed_latency", feed),
        "sample_every": _seconds("sample_every", settings["sample_every"], positive=True),
        "on_miss": v.check_choice("on_miss", settings["on_miss"], list(d.ON_MISS_CODES)),
    }


def arbitrage_backtest(
    events: np.ndarray,
    books: list[str],
    taker_fee: dict[str, float],
    order_latency: dict[str, float],
    strategy: str = "cross_venue",
    min_return: float = 0.0,
    max_notional: float | None = None,
    max_position: float | None = None,
    lot_size: float = LOT,
    feed_latency: float | None = None,
    sample_every: float = 1.0,
    on_miss: str = "hold",
) -> ArbitrageResult:
    """Run ``strategy`` on the books of ``events`` (:data:`BOOK_EVENT_DTYPE`, books named in
    ``books``); the public function :func:`hftlab.arbitrage_backtest` documents the rest.

    References
    ----------
    hftbacktest (nkaz001): multi-asset backtests on one clock, and the fill rules of
    ``docs/order_fill.rst`` that each book's engine follows.
    """
    checked = check_settings(
        books, strategy, taker_fee, order_latency, min_return=min_return, max_notional=max_notional,
        max_position=max_position, lot_size=lot_size, feed_latency=feed_latency, sample_every=sample_every,
        on_miss=on_miss,
    )  # fmt: skip
    parsed, fees, latencies = checked["books"], checked["taker_fee"], checked["order_latency"]
    plan = cycles(strategy, parsed)
    feed = -1 if checked["feed_latency"] is None else round(checked["feed_latency"] * 1e9)
    every = round(checked["sample_every"] * 1e9)
    parts = split_books(events, parsed)
    lot = checked["lot_size"]
    first = min(int(part["exch_ts"][0]) for part in parts)
    last = max(int(part["exch_ts"][-1]) for part in parts)
    engines = [
        _book_engine(part, feed, round(latencies[book.name] * 1e9), fees[book.name], lot, every, first, last)
        for part, book in zip(parts, parsed, strict=True)
    ]
    seen = [part["local_ts"] if feed < 0 else part["exch_ts"] + feed for part in parts]
    times = np.unique(np.concatenate([part["exch_ts"] for part in parts] + seen))
    limits = [checked[name] for name in ("max_notional", "max_position")]
    settings = np.array(
        [
            checked["min_return"],
            *(math.inf if limit is None else limit for limit in limits),
            d.ON_MISS_CODES[checked["on_miss"]],
        ],
        dtype=np.float64,
    )
    open_rows = np.full(len(plan.legs), -1, np.int64)
    opps, attempts = np.zeros(1024, d.OPPORTUNITY_DTYPE), np.zeros(1024, d.ATTEMPT_DTYPE)
    counts, scratch, n_legs = np.zeros(2, np.int64), np.zeros(6), 2 if strategy == "cross_venue" else 3
    reached = 0
    while reached < len(times):
        third = engines[2] if len(engines) == 3 else engines[1]  # two books: never stepped
        end = min(reached + CHUNK, len(times))
        reached = d.drive(
            engines[0], engines[1], third, len(engines), times, reached, end, plan.legs, plan.sides, n_legs,
            settings, open_rows, opps, attempts, counts, scratch,
        )  # fmt: skip
        cancel.check()
        if reached < end:
            engines = [engine if k.has_room(engine) else k.grown(engine) for engine in engines]
            if counts[d.N_OPP] + len(plan.legs) >= len(opps):
                opps = np.concatenate([opps, np.zeros(len(opps), opps.dtype)])
            if counts[d.N_ATT] + 1 >= len(attempts):
                attempts = np.concatenate([attempts, np.zeros(len(attempts), attempts.dtype)])
    for b, engine in enumerate(engines):
        while not engine.ints[k.OVERFLOW] and k.advance(engine, k.NEVER):  # the last replies; more room
            engine = engines[b] = k.grown(engine)
        k.finish(engine)
        if engine.ints[k.OVERFLOW]:
            raise ResourceExhausted("the arbitrage backtest ran out of room for orders; send fewer.")
    opps = opps[: counts[d.N_OPP]]
    opps["end"][opps["end"] < 0] = int(times[-1])  # still open at the end of the data
    return build_result(
        strategy,
        parsed,
        plan,
        engines,
        opps,
        attempts[: counts[d.N_ATT]],
        fees,
        latencies,
        [len(p) for p in parts],
    )


def _book_engine(events, feed, latency, fee, lot, every, first, last) -> k.Engine:
    """One book's engine, its events whole (one chunk), sampled on the common clock from ``first``."""
    source = ArraySource(events)
    survey = source.survey(None, None)
    next(source.chunks(survey))  # checks the book (never crossed)
    stream = Feed(iter([events]), feed, events, np.zeros(0, np.int64))
    engine = _engine(stream, survey, latency, None, feed, every, None, "risk_averse", 3.0, (fee, fee))
    engine.ints[k.NEXT_SAMPLE] = first
    engine.floats[k.LOT] = lot
    return engine._replace(samples=room((last - first) // every + 2, k.SAMPLE_DTYPE))


def frame_to_events(frame: Any) -> np.ndarray:
    """A :data:`BOOK_EVENT_DTYPE` array from the frame (or the structured array of its columns,
    as a server decodes it) it travels as, or the array itself."""
    if isinstance(frame, np.ndarray) and frame.dtype == BOOK_EVENT_DTYPE:
        return frame
    if not isinstance(frame, pd.DataFrame) and not (isinstance(frame, np.ndarray) and frame.dtype.names):
        raise v.fail(
            "events", "a BOOK_EVENT_DTYPE array (hftlab.tick.arbitrage) or a frame of its columns", frame
        )
    return events_from_frame(frame, BOOK_EVENT_DTYPE)

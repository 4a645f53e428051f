"""Where the tick engine's events come from, a chunk at a time: memory flat in their number.

An array in memory is fed as views of :data:`CHUNK` rows. Native Parquet files (one file, or a
recording: :func:`~hftlab.market.event_sources.recording_parts`) are read twice, a record
batch at a time and never whole: the first pass checks every row
(:func:`~hftlab.market.events.check_rows`, across batches) and surveys what the engine's
set-up needs (:class:`Survey`); the second checks the book batch by batch
(:class:`~hftlab.market.events.BookCheck`) as it feeds the engine. L3 files are the exception:
exact FIFO queues number every order of the day, so they are read whole.

The engine holds one chunk, plus the rows its delayed view has not reached yet, and pauses at
its horizon, the first time the next chunk may hold something (``engine.HORIZON``); then
:meth:`Feed.refill` moves it on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np

from hftlab.errors import InvalidInput
from hftlab.market import event_sources as sources
from hftlab.market.events import BookCheck, check_rows, load_events, row_carry
from hftlab.tick import engine as k

CHUNK = 1_000_000  # events between two returns to Python (a progress update, a chance to Ctrl-C)


MARGIN_TICKS = 1_000  # room beyond the data's prices for our own orders
MAX_TICKS = 20_000_000  # the most price levels an engine's book holds


class Survey(NamedTuple):
    """What the engine's set-up needs to know of the events, from one pass over them."""

    count: int
    first_exch: int
    first_local: int
    last_exch: int
    tick: float  # the tick size given, or the grid of the events' prices (grid_step)
    lot: float  # the lot size given, or the smallest quantity
    low: int  # the lowest and highest price of a priced row, in ticks
    high: int
    by_order: bool  # rows add orders (L3 data)
    at_once: bool  # every row reached us when it happened
    early: int  # the most ns a row was received before the exchange stamped it (clock skew; 0: none)


class _Tally:
    """A survey added up chunk by chunk."""

    def __init__(self, tick_size: float | None, lot_size: float | None) -> None:
        self.tick_size, self.lot_size = tick_size, lot_size
        self.count, self.first = 0, None
        self.low, self.high, self.by_order, self.at_once, self.early = np.inf, -np.inf, False, True, 0
        self.prices, self.qty = np.zeros(0), np.inf  # distinct positive prices, smallest quantity

    def add(self, chunk: np.ndarray) -> None:
        if self.first is None and len(chunk):
            self.first = int(chunk["exch_ts"][0]), int(chunk["local_ts"][0])
        low, high, by_order, at_once, early = k.survey(
            chunk["kind"], chunk["price"], chunk["exch_ts"], chunk["local_ts"]
        )
        self.low, self.high = min(self.low, low), max(self.high, high)
        self.by_order, self.at_once = self.by_order or by_order, self.at_once and at_once
        self.early = max(self.early, int(early))
        if self.tick_size is None or self.lot_size is None:
            priced = k.PRICED_KINDS[chunk["kind"]]
            prices, qty = chunk["price"][priced], chunk["qty"][priced]
            self.prices = np.union1d(self.prices, prices[prices > 0])
            self.qty = min(self.qty, qty[qty > 0].min(initial=np.inf))
        self.count += len(chunk)

    def survey(self, last_exch: int) -> Survey:
        if self.count == 0:
            raise InvalidInput("'events' must hold at least one event; got none.")
        tick = self.tick_size or grid_step(self.prices)
        lot = self.lot_size or _rounded(self.qty if np.isfinite(self.qty) else 1.0)
        low, high = (round(self.low / tick), round(self.high / tick)) if self.low <= self.high else (0, 0)
        if high - low + 1 + 2 * MARGIN_TICKS > MAX_TICKS:
            raise InvalidInput(
                f"'tick_size' {tick} spreads the events' prices over {high - low + 1:,} ticks (at most "
                f"{MAX_TICKS - 2 * MARGIN_TICKS:,}); give the instrument's tick size."
            )
        return Survey(
            self.count, *self.first, last_exch, tick, lot, low, high, self.by_order, self.at_once, self.early
        )


def grid_step(prices: np.ndarray) -> float:
    """The tick of distinct positive ``prices``: the largest decimal step (``k / 10^d``,
    ``d <= 10``) that divides every one of them. The smallest step between them may not: a
    book that quotes only every other tick around an odd one."""
    for digits in range(11):
        scaled = prices * 10.0**digits
        if len(scaled) and scaled.max() >= 2.0**53:  # no longer whole numbers a float holds exactly
            raise InvalidInput(f"'events' holds a price of {prices.max():g}, too large for a grid of ticks.")
        whole = np.round(scaled)
        if np.all(np.abs(scaled - whole) <= np.maximum(1e-6, 1e-12 * scaled)):
            return float(np.gcd.reduce(whole.astype(np.int64))) / 10.0**digits if len(whole) else 1.0
    raise InvalidInput(
        f"'events' prices are not on a decimal grid of 10 digits or fewer (e.g. {prices[:3].tolist()});"
        " give 'tick_size'."
    )


def _rounded(value: float) -> float:
    return float(f"{value:.10g}")


class ArraySource:
    """Events in memory: checked whole, fed as views."""

    def __init__(self, events: np.ndarray) -> None:
        self.events = events

    def survey(self, tick_size: float | None, lot_size: float | None) -> Survey:
        check_rows(self.events)
        tally = _Tally(tick_size, lot_size)
        tally.add(self.events)
        return tally.survey(int(self.events["exch_ts"][-1]) if len(self.events) else 0)

    def chunks(self, survey: Survey) -> Iterator[np.ndarray]:
        _book_check(survey)(self.events)
        for start in range(0, len(self.events), CHUNK):
            yield self.events[start : start + CHUNK]


class FileSource:
    """Native Parquet files, read a record batch at a time in each of two passes."""

    def __init__(self, parts: list[Path]) -> None:
        self.parts = parts

    def survey(self, tick_size: float | None, lot_size: float | None) -> Survey:
        carry, tally = row_carry(), _Tally(tick_size, lot_size)
        for chunk in sources.iter_events(self.parts, CHUNK):
            check_rows(chunk, carry, tally.count)
            tally.add(chunk)
        return tally.survey(int(carry[0]))

    def chunks(self, survey: Survey) -> Iterator[np.ndarray]:
        check, done = _book_check(survey), 0
        batches = (chunk for chunk in sources.iter_events(self.parts, CHUNK) if len(chunk))
        chunk = next(batches, None)
        while chunk is not None:
            following = next(batches, None)
            check(chunk, first_row=done, next_ts=-1 if following is None else int(following["exch_ts"][0]))
            yield chunk
            done, chunk = done + len(chunk), following


def _book_check(survey: Survey) -> BookCheck:
    return BookCheck(np.arange(survey.low, survey.high + 1) * survey.tick, survey.tick)


def open_source(events) -> ArraySource | FileSource:
    """A native Parquet file or a recording directory streams; anything else
    :func:`~hftlab.load_events` reads is read whole (rows checked by the source)."""
    if isinstance(events, (str, Path)):
        path = Path(events)
        if path.is_dir() or (path.is_file() and sources.is_native(path)):
            return FileSource(sources.recording_parts(path))
    return ArraySource(load_events(events, validate=False))


class Feed:
    """Hands the engine its events chunk by chunk (``order_seq``: the L3 order numbers of an
    array's rows, sliced alongside)."""

    def __init__(
        self, chunks: Iterator[np.ndarray], feed: int, whole: np.ndarray | None, order_seq: np.ndarray
    ):
        self.chunks, self.feed, self.whole, self.order_seq = chunks, feed, whole, order_seq
        self.first = next(chunks)
        self.next = next(chunks, None)
        self.offset = 0  # the row of the whole that the engine's first row is

    def take_first(self) -> np.ndarray:
        """The first chunk, for the engine to start with (not kept here)."""
        first, self.first = self.first, None
        return first

    def horizon(self) -> int:
        """The first time at which the next chunk holds something (never, if there is none)."""
        if self.next is None:
            return k.NEVER
        exch, local = int(self.next["exch_ts"][0]), int(self.next["local_ts"][0])
        return min(exch, local if self.feed < 0 else exch + self.feed)

    def refill(self, E: k.Engine) -> k.Engine:
        """The engine with the rows it has not finished and the next chunk."""
        ints = E.ints
        cut = ints[k.IE] if ints[k.SAME_VIEW] else min(ints[k.IE], ints[k.IL])
        length = len(E.events) - cut + len(self.next)
        if self.whole is not None:  # views of one array: no copy
            start = self.offset + cut
            events = self.whole[start : start + length]
        else:
            events = np.concatenate([E.events[cut:], self.next]) if cut < len(E.events) else self.next
        order_seq = (
            self.order_seq[self.offset + cut : self.offset + cut + length]
            if len(self.order_seq)
            else self.order_seq
        )
        self.offset += cut
        ints[k.IE] -= cut
        if not ints[k.SAME_VIEW]:
            ints[k.IL] -= cut
        self.next = next(self.chunks, None)
        ints[k.HORIZON] = self.horizon()
        return E._replace(events=events, order_seq=order_seq)

    def done(self, E: k.Engine) -> int:
        """How many events the exchange has processed."""
        return self.offset + int(E.ints[k.IE])

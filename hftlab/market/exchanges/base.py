"""What every exchange connector shares: connection loop, backoff, books, ticks, statistics.

A connector is an :class:`~hftlab.market.feeds.AsyncFeed`: it opens the
exchange's public websocket, subscribes, keeps one :class:`~hftlab.market.book.L2Book`
per symbol in sync with the exchange's own integrity rules (update ids,
checksums, trade ids) and turns book changes and trades into ticks, batched by
size (``batch_size``) or time (``flush_interval``).

Robustness, as production market-data handlers do it (e.g. ccxt.pro,
NautilusTrader's adapters):

- a dropped or failed connection is re-opened with **exponential backoff**
  (``reconnect_delay`` doubling up to ``max_reconnect_delay``, with jitter;
  reset once a connection delivers data); every book is resynchronised after;
- a **gap** (missed update id, failed checksum, skipped trade id, an update
  that would cross the book) marks that book stale and triggers a **resync**
  from a fresh snapshot, without dropping the connection;
- a **malformed message** is counted (``stats.malformed``), logged and
  skipped: it never stops the feed.

Events (the recorder's extension point): a connector given ``on_event``
reports, as it applies them, every change of its books and every trade as rows
of the event format (:mod:`hftlab.market.events`): ``on_event(symbol,
exch_ts, local_ts, kind, side, price, qty, update_id)``. A (re)built book is a
CLEAR of both sides and one SNAPSHOT row per level it holds (bids best first,
then asks); an applied diff is one DEPTH row per level it sets (plus a DEPTH
of size 0 per level a depth-limited book drops); a trade is a TRADE row. A
detected gap (an integrity failure, or a lost connection while the book was in
sync) is one GAP row; the next snapshot of that book is followed by a RESYNC
row. ``exch_ts`` is the venue's time (None where the message carries none:
the consumer chooses), ``local_ts`` the receive time of the message (for a
REST snapshot and the diffs buffered for it: when the snapshot was applied,
the first moment the book held them).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import websockets

from hftlab.errors import BackendUnavailable, DeadlineExceeded, InvalidInput
from hftlab.market.book import L2Book
from hftlab.market.events import EventKind
from hftlab.market.feeds import AsyncFeed, TickBatch, TickBuffer
from hftlab.retry import Backoff

logger = logging.getLogger("hftlab.market.exchanges")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LOGGED_MALFORMED = 10
_CONNECTION_ERRORS = (
    websockets.ConnectionClosed,
    websockets.InvalidHandshake,
    websockets.InvalidURI,
    OSError,
    TimeoutError,
)


class MalformedMessage(ValueError):
    """A message that does not follow the exchange's protocol."""


@dataclass
class FeedStats:
    """Counters of one connector (all since it was created)."""

    messages: int = 0
    """Websocket messages received."""
    malformed: int = 0
    """Messages that could not be decoded or did not follow the protocol (skipped)."""
    ignored: int = 0
    """Valid messages the feed does not use (heartbeats, acknowledgements, other channels)."""
    snapshots: int = 0
    """Books (re)built from a snapshot."""
    gaps: int = 0
    """Integrity failures detected (missed update ids, checksums, trade ids, crossed updates)."""
    reconnects: int = 0
    """Connections re-opened after a drop or a failed attempt."""


def iso_ns(text: str) -> int:
    """Nanoseconds since the epoch of an ISO-8601 UTC time (``2021-04-17T16:43:37.075687Z``)."""
    moment = datetime.fromisoformat(text)
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1000


def parse_levels(levels: Any) -> tuple[list[float], list[float]]:
    """Prices and sizes of ``[[price, size, ...], ...]`` (decimal strings or numbers), checked.

    Raises :class:`MalformedMessage` for a non-positive or non-finite price or a
    negative or non-finite size, so a book error can only mean the book would cross.
    """
    prices, sizes = [], []
    for level in levels:
        price, size = float(level[0]), float(level[1])
        if not (math.isfinite(price) and price > 0 and math.isfinite(size) and size >= 0):
            raise MalformedMessage(f"price level {level!r}")
        prices.append(price)
        sizes.append(size)
    return prices, sizes


def seconds_ns(text: str | float) -> int:
    """Nanoseconds since the epoch of seconds given as a decimal string (``"1618678133.365913"``)."""
    whole, _, fraction = str(text).partition(".")
    return int(whole) * 1_000_000_000 + int((fraction + "000000000")[:9])


EventSink = Callable[[str, "int | None", int, int, int, float, float, int], None]
"""``on_event(symbol, exch_ts, local_ts, kind, side, price, qty, update_id)``: one event row."""


class ExchangeFeed(AsyncFeed):
    """Base of the exchange connectors (see the module docstring).

    Parameters
    ----------
    symbols : list of str
        Instruments in the exchange's own spelling.
    ws_url, rest_url : str, optional
        Websocket and REST base URLs (default: the exchange's public endpoints;
        point them at a testnet or a replay server).
    batch_size : int
        A batch is emitted once this many ticks are buffered...
    flush_interval : float
        ...or this many seconds after the previous batch, if any tick is buffered.
    max_batches : int, optional
        The stream ends with batch number ``max_batches``.
    resume_from : int
        Number batches from ``resume_from + 1`` (live data missed meanwhile is gone).
    reconnect_delay, max_reconnect_delay : float
        Backoff after a failed connection: ``reconnect_delay * 2**k`` seconds,
        capped, with +-20 % jitter.
    max_reconnects : int, optional
        Give up (:class:`~hftlab.errors.BackendUnavailable`) after this many
        failed connections in a row (None: never).
    open_timeout : float
        Seconds allowed to open a connection.
    on_event : callable, optional
        Receives every book change, trade, gap and resync as an event row (see
        the module docstring); called in the feed's event loop, so it must be quick.
    """

    name: ClassVar[str]
    WS_URL: ClassVar[str]
    REST_URL: ClassVar[str | None] = None
    MAX_DEPTH: ClassVar[int | None] = None

    def __init__(
        self,
        symbols: list[str],
        ws_url: str | None = None,
        rest_url: str | None = None,
        *,
        batch_size: int = 1000,
        flush_interval: float = 0.25,
        max_batches: int | None = None,
        resume_from: int = 0,
        reconnect_delay: float = 0.5,
        max_reconnect_delay: float = 30.0,
        max_reconnects: int | None = None,
        open_timeout: float = 10.0,
        on_event: EventSink | None = None,
    ) -> None:
        if not symbols:
            raise InvalidInput("'symbols' must name at least one instrument.")
        self.symbols = list(symbols)
        self.ws_url = (ws_url or self.WS_URL).rstrip("/")
        self.rest_url = (rest_url or self.REST_URL or "").rstrip("/") or None
        self.batch_size, self.flush_interval = batch_size, flush_interval
        self.max_batches, self.resume_from = max_batches, resume_from
        self.reconnect_delay, self.max_reconnect_delay = reconnect_delay, max_reconnect_delay
        self.max_reconnects, self.open_timeout = max_reconnects, open_timeout
        self.on_event = on_event
        self.stats = FeedStats()
        self.books = {s: L2Book(s, max_depth=self.MAX_DEPTH) for s in self.symbols}
        self._ids = {s: i for i, s in enumerate(self.symbols)}
        self._buffer = TickBuffer(self.symbols)
        self._last_price = dict.fromkeys(self.symbols, math.nan)
        self._last_top: dict[str, tuple] = {}
        self._resync: set[str] = set()
        self._inbox: asyncio.Queue | None = None
        self._tasks: set[asyncio.Task] = set()
        self._received_ns = 0  # receive time of the message (or snapshot) being applied
        self._gapped: set[str] = set()  # symbols with a GAP row not yet followed by a RESYNC

    # ------------------------------------------------------------ subclass hooks

    def _url(self) -> str:
        """The websocket address to connect to."""
        return self.ws_url

    async def _on_open(self, ws) -> None:
        """Subscribe (and start snapshot requests) on a new connection."""

    def _handle(self, message: Any, received_ns: int) -> None:
        """Apply one decoded message; raise ``KeyError``/``ValueError``... if it is malformed."""
        raise NotImplementedError

    async def _resync_books(self, ws, symbols: set[str]) -> None:
        """Start rebuilding the books of ``symbols`` from fresh snapshots."""
        raise NotImplementedError

    # ------------------------------------------------------------ books and ticks

    def _gap(self, symbol: str, reason: str, first_missing: int = 0) -> None:
        """An integrity failure: the book is stale until a fresh snapshot arrives.

        ``first_missing``: the first update id the book misses, where the venue numbers updates.
        """
        self.stats.gaps += 1
        self.books[symbol].mark_stale()
        self._resync.add(symbol)
        self._emit_gap(symbol, first_missing)
        logger.warning("%s %s: %s; resynchronising the book", self.name, symbol, reason)

    # ------------------------------------------------------------ event rows (on_event)

    def _emit(
        self,
        symbol: str,
        kind: int,
        exch_ts: int | None,
        side: int = 0,
        price: float = 0.0,
        qty: float = 0.0,
        update_id: int = 0,
    ) -> None:
        if self.on_event is not None:
            self.on_event(symbol, exch_ts, self._received_ns, kind, side, price, qty, update_id)

    def _emit_gap(self, symbol: str, first_missing: int = 0) -> None:
        """A GAP row, unless the book already awaits its resync."""
        if self.on_event is not None and symbol not in self._gapped:
            self._gapped.add(symbol)
            self._emit(symbol, EventKind.GAP, None, update_id=first_missing)

    def _emit_book(self, symbol: str, exch_ts: int | None, update_id: int = 0) -> None:
        """CLEAR and SNAPSHOT rows of the book as (re)built, then RESYNC if it followed a gap."""
        if self.on_event is None:
            return
        book = self.books[symbol]
        self._emit(symbol, EventKind.CLEAR, exch_ts, update_id=update_id)
        for side, levels in ((1, book.bids()), (-1, book.asks())):
            for price, size in levels.tolist():
                self._emit(symbol, EventKind.SNAPSHOT, exch_ts, side, price, size, update_id)
        if symbol in self._gapped:
            self._gapped.discard(symbol)
            self._emit(symbol, EventKind.RESYNC, exch_ts, update_id=update_id)

    def _emit_levels(
        self,
        symbol: str,
        exch_ts: int | None,
        sides: list[int],
        prices: list[float],
        sizes: list[float],
        update_id: int = 0,
        before: dict[int, set[float]] | None = None,
    ) -> None:
        """DEPTH rows of an applied diff; with ``before`` (the prices each touched side held),
        also a DEPTH of size 0 per level the book's depth limit dropped."""
        if self.on_event is None:
            return
        for side, price, size in zip(sides, prices, sizes, strict=True):
            self._emit(symbol, EventKind.DEPTH, exch_ts, side, price, size, update_id)
        for side, held in (before or {}).items():
            for s, price, size in zip(sides, prices, sizes, strict=True):  # the diff, in order
                if s == side and size > 0:
                    held.add(price)
                elif s == side:
                    held.discard(price)
            levels = self.books[symbol].bids() if side == 1 else self.books[symbol].asks()
            for price in sorted(held - set(levels[:, 0].tolist()), reverse=side == 1):
                self._emit(symbol, EventKind.DEPTH, exch_ts, side, price, 0.0, update_id)

    def _held_before(self, symbol: str, sides: list[int], sizes: list[float]) -> dict[int, set[float]] | None:
        """Prices each side touched by a diff holds now, if the diff could push levels past
        the book's depth limit (and events are reported); else None."""
        book = self.books[symbol]
        if self.on_event is None or self.MAX_DEPTH is None or len(book) + len(sizes) <= self.MAX_DEPTH:
            return None
        return {side: set((book.bids() if side == 1 else book.asks())[:, 0].tolist()) for side in set(sides)}

    def _quote(self, symbol: str, timestamp: int) -> None:
        """A tick with the book's top, if it changed."""
        book = self.books[symbol]
        if book.stale:
            return
        top = (book.best_bid, book.best_ask, book.best_bid_size, book.best_ask_size)
        if top != self._last_top.get(symbol):
            self._last_top[symbol] = top
            self._buffer.add(self._ids[symbol], timestamp, *top, self._last_price[symbol], 0.0)

    def _top_quote(
        self, symbol: str, timestamp: int, bid: float, ask: float, bid_size: float, ask_size: float
    ) -> None:
        """A tick from a best-bid/offer message of the exchange."""
        top = (bid, ask, bid_size, ask_size)
        if top != self._last_top.get(symbol):
            self._last_top[symbol] = top
            self._buffer.add(self._ids[symbol], timestamp, *top, self._last_price[symbol], 0.0)

    def _trade(self, symbol: str, timestamp: int, price: float, size: float, aggressor: int = 0) -> None:
        """A trade tick (with the current top of book, NaN while the book is not in sync).

        ``aggressor``: +1 a buyer took liquidity, -1 a seller, 0 unknown (for the TRADE row).
        """
        if not (math.isfinite(price) and price > 0 and math.isfinite(size) and size >= 0):
            raise MalformedMessage(f"trade price {price!r} / size {size!r}")
        self._emit(symbol, EventKind.TRADE, timestamp, aggressor, price, size)
        self._last_price[symbol] = price
        book = self.books[symbol]
        top = (
            self._last_top.get(symbol)
            if book.stale
            else (book.best_bid, book.best_ask, book.best_bid_size, book.best_ask_size)
        )
        self._buffer.add(self._ids[symbol], timestamp, *(top or (math.nan,) * 4), price, size)

    def _symbol(self, name: str) -> str:
        if name not in self._ids:
            raise MalformedMessage(f"message for unsubscribed symbol {name!r}")
        return name

    # ------------------------------------------------------------ connection loop

    def _dispatch(self, raw: str | bytes, received_ns: int) -> None:
        self.stats.messages += 1
        self._received_ns = received_ns
        try:
            self._handle(json.loads(raw), received_ns)
        except (MalformedMessage, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            self.stats.malformed += 1
            level = logging.WARNING if self.stats.malformed <= _LOGGED_MALFORMED else logging.DEBUG
            text = raw if isinstance(raw, str) else repr(raw)
            logger.log(
                level,
                "%s: malformed message skipped (%s: %s): %.200s",
                self.name,
                type(exc).__name__,
                exc,
                text,
            )

    def _call_soon(self, action: Callable[[], None]) -> None:
        """Run ``action`` in the feed's loop, in order with the messages (for snapshot results)."""
        if self._inbox is not None:
            self._inbox.put_nowait(("call", action))

    def _spawn(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read(self, ws, inbox: asyncio.Queue) -> None:
        """Queue every message with its receive time, then why the connection ended."""
        try:
            async for raw in ws:
                inbox.put_nowait(("message", raw, time.time_ns()))
            inbox.put_nowait(("closed", ws.close_exc))
        except Exception as exc:  # handed to the connection loop, which decides
            inbox.put_nowait(("closed", exc))

    async def stream(self) -> AsyncIterator[TickBatch]:
        sequence = self.resume_from
        backoff = Backoff(self.reconnect_delay, self.max_reconnect_delay, jitter=0.2)
        loop = asyncio.get_running_loop()
        while self.max_batches is None or sequence < self.max_batches:
            try:
                async with websockets.connect(
                    self._url(), open_timeout=self.open_timeout, max_size=2**26, max_queue=None
                ) as ws:
                    self._inbox = inbox = asyncio.Queue()
                    reader = loop.create_task(self._read(ws, inbox))
                    try:
                        self._received_ns = time.time_ns()
                        for symbol, book in self.books.items():
                            if not book.stale:  # a lost connection: what was sent meanwhile is gone
                                self._emit_gap(symbol)
                            book.mark_stale()
                        await self._on_open(ws)
                        deadline = loop.time() + self.flush_interval
                        while True:
                            try:
                                item = inbox.get_nowait()
                            except asyncio.QueueEmpty:
                                try:  # not wait_for: on 3.11 it loses a cancel that meets a message
                                    async with asyncio.timeout_at(deadline):
                                        item = await inbox.get()
                                except TimeoutError:
                                    item = None
                            if item is not None and item[0] == "message":
                                self._dispatch(item[1], item[2])
                                backoff.reset()
                            elif item is not None and item[0] == "call":
                                self._received_ns = time.time_ns()
                                item[1]()
                            elif item is not None:
                                raise item[1]
                            if self._resync:
                                symbols, self._resync = self._resync, set()
                                await self._resync_books(ws, symbols)
                            due = loop.time() >= deadline
                            if len(self._buffer) >= self.batch_size or (due and len(self._buffer)):
                                sequence += 1
                                yield self._buffer.cut(sequence)
                                if self.max_batches is not None and sequence >= self.max_batches:
                                    return
                            if due:
                                deadline = loop.time() + self.flush_interval
                    finally:
                        reader.cancel()
                        for task in list(self._tasks):
                            task.cancel()
                        self._inbox = None
                        await ws.close()  # a normal closure (1000), also when the consumer stops
            except _CONNECTION_ERRORS as exc:
                pause = backoff.next_delay()
                if self.max_reconnects is not None and backoff.failures > self.max_reconnects:
                    raise BackendUnavailable(
                        f"{self.name} feed: {backoff.failures} failed connection(s) in a row"
                        f" to {self.ws_url} ({exc})."
                    ) from exc
                self.stats.reconnects += 1
                logger.warning(
                    "%s feed: connection lost or refused (%s: %s); reconnecting in %.2f s",
                    self.name,
                    type(exc).__name__,
                    exc,
                    pause,
                )
                await asyncio.sleep(pause)

    async def synced_book(self, symbol: str, timeout: float = 30.0) -> L2Book:
        """Connect, wait until ``symbol``'s book is in sync, and return it (then disconnect)."""
        book = self.books[self._symbol(symbol)]
        iterator = self.stream()
        try:
            async with asyncio.timeout(timeout):
                while book.stale:
                    await anext(iterator, None)
        except TimeoutError:
            raise DeadlineExceeded(
                f"{self.name}: the {symbol} book was not in sync within {timeout} s."
            ) from None
        finally:
            await iterator.aclose()
        return book

"""The market-data operations: a resumable tick stream and an order-book snapshot, from any source.

Sources: ``"simulated"`` (:class:`~hftlab.market.simulated_feed.SimulatedFeed`, the
embedded default), ``"replay"`` (:class:`~hftlab.market.replay_feed.ReplayFeed`
over a LOBSTER or tick file) and the live exchanges ``"binance"``,
``"kraken"`` and ``"coinbase"`` (:mod:`hftlab.market.exchanges`).

Resuming: batch ``k`` of a deterministic source (simulated with a seed, replay)
is always the same ticks, so ``resume_from=k`` continues with batch ``k + 1``:
nothing lost, nothing repeated. A replay seeks to it; the simulation continues
from its nearest checkpoint (:mod:`hftlab.market.simulated_feed`). Live sources
continue the numbering (what the exchange sent meanwhile is not replayed).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

from hftlab.market.book import BookSnapshot, L2Book
from hftlab.market.exchanges import FEEDS
from hftlab.market.feeds import Feed, TickBatch
from hftlab.market.replay_feed import ReplayFeed, replay_book
from hftlab.market.simulated import simulated_book
from hftlab.market.simulated_feed import SimulatedFeed

SOURCES = ("simulated", "replay", *FEEDS)
SIMULATED_BOOK_TICKS = 10_000
"""Ticks simulated before :func:`order_book` takes a simulated snapshot (``ticks=None``)."""
EXCHANGE_BOOK_TIMEOUT = 30.0

_open = 0
_open_lock = threading.Lock()


def open_streams() -> int:
    """Streams of :func:`stream_market_data` currently open in this process (server resources)."""
    return _open


def make_feed(
    symbols: list[str],
    source: str = "simulated",
    seed: int = 0,
    batch_size: int = 10_000,
    max_batches: int | None = None,
    resume_from: int = 0,
    path: str | None = None,
    speed: float | None = None,
    ws_url: str | None = None,
    rest_url: str | None = None,
) -> Feed:
    """The feed of ``source`` for the request fields of :func:`stream_market_data`."""
    common = {"batch_size": batch_size, "max_batches": max_batches, "resume_from": resume_from}
    if source == "simulated":
        return SimulatedFeed(symbols, seed=seed, speed=speed, **common)
    if source == "replay":
        return ReplayFeed(path, symbols, speed=speed, **common)
    return FEEDS[source](symbols, ws_url, rest_url, **common)


def stream_market_data(
    symbols: list[str],
    source: str = "simulated",
    seed: int = 0,
    batch_size: int = 10_000,
    max_batches: int | None = None,
    resume_from: int = 0,
    path: str | None = None,
    speed: float | None = None,
    ws_url: str | None = None,
    rest_url: str | None = None,
) -> Iterator[TickBatch]:
    """Tick batches of ``symbols`` from ``source`` (see the module docstring).

    The arguments are validated by :class:`hftlab.types.market.StreamMarketDataRequest`.
    Closing the generator (a client going away) closes the feed and its connections.
    """
    global _open
    feed = make_feed(symbols, source, seed, batch_size, max_batches, resume_from, path, speed, ws_url, rest_url)
    batches = feed.batches()
    with _open_lock:
        _open += 1
    try:
        yield from batches
    finally:
        batches.close()
        with _open_lock:
            _open -= 1


def order_book(
    symbol: str,
    depth: int = 10,
    source: str = "simulated",
    seed: int = 0,
    ticks: int | None = None,
    path: str | None = None,
    ws_url: str | None = None,
    rest_url: str | None = None,
    imbalance_levels: int = 5,
    depth_bps: float = 10.0,
    order_size: float = 1.0,
) -> BookSnapshot:
    """The book of ``symbol`` with its analytics, from ``source``.

    Simulated: after the symbol's first ``ticks`` ticks (default
    :data:`SIMULATED_BOOK_TICKS`) for ``seed``. Replay: after ``ticks`` ticks of
    the file (default: all). Exchanges: the live book as soon as it is in sync.
    """
    if source == "simulated":
        book = simulated_book(symbol, seed, SIMULATED_BOOK_TICKS if ticks is None else ticks)
    elif source == "replay":
        book = replay_book(path, symbol, ticks)
    else:
        book = _exchange_book(FEEDS[source]([symbol], ws_url, rest_url))
    return book.snapshot(depth, imbalance_levels=imbalance_levels, depth_bps=depth_bps, order_size=order_size)


def _exchange_book(feed) -> L2Book:
    """Run ``feed`` on its own event loop in a helper thread (callers may be inside Jupyter's loop)."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(asyncio.run(feed.synced_book(feed.symbols[0], EXCHANGE_BOOK_TIMEOUT)))
        except BaseException as exc:  # re-raised in the caller's thread
            outcome.append(exc)

    thread = threading.Thread(target=run, name=f"hftlab-{feed.name}-book", daemon=True)
    thread.start()
    thread.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]

"""One interface for every market-data feed: columnar tick batches, async or sync.

A feed is an **async iterator of** :class:`TickBatch` (``async for batch in feed``)
with a **sync wrapper** for notebooks and the gRPC server (``for batch in feed``).
A batch holds many ticks as parallel NumPy columns (the layout of kdb+/q tick
tables and of Arrow record batches) plus a ``sequence`` number that increases by
one per batch, so a consumer detects gaps and resumes after the last batch it saw.

Two kinds of sources share the interface:

- :class:`GeneratedFeed` — deterministic, CPU-bound sources (the simulated market,
  file replay) written as a plain generator; async iteration yields to the event
  loop between batches, and ``speed`` paces delivery at the ticks' own clock.
- :class:`AsyncFeed` — network sources (exchange websockets) written as an async
  generator; the sync wrapper runs it on an event loop in a helper thread
  (:func:`iterate_in_thread`), so it works inside Jupyter's running loop too.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hftlab import cancel
from hftlab.results import Result

COLUMNS = ("timestamp", "bid", "ask", "bid_size", "ask_size", "last", "volume")
"""The per-tick columns of a batch besides ``symbol_id``."""


@dataclass(frozen=True)
class TickBatch(Result):
    """A batch of ticks of one stream, as columns.

    Attributes
    ----------
    sequence : int
        Batch number within the stream: 1 for the first batch, +1 per batch.
        ``resume_from=sequence`` continues with the next one.
    symbols : list of str
        The stream's symbols; ``symbol_id`` indexes into this list.
    symbol_id : ndarray of int32
        Symbol of each tick.
    timestamp : ndarray of int64
        Event time of each tick, nanoseconds since the Unix epoch (UTC).
    bid, ask : ndarray of float64
        Best bid and ask after the tick (NaN while a side is empty or unknown).
    bid_size, ask_size : ndarray of float64
        Size resting at the best bid and ask.
    last : ndarray of float64
        Price of the latest trade of the symbol (NaN before its first trade).
    volume : ndarray of float64
        Size traded by this tick (0 for a quote update).
    """

    sequence: int
    symbols: list[str]
    symbol_id: np.ndarray
    timestamp: np.ndarray
    bid: np.ndarray
    ask: np.ndarray
    bid_size: np.ndarray
    ask_size: np.ndarray
    last: np.ndarray
    volume: np.ndarray

    def __len__(self) -> int:
        return len(self.timestamp)

    @property
    def mid(self) -> np.ndarray:
        return (self.bid + self.ask) / 2

    def to_frame(self) -> pd.DataFrame:
        """The ticks as a DataFrame indexed by UTC timestamp, with a categorical ``symbol`` column."""
        symbol = pd.Categorical.from_codes(self.symbol_id, categories=pd.Index(self.symbols))
        columns = {name: getattr(self, name) for name in COLUMNS[1:]}
        index = pd.DatetimeIndex(pd.to_datetime(self.timestamp, unit="ns", utc=True), name="timestamp")
        return pd.DataFrame({"symbol": symbol, **columns}, index=index)

    def plot(self):
        """Mid price of each symbol over the batch (plotly)."""
        import plotly.graph_objects as go

        frame = self.to_frame()
        fig = go.Figure()
        for symbol, ticks in frame.groupby("symbol", observed=True):
            fig.add_trace(go.Scattergl(x=ticks.index, y=(ticks["bid"] + ticks["ask"]) / 2, name=str(symbol)))
        fig.update_layout(title=f"batch {self.sequence}: {len(self)} ticks", yaxis_title="mid", height=350)
        return fig


def concat_batches(batches: list[TickBatch]) -> pd.DataFrame:
    """All ticks of several batches of one stream as one DataFrame (see :meth:`TickBatch.to_frame`)."""
    if not batches:
        return TickBatch(0, [], *empty_columns()).to_frame()
    return pd.concat([batch.to_frame() for batch in batches])


def empty_columns(n: int = 0) -> list[np.ndarray]:
    """Arrays for ``symbol_id`` and the :data:`COLUMNS` of ``n`` ticks (uninitialised values)."""
    return [np.empty(n, np.int32), np.empty(n, np.int64), *(np.empty(n) for _ in range(6))]


class TickBuffer:
    """Accumulates ticks one at a time (network feeds) and cuts them into batches."""

    def __init__(self, symbols: list[str]) -> None:
        self.symbols = list(symbols)
        self._rows: list[tuple] = []

    def __len__(self) -> int:
        return len(self._rows)

    def add(
        self,
        symbol_id: int,
        timestamp: int,
        bid: float,
        ask: float,
        bid_size: float,
        ask_size: float,
        last: float,
        volume: float,
    ) -> None:
        self._rows.append((symbol_id, timestamp, bid, ask, bid_size, ask_size, last, volume))

    def cut(self, sequence: int) -> TickBatch:
        """Every buffered tick as batch ``sequence``; the buffer is emptied."""
        rows, self._rows = self._rows, []
        columns = list(zip(*rows, strict=True)) if rows else [()] * 8
        dtypes = [np.int32, np.int64, *([np.float64] * 6)]
        arrays = [np.array(column, dtype=dtype) for column, dtype in zip(columns, dtypes, strict=True)]
        return TickBatch(sequence, list(self.symbols), *arrays)


class Pacer:
    """Delays batches so they are delivered at the pace of their own timestamps.

    ``speed=None`` delivers as fast as possible; ``1.0`` at recorded (or simulated)
    speed, ``10`` ten times faster. A batch is released once the clock reaches its
    last tick.
    """

    def __init__(self, speed: float | None) -> None:
        self.speed = speed
        self._origin: tuple[float, int] | None = None

    def delay(self, batch: TickBatch) -> float:
        """Seconds to wait before delivering ``batch``."""
        if self.speed is None or not len(batch):
            return 0.0
        now = time.monotonic()
        if self._origin is None:
            self._origin = (now, int(batch.timestamp[0]))
        wall, first = self._origin
        return max(0.0, wall + (int(batch.timestamp[-1]) - first) / 1e9 / self.speed - now)


class Feed(ABC):
    """Market-data feed: ``async for batch in feed`` or ``for batch in feed``.

    Every feed has ``symbols`` (the ``TickBatch.symbols`` of its batches); batch
    sequence numbers start at ``resume_from + 1``.
    """

    symbols: list[str]

    def __aiter__(self) -> AsyncIterator[TickBatch]:
        return self.stream()

    def __iter__(self) -> Iterator[TickBatch]:
        return self.batches()

    @abstractmethod
    def stream(self) -> AsyncIterator[TickBatch]:
        """The batches, asynchronously."""

    @abstractmethod
    def batches(self) -> Iterator[TickBatch]:
        """The batches, synchronously (the wrapper for notebooks and servers)."""


class GeneratedFeed(Feed):
    """A feed computed in-process: subclasses implement :meth:`_generate`."""

    speed: float | None = None

    @abstractmethod
    def _generate(self) -> Iterator[TickBatch]:
        """Every batch, as fast as possible."""

    def batches(self) -> Iterator[TickBatch]:
        pacer = Pacer(self.speed)
        for batch in self._generate():
            cancel.sleep(pacer.delay(batch))
            yield batch

    async def stream(self) -> AsyncIterator[TickBatch]:
        pacer = Pacer(self.speed)
        for batch in self._generate():
            await asyncio.sleep(pacer.delay(batch))
            yield batch


class AsyncFeed(Feed):
    """A feed driven by an event loop (network I/O): subclasses implement :meth:`stream`."""

    def batches(self) -> Iterator[TickBatch]:
        return iterate_in_thread(self.stream)


_DONE = object()


def iterate_in_thread(make: Callable[[], AsyncIterator], max_pending: int = 64) -> Iterator:
    """Iterate an async iterator from synchronous code, on an event loop in a helper thread.

    Items pass through a bounded queue; an exception of the async side is re-raised
    to the caller. Closing the returned generator (``break``, garbage collection, a
    gRPC client going away) cancels the async iterator and joins the thread, so its
    sockets and tasks are released.
    """
    items: queue.Queue = queue.Queue(max_pending)
    stop = threading.Event()

    async def pump() -> None:
        iterator = make()
        try:
            async for item in iterator:
                while not stop.is_set():
                    try:
                        items.put_nowait(item)
                        break
                    except queue.Full:
                        await asyncio.sleep(0.002)
                if stop.is_set():
                    return
        except asyncio.CancelledError:
            return
        except BaseException as exc:  # handed over to the consumer
            items.put(exc)
            return
        finally:
            await iterator.aclose()
        items.put(_DONE)

    loop = asyncio.new_event_loop()
    task = loop.create_task(pump())

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(task)
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    thread = threading.Thread(target=run, name="hftlab-feed", daemon=True)
    thread.start()

    def consume() -> Iterator:
        try:
            while True:
                item = items.get()
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            with contextlib.suppress(RuntimeError):  # the loop has finished and closed
                loop.call_soon_threadsafe(task.cancel)
            while thread.is_alive():
                try:  # unblock a producer waiting on a full queue
                    items.get_nowait()
                except queue.Empty:
                    thread.join(0.01)

    return consume()

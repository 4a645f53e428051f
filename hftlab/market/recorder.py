"""The recorder: what an exchange feed delivers, written as the event format to partitioned Parquet.

:func:`record_market_data` connects with the venue's connector
(:mod:`hftlab.market.exchanges`), which keeps every book in sync by the
venue's own rules (Binance "How to manage a local order book correctly":
update ids ``U``/``u`` against the REST snapshot's ``lastUpdateId``; Kraken
websocket v1 "Book checksum", a CRC32 of the top 10 levels; Coinbase Exchange
websocket feed: level-2 ``snapshot``/``l2update`` and gap-free ``match`` trade
ids), and writes the rows the connector reports through ``on_event`` (see
:mod:`hftlab.market.exchanges.base`) as rows of
:data:`~hftlab.market.events.EVENT_DTYPE`:

- a (re)built book: CLEAR (both sides) and one SNAPSHOT row per level;
- an applied diff: one DEPTH row per level (its new size; 0 removes it);
- a trade: a TRADE row, ``side`` the aggressor's where the venue says;
- a detected gap (a missed update id, a failed checksum, a skipped trade id, an
  update that would cross, a lost connection): a GAP row, ``update_id`` the
  first missing id where the venue numbers them; the snapshot that rebuilds the
  book: CLEAR and SNAPSHOT rows, then a RESYNC row.

``update_id`` is the venue's book update id (Binance ``u`` of a diff,
``lastUpdateId`` of a snapshot; 0 for Kraken and Coinbase, whose books carry
none); ``local_ts`` the receive time; ``exch_ts`` the venue's time. Both
columns are kept non-decreasing per symbol, as the event format requires: a
row stamped before the row above it (a trade stamped before a diff already
received) takes that row's time, and a row the venue sends without a time (a
Binance REST or Coinbase snapshot, GAP and RESYNC rows) takes the previous
row's exchange time, or, at the start, the next stamped row's.

Layout (after NautilusTrader's ``ParquetDataCatalog``, which partitions
recorded data by type, venue and instrument for backtests and live nodes
alike): ``out_dir/venue=<venue>/symbol=<symbol>/hour=<YYYY-MM-DDTHH>/part-<n>.parquet``,
hive style (values URL-encoded, so ``XBT/USD`` is ``symbol=XBT%2FUSD``), the
hour of ``exch_ts`` (UTC). Each part is a native events file
(:func:`~hftlab.market.event_sources.write_events`), written whole (to a
temporary name, then renamed) once a symbol has ``chunk_rows`` rows buffered,
its hour ends, or the recording stops, so memory stays flat and a reader never
sees half a file. :func:`~hftlab.market.events.load_events` reads one
recording back; ``source="replay"`` streams it as ticks.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from hftlab.errors import InvalidInput
from hftlab.market.event_sources import write_events
from hftlab.market.events import EVENT_DTYPE, EventKind
from hftlab.market.exchanges import FEEDS
from hftlab.results import Result

logger = logging.getLogger("hftlab.market.recorder")

CHUNK_ROWS = 50_000
"""Rows of one symbol buffered before they are written as a part."""
_HOUR_NS = 3_600_000_000_000
_POLL = 0.05  # seconds between checks of the stop conditions


@dataclass(frozen=True)
class RecordingSummary(Result):
    """What :func:`record_market_data` wrote.

    Attributes
    ----------
    venue : str
        The venue recorded.
    out_dir : str
        The output directory (the partitions are below it).
    rows : dict of str to int
        Rows written per symbol (the connector's spelling).
    files : tuple of str
        The part files written, in the order written.
    gaps, resyncs : int
        GAP and RESYNC rows written (all symbols).
    seconds : float
        Wall-clock duration of the recording.
    """

    venue: str
    out_dir: str
    rows: dict[str, int]
    files: tuple[str, ...]
    gaps: int
    resyncs: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.venue}: {sum(self.rows.values()):,} events of {len(self.rows)} symbol(s) in "
            f"{len(self.files)} file(s) under {self.out_dir} in {self.seconds:.1f} s; "
            f"{self.gaps} gap(s), {self.resyncs} resync(s)"
        )


class EventWriter:
    """The rows of one venue's symbols, written as hive-partitioned parts (see the module docstring).

    Its :meth:`add` is a connector's ``on_event``: ``EventWriter(...)`` then
    ``BinanceFeed(symbols, on_event=writer.add)``, run the feed, :meth:`close`.
    :func:`record_market_data` does all of this.

    Parameters
    ----------
    out_dir : str or Path
        Output directory.
    venue : str
        The venue's name (its partition).
    symbols : list of str
        The connector's symbols (its spelling).
    chunk_rows : int
        Rows of one symbol buffered before they are written as a part.
    """

    def __init__(
        self, out_dir: str | os.PathLike, venue: str, symbols: list[str], chunk_rows: int = CHUNK_ROWS
    ) -> None:
        self.out_dir, self.venue = str(out_dir), venue
        root = Path(out_dir) / f"venue={quote(venue, safe='')}"
        self.dirs = {s: root / f"symbol={quote(s, safe='')}" for s in symbols}
        self.chunk_rows = chunk_rows
        self.rows: dict[str, list[tuple]] = {s: [] for s in symbols}
        self.waiting: dict[str, list[tuple]] = {s: [] for s in symbols}  # rows before any exchange time
        self.clock: dict[str, tuple[int | None, int]] = dict.fromkeys(symbols, (None, 0))
        self.written = dict.fromkeys(symbols, 0)
        self.files: list[str] = []
        self.received = self.gaps = self.resyncs = 0
        self._parts: dict[Path, int] = {}

    def summary(self, seconds: float) -> RecordingSummary:
        """What was written so far, for a recording of ``seconds``."""
        return RecordingSummary(
            venue=self.venue,
            out_dir=self.out_dir,
            rows=dict(self.written),
            files=tuple(self.files),
            gaps=self.gaps,
            resyncs=self.resyncs,
            seconds=seconds,
        )

    def add(self, symbol, exch_ts, local_ts, kind, side, price, qty, update_id) -> None:
        """One row from the connector (its ``on_event``)."""
        self.received += 1
        self.gaps += kind == EventKind.GAP
        self.resyncs += kind == EventKind.RESYNC
        last_exch, last_local = self.clock[symbol]
        local_ts = max(local_ts, last_local)
        if exch_ts is None and last_exch is None:
            self.waiting[symbol].append((local_ts, kind, side, price, qty, 0, update_id))
            self.clock[symbol] = (None, local_ts)
            return
        if exch_ts is None or (last_exch is not None and exch_ts < last_exch):
            exch_ts = last_exch
        self.clock[symbol] = (exch_ts, local_ts)
        for row in self.waiting[symbol]:
            self._append(symbol, (exch_ts, *row))
        self.waiting[symbol].clear()
        self._append(symbol, (exch_ts, local_ts, kind, side, price, qty, 0, update_id))

    def close(self) -> None:
        """Write every buffered row; rows still without an exchange time take their receive time."""
        for symbol, waiting in self.waiting.items():
            for row in waiting:
                self._append(symbol, (row[0], *row))
            waiting.clear()
            self._write(symbol)

    def _append(self, symbol: str, row: tuple) -> None:
        rows = self.rows[symbol]
        if rows and rows[-1][0] // _HOUR_NS != row[0] // _HOUR_NS:  # a part holds one hour
            self._write(symbol)
            rows = self.rows[symbol]
        rows.append(row)
        if len(rows) >= self.chunk_rows:
            self._write(symbol)

    def _write(self, symbol: str) -> None:
        rows, self.rows[symbol] = self.rows[symbol], []
        if not rows:
            return
        events = np.array(rows, dtype=EVENT_DTYPE)
        stamp = datetime.fromtimestamp(rows[0][0] // _HOUR_NS * 3_600, UTC)
        directory = self.dirs[symbol] / f"hour={stamp:%Y-%m-%dT%H}"
        if directory not in self._parts:  # continue the numbering of an earlier recording
            directory.mkdir(parents=True, exist_ok=True)
            numbers = [int(p.stem.removeprefix("part-")) for p in directory.glob("part-*.parquet")]
            self._parts[directory] = max(numbers, default=-1) + 1
        path = directory / f"part-{self._parts[directory]}.parquet"
        self._parts[directory] += 1
        temporary = path.with_suffix(".parquet.tmp")
        write_events(events, temporary, validate=False)  # a part starts mid-stream: validated when loaded
        os.replace(temporary, path)
        self.written[symbol] += len(events)
        self.files.append(str(path))
        logger.debug("%s: %d rows written to %s", symbol, len(events), path)


def record_market_data(
    venue: str,
    symbols: str | list[str],
    out_dir: str | os.PathLike,
    *,
    ws_url: str | None = None,
    rest_url: str | None = None,
    duration: float | None = None,
    max_events: int | None = None,
    progress: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    **options: Any,
) -> RecordingSummary:
    """Record a venue's books and trades as event rows in partitioned Parquet (see the module docstring).

    Records until ``duration`` has passed, ``max_events`` rows have been
    received (the message that reaches the count is recorded whole), the feed
    fails, or Ctrl-C (KeyboardInterrupt), which ends the recording like the
    others: every buffered row is written and the summary returned. The feed
    runs on its own event loop in a helper thread, so this works inside
    Jupyter too.

    Parameters
    ----------
    venue : {"binance", "kraken", "coinbase"}
        The connector to record with.
    symbols : str or list of str
        Instruments in the venue's spelling (``"BTCUSDT"``, ``"XBT/USD"``, ``"BTC-USD"``).
    out_dir : str or Path
        Output directory; parts of an earlier recording there are kept and
        their numbering continued.
    ws_url, rest_url : str, optional
        The venue's websocket / REST base URLs (default: its public endpoints).
    duration : float, optional
        Seconds to record.
    max_events : int, optional
        Stop once this many rows have been received (all symbols).
    progress : bool
        Show a tqdm progress line (rows, gaps, resyncs).
    chunk_rows : int
        Rows of one symbol buffered before they are written as a part.
    **options
        Connector options: ``depth`` (Kraken), ``depth_limit`` (Binance),
        ``book_channel`` (Coinbase), ``reconnect_delay``, ``max_reconnects``...

    Returns
    -------
    RecordingSummary
        Rows per symbol, files, gaps, resyncs and seconds.
    """
    from tqdm.auto import tqdm

    if venue not in FEEDS:
        raise InvalidInput(f"'venue' must be one of {', '.join(FEEDS)}; got {venue!r}.")
    symbols = [symbols] if isinstance(symbols, str) else symbols
    if (
        not isinstance(symbols, (list, tuple))
        or not symbols
        or not all(isinstance(s, str) and s for s in symbols)
    ):
        raise InvalidInput(f"'symbols' must be a symbol or a non-empty list of them; got {symbols!r}.")
    if not isinstance(out_dir, (str, os.PathLike)) or not str(out_dir):
        raise InvalidInput(f"'out_dir' must be a directory path; got {out_dir!r}.")
    if duration is not None and not (
        isinstance(duration, (int, float)) and math.isfinite(duration) and duration > 0
    ):
        raise InvalidInput(f"'duration' must be a number of seconds > 0; got {duration!r}.")
    for name, value in (("max_events", max_events), ("chunk_rows", chunk_rows)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise InvalidInput(f"'{name}' must be an integer >= 1; got {value!r}.")
    feed = FEEDS[venue](list(symbols), ws_url, rest_url, **options)
    writer = EventWriter(out_dir, venue, feed.symbols, chunk_rows)  # the connector's spelling
    feed.on_event = writer.add
    stop, outcome = threading.Event(), []
    started = time.monotonic()
    with tqdm(total=max_events, unit="event", desc=f"record {venue}", disable=not progress) as bar:
        thread = threading.Thread(
            target=_run, args=(feed, writer, stop, duration, max_events, bar, outcome), name="hftlab-recorder"
        )
        thread.start()
        try:
            while thread.is_alive():
                thread.join(0.2)
        except KeyboardInterrupt:
            logger.info("%s recording interrupted: stopping", venue)
            stop.set()
            thread.join()
        finally:
            writer.close()
            bar.update(writer.received - bar.n)
    if outcome:
        raise outcome[0]
    summary = writer.summary(time.monotonic() - started)
    logger.info("recorded %s", summary)
    return summary


def _run(feed, writer: EventWriter, stop: threading.Event, duration, max_events, bar, outcome: list) -> None:
    """The recording's event loop (helper thread); an exception of the feed goes to ``outcome``."""
    try:
        asyncio.run(_record(feed, writer, stop, duration, max_events, bar))
    except BaseException as exc:  # re-raised in the caller's thread
        outcome.append(exc)


async def _record(feed, writer: EventWriter, stop: threading.Event, duration, max_events, bar) -> None:
    """Drive ``feed`` (its ticks are not kept: the rows go to ``writer``) until a stop condition."""

    async def drive() -> None:
        async for _ in feed.stream():
            pass

    loop = asyncio.get_running_loop()
    deadline = math.inf if duration is None else loop.time() + duration
    task = loop.create_task(drive())
    try:
        while not (task.done() or stop.is_set() or loop.time() >= deadline):
            if max_events is not None and writer.received >= max_events:
                break
            await asyncio.wait({task}, timeout=min(_POLL, max(deadline - loop.time(), 0)))
            bar.set_postfix(gaps=writer.gaps, resyncs=writer.resyncs, refresh=False)
            bar.update(writer.received - bar.n)
        if task.done():
            task.result()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

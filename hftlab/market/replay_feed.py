"""Recorded ticks as a feed: LOBSTER files or CSV/Parquet tick tables, replayed in batches.

Two kinds of files are read:

- **LOBSTER** message + orderbook pairs (Huang & Polak 2011; files named
  ``SYMBOL_DATE_START_END_{message,orderbook}_LEVELS.csv``, either one given):
  one tick per message with the top of book after it; executions (types 4, 5
  and 6) print a trade. Times (seconds after midnight, New York) become UTC
  nanoseconds on the file's date.
- **Tick tables** (``.csv``, ``.csv.gz``, ``.parquet``): columns ``timestamp``
  (int64 ns since the epoch, or datetimes; naive means UTC), ``symbol``,
  ``bid``, ``ask`` and optionally ``bid_size``, ``ask_size``, ``last``,
  ``volume`` (missing sizes/last are NaN, missing volume 0), in time order.
- **Event files and recordings**: a native Parquet file of the event format
  (:func:`~hftlab.market.event_sources.write_events`) or a directory of the
  recorder's parts (:mod:`hftlab.market.recorder`; its output directory or
  any directory below it), replayed as ticks by
  :func:`~hftlab.market.event_sources.ticks_from_events` (top of book after
  each update, trades as last/volume), every recording's ticks merged in time
  order, each named by its symbol.

Batch ``k`` always holds the same rows, so ``resume_from`` seeks directly to
the next batch. ``speed=None`` replays as fast as possible, ``1.0`` at recorded
speed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hftlab.errors import InvalidInput, NotFound
from hftlab.market.book import L2Book
from hftlab.market.feeds import COLUMNS, GeneratedFeed, TickBatch
from hftlab.market.lobster import (
    EMPTY_ASK_PRICE,
    EMPTY_BID_PRICE,
    PRICE_SCALE,
    read_csv,
    read_messages,
    read_orderbook,
)
from hftlab.validation import names

LOBSTER_NAME = re.compile(
    r"^(?P<symbol>[^_]+)_(?P<date>\d{4}-\d{2}-\d{2})_(?P<start>\d+)_(?P<end>\d+)_"
    r"(?P<kind>message|orderbook)_(?P<levels>\d+)\.csv$"
)
LOBSTER_TIMEZONE = "America/New_York"
TRADE_TYPES = (4, 5, 6)
REQUIRED = ("timestamp", "symbol", "bid", "ask")


def lobster_pair(path: Path) -> tuple[Path, Path, re.Match] | None:
    """``(message, orderbook, name match)`` if ``path`` is one file of a LOBSTER pair."""
    match = LOBSTER_NAME.match(path.name)
    if match is None:
        return None
    message = path.with_name(path.name.replace("_orderbook_", "_message_"))
    orderbook = path.with_name(path.name.replace("_message_", "_orderbook_"))
    for file in (message, orderbook):
        if not file.is_file():
            raise NotFound(f"LOBSTER file {str(file)!r} (pair of {path.name}) does not exist.")
    return message, orderbook, match


def load_ticks(path: str | Path) -> pd.DataFrame:
    """Every tick of a LOBSTER pair, tick table, event file or recording (see the module docstring):
    ``timestamp`` (int64 ns), ``symbol`` and the prices."""
    from hftlab.market import event_sources  # it imports this module

    path = Path(path)
    if path.is_dir():
        return _recorded_ticks(path)
    if not path.is_file():
        raise NotFound(f"'path' {str(path)!r} does not exist.")
    pair = lobster_pair(path)
    if pair is not None:
        return _lobster_ticks(*pair)
    suffixes = "".join(path.suffixes[-2:]).lower()
    if suffixes.endswith((".parquet", ".pq")) and event_sources.is_native(path):
        return _recorded_ticks(path)
    if suffixes.endswith((".parquet", ".pq")):
        frame = pd.read_parquet(path)
    elif suffixes.endswith((".csv", ".csv.gz")):
        frame = read_csv(path)
    else:
        raise InvalidInput(f"'path' must be a LOBSTER file, a .csv or a .parquet tick file; got {path.name!r}.")
    return _normalise(frame, path.name)


def decoded_bytes(path: str | Path) -> int:
    """Bytes the replay of ``path`` holds once decoded, estimated from the files' sizes and
    Parquet footers without reading their data (0 when there is no such file: the replay says so).

    A recording or event file: 8 bytes per value of each event row, and the ticks made of it.
    A Parquet tick table: 8 bytes per value. A CSV (a LOBSTER pair: both files): its size in
    text, about the size of its numbers decoded; gzip's: its uncompressed size (the trailer's).
    """
    from hftlab.market import event_sources  # (both import this module)
    from hftlab.market.events import EVENT_DTYPE

    path = Path(path)
    try:
        if path.is_dir() or (path.is_file() and event_sources.is_native(path)):
            parts = [part for found in event_sources.recordings(path).values() for part in found]
            rows = sum(pq.read_metadata(part).num_rows for part in parts)
            return rows * (EVENT_DTYPE.itemsize + 8 * len(COLUMNS))
        pair = lobster_pair(path) if path.is_file() else None
        if pair is not None:
            return pair[0].stat().st_size + pair[1].stat().st_size
        name = path.name.lower()
        if name.endswith((".parquet", ".pq")):
            metadata = pq.read_metadata(path)
            return 8 * metadata.num_rows * metadata.num_columns
        if name.endswith(".gz"):
            with path.open("rb") as file:
                file.seek(-4, 2)
                return int.from_bytes(file.read(4), "little")
        return path.stat().st_size
    except (OSError, pa.ArrowException, NotFound):
        return 0


def _recorded_ticks(path: Path) -> pd.DataFrame:
    """The ticks of every recording under ``path`` (validated events), merged in time order."""
    from hftlab.market import event_sources
    from hftlab.market.events import load_events

    found = event_sources.recordings(path)
    symbols = [symbol for _, symbol in found]
    repeated = sorted({s for s in symbols if symbols.count(s) > 1})
    if repeated:
        raise InvalidInput(
            f"'path' {str(path)!r} holds symbol(s) {repeated} of several venues; replay one venue's directory."
        )
    frames = [
        event_sources.ticks_from_events(
            load_events(np.concatenate([event_sources.read_events(p) for p in parts])), symbol
        )
        for (_, symbol), parts in found.items()
    ]
    ticks = pd.concat(frames, ignore_index=True).sort_values("timestamp", kind="stable", ignore_index=True)
    return _normalise(ticks, path.name)


def _lobster_ticks(message_path: Path, orderbook_path: Path, match: re.Match) -> pd.DataFrame:
    messages = read_messages(message_path)
    book = read_orderbook(orderbook_path)
    if len(book) != len(messages):
        raise InvalidInput(f"{orderbook_path.name} has {len(book)} rows for {len(messages)} messages.")
    midnight = pd.Timestamp(match["date"], tz=LOBSTER_TIMEZONE).value
    timestamp = midnight + np.round(messages["time"].to_numpy() * 1e9).astype(np.int64)
    trade = messages["type"].isin(TRADE_TYPES).to_numpy()
    prints = np.where(trade, messages["price"].to_numpy() / PRICE_SCALE, np.nan)
    ask, bid = book["ask_price_1"].to_numpy(), book["bid_price_1"].to_numpy()
    return pd.DataFrame(
        {
            "timestamp": timestamp,
            "symbol": match["symbol"],
            "bid": np.where(bid == EMPTY_BID_PRICE, np.nan, bid / PRICE_SCALE),
            "ask": np.where(ask == EMPTY_ASK_PRICE, np.nan, ask / PRICE_SCALE),
            "bid_size": book["bid_size_1"].to_numpy(np.float64),
            "ask_size": book["ask_size_1"].to_numpy(np.float64),
            "last": pd.Series(prints).ffill().to_numpy(),
            "volume": np.where(trade, messages["size"].to_numpy(np.float64), 0.0),
        }
    )


def _normalise(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InvalidInput(f"tick file {name!r} lacks column(s) {missing}; it needs {list(REQUIRED)}.")
    stamp = frame["timestamp"]
    if pd.api.types.is_integer_dtype(stamp):
        timestamp = stamp.to_numpy(np.int64)
    else:
        try:
            parsed = pd.to_datetime(stamp, utc=True)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"tick file {name!r}: column 'timestamp' is not a time: {exc}") from None
        timestamp = parsed.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]").view(np.int64)
    backwards = np.flatnonzero(np.diff(timestamp) < 0)
    if len(backwards):
        raise InvalidInput(
            f"tick file {name!r} must be in time order; row {backwards[0] + 1} goes back in time."
        )
    defaults = {"bid_size": np.nan, "ask_size": np.nan, "last": np.nan, "volume": 0.0}
    columns = {}
    for column in COLUMNS[1:]:
        values = frame[column] if column in frame.columns else pd.Series(defaults[column], index=frame.index)
        try:
            columns[column] = values.to_numpy(np.float64)
        except (TypeError, ValueError):
            raise InvalidInput(f"tick file {name!r}: column {column!r} must hold numbers.") from None
    return pd.DataFrame({"timestamp": timestamp, "symbol": frame["symbol"].astype(str).to_numpy(), **columns})


def _select(ticks: pd.DataFrame, symbols: list[str] | None, path: str | Path) -> tuple[pd.DataFrame, list[str]]:
    present = [str(s) for s in pd.unique(ticks["symbol"].to_numpy())]
    if symbols is None:
        return ticks, present
    unknown = [s for s in symbols if s not in present]
    if unknown:
        raise NotFound(f"symbol(s) {names(unknown)} not in {Path(path).name}; it has {names(present)}.")
    return ticks[ticks["symbol"].isin(symbols)].reset_index(drop=True), list(symbols)


class ReplayFeed(GeneratedFeed):
    """Ticks from a file (see the module docstring), ``batch_size`` rows per batch.

    Parameters
    ----------
    path : str or Path
        LOBSTER message or orderbook file, a CSV/Parquet tick table, an event
        file or a recording's directory.
    symbols : list of str, optional
        Replay only these (default: every symbol of the file, in order of appearance).
    batch_size : int
        Ticks per batch.
    max_batches : int, optional
        The stream ends with batch number ``max_batches`` (or at the end of the file).
    resume_from : int
        Start after this batch.
    speed : float, optional
        Replay at ``speed`` times the recorded pace (None: as fast as possible).
    """

    def __init__(
        self,
        path: str | Path,
        symbols: list[str] | None = None,
        batch_size: int = 10_000,
        max_batches: int | None = None,
        resume_from: int = 0,
        speed: float | None = None,
    ) -> None:
        self.path = path
        ticks, self.symbols = _select(load_ticks(path), symbols, path)
        codes = pd.Categorical(ticks["symbol"], categories=self.symbols).codes.astype(np.int32)
        self._columns = {"symbol_id": codes, **{c: ticks[c].to_numpy() for c in COLUMNS}}
        self.batch_size, self.max_batches = batch_size, max_batches
        self.resume_from, self.speed = resume_from, speed
        last = self._last_batch()
        if resume_from > last:
            raise InvalidInput(
                f"'resume_from' {resume_from} is beyond the replay's last batch ({last} batches of "
                f"{batch_size} ticks in {Path(path).name}): there is nothing after it."
            )

    def __len__(self) -> int:
        """Number of ticks replayed."""
        return len(self._columns["timestamp"])

    def _last_batch(self) -> int:
        last = -(-len(self) // self.batch_size)
        return last if self.max_batches is None else min(last, self.max_batches)

    def _generate(self) -> Iterator[TickBatch]:
        """Batch ``k`` is rows ``(k - 1) * batch_size`` on: resuming seeks there directly."""
        for sequence in range(self.resume_from + 1, self._last_batch() + 1):
            rows = slice((sequence - 1) * self.batch_size, sequence * self.batch_size)
            yield TickBatch(sequence, list(self.symbols), **{k: v[rows] for k, v in self._columns.items()})


def replay_book(path: str | Path, symbol: str, ticks: int | None = None) -> L2Book:
    """The book of ``symbol`` after its first ``ticks`` ticks of a file (all of them if None).

    From a LOBSTER pair every level of the orderbook file; from a tick table,
    event file or recording the top of book only.
    """
    path = Path(path)
    if not path.exists():
        raise NotFound(f"'path' {str(path)!r} does not exist.")
    pair = lobster_pair(path)
    if pair is None:
        rows, _ = _select(load_ticks(path), [symbol], path)
        levels = None
    else:
        rows, _ = _select(_lobster_ticks(*pair), [symbol], path)
        levels = read_orderbook(pair[1]).to_numpy()
    if ticks is not None and ticks > len(rows):
        raise InvalidInput(f"'ticks' must be at most {len(rows)} for {symbol} in {path.name}; got {ticks}.")
    row = (len(rows) if ticks is None else ticks) - 1
    book = L2Book(symbol)
    if row < 0:
        book.apply_snapshot([], [], sequence=0)
        return book
    tick = rows.iloc[row]
    if levels is None:
        bids = [(tick["bid"], tick["bid_size"])] if np.isfinite(tick["bid"]) else []
        asks = [(tick["ask"], tick["ask_size"])] if np.isfinite(tick["ask"]) else []
    else:
        table = levels[row].reshape(-1, 4)
        asks = [(p / PRICE_SCALE, s) for p, s in table[:, :2] if p != EMPTY_ASK_PRICE]
        bids = [(p / PRICE_SCALE, s) for p, s in table[:, 2:] if p != EMPTY_BID_PRICE]
    book.apply_snapshot(bids, asks, sequence=row + 1, timestamp=int(tick["timestamp"]) / 1e9)
    return book

"""Requests of the order books and market-data streams operations."""

from __future__ import annotations

import collections
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from hftlab import validation as v
from hftlab.algo.market_making import STRATEGIES, MarketMakingResult, market_making
from hftlab.algo.triangular import TriangularArbitrageResult, triangular_arbitrage
from hftlab.errors import InvalidInput
from hftlab.market.book import BookSnapshot
from hftlab.market.feeds import TickBatch
from hftlab.market.lobster import MESSAGE_COLUMNS, orderbook_columns
from hftlab.market.replay import LobsterReplay, replay
from hftlab.market.streams import SOURCES, order_book, stream_market_data
from hftlab.types.base import Request


def _rates_table(value: object) -> pd.DataFrame:
    """A square float table of conversion rates with the same string labels on both axes."""
    if isinstance(value, pd.DataFrame):
        labels = [str(c) for c in value.columns]
        if [str(r) for r in value.index] != labels:
            raise v.fail("rates", "a square table with the same currencies as rows and columns", value)
        values = value.to_numpy()
    else:
        values = np.asarray(value)
        if values.ndim != 2 or values.shape[0] != values.shape[1]:
            raise v.fail("rates", "a square table with the same currencies as rows and columns", values)
        labels = [str(n) for n in range(values.shape[0])]
    if values.shape[0] != values.shape[1] or len(set(labels)) != len(labels):
        raise v.fail("rates", "a square table with distinct currencies as rows and columns", value)
    if len(labels) < 3:
        raise InvalidInput(f"'rates' must have at least 3 currencies; got {len(labels)}.")
    if values.dtype.kind not in "iuf":
        raise v.fail("rates", "a table of numbers (NaN where no market)", value)
    values = values.astype(np.float64)
    np.fill_diagonal(values, np.nan)
    bad = ~(np.isnan(values) | (np.isfinite(values) & (values > 0)))
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise InvalidInput(
            f"'rates' must hold positive finite rates or NaN (no market); got {float(values[row, column])!r} "
            f"for {labels[row]} -> {labels[column]}."
        )
    return pd.DataFrame(values, index=pd.Index(labels), columns=pd.Index(labels))


@dataclass(frozen=True)
class TriangularArbitrageRequest(Request):
    """Arbitrage cycles in a conversion-rate table (see :func:`hftlab.triangular_arbitrage`)."""

    rpc: ClassVar[str] = "FindTriangularArbitrage"
    result_type: ClassVar[type] = TriangularArbitrageResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(triangular_arbitrage)

    rates: pd.DataFrame
    fee: float = 0.0
    max_cycles: int = 10

    def __post_init__(self) -> None:
        self._set("rates", _rates_table(self.rates))
        self._set("fee", v.check_float("fee", self.fee, low=0, high=1, high_open=True))
        self._set("max_cycles", v.check_int("max_cycles", self.max_cycles, low=1, high=1000))


def _integral(name: str, frame: pd.DataFrame, first: int = 0) -> None:
    """Raise unless the columns from position ``first`` on hold whole numbers."""
    values = frame.to_numpy()[:, first:]
    bad = values != np.round(values)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise InvalidInput(
            f"'{name}' column {frame.columns[first + column]!r} must hold whole numbers; "
            f"got {float(values[row, column])!r} at row {row}."
        )


@dataclass(frozen=True)
class ReplayLobsterRequest(Request):
    """Replay a LOBSTER message file against its orderbook file (see :func:`hftlab.replay_lobster`)."""

    rpc: ClassVar[str] = "ReplayLobster"
    result_type: ClassVar[type] = LobsterReplay
    compute: ClassVar[Callable[..., Any]] = staticmethod(replay)

    messages: pd.DataFrame
    orderbook: pd.DataFrame
    levels: int | None = None
    imbalance_levels: int = 5

    def __post_init__(self) -> None:
        messages = v.as_frame(self.messages, "messages", min_rows=1)
        if messages.shape[1] != len(MESSAGE_COLUMNS):
            raise InvalidInput(
                f"'messages' must have the 6 LOBSTER columns {', '.join(MESSAGE_COLUMNS)}; "
                f"got {messages.shape[1]} columns."
            )
        messages.columns = MESSAGE_COLUMNS
        _integral("messages", messages, first=1)
        kinds, directions = messages["type"].to_numpy(), messages["direction"].to_numpy()
        bad_kinds = kinds[~np.isin(kinds, np.arange(1, 8))]
        if len(bad_kinds):
            raise v.fail("messages", "event types 1..7 in column 'type'", int(bad_kinds[0]))
        bad_directions = directions[~np.isin(directions, (-1, 1))]
        if len(bad_directions):
            raise v.fail("messages", "directions 1 or -1 in column 'direction'", int(bad_directions[0]))
        if (messages["size"] < 0).any():
            raise v.fail("messages", "sizes >= 0 in column 'size'", int(messages["size"].min()))
        times = messages["time"].to_numpy()
        back = np.flatnonzero(np.diff(times) < 0)
        if len(back):
            row = back[0] + 1
            raise InvalidInput(
                f"'messages' must be in time order; row {row} (time {times[row]}) is before row {row - 1}."
            )
        orderbook = v.as_frame(self.orderbook, "orderbook", min_rows=1, min_columns=4)
        if orderbook.shape[1] % 4:
            raise InvalidInput(
                f"'orderbook' must have 4 columns per level (ask price, ask size, bid price, bid size); "
                f"got {orderbook.shape[1]} columns."
            )
        depth = orderbook.shape[1] // 4
        orderbook.columns = orderbook_columns(depth)
        _integral("orderbook", orderbook)
        if len(orderbook) != len(messages):
            raise InvalidInput(
                f"'orderbook' must have one row per message ({len(messages)}); got {len(orderbook)} rows."
            )
        levels = depth if self.levels is None else v.check_int("levels", self.levels, low=1)
        if levels != depth:
            raise InvalidInput(f"'levels' must equal the orderbook's depth ({depth}); got {levels}.")
        self._set("messages", messages.reset_index(drop=True))
        self._set("orderbook", orderbook.reset_index(drop=True))
        self._set("levels", levels)
        self._set("imbalance_levels", v.check_int("imbalance_levels", self.imbalance_levels, low=1, high=depth))


@dataclass(frozen=True)
class MarketMakingRequest(Request):
    """An Avellaneda-Stoikov market-making simulation (see :func:`hftlab.market_making`)."""

    rpc: ClassVar[str] = "RunMarketMaking"
    result_type: ClassVar[type] = MarketMakingResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(market_making)

    MAX_STEPS: ClassVar[int] = 200_000

    gamma: float = 0.1
    k: float = 1.5
    A: float = 140.0
    sigma: float = 2.0
    s0: float = 100.0
    horizon: float = 1.0
    dt: float = 0.005
    order_size: float = 1.0
    max_inventory: float | None = None
    tick_size: float = 0.01
    strategy: str = "inventory"
    seed: int = 0

    def __post_init__(self) -> None:
        # the bounds keep every quote, in ticks, a finite number (spread ~ gamma sigma^2 horizon)
        self._set("gamma", v.check_float("gamma", self.gamma, low=0, high=1_000_000))
        if 0 < self.gamma < 1e-9:  # (2 / gamma overflows; the limit gamma -> 0 is gamma = 0)
            raise v.fail("gamma", "0 or at least 1e-09", self.gamma)
        self._set("k", v.check_float("k", self.k, low=1e-6, high=1_000_000))
        self._set("A", v.check_float("A", self.A, low=0, high=1_000_000_000, low_open=True))
        self._set("sigma", v.check_float("sigma", self.sigma, low=0, high=1_000_000))
        self._set("tick_size", v.check_float("tick_size", self.tick_size, low=1e-9, high=1_000_000))
        self._set("s0", v.check_float("s0", self.s0, low=self.tick_size, high=1_000_000_000, low_open=True))
        self._set("horizon", v.check_float("horizon", self.horizon, low=0, high=1_000_000, low_open=True))
        self._set("dt", v.check_float("dt", self.dt, low=0, high=self.horizon, low_open=True))
        if self.horizon / self.dt > self.MAX_STEPS + 0.5:  # (round() of an overflow to inf would raise)
            raise v.fail("dt", f"at least horizon / {self.MAX_STEPS} (at most {self.MAX_STEPS} steps)", self.dt)
        self._set(
            "order_size", v.check_float("order_size", self.order_size, low=0, high=1_000_000_000, low_open=True)
        )
        if self.max_inventory is not None:
            self._set(
                "max_inventory",
                v.check_float("max_inventory", self.max_inventory, low=self.order_size, high=10**15),
            )
        self._set("strategy", v.check_choice("strategy", self.strategy, STRATEGIES))
        self._set("seed", v.check_int("seed", self.seed, low=0))


# ---------------------------------------------------------------- market data

_MAX_SEED = 2**63 - 1
_EXCHANGES = tuple(s for s in SOURCES if s not in ("simulated", "replay"))


def _symbol_list(value: object) -> list[str]:
    symbols = [value] if isinstance(value, str) else value
    if (
        not isinstance(symbols, (list, tuple))
        or not symbols
        or not all(isinstance(s, str) and s.strip() == s and s for s in symbols)
    ):
        raise v.fail("symbols", "a symbol name or a non-empty list of them", value)
    for symbol in symbols:
        v.check_text("symbols", symbol, "symbol names")
    if len(set(symbols)) != len(symbols):
        repeated = [s for s, count in collections.Counter(symbols).items() if count > 1]
        raise InvalidInput(f"'symbols' must not repeat a symbol; {v.names(repeated)} appear more than once.")
    return list(symbols)


def _source_options(request: Request, source: str) -> None:
    """Check (and coerce) ``path``, ``ws_url`` and ``rest_url`` against the source."""
    path = request.path
    if source == "replay":
        if path is None:
            raise InvalidInput("'path' is required when source is 'replay' (a LOBSTER or tick file).")
        path = str(path) if isinstance(path, os.PathLike) else path
        request._set("path", v.check_text("path", path, "a file path"))
    elif path is not None:
        raise InvalidInput(f"'path' only applies to source 'replay'; got source {source!r}.")
    for name, schemes, sources in (
        ("ws_url", ("ws://", "wss://"), _EXCHANGES),
        ("rest_url", ("http://", "https://"), ("binance",)),
    ):
        value = getattr(request, name)
        if value is None:
            continue
        if source not in sources:
            raise InvalidInput(f"'{name}' only applies to source(s) {', '.join(sources)}; got {source!r}.")
        requirement = f"a URL starting with {' or '.join(schemes)}"
        if not v.check_text(name, value, requirement).startswith(schemes):
            raise v.fail(name, requirement, value)


@dataclass(frozen=True)
class StreamMarketDataRequest(Request):
    """Resumable tick batches from a feed (see :func:`hftlab.stream_market_data`)."""

    rpc: ClassVar[str] = "StreamMarketData"
    result_type: ClassVar[type] = TickBatch
    compute: ClassVar[Callable[..., Any]] = staticmethod(stream_market_data)
    streaming: ClassVar[bool] = True

    symbols: list[str]
    source: str = "simulated"
    seed: int = 0
    batch_size: int = 10_000
    max_batches: int | None = None
    resume_from: int = 0
    path: str | None = None
    speed: float | None = None
    ws_url: str | None = None
    rest_url: str | None = None

    def __post_init__(self) -> None:
        self._set("symbols", _symbol_list(self.symbols))
        source = v.check_choice("source", self.source, SOURCES)
        self._set("seed", v.check_int("seed", self.seed, low=0, high=_MAX_SEED))
        self._set("batch_size", v.check_int("batch_size", self.batch_size, low=1, high=1_000_000))
        if self.max_batches is not None:
            self._set("max_batches", v.check_int("max_batches", self.max_batches, low=1))
        self._set("resume_from", v.check_int("resume_from", self.resume_from, low=0))
        if self.max_batches is not None and self.resume_from > self.max_batches:
            raise InvalidInput(
                f"'resume_from' {self.resume_from} is beyond the stream's last batch (max_batches "
                f"{self.max_batches}): there is nothing after it."
            )
        if self.speed is not None:
            if source not in ("simulated", "replay"):
                raise InvalidInput(f"'speed' only applies to sources 'simulated' and 'replay'; got {source!r}.")
            # (a slower pace would sleep for years between batches, beyond what a clock can count)
            self._set("speed", v.check_float("speed", self.speed, low=1e-3))
        _source_options(self, source)


@dataclass(frozen=True)
class GetOrderBookRequest(Request):
    """A book snapshot with analytics (see :func:`hftlab.order_book`)."""

    rpc: ClassVar[str] = "GetOrderBook"
    result_type: ClassVar[type] = BookSnapshot
    compute: ClassVar[Callable[..., Any]] = staticmethod(order_book)

    symbol: str
    depth: int = 10
    source: str = "simulated"
    seed: int = 0
    ticks: int | None = None
    path: str | None = None
    ws_url: str | None = None
    rest_url: str | None = None
    imbalance_levels: int = 5
    depth_bps: float = 10.0
    order_size: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.symbol, str) or not self.symbol or self.symbol.strip() != self.symbol:
            raise v.fail("symbol", "a symbol name", self.symbol)
        v.check_text("symbol", self.symbol, "a symbol name")
        source = v.check_choice("source", self.source, SOURCES)
        self._set("depth", v.check_int("depth", self.depth, low=1, high=10_000))
        self._set("seed", v.check_int("seed", self.seed, low=0, high=_MAX_SEED))
        if self.ticks is not None:
            if source not in ("simulated", "replay"):
                raise InvalidInput(f"'ticks' only applies to sources 'simulated' and 'replay'; got {source!r}.")
            self._set("ticks", v.check_int("ticks", self.ticks, low=0, high=100_000_000))
        _source_options(self, source)
        self._set("imbalance_levels", v.check_int("imbalance_levels", self.imbalance_levels, low=1))
        self._set("depth_bps", v.check_float("depth_bps", self.depth_bps, low=0, low_open=True))
        self._set("order_size", v.check_float("order_size", self.order_size, low=0, low_open=True))

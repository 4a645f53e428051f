"""Requests of the tick-level backtest, the intensity fit and the arbitrage backtest
(:func:`hftlab.tick_backtest`, :func:`hftlab.fit_intensity`, :func:`hftlab.arbitrage_backtest`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from hftlab import validation as v
from hftlab.errors import InvalidInput
from hftlab.market.events import EVENT_DTYPE, events_from_frame
from hftlab.tick import arbitrage
from hftlab.tick.arbitrage import arbitrage_backtest
from hftlab.tick.arbitrage_result import ArbitrageResult
from hftlab.tick.backtest import (
    SETTINGS,
    STRATEGIES,
    TickBacktestProgress,
    backtest_stream,
    check_settings,
    orders_table,
)
from hftlab.tick.intensity import IntensityFit, check_intensity, fit_intensity
from hftlab.types.base import Columns, Request


def _check_events(request: Request) -> None:
    """``events`` (an ``EVENT_DTYPE`` array, or a frame of its columns, or the structured array
    of a frame's columns as a server decodes one off the wire) or ``path``, one of the two."""
    if (request.events is None) == (request.path is None):
        raise InvalidInput("give 'events' or 'path' (a file of events), not both and not neither.")
    events = request.events
    if isinstance(events, pd.DataFrame) or (
        isinstance(events, np.ndarray) and events.dtype.names and events.dtype != EVENT_DTYPE
    ):
        request._set("events", events_from_frame(events))
    if request.events is not None:
        if not isinstance(request.events, np.ndarray) or request.events.dtype != EVENT_DTYPE:
            raise v.fail("events", "an EVENT_DTYPE array or a frame of its columns", request.events)
    else:
        path = str(request.path) if isinstance(request.path, os.PathLike) else request.path
        request._set("path", v.check_text("path", path, "a file path"))


@dataclass(frozen=True)
class TickBacktestRequest(Request):
    """A built-in strategy on replayed order-book events (see :func:`hftlab.tick_backtest`).

    ``events`` is an ``EVENT_DTYPE`` array (a frame with a column per field, as it comes off
    the wire, is turned into one; its rows and book are checked where the engine reads it), or
    the events stay where they are: ``path`` names a file the server reads (under its
    ``replay_dirs``).
    """

    rpc: ClassVar[str] = "RunTickBacktest"
    result_type: ClassVar[type] = TickBacktestProgress
    compute: ClassVar[Callable[..., Any]] = staticmethod(backtest_stream)
    streaming: ClassVar[bool] = True

    events: Columns | None = None
    path: str | None = None
    strategy: str = "grid"
    params: dict[str, float] = field(default_factory=dict)
    orders: pd.DataFrame | None = None
    feed_latency: float | None = None
    order_latency: float = 0.0
    order_latencies: pd.DataFrame | None = None
    queue_model: str = "auto"
    queue_power: float = 3.0
    maker_fee: float = 0.0
    taker_fee: float = 0.0
    tick_size: float | None = None
    lot_size: float | None = None
    initial_cash: float = 0.0
    sample_every: float = 1.0

    def __post_init__(self) -> None:
        _check_events(self)
        v.check_choice("strategy", self.strategy, list(STRATEGIES))
        if not isinstance(self.params, dict) or not all(isinstance(key, str) for key in self.params):
            raise v.fail("params", "a dict of parameter names to numbers", self.params)
        if (self.orders is not None) != (self.strategy == "orders"):
            raise InvalidInput("'orders' is required with strategy 'orders' and only with it.")
        if self.orders is not None:
            orders_table(self.orders)
        checked = check_settings(self.params, **{name: getattr(self, name) for name in SETTINGS})
        del checked["order_latencies"]  # checked; it travels as the frame it is
        params = checked.pop("params")
        for name, value in params.items():  # numbers only: they travel as a map of doubles
            params[name] = v.check_float(f"params.{name}", float(value) if isinstance(value, bool) else value)
        for name, value in {**checked, "params": params}.items():
            self._set(name, value)


@dataclass(frozen=True)
class FitIntensityRequest(Request):
    """The order-arrival intensity of a book's trades (see :func:`hftlab.fit_intensity`): events
    as in :class:`TickBacktestRequest` (an array, or a ``path`` the server reads)."""

    rpc: ClassVar[str] = "FitIntensity"
    result_type: ClassVar[type] = IntensityFit
    compute: ClassVar[Callable[..., Any]] = staticmethod(fit_intensity)

    events: Columns | None = None
    path: str | None = None
    tick_size: float | None = None
    window: float | None = None
    step: float | None = None
    max_depth: float | None = None
    min_count: int = 10

    def __post_init__(self) -> None:
        _check_events(self)
        checked = check_intensity(self.tick_size, self.window, self.step, self.max_depth, self.min_count)
        for name, value in checked.items():
            self._set(name, value)


@dataclass(frozen=True)
class ArbitrageBacktestRequest(Request):
    """Cross-venue or triangular arbitrage on several replayed books (see
    :func:`hftlab.arbitrage_backtest`): their events in one array of
    :data:`~hftlab.tick.arbitrage.BOOK_EVENT_DTYPE` (a frame of its columns on the wire), the
    books named in ``books`` (``[venue:]BASE/QUOTE``, in the order of the ``book`` column), a
    taker fee and an order latency (seconds) per book."""

    rpc: ClassVar[str] = "RunArbitrageBacktest"
    result_type: ClassVar[type] = ArbitrageResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(arbitrage_backtest)

    events: Columns
    books: list[str]
    taker_fee: dict[str, float]
    order_latency: dict[str, float]
    strategy: str = "cross_venue"
    min_return: float = 0.0
    max_notional: float | None = None
    max_position: float | None = None
    lot_size: float = arbitrage.LOT
    feed_latency: float | None = None
    sample_every: float = 1.0
    on_miss: str = "hold"

    def __post_init__(self) -> None:
        self._set("events", arbitrage.frame_to_events(self.events))
        checked = arbitrage.check_settings(
            self.books, self.strategy, self.taker_fee, self.order_latency,
            **{name: getattr(self, name) for name in arbitrage.SETTINGS},
        )  # fmt: skip
        books = checked.pop("books")
        arbitrage.split_books(self.events, books)
        for name, value in {**checked, "books": [book.name for book in books]}.items():
            self._set(name, value)

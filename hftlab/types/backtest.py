"""Requests of the backtest operations: one backtest and a walk-forward evaluation.

Both take ``prices`` as one column (a single asset) or two (``x``, ``y``: a pair,
``y`` traded against ``x``), as a DataFrame, a Series, a 2-D array or a pair of
Series with the same index; and the same strategy and cost parameters, checked
here so that bad input gets the same message on every backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from hftlab import validation as v
from hftlab.algo.backtest import BacktestResult, backtest
from hftlab.algo.walkforward import OBJECTIVES, WalkForwardResult, walk_forward
from hftlab.errors import InvalidInput
from hftlab.types.base import Annualisation, Block, Request, check_blocks


def _series_pair_frame(value: tuple | list) -> pd.DataFrame:
    names = [str(s.name) if s.name is not None else str(i) for i, s in enumerate(value)]
    if len(set(names)) < len(names):
        names = [str(i) for i in range(len(value))]
    first, second = value
    if not first.index.equals(second.index):
        raise InvalidInput(
            f"'prices' series {names[0]!r} and {names[1]!r} have different indexes "
            f"({len(first)} and {len(second)} labels); align them first, e.g. with "
            "pd.concat([x, y], axis=1, join='inner')."
        )
    return pd.concat([first, second], axis=1, keys=names)


def check_prices(value: Any, min_rows: int) -> pd.DataFrame:
    """``prices`` as a finite, positive, non-constant float frame of one or two columns."""
    if isinstance(value, (tuple, list)) and value and all(isinstance(s, pd.Series) for s in value):
        if len(value) != 2:
            raise v.fail("prices", "one series or a pair of series (x, y)", f"{len(value)} series")
        value = _series_pair_frame(value)
    if not isinstance(value, pd.Series | pd.DataFrame) and np.ndim(value) == 1:
        value = pd.Series(np.asarray(value))
    if isinstance(value, pd.Series) and value.name is None:
        value = value.rename("price")
    frame = v.as_frame(value, "prices", min_rows=min_rows)
    if frame.shape[1] > 2:
        raise InvalidInput(
            f"'prices' must have 1 column (one asset) or 2 (a pair: the second traded against "
            f"the first); got {frame.shape[1]}."
        )
    not_positive = (frame.to_numpy() <= 0).sum(axis=0)
    if not_positive.any():
        column = int(np.flatnonzero(not_positive)[0])
        raise InvalidInput(
            f"'prices' must be positive (positions are sized by price); column {frame.columns[column]!r} has "
            f"{int(not_positive[column])} value(s) <= 0."
        )
    v.check_columns_not_constant("prices", frame)
    return frame


def _min_rows(hedge: str, hedge_lookback: int | None, lookback: int) -> int:
    """Bars a backtest needs: the z-score (and rolling hedge) warm-up plus one bar to trade."""
    rolling_warmup = (hedge_lookback or lookback) - 1 if hedge == "rolling" else 0
    return lookback + rolling_warmup + 1


@dataclass(frozen=True)
class Hedging(Block):
    """How a pair's hedge ratio is estimated (see :func:`hftlab.backtest`)."""

    hedge: str = "static"
    hedge_lookback: int | None = None
    kalman_delta: float | None = None
    kalman_observation_var: float | None = None

    def __post_init__(self) -> None:
        hedge = v.check_choice("hedge", self.hedge, ["static", "rolling", "kalman"])
        if self.hedge_lookback is not None:
            self._set("hedge_lookback", v.check_int("hedge_lookback", self.hedge_lookback, low=2))
            if hedge != "rolling":
                raise v.fail("hedge_lookback", "None unless hedge='rolling'", self.hedge_lookback)
        for name, high in (("kalman_delta", 1.0), ("kalman_observation_var", None)):
            value = getattr(self, name)
            if value is not None:
                if hedge != "kalman":
                    raise v.fail(name, "None unless hedge='kalman'", value)
                self._set(name, v.check_float(name, value, low=0, high=high, low_open=True, high_open=True))


@dataclass(frozen=True)
class Costs(Block):
    """Trading costs: a fraction of the traded value, a fixed amount per trade, slippage."""

    cost: float = 0.0
    fixed_cost: float = 0.0
    slippage: float = 0.0

    def __post_init__(self) -> None:
        for name in ("cost", "slippage"):
            self._set(name, v.check_float(name, getattr(self, name), low=0, high=1, high_open=True))
        self._set("fixed_cost", v.check_float("fixed_cost", self.fixed_cost, low=0))


@dataclass(frozen=True)
class Sizing(Block):
    """Position sizing: capital, units per signal, a cap on units, the directions traded."""

    capital: float = 100_000.0
    size: float = 1.0
    max_units: float | None = None
    direction: str = "both"

    def __post_init__(self) -> None:
        self._set("capital", v.check_float("capital", self.capital, low=0, low_open=True))
        self._set("size", v.check_float("size", self.size, low=0, low_open=True))
        if self.max_units is not None:
            self._set("max_units", v.check_float("max_units", self.max_units, low=0, low_open=True))
        self._set("direction", v.check_choice("direction", self.direction, ["both", "long", "short"]))


def _check_strategy(request: Request, lookback: int) -> None:
    """Validate what concerns both a request's fields and its blocks, then ``prices``."""
    check_blocks(request)
    hedge, hedge_lookback = request.hedging.hedge, request.hedging.hedge_lookback
    request._set("prices", check_prices(request.prices, _min_rows(hedge, hedge_lookback, lookback)))
    if request.prices.shape[1] == 1 and hedge != "static":
        raise v.fail("hedge", "'static' for a single asset (a hedge applies to a pair)", hedge)


def _as_list(name: str, value: Any, check) -> list:
    items = list(value) if isinstance(value, Iterable) and not isinstance(value, str) else [value]
    if not items:
        raise InvalidInput(f"'{name}' must hold at least one value; got none.")
    return [check(name, item) for item in items]


def _lookback(name: str, value: Any) -> int:
    return v.check_int(name, value, low=2)


def _entry(name: str, value: Any) -> float:
    return v.check_float(name, value, low=0, low_open=True)


def _exit(name: str, value: Any) -> float:
    return v.check_float(name, value, low=0)


@dataclass(frozen=True)
class BacktestRequest(Request):
    """Backtest of the z-score band strategy (see :func:`hftlab.backtest`)."""

    rpc: ClassVar[str] = "RunBacktest"
    result_type: ClassVar[type] = BacktestResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(backtest)

    prices: pd.DataFrame
    lookback: int = 20
    entry_z: float = 2.0
    exit_z: float = 0.5
    hedging: Hedging = Hedging()
    hedge_ratio: float | None = None
    costs: Costs = Costs()
    sizing: Sizing = Sizing()
    annualisation: Annualisation = Annualisation()

    def __post_init__(self) -> None:
        lookback = _lookback("lookback", self.lookback)
        self._set("lookback", lookback)
        entry_z = _entry("entry_z", self.entry_z)
        exit_z = _exit("exit_z", self.exit_z)
        if exit_z >= entry_z:
            raise v.fail("exit_z", f"smaller than entry_z ({entry_z})", exit_z)
        self._set("entry_z", entry_z)
        self._set("exit_z", exit_z)
        _check_strategy(self, lookback)
        if self.hedge_ratio is not None:
            if self.prices.shape[1] == 1:
                raise v.fail("hedge_ratio", "None for a single asset (it applies to a pair)", self.hedge_ratio)
            if self.hedging.hedge != "static":
                raise v.fail("hedge_ratio", f"None with hedge={self.hedging.hedge!r}", self.hedge_ratio)
            self._set("hedge_ratio", v.check_float("hedge_ratio", self.hedge_ratio))


@dataclass(frozen=True)
class WalkForwardRequest(Request):
    """Walk-forward evaluation of the z-score strategy (see :func:`hftlab.walk_forward`)."""

    rpc: ClassVar[str] = "WalkForward"
    result_type: ClassVar[type] = WalkForwardResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(walk_forward)

    prices: pd.DataFrame
    train: int = 504
    test: int = 126
    lookback: list[int] = (20,)
    entry_z: list[float] = (2.0,)
    exit_z: list[float] = (0.5,)
    anchored: bool = False
    objective: str = "sharpe"
    hedging: Hedging = Hedging()
    costs: Costs = Costs()
    sizing: Sizing = Sizing()
    annualisation: Annualisation = Annualisation()

    def __post_init__(self) -> None:
        lookbacks = _as_list("lookback", self.lookback, _lookback)
        entries = _as_list("entry_z", self.entry_z, _entry)
        exits = _as_list("exit_z", self.exit_z, _exit)
        if max(exits) >= min(entries):
            raise v.fail("exit_z", f"smaller than every entry_z (min {min(entries)})", max(exits))
        self._set("lookback", lookbacks)
        self._set("entry_z", entries)
        self._set("exit_z", exits)
        if not isinstance(self.anchored, bool | np.bool_):
            raise v.fail("anchored", "True or False", self.anchored)
        self._set("anchored", bool(self.anchored))
        self._set("objective", v.check_choice("objective", self.objective, OBJECTIVES))
        test = v.check_int("test", self.test, low=2)
        self._set("test", test)
        _check_strategy(self, max(lookbacks))
        low = _min_rows(self.hedging.hedge, self.hedging.hedge_lookback, max(lookbacks))
        train = v.check_int("train", self.train, low=low)
        self._set("train", train)
        if len(self.prices) < train + test:
            raise InvalidInput(
                f"'prices' must have at least train + test = {train + test} rows; got {len(self.prices)}."
            )

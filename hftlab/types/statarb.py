"""Requests of the statistical-arbitrage operations (mean reversion, pairs, backtests)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from hftlab import validation as v
from hftlab.algo.coint import CointegrationResult, KalmanHedgeResult, cointegration, dynamic_hedge
from hftlab.algo.ou import OUFit, fit_ou
from hftlab.algo.pairs import PairScanProgress, scan_pairs_stream
from hftlab.algo.zscore import METRICS, MeanReversionResult, mean_reversion
from hftlab.errors import InvalidInput
from hftlab.types.base import Request

MIN_ROWS = 30
"""Fewest observations for an Engle-Granger/ADF regression with statsmodels' default lags."""


@dataclass(frozen=True)
class MeanReversionRequest(Request):
    """Rolling z-score signals of ``prices`` (see :func:`hftlab.mean_reversion`)."""

    rpc: ClassVar[str] = "CalculateMeanReversion"
    result_type: ClassVar[type] = MeanReversionResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(mean_reversion)

    prices: pd.Series
    lookback: int = 20
    entry_z: float = 2.0
    exit_z: float = 0.5
    metrics: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = (self.metrics,) if isinstance(self.metrics, str) else self.metrics
        if not isinstance(names, (list, tuple)):
            raise v.fail("metrics", "a metric name or a list of them (empty: all)", self.metrics)
        if len(set(names)) != len(names):
            raise InvalidInput(f"'metrics' must not repeat a name; got {list(names)}.")
        self._set("metrics", tuple(v.check_choice("metrics", name, METRICS) for name in names))
        lookback = v.check_int("lookback", self.lookback, low=2)
        self._set("lookback", lookback)
        self._set("prices", v.as_series(self.prices, "prices", min_length=max(lookback, 20)))
        v.check_not_constant("prices", self.prices)
        entry_z = v.check_float("entry_z", self.entry_z, low=0, low_open=True)
        exit_z = v.check_float("exit_z", self.exit_z, low=0)
        if exit_z >= entry_z:
            raise v.fail("exit_z", f"smaller than entry_z ({entry_z})", exit_z)
        self._set("entry_z", entry_z)
        self._set("exit_z", exit_z)


def price_table(
    value: Any, name: str = "prices", *, min_rows: int, min_columns: int = 2, max_columns: int | None = None
) -> pd.DataFrame:
    """A finite float frame of price columns from a DataFrame, 2-D array, or dict/list of Series.

    Series must share one index: different lengths or labels are rejected, naming the
    two series. Each column must be finite (the message names the column) and not constant.
    """
    if isinstance(value, Mapping) or (
        isinstance(value, (list, tuple)) and value and all(isinstance(s, pd.Series) for s in value)
    ):
        items = (
            value.items()
            if isinstance(value, Mapping)
            else ((s.name if s.name is not None else str(i), s) for i, s in enumerate(value))
        )
        columns = {str(key): v.as_series(series, f"{name}.{key}") for key, series in items}
        keys = list(columns)
        for key in keys[1:]:
            if not columns[key].index.equals(columns[keys[0]].index):
                raise InvalidInput(
                    f"'{name}' series {keys[0]!r} and {key!r} have different indexes "
                    f"({len(columns[keys[0]])} and {len(columns[key])} labels); align them first, "
                    "e.g. with pd.concat(series, axis=1, join='inner')."
                )
        value = pd.DataFrame(columns)
    try:
        frame = v.as_frame(value, name, min_rows=min_rows, min_columns=min_columns)
    except InvalidInput:
        if isinstance(value, pd.DataFrame):  # name the first bad column, if one is
            v.check_time_order(name, value.index)
            for column in value.columns:
                v.as_series(value[column], f"{name}.{column}")
        raise
    if max_columns is not None and frame.shape[1] > max_columns:
        raise v.fail(name, f"a table of at most {max_columns} columns", frame)
    v.check_columns_not_constant(name, frame)
    return frame


def _check_maxlag(request: Request, n_rows: int) -> None:
    if request.maxlag is not None:
        request._set("maxlag", v.check_int("maxlag", request.maxlag, low=0, high=n_rows // 2 - 1))


@dataclass(frozen=True)
class FitOURequest(Request):
    """Ornstein-Uhlenbeck fit of ``prices`` (see :func:`hftlab.fit_ou`)."""

    rpc: ClassVar[str] = "FitOrnsteinUhlenbeck"
    result_type: ClassVar[type] = OUFit
    compute: ClassVar[Callable[..., Any]] = staticmethod(fit_ou)

    prices: pd.Series
    dt: float = 1.0
    method: str = "mle"
    cost: float | None = None

    def __post_init__(self) -> None:
        self._set("prices", v.as_series(self.prices, "prices", min_length=20))
        v.check_not_constant("prices", self.prices)
        self._set("dt", v.check_float("dt", self.dt, low=1e-6, high=1_000_000))  # (kappa = -log(phi) / dt)
        v.check_choice("method", self.method, ["mle", "ols"])
        if self.cost is not None:  # a cost below 1e-9 of the prices is 0 to Bertram's root finder
            smallest = float(f"{1e-9 * self.prices.abs().max():.3g}")
            self._set("cost", v.check_float("cost", self.cost, low=smallest, high=1e9 * smallest))


@dataclass(frozen=True)
class CointegrationRequest(Request):
    """Engle-Granger or Johansen test of price columns (see :func:`hftlab.cointegration`)."""

    rpc: ClassVar[str] = "TestCointegration"
    result_type: ClassVar[type] = CointegrationResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(cointegration)

    prices: pd.DataFrame
    method: str = "engle_granger"
    maxlag: int | None = None
    det_order: int = 0
    k_ar_diff: int = 1
    significance: float = 0.05

    def __post_init__(self) -> None:
        method = v.check_choice("method", self.method, ["engle_granger", "johansen"])
        det_order = v.check_int("det_order", self.det_order, low=-1, high=1)
        k_ar_diff = v.check_int("k_ar_diff", self.k_ar_diff, low=0, high=50)
        self._set("det_order", det_order)
        self._set("k_ar_diff", k_ar_diff)
        if method == "engle_granger":
            frame = price_table(self.prices, min_rows=MIN_ROWS, max_columns=2)
        else:
            frame = price_table(self.prices, min_rows=MIN_ROWS, max_columns=12)
            needed = (k_ar_diff + 1) * frame.shape[1] + 10
            if frame.shape[0] < needed:
                raise InvalidInput(
                    f"'prices' must have at least {needed} rows for a Johansen test of "
                    f"{frame.shape[1]} series with k_ar_diff={k_ar_diff}; got {frame.shape[0]}."
                )
        self._set("prices", frame)
        _check_maxlag(self, frame.shape[0])
        significance = v.check_float("significance", self.significance)
        if significance not in (0.1, 0.05, 0.01):
            raise v.fail("significance", "one of 0.1, 0.05, 0.01", significance)
        self._set("significance", significance)


@dataclass(frozen=True)
class KalmanHedgeRequest(Request):
    """Kalman-filter hedge ratio of a pair (see :func:`hftlab.kalman_hedge_ratio`)."""

    rpc: ClassVar[str] = "KalmanHedgeRatio"
    result_type: ClassVar[type] = KalmanHedgeResult
    compute: ClassVar[Callable[..., Any]] = staticmethod(dynamic_hedge)

    prices: pd.DataFrame
    delta: float = 1e-4
    observation_var: float = 1e-3

    def __post_init__(self) -> None:
        self._set("prices", price_table(self.prices, min_rows=2, max_columns=2))
        self._set("delta", v.check_float("delta", self.delta, low=0, high=1, low_open=True, high_open=True))
        self._set(
            "observation_var", v.check_float("observation_var", self.observation_var, low=0, low_open=True)
        )


@dataclass(frozen=True)
class ScanPairsRequest(Request):
    """Cointegration scan of every pair of columns (see :func:`hftlab.scan_pairs`)."""

    rpc: ClassVar[str] = "ScanPairs"
    result_type: ClassVar[type] = PairScanProgress
    compute: ClassVar[Callable[..., Any]] = staticmethod(scan_pairs_stream)
    streaming: ClassVar[bool] = True

    prices: pd.DataFrame
    fdr: float = 0.05
    max_half_life: float | None = None
    max_hurst: float | None = None
    min_correlation: float | None = None
    hurst_method: str = "rs"
    maxlag: int | None = None

    def __post_init__(self) -> None:
        frame = price_table(self.prices, min_rows=MIN_ROWS)
        self._set("prices", frame)
        self._set("fdr", v.check_float("fdr", self.fdr, low=0, high=1, low_open=True, high_open=True))
        if self.max_half_life is not None:
            self._set("max_half_life", v.check_float("max_half_life", self.max_half_life, low=0, low_open=True))
        if self.max_hurst is not None:
            self._set("max_hurst", v.check_float("max_hurst", self.max_hurst, low=0, high=1, low_open=True))
        if self.min_correlation is not None:
            self._set("min_correlation", v.check_float("min_correlation", self.min_correlation, low=-1, high=1))
        v.check_choice("hurst_method", self.hurst_method, ["rs", "dfa"])
        _check_maxlag(self, frame.shape[0])

"""Strategy research: backtests and walk-forward evaluation (sweeps and search: :mod:`hftlab.workflows`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from hftlab.algo.backtest import BacktestResult
from hftlab.algo.walkforward import WalkForwardResult
from hftlab.api.base import operation
from hftlab.backends import backend
from hftlab.types import BacktestRequest, WalkForwardRequest

__all__ = ["backtest", "walk_forward"]

PricesLike = pd.DataFrame | pd.Series | tuple[pd.Series, pd.Series] | Any
"""One asset (Series, one-column frame) or a pair (two-column frame ``x, y``, or two Series)."""


@operation(BacktestRequest)
def backtest(
    prices: PricesLike,
    lookback: int = 20,
    entry_z: float = 2.0,
    exit_z: float = 0.5,
    *,
    hedge: str = "static",
    hedge_ratio: float | None = None,
    hedge_lookback: int | None = None,
    kalman_delta: float | None = None,
    kalman_observation_var: float | None = None,
    cost: float = 0.0,
    fixed_cost: float = 0.0,
    slippage: float = 0.0,
    capital: float = 100_000.0,
    size: float = 1.0,
    max_units: float | None = None,
    direction: str = "both",
    periods_per_year: float = 252.0,
) -> BacktestResult:
    """Backtest the rolling z-score band strategy on one asset or a pair.

    Short when the z-score of the price (or of the spread ``y - beta x``) rises
    above ``entry_z``, long below ``-entry_z``, flat once ``|z| < exit_z``.
    Orders fill at the close of the signal bar; a position open at the end is
    closed on the last bar.

    Parameters
    ----------
    prices : Series, DataFrame or (x, y) pair of Series
        Positive prices, oldest first. One column: a single asset. Two columns
        ``x, y`` (or two Series with the same index): the spread ``y - beta x``
        is traded, ``y`` against ``x``. At least ``lookback + 1`` rows (plus the
        rolling hedge window), finite, no column constant.
    lookback : int
        Window of the z-score's rolling mean and standard deviation (>= 2).
    entry_z, exit_z : float
        Band levels, ``0 <= exit_z < entry_z``.
    hedge : {"static", "rolling", "kalman"}
        A pair's hedge ratio: the OLS slope of ``y`` on ``x`` over all the data
        (in-sample), the OLS slope over the trailing ``hedge_lookback`` bars
        (default ``lookback``) at each bar, or the Kalman-filtered slope of
        :func:`kalman_hedge_ratio` at each bar. One asset takes ``"static"`` (no hedge).
    hedge_ratio : float, optional
        A fixed ``beta`` instead of the static OLS fit (pairs only).
    kalman_delta, kalman_observation_var : float, optional
        State and observation noise of the Kalman hedge (defaults 1e-4 and 1e-3;
        ``hedge="kalman"`` only).
    cost : float
        Commission as a fraction of traded notional, per order (``0 <= cost < 1``).
    fixed_cost : float
        Fixed fee per order (per leg), in currency.
    slippage : float
        Fraction of the price lost on each fill (``0 <= slippage < 1``).
    capital : float
        Initial equity; each round trip takes ``size * capital`` of gross notional.
    size : float
        Gross notional of a round trip as a multiple of ``capital`` (> 0).
    max_units : float, optional
        Position limit: no leg may hold more units than this.
    direction : {"both", "long", "short"}
        Which sides may be taken (``"long"``: only long the price / spread).
    periods_per_year : float
        Bars per year, for annualized metrics (252 for daily bars).

    Returns
    -------
    BacktestResult
        ``positions``, ``signal``, ``zscore``, ``spread``, ``hedge_ratio``,
        ``equity``, ``returns``, ``trades`` (one row per round trip) and
        ``metrics`` (total return, CAGR, annual volatility, Sharpe, Sortino,
        max drawdown, Calmar, hit rate, turnover, number of trades, average
        holding period, exposure, total costs). ``.plot()`` draws equity and
        drawdown.

    References
    ----------
    Gatev, Goetzmann & Rouwenhorst (2006), "Pairs trading: performance of a
    relative-value arbitrage rule", Review of Financial Studies 19(3).
    Chan (2013), "Algorithmic Trading: Winning Strategies and Their Rationale", Wiley.
    """
    return backend().execute(BacktestRequest.from_flat(**locals()))


@operation(WalkForwardRequest)
def walk_forward(
    prices: PricesLike,
    train: int = 504,
    test: int = 126,
    lookback: int | Sequence[int] = 20,
    entry_z: float | Sequence[float] = 2.0,
    exit_z: float | Sequence[float] = 0.5,
    *,
    anchored: bool = False,
    objective: str = "sharpe",
    hedge: str = "static",
    hedge_lookback: int | None = None,
    kalman_delta: float | None = None,
    kalman_observation_var: float | None = None,
    cost: float = 0.0,
    fixed_cost: float = 0.0,
    slippage: float = 0.0,
    capital: float = 100_000.0,
    size: float = 1.0,
    max_units: float | None = None,
    direction: str = "both",
    periods_per_year: float = 252.0,
) -> WalkForwardResult:
    """Walk-forward evaluation: fit on each training window, trade the test window after it.

    Each fold chooses ``lookback`` x ``entry_z`` x ``exit_z`` among the given
    candidates by the best ``objective`` on its training window (and a pair's
    static hedge ratio by OLS on that window only), then trades the next
    ``test`` bars with them. Test windows follow each other without overlap
    and their equity is stitched into one out-of-sample curve.

    Parameters
    ----------
    prices : Series, DataFrame or (x, y) pair of Series
        As for :func:`backtest`; at least ``train + test`` rows.
    train, test : int
        Window lengths in bars. Windows roll forward by ``test`` bars.
    lookback, entry_z, exit_z : number or sequence of numbers
        Candidate values (a single number fixes the parameter); every ``exit_z``
        below every ``entry_z``.
    anchored : bool
        Training windows all start at the first bar (expanding) instead of rolling.
    objective : {"sharpe", "sortino", "calmar", "total_return", "cagr"}
        Maximized on the training windows (undefined values rank last; ties go
        to the first candidate).
    hedge, hedge_lookback, kalman_delta, kalman_observation_var
        As for :func:`backtest`. A static hedge ratio is fitted on each training window;
        a rolling one warms up on the bars before the test window, a Kalman one on the
        whole training window.
    cost, fixed_cost, slippage, capital, size, max_units, direction, periods_per_year
        As for :func:`backtest`; each fold starts with the capital the previous one ended with.

    Returns
    -------
    WalkForwardResult
        ``folds`` (one row per fold: windows, chosen parameters, train score,
        test return and Sharpe), the stitched out-of-sample ``equity``,
        ``returns``, ``positions``, ``trades`` and ``metrics``.

    References
    ----------
    Pardo (2008), "The Evaluation and Optimization of Trading Strategies", 2nd ed., Wiley, ch. 11.
    """
    return backend().execute(WalkForwardRequest.from_flat(**locals()))

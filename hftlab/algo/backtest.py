"""Vectorized backtest of the z-score band strategy on one asset or a pair.

The signal is the hysteresis band rule of :mod:`hftlab.algo.zscore` (Gatev,
Goetzmann & Rouwenhorst 2006; Chan 2013, ch. 2-3) applied to a price, or to the
spread ``y - beta x`` of a pair whose second column ``y`` is traded against its
first column ``x`` (Engle & Granger 1987 hedge ratio).

Accounting (no look-ahead; array code throughout, the band state machine included):

- The signal of bar ``t`` uses closes up to ``t``; orders fill at the close of
  ``t``, so the position earns ``units * (p_{t+1} - p_t)`` from the next bar.
- Each round trip is sized at entry to ``size * capital`` of gross notional
  (``|y| + |beta| |x|`` per spread unit), capped so that no leg exceeds
  ``max_units`` units; units and hedge ratio stay fixed until the exit.
- Every order (each leg of an entry or an exit; a reversal is an exit plus an
  entry) pays ``(cost + slippage) * notional + fixed_cost``: ``cost`` is the
  commission rate, ``slippage`` the fraction of the price lost to the spread.
- A position still open on the last bar is closed there, so the trades table
  accounts for the whole profit: ``sum(trades.pnl) == equity[-1] - capital``.

Hedge ratio of a pair: ``"static"`` is the OLS slope of ``y`` on ``x`` (with an
intercept) over all the data given (in-sample: use :func:`walk_forward` for an
out-of-sample one); ``"rolling"`` is the OLS slope over the trailing
``hedge_lookback`` bars ending at each bar (causal); ``"kalman"`` is the filtered
slope of :func:`hftlab.algo.coint.kalman_hedge_ratio` (causal; Chan 2013, ch. 3);
a number given as ``hedge_ratio`` is used as is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hftlab import cancel
from hftlab.algo.coint import kalman_hedge_ratio
from hftlab.algo.performance import drawdown, performance_metrics
from hftlab.algo.zscore import band_positions as band_signal
from hftlab.algo.zscore import rolling_zscore
from hftlab.results import Result


@dataclass(frozen=True)
class BacktestResult(Result):
    """Positions, round trips, equity curve and performance of a z-score strategy.

    Attributes
    ----------
    positions : pd.DataFrame
        Units held in each instrument after each bar (columns as in ``prices``).
    signal : pd.Series
        Target side after each bar (int8): +1 long (the spread), -1 short, 0 flat.
    zscore : pd.Series
        Rolling z-score of the traded price or spread.
    spread : pd.Series
        The traded series: the price, or ``y - beta x`` for a pair.
    hedge_ratio : pd.Series or None
        ``beta`` on each bar for a pair (NaN while a rolling window fills).
    equity : pd.Series
        Account value after each bar (starts at ``capital``).
    returns : pd.Series
        ``equity`` returns per bar (0 on the first bar).
    trades : pd.DataFrame
        One row per round trip: ``side`` ("long"/"short"), ``entry_time``,
        ``exit_time`` (index labels; UTC for a time-zone-aware index),
        ``entry_price``, ``exit_price`` (price, or spread at the trade's beta),
        ``units``, (``hedge_ratio`` for a pair), ``entry_notional``,
        ``traded_notional`` (entry and exit, all legs), ``gross_pnl``, ``costs``,
        ``pnl``, ``return`` (pnl / entry notional) and ``bars_held``.
    metrics : dict
        See :data:`hftlab.algo.performance.METRICS` and that module's definitions.
    """

    positions: pd.DataFrame
    signal: pd.Series
    zscore: pd.Series
    spread: pd.Series
    hedge_ratio: pd.Series | None
    equity: pd.Series
    returns: pd.Series
    trades: pd.DataFrame
    metrics: dict[str, float]

    def plot(self):
        """Equity curve above its drawdown (plotly figure)."""
        return plot_equity(self.equity, title="Backtest")


def plot_equity(equity: pd.Series, title: str):
    """Two stacked panels: the equity curve and its drawdown from the running peak."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.05, row_heights=[0.7, 0.3])
    fig.add_trace(go.Scatter(x=equity.index, y=equity, name="equity"), row=1, col=1)
    fall = drawdown(equity)
    fig.add_trace(go.Scatter(x=fall.index, y=fall, name="drawdown", fill="tozeroy"), row=2, col=1)
    fig.update_yaxes(title_text="equity", row=1, col=1)
    fig.update_yaxes(title_text="drawdown", tickformat=".0%", row=2, col=1)
    fig.update_layout(height=500, title=title)
    return fig


def ols_hedge_ratio(x: np.ndarray, y: np.ndarray) -> float:
    """Slope of the OLS regression ``y = a + beta x`` (Engle & Granger 1987, step one)."""
    xc = x - x.mean()
    return float(xc @ (y - y.mean()) / (xc @ xc))


def rolling_hedge_ratio(x: pd.Series, y: pd.Series, window: int) -> pd.Series:
    """OLS slope of ``y`` on ``x`` over each trailing ``window`` (NaN before, and on flat ``x``)."""
    variance = x.rolling(window).var()
    beta = x.rolling(window).cov(y) / variance
    return beta.where(variance > 0).rename("hedge_ratio")


def index_labels(index: pd.Index, positions: np.ndarray) -> np.ndarray:
    """Index labels at ``positions``; a time-zone-aware index gives naive UTC times."""
    if isinstance(index, pd.DatetimeIndex) and index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    return index.to_numpy()[positions]


def backtest(
    prices: pd.DataFrame,
    lookback: int = 20,
    entry_z: float = 2.0,
    exit_z: float = 0.5,
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
    *,
    trade_from: int = 0,
) -> BacktestResult:
    """Backtest the z-score band strategy (see the module docstring for the rules).

    ``prices`` must already be validated (see ``hftlab.types.BacktestRequest``):
    one column (a single asset) or two (``x``, ``y``: a pair), finite and positive.
    ``kalman_delta`` and ``kalman_observation_var`` (defaults 1e-4 and 1e-3) tune
    ``hedge="kalman"``. Bars before ``trade_from`` only warm the z-score and the
    hedge ratio up: no position is held on them (walk-forward test windows).
    """
    cancel.check()  # a walk-forward or an MCMC runs many of these
    index = prices.index
    values = prices.to_numpy()
    pair = values.shape[1] == 2
    beta = None
    if pair:
        x, y = values[:, 0], values[:, 1]
        if hedge_ratio is not None:
            beta = np.full(len(values), float(hedge_ratio))
        elif hedge == "static":
            beta = np.full(len(values), ols_hedge_ratio(x, y))
        elif hedge == "kalman":
            beta = kalman_hedge_ratio(
                prices.iloc[:, 1],
                prices.iloc[:, 0],
                delta=1e-4 if kalman_delta is None else kalman_delta,
                observation_var=1e-3 if kalman_observation_var is None else kalman_observation_var,
            ).beta.to_numpy()
        else:
            window = hedge_lookback or lookback
            beta = rolling_hedge_ratio(prices.iloc[:, 0], prices.iloc[:, 1], window).to_numpy()
        spread = pd.Series(y - beta * x, index=index, name="spread")
    else:
        spread = prices.iloc[:, 0].rename("spread")
    zscore = rolling_zscore(spread, lookback)
    signal = band_signal(zscore.to_numpy(), entry_z, exit_z)
    if direction != "both":
        signal[signal == (-1 if direction == "long" else 1)] = 0
    signal[:trade_from] = 0
    signal[-1] = 0  # close what is open on the last bar

    previous = np.concatenate([[0], signal[:-1]])
    entry_at = np.flatnonzero((signal != 0) & (signal != previous))
    exit_at = np.flatnonzero((previous != 0) & (signal != previous))
    side = signal[entry_at].astype(np.float64)
    if pair:
        trade_beta = beta[entry_at]
        weights = np.column_stack([-trade_beta, np.ones(len(entry_at))])
    else:
        weights = np.ones((len(entry_at), 1))
    entry_prices, exit_prices = values[entry_at], values[exit_at]
    unit_notional = (np.abs(weights) * entry_prices).sum(axis=1)
    units = size * capital / unit_notional
    if max_units is not None:
        units = np.minimum(units, max_units / np.abs(weights).max(axis=1))
    leg_units = (side * units)[:, None] * weights

    held = np.zeros_like(values)
    trade_of_bar = np.cumsum((signal != 0) & (signal != previous)) - 1
    in_market = signal != 0
    if len(entry_at):
        held[in_market] = leg_units[trade_of_bar[in_market]]
    bar_pnl = np.zeros(len(values))
    bar_pnl[1:] = (held[:-1] * np.diff(values, axis=0)).sum(axis=1)

    rate = cost + slippage
    orders = (leg_units != 0).sum(axis=1)
    entry_notional, exit_notional = (np.abs(leg_units) * p for p in (entry_prices, exit_prices))
    entry_costs = rate * entry_notional.sum(axis=1) + fixed_cost * orders
    exit_costs = rate * exit_notional.sum(axis=1) + fixed_cost * orders
    bar_costs = np.zeros(len(values))
    np.add.at(bar_costs, entry_at, entry_costs)
    np.add.at(bar_costs, exit_at, exit_costs)
    equity = capital + np.cumsum(bar_pnl - bar_costs)
    returns = equity / np.concatenate([[capital], equity[:-1]]) - 1.0

    gross = (leg_units * (exit_prices - entry_prices)).sum(axis=1)
    costs = entry_costs + exit_costs
    trades = {
        "side": np.where(side > 0, "long", "short").astype(object),
        "entry_time": index_labels(index, entry_at),
        "exit_time": index_labels(index, exit_at),
        "entry_price": (weights * entry_prices).sum(axis=1),
        "exit_price": (weights * exit_prices).sum(axis=1),
        "units": units,
    }
    if pair:
        trades["hedge_ratio"] = trade_beta
    trades.update(
        {
            "entry_notional": units * unit_notional,
            "traded_notional": entry_notional.sum(axis=1) + exit_notional.sum(axis=1),
            "gross_pnl": gross,
            "costs": costs,
            "pnl": gross - costs,
            "return": (gross - costs) / (units * unit_notional),
            "bars_held": (exit_at - entry_at).astype(np.int64),
        }
    )
    trades = pd.DataFrame(trades)
    return BacktestResult(
        positions=pd.DataFrame(held, index=index, columns=prices.columns),
        signal=pd.Series(signal, index=index, name="signal"),
        zscore=zscore,
        spread=spread,
        hedge_ratio=None if beta is None else pd.Series(beta, index=index, name="hedge_ratio"),
        equity=pd.Series(equity, index=index, name="equity"),
        returns=pd.Series(returns, index=index, name="returns"),
        trades=trades,
        metrics=performance_metrics(equity, trades, in_market, capital, periods_per_year),
    )

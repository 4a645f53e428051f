"""Performance statistics of an equity curve and its round-trip trades.

Definitions follow Bacon (2008), "Practical Portfolio Performance Measurement
and Attribution", with the risk-free rate taken as zero:

- per-period returns ``r_t = E_t / E_{t-1} - 1`` over the ``n - 1`` periods of an
  equity curve ``E_0 .. E_{n-1}``; ``years = (n - 1) / periods_per_year``;
- Sharpe (1966) ``mean(r) / std(r, ddof=1) * sqrt(P)``;
- Sortino & Price (1994) ``mean(r) / sqrt(mean(min(r, 0)^2)) * sqrt(P)``
  (downside deviation below a zero target, over every period);
- maximum drawdown ``max_t (1 - E_t / max_{s<=t} E_s)`` as a positive fraction;
- Calmar (Young 1991) ``CAGR / max drawdown``.

Ratios whose denominator is zero (no variation, no losses, no drawdown, no
trades) are NaN: undefined, not zero and not infinite.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

METRICS = (
    "total_return",
    "cagr",
    "annual_volatility",
    "sharpe",
    "sortino",
    "max_drawdown",
    "calmar",
    "hit_rate",
    "turnover",
    "n_trades",
    "avg_holding_period",
    "exposure",
    "total_costs",
)
"""The keys of every ``metrics`` dict, in order."""


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def drawdown(equity: pd.Series) -> pd.Series:
    """Fall from the running peak, ``E_t / max_{s<=t} E_s - 1`` (zero or negative)."""
    return (equity / equity.cummax() - 1.0).rename("drawdown")


def performance_metrics(
    equity: np.ndarray | pd.Series,
    trades: pd.DataFrame,
    in_market: np.ndarray,
    capital: float,
    periods_per_year: float,
) -> dict[str, float]:
    """Return, risk and trading statistics (see the module docstring for definitions).

    Parameters
    ----------
    equity : ndarray or Series
        Account value after each bar, starting from ``capital`` (at least two points).
    trades : pd.DataFrame
        One row per round trip with ``pnl``, ``bars_held``, ``traded_notional``, ``costs``.
    in_market : ndarray of bool
        Whether a position is held on each bar (for ``exposure``).
    capital : float
        Initial capital: ``turnover`` is traded notional per year in units of it.
    periods_per_year : float
        Bars per year (252 for daily data).
    """
    values = np.asarray(equity, dtype=np.float64)
    returns = values[1:] / values[:-1] - 1.0
    years = len(returns) / periods_per_year
    growth = values[-1] / values[0]
    cagr = float(growth ** (1.0 / years) - 1.0) if growth > 0 else -1.0
    volatility = float(np.std(returns, ddof=1)) if len(returns) > 1 else math.nan
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    mean = float(np.mean(returns))
    max_drawdown = float(np.max(1.0 - values / np.maximum.accumulate(values)))
    pnl = trades["pnl"].to_numpy()
    return {
        "total_return": float(growth - 1.0),
        "cagr": cagr,
        "annual_volatility": volatility * math.sqrt(periods_per_year),
        "sharpe": _ratio(mean, volatility) * math.sqrt(periods_per_year),
        "sortino": _ratio(mean, downside) * math.sqrt(periods_per_year),
        "max_drawdown": max_drawdown,
        "calmar": _ratio(cagr, max_drawdown),
        "hit_rate": float(np.mean(pnl > 0)) if len(pnl) else math.nan,
        "turnover": float(trades["traded_notional"].to_numpy().sum()) / capital / years,
        "n_trades": float(len(pnl)),
        "avg_holding_period": float(trades["bars_held"].to_numpy().mean()) if len(pnl) else math.nan,
        "exposure": float(np.mean(in_market)),
        "total_costs": float(trades["costs"].to_numpy().sum()),
    }

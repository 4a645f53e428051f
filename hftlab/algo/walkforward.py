"""Walk-forward evaluation of the z-score strategy: fit on a window, trade the next one.

Walk-forward analysis (Pardo 2008, "The Evaluation and Optimization of Trading
Strategies", ch. 11): the data are cut into consecutive folds. In each, the
strategy parameters (``lookback`` x ``entry_z`` x ``exit_z`` candidates) are
chosen by the best ``objective`` on the training window, and a pair's static
hedge ratio is the OLS fit on that window only; the strategy then trades the
test window that follows with them. Test windows do not overlap; their
out-of-sample equity curves are stitched end to end, each fold starting with
the capital the previous one ended with. Training windows roll by ``test``
bars (``anchored=True``: they all start at the first bar and grow).

The z-score and a rolling hedge ratio of a test window are warmed up on the
bars just before it, a Kalman hedge ratio on the whole training window (all
training bars): no position is opened before the test window starts, and any
position still open at its end is closed there. Bars after the last whole test
window are not traded.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hftlab.algo.backtest import backtest, index_labels, ols_hedge_ratio, plot_equity
from hftlab.algo.performance import performance_metrics
from hftlab.results import Result

OBJECTIVES = ("sharpe", "sortino", "calmar", "total_return", "cagr")
"""Metrics a walk-forward can maximize on its training windows."""


@dataclass(frozen=True)
class WalkForwardResult(Result):
    """Out-of-sample result of a walk-forward evaluation.

    Attributes
    ----------
    folds : pd.DataFrame
        One row per fold: ``fold``, ``train_start``, ``train_end``, ``test_start``,
        ``test_end`` (index labels of the first and last bar; UTC for a
        time-zone-aware index), the chosen ``lookback``, ``entry_z``, ``exit_z``,
        ``hedge_ratio`` (the train-window OLS fit of a static pair, else NaN),
        ``train_score`` (the objective on the training window) and the test
        window's ``test_return``, ``test_sharpe`` and ``test_trades``.
    equity : pd.Series
        Stitched out-of-sample equity, from the last training bar before the
        first test window (``capital``) to the end of the last test window.
    returns : pd.Series
        ``equity`` returns per bar (0 on the first).
    positions : pd.DataFrame
        Units held after each out-of-sample bar.
    trades : pd.DataFrame
        Every out-of-sample round trip (columns of :class:`BacktestResult` ``trades``
        plus ``fold``).
    metrics : dict
        Performance of the stitched out-of-sample equity and trades.
    """

    folds: pd.DataFrame
    equity: pd.Series
    returns: pd.Series
    positions: pd.DataFrame
    trades: pd.DataFrame
    metrics: dict[str, float]

    def plot(self):
        """Out-of-sample equity above its drawdown, test windows shaded alternately."""
        fig = plot_equity(self.equity, title="Walk-forward (out of sample)")
        for row in self.folds.iloc[::2].itertuples():
            fig.add_vrect(x0=row.test_start, x1=row.test_end, fillcolor="grey", opacity=0.1, line_width=0)
        return fig


def _score(metrics: dict[str, float], objective: str) -> float:
    value = metrics[objective]
    return value if math.isfinite(value) else -math.inf


def walk_forward(
    prices: pd.DataFrame,
    train: int = 504,
    test: int = 126,
    lookback: list[int] = (20,),
    entry_z: list[float] = (2.0,),
    exit_z: list[float] = (0.5,),
    anchored: bool = False,
    objective: str = "sharpe",
    hedge: str = "static",
    hedge_lookback: int | None = None,
    capital: float = 100_000.0,
    periods_per_year: float = 252.0,
    **costs_and_sizing,
) -> WalkForwardResult:
    """Walk-forward evaluation (see the module docstring).

    ``costs_and_sizing`` are the other :func:`hftlab.algo.backtest.backtest` keywords
    (``kalman_delta``, ``kalman_observation_var``, ``cost``, ``fixed_cost``,
    ``slippage``, ``size``, ``max_units``, ``direction``). A candidate with an undefined
    objective on the training window (e.g. no trade) ranks last; ties go to the
    first candidate in grid order. Inputs must already be validated (see
    ``hftlab.types.WalkForwardRequest``).
    """
    pair = prices.shape[1] == 2
    candidates = list(itertools.product(lookback, entry_z, exit_z))
    n_folds = (len(prices) - train) // test
    equity_parts, position_parts, trade_parts, rows = [], [], [], []
    balance = capital
    for fold in range(n_folds):
        test_start = train + fold * test
        train_start = 0 if anchored else test_start - train
        window = prices.iloc[train_start:test_start]
        scores = [
            _score(
                backtest(
                    window,
                    lb,
                    ez,
                    xz,
                    hedge=hedge,
                    hedge_lookback=hedge_lookback,
                    capital=balance,
                    periods_per_year=periods_per_year,
                    **costs_and_sizing,
                ).metrics,
                objective,
            )
            for lb, ez, xz in candidates
        ]
        best = int(np.argmax(scores))
        chosen_lookback, chosen_entry, chosen_exit = candidates[best]
        beta = (
            ols_hedge_ratio(window.iloc[:, 0].to_numpy(), window.iloc[:, 1].to_numpy())
            if pair and hedge == "static"
            else None
        )
        warmup = chosen_lookback - 1
        if pair and hedge == "rolling":
            warmup += (hedge_lookback or chosen_lookback) - 1
        elif pair and hedge == "kalman":
            warmup = test_start - train_start
        segment = prices.iloc[test_start - warmup : test_start + test]
        result = backtest(
            segment,
            chosen_lookback,
            chosen_entry,
            chosen_exit,
            hedge=hedge,
            hedge_ratio=beta,
            hedge_lookback=hedge_lookback,
            capital=balance,
            periods_per_year=periods_per_year,
            **costs_and_sizing,
            trade_from=warmup,
        )
        equity_parts.append(result.equity.iloc[warmup - 1 if fold == 0 else warmup :])
        position_parts.append(result.positions.iloc[warmup:])
        trade_parts.append(result.trades.assign(fold=fold))
        out_of_sample = result.equity.iloc[warmup - 1 :]
        labels = index_labels(prices.index, [train_start, test_start - 1, test_start, test_start + test - 1])
        rows.append(
            {
                "fold": fold,
                "train_start": labels[0],
                "train_end": labels[1],
                "test_start": labels[2],
                "test_end": labels[3],
                "lookback": chosen_lookback,
                "entry_z": chosen_entry,
                "exit_z": chosen_exit,
                "hedge_ratio": math.nan if beta is None else beta,
                "train_score": scores[best] if math.isfinite(scores[best]) else math.nan,
                "test_return": float(out_of_sample.iloc[-1] / out_of_sample.iloc[0] - 1.0),
                "test_sharpe": performance_metrics(
                    out_of_sample,
                    result.trades,
                    result.signal.to_numpy()[warmup:] != 0,
                    balance,
                    periods_per_year,
                )["sharpe"],
                "test_trades": len(result.trades),
            }
        )
        balance = float(result.equity.iloc[-1])
    equity = pd.concat(equity_parts)
    positions = pd.concat(position_parts)
    trades = pd.concat(trade_parts, ignore_index=True)
    in_market = (positions.to_numpy() != 0).any(axis=1)
    return WalkForwardResult(
        folds=pd.DataFrame(rows),
        equity=equity,
        returns=(equity / equity.shift(1, fill_value=capital) - 1.0).rename("returns"),
        positions=positions,
        trades=trades,
        metrics=performance_metrics(equity, trades, in_market, capital, periods_per_year),
    )

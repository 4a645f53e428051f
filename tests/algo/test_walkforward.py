"""Walk-forward: folds, choices made on training data only, stitched out-of-sample equity."""

import math

import numpy as np
import pandas as pd
import pytest

from hftlab.algo.backtest import backtest, ols_hedge_ratio
from hftlab.algo.walkforward import walk_forward
from hftlab.data import cointegrated_pair


@pytest.fixture(scope="module")
def pair():
    return cointegrated_pair(900, beta=1.5, half_life=6.0, seed=2)


GRID = {"lookback": [10, 30], "entry_z": [1.0, 2.0], "exit_z": [0.0, 0.5]}


@pytest.fixture(scope="module")
def result(pair):
    return walk_forward(pair, train=300, test=150, cost=0.0005, fixed_cost=1.0, **GRID)


def test_fold_windows(pair, result):
    folds = result.folds
    assert folds["fold"].tolist() == [0, 1, 2, 3]  # (900 - 300) // 150
    index = pair.index.to_numpy()
    for k, row in folds.iterrows():
        start = 300 + 150 * k
        assert row["train_start"] == index[start - 300] and row["train_end"] == index[start - 1]
        assert row["test_start"] == index[start] and row["test_end"] == index[start + 149]
    assert result.equity.index[0] == pair.index[299] and result.equity.iloc[0] == 100_000.0
    assert result.equity.index[-1] == pair.index[899] and len(result.equity) == 601
    assert result.positions.index.equals(pair.index[300:900])


def test_parameters_and_hedge_ratio_come_from_the_training_window(pair, result):
    for _, row in result.folds.iterrows():
        start = 300 + 150 * int(row["fold"])
        window = pair.iloc[start - 300 : start]
        assert row["hedge_ratio"] == ols_hedge_ratio(window["x"].to_numpy(), window["y"].to_numpy())
        balance = 100_000.0 if row["fold"] == 0 else result.equity.loc[pair.index[start - 1]]
        scores = {
            (lb, ez, xz): backtest(window, lb, ez, xz, cost=0.0005, fixed_cost=1.0, capital=balance).metrics[
                "sharpe"
            ]
            for lb in GRID["lookback"]
            for ez in GRID["entry_z"]
            for xz in GRID["exit_z"]
        }
        best = max(scores, key=lambda k: scores[k] if math.isfinite(scores[k]) else -math.inf)
        assert (row["lookback"], row["entry_z"], row["exit_z"]) == best
        assert row["train_score"] == scores[best]


def test_stitched_equity_is_the_test_backtests_chained(pair, result):
    balance = 100_000.0
    pieces = []
    for _, row in result.folds.iterrows():
        start = 300 + 150 * int(row["fold"])
        warmup = int(row["lookback"]) - 1
        segment = pair.iloc[start - warmup : start + 150]
        test = backtest(
            segment,
            int(row["lookback"]),
            row["entry_z"],
            row["exit_z"],
            hedge_ratio=row["hedge_ratio"],
            cost=0.0005,
            fixed_cost=1.0,
            capital=balance,
        )
        assert (test.positions.iloc[:warmup] == 0).all().all()  # nothing traded on training bars
        assert test.equity.iloc[warmup - 1] == balance
        pieces.append(test.equity.iloc[warmup:])
        assert row["test_return"] == pytest.approx(test.equity.iloc[-1] / balance - 1, rel=1e-12)
        assert row["test_trades"] == len(test.trades)
        balance = test.equity.iloc[-1]
    expected = pd.concat(pieces)
    np.testing.assert_array_equal(result.equity.iloc[1:].to_numpy(), expected.to_numpy())
    assert result.trades["fold"].nunique() == 4
    assert (result.trades["entry_time"] >= pair.index[300]).all()
    assert result.trades["pnl"].sum() == pytest.approx(result.equity.iloc[-1] - 100_000.0, rel=1e-9)
    assert result.metrics["n_trades"] == len(result.trades)
    assert result.metrics["total_return"] == pytest.approx(result.equity.iloc[-1] / 1e5 - 1, rel=1e-12)


def test_anchored_windows_start_at_the_first_bar(pair):
    result = walk_forward(pair, train=300, test=200, anchored=True, lookback=[20])
    assert (result.folds["train_start"] == pair.index[0]).all()
    assert result.folds["train_end"].tolist() == [pair.index[299], pair.index[499], pair.index[699]]


def test_rolling_hedge_warms_up_on_training_bars(pair):
    result = walk_forward(pair, train=200, test=100, lookback=[15], hedge="rolling", hedge_lookback=60)
    assert result.folds["hedge_ratio"].isna().all()
    assert len(result.equity) == 701 and len(result.folds) == 7
    assert result.metrics["n_trades"] > 10


def test_kalman_hedge_warms_up_on_the_training_window(pair):
    result = walk_forward(pair, train=300, test=150, lookback=[20], hedge="kalman", kalman_delta=1e-5)
    balance = 100_000.0
    for fold in range(4):
        start = 300 + 150 * fold
        segment = pair.iloc[start - 300 : start + 150]
        test = backtest(
            segment, 20, 2.0, 0.5, hedge="kalman", kalman_delta=1e-5, capital=balance, trade_from=300
        )
        np.testing.assert_array_equal(result.equity.loc[segment.index[300:]], test.equity.iloc[300:])
        balance = test.equity.iloc[-1]
    assert result.folds["hedge_ratio"].isna().all() and result.metrics["n_trades"] > 5


def test_single_asset_and_trailing_bars(pair):
    result = walk_forward(pair[["y"]], train=250, test=200, lookback=[10, 20], entry_z=[1.5])
    assert len(result.folds) == 3  # bars 850..899 do not fill a test window
    assert result.equity.index[-1] == pair.index[849]


def test_plot(result):
    fig = result.plot()
    assert [trace.name for trace in fig.data] == ["equity", "drawdown"]

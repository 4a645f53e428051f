"""Rolling rebalance: bookkeeping of drift and costs, and warm solves equal to cold ones."""

import numpy as np
import pandas as pd
import pytest

from hftlab.algo.portfolio import optimize_portfolio
from hftlab.algo.rebalance import performance, rebalance_portfolio


@pytest.fixture(scope="module")
def returns():
    rng = np.random.default_rng(21)
    values = rng.normal(0.0004, 0.01, size=(400, 5)) + rng.normal(0, 0.006, size=(400, 1))
    return pd.DataFrame(values, columns=list("VWXYZ"), index=pd.bdate_range("2022-01-03", periods=400))


def test_daily_equal_weight_earns_the_row_mean_minus_costs(returns):
    costs = pd.Series(0.001, index=returns.columns)
    result = rebalance_portfolio(
        returns, "equal_weight", "returns", window=100, rebalance_every=1, transaction_costs=costs
    )
    values = returns.to_numpy()[100:]
    drifted = 0.2 * (1 + values[:-1]) / (1 + values[:-1].mean(axis=1, keepdims=True))
    turnover = np.concatenate([[1.0], np.abs(0.2 - drifted).sum(axis=1)])  # the first trade is from cash
    np.testing.assert_allclose(result.turnover, turnover, atol=1e-14)
    np.testing.assert_allclose(result.returns, values.mean(axis=1) - 0.001 * turnover, atol=1e-14)
    assert result.total_cost == pytest.approx(0.001 * turnover.sum())
    assert result.n_rebalances == 300 and result.n_failed == 0
    assert result.annual_return == performance(result.returns.to_numpy(), 252, 0.0)["annual_return"]


def test_warm_rolling_solves_equal_cold_ones(returns):
    result = rebalance_portfolio(returns, "max_sharpe", "returns", window=120, rebalance_every=40)
    for date, weights in result.weights.iterrows():
        end = returns.index.get_loc(date)
        cold = optimize_portfolio(returns.iloc[end - 120 : end], "max_sharpe", "returns")
        np.testing.assert_allclose(weights, cold.weights, atol=1e-9)


def test_failed_solves_keep_the_current_weights(returns):
    result = rebalance_portfolio(
        returns, "markowitz", "returns", window=100, rebalance_every=50, target_return=5.0
    )
    assert result.n_failed == result.n_rebalances == 6
    assert (result.weights.to_numpy() == 0).all() and (result.returns == 0).all()

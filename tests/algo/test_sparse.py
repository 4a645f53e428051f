"""Sparse portfolios find planted structure: mean-reverting baskets, cointegration, sparse factors."""

import itertools

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Lasso

from hftlab.algo.sparse import box_tiao_matrices, sparse_portfolio
from hftlab.algo.stationarity import hurst_rs
from hftlab.algo.zscore import ar1_half_life


def ar1(rng, n, phi, scale):
    values, shocks = np.zeros(n), rng.normal(scale=scale, size=n)
    for t in range(1, n):
        values[t] = phi * values[t - 1] + shocks[t]
    return values


def planted_basket(seed, n_obs=1000, n_assets=10):
    """Random walks, except s2, s5, s7 = common random walk + stationary noise: a 3-asset
    mean-reverting basket (the factor cancels when the weights sum to zero)."""
    rng = np.random.default_rng(seed)
    factor = np.cumsum(rng.normal(size=n_obs))
    prices = np.cumsum(rng.normal(size=(n_obs, n_assets)), axis=0)
    prices[:, 2] = factor + ar1(rng, n_obs, 0.8, 3.0)
    prices[:, 5] = factor + ar1(rng, n_obs, 0.8, 3.0)
    prices[:, 7] = factor + ar1(rng, n_obs, 0.0, 5.0)
    return pd.DataFrame(
        100 + prices,
        columns=[f"s{i}" for i in range(n_assets)],
        index=pd.bdate_range("2019-01-01", periods=n_obs),
    )


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_greedy_box_tiao_finds_the_planted_support(seed):
    prices = planted_basket(seed)
    result = sparse_portfolio(prices, "box_tiao_greedy", k=3)
    assert sorted(result.selected) == ["s2", "s5", "s7"]
    assert abs(result.weights.sum()) < 0.05  # the common random walk cancels
    assert np.abs(result.weights).sum() == pytest.approx(1.0)
    assert result.half_life < 3 and result.hurst < 0.3
    # the path is nested, each step lowers the predictability, the last is the objective
    supports = [set(result.path.index[result.path[c] != 0]) for c in result.path.columns]
    assert all(a < b for a, b in itertools.pairwise(supports))
    assert result.path_objective == sorted(result.path_objective, reverse=True)
    assert result.objective == result.path_objective[-1]


def test_objective_is_the_box_tiao_predictability_of_the_weights():
    prices = planted_basket(0)
    result = sparse_portfolio(prices, "box_tiao_greedy", k=3)
    predicted, gamma = box_tiao_matrices(prices.to_numpy())
    x = result.weights.to_numpy() * prices.to_numpy().std(axis=0)  # weights on the standardised levels
    assert x @ predicted @ x / (x @ gamma @ x) == pytest.approx(result.objective, rel=1e-9)
    assert result.half_life == ar1_half_life(result.portfolio)
    assert result.hurst == hurst_rs(result.portfolio.to_numpy())


@pytest.mark.parametrize("seed", [0, 3])
def test_sdp_relaxation_finds_the_planted_support(seed):
    prices = planted_basket(seed)
    greedy = sparse_portfolio(prices, "box_tiao_greedy", k=3)
    sdp = sparse_portfolio(prices, "box_tiao_sdp", k=3)
    assert sdp.selected == ["s2", "s5", "s7"]
    np.testing.assert_allclose(sdp.weights, greedy.weights, atol=1e-9)


def test_lasso_finds_a_sparse_cointegrating_combination():
    """Y = 2 B - 1.5 F + stationary noise; B and F random walks, the other assets stationary
    (independent random walks would be spuriously correlated with Y in any finite sample)."""
    rng = np.random.default_rng(11)
    levels = {name: 100 + ar1(rng, 800, 0.9, 1.0) for name in "ACDEGH"}
    levels["B"] = 100 + np.cumsum(rng.normal(size=800))
    levels["F"] = 100 + np.cumsum(rng.normal(size=800))
    prices = pd.DataFrame(levels)[list("ABCDEFGH")]
    prices["Y"] = 2.0 * prices["B"] - 1.5 * prices["F"] + ar1(rng, 800, 0.5, 1.0)
    result = sparse_portfolio(prices, "lasso", k=2, target_column="Y")
    assert sorted(result.selected) == ["B", "F"] and result.weights["Y"] == 0
    assert result.weights["B"] == pytest.approx(2.0, abs=0.05)
    assert result.weights["F"] == pytest.approx(-1.5, abs=0.05)
    assert result.half_life < 3


def test_elastic_net_objective_is_the_minimised_loss():
    rng = np.random.default_rng(5)
    returns = rng.normal(scale=0.01, size=(300, 6))
    index_returns = returns[:, :3].mean(axis=1) + rng.normal(scale=0.001, size=300)
    prices = pd.DataFrame(100 * np.cumprod(1 + returns, axis=0), columns=list("ABCDEF"))
    index = pd.Series(100 * np.cumprod(1 + index_returns), name="index")
    result = sparse_portfolio(prices, "lasso", alpha=5e-4, target=index, regress_on="returns")
    asset_returns = prices.pct_change().iloc[1:].to_numpy()
    target = index.pct_change().iloc[1:].to_numpy()
    z = (asset_returns - asset_returns.mean(axis=0)) / asset_returns.std(axis=0)
    lasso = Lasso(alpha=5e-4, fit_intercept=False, tol=1e-12, max_iter=100_000)
    beta = lasso.fit(z, target - target.mean()).coef_
    loss = np.sum((target - target.mean() - z @ beta) ** 2) / (2 * len(target)) + 5e-4 * np.abs(beta).sum()
    assert result.objective == pytest.approx(loss, rel=1e-6)
    assert sorted(result.selected) == ["A", "B", "C"]


def test_sparse_pca_finds_a_sparse_factor_and_reduces_to_pca_without_threshold():
    rng = np.random.default_rng(9)
    factor = rng.normal(scale=0.02, size=(500, 1))
    loadings = np.array([[1.0, 0.8, 0, 0, 0.9, 0, 0, 0]])
    returns = factor @ loadings + rng.normal(scale=0.005, size=(500, 8))
    prices = pd.DataFrame(100 * np.cumprod(1 + returns, axis=0), columns=list("ABCDEFGH"))
    result = sparse_portfolio(prices, "sparse_pca", k=3, n_components=2)
    assert sorted(result.selected) == ["A", "B", "E"]
    assert result.path.shape == (8, 2) and result.path_objective[0] > result.path_objective[1]
    dense = sparse_portfolio(prices, "sparse_pca", k=8)
    simple = prices.pct_change().iloc[1:].to_numpy()
    leading = np.linalg.eigh(np.cov(simple.T))[1][:, -1]
    leading = leading * np.sign(leading[np.argmax(np.abs(leading))])
    np.testing.assert_allclose(dense.weights, leading / np.abs(leading).sum(), atol=1e-8)

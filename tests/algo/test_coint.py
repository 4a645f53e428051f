"""Engle-Granger and Johansen against statsmodels; the Kalman hedge ratio against least squares."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.tsa.stattools import adfuller, coint
from statsmodels.tsa.vector_ar.vecm import coint_johansen

from hftlab.algo.coint import cointegration, engle_granger, johansen, kalman_hedge_ratio
from hftlab.algo.zscore import ar1_half_life
from hftlab.data import cointegrated_pair, sp500_prices


@pytest.fixture(scope="module")
def prices():
    pair = cointegrated_pair(800, beta=1.5, half_life=8.0, seed=3)
    walk = 50 + np.cumsum(np.random.default_rng(1).standard_normal(800))
    return pair.assign(z=walk)


def test_engle_granger_equals_statsmodels_coint(prices):
    result = engle_granger(prices["y"], prices["x"])
    stat, pvalue, critical = coint(prices["y"], prices["x"])
    assert result.stat == pytest.approx(stat, rel=1e-10)
    assert result.pvalue == pytest.approx(pvalue, rel=1e-8)
    np.testing.assert_allclose(list(result.critical_values.values()), critical, rtol=1e-12)
    ols = sm.OLS(prices["y"], sm.add_constant(prices["x"])).fit()
    assert result.hedge_ratio == pytest.approx(ols.params["x"], rel=1e-10)
    assert result.constant == pytest.approx(ols.params["const"], rel=1e-10)
    np.testing.assert_allclose(result.spread, ols.resid, atol=1e-9)
    assert result.lags == adfuller(ols.resid, regression="n", autolag="AIC", result_object=True).lags
    assert result.half_life == pytest.approx(ar1_half_life(result.spread), rel=1e-12)
    assert (result.beta == result.hedge_ratio).all() and result.beta.index.equals(prices.index)


@pytest.mark.parametrize(
    ("asset_x", "asset_y", "start", "maxlag"),
    [("KO", "PEP", "2011-01-01", None), ("XOM", "CVX", "2003-01-01", 4), ("JPM", "BAC", "2016-01-01", 0)],
)
def test_engle_granger_equals_coint_on_sp500_pairs(asset_x, asset_y, start, maxlag):
    """Real pairs from skfolio's S&P 500 sample, default and given ``maxlag``."""
    prices = sp500_prices(start)
    result = engle_granger(prices[asset_y], prices[asset_x], maxlag)
    stat, pvalue, _ = coint(prices[asset_y], prices[asset_x], maxlag=maxlag)
    assert result.stat == pytest.approx(stat, rel=1e-8)
    assert result.pvalue == pytest.approx(pvalue, rel=1e-8, abs=1e-12)
    residuals = sm.OLS(prices[asset_y], sm.add_constant(prices[asset_x])).fit().resid
    adf = adfuller(residuals, maxlag=maxlag, regression="n", autolag="AIC", result_object=True)
    assert (result.lags, result.nobs) == (adf.lags, adf.nobs)


def test_planted_pair_is_cointegrated_and_a_random_walk_is_not(prices):
    assert engle_granger(prices["y"], prices["x"]).pvalue < 0.01
    assert engle_granger(prices["z"], prices["x"]).pvalue > 0.1
    assert 4 < engle_granger(prices["y"], prices["x"]).half_life < 16  # planted 8


def test_collinear_series_give_minus_infinity_like_statsmodels(prices):
    y = (2 * prices["x"] + 1).rename("y")
    result = engle_granger(y, prices["x"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = coint(y, prices["x"])
    assert result.stat == expected[0] == -math.inf
    assert result.pvalue == expected[1] == 0.0


@pytest.mark.parametrize("det_order", [-1, 0, 1])
@pytest.mark.parametrize("k_ar_diff", [1, 2, 4])
def test_johansen_equals_statsmodels(prices, det_order, k_ar_diff):
    result = johansen(prices, det_order, k_ar_diff)
    expected = coint_johansen(prices.to_numpy(), det_order, k_ar_diff)
    np.testing.assert_allclose(result.trace["stat"], expected.lr1, rtol=1e-8)
    np.testing.assert_allclose(result.max_eig["stat"], expected.lr2, rtol=1e-8)
    np.testing.assert_allclose(result.eigenvalues, expected.eig, rtol=1e-8)
    np.testing.assert_array_equal(result.trace[["cv_90", "cv_95", "cv_99"]], expected.cvt)
    np.testing.assert_array_equal(result.max_eig[["cv_90", "cv_95", "cv_99"]], expected.cvm)
    # same vectors (v' S_kk v = 1) up to the sign of each
    signs = np.sign(result.vectors.to_numpy()[0] * expected.evec[0])
    np.testing.assert_allclose(result.vectors.to_numpy(), expected.evec * signs, rtol=1e-7, atol=1e-10)


def test_johansen_finds_rank_one_and_the_planted_vector(prices):
    result = johansen(prices, det_order=0, k_ar_diff=1)
    assert result.rank_trace == 1 and result.rank_max_eig == 1
    weights = result.vectors["v1"] / result.vectors["v1"]["x"]
    # y - 1.5 x is stationary: weights proportional to (-1.5, 1, 0)
    assert weights["y"] == pytest.approx(-1 / 1.5, rel=0.05)
    assert abs(weights["z"]) < 0.05
    np.testing.assert_allclose(result.spread, prices.to_numpy() @ weights.to_numpy())


def test_kalman_without_state_noise_is_recursive_least_squares(prices):
    """delta -> 0: the filtered state is the OLS fit on the data seen so far."""
    result = kalman_hedge_ratio(prices["y"], prices["x"], delta=1e-14, observation_var=1.0)
    for end in (100, 400, 800):
        ols = sm.OLS(prices["y"][:end], sm.add_constant(prices["x"][:end])).fit()
        assert result.beta.iloc[end - 1] == pytest.approx(ols.params["x"], rel=1e-5)
        assert result.intercept.iloc[end - 1] == pytest.approx(ols.params["const"], rel=1e-4, abs=1e-4)
    assert result.hedge_ratio == result.beta.iloc[-1]


def test_kalman_spread_uses_the_previous_state(prices):
    result = kalman_hedge_ratio(prices["y"], prices["x"])
    t = 500
    x, y = prices["x"].iloc[t], prices["y"].iloc[t]
    expected = y - result.intercept.iloc[t - 1] - result.beta.iloc[t - 1] * x
    assert result.spread.iloc[t] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(result.zscore, result.spread / result.spread_std)


def test_kalman_tracks_a_planted_random_walk_hedge_ratio():
    """Data drawn from the model (beta a random walk with step variance delta): the filter
    follows beta and its standardised forecast errors have unit variance."""
    rng = np.random.default_rng(4)
    n = 1500
    x = 100 + np.cumsum(rng.standard_normal(n))
    beta = 1 + np.cumsum(rng.standard_normal(n)) * 0.01
    y = pd.Series(beta * x + rng.standard_normal(n) * 0.5)
    result = kalman_hedge_ratio(y, pd.Series(x), delta=1e-4, observation_var=0.25)
    assert np.corrcoef(result.beta[100:], beta[100:])[0, 1] > 0.98
    assert np.abs(result.beta.to_numpy()[100:] - beta[100:]).mean() < 0.03
    assert 0.9 < result.zscore.iloc[100:].std() < 1.1


def test_cointegration_dispatches_on_method(prices):
    eg = cointegration(prices[["x", "y"]])
    assert eg.method == "engle_granger" and eg.johansen is None
    assert (eg.engle_granger.asset_x, eg.engle_granger.asset_y) == ("x", "y")
    jo = cointegration(prices, method="johansen", k_ar_diff=2)
    assert jo.engle_granger is None and jo.johansen.k_ar_diff == 2

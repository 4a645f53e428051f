"""Hurst exponents, variance ratio, ADF and KPSS against planted processes and statsmodels."""

import math

import numpy as np
import pytest
from statsmodels.tsa.stattools import adfuller
from statsmodels.tsa.stattools import kpss as sm_kpss

from hftlab.algo.stationarity import adf, hurst_dfa, hurst_rs, kpss, variance_ratio, window_sizes
from hftlab.data import ou_process


def fractional_walks(n, hurst, columns, seed):
    """Cumulated exact fractional Gaussian noise (Cholesky factor of its autocovariance)."""
    k = np.arange(n)
    gamma = 0.5 * (np.abs(k + 1) ** (2 * hurst) - 2 * k ** (2 * hurst) + np.abs(k - 1) ** (2 * hurst))
    factor = np.linalg.cholesky(gamma[np.abs(k[:, None] - k[None, :])])
    return np.cumsum(factor @ np.random.default_rng(seed).standard_normal((n, columns)), axis=0)


@pytest.fixture(scope="module")
def random_walks():
    return np.cumsum(np.random.default_rng(8).standard_normal((2000, 12)), axis=0)


@pytest.mark.parametrize("estimator", [hurst_rs, hurst_dfa])
def test_random_walks_have_hurst_one_half(estimator, random_walks):
    estimates = estimator(random_walks)
    assert estimates.shape == (12,)
    assert abs(estimates.mean() - 0.5) < 0.04
    assert np.all(np.abs(estimates - 0.5) < 0.12)


@pytest.mark.parametrize("hurst", [0.3, 0.7])
@pytest.mark.parametrize(("estimator", "tolerance"), [(hurst_rs, 0.06), (hurst_dfa, 0.03)])
def test_fractional_noise_exponent_is_recovered(estimator, tolerance, hurst):
    """Average over 20 paths of 2048 steps (R/S is known to be biased towards 0.5)."""
    assert abs(estimator(fractional_walks(2048, hurst, 20, seed=0)).mean() - hurst) < tolerance


@pytest.mark.parametrize("estimator", [hurst_rs, hurst_dfa])
def test_mean_reverting_levels_have_small_hurst(estimator):
    assert estimator(ou_process(2000, kappa=np.log(2) / 5, seed=4).to_numpy()) < 0.35


@pytest.mark.parametrize("estimator", [hurst_rs, hurst_dfa])
def test_batched_columns_equal_one_at_a_time(estimator, random_walks):
    batched = estimator(random_walks[:, :4])
    single = [estimator(random_walks[:, j]) for j in range(4)]
    np.testing.assert_allclose(batched, single, rtol=0, atol=1e-12)


def test_too_short_for_two_window_sizes():
    with pytest.raises(ValueError, match="need at least two window sizes"):
        window_sizes(15)


def variance_ratio_by_the_book(prices, q):
    """Lo & MacKinlay (1988), eqs. 12-20, written with explicit loops."""
    x = np.diff(prices)
    nq = len(x)
    mu = sum(x) / nq
    var_a = sum((xk - mu) ** 2 for xk in x) / (nq - 1)
    m = q * (nq - q + 1) * (1 - q / nq)
    var_c = sum((prices[k] - prices[k - q] - q * mu) ** 2 for k in range(q, nq + 1)) / m
    ratio = var_c / var_a
    denominator = sum((xk - mu) ** 2 for xk in x) ** 2
    theta = 0.0
    for j in range(1, q):
        delta = nq * sum((x[k] - mu) ** 2 * (x[k - j] - mu) ** 2 for k in range(j, nq)) / denominator
        theta += (2 * (q - j) / q) ** 2 * delta
    z = (ratio - 1) / math.sqrt(2 * (2 * q - 1) * (q - 1) / (3 * q * nq))
    return ratio, z, math.sqrt(nq) * (ratio - 1) / math.sqrt(theta)


@pytest.mark.parametrize("q", [2, 5, 16])
def test_variance_ratio_equals_the_paper_formulas(q):
    prices = 50 + np.cumsum(np.random.default_rng(q).standard_normal(300))
    result = variance_ratio(prices, q)
    ratio, z, z_robust = variance_ratio_by_the_book(prices, q)
    assert result.ratio == pytest.approx(ratio, rel=1e-12)
    assert result.z == pytest.approx(z, rel=1e-10)
    assert result.z_robust == pytest.approx(z_robust, rel=1e-10)
    assert result.pvalue == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-10)


def test_variance_ratio_two_is_one_plus_first_autocorrelation():
    rng = np.random.default_rng(1)
    e = rng.standard_normal(20001)
    increments = e[1:] + 0.5 * e[:-1]  # MA(1): rho_1 = 0.5 / 1.25 = 0.4
    assert variance_ratio(np.cumsum(increments), 2).ratio == pytest.approx(1.4, abs=0.03)
    mean_reverting = variance_ratio(ou_process(5000, kappa=0.1, seed=3).to_numpy(), 10)
    assert mean_reverting.ratio < 0.8 and mean_reverting.z_robust < -3


def test_robust_z_is_calibrated_under_heteroskedasticity():
    """Volatility tripling mid-sample: z* stays N(0, 1), the homoskedastic z does not."""
    rng = np.random.default_rng(0)
    scale = np.where(np.arange(1000) < 500, 1.0, 3.0)
    plain, robust = [], []
    for _ in range(300):
        result = variance_ratio(np.cumsum(rng.standard_normal(1000) * scale), 5)
        plain.append(result.z)
        robust.append(result.z_robust)
    assert 0.85 < np.std(robust) < 1.15
    assert np.std(plain) > 1.15


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.InterpolationWarning")
def test_adf_and_kpss_are_statsmodels_numbers():
    series = ou_process(400, kappa=0.05, seed=9).to_numpy()
    expected = adfuller(series, autolag="AIC", result_object=True)
    result = adf(series)
    assert result.lags == expected.lags
    assert (result.stat, result.pvalue) == pytest.approx((expected.statistic, expected.pvalue), rel=1e-8)
    stationary = sm_kpss(series, nlags="auto", result_object=True)
    result = kpss(series)
    assert (result.stat, result.pvalue) == (stationary.statistic, stationary.pvalue)
    assert result.lags == stationary.lags


def test_kpss_says_when_its_pvalue_is_a_table_bound(random_walks):
    trending = kpss(random_walks[:, 0])
    assert trending.pvalue == 0.01 and trending.pvalue_bound == "upper_bound"
    assert "upper bound" in trending.note()
    noise = kpss(np.random.default_rng(2).standard_normal(500))
    assert noise.pvalue == 0.1 and noise.pvalue_bound == "lower_bound"
    assert "true p-value is larger" in noise.note()
    middle = kpss(ou_process(3000, 0.05, seed=2).to_numpy())
    assert 0.01 < middle.pvalue < 0.1 and middle.pvalue_bound == "interpolated" and middle.note() == ""

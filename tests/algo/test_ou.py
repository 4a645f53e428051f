"""Ornstein-Uhlenbeck fits against statsmodels and planted parameters; Bertram's levels."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.integrate
import scipy.special
import statsmodels.api as sm
from statsmodels.tsa.arima.model import ARIMA

from hftlab.algo.ou import bertram_levels, expected_cycle_time, fit_ou
from hftlab.data import ou_process


@pytest.fixture
def path():
    return ou_process(1500, kappa=3.0, theta=10.0, sigma=2.0, dt=1 / 252, seed=21)


def test_ols_fit_is_the_ar1_regression_mapped_to_ou(path):
    dt = 1 / 252
    values = path.to_numpy()
    ols = sm.OLS(values[1:], sm.add_constant(values[:-1])).fit()
    const, phi = ols.params
    fit = fit_ou(path, dt=dt, method="ols")
    assert fit.phi == pytest.approx(phi, rel=1e-12)
    assert fit.kappa == pytest.approx(-math.log(phi) / dt, rel=1e-12)
    assert fit.theta == pytest.approx(const / (1 - phi), rel=1e-12)
    residual_var = ols.ssr / ols.df_resid
    assert fit.sigma == pytest.approx(math.sqrt(residual_var * 2 * fit.kappa / (1 - phi**2)), rel=1e-12)
    assert fit.half_life == pytest.approx(math.log(2) / fit.kappa, rel=1e-12)
    # delta method: se(kappa) = se(phi) / (phi dt)
    assert fit.kappa_se == pytest.approx(ols.bse[1] / (phi * dt), rel=1e-10)
    assert fit.half_life_se == pytest.approx(math.log(2) / fit.kappa**2 * fit.kappa_se, rel=1e-10)


def test_exact_mle_maximises_statsmodels_arima_likelihood(path):
    """The exact OU likelihood is ARIMA(1,0,0)'s (Kalman filter, stationary start)."""
    fit = fit_ou(path, dt=1 / 252, method="mle")
    model = ARIMA(path.to_numpy(), order=(1, 0, 0), trend="c")
    innovation_var = fit.sigma**2 * (1 - fit.phi**2) / (2 * fit.kappa)
    ours = [fit.theta, fit.phi, innovation_var]
    assert model.loglike(ours) == pytest.approx(fit.log_likelihood, rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default = model.fit()
        polished = model.fit(start_params=ours)
    assert fit.log_likelihood >= default.llf - 1e-8  # statsmodels' own optimum is not better
    assert polished.llf == pytest.approx(fit.log_likelihood, abs=1e-6)
    np.testing.assert_allclose(polished.params, ours, rtol=1e-4)


@pytest.mark.parametrize("method", ["mle", "ols"])
def test_planted_kappa_is_recovered_within_its_standard_error(method):
    kappa, dt = 3.0, 1 / 252
    fit = fit_ou(ou_process(2500, kappa=kappa, theta=10.0, sigma=2.0, dt=dt, seed=5), dt=dt, method=method)
    assert abs(fit.kappa - kappa) < 2 * fit.kappa_se
    assert abs(fit.theta - 10.0) < 2 * fit.theta_se
    assert abs(fit.sigma - 2.0) < 2 * fit.sigma_se
    assert fit.mean_reverting


def test_standard_errors_match_the_spread_of_estimates():
    """Over many planted paths the kappa z-scores are roughly standard normal."""
    kappa, dt = 0.2, 1.0
    z = []
    for seed in range(120):
        fit = fit_ou(ou_process(1000, kappa=kappa, theta=0.0, sigma=1.0, dt=dt, seed=seed), dt=dt, method="mle")
        z.append((fit.kappa - kappa) / fit.kappa_se)
    z = np.array(z)
    assert 0.8 < z.std() < 1.25
    assert np.mean(np.abs(z) < 2) > 0.9


def test_random_walk_is_not_mean_reverting_by_ols():
    rng = np.random.default_rng(3)
    trend = pd.Series(np.cumsum(1 + rng.standard_normal(500) * 0.1))
    fit = fit_ou(trend, method="ols")
    assert not fit.mean_reverting
    assert fit.half_life == math.inf and math.isnan(fit.theta) and fit.kappa <= 0
    assert fit_ou(trend, method="ols", cost=0.1).levels is None


def test_bertram_band_satisfies_the_first_order_condition_and_is_optimal():
    kappa, theta, sigma, cost = 4.0, 1.0, 0.5, 0.02
    levels = bertram_levels(kappa, theta, sigma, cost)
    k = math.sqrt(kappa) / sigma
    u = levels.band * k
    # Bertram (2010): exp(u^2) (2u - ck) / sqrt(pi) = erfi(u) at the optimum (symmetric case)
    assert scipy.special.erfi(u) == pytest.approx(
        math.exp(u * u) * (2 * u - cost * k) / math.sqrt(math.pi), rel=1e-10
    )
    grid = np.linspace(cost / 2 + 1e-6, 5 * sigma / math.sqrt(2 * kappa), 4001)
    per_time = [(2 * b - cost) / expected_cycle_time(b, kappa, sigma) for b in grid]
    assert levels.return_per_time >= max(per_time) - 1e-12
    assert levels.lower == pytest.approx(theta - levels.band)
    assert levels.upper == pytest.approx(theta + levels.band)
    assert levels.band_z == pytest.approx(levels.band / (sigma / math.sqrt(2 * kappa)))
    # higher costs widen the band
    assert bertram_levels(kappa, theta, sigma, 0.1).band > levels.band


def test_expected_cycle_time_equals_the_scale_speed_integral():
    """E[T] from a to m and back = int_a^m s(y) dy * int m(x) dx for dX = -kappa X dt + sigma dW."""
    kappa, sigma, band = 2.0, 0.7, 0.3
    scale, _ = scipy.integrate.quad(lambda y: math.exp(kappa * y * y / sigma**2), -band, band)
    speed, _ = scipy.integrate.quad(
        lambda x: 2 / sigma**2 * math.exp(-kappa * x * x / sigma**2), -np.inf, np.inf
    )
    assert expected_cycle_time(band, kappa, sigma) == pytest.approx(scale * speed, rel=1e-10)


def test_fit_with_cost_carries_the_levels(path):
    fit = fit_ou(path, dt=1 / 252, cost=0.05)
    assert fit.levels == bertram_levels(fit.kappa, fit.theta, fit.sigma, 0.05)

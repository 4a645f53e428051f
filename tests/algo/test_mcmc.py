"""Adaptive Metropolis: a conjugate posterior, the diagnostics, the OU and strategy objectives."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from hftlab.algo import mcmc_diagnostics as diag
from hftlab.algo.mcmc import adaptive_metropolis, sample_log_density
from hftlab.algo.posteriors import ou_conditional_mle, ou_objective, run_mcmc
from hftlab.data import cointegrated_pair, ou_process
from hftlab.errors import InvalidInput

SETTINGS = {"n_samples": 2500, "n_chains": 4, "burn_in": 500, "thin": 1, "credible_level": 0.9}


@pytest.fixture(scope="module")
def conjugate():
    """y_i ~ N(mu_j, 1.5^2) for two independent means with N(0, 10^2) priors: an analytic posterior."""
    rng = np.random.default_rng(0)
    data = [rng.normal(1.5, 1.5, 40), rng.normal(-20.0, 1.5, 15)]
    prior_var, noise_var = 100.0, 1.5**2
    precision = np.array([1 / prior_var + len(y) / noise_var for y in data])
    mean = np.array([y.sum() / noise_var for y in data]) / precision

    def log_density(mu):
        terms = zip(data, mu, strict=True)
        return sum(-0.5 * ((y - m) ** 2).sum() / noise_var - 0.5 * m * m / prior_var for y, m in terms)

    result = sample_log_density(
        log_density, np.array([0.0, 0.0]), ["a", "b"], np.array([1.0, 1.0]), seed=4, **SETTINGS
    )
    return result, mean, 1 / precision


def test_conjugate_normal_posterior_mean_and_variance(conjugate):
    result, mean, variance = conjugate
    for i, name in enumerate(["a", "b"]):
        mcse = math.sqrt(variance[i] / result.ess[name])
        assert abs(result.mean[name] - mean[i]) < 4 * mcse
        assert result.std[name] ** 2 == pytest.approx(variance[i], rel=4 * math.sqrt(2 / result.ess[name]))
        assert result.rhat[name] < 1.01
        lower, upper = norm.ppf([0.05, 0.95], mean[i], math.sqrt(variance[i]))
        assert result.credible_intervals.loc[name, "lower"] == pytest.approx(lower, abs=6 * mcse)
        assert result.credible_intervals.loc[name, "upper"] == pytest.approx(upper, abs=6 * mcse)
    assert result.converged and result.message.startswith("Converged")
    assert isinstance(result.acceptance_rate, float) and 0.15 < result.acceptance_rate < 0.6
    assert result.samples.shape == (4 * 2500, 2) and list(result.samples.columns) == ["a", "b"]
    assert result.draws("a").shape == (4, 2500)
    assert result.best_log_density == result.log_density.max()


def test_same_seed_same_draws_and_a_new_seed_new_draws():
    def f(x):
        return -0.5 * float(x @ x)

    first = adaptive_metropolis(f, np.zeros(2), np.ones(2), 50, 2, 20, 2, seed=9)
    again = adaptive_metropolis(f, np.zeros(2), np.ones(2), 50, 2, 20, 2, seed=9)
    other = adaptive_metropolis(f, np.zeros(2), np.ones(2), 50, 2, 20, 2, seed=10)
    np.testing.assert_array_equal(first[0], again[0])
    assert not np.array_equal(first[0], other[0])
    assert not np.array_equal(first[0][0], first[0][1])  # chains have their own streams


def test_a_start_outside_the_support_is_rejected():
    with pytest.raises(InvalidInput, match="'x0' must have a finite log density"):
        adaptive_metropolis(lambda x: -math.inf if x[0] < 1 else 0.0, np.zeros(1), np.ones(1), 50, 2, 0, 1, 0)


def test_rhat_and_ess_on_chains_with_known_answers():
    rng = np.random.default_rng(1)
    iid = rng.standard_normal((4, 1000))
    assert diag.rhat(iid) < 1.01
    assert diag.ess_bulk(iid) == pytest.approx(4000, rel=0.1)
    shifted = iid + np.array([0.0, 0.0, 0.0, 2.0])[:, None]  # one chain stuck elsewhere
    assert diag.rhat(shifted) > 1.1
    trending = iid + np.linspace(0, 3, 1000)  # every chain drifts: split halves disagree
    assert diag.rhat(trending) > 1.1
    phi = 0.8
    ar = np.zeros((4, 5000))
    noise = rng.standard_normal((4, 5000))
    for t in range(1, 5000):
        ar[:, t] = phi * ar[:, t - 1] + noise[:, t]
    theory = 4 * 5000 * (1 - phi) / (1 + phi)
    assert diag.effective_sample_size(ar) == pytest.approx(theory, rel=0.15)
    assert diag.ess_tail(iid) == pytest.approx(4000, rel=0.15)
    assert math.isnan(diag.rhat(np.ones((2, 10))))


def test_ou_log_density_is_the_exact_transition_likelihood_plus_priors():
    spread = ou_process(300, kappa=0.2, theta=1.0, sigma=0.3, seed=2).to_numpy()
    target = ou_objective(pd.Series(spread), dt=0.5)
    center, width = spread.mean(), 10 * spread.std()

    def expected(kappa, theta, sigma):
        """Transition likelihood + log priors, as a density of the sampler's coordinates."""
        phi = math.exp(-kappa * 0.5)
        variance = sigma**2 * (1 - phi**2) / (2 * kappa)
        likelihood = norm.logpdf(spread[1:], theta + phi * (spread[:-1] - theta), math.sqrt(variance)).sum()
        prior = norm.logpdf(theta, center, width) - math.log(sigma)  # uniform phi, Jeffreys sigma
        # Jacobian of (phi, theta, sigma) -> (logit phi, c, log v): phi (1 - phi) / (1 - phi) * sigma / 2
        jacobian = math.log(phi * (1 - phi)) - math.log(1 - phi) + math.log(sigma / 2)
        u = np.array([math.log(phi / (1 - phi)), (theta - center) * (1 - phi), math.log(variance)])
        return u, likelihood + prior + jacobian

    (u1, value1), (u2, value2) = expected(0.25, 0.9, 0.35), expected(0.1, 1.3, 0.25)
    # equal up to the constants the module drops: compare differences between two points
    assert target.log_density(u1) - target.log_density(u2) == pytest.approx(value1 - value2, rel=1e-9)
    np.testing.assert_allclose(target.report(u1), [0.25, 0.9, 0.35, math.log(2) / 0.25])


def test_ou_conditional_mle_maximises_the_transition_likelihood():
    spread = ou_process(500, kappa=0.1, theta=2.0, sigma=0.5, seed=3).to_numpy()
    mle = ou_conditional_mle(spread, 1.0)

    def log_likelihood(kappa, theta, sigma):
        phi = math.exp(-kappa)
        sd = sigma * math.sqrt((1 - phi**2) / (2 * kappa))
        return norm.logpdf(spread[1:], theta + phi * (spread[:-1] - theta), sd).sum()

    best = log_likelihood(mle["kappa"], mle["theta"], mle["sigma"])
    for step in np.eye(3) * 1e-3:
        for sign in (1, -1):
            moved = np.array([mle["kappa"], mle["theta"], mle["sigma"]]) * (1 + sign * step)
            assert log_likelihood(*moved) < best


def test_ou_posterior_covers_the_planted_parameters():
    truth = {"kappa": math.log(2) / 10, "theta": 1.0, "sigma": 0.5}
    spread = ou_process(2000, truth["kappa"], truth["theta"], truth["sigma"], seed=3)
    result = run_mcmc("ou", spread=spread, n_samples=1500, n_chains=4, burn_in=1000, seed=1)
    for name, value in truth.items():
        interval = result.credible_intervals.loc[name]
        assert interval["lower"] < value < interval["upper"], name
        assert result.rhat[name] < 1.01
    assert result.mean["kappa"] == pytest.approx(result.mle["kappa"], rel=0.1)
    assert result.mean["sigma"] == pytest.approx(result.mle["sigma"], rel=0.01)
    assert list(result.samples.columns) == ["kappa", "theta", "sigma", "half_life"]
    np.testing.assert_allclose(result.samples["half_life"], math.log(2) / result.samples["kappa"])


def test_strategy_posterior_stays_in_its_box():
    prices = cointegrated_pair(700, seed=4)
    result = run_mcmc(
        "strategy",
        prices=prices,
        train=250,
        test=150,
        temperature=0.05,
        lookback_range=[5, 30],
        entry_z_range=[1.0, 2.5],
        exit_z_range=[0.0, 0.8],
        n_samples=20,
        n_chains=2,
        burn_in=10,
        seed=0,
    )
    samples = result.samples
    assert list(samples.columns) == ["lookback", "entry_z", "exit_z"]
    assert samples["lookback"].between(5, 30).all() and (samples["lookback"] % 1 == 0).all()
    assert samples["entry_z"].between(1.0, 2.5).all() and samples["exit_z"].between(0.0, 0.8).all()
    assert (samples["exit_z"] < samples["entry_z"]).all()
    assert result.mle == {} and np.isfinite(result.best_log_density)

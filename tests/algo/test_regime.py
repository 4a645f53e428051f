"""Regime detection (HMM and statsmodels Markov switching) and online filtering."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

from hftlab.algo.hmm import run_hmm
from hftlab.algo.regime import detect_regime, filter_regimes

TRANSITION = np.array([[0.98, 0.02], [0.05, 0.95]])
MEANS = np.array([0.0005, -0.001])
VOLS = np.array([0.007, 0.02])


def planted_returns(n=2000, seed=11):
    rng = np.random.default_rng(seed)
    states = np.empty(n, dtype=int)
    states[0] = 0
    for t in range(1, n):
        states[t] = rng.choice(2, p=TRANSITION[states[t - 1]])
    returns = MEANS[states] + VOLS[states] * rng.standard_normal(n)
    return pd.Series(returns, index=pd.bdate_range("2010-01-01", periods=n), name="r"), states


@pytest.fixture(scope="module")
def returns():
    return planted_returns()


@pytest.fixture(scope="module")
def hmm_regimes(returns):
    return detect_regime(returns[0], n_regimes=2, method="hmm", seed=0, n_restarts=3)


@pytest.fixture(scope="module")
def ms_regimes(returns):
    return detect_regime(returns[0].iloc[:1000], n_regimes=2, method="markov_switching", n_restarts=1)


def test_hmm_regimes_are_the_planted_ones(returns, hmm_regimes):
    table = hmm_regimes.regimes
    states = returns[1]
    counts = np.zeros((2, 2))
    np.add.at(counts, (states[:-1], states[1:]), 1)
    realised = counts / counts.sum(axis=1, keepdims=True)  # the path's own transition frequencies
    np.testing.assert_allclose(table["volatility"], VOLS, rtol=0.08)
    np.testing.assert_allclose(table["stay_probability"], np.diag(realised), atol=0.02)
    np.testing.assert_allclose(table["persistence"], 1 / (1 - table["stay_probability"]), rtol=1e-12)
    assert table["share"].sum() == pytest.approx(1.0)
    assert (hmm_regimes.regime.to_numpy() == returns[1]).mean() > 0.9
    last = hmm_regimes.filtered_probabilities.iloc[-1]
    assert hmm_regimes.current_regime == int(np.argmax(last))
    assert hmm_regimes.current_probability == last.max()
    assert hmm_regimes.converged


def test_markov_switching_agrees_with_the_hmm(returns, ms_regimes):
    hmm = detect_regime(returns[0].iloc[:1000], n_regimes=2, method="hmm", seed=0, n_restarts=2)
    np.testing.assert_allclose(ms_regimes.regimes["volatility"], hmm.regimes["volatility"], rtol=0.02)
    np.testing.assert_allclose(ms_regimes.transition_matrix, hmm.transition_matrix, atol=0.01)
    assert (ms_regimes.regime.to_numpy() == hmm.regime.to_numpy()).mean() > 0.97
    assert ms_regimes.converged and ms_regimes.method == "markov_switching"


def test_markov_switching_log_likelihood_is_statsmodels_in_original_units(returns, ms_regimes):
    r = returns[0].iloc[:1000].to_numpy()
    fit = MarkovRegression(r * 100, k_regimes=2, trend="c", switching_variance=True).fit(disp=False)
    # the likelihood of returns in percent is the one in units shifted by n log(100)
    assert ms_regimes.log_likelihood == pytest.approx(fit.llf + len(r) * np.log(100), abs=0.05)


def test_forward_filter_reproduces_statsmodels_filtered_probabilities(ms_regimes, returns):
    online = filter_regimes(
        returns[0].iloc[:1000].to_frame(),
        ms_regimes.transition_matrix.to_numpy(),
        ms_regimes.regimes["mean"].to_numpy()[:, None],
        ms_regimes.regimes["volatility"].to_numpy()[:, None, None] ** 2,
        ms_regimes.start_probabilities.to_numpy(),
    )
    np.testing.assert_allclose(online.filtered_probabilities, ms_regimes.filtered_probabilities, atol=1e-8)
    assert online.log_likelihood == pytest.approx(ms_regimes.log_likelihood, rel=1e-9)


def test_online_filtering_equals_the_batch_filtered_posterior(returns):
    frame = returns[0].to_frame()
    fit = run_hmm(frame, n_states=2, seed=0, n_restarts=2)
    model = {
        "transition_matrix": fit.transition_matrix.to_numpy(),
        "means": fit.means.to_numpy(),
        "covariances": fit.covariances,
        "start_probabilities": fit.start_probabilities.to_numpy(),
    }
    pieces = [filter_regimes(frame.iloc[:1500], **model)]
    for t in range(1500, 1520):  # then one bar at a time, as a live feed would
        last = pieces[-1].filtered_probabilities.iloc[-1].to_numpy()
        pieces.append(filter_regimes(frame.iloc[t : t + 1], prior=last, **model))
    last = pieces[-1].filtered_probabilities.iloc[-1].to_numpy()
    pieces.append(filter_regimes(frame.iloc[1520:], prior=last, **model))
    online = pd.concat([p.filtered_probabilities for p in pieces])
    pd.testing.assert_index_equal(online.index, fit.filtered_probabilities.index)
    np.testing.assert_allclose(online.to_numpy(), fit.filtered_probabilities.to_numpy(), atol=1e-12)
    assert sum(p.log_likelihood for p in pieces) == pytest.approx(fit.log_likelihood, rel=1e-10)
    np.testing.assert_allclose(
        pieces[-1].filtered_probabilities.iloc[-1], fit.state_probabilities.iloc[-1], atol=1e-10
    )
    np.testing.assert_allclose(
        pieces[-1].next_probabilities,
        fit.filtered_probabilities.iloc[-1].to_numpy() @ model["transition_matrix"],
    )


def test_an_impossible_observation_is_a_clear_error():
    with pytest.raises(ValueError, match="zero probability under the model"):
        filter_regimes(
            pd.DataFrame({"x": [0.0, 50.0]}),
            np.eye(2),
            np.array([[0.0], [50.0]]),
            np.full((2, 1, 1), 1e-4),
            np.array([1.0, 0.0]),
        )

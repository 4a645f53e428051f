"""Gaussian HMM: planted-state recovery, stable state order, hmmlearn's likelihood, BIC selection."""

import numpy as np
import pandas as pd
import pytest
from hmmlearn.hmm import GaussianHMM
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from hftlab.algo.hmm import forward_filter, gaussian_log_densities, run_hmm, select_n_states
from hftlab.types.regimes import RunHMMRequest

TRANSITION = np.array([[0.97, 0.03], [0.06, 0.94]])
MEANS = np.array([-0.5, 1.0])
STDS = np.array([1.0, 0.4])  # the low-mean state is the volatile one


def planted(n=5000, seed=42):
    """A 2-state Gaussian HMM path: (observations, true states)."""
    rng = np.random.default_rng(seed)
    states = np.empty(n, dtype=int)
    states[0] = 0
    for t in range(1, n):
        states[t] = rng.choice(2, p=TRANSITION[states[t - 1]])
    x = MEANS[states] + STDS[states] * rng.standard_normal(n)
    return pd.DataFrame({"x": x}, index=pd.bdate_range("2000-01-03", periods=n)), states


@pytest.fixture(scope="module")
def data():
    return planted()


@pytest.fixture(scope="module")
def fit(data):
    return run_hmm(data[0], n_states=2, seed=0, n_restarts=3)


def hmmlearn_model(result):
    model = GaussianHMM(n_components=result.n_states, covariance_type="full")
    model.startprob_ = result.start_probabilities.to_numpy()
    model.transmat_ = result.transition_matrix.to_numpy()
    model.means_ = result.means.to_numpy()
    model.covars_ = result.covariances
    return model


def reference_filter(x, start, transition, means, covariances):
    """Textbook log-space forward recursion, independent of the module's scaled one."""
    pairs = zip(means, covariances, strict=True)
    log_b = np.column_stack([multivariate_normal(m, c).logpdf(x) for m, c in pairs]).reshape(len(x), -1)
    log_alpha = np.log(start) + log_b[0]
    rows = [log_alpha]
    for t in range(1, len(x)):
        log_alpha = logsumexp(log_alpha[:, None] + np.log(transition), axis=0) + log_b[t]
        rows.append(log_alpha)
    rows = np.array(rows)
    return np.exp(rows - logsumexp(rows, axis=1, keepdims=True)), float(logsumexp(rows[-1]))


def test_planted_two_state_model_is_recovered(data, fit):
    _, states = data
    np.testing.assert_allclose(fit.means["x"], MEANS, atol=0.05)
    np.testing.assert_allclose(fit.stds["x"], STDS, atol=0.03)
    np.testing.assert_allclose(fit.transition_matrix.to_numpy(), TRANSITION, atol=0.015)
    assert fit.converged and "converged" in fit.message
    assert (fit.viterbi.to_numpy() == states).mean() > 0.95
    assert list(fit.transition_matrix.columns) == ["state_0", "state_1"]
    assert fit.state_probabilities.shape == (5000, 2)
    assert fit.viterbi.index.equals(data[0].index)


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_state_order_is_the_same_for_every_seed(data, fit, seed):
    other = run_hmm(data[0], n_states=2, seed=seed, n_restarts=2)
    assert other.means["x"].is_monotonic_increasing
    np.testing.assert_allclose(other.means.to_numpy(), fit.means.to_numpy(), atol=1e-3)
    np.testing.assert_allclose(other.transition_matrix.to_numpy(), fit.transition_matrix.to_numpy(), atol=1e-3)


def test_order_by_volatility_renumbers_the_states(data, fit):
    by_vol = run_hmm(data[0], n_states=2, seed=0, n_restarts=3, order_by="volatility")
    assert by_vol.stds["x"].is_monotonic_increasing
    np.testing.assert_allclose(by_vol.means["x"].to_numpy(), fit.means["x"].to_numpy()[::-1])
    np.testing.assert_array_equal(by_vol.viterbi.to_numpy(), 1 - fit.viterbi.to_numpy())
    assert by_vol.log_likelihood == pytest.approx(fit.log_likelihood, rel=1e-12)


def test_log_likelihood_equals_hmmlearn_score_for_the_same_parameters(data, fit):
    x = data[0].to_numpy()
    model = hmmlearn_model(fit)
    assert fit.log_likelihood == pytest.approx(model.score(x), rel=1e-10)
    assert fit.aic == pytest.approx(model.aic(x), rel=1e-10)
    assert fit.bic == pytest.approx(model.bic(x), rel=1e-10)
    np.testing.assert_allclose(fit.state_probabilities.to_numpy(), model.predict_proba(x), atol=1e-10)
    np.testing.assert_array_equal(fit.viterbi.to_numpy(), model.predict(x))


def test_best_restart_is_kept(fit):
    assert fit.log_likelihood == pytest.approx(max(fit.restart_log_likelihoods), rel=1e-9)
    assert len(fit.restart_log_likelihoods) == 3


def test_filtered_probabilities_match_a_log_space_forward_recursion(data, fit):
    x = data[0].to_numpy()[:400]
    expected, log_likelihood = reference_filter(
        x,
        fit.start_probabilities.to_numpy(),
        fit.transition_matrix.to_numpy(),
        fit.means.to_numpy(),
        fit.covariances,
    )
    np.testing.assert_allclose(fit.filtered_probabilities.to_numpy()[:400], expected, atol=1e-10)
    _, own = forward_filter(
        gaussian_log_densities(x, fit.means.to_numpy(), fit.covariances),
        fit.transition_matrix.to_numpy(),
        fit.start_probabilities.to_numpy(),
    )
    assert own == pytest.approx(log_likelihood, rel=1e-11)
    # at the last bar, filtered and smoothed probabilities are the same thing
    np.testing.assert_allclose(
        fit.filtered_probabilities.iloc[-1], fit.state_probabilities.iloc[-1], atol=1e-10
    )


def test_multivariate_full_covariances_are_recovered():
    rng = np.random.default_rng(5)
    states = np.repeat([0, 1, 0, 1, 0], 600)
    covariances = np.array([[[1.0, 0.6], [0.6, 1.0]], [[0.3, -0.1], [-0.1, 0.5]]])
    means = np.array([[0.0, 0.0], [2.0, -1.0]])
    x = np.array([rng.multivariate_normal(means[s], covariances[s]) for s in states])
    result = run_hmm(pd.DataFrame(x, columns=["a", "b"]), n_states=2, seed=3, n_restarts=2)
    np.testing.assert_allclose(result.means.to_numpy(), means, atol=0.1)
    np.testing.assert_allclose(result.covariances, covariances, atol=0.1)
    assert result.n_parameters == 1 + 2 + 4 + 6
    assert list(result.means.columns) == ["a", "b"]
    assert (result.viterbi.to_numpy() == states).mean() > 0.99


def test_a_fit_stopped_by_n_iter_says_it_did_not_converge(data):
    result = run_hmm(data[0].iloc[:500], n_states=2, seed=0, n_restarts=1, n_iter=2)
    assert not result.converged
    assert result.n_iterations == 2
    assert "did NOT converge" in result.message and "n_iter=2" in result.message


def test_bic_selects_the_planted_number_of_states(data):
    selection = select_n_states(data[0].iloc[:2000], candidates=[1, 2, 3], seed=0, n_restarts=2)
    assert selection.best_n_states == 2
    assert selection.table["n_states"].tolist() == [1, 2, 3]
    assert selection.table["bic"].idxmin() == 1
    one_state = selection.table.iloc[0]
    x = data[0]["x"].to_numpy()[:2000]
    gaussian = -0.5 * len(x) * (np.log(2 * np.pi * x.var()) + 1)  # the 1-state MLE in closed form
    assert one_state["log_likelihood"] == pytest.approx(gaussian, rel=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"observations": [0.1, -0.2] * 5, "n_states": 2},
            "'observations' must have at least 20 observation(s) for 2 state(s)",
        ),
        ({"observations": [1.0, np.nan] * 50}, "'observations' must contain only finite numbers"),
        ({"observations": [1.0, np.inf] * 50}, "'observations' must contain only finite numbers"),
        ({"observations": [2.0] * 100}, "'observations' must not be constant"),
        ({"observations": np.arange(100.0), "n_states": 0}, "'n_states' must be an int >= 1 and <= 20; got 0"),
        (
            {"observations": np.column_stack([np.arange(100.0), 2 * np.arange(100.0)])},
            "'observations' columns must be linearly independent",
        ),
        (
            {"observations": np.column_stack([np.arange(100.0), np.ones(100)])},
            "'observations' column '1' must not be constant",
        ),
        (
            {"observations": np.arange(100.0), "order_by": "size"},
            "'order_by' must be one of 'mean', 'volatility'",
        ),
    ],
)
def test_bad_input_is_rejected_before_hmmlearn(kwargs, message):
    with pytest.raises(ValueError) as error:
        RunHMMRequest(**kwargs)
    assert str(error.value).startswith(message)

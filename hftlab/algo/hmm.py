"""Gaussian hidden Markov models: Baum-Welch fits with restarts, ordered states, BIC.

A K-state Gaussian HMM (Rabiner 1989, "A tutorial on hidden Markov models and
selected applications in speech recognition", Proc. IEEE 77(2)) is fitted by
Baum-Welch (EM) with hmmlearn's ``GaussianHMM`` from several seeded starting
points (the first from k-means means, the others from random observations);
the fit with the highest log-likelihood is kept. The features are standardised
for the fit and the parameters mapped back to the original units, so the
reported log-likelihood is hmmlearn's ``score`` of the data under the reported
parameters. A weak covariance prior (hmmlearn's ``covars_prior``, 0.01 of the
standardised variance) keeps a state from collapsing onto one observation; on
a state holding n observations it moves the variance by about 0.01 / n.

EM finds the states in an arbitrary order (label switching); the states are
then **ordered** by the mean (or the volatility) of the first feature, so
state 0 means the same thing across seeds, runs and backends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from hmmlearn.base import ConvergenceMonitor
from hmmlearn.hmm import GaussianHMM

from hftlab import cancel
from hftlab.errors import InvalidInput
from hftlab.results import Result
from hftlab.threads import limit_threads

_COVARIANCE_PRIOR = 1e-2
"""hmmlearn's ``covars_prior`` on the standardised data: stops a state collapsing onto one point."""


def state_labels(n_states: int) -> list[str]:
    """``["state_0", "state_1", ...]``: row and column labels of every per-state table."""
    return [f"state_{k}" for k in range(n_states)]


@dataclass(frozen=True)
class HMMResult(Result):
    """A fitted Gaussian HMM with ordered states.

    Attributes
    ----------
    n_states : int
        Number of hidden states K.
    features : list of str
        Column names of the observations (the first one orders the states).
    order_by : str
        ``"mean"`` or ``"volatility"``: states are numbered by the ascending mean
        (or standard deviation) of the first feature.
    transition_matrix : DataFrame
        K x K, row i = P(next state | state i); rows sum to 1.
    start_probabilities : Series
        Distribution of the first state.
    means, stds : DataFrame
        K x features: per-state means and standard deviations.
    covariances : ndarray
        K x features x features per-state covariance matrices.
    state_probabilities : DataFrame
        T x K smoothed posterior P(state_t | all observations) (forward-backward).
    filtered_probabilities : DataFrame
        T x K filtered P(state_t | observations up to t) (forward recursion).
    viterbi : Series
        Most likely state path (int64).
    log_likelihood : float
        log p(observations | parameters) (hmmlearn ``score``).
    n_parameters : int
        Free parameters: ``(K-1) + K(K-1) + K d + K * covariance entries``.
    aic, bic : float
        ``-2 LL + 2 p`` and ``-2 LL + p ln T``.
    n_iterations : int
        EM iterations of the kept fit.
    converged : bool
        Whether the kept fit's last EM improvement fell below ``tol`` (False: the
        ``n_iter`` limit stopped it; the parameters are not a local maximum).
    message : str
        What happened, in words (says so when the fit did not converge).
    restart_log_likelihoods : list of float
        Final log-likelihood of each restart, in restart order.
    """

    n_states: int
    features: list[str]
    order_by: str
    transition_matrix: pd.DataFrame
    start_probabilities: pd.Series
    means: pd.DataFrame
    stds: pd.DataFrame
    covariances: np.ndarray
    state_probabilities: pd.DataFrame
    filtered_probabilities: pd.DataFrame
    viterbi: pd.Series
    log_likelihood: float
    n_parameters: int
    aic: float
    bic: float
    n_iterations: int
    converged: bool
    message: str
    restart_log_likelihoods: list[float]

    def plot(self, prices: pd.Series | None = None):
        """``prices`` (or the first feature's state probabilities) coloured by the Viterbi state."""
        import plotly.graph_objects as go

        fig = go.Figure()
        if prices is None:
            for label in self.state_probabilities.columns:
                probability = self.state_probabilities[label]
                fig.add_trace(go.Scatter(x=probability.index, y=probability, name=label, stackgroup="p"))
            fig.update_layout(title="Smoothed state probabilities", yaxis_title="probability")
            return fig
        prices = prices.reindex(self.viterbi.index)
        fig.add_trace(go.Scatter(x=prices.index, y=prices, name="price", line={"color": "lightgrey"}))
        for state, label in enumerate(state_labels(self.n_states)):
            shown = prices.where(self.viterbi == state)
            fig.add_trace(go.Scatter(x=shown.index, y=shown, name=label, mode="lines", connectgaps=False))
        fig.update_layout(title="Price coloured by the most likely (Viterbi) state")
        return fig

    def plot_transition_matrix(self):
        """Heatmap of the transition matrix with its probabilities written in."""
        import plotly.graph_objects as go

        matrix = self.transition_matrix
        fig = go.Figure(
            go.Heatmap(
                z=matrix.to_numpy(),
                x=list(matrix.columns),
                y=list(matrix.index),
                colorscale="Blues",
                zmin=0,
                zmax=1,
                text=np.round(matrix.to_numpy(), 3),
                texttemplate="%{text}",
            )
        )
        fig.update_layout(title="Transition matrix (row: from, column: to)", yaxis_autorange="reversed")
        return fig


@dataclass(frozen=True)
class StateSelection(Result):
    """Information criteria of HMM fits for several numbers of states.

    Attributes
    ----------
    table : DataFrame
        One row per candidate K: ``n_states``, ``log_likelihood``, ``n_parameters``,
        ``aic``, ``bic`` and ``converged`` (1.0 or 0.0).
    best_n_states : int
        The K with the lowest BIC (Schwarz 1978).
    """

    table: pd.DataFrame
    best_n_states: int

    def plot(self):
        """AIC and BIC against the number of states."""
        import plotly.graph_objects as go

        fig = go.Figure()
        for criterion in ("bic", "aic"):
            fig.add_trace(
                go.Scatter(
                    x=self.table["n_states"],
                    y=self.table[criterion],
                    mode="lines+markers",
                    name=criterion.upper(),
                )
            )
        fig.update_layout(
            title=f"Information criteria by number of states (best BIC: K = {self.best_n_states})",
            xaxis_title="states K",
            yaxis_title="criterion (lower is better)",
        )
        return fig


def n_free_parameters(n_states: int, n_features: int, covariance_type: str) -> int:
    """Free parameters of a Gaussian HMM (start, transitions, means, covariances)."""
    per_covariance = n_features * (n_features + 1) // 2 if covariance_type == "full" else n_features
    return (n_states - 1) + n_states * (n_states - 1) + n_states * n_features + n_states * per_covariance


def gaussian_log_densities(x: np.ndarray, means: np.ndarray, covariances: np.ndarray) -> np.ndarray:
    """T x K log N(x_t; mean_k, cov_k) through the Cholesky factor of each covariance."""
    n_obs, n_features = x.shape
    out = np.empty((n_obs, len(means)))
    for k, (mean, cov) in enumerate(zip(means, covariances, strict=True)):
        chol = np.linalg.cholesky(cov)
        solved = np.linalg.solve(chol, (x - mean).T)
        log_det = 2 * np.log(np.diag(chol)).sum()
        out[:, k] = -0.5 * (n_features * math.log(2 * math.pi) + log_det + (solved**2).sum(axis=0))
    return out


def forward_filter(
    log_emissions: np.ndarray, transition: np.ndarray, predicted: np.ndarray
) -> tuple[np.ndarray, float]:
    """Scaled forward recursion (Rabiner 1989, eqs. 19-20 and 91-92; the Hamilton 1989 filter).

    ``predicted`` is the state distribution at the first observation; each
    step multiplies it by the emission densities, normalises (the filtered
    probabilities) and propagates through ``transition``. The densities are
    divided by their row maximum first, so extreme observations cannot
    underflow every state at once. Returns the T x K filtered probabilities
    and ``log p(observations)`` (the sum of the log normalising constants).
    """
    transition = np.ascontiguousarray(transition)  # the vector-matrix product's rounding depends on layout
    row_max = log_emissions.max(axis=1)
    emissions = np.exp(log_emissions - row_max[:, None])
    filtered = np.empty_like(emissions)
    norms = np.empty(len(emissions))
    for t, emission in enumerate(emissions):
        joint = predicted * emission
        norms[t] = joint.sum()
        if not norms[t] > 0:
            raise InvalidInput(
                f"'observations' position {t} has zero probability under the model: every state it could "
                "come from is excluded by the transition matrix or the prior."
            )
        filtered[t] = joint / norms[t]
        predicted = filtered[t] @ transition
    return filtered, float(np.log(norms).sum() + row_max.sum())


class _CancellableMonitor(ConvergenceMonitor):
    """hmmlearn's convergence monitor, which sees every EM iteration: a cancelled call stops there."""

    def report(self, log_prob: float) -> None:
        cancel.check()
        super().report(log_prob)


def _initial_model(
    z: np.ndarray, n_states: int, covariance_type: str, seed: int, first: bool, n_iter: int, tol: float
) -> GaussianHMM:
    """The restart's starting point: k-means means for the first restart, random observations after.

    Every restart starts from the pooled covariance and a uniform start
    distribution; the first from a persistent (0.9 on the diagonal) transition
    matrix, the others from Dirichlet(1) rows.
    """
    rng = np.random.default_rng(seed)
    model = GaussianHMM(
        n_components=n_states,
        covariance_type=covariance_type,
        n_iter=n_iter,
        tol=tol,
        random_state=seed,
        covars_prior=_COVARIANCE_PRIOR,
        init_params="mc" if first else "",
    )
    model.monitor_ = _CancellableMonitor(tol, n_iter, False)
    model.startprob_ = np.full(n_states, 1.0 / n_states)
    if first:
        stay = 0.9 if n_states > 1 else 1.0
        model.transmat_ = np.full((n_states, n_states), (1 - stay) / max(n_states - 1, 1))
        np.fill_diagonal(model.transmat_, stay)
        return model
    model.transmat_ = rng.dirichlet(np.ones(n_states), size=n_states)
    model.means_ = z[rng.choice(len(z), size=n_states, replace=False)]
    pooled = np.atleast_2d(np.cov(z.T))
    if covariance_type == "full":
        model.covars_ = np.tile(pooled, (n_states, 1, 1))
    else:
        model.covars_ = np.tile(np.diag(pooled), (n_states, 1))
    return model


def _converged(model: GaussianHMM) -> bool:
    history = model.monitor_.history
    return len(history) >= 2 and history[-1] - history[-2] < model.monitor_.tol


def _in_original_units(
    fitted: GaussianHMM, center: np.ndarray, scale: np.ndarray, order: np.ndarray
) -> GaussianHMM:
    """The fitted model with its states in ``order`` and its parameters in the data's units."""
    model = GaussianHMM(n_components=fitted.n_components, covariance_type=fitted.covariance_type)
    model.startprob_ = fitted.startprob_[order]
    model.transmat_ = fitted.transmat_[np.ix_(order, order)]
    model.means_ = fitted.means_[order] * scale + center
    if fitted.covariance_type == "full":
        model.covars_ = fitted.covars_[order] * np.outer(scale, scale)
    else:
        model.covars_ = fitted._covars_[order] * scale**2
    return model


def state_order(means: np.ndarray, covariances: np.ndarray, order_by: str) -> np.ndarray:
    """States sorted by the first feature's mean or variance (the other as tie-break)."""
    mean, variance = means[:, 0], covariances[:, 0, 0]
    primary, secondary = (mean, variance) if order_by == "mean" else (variance, mean)
    return np.lexsort((secondary, primary))


def run_hmm(
    observations: pd.DataFrame,
    n_states: int = 2,
    seed: int = 0,
    n_restarts: int = 5,
    order_by: str = "mean",
    covariance_type: str = "full",
    n_iter: int = 1000,
    tol: float = 1e-4,
) -> HMMResult:
    """Fit a Gaussian HMM by Baum-Welch from ``n_restarts`` seeded starts; keep the best.

    ``observations`` must already be validated (see ``hftlab.types.RunHMMRequest``).
    Restart seeds come from ``numpy.random.SeedSequence(seed).spawn``, so a seed
    fixes the result.
    """
    x = observations.to_numpy()
    center, scale = x.mean(axis=0), x.std(axis=0)
    z = (x - center) / scale
    seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(n_restarts)]
    fits, scores = [], []
    with limit_threads(1):  # K x d matrices: BLAS/OpenMP threads only add overhead
        for restart, restart_seed in enumerate(seeds):
            model = _initial_model(z, n_states, covariance_type, restart_seed, restart == 0, n_iter, tol)
            model.fit(z)
            fits.append(model)
            scores.append(float(model.score(z) - len(z) * np.log(scale).sum()))
    best = fits[int(np.argmax(scores))]
    order = state_order(best.means_, best.covars_, order_by)
    model = _in_original_units(best, center, scale, order)

    log_likelihood, posteriors = model.score_samples(x)
    _, path = model.decode(x, algorithm="viterbi")
    covariances = model.covars_
    filtered, _ = forward_filter(
        gaussian_log_densities(x, model.means_, covariances), model.transmat_, model.startprob_
    )
    labels = state_labels(n_states)
    features = list(observations.columns)
    n_parameters = n_free_parameters(n_states, x.shape[1], covariance_type)
    converged = _converged(best)
    iterations = best.monitor_.iter
    if converged:
        message = f"Baum-Welch converged after {iterations} iteration(s) (tol {tol:g})."
    else:
        last = best.monitor_.history[-1] - best.monitor_.history[-2] if iterations > 1 else math.nan
        message = (
            f"Baum-Welch did NOT converge: stopped at n_iter={n_iter} with the log-likelihood still "
            f"rising by {last:.3g} > tol {tol:g}; raise n_iter."
        )
    return HMMResult(
        n_states=n_states,
        features=features,
        order_by=order_by,
        transition_matrix=pd.DataFrame(model.transmat_, index=labels, columns=labels),
        start_probabilities=pd.Series(model.startprob_, index=labels, name="start_probability"),
        means=pd.DataFrame(model.means_, index=labels, columns=features),
        stds=pd.DataFrame(np.sqrt(np.diagonal(covariances, axis1=1, axis2=2)), index=labels, columns=features),
        covariances=np.ascontiguousarray(covariances),
        state_probabilities=pd.DataFrame(posteriors, index=observations.index, columns=labels),
        filtered_probabilities=pd.DataFrame(filtered, index=observations.index, columns=labels),
        viterbi=pd.Series(path.astype(np.int64), index=observations.index, name="state"),
        log_likelihood=float(log_likelihood),
        n_parameters=n_parameters,
        aic=float(-2 * log_likelihood + 2 * n_parameters),
        bic=float(-2 * log_likelihood + n_parameters * math.log(len(x))),
        n_iterations=int(iterations),
        converged=converged,
        message=message,
        restart_log_likelihoods=scores,
    )


def select_n_states(
    observations: pd.DataFrame,
    candidates: list[int],
    seed: int = 0,
    n_restarts: int = 5,
    covariance_type: str = "full",
    n_iter: int = 1000,
    tol: float = 1e-4,
) -> StateSelection:
    """Fit an HMM for each K in ``candidates`` and pick the lowest BIC (Schwarz 1978).

    ``observations`` and ``candidates`` must already be validated
    (see ``hftlab.types.SelectHMMStatesRequest``).
    """
    rows = []
    for n_states in candidates:
        fit = run_hmm(observations, n_states, seed, n_restarts, "mean", covariance_type, n_iter, tol)
        rows.append([n_states, fit.log_likelihood, fit.n_parameters, fit.aic, fit.bic, float(fit.converged)])
    columns = ["n_states", "log_likelihood", "n_parameters", "aic", "bic", "converged"]
    table = pd.DataFrame(rows, columns=columns)
    table = table.astype({"n_states": np.int64, "n_parameters": np.int64})
    return StateSelection(table=table, best_n_states=int(table.loc[table["bic"].idxmin(), "n_states"]))

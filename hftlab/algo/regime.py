"""Market regimes of a return series and their online update.

Two estimators of the same model, a K-regime Markov-switching Gaussian
(switching mean and variance, Hamilton 1989, "A new approach to the economic
analysis of nonstationary time series and the business cycle", Econometrica
57(2)):

- ``method="hmm"``: Baum-Welch with seeded restarts (:func:`hftlab.algo.hmm.run_hmm`);
- ``method="markov_switching"``: statsmodels' ``MarkovRegression``
  (EM then BFGS maximum likelihood, Kim & Nelson 1999, ch. 4).

Regimes are numbered by ascending volatility (or mean), so "regime 0" is the
calm one whatever the seed. :func:`filter_regimes` runs the forward (Hamilton)
filter of a fitted model over new observations without refitting: the online
update of the regime probabilities.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

from hftlab import cancel
from hftlab.algo.hmm import forward_filter, gaussian_log_densities, run_hmm, state_labels, state_order
from hftlab.errors import InvalidInput
from hftlab.results import Result


@dataclass(frozen=True)
class RegimeResult(Result):
    """The current regime of a return series and what each regime looks like.

    Attributes
    ----------
    method : str
        ``"hmm"`` or ``"markov_switching"``.
    n_regimes : int
        Number of regimes K.
    current_regime : int
        Most probable regime at the last observation (filtered probability).
    current_probability : float
        Its probability.
    regimes : DataFrame
        One row per regime: ``mean`` and ``volatility`` (standard deviation) of
        the returns in it, ``stay_probability`` p_ii, ``persistence`` (expected
        duration in bars, ``1 / (1 - p_ii)``) and ``share`` (fraction of bars
        whose most likely regime it is).
    transition_matrix : DataFrame
        K x K, row i = P(next regime | regime i).
    start_probabilities : Series
        Regime distribution at the first observation.
    filtered_probabilities, smoothed_probabilities : DataFrame
        T x K P(regime_t | returns up to t) and P(regime_t | all returns).
    regime : Series
        Most likely regime of each bar (Viterbi path for the HMM, the largest
        smoothed probability for the Markov-switching fit).
    log_likelihood : float
        Log-likelihood of the returns under the fitted model.
    converged : bool
        Whether the optimiser converged.
    message : str
        What happened, in words.
    """

    method: str
    n_regimes: int
    current_regime: int
    current_probability: float
    regimes: pd.DataFrame
    transition_matrix: pd.DataFrame
    start_probabilities: pd.Series
    filtered_probabilities: pd.DataFrame
    smoothed_probabilities: pd.DataFrame
    regime: pd.Series
    log_likelihood: float
    converged: bool
    message: str

    def plot(self, prices: pd.Series | None = None):
        """Prices (if given) coloured by regime above the filtered regime probabilities."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        rows = 2 if prices is not None else 1
        fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.05)
        labels = list(self.regimes.index)
        if prices is not None:
            prices = prices.reindex(self.regime.index)
            for k, label in enumerate(labels):
                fig.add_trace(
                    go.Scatter(x=prices.index, y=prices.where(self.regime == k), name=label, mode="lines"),
                    row=1,
                    col=1,
                )
        for label in labels:
            probability = self.filtered_probabilities[label]
            fig.add_trace(
                go.Scatter(x=probability.index, y=probability, name=f"P({label})", stackgroup="p"),
                row=rows,
                col=1,
            )
        fig.update_layout(height=250 * rows + 100, title=f"Regimes ({self.method}, K = {self.n_regimes})")
        return fig


@dataclass(frozen=True)
class RegimeFilterResult(Result):
    """Regime probabilities of new observations under a fitted model (no refit).

    Attributes
    ----------
    filtered_probabilities : DataFrame
        T x K P(regime_t | prior information and the new observations up to t).
    next_probabilities : Series
        Predicted regime distribution of the next bar (last filtered row times
        the transition matrix).
    current_regime : int
        Most probable regime at the last new observation.
    current_probability : float
        Its probability.
    log_likelihood : float
        log p(new observations | model, prior).
    """

    filtered_probabilities: pd.DataFrame
    next_probabilities: pd.Series
    current_regime: int
    current_probability: float
    log_likelihood: float


def _regime_table(
    means: np.ndarray, vols: np.ndarray, transition: np.ndarray, path: np.ndarray
) -> pd.DataFrame:
    stay = np.diag(transition).copy()
    with np.errstate(divide="ignore"):
        persistence = 1.0 / (1.0 - stay)
    share = np.bincount(path, minlength=len(means)) / len(path)
    return pd.DataFrame(
        {
            "mean": means,
            "volatility": vols,
            "stay_probability": stay,
            "persistence": persistence,
            "share": share,
        },
        index=state_labels(len(means)),
    )


def _result(
    method,
    returns,
    means,
    vols,
    transition,
    start,
    filtered,
    smoothed,
    path,
    log_likelihood,
    converged,
    message,
) -> RegimeResult:
    labels = state_labels(len(means))
    current = int(np.argmax(filtered[-1]))
    return RegimeResult(
        method=method,
        n_regimes=len(means),
        current_regime=current,
        current_probability=float(filtered[-1, current]),
        regimes=_regime_table(means, vols, transition, path),
        transition_matrix=pd.DataFrame(transition, index=labels, columns=labels),
        start_probabilities=pd.Series(start, index=labels, name="start_probability"),
        filtered_probabilities=pd.DataFrame(filtered, index=returns.index, columns=labels),
        smoothed_probabilities=pd.DataFrame(smoothed, index=returns.index, columns=labels),
        regime=pd.Series(path.astype(np.int64), index=returns.index, name="regime"),
        log_likelihood=float(log_likelihood),
        converged=bool(converged),
        message=message,
    )


def _detect_with_hmm(returns, n_regimes, order_by, seed, n_restarts, n_iter, tol) -> RegimeResult:
    fit = run_hmm(returns.to_frame("returns"), n_regimes, seed, n_restarts, order_by, "full", n_iter, tol)
    return _result(
        "hmm",
        returns,
        fit.means.iloc[:, 0].to_numpy(),
        fit.stds.iloc[:, 0].to_numpy(),
        fit.transition_matrix.to_numpy(),
        fit.start_probabilities.to_numpy(),
        fit.filtered_probabilities.to_numpy(),
        fit.state_probabilities.to_numpy(),
        fit.viterbi.to_numpy(),
        fit.log_likelihood,
        fit.converged,
        fit.message,
    )


def _random_start(model: MarkovRegression, z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Start parameters: Dirichlet transition columns, means at random returns, scattered variances."""
    k = model.k_regimes
    rows = rng.dirichlet(np.ones(k), size=k) * 0.5 + np.eye(k) * 0.5  # row i: from regime i
    start = []
    for name in model.param_names:
        kind, index = name.split("[")
        index = index.rstrip("]")
        if kind == "p":
            to, frm = (int(i) for i in index.split("->")[::-1])
            start.append(rows[frm, to])
        elif kind == "const":
            start.append(rng.choice(z))
        else:
            start.append(rng.uniform(0.2, 3.0))
    return np.array(start)


def _check_cancelled(params: np.ndarray) -> None:
    """The optimiser's callback, once per iteration: a cancelled call stops there."""
    cancel.check()


def _detect_with_markov_switching(returns, n_regimes, order_by, seed, n_restarts, n_iter) -> RegimeResult:
    x = returns.to_numpy()
    center, scale = x.mean(), x.std()
    z = (x - center) / scale  # unit scale: statsmodels' optimiser is tuned for it
    model = MarkovRegression(z, k_regimes=n_regimes, trend="c", switching_variance=True)
    rng = np.random.default_rng(seed)
    best = None
    for restart in range(n_restarts):
        start = model.start_params if restart == 0 else _random_start(model, z, rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            fit = model.fit(start_params=start, maxiter=n_iter, disp=False, callback=_check_cancelled)
        if np.isfinite(fit.llf) and (best is None or fit.llf > best.llf):
            best = fit
    if best is None:
        raise InvalidInput(
            f"'returns': the Markov-switching likelihood is not finite from any of the {n_restarts} start(s); "
            "try method='hmm' or more n_restarts."
        )
    params = best.params
    means = np.array([params[model.param_names.index(f"const[{k}]")] for k in range(n_regimes)])
    variances = np.array([params[model.param_names.index(f"sigma2[{k}]")] for k in range(n_regimes)])
    order = state_order(means[:, None], variances[:, None, None], order_by)
    transition = model.regime_transition_matrix(params)[:, :, 0].T[np.ix_(order, order)]
    start = model.initial_probabilities(params)[order]
    filtered = np.asarray(best.filtered_marginal_probabilities)[:, order]
    smoothed = np.asarray(best.smoothed_marginal_probabilities)[:, order]
    converged = bool(best.mle_retvals["converged"])
    message = (
        "statsmodels MarkovRegression: maximum likelihood converged."
        if converged
        else f"statsmodels MarkovRegression did NOT converge within maxiter={n_iter}; raise n_iter."
    )
    return _result(
        "markov_switching",
        returns,
        means[order] * scale + center,
        np.sqrt(variances[order]) * scale,
        transition,
        start,
        filtered,
        smoothed,
        smoothed.argmax(axis=1),
        best.llf - len(x) * np.log(scale),
        converged,
        message,
    )


def detect_regime(
    returns: pd.Series,
    n_regimes: int = 2,
    method: str = "hmm",
    order_by: str = "volatility",
    seed: int = 0,
    n_restarts: int = 5,
    n_iter: int = 1000,
    tol: float = 1e-4,
) -> RegimeResult:
    """Fit a K-regime switching Gaussian to ``returns``; the current regime and per-regime statistics.

    ``returns`` must already be validated (see ``hftlab.types.DetectRegimeRequest``).
    """
    if method == "hmm":
        return _detect_with_hmm(returns, n_regimes, order_by, seed, n_restarts, n_iter, tol)
    return _detect_with_markov_switching(returns, n_regimes, order_by, seed, n_restarts, n_iter)


def filter_regimes(
    observations: pd.DataFrame,
    transition_matrix: np.ndarray,
    means: np.ndarray,
    covariances: np.ndarray,
    start_probabilities: np.ndarray,
    prior: np.ndarray | None = None,
) -> RegimeFilterResult:
    """Forward-filter new observations through a fitted model (Hamilton 1989), without refitting.

    ``prior`` is the filtered distribution after the last observation already
    seen (it is propagated one step through the transition matrix); without
    it the first new observation gets ``start_probabilities``. Filtering a
    series in pieces, each with the previous piece's last row as ``prior``,
    gives the same probabilities as filtering it at once, which equal the
    batch fit's ``filtered_probabilities``. Inputs must already be validated
    (see ``hftlab.types.FilterRegimesRequest``).
    """
    predicted = start_probabilities if prior is None else prior @ transition_matrix
    log_emissions = gaussian_log_densities(observations.to_numpy(), means, covariances)
    filtered, log_likelihood = forward_filter(log_emissions, transition_matrix, predicted)
    labels = state_labels(len(means))
    current = int(np.argmax(filtered[-1]))
    return RegimeFilterResult(
        filtered_probabilities=pd.DataFrame(filtered, index=observations.index, columns=labels),
        next_probabilities=pd.Series(filtered[-1] @ transition_matrix, index=labels, name="next_probability"),
        current_regime=current,
        current_probability=float(filtered[-1, current]),
        log_likelihood=log_likelihood,
    )

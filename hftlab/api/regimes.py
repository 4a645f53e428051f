"""Regimes, hidden Markov models and MCMC."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from hftlab import validation as v
from hftlab.algo.hmm import HMMResult, StateSelection
from hftlab.algo.mcmc import MCMCResult, sample_log_density
from hftlab.algo.regime import RegimeFilterResult, RegimeResult
from hftlab.api.base import ArrayLike, FrameLike, operation
from hftlab.backends import backend
from hftlab.errors import InvalidInput
from hftlab.types.regimes import (
    DetectRegimeRequest,
    FilterRegimesRequest,
    LogDensitySampling,
    RunHMMRequest,
    RunMCMCRequest,
    SelectHMMStatesRequest,
)

__all__ = ["detect_regime", "filter_regimes", "run_hmm", "run_mcmc", "select_n_states"]


@operation(RunHMMRequest)
def run_hmm(
    observations: ArrayLike | FrameLike,
    n_states: int = 2,
    seed: int = 0,
    n_restarts: int = 5,
    order_by: str = "mean",
    covariance_type: str = "full",
    n_iter: int = 1000,
    tol: float = 1e-4,
) -> HMMResult:
    """Fit a Gaussian hidden Markov model by Baum-Welch, keeping the best of several seeded restarts.

    Parameters
    ----------
    observations : sequence, ndarray, Series or DataFrame
        One feature (1-D) or several (2-D: rows = time, columns = features),
        finite, no constant column; at least ``10 * n_states`` rows and more
        data points than free parameters.
    n_states : int
        Number of hidden states K (1-20).
    seed : int
        Fixes the restarts' starting points (the result is reproducible).
    n_restarts : int
        EM runs from different starting points; the highest log-likelihood wins.
    order_by : {"mean", "volatility"}
        States are numbered by the ascending mean (or standard deviation) of
        the first feature, so labels are stable across seeds and backends.
    covariance_type : {"full", "diag"}
        Per-state covariance matrices: full or diagonal.
    n_iter, tol : int, float
        EM stops after ``n_iter`` iterations or once the log-likelihood gains
        less than ``tol``; ``converged`` and ``message`` say which.

    Returns
    -------
    HMMResult
        ``transition_matrix``, ``start_probabilities``, ``means``, ``stds``,
        ``covariances``, ``state_probabilities`` (smoothed), ``filtered_probabilities``,
        ``viterbi``, ``log_likelihood``, ``aic``, ``bic``, ``n_iterations``, ``converged``.

    References
    ----------
    Rabiner (1989), "A tutorial on hidden Markov models and selected applications
    in speech recognition", Proc. IEEE 77(2); hmmlearn's ``GaussianHMM``.
    """
    return backend().execute(
        RunHMMRequest(observations, n_states, seed, n_restarts, order_by, covariance_type, n_iter, tol)
    )


@operation(SelectHMMStatesRequest)
def select_n_states(
    observations: ArrayLike | FrameLike,
    candidates: Sequence[int] = (1, 2, 3, 4),
    seed: int = 0,
    n_restarts: int = 5,
    covariance_type: str = "full",
    n_iter: int = 1000,
    tol: float = 1e-4,
) -> StateSelection:
    """Choose the number of HMM states by the Bayesian information criterion.

    Fits :func:`run_hmm` for every K in ``candidates`` (same seed and settings)
    and returns the table of log-likelihoods, AIC and BIC with the K of lowest BIC.

    References
    ----------
    Schwarz (1978), "Estimating the dimension of a model", Ann. Statist. 6(2).
    """
    return backend().execute(
        SelectHMMStatesRequest(observations, list(candidates), seed, n_restarts, covariance_type, n_iter, tol)
    )


@operation(DetectRegimeRequest)
def detect_regime(
    returns: ArrayLike,
    n_regimes: int = 2,
    method: str = "hmm",
    order_by: str = "volatility",
    seed: int = 0,
    n_restarts: int = 5,
    n_iter: int = 1000,
    tol: float = 1e-4,
) -> RegimeResult:
    """The current market regime of a return series, and what each regime looks like.

    Parameters
    ----------
    returns : sequence, ndarray or Series
        Returns (not prices), oldest first; at least ``10 * n_regimes``, finite, not constant.
    n_regimes : int
        Number of regimes (>= 2 for ``"markov_switching"``).
    method : {"hmm", "markov_switching"}
        Baum-Welch with seeded restarts (hmmlearn), or statsmodels'
        ``MarkovRegression`` with switching mean and variance (maximum likelihood;
        slower: minutes for 3 regimes on 30 years of daily data).
    order_by : {"volatility", "mean"}
        Regime 0 is the calmest (or the lowest-mean) one.
    seed, n_restarts, n_iter, tol
        Fit settings (``tol`` applies to the HMM).

    Returns
    -------
    RegimeResult
        ``current_regime`` and ``current_probability``; ``regimes`` (mean,
        volatility, stay probability, persistence = expected duration
        ``1 / (1 - p_ii)`` in bars, share of time); transition matrix; filtered
        and smoothed probabilities; the most likely regime of each bar.

    References
    ----------
    Hamilton (1989), "A new approach to the economic analysis of nonstationary
    time series and the business cycle", Econometrica 57(2).
    """
    return backend().execute(
        DetectRegimeRequest(returns, n_regimes, method, order_by, seed, n_restarts, n_iter, tol)
    )


def _model_parameters(model: Any) -> dict[str, np.ndarray]:
    if isinstance(model, HMMResult):
        return {
            "transition_matrix": model.transition_matrix.to_numpy(),
            "means": model.means.to_numpy(),
            "covariances": model.covariances,
            "start_probabilities": model.start_probabilities.to_numpy(),
        }
    if isinstance(model, RegimeResult):
        return {
            "transition_matrix": model.transition_matrix.to_numpy(),
            "means": model.regimes["mean"].to_numpy(),
            "covariances": model.regimes["volatility"].to_numpy() ** 2,
            "start_probabilities": model.start_probabilities.to_numpy(),
        }
    raise InvalidInput(
        f"'model' must be a result of hftlab.run_hmm or hftlab.detect_regime; got {type(model).__name__}."
    )


def _last_filtered(prior: Any) -> Any:
    if isinstance(prior, (HMMResult, RegimeResult, RegimeFilterResult)):
        return prior.filtered_probabilities.to_numpy()[-1]
    return prior


@operation(
    FilterRegimesRequest, split={"model": ("transition_matrix", "means", "covariances", "start_probabilities")}
)
def filter_regimes(
    model: HMMResult | RegimeResult,
    observations: ArrayLike | FrameLike,
    prior: ArrayLike | HMMResult | RegimeResult | RegimeFilterResult | None = None,
) -> RegimeFilterResult:
    """Update regime probabilities with new observations, without refitting (online filtering).

    Runs the forward (Hamilton) filter of a fitted model over ``observations``.
    Feeding a series in pieces, each time passing the previous result as
    ``prior``, gives exactly the probabilities of filtering it at once, which
    equal the fit's own ``filtered_probabilities``.

    Parameters
    ----------
    model : HMMResult or RegimeResult
        A fit from :func:`run_hmm` or :func:`detect_regime`.
    observations : sequence, ndarray, Series or DataFrame
        New observations, in the model's features (returns for a regime model).
    prior : array of K probabilities, or a previous result, optional
        The filtered regime distribution after the last observation already
        seen (a result's last filtered row is used). ``None``: the observations
        start a new series (the model's start probabilities).

    Returns
    -------
    RegimeFilterResult
        ``filtered_probabilities``, ``next_probabilities`` (for the next bar),
        ``current_regime``, ``current_probability`` and the ``log_likelihood``
        of the new observations.

    References
    ----------
    Hamilton (1989), Econometrica 57(2), sec. 4; Rabiner (1989), Proc. IEEE 77(2), eqs. 19-20.
    """
    return backend().execute(
        FilterRegimesRequest(observations, prior=_last_filtered(prior), **_model_parameters(model))
    )


@operation(RunMCMCRequest, client_only=("log_density", "x0", "parameter_names", "proposal_scale"))
def run_mcmc(
    objective: str | None = None,
    *,
    log_density: Callable[[np.ndarray], float] | None = None,
    x0: ArrayLike | None = None,
    parameter_names: Sequence[str] | None = None,
    proposal_scale: ArrayLike | float | None = None,
    spread: ArrayLike | None = None,
    dt: float = 1.0,
    prices: FrameLike | pd.Series | None = None,
    train: int = 252,
    test: int = 63,
    score: str = "sharpe",
    temperature: float = 0.1,
    lookback_range: Sequence[int] = (5, 60),
    entry_z_range: Sequence[float] = (1.0, 3.0),
    exit_z_range: Sequence[float] = (0.0, 1.0),
    hedge: str = "static",
    hedge_lookback: int | None = None,
    kalman_delta: float | None = None,
    kalman_observation_var: float | None = None,
    cost: float = 0.0,
    fixed_cost: float = 0.0,
    slippage: float = 0.0,
    n_samples: int = 1000,
    n_chains: int = 4,
    burn_in: int = 1000,
    thin: int = 1,
    seed: int = 0,
    credible_level: float = 0.95,
) -> MCMCResult:
    """Sample a posterior with adaptive Metropolis-Hastings (several chains, R-hat and ESS).

    Either a built-in ``objective`` with its data (any backend), or your own
    ``log_density`` with a starting point ``x0`` (local backend only: a Python
    function cannot be sent to a server).

    Parameters
    ----------
    objective : {"ou", "strategy"}, optional
        ``"ou"``: posterior of the Ornstein-Uhlenbeck ``kappa``, ``theta``,
        ``sigma`` (and ``half_life``) of ``spread`` sampled every ``dt``, exact
        transition likelihood. ``"strategy"``: Gibbs posterior of the z-score
        strategy's ``lookback``, ``entry_z``, ``exit_z`` on ``prices``, whose
        log-likelihood is the walk-forward out-of-sample ``score``
        (``train``/``test`` windows, the hedge and costs of
        :func:`hftlab.walk_forward`: ``hedge``, ``hedge_lookback``, ``kalman_delta``,
        ``kalman_observation_var``, ``cost``, ``fixed_cost``, ``slippage``) divided by
        ``temperature``, uniform on the ``*_range`` boxes.
    log_density : callable, optional
        ``f(x: ndarray) -> float``, the log target density up to a constant
        (``-inf`` or NaN outside the support).
    x0 : array, optional
        Starting point for ``log_density`` (finite log density); chains start
        from over-dispersed points around it.
    parameter_names : list of str, optional
        Names of the ``x0`` entries (default ``param_0``, ``param_1``...).
    proposal_scale : float or array, optional
        Initial proposal standard deviations (default ``0.1 max(|x0|, 1)``);
        the proposal adapts to the chain's covariance after 100 iterations.
    n_samples : int
        Kept draws per chain (after burn-in and thinning).
    n_chains : int
        Independent chains, each with a stream spawned from ``seed``.
    burn_in, thin : int
        Discarded first iterations; keep every ``thin``-th draw after them.
    credible_level : float
        Mass of the equal-tailed credible intervals.

    Returns
    -------
    MCMCResult
        ``samples`` (one column per parameter), ``acceptance_rate``, ``rhat``,
        ``ess``, ``mean``, ``credible_intervals``, ``best_parameters``,
        ``converged`` (R-hat < 1.01 and bulk ESS >= 400) and, for ``"ou"``, the ``mle``.

    References
    ----------
    Haario, Saksman & Tamminen (2001), "An adaptive Metropolis algorithm",
    Bernoulli 7(2); Vehtari et al. (2021), "Rank-normalization, folding, and
    localization: an improved R-hat", Bayesian Analysis 16(2); Bissiri, Holmes &
    Walker (2016), "A general framework for updating belief distributions", JRSS B 78(5).
    """
    sampler = {
        "n_samples": n_samples,
        "n_chains": n_chains,
        "burn_in": burn_in,
        "thin": thin,
        "seed": seed,
        "credible_level": credible_level,
    }
    if log_density is None:
        return backend().execute(
            RunMCMCRequest.from_flat(
                objective=objective,
                spread=spread,
                dt=dt,
                prices=prices,
                train=train,
                test=test,
                score=score,
                temperature=temperature,
                lookback_range=list(lookback_range),
                entry_z_range=list(entry_z_range),
                exit_z_range=list(exit_z_range),
                hedge=hedge,
                hedge_lookback=hedge_lookback,
                kalman_delta=kalman_delta,
                kalman_observation_var=kalman_observation_var,
                cost=cost,
                fixed_cost=fixed_cost,
                slippage=slippage,
                **sampler,
            )
        )
    if objective is not None:
        raise v.fail("objective", "None when a 'log_density' is given", objective)
    if backend().name != "local":
        raise InvalidInput(
            f"'log_density' is a Python function, which cannot be sent to the {backend().name} backend "
            f"({backend().address}); use hftlab.use('local') for it, or a built-in objective ('ou', "
            "'strategy') with its data."
        )
    settings = LogDensitySampling(log_density, x0, parameter_names, proposal_scale, **sampler)
    return sample_log_density(**{f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)})

"""Built-in targets of :func:`run_mcmc`: OU parameters and z-score strategy parameters.

``"ou"`` - the Bayesian posterior of the Ornstein-Uhlenbeck parameters of a
spread, ``dX = kappa (theta - X) dt + sigma dW``, from the exact Gaussian
transition density (conditional on the first value; Uhlenbeck & Ornstein
1930):

    X_{t+1} | X_t ~ N(theta + phi (X_t - theta), sigma^2 (1 - phi^2) / (2 kappa)),  phi = e^{-kappa dt}.

Priors: ``phi`` uniform on (0, 1) (every mean-reverting OU), ``theta`` normal
around the sample mean with 10 sample standard deviations of spread, Jeffreys
``p(sigma) ~ 1 / sigma``. The chain runs on unconstrained AR(1) coordinates
(Jacobians included, see :func:`ou_objective`); the samples are reported as
``kappa``, ``theta``, ``sigma`` and the derived ``half_life = ln 2 / kappa``.
The log-likelihood uses sufficient statistics, so one evaluation costs O(1)
whatever the length of the spread.

``"strategy"`` - a Gibbs (generalised Bayesian) posterior of the z-score
strategy's ``lookback``, ``entry_z`` and ``exit_z`` (Jiang & Tanner 2008,
"Gibbs posterior for variable selection in high-dimensional classification
and data mining", Ann. Statist. 36(5); Bissiri, Holmes & Walker 2016, "A
general framework for updating belief distributions", JRSS B 78(5)): the
out-of-sample walk-forward score of the parameters, divided by a
``temperature``, plays the log-likelihood, under a uniform prior on the given
ranges (with ``exit_z < entry_z``). ``lookback`` is sampled as a real number
and rounded to the nearest bar.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from hftlab.algo.mcmc import MCMCResult, adaptive_metropolis, summarize
from hftlab.algo.walkforward import walk_forward

_THETA_PRIOR_WIDTH = 10.0
_LOG_2PI = math.log(2 * math.pi)


@dataclass(frozen=True)
class Objective:
    """A target for the sampler: log density on the sampling space and the map to reported parameters."""

    log_density: Callable[[np.ndarray], float]
    x0: np.ndarray
    scale: np.ndarray
    parameters: list[str]
    report: Callable[[np.ndarray], np.ndarray]
    mle: dict[str, float]


def ou_conditional_mle(spread: np.ndarray, dt: float) -> dict[str, float]:
    """Closed-form maximum likelihood of the OU transition density (= OLS of ``X_{t+1}`` on ``X_t``).

    NaN values when the AR(1) coefficient is outside (0, 1) (no mean reversion).
    """
    y, x = spread[1:], spread[:-1]
    phi, intercept = np.polyfit(x, y, 1)
    if not 0 < phi < 1:
        return dict.fromkeys(("kappa", "theta", "sigma", "half_life"), math.nan)
    variance = float(np.mean((y - intercept - phi * x) ** 2))
    kappa = -math.log(phi) / dt
    return {
        "kappa": kappa,
        "theta": float(intercept / (1 - phi)),
        "sigma": math.sqrt(variance * 2 * kappa / (1 - phi**2)),
        "half_life": math.log(2) / kappa,
    }


def ou_objective(spread: pd.Series, dt: float) -> Objective:
    """The OU posterior of the module docstring, started at the (clipped) conditional MLE.

    The chain runs on the AR(1) regression coordinates ``u = (logit phi, c, log v)``
    of ``X_{t+1} - m = c + phi (X_t - m) + e``, ``Var e = v`` (``m`` the sample
    mean), where the likelihood is nearly Gaussian and one proposal covariance
    fits the whole posterior. With ``theta = m + c / (1 - phi)`` and
    ``sigma^2 = 2 kappa v / (1 - phi^2)``, the priors above become
    ``log p(u) = log phi + log N(theta) + const``.
    """
    values = spread.to_numpy()
    center, spread_std = float(values.mean()), float(values.std())
    y, x = values[1:] - center, values[:-1] - center
    n = len(y)
    s_y, s_x, s_yy, s_xx, s_xy = y.sum(), x.sum(), y @ y, x @ x, x @ y
    theta_sd = _THETA_PRIOR_WIDTH * spread_std

    def log_density(u: np.ndarray) -> float:
        phi, c, variance = expit(u[0]), u[1], math.exp(u[2])
        if not 0 < phi < 1:
            return -math.inf
        rss = max(s_yy + n * c * c + phi * phi * s_xx - 2 * c * s_y - 2 * phi * s_xy + 2 * c * phi * s_x, 0.0)
        log_likelihood = -0.5 * (n * (_LOG_2PI + u[2]) + rss / variance)
        theta = c / (1 - phi)
        return log_likelihood + math.log(phi) - 0.5 * (theta / theta_sd) ** 2

    phi_hat, intercept = np.polyfit(x, y, 1)
    phi0 = float(np.clip(phi_hat, 0.01, 0.99))
    variance0 = float(np.mean((y - intercept - phi_hat * x) ** 2))
    c0 = float(np.clip(intercept, -3 * spread_std * (1 - phi0), 3 * spread_std * (1 - phi0)))
    scale = np.array(
        [math.sqrt((1 - phi0**2) / n) / (phi0 * (1 - phi0)), math.sqrt(variance0 / n), math.sqrt(2 / n)]
    )

    def report(u: np.ndarray) -> np.ndarray:
        phi = expit(u[..., 0])
        kappa = -np.log(phi) / dt
        sigma = np.sqrt(np.exp(u[..., 2]) * 2 * kappa / (1 - phi**2))
        return np.stack([kappa, center + u[..., 1] / (1 - phi), sigma, math.log(2) / kappa], axis=-1)

    return Objective(
        log_density,
        np.array([logit(phi0), c0, math.log(variance0)]),
        scale,
        ["kappa", "theta", "sigma", "half_life"],
        report,
        ou_conditional_mle(values, dt),
    )


def strategy_objective(
    prices: pd.DataFrame,
    train: int,
    test: int,
    score: str,
    temperature: float,
    lookback_range: list[int],
    entry_z_range: list[float],
    exit_z_range: list[float],
    **hedging_and_costs,
) -> Objective:
    """The Gibbs posterior of the module docstring, started at the middle of the ranges."""
    low = np.array([lookback_range[0] - 0.5, entry_z_range[0], exit_z_range[0]])
    high = np.array([lookback_range[1] + 0.5, entry_z_range[1], exit_z_range[1]])

    def log_density(u: np.ndarray) -> float:
        if np.any(u < low) or np.any(u > high) or u[2] >= u[1]:
            return -math.inf
        lookback = int(np.clip(round(u[0]), lookback_range[0], lookback_range[1]))
        result = walk_forward(
            prices,
            train,
            test,
            [lookback],
            [float(u[1])],
            [float(u[2])],
            objective=score,
            **hedging_and_costs,
        )
        value = result.metrics[score]
        return (value if math.isfinite(value) else 0.0) / temperature  # no trade: a flat book scores 0

    middle = (low + high) / 2
    x0 = np.array([middle[0], middle[1], min(middle[2], (middle[1] + low[2]) / 2)])

    def report(u: np.ndarray) -> np.ndarray:
        lookback = np.clip(np.round(u[..., 0]), lookback_range[0], lookback_range[1])
        return np.stack([lookback, u[..., 1], u[..., 2]], axis=-1)

    return Objective(log_density, x0, (high - low) / 10, ["lookback", "entry_z", "exit_z"], report, {})


def run_mcmc(
    objective: str,
    spread: pd.Series | None = None,
    dt: float = 1.0,
    prices: pd.DataFrame | None = None,
    train: int = 252,
    test: int = 63,
    score: str = "sharpe",
    temperature: float = 0.1,
    lookback_range: list[int] = (5, 60),
    entry_z_range: list[float] = (1.0, 3.0),
    exit_z_range: list[float] = (0.0, 1.0),
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
    """Adaptive Metropolis sampling of a built-in posterior (see the module docstring).

    Inputs must already be validated (see ``hftlab.types.RunMCMCRequest``).
    """
    if objective == "ou":
        target = ou_objective(spread, dt)
    else:
        target = strategy_objective(
            prices,
            train,
            test,
            score,
            temperature,
            list(lookback_range),
            list(entry_z_range),
            list(exit_z_range),
            hedge=hedge,
            hedge_lookback=hedge_lookback,
            kalman_delta=kalman_delta,
            kalman_observation_var=kalman_observation_var,
            cost=cost,
            fixed_cost=fixed_cost,
            slippage=slippage,
        )
    draws, log_densities, acceptance = adaptive_metropolis(
        target.log_density, target.x0, target.scale, n_samples, n_chains, burn_in, thin, seed
    )
    return summarize(
        objective,
        target.parameters,
        target.report(draws),
        log_densities,
        acceptance,
        credible_level,
        target.mle,
    )

"""Ornstein-Uhlenbeck fit and optimal trading levels.

The process ``dX = kappa (theta - X) dt + sigma dW`` sampled every ``dt`` is exactly
an AR(1): ``X_{t+1} = theta + phi (X_t - theta) + e_t`` with ``phi = exp(-kappa dt)`` and
``Var e = sigma^2 (1 - phi^2) / (2 kappa)`` (Uhlenbeck & Ornstein 1930). Two estimators:

- ``"ols"``: least squares of ``X_{t+1}`` on ``[1, X_t]``, mapped to
  ``(kappa, theta, sigma)``; standard errors by the delta method from the OLS
  covariance (Brockwell & Davis 1991, sec. 8.10).
- ``"mle"``: exact Gaussian maximum likelihood, the first observation drawn from the
  stationary law ``N(theta, sigma^2 / (2 kappa))`` (Hamilton 1994, "Time Series
  Analysis", sec. 5.2; Tang & Chen 2009, "Parameter estimation and bias correction
  for diffusion processes", J. Econometrics 149); standard errors from the inverse
  observed information.

:func:`bertram_levels` gives the symmetric entry/exit band that maximises the expected
return per unit time net of a transaction cost: Bertram (2010), "Analytic solutions
for optimal statistical arbitrage trading", Physica A 389(11), 2234-2243.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.optimize
import scipy.special
from statsmodels.tools.numdiff import approx_hess3

from hftlab.results import Result

LN2 = math.log(2.0)


@dataclass(frozen=True)
class BertramLevels(Result):
    """Bertram's (2010) optimal symmetric band around ``theta`` for a round-trip ``cost``.

    Go long at ``lower`` and close at ``upper`` (and short at ``upper``, close at
    ``lower``): ``lower, upper = theta -/+ band``.

    Attributes
    ----------
    cost : float
        Transaction cost per trade cycle, in price units.
    band : float
        Optimal half-width ``b*``, root of ``2 D(b k) = 2 b k - c k`` with ``D`` Dawson's
        function and ``k = sqrt(kappa) / sigma`` (Bertram's first-order condition).
    band_z : float
        ``band`` in stationary standard deviations ``sigma / sqrt(2 kappa)``: the
        z-score entry level.
    lower, upper : float
        ``theta - band`` and ``theta + band``.
    expected_cycle_time : float
        ``E[T] = (2 pi / kappa) erfi(b* k)``: mean time to go from one level to the
        other and back (Bertram eq. 5).
    return_per_cycle : float
        ``2 b* - cost``.
    return_per_time : float
        ``return_per_cycle / expected_cycle_time``, the maximised objective.
    """

    cost: float
    band: float
    band_z: float
    lower: float
    upper: float
    expected_cycle_time: float
    return_per_cycle: float
    return_per_time: float


def expected_cycle_time(band: float, kappa: float, sigma: float) -> float:
    """Bertram's ``E[T]`` for the band ``[-band, band]`` (via ``erfi``)."""
    return float(2 * math.pi / kappa * scipy.special.erfi(band * math.sqrt(kappa) / sigma))


def bertram_levels(kappa: float, theta: float, sigma: float, cost: float) -> BertramLevels:
    """Optimal band of an OU spread maximising net expected return per unit time.

    Bertram (2010) shows the optimum is symmetric about ``theta``; with ``u = b k`` the
    first-order condition ``erfi(u) = (2u - c k) exp(u^2) / sqrt(pi)`` becomes
    ``2 D(u) - 2u + c k = 0`` (``D`` = Dawson's function), strictly decreasing in ``u``
    on ``u > c k / 2``, so it has one root, found by Brent's method.
    """
    k = math.sqrt(kappa) / sigma
    low = cost * k / 2
    u = scipy.optimize.brentq(
        lambda u: 2 * scipy.special.dawsn(u) - 2 * u + cost * k, low, low + 2.0, xtol=1e-15, rtol=1e-15
    )
    band = u / k
    cycle = expected_cycle_time(band, kappa, sigma)
    return BertramLevels(
        cost=float(cost),
        band=float(band),
        band_z=float(band / (sigma / math.sqrt(2 * kappa))),
        lower=float(theta - band),
        upper=float(theta + band),
        expected_cycle_time=cycle,
        return_per_cycle=float(2 * band - cost),
        return_per_time=float((2 * band - cost) / cycle),
    )


@dataclass(frozen=True)
class OUFit(Result):
    """Ornstein-Uhlenbeck parameters of a series and their standard errors.

    Attributes
    ----------
    method : str
        ``"ols"`` or ``"mle"``.
    dt : float
        Time between observations (the unit of ``kappa`` and ``half_life`` is ``1/dt``).
    n_obs : int
        Observations used.
    mean_reverting : bool
        False when the AR(1) coefficient is not in (0, 1): then ``kappa`` is
        ``-ln(phi)/dt`` (<= 0, NaN if ``phi <= 0``), ``half_life`` inf (NaN) and the
        other parameters NaN.
    kappa, theta, sigma : float
        Speed of mean reversion, long-run mean, diffusion volatility.
    half_life : float
        ``ln 2 / kappa``.
    phi : float
        AR(1) coefficient ``exp(-kappa dt)``.
    stationary_std : float
        ``sigma / sqrt(2 kappa)``.
    kappa_se, theta_se, sigma_se, half_life_se : float
        Asymptotic standard errors.
    log_likelihood : float
        Exact Gaussian log-likelihood at the estimates (``"ols"``: conditional on the first value).
    levels : BertramLevels or None
        Optimal band for the requested cost (None when no cost was given or the
        series is not mean-reverting).
    """

    method: str
    dt: float
    n_obs: int
    mean_reverting: bool
    kappa: float
    theta: float
    sigma: float
    half_life: float
    phi: float
    stationary_std: float
    kappa_se: float
    theta_se: float
    sigma_se: float
    half_life_se: float
    log_likelihood: float
    levels: BertramLevels | None = None

    def plot(self, prices: pd.Series):
        """The series with its long-run mean, +/- 2 stationary std and Bertram's levels."""
        import plotly.graph_objects as go

        fig = go.Figure(go.Scatter(x=prices.index, y=prices, name="series"))
        if self.mean_reverting:
            fig.add_hline(y=self.theta, line_color="black", annotation_text="theta")
            for sign in (-2, 2):
                fig.add_hline(y=self.theta + sign * self.stationary_std, line_dash="dot", line_color="grey")
        if self.levels is not None:
            for level in (self.levels.lower, self.levels.upper):
                fig.add_hline(y=level, line_dash="dash", line_color="firebrick")
        fig.update_layout(title=f"OU fit ({self.method}): half-life {self.half_life:.3g}", height=380)
        return fig


def _ar1_ols(values: np.ndarray) -> tuple[float, float, float, np.ndarray, int]:
    """``(a, b, s2, cov(a, b), n)`` of the OLS fit ``x_{t+1} = a + b x_t``."""
    design = np.column_stack([np.ones(len(values) - 1), values[:-1]])
    target = values[1:]
    coefficients, *_ = np.linalg.lstsq(design, target, rcond=None)
    residuals = target - design @ coefficients
    n = len(target)
    s2 = float(residuals @ residuals / (n - 2))
    return float(coefficients[0]), float(coefficients[1]), s2, s2 * np.linalg.inv(design.T @ design), n


def _log_likelihood(
    values: np.ndarray, kappa: float, theta: float, sigma: float, dt: float, exact: bool
) -> float:
    """Gaussian log-likelihood of the exact OU transition (plus the stationary first value)."""
    phi = math.exp(-kappa * dt)
    stationary_var = sigma**2 / (2 * kappa)
    variance = stationary_var * -math.expm1(-2 * kappa * dt)
    errors = values[1:] - theta - phi * (values[:-1] - theta)
    total = -0.5 * (len(errors) * math.log(2 * math.pi * variance) + errors @ errors / variance)
    if exact:
        total -= 0.5 * (math.log(2 * math.pi * stationary_var) + (values[0] - theta) ** 2 / stationary_var)
    return float(total)


def _not_mean_reverting(method: str, dt: float, n: int, phi: float) -> OUFit:
    nan = math.nan
    kappa = -math.log(phi) / dt if phi > 0 else nan
    return OUFit(
        method=method,
        dt=dt,
        n_obs=n,
        mean_reverting=False,
        kappa=kappa,
        theta=nan,
        sigma=nan,
        half_life=math.inf if phi >= 1 else nan,
        phi=phi,
        stationary_std=nan,
        kappa_se=nan,
        theta_se=nan,
        sigma_se=nan,
        half_life_se=nan,
        log_likelihood=nan,
    )


def _fit_ols(values: np.ndarray, dt: float) -> OUFit:
    a, b, s2, cov_ab, n = _ar1_ols(values)
    if not 0 < b < 1:
        return _not_mean_reverting("ols", dt, len(values), b)
    s = math.sqrt(s2)
    kappa = -math.log(b) / dt
    theta = a / (1 - b)
    g2 = 2 * kappa / (1 - b * b)  # sigma = s * sqrt(g2)
    sigma = s * math.sqrt(g2)
    # delta method: rows (kappa, theta, sigma, half-life), columns (a, b, s)
    dg2_db = -2 / dt * ((1 - b * b) / b + 2 * b * math.log(b)) / (1 - b * b) ** 2
    jacobian = np.array(
        [
            [0.0, -1 / (b * dt), 0.0],
            [1 / (1 - b), a / (1 - b) ** 2, 0.0],
            [0.0, s * dg2_db / (2 * math.sqrt(g2)), math.sqrt(g2)],
            [0.0, LN2 / (kappa**2 * b * dt), 0.0],
        ]
    )
    cov = np.zeros((3, 3))
    cov[:2, :2] = cov_ab
    cov[2, 2] = s2 / (2 * (n - 2))  # Var(s) for Gaussian errors
    se = np.sqrt(np.diag(jacobian @ cov @ jacobian.T))
    return OUFit(
        method="ols",
        dt=dt,
        n_obs=len(values),
        mean_reverting=True,
        kappa=kappa,
        theta=theta,
        sigma=sigma,
        half_life=LN2 / kappa,
        phi=b,
        stationary_std=sigma / math.sqrt(2 * kappa),
        kappa_se=float(se[0]),
        theta_se=float(se[1]),
        sigma_se=float(se[2]),
        half_life_se=float(se[3]),
        log_likelihood=_log_likelihood(values, kappa, theta, sigma, dt, exact=False),
    )


def _fit_mle(values: np.ndarray, dt: float) -> OUFit:
    a, b, s2, _, n = _ar1_ols(values)
    if 0 < b < 1:
        start = (-math.log(b) / dt, a / (1 - b), math.sqrt(s2 * 2 * -math.log(b) / dt / (1 - b * b)))
    else:
        start = (1 / (n * dt), float(values.mean()), float(np.std(np.diff(values))) / math.sqrt(dt))
    scale = max(abs(start[1]), start[2], 1e-300)

    def negative(params: np.ndarray) -> float:
        kappa, theta, sigma = math.exp(params[0]), params[1] * scale, math.exp(params[2])
        return -_log_likelihood(values, kappa, theta, sigma, dt, exact=True)

    x0 = np.array([math.log(start[0]), start[1] / scale, math.log(start[2])])
    solution = scipy.optimize.minimize(negative, x0, method="BFGS", options={"gtol": 1e-9, "xrtol": 1e-12})
    kappa, theta, sigma = math.exp(solution.x[0]), float(solution.x[1] * scale), math.exp(solution.x[2])
    hessian = approx_hess3(
        np.array([kappa, theta, sigma]), lambda p: -_log_likelihood(values, p[0], p[1], p[2], dt, exact=True)
    )
    cov = np.linalg.inv(hessian)
    kappa_se, theta_se, sigma_se = np.sqrt(np.diag(cov))
    return OUFit(
        method="mle",
        dt=dt,
        n_obs=len(values),
        mean_reverting=True,
        kappa=kappa,
        theta=theta,
        sigma=sigma,
        half_life=LN2 / kappa,
        phi=math.exp(-kappa * dt),
        stationary_std=sigma / math.sqrt(2 * kappa),
        kappa_se=float(kappa_se),
        theta_se=float(theta_se),
        sigma_se=float(sigma_se),
        half_life_se=float(LN2 / kappa**2 * kappa_se),
        log_likelihood=-float(solution.fun),
    )


def fit_ou(prices: pd.Series, dt: float = 1.0, method: str = "mle", cost: float | None = None) -> OUFit:
    """Fit an Ornstein-Uhlenbeck process to ``prices`` (see the module docstring).

    ``cost`` (> 0, price units per trade cycle) adds Bertram's optimal levels.
    ``prices`` must already be validated (see ``hftlab.types.FitOURequest``).
    """
    values = prices.to_numpy(dtype=np.float64)
    fit = _fit_ols(values, dt) if method == "ols" else _fit_mle(values, dt)
    if cost is None or not fit.mean_reverting:
        return fit
    levels = bertram_levels(fit.kappa, fit.theta, fit.sigma, cost)
    return OUFit(**{**fit.__dict__, "levels": levels})

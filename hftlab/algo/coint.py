"""Cointegration of price series: Engle-Granger, Johansen and a Kalman-filter hedge ratio.

- :func:`engle_granger`: the two-step test of Engle & Granger (1987), "Co-integration
  and error correction", Econometrica 55(2): OLS of ``y`` on ``[1, x]``, then an ADF
  test without deterministic terms on the residuals (lag by AIC, the batched kernel of
  :mod:`hftlab.algo.unitroot`) and MacKinnon (2010) p-values / critical values for two
  variables. The numbers equal ``statsmodels.tsa.stattools.coint(y, x)``.
- :func:`johansen`: the trace and maximum-eigenvalue tests of Johansen (1991),
  "Estimation and hypothesis testing of cointegration vectors in Gaussian VAR
  models", Econometrica 59(6), with the cointegrating vectors and the critical
  values of MacKinnon, Haug & Michelis (1999). Deterministic terms are handled as
  in LeSage's ``johansen.m`` and ``statsmodels.tsa.vector_ar.vecm.coint_johansen``
  (same statistics).
- :func:`kalman_hedge_ratio`: a dynamic intercept and hedge ratio as the random-walk
  state of a linear Gaussian state-space model (Chan 2013, "Algorithmic Trading",
  ch. 3; Harvey 1989, "Forecasting, structural time series models and the Kalman
  filter").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg
from statsmodels.tsa.adfvalues import mackinnoncrit, mackinnonp
from statsmodels.tsa.coint_tables import c_sja, c_sjt

from hftlab.algo.unitroot import adf_batch, default_maxlag
from hftlab.algo.zscore import ar1_half_life
from hftlab.results import Result

COLLINEAR_R2 = 1 - 100 * math.sqrt(np.finfo(float).eps)
"""R-squared from which ``coint`` declares the two series collinear (statistic -inf)."""


def _spread_figure(spread: pd.Series, beta: pd.Series, title: str):
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06, subplot_titles=("spread", "hedge ratio")
    )
    fig.add_trace(go.Scatter(x=spread.index, y=spread, name="spread"), row=1, col=1)
    fig.add_trace(go.Scatter(x=beta.index, y=beta, name="hedge ratio"), row=2, col=1)
    fig.update_layout(height=500, title=title)
    return fig


@dataclass(frozen=True)
class EngleGrangerResult(Result):
    """Engle-Granger test of ``y = constant + hedge_ratio * x + spread``.

    Attributes
    ----------
    asset_x, asset_y : str
        Names of the regressor and the regressand.
    stat, pvalue : float
        ADF statistic of the residuals and its MacKinnon (2010) p-value (``-inf``
        and 0 when the series are collinear, as in statsmodels).
    critical_values : dict
        ``"1%"``, ``"5%"``, ``"10%"`` critical values of the statistic.
    lags : int
        Lagged differences in the ADF regression (AIC choice).
    nobs : int
        Observations of that regression.
    hedge_ratio, constant : float
        OLS slope and intercept.
    half_life : float
        AR(1) half-life of the spread in bars (inf if not mean-reverting).
    beta, intercept : pd.Series
        The (constant) hedge ratio and intercept on every bar, like the Kalman filter's.
    spread : pd.Series
        ``y - constant - hedge_ratio * x``.
    """

    asset_x: str
    asset_y: str
    stat: float
    pvalue: float
    critical_values: dict[str, float]
    lags: int
    nobs: int
    hedge_ratio: float
    constant: float
    half_life: float
    beta: pd.Series
    intercept: pd.Series
    spread: pd.Series

    def plot(self):
        """Spread and hedge ratio."""
        return _spread_figure(self.spread, self.beta, f"Engle-Granger: {self.asset_y} vs {self.asset_x}")


def engle_granger(y: pd.Series, x: pd.Series, maxlag: int | None = None) -> EngleGrangerResult:
    """Engle-Granger two-step cointegration test of ``y`` on ``x`` (see module docstring).

    ``y`` and ``x`` share one index. ``maxlag`` caps the ADF lags (default
    ``ceil(12 (n/100)^(1/4))``, Schwert 1989, as statsmodels).
    """
    design = np.column_stack([x.to_numpy(), np.ones(len(x))])
    (slope, constant), *_ = np.linalg.lstsq(design, y.to_numpy(), rcond=None)
    residuals = y.to_numpy() - design @ np.array([slope, constant])
    centred = y.to_numpy() - y.to_numpy().mean()
    r_squared = 1 - residuals @ residuals / (centred @ centred)
    if r_squared < COLLINEAR_R2:
        maxlag = default_maxlag(len(y)) if maxlag is None else maxlag
        (stat,), (lags,) = adf_batch(residuals[:, None], maxlag, regression="n", autolag="AIC")
        stat, lags, nobs = float(stat), int(lags), len(y) - 1 - int(lags)
    else:
        stat, lags, nobs = -math.inf, 0, len(y) - 1
    critical = mackinnoncrit(N=2, regression="c", nobs=len(y) - 1)
    spread = pd.Series(residuals, index=y.index, name="spread")
    return EngleGrangerResult(
        asset_x=str(x.name),
        asset_y=str(y.name),
        stat=stat,
        pvalue=float(mackinnonp(stat, regression="c", N=2)),
        critical_values={"1%": float(critical[0]), "5%": float(critical[1]), "10%": float(critical[2])},
        lags=lags,
        nobs=nobs,
        hedge_ratio=float(slope),
        constant=float(constant),
        half_life=ar1_half_life(spread),
        beta=pd.Series(float(slope), index=y.index, name="beta"),
        intercept=pd.Series(float(constant), index=y.index, name="intercept"),
        spread=spread,
    )


@dataclass(frozen=True)
class JohansenResult(Result):
    """Johansen cointegration rank tests and cointegrating vectors.

    Attributes
    ----------
    trace, max_eig : pd.DataFrame
        One row per null hypothesis ``rank <= r`` (index ``r``): the statistic
        (``stat``) and its critical values ``cv_90``, ``cv_95``, ``cv_99``.
    eigenvalues : np.ndarray
        Squared canonical correlations, largest first.
    vectors : pd.DataFrame
        Cointegrating vectors (columns ``v1``... in eigenvalue order, index = the
        assets), each scaled so ``v' S_kk v = 1`` with its first non-zero element positive.
    rank_trace, rank_max_eig : int
        Cointegration rank chosen by each sequential test at ``significance``.
    significance : float
        0.10, 0.05 or 0.01.
    det_order, k_ar_diff : int
        Deterministic terms (-1 none, 0 constant, 1 linear trend) and lagged differences.
    spread : pd.Series
        The prices combined with the first vector scaled so the first asset has weight 1.
    """

    trace: pd.DataFrame
    max_eig: pd.DataFrame
    eigenvalues: np.ndarray
    vectors: pd.DataFrame
    rank_trace: int
    rank_max_eig: int
    significance: float
    det_order: int
    k_ar_diff: int
    spread: pd.Series

    def plot(self):
        """Spread of the first cointegrating vector."""
        import plotly.graph_objects as go

        fig = go.Figure(go.Scatter(x=self.spread.index, y=self.spread, name="spread"))
        fig.update_layout(title="Johansen: first cointegrating combination", height=350)
        return fig


def _detrend(values: np.ndarray, order: int) -> np.ndarray:
    """Residuals of an OLS on a polynomial time trend of ``order`` (-1: unchanged)."""
    if order == -1:
        return values
    trend = np.vander(np.linspace(-1, 1, len(values)), order + 1)
    coefficients, *_ = np.linalg.lstsq(trend, values, rcond=None)
    return values - trend @ coefficients


def _partial_out(values: np.ndarray, regressors: np.ndarray) -> np.ndarray:
    if regressors.shape[1] == 0:
        return values
    coefficients, *_ = np.linalg.lstsq(regressors, values, rcond=None)
    return values - regressors @ coefficients


def _rank(stats: np.ndarray, critical: np.ndarray) -> int:
    """First ``r`` whose null ``rank <= r`` is not rejected (sequential testing)."""
    rejected = stats > critical
    return int(np.argmin(rejected)) if not rejected.all() else len(stats)


def johansen(
    prices: pd.DataFrame, det_order: int = 0, k_ar_diff: int = 1, significance: float = 0.05
) -> JohansenResult:
    """Johansen trace and maximum-eigenvalue tests of the columns of ``prices``.

    Reduced-rank regression of the VECM ``dY_t = Pi Y_{t-1} + sum_i G_i dY_{t-i} + e_t``:
    ``dY_t`` and ``Y_{t-1}`` are both regressed on the lagged differences, and the
    squared canonical correlations of the residuals solve ``|l S_kk - S_k0 S_00^-1 S_0k| = 0``
    (Johansen 1991). Trace: ``-T sum_{i>r} ln(1 - l_i)``; max-eigenvalue: ``-T ln(1 - l_{r+1})``.
    """
    levels = _detrend(prices.to_numpy(), det_order)
    demean = 0 if det_order > -1 else -1
    diffs = np.diff(levels, axis=0)
    lagged = (
        np.column_stack([diffs[k_ar_diff - lag : len(diffs) - lag] for lag in range(1, k_ar_diff + 1)])
        if k_ar_diff
        else np.empty((len(diffs), 0))
    )
    lagged = _detrend(lagged, demean)
    r0 = _partial_out(_detrend(diffs[k_ar_diff:], demean), lagged)
    rk = _partial_out(_detrend(levels[k_ar_diff:-1], demean), lagged)
    t = rk.shape[0]
    s00, s0k, skk = r0.T @ r0 / t, r0.T @ rk / t, rk.T @ rk / t
    eigenvalues, vectors = scipy.linalg.eigh(s0k.T @ np.linalg.solve(s00, s0k), skk)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, vectors = eigenvalues[order], vectors[:, order]
    first_nonzero = vectors[np.argmax(vectors != 0, axis=0), np.arange(vectors.shape[1])]
    vectors = vectors * np.where(first_nonzero < 0, -1.0, 1.0)

    k = prices.shape[1]
    log_rest = np.log(1 - eigenvalues)
    trace_stat = -t * np.cumsum(log_rest[::-1])[::-1]
    max_stat = -t * log_rest
    columns = ["cv_90", "cv_95", "cv_99"]
    index = pd.RangeIndex(k, name="r")
    trace_cv = np.array([c_sjt(k - r, det_order) for r in range(k)])
    max_cv = np.array([c_sja(k - r, det_order) for r in range(k)])
    trace = pd.DataFrame(trace_cv, index=index, columns=columns).assign(stat=trace_stat)
    max_eig = pd.DataFrame(max_cv, index=index, columns=columns).assign(stat=max_stat)
    level = {0.10: 0, 0.05: 1, 0.01: 2}[significance]
    names = [f"v{i + 1}" for i in range(k)]
    frame = pd.DataFrame(vectors, index=pd.Index(prices.columns, name="asset"), columns=names)
    weights = vectors[:, 0] / vectors[0, 0]
    return JohansenResult(
        trace=trace[["stat", *columns]],
        max_eig=max_eig[["stat", *columns]],
        eigenvalues=eigenvalues,
        vectors=frame,
        rank_trace=_rank(trace_stat, trace_cv[:, level]),
        rank_max_eig=_rank(max_stat, max_cv[:, level]),
        significance=significance,
        det_order=det_order,
        k_ar_diff=k_ar_diff,
        spread=pd.Series(prices.to_numpy() @ weights, index=prices.index, name="spread"),
    )


@dataclass(frozen=True)
class KalmanHedgeResult(Result):
    """Dynamic intercept and hedge ratio from a Kalman filter.

    Attributes
    ----------
    beta, intercept : pd.Series
        Filtered state ``E[state_t | y_1..y_t]``.
    spread : pd.Series
        One-step forecast error ``y_t - intercept_{t-1} - beta_{t-1} x_t``: the spread
        priced with the hedge known before bar ``t`` (no look-ahead).
    spread_std : pd.Series
        Its standard deviation ``sqrt(Q_t)`` under the model.
    zscore : pd.Series
        ``spread / spread_std``.
    hedge_ratio : float
        The last filtered hedge ratio.
    delta, observation_var : float
        State noise ``delta / (1 - delta)`` per unit of time and observation variance.
    """

    beta: pd.Series
    intercept: pd.Series
    spread: pd.Series
    spread_std: pd.Series
    zscore: pd.Series
    hedge_ratio: float
    delta: float
    observation_var: float

    def plot(self):
        """Forecast-error spread and the filtered hedge ratio."""
        return _spread_figure(self.spread, self.beta, "Kalman-filter hedge ratio")


INITIAL_STATE_VAR = 1e6
"""Variance of the (approximately diffuse) prior on intercept and hedge ratio."""


def kalman_hedge_ratio(
    y: pd.Series, x: pd.Series, delta: float = 1e-4, observation_var: float = 1e-3
) -> KalmanHedgeResult:
    """Kalman filter of ``y_t = intercept_t + beta_t x_t + v_t``, the state a random walk.

    State ``s_t = [intercept_t, beta_t]``, ``s_t = s_{t-1} + w_t`` with
    ``w_t ~ N(0, delta / (1 - delta) I)``, ``v_t ~ N(0, observation_var)``; prior
    ``s_0 ~ N(0, 1e6 I)``. Covariance updates in Joseph form for stability.
    Defaults are Chan's (2013, "Algorithmic Trading", example 3.3).
    """
    ys, xs = y.to_numpy(), x.to_numpy()
    n = len(ys)
    state = np.zeros(2)
    cov = np.eye(2) * INITIAL_STATE_VAR
    noise = np.eye(2) * (delta / (1 - delta))
    states = np.empty((n, 2))
    errors = np.empty(n)
    variances = np.empty(n)
    identity = np.eye(2)
    for t in range(n):
        h = np.array([1.0, xs[t]])
        cov = cov + noise
        error = ys[t] - h @ state
        variance = h @ cov @ h + observation_var
        gain = cov @ h / variance
        state = state + gain * error
        update = identity - np.outer(gain, h)
        cov = update @ cov @ update.T + observation_var * np.outer(gain, gain)
        states[t], errors[t], variances[t] = state, error, variance
    std = np.sqrt(variances)
    index = y.index
    return KalmanHedgeResult(
        beta=pd.Series(states[:, 1], index=index, name="beta"),
        intercept=pd.Series(states[:, 0], index=index, name="intercept"),
        spread=pd.Series(errors, index=index, name="spread"),
        spread_std=pd.Series(std, index=index, name="spread_std"),
        zscore=pd.Series(errors / std, index=index, name="zscore"),
        hedge_ratio=float(states[-1, 1]),
        delta=float(delta),
        observation_var=float(observation_var),
    )


def dynamic_hedge(
    prices: pd.DataFrame, delta: float = 1e-4, observation_var: float = 1e-3
) -> KalmanHedgeResult:
    """:func:`kalman_hedge_ratio` of a two-column frame: the second column on the first."""
    return kalman_hedge_ratio(prices.iloc[:, 1], prices.iloc[:, 0], delta, observation_var)


@dataclass(frozen=True)
class CointegrationResult(Result):
    """A cointegration test: ``method`` and the result of that method (the other is None)."""

    method: str
    engle_granger: EngleGrangerResult | None = None
    johansen: JohansenResult | None = None

    def plot(self):
        """The spread of the tested relation."""
        return (self.engle_granger or self.johansen).plot()


def cointegration(
    prices: pd.DataFrame,
    method: str = "engle_granger",
    maxlag: int | None = None,
    det_order: int = 0,
    k_ar_diff: int = 1,
    significance: float = 0.05,
) -> CointegrationResult:
    """Engle-Granger test of the second column on the first, or Johansen tests of all columns.

    ``prices`` must already be validated (see ``hftlab.types.CointegrationRequest``).
    """
    if method == "engle_granger":
        return CointegrationResult(
            method=method, engle_granger=engle_granger(prices.iloc[:, 1], prices.iloc[:, 0], maxlag)
        )
    return CointegrationResult(method=method, johansen=johansen(prices, det_order, k_ar_diff, significance))

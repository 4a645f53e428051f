"""Stationarity and mean-reversion diagnostics of a price (or spread) series.

- :func:`hurst_rs`: rescaled-range Hurst exponent (Hurst 1951; Mandelbrot & Wallis
  1969) with the Anis-Lloyd / Peters small-sample correction of the expected R/S
  (Weron 2002, "Estimating long-range dependence: finite sample properties and
  confidence intervals", Physica A 312).
- :func:`hurst_dfa`: detrended fluctuation analysis, linear detrending (Peng et al.
  1994, "Mosaic organization of DNA nucleotides", Phys. Rev. E 49).
- :func:`variance_ratio`: Lo & MacKinlay (1988), "Stock market prices do not follow
  random walks", Review of Financial Studies 1(1): overlapping, bias-corrected
  variance ratio with the homoskedastic z(q) and heteroskedasticity-robust z*(q).
- :func:`adf` and :func:`kpss`: statsmodels' ``adfuller`` (computed by
  :mod:`hftlab.algo.unitroot`) and ``kpss``.

Both Hurst estimators work on the *increments* of the series they are given: 0.5 for
a random walk, below 0.5 when the levels mean-revert (anti-persistent increments),
above 0.5 when they trend. They accept a 2-D array (one series per column) and
estimate every column at once.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.special
from statsmodels.tools.sm_exceptions import InterpolationWarning
from statsmodels.tsa.adfvalues import mackinnoncrit, mackinnonp
from statsmodels.tsa.stattools import kpss as sm_kpss

from hftlab.algo import unitroot
from hftlab.results import Result


def window_sizes(n: int, min_window: int = 8, max_window: int | None = None, count: int = 10) -> np.ndarray:
    """Up to ``count`` log-spaced window lengths in ``[min_window, max_window or n // 2]``."""
    high = n // 2 if max_window is None else min(max_window, n)
    if high <= min_window:
        raise ValueError(
            f"too few observations ({n}) for Hurst windows from {min_window} to {high}: "
            "need at least two window sizes"
        )
    return np.unique(np.geomspace(min_window, high, count).astype(np.int64))


def _increments(values: np.ndarray) -> tuple[np.ndarray, bool]:
    """Increments as ``(series, time)`` rows (contiguous in time) and whether the input was 1-D."""
    values = np.asarray(values, dtype=np.float64)
    single = values.ndim == 1
    rows = values[None, :] if single else values.T
    return np.ascontiguousarray(np.diff(rows, axis=1)), single


def _slope(log_sizes: np.ndarray, log_values: np.ndarray) -> np.ndarray:
    """Least-squares slope of every row of ``log_values`` (series x sizes) on ``log_sizes``."""
    centred = log_sizes - log_sizes.mean()
    # a row-wise sum, not a matrix product: each series' result does not depend on the batch
    return ((log_values - log_values.mean(axis=1, keepdims=True)) * centred).sum(axis=1) / (centred @ centred)


def expected_rescaled_range(n: int) -> float:
    """Anis-Lloyd expected R/S of ``n`` i.i.d. normals with Peters' ``(n - 1/2)/n`` factor."""
    i = np.arange(1, n)
    total = np.sum(np.sqrt((n - i) / i))
    if n <= 340:
        ratio = math.exp(scipy.special.gammaln((n - 1) / 2) - scipy.special.gammaln(n / 2)) / math.sqrt(math.pi)
    else:
        ratio = 1 / math.sqrt(n * math.pi / 2)
    return (n - 0.5) / n * ratio * total


def hurst_rs(prices: np.ndarray, min_window: int = 8, max_window: int | None = None):
    """Corrected R/S Hurst exponent of the increments of ``prices`` (float, or array per column).

    For each window length ``n`` the increments are cut into non-overlapping blocks;
    ``R/S`` is the range of the cumulated demeaned block over its standard deviation,
    averaged over blocks. ``H = 0.5 + slope of log(R/S) - log(E[R/S])`` on ``log n``.
    Like every R/S estimator it is biased towards 0.5 for strongly persistent or
    anti-persistent series in finite samples (Weron 2002); DFA is less so.
    """
    increments, single = _increments(prices)
    series, length = increments.shape
    sizes = window_sizes(length, min_window, max_window)
    # prefix sums of the increments and their squares give every block's mean, variance and path
    path = np.zeros((series, length + 1))
    np.cumsum(increments, axis=1, out=path[:, 1:])
    squares = np.zeros((series, length + 1))
    np.cumsum(increments**2, axis=1, out=squares[:, 1:])
    log_rs = np.empty((series, len(sizes)))
    for column, n in enumerate(sizes):
        starts = np.arange(0, length // n * n, n)
        totals = path[:, starts + n] - path[:, starts]
        means = totals / n
        variances = np.maximum((squares[:, starts + n] - squares[:, starts]) / n - means**2, 0.0)
        steps = np.arange(1, n + 1)
        # cumulated deviations from the block mean after 1..n steps
        ends = path[:, 1 : len(starts) * n + 1].reshape(series, len(starts), n)  # path[start + step]
        walk = ends - path[:, starts, None] - means[:, :, None] * steps
        ranges = np.maximum(walk.max(axis=2), 0.0) - np.minimum(walk.min(axis=2), 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            rescaled = np.where(variances > 0, ranges / np.sqrt(variances), 0.0)
            usable = (variances > 0).sum(axis=1)  # blocks with no variation have no R/S
            mean_rs = np.where(usable > 0, rescaled.sum(axis=1) / usable, np.nan)
            log_rs[:, column] = np.log(mean_rs) - math.log(expected_rescaled_range(int(n)))
    hurst = 0.5 + _slope(np.log(sizes), log_rs)
    return float(hurst[0]) if single else hurst


def hurst_dfa(prices: np.ndarray, min_window: int = 8, max_window: int | None = None):
    """DFA-1 scaling exponent of the increments of ``prices`` (float, or array per column).

    Profile ``Y = cumsum(increments - mean)``; in non-overlapping windows of length
    ``n`` remove the least-squares line; ``F(n)`` is the root mean square of what is
    left; the exponent is the slope of ``log F`` on ``log n``.
    """
    increments, single = _increments(prices)
    profile = np.cumsum(increments - increments.mean(axis=1, keepdims=True), axis=1)
    sizes = window_sizes(profile.shape[1], min_window, max_window)
    log_f = np.empty((len(profile), len(sizes)))
    for column, n in enumerate(sizes):
        blocks = profile[:, : profile.shape[1] // n * n].reshape(len(profile), -1, n)
        t = np.arange(n, dtype=np.float64) - (n - 1) / 2
        centred = blocks - blocks.mean(axis=2, keepdims=True)
        slopes = centred @ t / (t @ t)
        residuals = centred - slopes[:, :, None] * t
        with np.errstate(divide="ignore"):
            log_f[:, column] = 0.5 * np.log(np.mean(residuals**2, axis=(1, 2)))
    with np.errstate(invalid="ignore"):  # a straight-line profile has no fluctuation: NaN
        exponent = _slope(np.log(sizes), log_f)
    return float(exponent[0]) if single else exponent


@dataclass(frozen=True)
class VarianceRatioResult(Result):
    """Lo-MacKinlay variance ratio ``VR(q)`` of the increments of a series.

    Attributes
    ----------
    q : int
        Aggregation horizon.
    ratio : float
        Bias-corrected ``VR(q)``: 1 for a random walk, below 1 under mean reversion.
    z, z_robust : float
        Homoskedastic ``z(q)`` and heteroskedasticity-consistent ``z*(q)``, N(0, 1) under the null.
    pvalue, pvalue_robust : float
        Two-sided p-values of ``z`` and ``z_robust``.
    """

    q: int
    ratio: float
    z: float
    z_robust: float
    pvalue: float
    pvalue_robust: float


def variance_ratio(prices: np.ndarray, q: int) -> VarianceRatioResult:
    """Lo & MacKinlay (1988) variance-ratio test of the random-walk hypothesis.

    With ``T`` increments ``x_t``, mean ``mu``: ``s_a^2 = sum (x - mu)^2 / (T - 1)``,
    ``s_c^2 = sum_t (p_t - p_{t-q} - q mu)^2 / m`` with ``m = q (T - q + 1)(1 - q/T)``
    (overlapping, unbiased), ``VR = s_c^2 / s_a^2``; ``z = (VR - 1) / sqrt(2(2q-1)(q-1)/(3qT))``
    and ``z* = sqrt(T) (VR - 1) / sqrt(theta)``, ``theta = sum_j (2(q-j)/q)^2 delta_j`` (their eq. 19-20).
    """
    levels = np.asarray(prices, dtype=np.float64)
    x = np.diff(levels)
    total = len(x)
    mu = (levels[-1] - levels[0]) / total
    deviations = x - mu
    squares = deviations**2
    var_a = squares.sum() / (total - 1)
    m = q * (total - q + 1) * (1 - q / total)
    var_c = np.sum((levels[q:] - levels[:-q] - q * mu) ** 2) / m
    with np.errstate(divide="ignore", invalid="ignore"):  # constant increments: NaN
        ratio = np.float64(var_c) / var_a
        lags = np.arange(1, q)
        delta = np.array([total * np.sum(squares[j:] * squares[:-j]) for j in lags]) / squares.sum() ** 2
        theta = np.sum((2 * (q - lags) / q) ** 2 * delta)
        z_robust = math.sqrt(total) * (ratio - 1) / np.sqrt(theta)
    z = (ratio - 1) / math.sqrt(2 * (2 * q - 1) * (q - 1) / (3 * q * total))
    return VarianceRatioResult(
        q=int(q),
        ratio=float(ratio),
        z=float(z),
        z_robust=float(z_robust),
        pvalue=float(math.erfc(abs(z) / math.sqrt(2))),
        pvalue_robust=float(math.erfc(abs(z_robust) / math.sqrt(2))),
    )


@dataclass(frozen=True)
class UnitRootTest(Result):
    """A unit-root (ADF) or stationarity (KPSS) test from statsmodels.

    Attributes
    ----------
    test : str
        ``"adf"`` (null: unit root) or ``"kpss"`` (null: stationary).
    stat, pvalue : float
        Statistic and p-value.
    lags : int
        Lags used (ADF: augmentation lags by AIC; KPSS: Newey-West bandwidth).
    critical_values : dict
        Critical values by significance level.
    pvalue_bound : str
        ``"interpolated"``, or for KPSS outside its table (p in [0.01, 0.1]):
        ``"lower_bound"`` (true p-value is larger) or ``"upper_bound"`` (true p is smaller).
    """

    test: str
    stat: float
    pvalue: float
    lags: int
    critical_values: dict[str, float]
    pvalue_bound: str

    def note(self) -> str:
        """A sentence saying when the p-value is only a bound, else ``""``."""
        name = f"{self.test.upper()} p-value {self.pvalue:g}"
        if self.pvalue_bound == "lower_bound":
            return f"{name} is a lower bound: the true p-value is larger."
        if self.pvalue_bound == "upper_bound":
            return f"{name} is an upper bound: the true p-value is smaller."
        return ""


def adf(
    prices: np.ndarray, regression: str = "c", autolag: str = "AIC", maxlag: int | None = None
) -> UnitRootTest:
    """Augmented Dickey-Fuller test (Said & Dickey 1984) with MacKinnon (1994, 2010) p-value and
    critical values: statsmodels' ``adfuller`` numbers from the batched kernel of
    :mod:`hftlab.algo.unitroot` (``regression`` in ``"n"``, ``"c"``, ``"ct"``, ``"ctt"``; lag by
    ``autolag`` ``"AIC"``, ``"BIC"`` or ``"t-stat"`` up to ``maxlag``, default Schwert's)."""
    values = np.asarray(prices, dtype=np.float64)
    maxlag = unitroot.default_maxlag(len(values), regression) if maxlag is None else maxlag
    (stat,), (lags,) = unitroot.adf_batch(values[:, None], maxlag, regression, autolag)
    critical = mackinnoncrit(N=1, regression=regression, nobs=len(values) - 1 - lags)
    return UnitRootTest(
        test="adf",
        stat=float(stat),
        pvalue=float(mackinnonp(stat, regression=regression, N=1)),
        lags=int(lags),
        critical_values={
            level: float(value) for level, value in zip(("1%", "5%", "10%"), critical, strict=True)
        },
        pvalue_bound="interpolated",
    )


def kpss(prices: np.ndarray, regression: str = "c") -> UnitRootTest:
    """KPSS test of stationarity (Kwiatkowski, Phillips, Schmidt & Shin 1992), automatic bandwidth.

    statsmodels interpolates the p-value in KPSS's table (0.01 to 0.10) and warns when
    the statistic falls outside it; that warning becomes ``pvalue_bound`` here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InterpolationWarning)
        result = sm_kpss(
            np.asarray(prices, dtype=np.float64), regression=regression, nlags="auto", result_object=True
        )
    critical = {k: float(v) for k, v in result.critical_values.items()}
    stat = float(result.statistic)
    if stat > critical["1%"]:
        bound = "upper_bound"
    elif stat < critical["10%"]:
        bound = "lower_bound"
    else:
        bound = "interpolated"
    return UnitRootTest(
        test="kpss",
        stat=stat,
        pvalue=float(result.pvalue),
        lags=int(result.lags),
        critical_values=critical,
        pvalue_bound=bound,
    )

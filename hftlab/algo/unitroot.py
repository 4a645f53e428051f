"""Augmented Dickey-Fuller regressions of many series at once: the one ADF kernel of hftlab.

:func:`hftlab.algo.stationarity.adf`, the Engle-Granger test (:mod:`hftlab.algo.coint`)
and the pair scan (:mod:`hftlab.algo.pairs`) all run :func:`adf_batch`. Its statistics
and lags equal ``statsmodels.tsa.stattools.adfuller(x, maxlag, regression, autolag)``
(Said & Dickey 1984, "Testing for unit roots in autoregressive-moving average models of
unknown order", Biometrika 71(3)): the regression of ``d_t = x_{t+1} - x_t`` on the
deterministic terms, the level ``x_t`` and ``d_{t-1} .. d_{t-L}``; ``L`` chosen by AIC
or BIC on the common sample of the largest lag, or by the general-to-specific t-test on
the last lag at 5% (Ng & Perron 1995, "Unit root tests in ARMA models with
data-dependent methods for the selection of the truncation lag", JASA 90), then
re-estimated on its own sample.

Instead of one least-squares fit per series and lag, every regression comes from the
same sums: the cross-products ``sum_t a_{t-i} b_{t-j}`` of the regressors over any
sample ``[s, T)`` are a full-length dot product minus short heads and tails, so the Gram
matrices of all nested regressions of all series are gathered at once, and one batched
Cholesky factorisation yields the residual sum of squares and the t-statistic of the
last regressor of every nested model (the Cholesky factor of a leading block is the
leading block of the factor). The deterministic terms are an orthonormal basis of the
polynomials ``1, t, t^2`` that statsmodels uses, and the level enters net of its
full-sample projection on them: the same column space, so the same statistics, from
better-conditioned Gram matrices.
"""

from __future__ import annotations

import numpy as np

REGRESSIONS = ("n", "c", "ct", "ctt")
"""Deterministic terms: none, constant, constant and trend, constant, trend and its square."""

AUTOLAGS = ("AIC", "BIC", "t-stat")

T_STOP = 1.6448536269514722
"""``norm.ppf(0.95)``: the |t| of the last lag that stops statsmodels' t-stat lag search."""


def default_maxlag(nobs: int, regression: str = "n") -> int:
    """statsmodels' ``adfuller`` default: ``ceil(12 (n/100)^(1/4))`` (Schwert 1989) capped at
    ``n // 2 - ntrend - 1``."""
    return min(nobs // 2 - _n_trend(regression) - 1, int(np.ceil(12.0 * np.power(nobs / 100.0, 1 / 4.0))))


def _n_trend(regression: str) -> int:
    return 0 if regression == "n" else len(regression)


def adf_batch(
    levels: np.ndarray, maxlag: int, regression: str = "c", autolag: str = "AIC"
) -> tuple[np.ndarray, np.ndarray]:
    """ADF t-statistics and chosen lags of every column of ``levels`` (``(T, B)``).

    As ``adfuller(levels[:, b], maxlag, regression, autolag)`` (see module docstring);
    ``maxlag`` at most ``T // 2 - ntrend - 1``.
    """
    if regression not in REGRESSIONS or autolag not in AUTOLAGS:
        raise ValueError(f"regression must be one of {REGRESSIONS} and autolag one of {AUTOLAGS}")
    k = maxlag
    if not 0 <= k <= len(levels) // 2 - _n_trend(regression) - 1:
        raise ValueError(f"maxlag {k} outside [0, {len(levels) // 2 - _n_trend(regression) - 1}]")
    levels = np.asarray(levels, dtype=np.float64)
    d = np.ascontiguousarray(np.diff(levels, axis=0).T)[:, None, :]  # (B, 1, T-1): d_t = x_{t+1} - x_t
    level = levels[:-1].T  # level[:, t] = x_t, the regressor of d_t
    batch, _, size = d.shape
    n_trend = _n_trend(regression)
    # deterministic terms: an orthonormal basis of the polynomials of degree < n_trend in t
    basis = np.linalg.qr(np.vander(np.linspace(-1, 1, size), n_trend, increasing=True))[0].T
    fixed = np.empty((batch, n_trend + 1, size))  # deterministic terms, then the level
    fixed[:, :n_trend] = basis
    fixed[:, n_trend] = level - (level @ basis.T) @ basis  # the level net of them (same column space)
    f = n_trend + 1
    sums = _Gram(fixed, d, k)

    # lag search on the common sample of the largest lag: columns [fixed, d_{t-1} .. d_{t-k}]
    common = size - k
    g, xy, yy = sums.regression(np.full(batch, k))
    z, independent = _projection(g, xy)
    ssr = np.maximum(yy[:, None] - np.cumsum(z**2, axis=1)[:, f - 1 :], 0.0)  # (B, k + 1): lags 0..k
    rank = np.cumsum(independent, axis=1)[:, f - 1 :]  # statsmodels counts the rank as parameters
    if autolag == "t-stat":
        # |t| of the last regressor of each nested model; the largest lag whose |t| passes, else 0
        with np.errstate(divide="ignore", invalid="ignore"):
            t_last = z[:, f - 1 :] / np.sqrt(ssr / (common - rank))
        passing = np.abs(t_last) >= T_STOP
        lags = np.max(np.where(passing, np.arange(k + 1), 0), axis=1)
    else:
        with np.errstate(divide="ignore"):
            llf = -common / 2 * (np.log(2 * np.pi) + np.log(ssr / common) + 1)
        penalty = 2.0 if autolag == "AIC" else np.log(common)
        lags = np.argmin(-2 * llf + penalty * rank, axis=1)  # first minimum: statsmodels' tie-break

    # re-estimate with the chosen lag on its own sample, the level last; unused lags an identity block
    g, xy, yy = sums.regression(lags)
    order = np.r_[np.arange(n_trend), np.arange(f, f + k), n_trend]
    g, xy = g[:, order[:, None], order], xy[:, order]
    used = np.ones((batch, f + k), dtype=bool)
    used[:, n_trend:-1] = np.arange(1, k + 1)[None, :] <= lags[:, None]
    g = np.where(used[:, :, None] & used[:, None, :], g, np.eye(f + k))
    z, independent = _projection(g, np.where(used, xy, 0.0))
    dof = size - lags - np.sum(independent & used, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        stats = z[:, -1] / np.sqrt(np.maximum(yy - np.sum(z**2, axis=1), 0.0) / dof)
    return np.where(independent[:, -1], stats, np.nan), lags


DEPENDENT = 1e-10
"""A regressor whose squared norm net of the earlier ones is below this fraction of its own
counts as a linear combination of them (rank deficiency, e.g. a periodic or polynomial series)."""


def _projection(g: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``z = L^-1 X'y`` for the Cholesky factor ``X'X = L L'``, and which regressors are independent.

    ``z_j`` is the coordinate of ``y`` on the ``j``-th Gram-Schmidt direction of the regressors,
    so ``y'y - sum_{j<m} z_j^2`` is the residual sum of squares of the first ``m`` of them. The
    columns are equilibrated first; a column dependent on the earlier ones (:data:`DEPENDENT`)
    adds no direction: its ``z`` is 0, as in a least-squares fit by pseudo-inverse.
    """
    batch, p, _ = g.shape
    diagonal = np.einsum("bii->bi", g)
    scale = np.divide(1.0, np.sqrt(diagonal), out=np.zeros_like(diagonal), where=diagonal > 0)
    augmented = np.empty((batch, p + 1, p))  # the Gram matrix's columns with X'y below them
    augmented[:, :p] = g * scale[:, :, None] * scale[:, None, :]
    augmented[:, p] = xy * scale
    factor = np.zeros((batch, p + 1, p))  # left-looking Cholesky, z in the last row
    independent = np.zeros((batch, p), dtype=bool)
    for j in range(p):
        column = augmented[:, j:, j] - np.matmul(factor[:, j:, :j], factor[:, j, :j, None])[..., 0]
        independent[:, j] = column[:, 0] > DEPENDENT
        root = np.sqrt(np.where(independent[:, j], column[:, 0], 1.0))
        factor[:, j:, j] = np.where(independent[:, j, None], column / root[:, None], 0.0)
    return factor[:, p], independent


class _Gram:
    """Cross-products of the regressors ``[fixed_t, d_{t-1} .. d_{t-k}]`` and ``y_t = d_t`` over
    samples ``t in [s, T)``, any ``s <= k`` (per series)."""

    def __init__(self, fixed: np.ndarray, d: np.ndarray, k: int):
        self.k, self.size = k, d.shape[2]
        self.ff = _LaggedSums(fixed, fixed, 0, k)
        self.fd = _LaggedSums(fixed, d, k, k)
        self.dd = _LaggedSums(d, d, k, k)
        i, j = np.triu_indices(k + 1)
        self.pairs = i, j  # d lags i <= j, 0 the regressand

    def regression(self, start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Gram matrix (``(B, f + k, f + k)``), ``X'y`` and ``y'y`` on rows ``[start, T)``."""
        k, size = self.k, self.size
        start = start[:, None]
        ff = self.ff.window(0, start, size)[:, 0]  # (B, f, f)
        fd = self.fd.window(np.arange(k + 1), start, size)[..., 0]  # (B, k + 1, f): sum fixed_t d_{t-j}
        i, j = self.pairs
        upper = self.dd.window(j - i, np.maximum(start - i, 0), size - i)[..., 0, 0]  # sum d_{t-i} d_{t-j}
        dd = np.empty((len(start), k + 1, k + 1))
        dd[:, i, j] = upper
        dd[:, j, i] = upper
        f = ff.shape[1]
        g = np.empty((len(start), f + k, f + k))
        g[:, :f, :f] = ff
        g[:, :f, f:] = fd[:, 1:].transpose(0, 2, 1)
        g[:, f:, :f] = fd[:, 1:]
        g[:, f:, f:] = dd[:, 1:, 1:]
        xy = np.concatenate([fd[:, 0], dd[:, 0, 1:]], axis=1)
        return g, xy, dd[:, 0, 0]


class _LaggedSums:
    """Sums of ``a_u b_{u-h}`` (``h = 0..lags``, every series of ``a`` with every series of ``b``)
    over windows ``[low, high)`` that start at most ``reach`` after the beginning and end at most
    ``reach`` before the end of the series.

    ``a`` is ``(B, m, T)``, ``b`` is ``(B, n, T)``. Each sum is the full one minus a short head and a
    short tail, so no full-length cumulative array is needed: ``lags + 1`` dot products per pair.
    """

    def __init__(self, a: np.ndarray, b: np.ndarray, lags: int, reach: int):
        batch, _, size = a.shape
        self.size = size
        self.rows = np.arange(batch)[:, None]
        self.total = np.stack(
            [np.einsum("bmt,bnt->bmn", a[..., h:], b[..., : size - h]) for h in range(lags + 1)], axis=-1
        )  # (B, m, n, lags + 1)
        shift = np.arange(lags + 1)[:, None]
        u = np.arange(min(reach, size))[None, :]
        back = size - 1 - u  # positions counted back from the end
        parts = []
        for position in (u, back):
            product = a[:, :, None, None, position[0]] * b[:, None, :, np.maximum(position - shift, 0)]
            product = np.where(position >= shift, product, 0.0)  # (B, m, n, lags + 1, reach)
            zeros = np.zeros((*product.shape[:-1], 1))
            parts.append(np.concatenate([zeros, np.cumsum(product, axis=-1)], axis=-1))
        self.head, self.tail = parts

    def window(self, h, low, high) -> np.ndarray:
        """``sum_{u in [low, high)} a_u b_{u-h}`` as ``(B, P, m, n)``: ``h``, ``low``, ``high``
        broadcast to ``(B, P)`` (scalars, ``(P,)`` or ``(B, 1)``)."""
        rows = self.rows
        return (
            self.total[rows, :, :, h]
            - self.head[rows, :, :, h, low]
            - self.tail[rows, :, :, h, self.size - high]
        )

"""Pair discovery: Engle-Granger tests of every pair of a universe, batched in NumPy.

For each pair ``(asset_x, asset_y)`` (``asset_x`` the earlier column) the statistic and
p-value equal ``statsmodels.tsa.stattools.coint(prices[asset_y], prices[asset_x])``
(Engle & Granger 1987; MacKinnon 2010 p-values): OLS of ``y`` on ``[x, 1]``, then an ADF
regression without deterministic terms on the residuals with the lag chosen by AIC
on the common sample of the largest lag, re-estimated on its own sample.

Instead of one ``OLS`` fit per pair and lag, every regression of a chunk of pairs comes
from the same cumulative sums: the cross-products ``sum_t d_{t-i} d_{t-j}`` of lagged
residual differences over any sample ``[s, T)`` are differences of prefix sums of
``d_u d_{u-h}``, so the Gram matrices of all nested ADF regressions of all pairs are
gathered at once; one batched Cholesky factorisation then yields the residual sums of
squares of every nested lag model (the Cholesky factor of a leading block is the
leading block of the factor).

Benjamini & Hochberg (1995), "Controlling the false discovery rate", JRSS B 57(1),
adjusts the p-values over all tested pairs. Half-life (AR(1) of the spread), Hurst
exponent of the spread (:mod:`hftlab.algo.stationarity`) and the correlation of
price changes complete the table.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tsa.adfvalues import mackinnonp

from hftlab import cancel
from hftlab.algo import stationarity
from hftlab.algo.coint import COLLINEAR_R2
from hftlab.results import Result

CHUNK_BYTES = 64 * 2**20
"""Memory budget of the per-chunk prefix-sum arrays."""

COLUMNS = [
    "asset_x",
    "asset_y",
    "eg_stat",
    "pvalue",
    "pvalue_adj",
    "significant",
    "hedge_ratio",
    "intercept",
    "half_life",
    "hurst",
    "correlation",
    "lags",
]


@dataclass(frozen=True)
class PairScanResult(Result):
    """Ranked cointegration scan of a universe.

    Attributes
    ----------
    table : pd.DataFrame
        One row per pair passing the filters, most significant first (ascending
        ``pvalue``, then ``eg_stat``): ``asset_x``, ``asset_y``, ``eg_stat``,
        ``pvalue`` (of ``coint(prices[asset_y], prices[asset_x])``), ``pvalue_adj``
        (Benjamini-Hochberg over all tested pairs), ``significant``
        (``pvalue_adj <= fdr``), ``hedge_ratio`` and ``intercept`` (OLS of y on x),
        ``half_life`` (bars), ``hurst`` of the spread, ``correlation`` of price
        changes, ``lags`` (ADF lags).
    n_assets, n_pairs : int
        Universe size and pairs tested.
    n_significant : int
        Pairs with ``pvalue_adj <= fdr`` among all tested.
    fdr : float
        False-discovery rate of the Benjamini-Hochberg step-up procedure.
    """

    table: pd.DataFrame
    n_assets: int
    n_pairs: int
    n_significant: int
    fdr: float

    def spread(self, prices: pd.DataFrame, rank: int = 0) -> pd.Series:
        """``y - intercept - hedge_ratio * x`` of the pair at ``rank`` in the table."""
        row = self.table.iloc[rank]
        spread = prices[row.asset_y] - row.intercept - row.hedge_ratio * prices[row.asset_x]
        return spread.rename(f"{row.asset_y} - {row.hedge_ratio:.4g} {row.asset_x}")

    def plot(self, prices: pd.DataFrame, rank: int = 0):
        """Prices (rebased to 1), spread and its z-score for the pair at ``rank``."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        row = self.table.iloc[rank]
        spread = self.spread(prices, rank)
        zscore = (spread - spread.mean()) / spread.std()
        fig = make_subplots(
            rows=3,
            cols=1,
            shared_xaxes=True,
            vertical_spacing=0.05,
            subplot_titles=("prices (rebased)", "spread", "z-score"),
        )
        for asset in (row.asset_x, row.asset_y):
            fig.add_trace(
                go.Scatter(x=prices.index, y=prices[asset] / prices[asset].iloc[0], name=asset), row=1, col=1
            )
        fig.add_trace(go.Scatter(x=spread.index, y=spread, name="spread"), row=2, col=1)
        fig.add_trace(go.Scatter(x=zscore.index, y=zscore, name="z-score"), row=3, col=1)
        for level in (-2, 2):
            fig.add_hline(y=level, line_dash="dash", line_color="grey", row=3, col=1)
        fig.update_layout(
            height=750,
            title=f"{row.asset_y} vs {row.asset_x}: p = {row.pvalue:.3g}, half-life {row.half_life:.3g}",
        )
        return fig


@dataclass(frozen=True)
class PairScanProgress(Result):
    """One message of the scan stream: pairs done so far, and the result at the end."""

    done: int
    total: int
    result: PairScanResult | None = None


def default_maxlag(nobs: int) -> int:
    """statsmodels' ``adfuller`` default: ``ceil(12 (n/100)^(1/4))`` capped at ``n // 2 - 1``."""
    return min(nobs // 2 - 1, int(np.ceil(12.0 * np.power(nobs / 100.0, 1 / 4.0))))


def adf_no_constant(residuals: np.ndarray, maxlag: int) -> tuple[np.ndarray, np.ndarray]:
    """ADF t-statistics and AIC lags of every column, as ``adfuller(regression="n", autolag="AIC")``.

    ``residuals`` is ``(T, B)``. The regression of ``d_t = r_{t+1} - r_t`` has statsmodels'
    regressors in its order: the level ``r_t``, then ``d_{t-1} .. d_{t-L}``.
    """
    d = np.ascontiguousarray(np.diff(residuals, axis=0).T)  # (B, T-1), d[:, t] = r[t+1] - r[t]
    level = np.ascontiguousarray(residuals[:-1].T)  # level[:, t] = r[t], the regressor of d[:, t]
    batch, size = d.shape
    k = maxlag
    dd = _LaggedSums(d, d, k, k)  # sums of d_u d_{u-h}
    ld = _LaggedSums(level, d, k, k)  # sums of level_u d_{u-h}
    ll = _LaggedSums(level, level, 0, k)

    def gram(start: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Gram matrix, X'y and y'y of the regression on rows ``[start, size)``, ``width`` lags."""
        g = np.empty((batch, width + 1, width + 1))
        g[:, 0, 0] = ll.between(0, start, size)
        for j in range(1, width + 1):
            g[:, 0, j] = g[:, j, 0] = ld.between(j, start, size)
            for i in range(1, j + 1):
                g[:, i, j] = g[:, j, i] = dd.between(j - i, np.maximum(start - i, 0), size - i)
        xy = np.column_stack(
            [ld.between(0, start, size)] + [dd.between(h, start, size) for h in range(1, width + 1)]
        )
        return g, xy, dd.between(0, start, size)

    # AIC on the common sample of the largest lag, nested models via one Cholesky factor
    common = size - k
    g, xy, yy = gram(np.full(batch, k), k)
    scale = 1 / np.sqrt(np.einsum("bii->bi", g))
    factor = np.linalg.cholesky(g * scale[:, :, None] * scale[:, None, :])
    z = np.linalg.solve(factor, (xy * scale)[..., None])[..., 0]
    ssr = yy[:, None] - np.cumsum(z**2, axis=1)  # (B, k + 1): lags 0..k
    llf = -common / 2 * np.log(2 * np.pi) - common / 2 * np.log(ssr / common) - common / 2
    aic = -2 * llf + 2 * (np.arange(k + 1) + 1)
    lags = np.argmin(aic, axis=1)  # first minimum: statsmodels' tie-break on the lag

    # re-estimate with the chosen lag on its own sample: pad to k lags with an identity block
    g, xy, yy = gram(lags, k)
    used = np.arange(k + 1)[None, :] <= lags[:, None]
    mask = used[:, :, None] & used[:, None, :]
    g = np.where(mask, g, np.eye(k + 1))
    scale = 1 / np.sqrt(np.einsum("bii->bi", g))
    g = g * scale[:, :, None] * scale[:, None, :]
    xy = np.where(used, xy * scale, 0.0)
    inverse = np.linalg.inv(g)  # the scaling cancels in the t-statistic and the sum of squares
    beta = np.einsum("bij,bj->bi", inverse, xy)
    residual_ss = yy - np.einsum("bi,bi->b", beta, xy)
    nobs = size - lags
    variance = residual_ss / (nobs - (lags + 1))
    stats = beta[:, 0] / np.sqrt(variance * inverse[:, 0, 0])
    return stats, lags


class _LaggedSums:
    """Sums of ``a_u b_{u-h}`` (``h = 0..lags``) over windows ``[low, high)`` that start at most
    ``reach`` after the beginning and end at most ``reach`` before the end of the series.

    Each is the full sum minus a short head and a short tail, so no full-length
    cumulative array is needed: ``2 (k + 1)`` dot products per series in all.
    """

    def __init__(self, a: np.ndarray, b: np.ndarray, lags: int, reach: int):
        batch, size = a.shape
        self.size = size
        self.rows = np.arange(batch)
        self.total = np.stack(
            [np.einsum("bt,bt->b", a[:, h:], b[:, : size - h]) for h in range(lags + 1)], axis=1
        )
        shift = np.arange(lags + 1)[:, None]
        u = np.arange(min(reach, size))[None, :]
        head = np.where(u >= shift, a[:, None, u[0]] * _shifted(b, shift, u), 0.0)
        back = size - 1 - u  # positions counted back from the end
        tail = np.where(back >= shift, a[:, None, back[0]] * _shifted(b, shift, back), 0.0)
        zeros = np.zeros((batch, lags + 1, 1))
        self.head = np.concatenate([zeros, np.cumsum(head, axis=2)], axis=2)
        self.tail = np.concatenate([zeros, np.cumsum(tail, axis=2)], axis=2)

    def between(self, h: int, low: np.ndarray | int, high: np.ndarray | int) -> np.ndarray:
        """``sum_{u in [low, high)} a_u b_{u-h}`` per series (``low``/``high`` scalars or per series)."""
        return self.total[:, h] - self.head[self.rows, h, low] - self.tail[self.rows, h, self.size - high]


def _shifted(b: np.ndarray, lags: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``b[:, positions - lags]`` with negative positions clipped (they are masked by the caller)."""
    return b[:, np.maximum(positions - lags, 0)]


def benjamini_hochberg(pvalues: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values ``min_{k >= i} m p_(k) / k`` (capped at 1)."""
    order = np.argsort(pvalues, kind="stable")
    m = len(pvalues)
    scaled = pvalues[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def _chunk_size(n_obs: int, maxlag: int) -> int:
    return max(1, CHUNK_BYTES // (8 * n_obs * (2 * maxlag + 8)))


def scan_pairs_stream(
    prices: pd.DataFrame,
    fdr: float = 0.05,
    max_half_life: float | None = None,
    max_hurst: float | None = None,
    min_correlation: float | None = None,
    hurst_method: str = "rs",
    maxlag: int | None = None,
) -> Iterator[PairScanProgress]:
    """Test every pair of columns; yield progress per chunk, then the :class:`PairScanResult`.

    ``prices`` must already be validated (see ``hftlab.types.ScanPairsRequest``).
    """
    values = prices.to_numpy(dtype=np.float64)
    n_obs, n_assets = values.shape
    names = np.array([str(c) for c in prices.columns], dtype=object)
    maxlag = default_maxlag(n_obs) if maxlag is None else maxlag
    first, second = np.triu_indices(n_assets, k=1)
    total = len(first)
    yield PairScanProgress(done=0, total=total)

    centred = values - values.mean(axis=0)
    cross = centred.T @ centred
    changes = np.corrcoef(np.diff(values, axis=0), rowvar=False).reshape(n_assets, n_assets)
    hurst = stationarity.hurst_rs if hurst_method == "rs" else stationarity.hurst_dfa
    out = {
        name: np.empty(total)
        for name in ("eg_stat", "pvalue", "hedge_ratio", "intercept", "half_life", "hurst")
    }
    out["lags"] = np.zeros(total, dtype=np.int64)
    step = _chunk_size(n_obs, maxlag)
    for low in range(0, total, step):
        cancel.check()
        pairs = slice(low, min(low + step, total))
        x, y = first[pairs], second[pairs]
        slope = cross[x, y] / cross[x, x]
        residuals = centred[:, y] - centred[:, x] * slope
        r_squared = 1 - np.einsum("tb,tb->b", residuals, residuals) / cross[y, y]
        out["hedge_ratio"][pairs] = slope
        out["intercept"][pairs] = values[:, y].mean(axis=0) - slope * values[:, x].mean(axis=0)
        stats = np.full(len(x), -np.inf)
        lags = np.zeros(len(x), dtype=np.int64)
        fine = r_squared < COLLINEAR_R2
        if fine.any():
            stats[fine], lags[fine] = adf_no_constant(residuals[:, fine], maxlag)
        out["eg_stat"][pairs], out["lags"][pairs] = stats, lags
        out["pvalue"][pairs] = [mackinnonp(stat, regression="c", N=2) for stat in stats]
        out["half_life"][pairs] = _ar1_half_lives(residuals)
        out["hurst"][pairs] = hurst(residuals)
        yield PairScanProgress(done=pairs.stop, total=total)

    pvalues = out["pvalue"]
    adjusted = benjamini_hochberg(pvalues)
    table = pd.DataFrame(
        {
            "asset_x": names[first],
            "asset_y": names[second],
            "eg_stat": out["eg_stat"],
            "pvalue": pvalues,
            "pvalue_adj": adjusted,
            "significant": adjusted <= fdr,
            "hedge_ratio": out["hedge_ratio"],
            "intercept": out["intercept"],
            "half_life": out["half_life"],
            "hurst": out["hurst"],
            "correlation": changes[first, second],
            "lags": out["lags"],
        },
        columns=COLUMNS,
    )
    keep = np.ones(total, dtype=bool)
    if max_half_life is not None:
        keep &= table["half_life"].to_numpy() <= max_half_life
    if max_hurst is not None:
        keep &= table["hurst"].to_numpy() <= max_hurst
    if min_correlation is not None:
        keep &= table["correlation"].to_numpy() >= min_correlation
    ranked = table[keep].sort_values(["pvalue", "eg_stat"], kind="stable").reset_index(drop=True)
    result = PairScanResult(
        table=ranked,
        n_assets=n_assets,
        n_pairs=total,
        n_significant=int((adjusted <= fdr).sum()),
        fdr=float(fdr),
    )
    yield PairScanProgress(done=total, total=total, result=result)


def scan_pairs(prices: pd.DataFrame, **options) -> PairScanResult:
    """Run :func:`scan_pairs_stream` to the end and return its result."""
    for progress in scan_pairs_stream(prices, **options):
        if progress.result is not None:
            return progress.result
    raise AssertionError("scan_pairs_stream ended without a result")


def _ar1_half_lives(spreads: np.ndarray) -> np.ndarray:
    """Half-life ``-ln 2 / ln(phi)`` of the AR(1) OLS fit of every column (inf if phi >= 1)."""
    lagged, current = spreads[:-1], spreads[1:]
    lagged_c = lagged - lagged.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.einsum("tb,tb->b", lagged_c, current - current.mean(axis=0)) / np.einsum(
            "tb,tb->b", lagged_c, lagged_c
        )
        half_life = -math.log(2) / np.log(phi)
    return np.where(phi >= 1, np.inf, np.where(phi <= 0, np.nan, half_life))

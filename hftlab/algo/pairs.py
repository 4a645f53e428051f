"""Pair discovery: Engle-Granger tests of every pair of a universe, batched in NumPy.

For each pair ``(asset_x, asset_y)`` (``asset_x`` the earlier column) the statistic and
p-value equal ``statsmodels.tsa.stattools.coint(prices[asset_y], prices[asset_x])``
(Engle & Granger 1987; MacKinnon 2010 p-values): OLS of ``y`` on ``[x, 1]``, then an ADF
regression without deterministic terms on the residuals with the lag chosen by AIC
on the common sample of the largest lag, re-estimated on its own sample.

The residuals of a chunk of pairs go through the batched ADF kernel
(:func:`hftlab.algo.unitroot.adf_batch`) at once, instead of one ``OLS`` fit per pair and lag.

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
from hftlab.algo.unitroot import adf_batch, default_maxlag
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
            stats[fine], lags[fine] = adf_batch(residuals[:, fine], maxlag, regression="n", autolag="AIC")
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

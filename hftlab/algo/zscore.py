"""Rolling z-score mean-reversion signals.

The classic band strategy (Gatev, Goetzmann & Rouwenhorst 2006, "Pairs trading:
performance of a relative-value arbitrage rule"; Chan 2013, "Algorithmic
Trading", ch. 2): standardise the price by its rolling mean and standard
deviation over ``lookback`` bars, go short when the z-score rises above
``entry_z``, long when it falls below ``-entry_z``, and flatten once it comes
back inside ``exit_z``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hftlab.algo import ou, stationarity
from hftlab.results import Result


@dataclass(frozen=True)
class MeanReversionResult(Result):
    """Rolling z-score, band signals and mean-reversion metrics of a price series.

    Attributes
    ----------
    zscore : pd.Series
        ``(price - rolling mean) / rolling std`` (sample std, ``ddof=1``); NaN for
        the first ``lookback - 1`` bars, 0 where the window is flat.
    signal : pd.Series
        Target position after each bar (int8): +1 long, -1 short, 0 flat.
    entries, exits : pd.Series
        Bool flags on the bars where a position opens / closes.
    last_zscore : float
        The latest z-score.
    current_signal : int
        The latest target position.
    metrics : dict
        The requested statistics (all by default, in this order):
        ``half_life`` (bars, AR(1) fit; inf if not mean-reverting),
        ``adf_stat`` and ``adf_pvalue`` (statsmodels ``adfuller`` numbers, constant, lag by AIC);
        ``ou_kappa``, ``ou_theta``, ``ou_sigma``, ``ou_half_life`` (OU fit by AR(1)
        OLS, ``dt`` = one bar; NaN when not mean-reverting); ``hurst_rs`` and
        ``hurst_dfa`` (of the increments: < 0.5 mean-reverting); ``variance_ratio``
        at horizon ``variance_ratio_q = min(lookback, n // 4)`` with its robust
        ``variance_ratio_z``; ``kpss_stat`` and ``kpss_pvalue`` (null: stationary).
    notes : list of str
        Caveats, e.g. when the KPSS p-value is only a bound of its table.
    """

    zscore: pd.Series
    signal: pd.Series
    entries: pd.Series
    exits: pd.Series
    last_zscore: float
    current_signal: int
    metrics: dict[str, float]
    notes: list[str] = field(default_factory=list)

    def plot(self, prices: pd.Series | None = None, entry_z: float | None = None):
        """Z-score with its bands and the entries/exits (and the prices above, if given)."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        rows = 2 if prices is not None else 1
        fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.05)
        if prices is not None:
            fig.add_trace(go.Scatter(x=prices.index, y=prices, name="price"), row=1, col=1)
        z = self.zscore
        fig.add_trace(go.Scatter(x=z.index, y=z, name="z-score"), row=rows, col=1)
        for mask, name, symbol in ((self.entries, "entry", "triangle-up"), (self.exits, "exit", "x")):
            fig.add_trace(
                go.Scatter(
                    x=z.index[mask], y=z[mask], mode="markers", name=name, marker={"symbol": symbol, "size": 9}
                ),
                row=rows,
                col=1,
            )
        if entry_z is not None:
            for level in (entry_z, -entry_z):
                fig.add_hline(y=level, line_dash="dash", line_color="grey", row=rows, col=1)
        fig.update_layout(height=250 * rows + 100, title="Rolling z-score mean reversion")
        return fig


def rolling_zscore(prices: pd.Series, lookback: int) -> pd.Series:
    """``(p - mean) / std`` over a trailing window of ``lookback`` bars (ddof=1)."""
    rolling = prices.rolling(lookback)
    mean = rolling.mean()
    std = rolling.std()
    z = (prices - mean) / std
    return z.where(std > 0, np.where(std.isna(), np.nan, 0.0)).rename("zscore")


def band_positions(zscore: np.ndarray, entry_z: float, exit_z: float) -> np.ndarray:
    """Hysteresis state machine: the target position after each z-score (int8), without a Python loop.

    Enter short above ``entry_z`` and long below ``-entry_z`` (from flat, or
    reversing straight through); exit to flat when ``|z| < exit_z``; NaN (warm-up)
    is flat. Each bar either sets the state (in that order of precedence: NaN 0,
    above ``entry_z`` -1, below ``-entry_z`` +1, inside ``exit_z`` 0) or keeps the
    previous one, so the state is the last setting carried forward.
    """
    zscore = np.asarray(zscore)
    setting = np.full(len(zscore), np.nan)
    with np.errstate(invalid="ignore"):
        setting[np.abs(zscore) < exit_z] = 0.0
        setting[zscore < -entry_z] = 1.0
        setting[zscore > entry_z] = -1.0
    setting[np.isnan(zscore)] = 0.0
    last_set = np.maximum.accumulate(np.where(np.isnan(setting), -1, np.arange(len(setting))))
    return np.where(last_set >= 0, setting[np.maximum(last_set, 0)], 0.0).astype(np.int8)


def ar1_half_life(prices: pd.Series) -> float:
    """Half-life ``-ln 2 / ln(phi)`` of the AR(1) fit ``p_t = c + phi p_{t-1}`` (OLS).

    ``inf`` when ``phi >= 1`` (no mean reversion), NaN when ``phi <= 0``.
    """
    y = prices.to_numpy()[1:]
    x = np.column_stack([np.ones(len(y)), prices.to_numpy()[:-1]])
    (_, phi), *_ = np.linalg.lstsq(x, y, rcond=None)
    if phi >= 1:
        return math.inf
    if phi <= 0:
        return math.nan
    return float(-math.log(2) / math.log(phi))


METRICS = (
    "half_life",
    "adf_stat",
    "adf_pvalue",
    "ou_kappa",
    "ou_theta",
    "ou_sigma",
    "ou_half_life",
    "hurst_rs",
    "hurst_dfa",
    "variance_ratio_q",
    "variance_ratio",
    "variance_ratio_z",
    "kpss_stat",
    "kpss_pvalue",
)
"""Names of the statistics in :attr:`MeanReversionResult.metrics`, in their order."""


def mean_reversion_metrics(
    prices: pd.Series, lookback: int, metrics: Sequence[str] = ()
) -> tuple[dict[str, float], list[str]]:
    """The ``metrics`` (names from :data:`METRICS`, empty: all) of :class:`MeanReversionResult`
    and the notes on them; only the tests that give a requested statistic run."""
    wanted = set(metrics or METRICS)
    values = prices.to_numpy()
    found: dict[str, float] = {}
    notes: list[str] = []
    if "half_life" in wanted:
        found["half_life"] = ar1_half_life(prices)
    if wanted & {"adf_stat", "adf_pvalue"}:
        unit_root = stationarity.adf(values)
        found.update(adf_stat=unit_root.stat, adf_pvalue=unit_root.pvalue)
    if wanted & {"ou_kappa", "ou_theta", "ou_sigma", "ou_half_life"}:
        fit = ou.fit_ou(prices, dt=1.0, method="ols")
        found.update(ou_kappa=fit.kappa, ou_theta=fit.theta, ou_sigma=fit.sigma, ou_half_life=fit.half_life)
    if "hurst_rs" in wanted:
        found["hurst_rs"] = stationarity.hurst_rs(values)
    if "hurst_dfa" in wanted:
        found["hurst_dfa"] = stationarity.hurst_dfa(values)
    if wanted & {"variance_ratio_q", "variance_ratio", "variance_ratio_z"}:
        q = min(lookback, len(values) // 4)
        ratio = stationarity.variance_ratio(values, q)
        found.update(variance_ratio_q=float(q), variance_ratio=ratio.ratio, variance_ratio_z=ratio.z_robust)
    if wanted & {"kpss_stat", "kpss_pvalue"}:
        stationary = stationarity.kpss(values)
        found.update(kpss_stat=stationary.stat, kpss_pvalue=stationary.pvalue)
        notes += [note for note in (stationary.note(),) if note]
    return {name: found[name] for name in METRICS if name in wanted}, notes


def mean_reversion(
    prices: pd.Series,
    lookback: int = 20,
    entry_z: float = 2.0,
    exit_z: float = 0.5,
    metrics: Sequence[str] = (),
) -> MeanReversionResult:
    """Rolling z-score band signals and mean-reversion metrics (see module docstring).

    ``prices`` must already be validated (see ``hftlab.types.MeanReversionRequest``).
    """
    zscore = rolling_zscore(prices, lookback)
    positions = band_positions(zscore.to_numpy(), entry_z, exit_z)
    previous = np.concatenate([[0], positions[:-1]])
    signal = pd.Series(positions, index=prices.index, name="signal")
    entries = pd.Series((positions != 0) & (positions != previous), index=prices.index, name="entries")
    exits = pd.Series((previous != 0) & (positions != previous), index=prices.index, name="exits")
    metrics, notes = mean_reversion_metrics(prices, lookback, metrics)
    return MeanReversionResult(
        zscore=zscore,
        signal=signal,
        entries=entries,
        exits=exits,
        last_zscore=float(zscore.iloc[-1]),
        current_signal=int(positions[-1]),
        metrics=metrics,
        notes=notes,
    )

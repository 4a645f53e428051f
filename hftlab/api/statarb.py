"""Statistical-arbitrage operations: mean reversion, pairs, backtests."""

from __future__ import annotations

from hftlab.algo.zscore import MeanReversionResult
from hftlab.api.base import ArrayLike
from hftlab.backends import backend
from hftlab.types import MeanReversionRequest

__all__ = ["mean_reversion"]


def mean_reversion(
    prices: ArrayLike, lookback: int = 20, entry_z: float = 2.0, exit_z: float = 0.5
) -> MeanReversionResult:
    """Rolling z-score band signals and mean-reversion metrics of a price series.

    Parameters
    ----------
    prices : sequence of float, ndarray or Series
        Prices (or a spread), oldest first; at least ``max(lookback, 20)``
        finite values, not constant. A Series keeps its index.
    lookback : int
        Window of the rolling mean and standard deviation (>= 2).
    entry_z, exit_z : float
        Open a position when ``|z| > entry_z`` (short above, long below);
        close it when ``|z| < exit_z`` (``0 <= exit_z < entry_z``).

    Returns
    -------
    MeanReversionResult
        ``zscore``, ``signal``, ``entries``, ``exits``, ``last_zscore``,
        ``current_signal`` and ``metrics`` (AR(1) half-life, ADF statistic and
        p-value from statsmodels).

    References
    ----------
    Gatev, Goetzmann & Rouwenhorst (2006), "Pairs trading: performance of a
    relative-value arbitrage rule", Review of Financial Studies 19(3).
    """
    return backend().execute(MeanReversionRequest(prices, lookback, entry_z, exit_z))

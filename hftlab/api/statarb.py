"""Statistical-arbitrage operations: mean reversion, pairs, backtests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from hftlab.algo.coint import CointegrationResult, KalmanHedgeResult
from hftlab.algo.ou import OUFit
from hftlab.algo.pairs import PairScanResult
from hftlab.algo.zscore import MeanReversionResult
from hftlab.api.base import ArrayLike, FrameLike, operation
from hftlab.backends import backend
from hftlab.errors import HftlabError
from hftlab.types import MeanReversionRequest
from hftlab.types.statarb import CointegrationRequest, FitOURequest, KalmanHedgeRequest, ScanPairsRequest

__all__ = ["cointegration", "fit_ou", "kalman_hedge_ratio", "mean_reversion", "scan_pairs"]

PriceTable = FrameLike | Mapping[str, pd.Series] | Sequence[pd.Series]
"""Price columns: a DataFrame, a 2-D array, or a dict/list of Series sharing one index."""


@operation(MeanReversionRequest)
def mean_reversion(
    prices: ArrayLike,
    lookback: int = 20,
    entry_z: float = 2.0,
    exit_z: float = 0.5,
    metrics: str | Sequence[str] = (),
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
    metrics : str or sequence of str
        The statistics to compute, by name (``hftlab.algo.zscore.METRICS``:
        ``half_life``, ``adf_stat``, ``adf_pvalue``, ``ou_kappa``, ``ou_theta``,
        ``ou_sigma``, ``ou_half_life``, ``hurst_rs``, ``hurst_dfa``,
        ``variance_ratio_q``, ``variance_ratio``, ``variance_ratio_z``, ``kpss_stat``,
        ``kpss_pvalue``); only the tests they come from run. Empty (default): all.

    Returns
    -------
    MeanReversionResult
        ``zscore``, ``signal``, ``entries``, ``exits``, ``last_zscore``,
        ``current_signal``, ``metrics`` (the requested ones of: AR(1) half-life,
        ADF statistic and p-value, OU kappa/theta/sigma/half-life, Hurst exponents
        by R/S and DFA, Lo-MacKinlay variance ratio and its robust z, KPSS
        statistic and p-value) and ``notes`` (e.g. when the KPSS p-value is only a bound).

    References
    ----------
    Gatev, Goetzmann & Rouwenhorst (2006), "Pairs trading: performance of a
    relative-value arbitrage rule", Review of Financial Studies 19(3).
    Lo & MacKinlay (1988), "Stock market prices do not follow random walks",
    Review of Financial Studies 1(1).
    Kwiatkowski, Phillips, Schmidt & Shin (1992), "Testing the null hypothesis of
    stationarity against the alternative of a unit root", J. Econometrics 54.
    """
    return backend().execute(MeanReversionRequest(prices, lookback, entry_z, exit_z, metrics))


@operation(FitOURequest)
def fit_ou(prices: ArrayLike, dt: float = 1.0, method: str = "mle", cost: float | None = None) -> OUFit:
    """Fit an Ornstein-Uhlenbeck process ``dX = kappa (theta - X) dt + sigma dW``.

    Parameters
    ----------
    prices : sequence of float, ndarray or Series
        The series (a price or a spread), oldest first: at least 20 finite values,
        not constant.
    dt : float
        Time between observations (> 0), e.g. ``1/252`` for daily data in years;
        ``kappa`` and ``half_life`` are per unit of that time.
    method : {"mle", "ols"}
        Exact Gaussian maximum likelihood (first value from the stationary law) or
        least squares of the AR(1) ``X_{t+1} = a + b X_t``.
    cost : float, optional
        Transaction cost per trade cycle in price units (> 0): adds Bertram's
        optimal entry/exit band as ``levels``.

    Returns
    -------
    OUFit
        ``kappa``, ``theta``, ``sigma``, ``half_life`` with standard errors
        (``*_se``), ``phi``, ``stationary_std``, ``log_likelihood``,
        ``mean_reverting`` and ``levels`` (:class:`~hftlab.algo.ou.BertramLevels`).

    References
    ----------
    Hamilton (1994), "Time Series Analysis", sec. 5.2 (exact AR(1) likelihood).
    Bertram (2010), "Analytic solutions for optimal statistical arbitrage
    trading", Physica A 389(11), 2234-2243.
    """
    return backend().execute(FitOURequest(prices, dt, method, cost))


@operation(CointegrationRequest)
def cointegration(
    prices: PriceTable,
    method: str = "engle_granger",
    maxlag: int | None = None,
    det_order: int = 0,
    k_ar_diff: int = 1,
    significance: float = 0.05,
) -> CointegrationResult:
    """Test price series for cointegration (Engle-Granger or Johansen).

    Parameters
    ----------
    prices : DataFrame, 2-D array, or dict/list of Series
        One column per series (at least 30 rows, finite, none constant). Series
        must share one index (different indexes are rejected, naming them).
        Engle-Granger takes exactly two: the second is regressed on the first.
        Johansen takes 2 to 12.
    method : {"engle_granger", "johansen"}
    maxlag : int, optional
        Engle-Granger: most ADF lags tried (default ``ceil(12 (n/100)^(1/4))``).
    det_order : {-1, 0, 1}
        Johansen: no deterministic term, a constant, or a linear trend.
    k_ar_diff : int
        Johansen: lagged differences in the VECM.
    significance : {0.1, 0.05, 0.01}
        Johansen: level at which the rank is chosen.

    Returns
    -------
    CointegrationResult
        ``method`` and ``engle_granger`` (statistic, MacKinnon p-value and
        critical values, lags, hedge ratio, spread, half-life) or ``johansen``
        (trace and max-eigenvalue tables with critical values, eigenvalues,
        cointegrating vectors, chosen ranks, spread).

    References
    ----------
    Engle & Granger (1987), "Co-integration and error correction", Econometrica 55(2).
    MacKinnon (2010), "Critical values for cointegration tests", Queen's Economics
    Department Working Paper 1227.
    Johansen (1991), "Estimation and hypothesis testing of cointegration vectors in
    Gaussian vector autoregressive models", Econometrica 59(6).
    """
    return backend().execute(CointegrationRequest(prices, method, maxlag, det_order, k_ar_diff, significance))


@operation(KalmanHedgeRequest)
def kalman_hedge_ratio(
    prices: PriceTable, delta: float = 1e-4, observation_var: float = 1e-3
) -> KalmanHedgeResult:
    """Dynamic intercept and hedge ratio of a pair by a Kalman filter.

    Parameters
    ----------
    prices : DataFrame, 2-D array, or pair of Series
        Two columns ``x`` then ``y`` (finite, not constant, same index): the model is
        ``y_t = intercept_t + beta_t x_t + v_t``.
    delta : float
        State noise: ``[intercept, beta]`` follows a random walk with covariance
        ``delta / (1 - delta) I`` per step (``0 < delta < 1``; larger adapts faster).
    observation_var : float
        Variance of ``v_t`` (> 0).

    Returns
    -------
    KalmanHedgeResult
        ``beta``, ``intercept`` (filtered), ``spread`` (one-step forecast error,
        no look-ahead), ``spread_std``, ``zscore``, ``hedge_ratio`` (last beta).

    References
    ----------
    Chan (2013), "Algorithmic Trading: Winning Strategies and Their Rationale",
    Wiley, ch. 3 (Kalman filter as dynamic linear regression).
    Harvey (1989), "Forecasting, structural time series models and the Kalman filter".
    """
    return backend().execute(KalmanHedgeRequest(prices, delta, observation_var))


@operation(ScanPairsRequest, client_only=("progress",))
def scan_pairs(
    prices: PriceTable,
    fdr: float = 0.05,
    max_half_life: float | None = None,
    max_hurst: float | None = None,
    min_correlation: float | None = None,
    hurst_method: str = "rs",
    maxlag: int | None = None,
    progress: bool = True,
) -> PairScanResult:
    """Engle-Granger test of every pair of a universe, ranked, with false-discovery control.

    Parameters
    ----------
    prices : DataFrame, 2-D array, or dict/list of Series
        One column per asset (at least 2 columns and 30 rows; finite, none constant).
    fdr : float
        Benjamini-Hochberg false-discovery rate for the ``significant`` column (0 < fdr < 1).
    max_half_life, max_hurst, min_correlation : float, optional
        Keep only pairs whose spread half-life (bars) is at most ``max_half_life``,
        whose spread Hurst exponent is at most ``max_hurst``, and whose price
        changes correlate at least ``min_correlation``.
    hurst_method : {"rs", "dfa"}
        Hurst estimator of the spread: corrected rescaled range or DFA.
    maxlag : int, optional
        Most ADF lags tried (default ``ceil(12 (n/100)^(1/4))``, as statsmodels).
    progress : bool
        Show a progress bar (the server streams progress as it goes).

    Returns
    -------
    PairScanResult
        ``table``: one row per kept pair, most significant first, with ``asset_x``,
        ``asset_y``, ``eg_stat``, ``pvalue`` (equal to
        ``statsmodels.tsa.stattools.coint(prices[asset_y], prices[asset_x])``),
        ``pvalue_adj``, ``significant``, ``hedge_ratio``, ``intercept``,
        ``half_life``, ``hurst``, ``correlation``, ``lags``; ``plot(prices)``
        charts the top pair.

    References
    ----------
    Engle & Granger (1987), "Co-integration and error correction", Econometrica 55(2).
    Benjamini & Hochberg (1995), "Controlling the false discovery rate", JRSS B 57(1).
    Krauss (2017), "Statistical arbitrage pairs trading strategies: review and
    outlook", Journal of Economic Surveys 31(2).
    """
    from tqdm.auto import tqdm

    request = ScanPairsRequest(prices, fdr, max_half_life, max_hurst, min_correlation, hurst_method, maxlag)
    n = request.prices.shape[1]
    with tqdm(total=n * (n - 1) // 2, unit="pair", desc="scan pairs", disable=not progress) as bar:
        for message in backend().stream(request):
            bar.update(message.done - bar.n)
            if message.result is not None:
                return message.result
    raise HftlabError("the ScanPairs stream ended without a result.")

"""The batched ADF kernel against statsmodels' adfuller: statistics, p-values, critical values and
chosen lags, on simulated series (unit roots, drifts, trends, stationary ARMA) and real prices."""

import numpy as np
import pytest
from statsmodels.tsa.stattools import adfuller

from hftlab.algo.stationarity import adf
from hftlab.algo.unitroot import adf_batch, default_maxlag
from hftlab.data import sp500_index, sp500_prices

TOLERANCE = {"rel": 1e-8, "abs": 1e-8}


def simulated(kind: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(n)
    t = np.arange(n)
    if kind == "walk":  # unit root
        return 100 + np.cumsum(e)
    if kind == "drift":  # unit root with drift: a trending level
        return 50 + np.cumsum(0.3 + e)
    if kind == "trend_stationary":  # AR(1) around a quadratic trend
        ar = np.zeros(n)
        for i in range(1, n):
            ar[i] = 0.7 * ar[i - 1] + e[i]
        return 10 + 0.05 * t + 2e-5 * t**2 + ar
    # stationary ARMA(1, 1): the MA part makes the lag search matter
    arma = np.zeros(n)
    for i in range(1, n):
        arma[i] = 0.9 * arma[i - 1] + e[i] + 0.6 * e[i - 1]
    return arma


def assert_equals_adfuller(series: np.ndarray, regression: str, autolag: str, maxlag: int | None) -> None:
    expected = adfuller(series, maxlag=maxlag, regression=regression, autolag=autolag, result_object=True)
    result = adf(series, regression=regression, autolag=autolag, maxlag=maxlag)
    assert result.lags == expected.lags
    assert result.stat == pytest.approx(expected.statistic, **TOLERANCE)
    assert result.pvalue == pytest.approx(expected.pvalue, **TOLERANCE)
    assert result.critical_values == pytest.approx(expected.critical_values, rel=1e-12)


CASES = [
    ("walk", 40, 1, None),
    ("walk", 1500, 2, 6),
    ("drift", 300, 3, None),
    ("drift", 2500, 4, None),
    ("trend_stationary", 800, 5, None),
    ("trend_stationary", 120, 6, 0),
    ("arma", 600, 7, None),
    ("arma", 5000, 8, 12),
]


@pytest.mark.parametrize("autolag", ["AIC", "BIC", "t-stat"])
@pytest.mark.parametrize("regression", ["n", "c", "ct", "ctt"])
def test_adf_equals_adfuller_on_simulated_series(regression, autolag):
    for kind, n, seed, maxlag in CASES:
        assert_equals_adfuller(simulated(kind, n, seed), regression, autolag, maxlag)


def test_the_lag_searches_choose_different_lags():
    """The cases above exercise the search: the three criteria do not all pick the same lag."""
    series = simulated("arma", 600, 7)
    lags = {autolag: adf(series, autolag=autolag).lags for autolag in ("AIC", "BIC", "t-stat")}
    assert len(set(lags.values())) > 1 and all(lag > 0 for lag in lags.values())


def test_a_batch_equals_each_column_alone():
    columns = [simulated(kind, 700, seed) for seed, (kind, *_) in enumerate(CASES)]
    levels = np.column_stack(columns)
    for regression in ("n", "c"):
        maxlag = default_maxlag(700, regression)
        stats, lags = adf_batch(levels, maxlag, regression, "AIC")
        for column, series in enumerate(columns):
            expected = adfuller(series, regression=regression, autolag="AIC", result_object=True)
            assert lags[column] == expected.lags
            assert stats[column] == pytest.approx(expected.statistic, **TOLERANCE)


@pytest.fixture(scope="module")
def stocks():
    return sp500_prices("2011-01-01")


def test_adf_equals_adfuller_on_sp500_stocks(stocks):
    """Every stock of skfolio's S&P 500 sample (2011-2022, ~3,000 days), as ``mean_reversion`` runs it."""
    for column in stocks:
        assert_equals_adfuller(stocks[column].to_numpy(), "c", "AIC", None)


@pytest.mark.parametrize(("regression", "autolag"), [("ct", "BIC"), ("c", "t-stat"), ("n", "AIC")])
def test_adf_equals_adfuller_on_real_log_prices(stocks, regression, autolag):
    for column in ("AAPL", "JPM", "XOM"):
        assert_equals_adfuller(np.log(stocks[column].to_numpy()), regression, autolag, None)
    assert_equals_adfuller(np.log(sp500_index("2015-01-01").to_numpy()), regression, autolag, None)


def test_quadratic_trend_on_a_long_series_is_the_least_squares_solution():
    """With ``regression="ctt"`` on 8,000 days statsmodels' own regressors ``t^2`` (up to 6e7) cost it
    about 1e-7 of the statistic: ours equals a QR solve of the same regression with an orthonormal
    trend basis to 1e-10, and statsmodels to 1e-6."""
    for column in ("JPM", "XOM"):
        series = np.log(sp500_prices()[column].to_numpy())
        result = adf(series, regression="ctt")
        expected = adfuller(series, regression="ctt", autolag="AIC", result_object=True)
        assert result.lags == expected.lags
        assert result.stat == pytest.approx(expected.statistic, rel=1e-6)
        assert result.stat == pytest.approx(qr_statistic(series, result.lags), rel=1e-10)


def qr_statistic(series: np.ndarray, lags: int) -> float:
    """t-statistic of the level in the ``ctt`` ADF regression with ``lags`` lags, by Householder QR."""
    d = np.diff(series)
    rows = len(d) - lags
    trend = np.linspace(-1, 1, rows)
    design = np.column_stack(
        [series[lags:-1]]
        + [d[lags - lag : len(d) - lag] for lag in range(1, lags + 1)]
        + [np.ones(rows), trend, trend**2]
    )
    design /= np.linalg.norm(design, axis=0)
    q, r = np.linalg.qr(design)
    beta = np.linalg.solve(r, q.T @ d[lags:])
    residual = d[lags:] - design @ beta
    inverse = np.linalg.inv(r)
    variance = residual @ residual / (rows - design.shape[1]) * (inverse @ inverse.T)[0, 0]
    return float(beta[0] / np.sqrt(variance))


def test_kernel_rejects_what_adfuller_rejects():
    series = simulated("walk", 100, 0)
    with pytest.raises(ValueError, match="maxlag"):
        adfuller(series, maxlag=49, regression="c")
    with pytest.raises(ValueError, match="maxlag"):
        adf(series, regression="c", maxlag=49)
    with pytest.raises(ValueError, match="autolag"):
        adf_batch(series[:, None], 4, "c", "HQIC")


def test_a_perfect_fit_gives_an_infinite_statistic_where_adfuller_gives_roundoff():
    """A periodic series: ``d_t`` is a combination of its own lags, so the residuals vanish.
    statsmodels returns a statistic of about -5e14 (rounding noise over a zero variance) and p = 0;
    dependent lags add no direction here, and the statistic is -inf with the same p-value."""
    series = np.array([1.0, 2.0, 3.0] * 20)
    with pytest.warns(Warning):
        expected = adfuller(series, regression="c", autolag="AIC", result_object=True)
    result = adf(series, regression="c")
    assert expected.statistic < -1e12 and expected.pvalue == 0.0
    assert result.stat == -np.inf and result.pvalue == 0.0

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.tsa.stattools import adfuller

from hftlab.algo.zscore import METRICS, ar1_half_life, band_positions, mean_reversion, rolling_zscore


def ou_prices(n=600, half_life=10.0, seed=3):
    rng = np.random.default_rng(seed)
    phi = 0.5 ** (1 / half_life)
    x = np.empty(n)
    x[0] = 100.0
    for t in range(1, n):
        x[t] = 100.0 + phi * (x[t - 1] - 100.0) + rng.standard_normal()
    return pd.Series(x, index=pd.bdate_range("2020-01-01", periods=n))


def test_rolling_zscore_matches_hand_computation():
    prices = pd.Series([1.0, 2.0, 4.0, 7.0, 11.0, 16.0])
    z = rolling_zscore(prices, 3)
    window = np.array([4.0, 7.0, 11.0])
    expected = (11.0 - window.mean()) / window.std(ddof=1)
    assert z.iloc[:2].isna().all()
    assert z.iloc[4] == pytest.approx(expected, rel=1e-12)


def test_flat_window_gives_zero_not_inf():
    z = rolling_zscore(pd.Series([1.0, 1.0, 1.0, 2.0]), 3)
    assert z.iloc[2] == 0.0
    assert np.isfinite(z.iloc[3])


def test_band_positions_hysteresis():
    z = np.array([np.nan, 0.0, 2.5, 1.0, 0.3, -2.1, -1.0, 2.2, 0.1])
    positions = band_positions(z, entry_z=2.0, exit_z=0.5)
    assert positions.tolist() == [0, 0, -1, -1, 0, 1, 1, -1, 0]


def test_half_life_matches_statsmodels_ar1():
    prices = ou_prices()
    fit = sm.OLS(prices.to_numpy()[1:], sm.add_constant(prices.to_numpy()[:-1])).fit()
    expected = -math.log(2) / math.log(fit.params[1])
    assert ar1_half_life(prices) == pytest.approx(expected, rel=1e-10)
    assert 7 < ar1_half_life(prices) < 14  # planted half-life 10


def test_half_life_of_random_walk_is_long():
    walk = pd.Series(np.cumsum(np.random.default_rng(0).standard_normal(2000)))
    assert ar1_half_life(walk) > 100


def test_mean_reversion_metrics_and_signals():
    prices = ou_prices()
    result = mean_reversion(prices, lookback=20, entry_z=2.0, exit_z=0.5)
    stat, pvalue, *_ = adfuller(prices.to_numpy(), autolag="AIC")
    assert result.metrics["adf_stat"] == pytest.approx(stat, rel=1e-8)
    assert result.metrics["adf_pvalue"] == pytest.approx(pvalue, rel=1e-8)
    assert result.metrics["adf_pvalue"] < 0.01
    assert result.zscore.index.equals(prices.index)
    assert result.last_zscore == result.zscore.iloc[-1]
    assert result.current_signal == result.signal.iloc[-1]
    assert int(result.entries.sum()) > 5
    # every entry happens beyond the band, on the side opposite to the position
    z_at_entries = result.zscore[result.entries]
    side = result.signal[result.entries]
    assert ((z_at_entries.abs() > 2.0) & (np.sign(z_at_entries) == -side)).all()


def test_mean_reversion_metrics_include_the_diagnostics():
    from hftlab.algo import ou, stationarity

    prices = ou_prices()
    values = prices.to_numpy()
    result = mean_reversion(prices, lookback=20)
    metrics = result.metrics
    fit = ou.fit_ou(prices, method="ols")
    assert metrics["ou_kappa"] == fit.kappa and metrics["ou_half_life"] == pytest.approx(metrics["half_life"])
    assert 7 < metrics["ou_half_life"] < 14  # planted 10
    assert metrics["hurst_rs"] == stationarity.hurst_rs(values) < 0.45
    assert metrics["hurst_dfa"] == stationarity.hurst_dfa(values) < 0.45
    assert metrics["variance_ratio_q"] == 20
    assert metrics["variance_ratio"] == stationarity.variance_ratio(values, 20).ratio < 1
    kpss = stationarity.kpss(values)
    assert (metrics["kpss_stat"], metrics["kpss_pvalue"]) == (kpss.stat, kpss.pvalue)
    assert result.notes == ([kpss.note()] if kpss.note() else [])


def test_each_metric_alone_equals_the_full_set():
    prices = ou_prices()
    full = mean_reversion(prices, lookback=20)
    assert tuple(full.metrics) == METRICS
    for name in METRICS:
        alone = mean_reversion(prices, lookback=20, metrics=[name])
        assert alone.metrics == {name: full.metrics[name]}
        assert alone.zscore.equals(full.zscore) and alone.signal.equals(full.signal)
    picked = mean_reversion(prices, lookback=20, metrics=["kpss_pvalue", "half_life", "hurst_rs"])
    assert list(picked.metrics) == ["half_life", "hurst_rs", "kpss_pvalue"]  # in METRICS' order
    assert picked.notes == full.notes


def test_only_the_tests_of_the_requested_metrics_run(monkeypatch):
    from hftlab.algo import ou, stationarity

    def not_asked(*args, **kwargs):
        raise AssertionError("computed a statistic that was not requested")

    for module, name in [
        (stationarity, "adf"),
        (stationarity, "kpss"),
        (stationarity, "hurst_dfa"),
        (ou, "fit_ou"),
    ]:
        monkeypatch.setattr(module, name, not_asked)
    result = mean_reversion(ou_prices(), lookback=20, metrics=["half_life", "hurst_rs"])
    assert set(result.metrics) == {"half_life", "hurst_rs"} and result.notes == []

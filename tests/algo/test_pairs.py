"""The batched pair scan against a loop of statsmodels' coint, on a universe with a planted pair."""

import math
import warnings
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.tsa.stattools import adfuller, coint

from hftlab.algo import pairs, stationarity
from hftlab.algo.pairs import benjamini_hochberg, scan_pairs, scan_pairs_stream
from hftlab.algo.zscore import ar1_half_life
from hftlab.data import cointegrated_pair


@pytest.fixture(scope="module")
def universe():
    """Five independent random walks and a planted cointegrated pair (x, y = 1.5 x + OU)."""
    n = 750
    walks = 100 + np.cumsum(np.random.default_rng(17).standard_normal((n, 5)), axis=0)
    frame = pd.DataFrame(
        walks, columns=["AAA", "BBB", "CCC", "DDD", "EEE"], index=pd.bdate_range("2015-01-01", periods=n)
    )
    pair = cointegrated_pair(n, beta=1.5, half_life=5.0, seed=4)
    frame.insert(1, "PX", pair["x"].to_numpy())
    frame["PY"] = pair["y"].to_numpy()
    return frame


@pytest.fixture(scope="module")
def scan(universe):
    return scan_pairs(universe)


def test_every_pair_equals_statsmodels_coint(universe, scan):
    assert scan.n_pairs == len(scan.table) == 21
    for row in scan.table.itertuples():
        stat, pvalue, _ = coint(universe[row.asset_y], universe[row.asset_x])
        assert row.eg_stat == pytest.approx(stat, rel=1e-8, abs=1e-8)
        assert row.pvalue == pytest.approx(pvalue, rel=1e-8, abs=1e-12)


def test_lags_hedge_ratio_and_spread_statistics(universe, scan):
    for row in scan.table.itertuples():
        x, y = universe[row.asset_x], universe[row.asset_y]
        slope, intercept = np.polyfit(x, y, 1)
        spread = y - intercept - slope * x
        assert row.hedge_ratio == pytest.approx(slope, rel=1e-9)
        assert row.intercept == pytest.approx(intercept, rel=1e-9, abs=1e-9)
        assert row.lags == adfuller(spread.to_numpy(), regression="n", autolag="AIC", result_object=True).lags
        assert row.half_life == pytest.approx(ar1_half_life(spread), rel=1e-8)
        assert row.hurst == pytest.approx(stationarity.hurst_rs(spread.to_numpy()), rel=1e-8)
        assert row.correlation == pytest.approx(np.corrcoef(np.diff(x), np.diff(y))[0, 1], rel=1e-12)


def test_planted_pair_is_found_and_random_walk_pairs_are_not(scan):
    top = scan.table.iloc[0]
    assert (top.asset_x, top.asset_y) == ("PX", "PY")
    assert top.significant and top.pvalue_adj < 0.01
    assert top.hedge_ratio == pytest.approx(1.5, abs=0.05)
    assert 2.5 < top.half_life < 10  # planted 5
    assert top.hurst < 0.4
    assert scan.n_significant == 1
    assert not scan.table.iloc[1:]["significant"].any()


def test_benjamini_hochberg_equals_statsmodels(scan):
    expected = multipletests(scan.table["pvalue"], method="fdr_bh")[1]
    np.testing.assert_allclose(scan.table["pvalue_adj"], expected, rtol=1e-14)
    pvalues = np.random.default_rng(0).uniform(size=200) ** 3
    expected = multipletests(pvalues, method="fdr_bh")[1]
    np.testing.assert_allclose(benjamini_hochberg(pvalues), expected, rtol=1e-14)


def test_filters_keep_only_matching_pairs(universe, scan):
    filtered = scan_pairs(universe, max_half_life=100.0, max_hurst=0.45, min_correlation=-0.05)
    table = scan.table
    keep = (table.half_life <= 100) & (table.hurst <= 0.45) & (table.correlation >= -0.05)
    assert 0 < len(filtered.table) < len(table)
    pd.testing.assert_frame_equal(filtered.table, table[keep].reset_index(drop=True))
    assert filtered.n_pairs == 21 and filtered.n_significant == scan.n_significant


def test_explicit_maxlag_equals_statsmodels(universe):
    result = scan_pairs(universe.iloc[:, :4], maxlag=3)
    for row in result.table.itertuples():
        stat, _, _ = coint(universe[row.asset_y], universe[row.asset_x], maxlag=3)
        assert row.eg_stat == pytest.approx(stat, rel=1e-8)
        assert row.lags <= 3


def test_short_series_and_high_lags_match_statsmodels():
    """30 rows: statsmodels' default allows 9 lags on 20 observations."""
    frame = pd.DataFrame(
        np.cumsum(np.random.default_rng(2).standard_normal((30, 4)), axis=0), columns=list("abcd")
    )
    for row in scan_pairs(frame).table.itertuples():
        stat, _, _ = coint(frame[row.asset_y], frame[row.asset_x])
        assert row.eg_stat == pytest.approx(stat, rel=1e-7)


def test_collinear_pair_gives_minus_infinity_like_statsmodels(universe):
    frame = universe[["AAA", "BBB"]].assign(TWICE=2 * universe["AAA"] + 3)
    row = scan_pairs(frame).table.set_index(["asset_x", "asset_y"]).loc[("AAA", "TWICE")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = coint(frame["TWICE"], frame["AAA"])
    assert row.eg_stat == expected[0] == -math.inf
    assert row.pvalue == expected[1] == 0.0


def test_chunking_does_not_change_the_result(universe, scan, monkeypatch):
    monkeypatch.setattr(pairs, "CHUNK_BYTES", 1)  # one pair per chunk
    messages = list(scan_pairs_stream(universe))
    assert [m.done for m in messages[:-1]] == list(range(22))
    assert all(m.total == 21 for m in messages) and messages[-1].result is not None
    pd.testing.assert_frame_equal(messages[-1].result.table, scan.table, check_exact=True)


def test_top_pair_plot_and_spread(universe, scan):
    spread = scan.spread(universe)
    top = scan.table.iloc[0]
    np.testing.assert_allclose(spread, universe.PY - top.intercept - top.hedge_ratio * universe.PX)
    figure = scan.plot(universe)
    assert len(figure.data) == 4


def test_all_pairs_are_tested_once(universe, scan):
    tested = set(zip(scan.table.asset_x, scan.table.asset_y, strict=True))
    columns = list(universe.columns)
    assert tested == {(a, b) for a, b in combinations(columns, 2)}

"""Time order and labels (issue 20, item 6), on both backends: series and tables in time
order, covariances and expected returns matched by label, errors naming columns and rows."""

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab.data import sp500_prices
from hftlab.errors import InvalidInput


@pytest.fixture(scope="module")
def prices():
    return sp500_prices("2019-01-01", "2020-12-31")[["AAPL", "JNJ", "KO", "PG", "XOM"]]


def test_a_covariance_is_aligned_by_its_labels(backend, prices):
    covariance = prices.pct_change().dropna().cov()
    expected = hftlab.optimize_portfolio(prices, "max_sharpe", covariance=covariance)
    rows, columns = ["XOM", "KO", "AAPL", "PG", "JNJ"], ["PG", "AAPL", "XOM", "JNJ", "KO"]
    shuffled = covariance.loc[rows, columns]  # rows in another order than the columns
    assert not np.allclose(shuffled.to_numpy(), shuffled.to_numpy().T)
    got = hftlab.optimize_portfolio(prices, "max_sharpe", covariance=shuffled)
    assert hftlab.differences(got, expected) == []
    assert got.weights.index.tolist() == list(prices.columns)
    # expected returns by label, in any order, give the same weights as in column order
    mean = pd.Series([0.05, 0.30, 0.05, 0.05, 0.05], index=prices.columns)  # JNJ planted as the best
    in_order = hftlab.optimize_portfolio(prices, "max_sharpe", covariance=covariance, expected_returns=mean)
    reversed_ = hftlab.optimize_portfolio(
        prices, "max_sharpe", covariance=shuffled, expected_returns=mean[::-1]
    )
    assert hftlab.differences(reversed_, in_order) == []
    assert in_order.weights.idxmax() == "JNJ" and expected.weights.idxmax() == "AAPL"  # the returns were used


def test_mismatched_covariance_labels_name_the_field(backend, prices):
    covariance = prices.pct_change().dropna().cov()
    with pytest.raises(InvalidInput, match=r"'covariance_matrix' rows .* unknown: 'MSFT'; missing: 'KO'"):
        hftlab.optimize_portfolio(prices, covariance=covariance.rename(index={"KO": "MSFT"}))
    with pytest.raises(InvalidInput, match=r"'expected_returns' names unknown assets: 'MSFT'"):
        mean = prices.pct_change().dropna().mean().rename({"KO": "MSFT"})
        hftlab.optimize_portfolio(prices, "max_sharpe", covariance=covariance, expected_returns=mean)


def test_tables_name_the_column_and_the_row(backend, prices):
    table = prices.assign(name="x", flag=True)
    with pytest.raises(InvalidInput, match=r"column\(s\) 'name', 'flag' are not numeric"):
        hftlab.optimize_portfolio(table)
    holes = prices.copy()
    holes.loc["2020-03-16", "KO"] = np.nan
    with pytest.raises(InvalidInput, match=r"the first at row 2020-03-16 00:00:00, column 'KO': nan"):
        hftlab.optimize_portfolio(holes)
    with pytest.raises(
        InvalidInput, match=r"'prices' must contain only .* the first at row 2020-03-16 00:00:00: inf"
    ):
        series = prices["KO"].copy()
        series.loc["2020-03-16"] = np.inf
        hftlab.mean_reversion(series, lookback=5)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (1e300, "must contain only finite numbers of magnitude at most 1e\\+60"),
        (1e-300, "'prices' must hold a value of magnitude at least 1e-60 \\(or only zeros\\)"),
    ],
)
def test_values_near_the_float_limits_are_refused(backend, prices, values, message):
    with pytest.raises(InvalidInput, match=message):
        hftlab.fit_ou(prices["KO"] / prices["KO"].max() * values)


def test_dates_must_increase_strictly(backend, prices):
    series = prices["KO"].iloc[:60]
    repeated = series.set_axis(series.index[:30].append(series.index[29:59]))
    with pytest.raises(InvalidInput, match=r"'prices' must be in time order, oldest first, each time once: "):
        hftlab.fit_ou(repeated)
    with pytest.raises(InvalidInput, match=r"'prices_or_returns' must be in time order"):
        hftlab.optimize_portfolio(prices.iloc[::-1])
    with pytest.raises(InvalidInput, match=r"'prices' must have a unique index; label 'b' is repeated"):
        hftlab.fit_ou(pd.Series(np.arange(30.0) % 7, index=["a", "b", "b", *map(str, range(27))]))
    before_1970 = series.set_axis(pd.DatetimeIndex([pd.NaT, *pd.date_range("1960-01-01", periods=59)]))
    with pytest.raises(InvalidInput, match=r"'prices' must hold a time on every row; row 0 is NaT\."):
        hftlab.fit_ou(before_1970)

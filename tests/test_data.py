"""Shipped datasets, price files and seeded generators with planted structure."""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from hftlab.data import cointegrated_pair, load_prices, ou_process, sp500_index, sp500_prices
from hftlab.errors import InvalidInput


def test_sp500_prices_from_skfolio():
    prices = sp500_prices()
    assert prices.shape == (8313, 20)
    assert {"AAPL", "MSFT", "XOM", "KO", "PEP"} <= set(prices.columns)
    assert prices.index.is_monotonic_increasing and prices.index[0] == pd.Timestamp("1990-01-02")
    assert (prices.dtypes == np.float64).all() and np.isfinite(prices.to_numpy()).all()
    window = sp500_prices("2020-01-01", "2020-12-31")
    assert window.index.min().year == 2020 and window.index.max().year == 2020 and len(window) == 253


def test_sp500_index_from_skfolio():
    index = sp500_index()
    assert index.shape == (8313,) and index.dtype == np.float64
    assert index.index.equals(sp500_prices().index)


@pytest.fixture
def frame():
    return pd.DataFrame(
        {"AAA": [10.0, 10.5, 10.25], "BBB": [20.0, 19.5, 21.0]},
        index=pd.DatetimeIndex(["2024-01-03", "2024-01-02", "2024-01-04"], name="date"),
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_price_file_round_trip(tmp_path, frame, suffix):
    path = tmp_path / f"prices{suffix}"
    if suffix == ".csv":
        frame.to_csv(path)
    else:
        frame.to_parquet(path)
    loaded = load_prices(path)
    expected = frame.sort_index()
    pd.testing.assert_frame_equal(loaded, expected, check_index_type=False, check_freq=False)
    assert loaded.index.is_monotonic_increasing


def test_bad_price_paths(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(InvalidInput, match=r"'path': no price file at '.*nope\.csv'"):
        load_prices(missing)
    other = tmp_path / "prices.xlsx"
    other.write_text("x")
    with pytest.raises(InvalidInput, match=r"'path' must be a \.csv or \.parquet file"):
        load_prices(other)


def test_ou_half_life_recovered_within_its_standard_error():
    half_life = 10.0
    kappa = math.log(2) / half_life
    x = ou_process(20_000, kappa, theta=5.0, sigma=0.3, seed=11).to_numpy()
    fit = sm.OLS(x[1:], sm.add_constant(x[:-1])).fit()
    phi, se_phi = fit.params[1], fit.bse[1]
    estimate = -math.log(2) / math.log(phi)
    se = math.log(2) / (phi * math.log(phi) ** 2) * se_phi  # delta method
    assert abs(estimate - half_life) < 3 * se
    assert se < 0.6
    assert fit.params[0] / (1 - phi) == pytest.approx(5.0, abs=0.1)  # theta
    assert x.std() == pytest.approx(0.3 / math.sqrt(2 * kappa), rel=0.05)  # stationary sd


def test_generators_are_seeded():
    pd.testing.assert_series_equal(ou_process(100, 0.1, seed=3), ou_process(100, 0.1, seed=3))
    assert not ou_process(100, 0.1, seed=3).equals(ou_process(100, 0.1, seed=4))
    pd.testing.assert_frame_equal(cointegrated_pair(200, seed=1), cointegrated_pair(200, seed=1))


def test_cointegrated_pair_has_the_planted_beta_and_half_life():
    pair = cointegrated_pair(5000, beta=1.5, half_life=8.0, seed=2)
    fit = sm.OLS(pair["y"].to_numpy(), sm.add_constant(pair["x"].to_numpy())).fit()
    assert fit.params[1] == pytest.approx(1.5, abs=0.02)
    spread = pair["y"].to_numpy() - 1.5 * pair["x"].to_numpy()
    ar = sm.OLS(spread[1:], sm.add_constant(spread[:-1])).fit()
    assert -math.log(2) / math.log(ar.params[1]) == pytest.approx(8.0, rel=0.15)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ou_process(1, 0.1), "'n' must be an int >= 2; got 1"),
        (lambda: ou_process(100, 0.0), "'kappa' must be a finite number > 0; got 0.0"),
        (lambda: ou_process(100, 0.1, sigma=-1.0), "'sigma' must be a finite number >= 0; got -1.0"),
        (lambda: cointegrated_pair(100, half_life=-2.0), "'half_life' must be a finite number > 0"),
    ],
)
def test_generator_arguments_are_checked(call, message):
    with pytest.raises(InvalidInput) as error:
        call()
    assert str(error.value).startswith(message)

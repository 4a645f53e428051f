"""backtest and walk_forward through the facade on both backends: parity and bad input."""

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab.algo.backtest import backtest as local_backtest
from hftlab.algo.walkforward import walk_forward as local_walk_forward
from hftlab.data import cointegrated_pair
from hftlab.errors import InvalidInput


@pytest.fixture(scope="module")
def pair():
    prices = cointegrated_pair(600, beta=1.2, half_life=5.0, seed=4)
    prices.index = prices.index.tz_localize("America/New_York")
    return prices


def test_backtest_pair_equals_local_computation(backend, pair):
    kwargs = {"cost": 0.0005, "fixed_cost": 1.0, "slippage": 0.0002, "max_units": 500.0}
    result = hftlab.backtest(pair, 20, 1.5, 0.25, **kwargs)
    assert hftlab.differences(result, local_backtest(pair, 20, 1.5, 0.25, **kwargs)) == []
    assert result.equity.index.tz is not None and result.hedge_ratio is not None
    assert result.trades["entry_time"].dt.tz is None  # UTC, naive
    assert result.metrics["n_trades"] > 5


@pytest.mark.parametrize("as_pair", [True, False])
def test_backtest_inputs_coerced_alike(backend, pair, as_pair):
    if as_pair:
        result = hftlab.backtest((pair["x"], pair["y"]), 15, 2.0, 0.5, hedge="rolling", hedge_lookback=40)
        expected = local_backtest(pair, 15, 2.0, 0.5, hedge="rolling", hedge_lookback=40)
    else:
        result = hftlab.backtest(pair["y"].to_numpy(), 15, 2.0, 0.5, direction="short")
        frame = pd.DataFrame({"price": pair["y"].to_numpy()})
        expected = local_backtest(frame, 15, 2.0, 0.5, direction="short")
    assert hftlab.differences(result, expected) == []


def test_kalman_hedged_backtest_equals_local_computation(backend, pair):
    kwargs = {"hedge": "kalman", "kalman_delta": 1e-5, "kalman_observation_var": 0.01, "cost": 0.001}
    result = hftlab.backtest(pair, 20, 1.5, 0.25, **kwargs)
    assert hftlab.differences(result, local_backtest(pair, 20, 1.5, 0.25, **kwargs)) == []
    walked = hftlab.walk_forward(pair, 250, 100, [10, 20], **kwargs)
    assert hftlab.differences(walked, local_walk_forward(pair, 250, 100, [10, 20], **kwargs)) == []


def test_backtest_without_trades_crosses_the_wire(backend, pair):
    result = hftlab.backtest(pair["y"], 20, 40.0, 0.5)
    assert result.trades.empty and result.hedge_ratio is None
    assert hftlab.differences(result, local_backtest(pair[["y"]], 20, 40.0, 0.5)) == []


def test_walk_forward_equals_local_computation(backend, pair):
    kwargs = {"lookback": [10, 20], "entry_z": [1.5, 2.0], "exit_z": [0.5], "cost": 0.001}
    result = hftlab.walk_forward(pair, 250, 100, **kwargs)
    expected = local_walk_forward(pair, 250, 100, **{**kwargs, "entry_z": [1.5, 2.0]})
    assert hftlab.differences(result, expected) == []
    assert len(result.folds) == 3


X = pd.Series(np.linspace(10, 20, 50) + np.sin(np.arange(50)), name="x")
Y = pd.Series(np.linspace(5, 9, 50) + np.cos(np.arange(50)), name="y")
GOOD = pd.concat([X, Y], axis=1)

BAD_BACKTEST = [
    (
        {"prices": (X, Y.iloc[:40])},
        "'prices' series 'x' and 'y' have different indexes (50 and 40 labels); align them first",
    ),
    ({"prices": (X, Y.set_axis(range(1, 51)))}, "'prices' series 'x' and 'y' have different indexes"),
    (
        {"prices": GOOD.assign(y=np.r_[Y.iloc[:-1], np.nan])},
        "'prices' must contain only finite numbers of magnitude at most 1e+60; got 1 NaN/inf/larger value(s), "
        "the first at row 49, column 'y': nan.",
    ),
    ({"prices": [1.0, np.inf] * 25}, "'prices' must contain only finite numbers"),
    ({"prices": GOOD.assign(x=3.0)}, "'prices.x' must not be constant; every value is 3.0"),
    ({"prices": X.iloc[:20]}, "'prices' must have at least 21 row(s); got 20"),
    ({"prices": GOOD, "hedge": "rolling", "hedge_lookback": 40}, "'prices' must have at least 60 row(s)"),
    ({"prices": GOOD.assign(z=1.0)}, "'prices' must have 1 column (one asset) or 2"),
    ({"prices": -X}, "'prices' must be positive (positions are sized by price); column 'x' has 50"),
    ({"prices": GOOD, "cost": -0.001}, "'cost' must be a finite number >= 0 and < 1; got -0.001"),
    ({"prices": GOOD, "fixed_cost": -1.0}, "'fixed_cost' must be a finite number >= 0; got -1.0"),
    ({"prices": GOOD, "slippage": -0.1}, "'slippage' must be a finite number >= 0 and < 1"),
    ({"prices": GOOD, "lookback": 1}, "'lookback' must be an int >= 2; got 1"),
    ({"prices": GOOD, "exit_z": 2.5}, "'exit_z' must be smaller than entry_z (2.0); got 2.5"),
    ({"prices": GOOD, "capital": 0.0}, "'capital' must be a finite number > 0; got 0.0"),
    ({"prices": GOOD, "max_units": -5.0}, "'max_units' must be a finite number > 0; got -5.0"),
    ({"prices": GOOD, "direction": "up"}, "'direction' must be one of 'both', 'long', 'short'; got 'up'"),
    ({"prices": GOOD, "hedge": "ols"}, "'hedge' must be one of 'static', 'rolling', 'kalman'; got 'ols'"),
    ({"prices": GOOD, "kalman_delta": 0.01}, "'kalman_delta' must be None unless hedge='kalman'; got 0.01"),
    (
        {"prices": GOOD, "hedge": "kalman", "kalman_delta": 1.0},
        "'kalman_delta' must be a finite number > 0 and < 1.0; got 1.0",
    ),
    (
        {"prices": GOOD, "hedge": "kalman", "kalman_observation_var": 0.0},
        "'kalman_observation_var' must be a finite number > 0; got 0.0",
    ),
    ({"prices": GOOD, "hedge": "kalman", "hedge_ratio": 1.0}, "'hedge_ratio' must be None with hedge='kalman'"),
    ({"prices": X, "hedge": "rolling"}, "'hedge' must be 'static' for a single asset"),
    ({"prices": X, "hedge_ratio": 1.0}, "'hedge_ratio' must be None for a single asset"),
    ({"prices": GOOD, "hedge_lookback": 30}, "'hedge_lookback' must be None unless hedge='rolling'; got 30"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_BACKTEST)
def test_backtest_bad_input_names_the_field(backend, kwargs, message):
    with pytest.raises(InvalidInput) as error:
        hftlab.backtest(**kwargs)
    assert str(error.value).startswith(message), str(error.value)


BAD_WALK_FORWARD = [
    ({"train": 30, "test": 30}, "'prices' must have at least train + test = 60 rows; got 50"),
    ({"train": 20, "test": 10, "lookback": [10, 25]}, "'train' must be an int >= 26; got 20"),
    ({"test": 1}, "'test' must be an int >= 2; got 1"),
    ({"lookback": []}, "'lookback' must hold at least one value; got none"),
    (
        {"entry_z": [1.0, 2.0], "exit_z": [0.5, 1.0]},
        "'exit_z' must be smaller than every entry_z (min 1.0); got 1.0",
    ),
    ({"objective": "profit"}, "'objective' must be one of 'sharpe', 'sortino', 'calmar'"),
    ({"cost": -0.01}, "'cost' must be a finite number >= 0 and < 1; got -0.01"),
    ({"periods_per_year": 0}, "'periods_per_year' must be a finite number > 0; got 0"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_WALK_FORWARD)
def test_walk_forward_bad_input_names_the_field(backend, kwargs, message):
    with pytest.raises(InvalidInput) as error:
        hftlab.walk_forward(GOOD, **{"train": 25, "test": 10, "lookback": 10, **kwargs})
    assert str(error.value).startswith(message), str(error.value)


def test_shared_parameters_are_blocks_declared_once(backend, pair):
    """Hedging, costs and sizing are one block each in both requests (and one proto message);
    the public functions take their fields one by one."""
    from hftlab.types import BacktestRequest, WalkForwardRequest, arguments
    from hftlab.types.backtest import Costs, Hedging, Sizing

    flat = {"hedge": "rolling", "hedge_lookback": 40, "cost": 0.001, "capital": 5e4, "direction": "long"}
    request = BacktestRequest.from_flat(prices=pair, lookback=15, **flat)
    assert request.hedging == Hedging("rolling", 40) and request.costs == Costs(cost=0.001)
    assert request.sizing == Sizing(capital=5e4, direction="long")
    assert {k: arguments(request)[k] for k in flat} == flat  # what the algorithm gets: flat again
    result = hftlab.backtest(pair, 15, **flat)
    assert hftlab.differences(result, local_backtest(pair, 15, **flat)) == []
    walk = WalkForwardRequest.from_flat(prices=pair, train=250, test=125, **flat)
    assert (walk.hedging, walk.costs, walk.sizing) == (request.hedging, request.costs, request.sizing)
    with pytest.raises(InvalidInput, match="'costs' must be of type Costs"):
        BacktestRequest(pair, costs=0.001)
    with pytest.raises(InvalidInput, match="'hedge_lookback' must be None unless hedge='rolling'"):
        hftlab.walk_forward(pair, 250, 125, hedge_lookback=40)


def test_annualisation_is_one_block_of_the_backtests_and_the_portfolios(backend, pair):
    """Sharpe ratios scale with the square root of ``periods_per_year``, returns with it; a bad
    value gets the same error from a backtest and from a portfolio request."""
    daily = hftlab.backtest(pair, 15, cost=0.001)
    hourly = hftlab.backtest(pair, 15, cost=0.001, periods_per_year=252 * 4)
    assert hourly.metrics["sharpe"] == pytest.approx(2 * daily.metrics["sharpe"], rel=1e-12)
    returns = pair.pct_change().dropna()
    annual = hftlab.optimize_portfolio(returns, "min_variance", input_type="returns")
    quarterly = hftlab.optimize_portfolio(returns, "min_variance", input_type="returns", periods_per_year=63)
    assert quarterly.expected_return == pytest.approx(annual.expected_return / 4, rel=1e-9)
    assert quarterly.volatility == pytest.approx(annual.volatility / 2, rel=1e-9)
    message = "'periods_per_year' must be a finite number > 0; got -1"
    with pytest.raises(InvalidInput, match=message):
        hftlab.backtest(pair, 15, periods_per_year=-1)
    with pytest.raises(InvalidInput, match=message):
        hftlab.rebalance_portfolio(pair, window=100, periods_per_year=-1)

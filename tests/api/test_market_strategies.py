"""market_making and triangular_arbitrage through the facade, on both backends (parity + bad input)."""

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab.algo.market_making import market_making as local_market_making
from hftlab.algo.triangular import rates_from_quotes, simulated_quotes
from hftlab.algo.triangular import triangular_arbitrage as local_triangular_arbitrage
from hftlab.errors import InvalidInput

VALUES = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0067, "CHF": 1.12}


@pytest.fixture
def rates():
    quotes = simulated_quotes(VALUES, spread_bps=2.0, volatility=0.01, seed=5, mispricings={"EUR/GBP": 0.002})
    return rates_from_quotes(quotes)


def test_market_making_equals_direct_computation(backend):
    result = hftlab.market_making(gamma=0.05, horizon=0.5, max_inventory=4.0, seed=3)
    expected = local_market_making(gamma=0.05, horizon=0.5, max_inventory=4.0, seed=3)
    assert hftlab.differences(result, expected) == []
    assert result.n_fills > 0 and result.fills["side"].dtype == np.int64
    assert result.quotes.index.name == "time" and list(result.quotes.columns) == [
        "mid",
        "reservation_price",
        "bid",
        "ask",
    ]


def test_market_making_defaults_are_the_papers_experiment(backend):
    result = hftlab.market_making(seed=1)
    assert len(result.quotes) == 200 and result.quotes["mid"].iloc[0] == 100.0
    assert hftlab.differences(result, local_market_making(seed=1)) == []


def test_triangular_arbitrage_equals_direct_computation(backend, rates):
    result = hftlab.triangular_arbitrage(rates, fee=0.0002, max_cycles=20)
    expected = local_triangular_arbitrage(rates, 0.0002, 20)
    assert hftlab.differences(result, expected) == []
    assert result.has_arbitrage and result.cycles[0].currencies[0] == result.cycles[0].currencies[-1]
    assert list(result.triangles.columns) == [
        "first",
        "second",
        "third",
        "gross_return",
        "net_return",
        "profitable",
    ]


def test_triangular_arbitrage_without_opportunity(backend):
    rates = rates_from_quotes(simulated_quotes(VALUES, spread_bps=2.0, seed=5))
    result = hftlab.triangular_arbitrage(rates.to_numpy(), fee=0.001)  # an array: currencies "0".."4"
    assert result.cycles == [] and not result.has_arbitrage and np.isnan(result.best_net_return)
    labelled = rates.set_axis(list("01234"), axis=0).set_axis(list("01234"), axis=1)
    assert hftlab.differences(result, local_triangular_arbitrage(labelled, 0.001)) == []
    assert (result.triangles["net_return"] < 0).all() and set(result.triangles["first"]) <= set("01234")


def square(cells=None):
    """A 3-currency rate table of ones, with some cells changed."""
    table = pd.DataFrame(np.ones((3, 3)), index=list("ABC"), columns=list("ABC"))
    for (row, column), value in (cells or {}).items():
        table.loc[row, column] = value
    return table


NOT_SQUARE = "'rates' must be a square table with the same currencies as rows and columns"
NOT_POSITIVE = "'rates' must hold positive finite rates or NaN (no market); got"

BAD_TRIANGULAR = [
    ({"rates": square().iloc[:, :2]}, NOT_SQUARE),
    ({"rates": square().set_axis(list("ABD"), axis=0)}, NOT_SQUARE),
    ({"rates": np.ones(4)}, NOT_SQUARE),
    ({"rates": np.ones((2, 2))}, "'rates' must have at least 3 currencies; got 2."),
    ({"rates": square({("A", "B"): -1.0})}, f"{NOT_POSITIVE} -1.0 for A -> B."),
    ({"rates": square({("C", "A"): np.inf})}, f"{NOT_POSITIVE} inf for C -> A."),
    ({"rates": square().astype(str)}, "'rates' must be a table of numbers (NaN where no market)"),
    ({"rates": square(), "fee": 1.0}, "'fee' must be a finite number >= 0 and < 1; got 1.0."),
    ({"rates": square(), "fee": -0.1}, "'fee' must be a finite number >= 0 and < 1"),
    ({"rates": square(), "max_cycles": 0}, "'max_cycles' must be an int >= 1 and <= 1000; got 0."),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_TRIANGULAR)
def test_triangular_bad_input_names_the_field(backend, kwargs, message):
    with pytest.raises(InvalidInput) as error:
        hftlab.triangular_arbitrage(**kwargs)
    assert str(error.value).startswith(message)


BAD_MARKET_MAKING = [
    ({"gamma": -0.1}, "'gamma' must be a finite number >= 0 and <= 1000000; got -0.1."),
    ({"gamma": 5e-324}, "'gamma' must be 0 or at least 1e-09; got 5e-324."),
    ({"gamma": 1e308}, "'gamma' must be a finite number >= 0 and <= 1000000; got 1e+308."),
    ({"k": 0.0}, "'k' must be a finite number >= 1e-06 and <= 1000000; got 0.0."),
    ({"A": float("nan")}, "'A' must be a finite number > 0 and <= 1000000000; got nan."),
    ({"sigma": "2"}, "'sigma' must be a finite number >= 0 and <= 1000000; got '2'."),
    ({"s0": 0.005}, "'s0' must be a finite number > 0.01 and <= 1000000000; got 0.005."),
    ({"horizon": 0.0}, "'horizon' must be a finite number > 0"),
    ({"dt": 2.0}, "'dt' must be a finite number > 0 and <= 1.0; got 2.0."),
    ({"dt": 1e-6}, "'dt' must be at least horizon / 200000 (at most 200000 steps); got 1e-06."),
    ({"order_size": 0}, "'order_size' must be a finite number > 0"),
    (
        {"max_inventory": 0.5},
        "'max_inventory' must be a finite number >= 1.0 and <= 1000000000000000; got 0.5.",
    ),
    ({"tick_size": -0.01}, "'tick_size' must be a finite number >= 1e-09"),
    ({"dt": 5e-324}, "'dt' must be at least horizon / 200000"),
    ({"strategy": "greedy"}, "'strategy' must be one of 'inventory', 'symmetric'; got 'greedy'."),
    ({"seed": -1}, "'seed' must be an int >= 0; got -1."),
    ({"seed": 1.5}, "'seed' must be an int >= 0; got 1.5."),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_MARKET_MAKING)
def test_market_making_bad_input_names_the_field(backend, kwargs, message):
    with pytest.raises(InvalidInput) as error:
        hftlab.market_making(**kwargs)
    assert str(error.value).startswith(message)


def test_server_lists_the_strategy_operations(backend):
    operations = hftlab.server_info().operations
    assert {"RunMarketMaking", "FindTriangularArbitrage"} <= set(operations)


def test_empty_tables_travel_unchanged(backend):
    quiet = hftlab.market_making(A=1e-9, horizon=0.1, seed=2)
    assert quiet.n_fills == 0 and np.isnan(quiet.average_spread_captured)
    assert hftlab.differences(quiet, local_market_making(A=1e-9, horizon=0.1, seed=2)) == []
    unpriced = square({("A", "B"): np.nan, ("A", "C"): np.nan})  # nothing leaves A: no round trip
    result = hftlab.triangular_arbitrage(unpriced)
    assert len(result.triangles) == 0 and result.cycles == []
    assert hftlab.differences(result, local_triangular_arbitrage(unpriced, 0.0, 10)) == []

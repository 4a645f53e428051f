"""Sweeps and strategy search: the same table and best parameters serially and on Dask."""

import math

import pandas as pd
import pytest

import hftlab
from hftlab.algo.walkforward import walk_forward
from hftlab.data import cointegrated_pair
from hftlab.errors import InvalidInput
from hftlab.types import BacktestRequest
from hftlab.workflows.sweeps import flatten, grid_points


@pytest.fixture(scope="module")
def pair():
    return cointegrated_pair(500, beta=1.4, half_life=6.0, seed=8)


@pytest.fixture(scope="module")
def dask_cluster():
    """Two single-threaded worker processes shared by this module's Dask tests."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        yield cluster


@pytest.fixture
def dask_client(dask_cluster):
    from distributed import Client

    with Client(dask_cluster) as client:
        yield client


def test_grid_points_in_product_order():
    assert grid_points({"a": [1, 2], "b": ["x", "y"]}) == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
    ]
    assert grid_points([{"a": 1}, {"a": 3, "b": 0}]) == [{"a": 1}, {"a": 3, "b": 0}]


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({}, "'grid' must name at least one parameter"),
        ({"a": []}, "'grid['a']' must hold at least one value"),
        ({"a": 3}, "'grid['a']' must be a list of values; got 3"),
        ([], "'grid' must be a dict of value lists or a non-empty list of dicts"),
    ],
)
def test_bad_grids(grid, message):
    with pytest.raises(InvalidInput, match=message.replace("[", r"\[").replace("(", r"\(")):
        hftlab.sweep(lambda a: a, grid)


def test_bad_executor_and_target():
    with pytest.raises(InvalidInput, match="'executor' must be one of 'serial', 'dask'; got 'threads'"):
        hftlab.sweep(lambda a: a, {"a": [1]}, executor="threads")
    with pytest.raises(InvalidInput, match="'scheduler' must be None with executor='serial'"):
        hftlab.sweep(lambda a: a, {"a": [1]}, scheduler="tcp://127.0.0.1:1")
    with pytest.raises(InvalidInput, match="'func_or_operation' must be a callable"):
        hftlab.sweep("NoSuchRpc", {"a": [1]})


def test_flatten_a_result_keeps_scalars_and_metrics(pair):
    result = hftlab.backtest(pair, 20, 2.0, 0.5)
    row = flatten(result)
    assert row == result.metrics and list(row) == sorted(row)  # a backtest's only scalars: its metrics
    assert flatten({"a": 1.0, "s": pd.Series([1.0])}) == {"a": 1.0}
    assert flatten(2.5) == {"value": 2.5}


def test_serial_sweep_of_a_function_is_tidy():
    table = hftlab.sweep(
        lambda a, b, c: {"sum": a + b + c, "a": -a}, {"a": [1, 2], "b": [10]}, c=100, progress=False
    )
    assert table.columns.tolist() == ["a", "b", "sum", "result.a"]
    assert table.to_dict("list") == {"a": [1, 2], "b": [10, 10], "sum": [111, 112], "result.a": [-1, -2]}


GRID = {"lookback": [10, 30], "entry_z": [1.5, 2.5]}


def test_operation_sweep_identical_on_serial_and_dask(pair, dask_client):
    serial = hftlab.sweep(BacktestRequest, GRID, prices=pair, cost=0.001, progress=False)
    on_dask = hftlab.sweep(
        "RunBacktest", GRID, executor="dask", scheduler=dask_client, prices=pair, cost=0.001, progress=False
    )
    pd.testing.assert_frame_equal(serial, on_dask, check_exact=True)
    assert len(serial) == 4 and {"sharpe", "max_drawdown", "n_trades"} <= set(serial.columns)
    direct = hftlab.backtest(pair, 30, 1.5, 0.5, cost=0.001).metrics
    assert serial.iloc[2]["sharpe"] == direct["sharpe"]


def test_dask_sweep_on_its_own_cluster_and_on_a_scheduler_address(pair, dask_cluster):
    serial = hftlab.sweep(hftlab.backtest, GRID, prices=pair, progress=False)
    in_process = hftlab.sweep(
        hftlab.backtest, GRID, executor="dask", processes=False, prices=pair, progress=False
    )
    by_address = hftlab.sweep(
        hftlab.backtest,
        GRID,
        executor="dask",
        scheduler=dask_cluster.scheduler_address,
        prices=pair,
        progress=False,
    )
    pd.testing.assert_frame_equal(serial, in_process, check_exact=True)
    pd.testing.assert_frame_equal(serial, by_address, check_exact=True)


def test_dask_workers_use_the_callers_grpc_backend(pair, grpc_address, dask_client):
    with hftlab.using(grpc_address):
        seen = hftlab.sweep(
            lambda k: {"backend": hftlab.backend().name},
            {"k": [1, 2, 3]},
            executor="dask",
            scheduler=dask_client,
            progress=False,
        )
        remote = hftlab.sweep(
            hftlab.backtest, GRID, executor="dask", scheduler=dask_client, prices=pair, progress=False
        )
    assert seen["backend"].tolist() == ["grpc"] * 3
    pd.testing.assert_frame_equal(remote, hftlab.sweep(hftlab.backtest, GRID, prices=pair, progress=False))


SEARCH = {"train": 200, "test": 100, "cost": 0.0005}


def test_grid_search_finds_the_best_walk_forward(pair, dask_client):
    kwargs = {"lookback": [10, 20, 40], "entry_z": [1.5, 2.0], "exit_z": 0.25, **SEARCH}
    serial = hftlab.optimize_strategy(pair, progress=False, **kwargs)
    on_dask = hftlab.optimize_strategy(pair, executor="dask", scheduler=dask_client, progress=False, **kwargs)
    pd.testing.assert_frame_equal(serial.evaluations, on_dask.evaluations, check_exact=True)
    assert serial.best == on_dask.best
    assert len(serial.evaluations) == 6
    scores = {
        (lb, ez): walk_forward(pair, 200, 100, [lb], [ez], [0.25], cost=0.0005).metrics["sharpe"]
        for lb in (10, 20, 40)
        for ez in (1.5, 2.0)
    }
    best = max(scores, key=lambda k: scores[k] if math.isfinite(scores[k]) else -math.inf)
    assert (serial.best["lookback"], serial.best["entry_z"]) == best
    assert serial.best_score == scores[best] == serial.walk_forward.metrics["sharpe"]


def test_differential_evolution_same_best_on_serial_and_dask(pair, dask_client):
    kwargs = {
        "lookback": (5, 40),
        "entry_z": (1.0, 2.5),
        "exit_z": (0.0, 0.5),
        "seed": 3,
        "maxiter": 3,
        "popsize": 3,
        "method": "differential_evolution",
        **SEARCH,
    }
    serial = hftlab.optimize_strategy(pair, progress=False, **kwargs)
    on_dask = hftlab.optimize_strategy(pair, executor="dask", scheduler=dask_client, progress=False, **kwargs)
    assert serial.best == on_dask.best
    pd.testing.assert_frame_equal(serial.evaluations, on_dask.evaluations, check_exact=True)
    assert serial.evaluations["lookback"].between(5, 40).all()
    assert serial.evaluations["lookback"].map(type).eq(int).all()
    assert serial.best_score == serial.evaluations["score"].max()
    # the search does at least as well as its own first generation
    assert serial.best_score >= serial.evaluations["score"].iloc[:9].max()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "annealing"}, "'method' must be one of 'grid', 'differential_evolution'"),
        (
            {"method": "differential_evolution", "lookback": (5, 10, 20)},
            "'lookback' must be a (low, high) pair",
        ),
        ({"lookback": [1, 10]}, "'lookback' must be an int >= 2; got 1"),
        ({"exit_z": (0.0, 1.5)}, "'exit_z' must be smaller than every entry_z (min 1.0); got 1.5"),
        ({"cost": -1.0}, "'cost' must be a finite number >= 0 and < 1"),
    ],
)
def test_search_bad_input(pair, kwargs, message):
    with pytest.raises(InvalidInput) as error:
        hftlab.optimize_strategy(pair, **{**SEARCH, **kwargs})
    assert str(error.value).startswith(message), str(error.value)


def test_tick_backtests_sweep_on_dask_workers_reading_the_same_file(lobster_files, dask_client):
    """Each worker reads the events from the file (only its path travels), as the serial run does."""
    grid = {"order_latency": [0.0, 0.01, 0.1], "queue_model": ["risk_averse", "prob_log"]}
    params = {"at_best": 1.0, "order_qty": 100.0}
    fixed = {"path": str(lobster_files.message), "params": params, "tick_size": 0.01, "progress": False}
    serial = hftlab.sweep("RunTickBacktest", grid, **fixed)
    on_dask = hftlab.sweep("RunTickBacktest", grid, executor="dask", scheduler=dask_client, **fixed)
    pd.testing.assert_frame_equal(serial, on_dask, check_exact=True)
    direct = hftlab.tick_backtest(lobster_files, "grid", params, order_latency=0.1, tick_size=0.01)
    assert serial.iloc[4]["trades"] == direct.stats["trades"] == len(direct.fills)

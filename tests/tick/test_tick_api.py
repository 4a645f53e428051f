"""hftlab.tick_backtest on both backends: the LOBSTER sample sent as columns or read by the server."""

import pandas as pd
import pytest

import hftlab
from hftlab.bench.inputs import INPUTS
from hftlab.errors import InvalidInput
from hftlab.tick import Strategy
from hftlab.types.tick import ArbitrageBacktestRequest

GRID = {"half_spread": 0.02, "order_qty": 100, "max_position": 300, "interval": "10ms"}


def test_a_grid_on_the_lobster_sample_is_the_same_on_both_backends(backend, lobster_files):
    settings = {"order_latency": 0.001, "maker_fee": -0.0002, "taker_fee": 0.0003, "tick_size": 0.01}
    with hftlab.using("local"):
        expected = hftlab.tick_backtest(lobster_files, "grid", GRID, **settings)
    sent = hftlab.tick_backtest(lobster_files, "grid", GRID, **settings)  # loaded here, sent as columns
    read = hftlab.tick_backtest(lobster_files.message, "grid", GRID, **settings)  # the server reads the file
    assert hftlab.differences(sent, expected) == [] and hftlab.differences(read, expected) == []
    assert len(expected.fills) > 10 and expected.stats["fees"] < 0  # rebates on maker fills


def test_an_execution_replay_on_both_backends(backend, lobster_files):
    events = hftlab.load_events(lobster_files)
    start = int(events["local_ts"][0])
    orders = pd.DataFrame(
        {
            "time": [start + 1_000_000, start + 2_000_000, start + 3_000_000],
            "side": ["buy", "sell", "buy"],
            "type": ["market", "ioc", "limit"],
            "price": [float("nan"), 585.0, 585.0],
            "qty": [300.0, 100.0, 100.0],
        }
    )
    settings = {"order_latency": 0.0005, "tick_size": 0.01}
    result = hftlab.tick_backtest(events, "orders", {"orders": orders}, **settings)
    with hftlab.using("local"):
        local = hftlab.tick_backtest(events, "orders", {"orders": orders}, **settings)
    assert hftlab.differences(result, local) == []
    assert result.orders["status"].tolist()[:2] == ["filled", "filled"]
    assert (result.fills.loc[result.fills["order_id"] == 1, "liquidity"] == "taker").all()


class Idle(Strategy):
    def on_tick(self, ctx):
        pass


def test_a_python_strategy_runs_locally_only(grpc_address, lobster_files):
    assert hftlab.tick_backtest(lobster_files, Idle()).fills.empty
    with hftlab.using(grpc_address), pytest.raises(InvalidInput, match="Python strategy runs in this process"):
        hftlab.tick_backtest(lobster_files, Idle())


def test_the_server_names_bad_input(backend, lobster_files):
    with pytest.raises(InvalidInput, match=r"'params\.half_spread' must be a finite number"):
        hftlab.tick_backtest(lobster_files, "grid", {"half_spread": float("nan")})
    with pytest.raises(InvalidInput, match="'orders' is required with strategy 'orders'"):
        hftlab.tick_backtest(lobster_files, "orders")


def test_a_recorded_order_latency_on_both_backends(backend, lobster_files):
    events = hftlab.load_events(lobster_files)
    start, end = int(events["local_ts"][0]), int(events["local_ts"][-1])
    latency = pd.DataFrame({"time": [start, end], "entry": [0.0005, 0.02], "response": [0.001, 0.0001]})
    result = hftlab.tick_backtest(events, "grid", GRID, order_latency=latency, tick_size=0.01)
    with hftlab.using("local"):
        local = hftlab.tick_backtest(events, "grid", GRID, order_latency=latency, tick_size=0.01)
        constant = hftlab.tick_backtest(events, "grid", GRID, order_latency=0.0005, tick_size=0.01)
    assert hftlab.differences(result, local) == []
    assert len(result.fills) > 10 and hftlab.differences(result, constant) != []


def test_progress_is_streamed_by_the_backend(backend, lobster_files, capsys):
    from hftlab.types.tick import TickBacktestRequest

    request = TickBacktestRequest(path=str(lobster_files.message), params={"interval": 0.01})
    messages = list(backend.stream(request))
    events = int(messages[-1].result.stats["events"])  # 999 messages and the opening book's levels
    assert [(m.done, m.total) for m in messages] == [(events, events)] * 2  # the engine's report, the result
    assert messages[0].result is None and events > 999
    hftlab.tick_backtest(lobster_files.message, "grid", GRID, progress=True)
    assert "tick backtest: 100%" in (bar := capsys.readouterr().err) and f"{events}/{events}" in bar


MAKER = {"A": 2.0, "k": 40.0, "gamma": 0.05, "order_qty": 100, "max_position": 300, "interval": "10ms"}


@pytest.mark.parametrize("strategy", ["avellaneda_stoikov", "glft"])
def test_the_market_makers_are_the_same_on_both_backends(backend, lobster_files, strategy):
    settings = {"order_latency": 0.001, "maker_fee": -0.0002, "tick_size": 0.01, "lot_size": 1}
    with hftlab.using("local"):
        expected = hftlab.tick_backtest(lobster_files, strategy, MAKER, **settings)
    result = hftlab.tick_backtest(lobster_files, strategy, MAKER, **settings)
    assert hftlab.differences(result, expected) == []
    assert len(expected.fills) > 10 and expected.stats["max_inventory"] <= 300 + 100


def test_the_server_names_a_missing_intensity(backend, lobster_files):
    with pytest.raises(InvalidInput, match=r"'params\.A' is required for strategy 'glft'"):
        hftlab.tick_backtest(lobster_files, "glft", {"k": 40.0})


@pytest.mark.parametrize("rpc", ["RunTickBacktest", "RunArbitrageBacktest", "FitIntensity"])
def test_prices_beyond_the_engine_s_grid_are_named(backend, rpc):
    """A price no tick grid holds, or a tick that spreads the prices over more levels than a
    book may hold, is bad input naming the field on every operation that builds the books
    (the arbitrage backtest allocated the grid first and failed with numpy's ValueError)."""
    example = INPUTS[rpc]()
    events = example["events"].copy()
    events["price"][len(events) // 2] = 1e300
    call = {
        "RunTickBacktest": hftlab.tick_backtest,
        "RunArbitrageBacktest": lambda **fields: hftlab.backend().execute(ArbitrageBacktestRequest(**fields)),
        "FitIntensity": hftlab.fit_intensity,
    }[rpc]
    with pytest.raises(
        InvalidInput, match=r"^'events' holds a price of 1e\+300, too large for a grid of ticks"
    ):
        call(**{**example, "events": events})
    if rpc != "RunArbitrageBacktest":  # (its books' ticks are always inferred)
        events["price"][len(events) // 2] = 1e6
        with pytest.raises(InvalidInput, match=r"^'tick_size' 0.0001 spreads the events' prices over 9,99"):
            call(**{**example, "events": events, "tick_size": 1e-4})

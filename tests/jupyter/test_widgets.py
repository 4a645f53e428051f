"""Widget logic without a browser: set widget values or click, then check the figures and the backend."""

import numpy as np
import pytest

import hftlab
from hftlab.data import cointegrated_pair
from hftlab.jupyter import session
from hftlab.jupyter.strategy import StrategyExplorer
from hftlab.jupyter.widgets import BackendCompare, BackendSwitcher, health_check


@pytest.fixture(autouse=True)
def restore_backend():
    previous = hftlab.backend()
    yield
    hftlab.use(previous)


def test_switcher_flips_the_backend(grpc_address):
    switcher = BackendSwitcher(address=grpc_address)
    assert switcher.toggle.value == "local"
    assert "local (in this kernel)" in switcher.light.value
    switcher.toggle.value = "grpc"
    assert hftlab.backend().address == grpc_address
    assert "SERVING" in switcher.light.value
    assert session.grpc_backend().address == grpc_address
    switcher.toggle.value = "local"
    assert hftlab.backend().name == "local"


def test_switcher_defaults_to_the_last_grpc_backend(grpc_address):
    session.remember(hftlab.get_client(grpc_address))
    assert BackendSwitcher().address.value == grpc_address


def test_switcher_shows_a_bad_address_in_red(grpc_address):
    switcher = BackendSwitcher(address=grpc_address)
    switcher.toggle.value = "grpc"
    switcher.address.value = "http://nowhere"
    assert "#c62828" in switcher.light.value and "must look like grpc://host:port" in switcher.light.value
    assert hftlab.backend().address == grpc_address  # unchanged
    switcher.address.value = "grpc://127.0.0.1:1"
    assert "UNREACHABLE" in switcher.light.value


def test_health_check_of_a_dead_port():
    assert health_check("grpc://127.0.0.1:1", timeout=2) == "UNREACHABLE"


def test_compare_widget_measures_both_backends_and_the_floor(grpc_address):
    widget = BackendCompare(runs=5, remote=hftlab.get_client(grpc_address))
    assert "GetServerInfo" not in widget.operation.options  # its results describe each backend
    assert "CalculateMeanReversion" in widget.operation.options
    widget.operation.value = "CalculateMeanReversion"
    widget.run_button.click()
    assert list(widget.samples) == ["local", grpc_address, "bare grpcio echo"]
    assert all(len(values) == 5 and (values > 0).all() for values in widget.samples.values())
    assert [trace.type for trace in widget.figure.data] == ["box"] * 3
    np.testing.assert_array_equal(widget.figure.data[1].y, widget.samples[grpc_address])
    assert widget.progress.value == widget.progress.max == 5
    assert "identical results" in widget.verdict.value
    assert widget.differences == []
    widget.kind.value = "violin"
    assert [trace.type for trace in widget.figure.data] == ["violin"] * 3
    assert "CalculateMeanReversion" in widget.figure.layout.title.text


def test_strategy_explorer_redraws_when_a_slider_moves():
    explorer = StrategyExplorer(lookback=20, entry_z=2.0, exit_z=0.5)
    spread, z, entry_up = explorer.figure.data[0], explorer.figure.data[1], explorer.figure.data[2]
    assert len(spread.y) == 750 and list(entry_up.y) == [2.0, 2.0]
    before = explorer.backtest.metrics["n_trades"]
    explorer.entry_z.value = 1.0
    assert list(explorer.figure.data[2].y) == [1.0, 1.0]
    assert explorer.backtest.metrics["n_trades"] > before
    reference = hftlab.backtest(cointegrated_pair(n=750, seed=0), 20, 1.0, 0.5)
    np.testing.assert_array_equal(explorer.figure.data[8].y, reference.equity.to_numpy())
    entries = explorer.figure.data[6]
    assert len(entries.x) == int(explorer.signals.entries.sum()) > 0
    np.testing.assert_array_equal(z.y, explorer.signals.zscore.to_numpy())
    assert "trades" in explorer.status.value


def test_strategy_explorer_reports_bad_settings_without_raising():
    explorer = StrategyExplorer()
    equity = explorer.figure.data[8].y
    explorer.exit_z.value = 2.5
    assert "'exit_z' must be smaller than entry_z" in explorer.status.value
    assert explorer.figure.data[8].y is equity  # last good state kept
    explorer.exit_z.value = 0.5
    explorer.y.value = "x"
    assert "two different instruments" in explorer.status.value


def test_strategy_explorer_runs_on_the_active_backend(grpc_address):
    hftlab.use(grpc_address)
    explorer = StrategyExplorer(lookback=30)
    assert "(grpc)" in explorer.status.value
    with hftlab.using(hftlab.get_client("local")):
        reference = hftlab.backtest(cointegrated_pair(n=750, seed=0), 30, 2.0, 0.5)
    assert hftlab.differences(explorer.backtest, reference) == []

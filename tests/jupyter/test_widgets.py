"""Widget logic without a browser: set widget values or click, then check the figures and the backend."""

import numpy as np
import pytest

import hftlab
from hftlab.data import cointegrated_pair
from hftlab.errors import BackendUnavailable
from hftlab.jupyter import session
from hftlab.jupyter.strategy import StrategyExplorer
from hftlab.jupyter.widgets import BackendCompare, BackendSwitcher, health_check
from hftlab.server import ServerConfig, build_server

RED = "#c62828"  # the light's colour for a failure


@pytest.fixture(autouse=True)
def restore_backend():
    previous = hftlab.backend()
    yield
    hftlab.use(previous)


@pytest.fixture
def switcher():
    """A switcher, closed after the test (it stops observing the backend)."""
    made = []
    yield lambda **kwargs: made.append(BackendSwitcher(**kwargs)) or made[-1]
    for widget in made:
        widget.close()


def test_switcher_flips_the_backend(switcher, grpc_address):
    switch = switcher(address=grpc_address)
    assert switch.toggle.value == "local"
    assert "local (in this kernel)" in switch.light.value
    switch.toggle.value = "grpc"
    assert hftlab.backend().address == grpc_address
    assert "SERVING" in switch.light.value
    assert session.grpc_backend().address == grpc_address
    switch.toggle.value = "local"
    assert hftlab.backend().name == "local"


def test_switcher_defaults_to_the_last_grpc_backend(switcher, grpc_address):
    session.remember(hftlab.get_client(grpc_address))
    assert switcher().address.value == grpc_address


def test_switcher_follows_a_switch_made_elsewhere(switcher, grpc_address):
    switch = switcher()
    hftlab.use(grpc_address)
    assert (switch.toggle.value, switch.address.value) == ("grpc", grpc_address)
    assert f"{grpc_address}: SERVING" in switch.light.value
    with hftlab.using("local"):
        assert switch.toggle.value == "local" and "local (in this kernel)" in switch.light.value
    assert switch.toggle.value == "grpc"
    switch.close()
    hftlab.use("local")
    assert switch.toggle.value == "grpc"  # a closed switcher no longer follows


def test_switcher_after_hftlab_stop_shows_local(ip, switcher):
    """The bug of issue 22: after `%hftlab stop` the switcher still showed grpc, SERVING."""
    ip.run_line_magic("hftlab", "serve")
    switch = switcher()
    compare = BackendCompare(runs=5)
    served = session.server().address
    assert (switch.toggle.value, switch.address.value) == ("grpc", served)
    assert f"{served}: SERVING" in switch.light.value
    assert not compare.run_button.disabled
    ip.run_line_magic("hftlab", "stop")
    assert hftlab.backend().name == "local"
    assert switch.toggle.value == "local"
    assert "local (in this kernel)" in switch.light.value and "SERVING" not in switch.light.value
    assert compare.run_button.disabled and served in compare.run_button.tooltip
    compare.close()


def test_switcher_shows_a_failing_call_of_the_active_server(switcher):
    server, port = build_server(ServerConfig(port=0))
    address = f"grpc://127.0.0.1:{port}"
    hftlab.use(address)
    switch = switcher()
    assert f"{address}: SERVING" in switch.light.value
    server.stop(grace=None).wait()
    with pytest.raises(BackendUnavailable):
        hftlab.server_info()
    assert RED in switch.light.value and f"no hftlab server reachable at {address}" in switch.light.value
    assert switch.toggle.value == "grpc"  # still the active backend, now failing


def test_switcher_shows_a_bad_address_in_red_and_keeps_the_backend(switcher, grpc_address):
    switch = switcher(address=grpc_address)
    switch.toggle.value = "grpc"
    switch.address.value = "http://nowhere"
    assert RED in switch.light.value and "must look like grpc://host:port" in switch.light.value
    assert hftlab.backend().address == grpc_address  # unchanged
    switch.address.value = "grpc://127.0.0.1:1"
    assert "health check: UNREACHABLE" in switch.light.value
    assert f"(backend: {grpc_address})" in switch.light.value
    assert hftlab.backend().address == grpc_address


def test_switcher_to_a_dead_server_stays_local(switcher):
    switch = switcher(address="grpc://127.0.0.1:1")
    switch.toggle.value = "grpc"
    assert hftlab.backend().name == "local"
    assert switch.toggle.value == "local"  # the truth, not the click
    assert "UNREACHABLE" in switch.light.value and "(backend: local (in this kernel))" in switch.light.value


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
    widget.close()


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


def test_every_view_draws_with_the_figure_widget_that_fills_its_width(grpc_address):
    from hftlab.jupyter.figure import _widget_class
    from hftlab.jupyter.market import OrderBookView

    wide = _widget_class()
    # plotly's module with its default export wrapped (the browser test measures the width)
    assert wide._esm.count("export default") == 1 and "new ResizeObserver" in wide._esm
    for view in (
        StrategyExplorer(),
        OrderBookView(),
        BackendCompare(runs=2, remote=hftlab.get_client(grpc_address)),
    ):
        assert isinstance(view.figure, wide) and view.figure._config["responsive"] is True


def test_strategy_explorer_draws_each_series_in_its_own_colour():
    explorer = StrategyExplorer()
    colours = {}
    for trace in explorer.figure.data:
        colour = trace.line.color if trace.mode != "markers" else trace.marker.color
        colours.setdefault(colour, set()).add(trace.legendgroup or trace.name)
    assert all(len(names) == 1 for names in colours.values()), colours  # a band's two lines share one
    assert len(colours) == 7  # spread, z-score, entry band, exit band, entries, exits, equity: one colour each


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

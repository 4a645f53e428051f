"""The %hftlab magic and the BackendSwitcher, driven without a browser (anywidget-style)."""

import pytest
from IPython.testing.globalipapp import get_ipython

import hftlab
from hftlab.jupyter.widgets import BackendSwitcher, health_check


@pytest.fixture(scope="module")
def ip():
    shell = get_ipython()
    shell.run_line_magic("load_ext", "hftlab")
    return shell


@pytest.fixture(autouse=True)
def restore_backend():
    previous = hftlab.backend()
    yield
    hftlab.use(previous)


def test_use_and_status(ip, grpc_address, capsys):
    ip.run_line_magic("hftlab", f"use {grpc_address}")
    assert hftlab.backend().address == grpc_address
    report = ip.run_line_magic("hftlab", "status")
    assert report["backend"] == "grpc" and report["server_version"] == hftlab.__version__
    assert report["round_trip_ms"] > 0
    ip.run_line_magic("hftlab", "use local")
    assert hftlab.backend().name == "local"
    assert "backend: local" in capsys.readouterr().out


def test_help_lists_subcommands(ip, capsys):
    ip.run_line_magic("hftlab", "")
    out = capsys.readouterr().out
    assert "use local" in out and "status" in out


def test_bad_address_is_reported_not_raised(ip, capsys):
    ip.run_line_magic("hftlab", "use http://nowhere")
    assert "'address' must look like grpc://host:port" in capsys.readouterr().out
    assert hftlab.backend().name == "local"


def test_switcher_flips_the_backend(grpc_address):
    switcher = BackendSwitcher(address=grpc_address)
    assert switcher.toggle.value == "local"
    switcher.toggle.value = "grpc"
    assert hftlab.backend().address == grpc_address
    assert "SERVING" in switcher.light.value
    switcher.toggle.value = "local"
    assert hftlab.backend().name == "local"


def test_health_check_of_a_dead_port():
    assert health_check("grpc://127.0.0.1:1", timeout=2) == "UNREACHABLE"

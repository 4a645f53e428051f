"""Packaging contracts: dependency lists agree, the public API is pinned."""

import re
import tomllib
from pathlib import Path

import hftlab

ROOT = Path(__file__).resolve().parents[1]


def requirement_names(lines):
    return {re.split(r"[<>=!\[ ;]", line.strip(), maxsplit=1)[0].lower() for line in lines}


def test_environment_yml_lists_the_pyproject_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = requirement_names(project["dependencies"] + project["optional-dependencies"]["dev"])
    text = (ROOT / "environment.yml").read_text().split("dependencies:", 1)[1]
    conda = [
        line.strip()[2:]
        for line in text.splitlines()
        if line.strip().startswith("- ") and not line.strip()[2:].startswith(("python", "pip"))
    ]
    assert requirement_names(conda) == declared


def test_dependencies_are_lower_bounded_ranges():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        assert ">=" in requirement and "==" not in requirement, requirement


def test_public_api_is_pinned_and_sorted():
    assert hftlab.__all__ == sorted(hftlab.__all__)
    assert set(hftlab.__all__) == {
        "Backend",
        "BackendUnavailable",
        "GrpcBackend",
        "GrpcConfig",
        "HftlabError",
        "InvalidInput",
        "LocalBackend",
        "__version__",
        "backend",
        "differences",
        "errors",
        "get_client",
        "load_events",
        "tick_backtest",
        "fit_intensity",
        "arbitrage_backtest",
        "load_ipython_extension",
        "mean_reversion",
        "record",
        "record_market_data",
        "server_info",
        "use",
        "using",
        "triangular_arbitrage",
        "market_making",
        "replay_lobster",
        "stream_market_data",
        "order_book",
        "box_tao",
        "efficient_frontier",
        "optimize_portfolio",
        "rebalance_portfolio",
        "sparse_portfolio",
        "cointegration",
        "fit_ou",
        "kalman_hedge_ratio",
        "scan_pairs",
        "detect_regime",
        "filter_regimes",
        "run_hmm",
        "run_mcmc",
        "select_n_states",
        "backtest",
        "optimize_strategy",
        "sweep",
        "walk_forward",
    }
    for name in hftlab.__all__:
        assert getattr(hftlab, name) is not None

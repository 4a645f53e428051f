"""A second language: a Node.js client built from the .proto alone gets Python's numbers, bit for bit.

``tests/node/client.js`` (``@grpc/grpc-js`` + ``@grpc/proto-loader``, installed here from the npm
registry when missing) writes its own little-endian float64 buffers, calls the session's gRPC
server and decodes the response buffers itself; every float it prints must equal, bit for bit,
what ``hftlab`` computes on the local backend for the same inputs: proof that the .proto is the
contract.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab.data import ou_process, sp500_prices

pytestmark = pytest.mark.slow

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
PACKAGES = ("@grpc/grpc-js", "@grpc/proto-loader")

BLOCKS = ("constraints", "frictions", "estimation", "annualisation")
ESTIMATION = {"covariance": "sample", "half_life": 60.0, "risk_free_rate": 0.0}
PORTFOLIO_SETTINGS = {
    "input_type": "prices",
    "constraints": {"long_only": True},
    "frictions": {"turnover_penalty": 0.0},
    "estimation": ESTIMATION,
    "annualisation": {"periods_per_year": 252.0},
    "risk_aversion": 1.0,
    "time_limit": 10.0,
}
"""The facade's defaults, spelled out: a proto3 client must send every scalar (its zero is no
default); shared parameters travel in their block's message."""


def flat(settings: dict) -> dict:
    """The public function's parameters: the blocks' fields one by one."""
    return {
        key: value
        for name, item in settings.items()
        for key, value in (item.items() if name in BLOCKS else [(name, item)])
    }


@pytest.fixture(scope="module")
def node() -> str:
    """The ``node`` executable, with the client's npm packages installed in tests/node/node_modules."""
    found = shutil.which("node")
    if found is None:
        pytest.skip("Node.js ('node') is not installed: the second-language client cannot run")
    if not all((NODE_DIR / "node_modules" / package / "package.json").exists() for package in PACKAGES):
        npm = shutil.which("npm")
        assert npm, "node is installed but npm is not: cannot install the client's packages"
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"npm install failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return found


def run_client(node: str, address: str, inputs: dict, tmp_path: Path) -> dict:
    path = tmp_path / "inputs.json"
    path.write_text(json.dumps(inputs))  # floats as repr: the shortest decimal that reads back exactly
    done = subprocess.run(
        [node, str(NODE_DIR / "client.js"), address, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"the Node client failed:\n{done.stderr}"
    return json.loads(done.stdout)


def bits(values) -> list[str]:
    """Each float64 as the hex of its IEEE-754 bits ('nan' for a NaN: its position, not its payload)."""
    return ["nan" if np.isnan(x) else struct.pack(">d", x).hex() for x in np.asarray(values, dtype=np.float64)]


def node_bits(values: list[str]) -> list[str]:
    """The client's exact decimal strings ("NaN", "-0", "Infinity" included) as :func:`bits`."""
    return bits([float(value) for value in values])


def assert_same_series(printed: dict, series: pd.Series) -> None:
    assert printed["name"] in ((series.name,) if series.name is not None else (None, ""))
    assert printed["dtype"] == series.dtype.str
    if isinstance(series.index, pd.RangeIndex):
        assert printed["index"] == {
            "range": [str(n) for n in (series.index.start, series.index.stop, series.index.step)]
        }
    else:
        assert printed["index"]["labels"] == [str(label) for label in series.index]
    if series.dtype == np.float64:
        assert node_bits(printed["values"]) == bits(series)
    elif series.dtype == bool:
        assert printed["values"] == series.tolist()
    else:
        assert [int(value) for value in printed["values"]] == series.tolist()


def test_mean_reversion_from_node_equals_python(node, grpc_address, tmp_path):
    cases = [
        {
            "prices": (100 + ou_process(250, kappa=0.08, sigma=1.0, seed=11)).tolist(),
            "lookback": 20,
            "entry_z": 1.5,
            "exit_z": 0.25,
        },
        {
            "prices": sp500_prices(start="2021-01-01", end="2021-12-31")["KO"].tolist(),
            "lookback": 30,
            "entry_z": 2.0,
            "exit_z": 0.5,
        },
        # 272 KB each way (>= wire.LARGE): the server reads the request and writes the response by
        # hftlab.rpc.wire, padding included
        {
            "prices": (100 + ou_process(34_000, kappa=0.05, sigma=1.0, seed=3)).tolist(),
            "lookback": 50,
            "entry_z": 2.0,
            "exit_z": 0.5,
        },
    ]
    printed = run_client(node, grpc_address, {"CalculateMeanReversion": cases}, tmp_path)
    assert len(printed["CalculateMeanReversion"]) == len(cases)
    for case, response in zip(cases, printed["CalculateMeanReversion"], strict=True):
        with hftlab.using("local"):
            local = hftlab.mean_reversion(
                np.array(case["prices"]), case["lookback"], case["entry_z"], case["exit_z"]
            )
        assert local.entries.any() and local.exits.any(), "inputs too tame to exercise the signals"
        zscore = node_bits(response["zscore"]["values"])
        assert zscore[: case["lookback"] - 1] == ["nan"] * (case["lookback"] - 1)
        assert "nan" not in zscore[case["lookback"] - 1 :]
        for name in ("zscore", "signal", "entries", "exits"):
            assert_same_series(response[name], getattr(local, name))
        assert node_bits([response["last_zscore"]]) == bits([local.last_zscore])
        assert int(response["current_signal"]) == local.current_signal
        assert sorted(response["metrics"]) == sorted(local.metrics)
        for key, value in local.metrics.items():
            assert node_bits([response["metrics"][key]]) == bits([value]), key
        assert response["notes"] == local.notes


def test_optimize_portfolio_from_node_equals_python(node, grpc_address, tmp_path):
    prices = sp500_prices(start="2021-01-01", end="2022-06-30")[["AAPL", "JNJ", "CVX", "BAC", "HD"]]
    columns = {column: prices[column].tolist() for column in prices}
    cases = [
        {
            **PORTFOLIO_SETTINGS,
            "prices_or_returns": columns,
            "method": "min_variance",
            "constraints": {
                "long_only": True,
                "upper_bounds": {"AAPL": 0.3, "JNJ": 0.35, "CVX": 0.5, "BAC": 0.5, "HD": 0.5},
            },
        },
        {
            **PORTFOLIO_SETTINGS,
            "prices_or_returns": columns,
            "method": "max_sharpe",
            "estimation": {**ESTIMATION, "covariance": "ledoit_wolf", "risk_free_rate": 0.02},
        },
        {**PORTFOLIO_SETTINGS, "prices_or_returns": columns, "method": "risk_parity"},
    ]
    printed = run_client(node, grpc_address, {"OptimizePortfolio": cases}, tmp_path)
    assert len(printed["OptimizePortfolio"]) == len(cases)
    for case, response in zip(cases, printed["OptimizePortfolio"], strict=True):
        settings = flat(case)
        frame = pd.DataFrame(settings.pop("prices_or_returns"))
        bounds = (None, settings.pop("upper_bounds")) if "upper_bounds" in settings else None
        with hftlab.using("local"):
            local = hftlab.optimize_portfolio(frame, bounds=bounds, **settings)
        assert local.status == "optimal", local.reason
        assert_same_series(response["weights"], local.weights)
        assert_same_series(response["risk_contributions"], local.risk_contributions)
        for name in ("expected_return", "volatility", "sharpe", "turnover", "transaction_cost"):
            assert node_bits([response[name]]) == bits([getattr(local, name)]), name
        for name in ("method", "status", "reason", "solver"):
            assert response[name] == getattr(local, name), name
        assert int(response["iterations"]) == local.iterations
        if "upper_bounds" in case["constraints"]:  # a bound binds: a client that dropped it gets other weights
            upper = pd.Series(case["constraints"]["upper_bounds"])[local.weights.index]
            assert np.isclose(local.weights, upper, atol=1e-6).any()

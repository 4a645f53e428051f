"""Notebooks as tests: each runs under papermill on both backends with small parameters."""

from pathlib import Path

import pandas as pd
import pytest

import hftlab
from hftlab.reports import execute

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mean_reversion_runs(grpc_address, tmp_path_factory):
    out = tmp_path_factory.mktemp("nb")
    runs = {}
    for name, address in (("local", "local"), ("grpc", grpc_address)):
        runs[name] = execute(
            NOTEBOOKS / "01_mean_reversion.ipynb",
            out / f"01_{name}.ipynb",
            {"backend": address, "n_obs": 300, "lookback": 15},
        )
    return runs


def test_mean_reversion_notebook_runs_on_both_backends(mean_reversion_runs):
    for run in mean_reversion_runs.values():
        assert run.status == "ok", run.error
        assert run.html.exists()
    assert mean_reversion_runs["local"].values == mean_reversion_runs["grpc"].values


def test_mean_reversion_notebook_values_match_the_library(mean_reversion_runs, tmp_path):
    values = mean_reversion_runs["local"].values
    # rebuild the notebook's synthetic data and compute in-process
    import numpy as np

    rng = np.random.default_rng(7)
    kappa, theta = np.log(2) / 10, 100.0
    phi = np.exp(-kappa)
    noise = rng.standard_normal(300) * np.sqrt((1 - phi**2) / (2 * kappa))
    x = np.empty(300)
    x[0] = theta
    for t in range(1, 300):
        x[t] = theta + phi * (x[t - 1] - theta) + noise[t]
    prices = pd.Series(x, index=pd.bdate_range("2024-01-01", periods=300))
    expected = hftlab.algo.zscore.mean_reversion(prices, lookback=15)
    assert values["last_zscore"] == expected.last_zscore
    assert values["n_entries"] == int(expected.entries.sum())
    assert values["half_life"] == expected.metrics["half_life"]
    assert 5 < values["half_life"] < 20

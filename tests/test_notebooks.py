"""Notebooks as tests: each runs under papermill on both backends with its golden parameters.

``tests/golden/<notebook>.json`` holds the small test parameters and the recorded values
the notebook must reproduce (``hftlab report --update-golden`` rewrites them on purpose).
Local and grpc runs must record identical values.
"""

from pathlib import Path

import pytest

from hftlab.workflows.golden import golden_differences, load_golden
from hftlab.workflows.reports import execute

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
GOLDEN = ROOT / "tests" / "golden"

pytestmark = pytest.mark.slow


def test_every_notebook_has_a_golden_file():
    missing = [nb.stem for nb in NOTEBOOKS if not (GOLDEN / f"{nb.stem}.json").exists()]
    assert not missing, f"no golden file for {missing}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook_matches_golden_on_both_backends(notebook, grpc_address, tmp_path):
    golden = load_golden(GOLDEN / f"{notebook.stem}.json")
    assert golden["values"], f"{notebook.stem}: golden values not recorded yet"
    runs = {
        name: execute(notebook, tmp_path / f"{name}.ipynb", {**golden["parameters"], "backend": address})
        for name, address in (("local", "local"), ("grpc", grpc_address))
    }
    for name, run in runs.items():
        assert run.status == "ok", f"{name}: {run.error}"
        assert run.html.exists()
    assert runs["local"].values == runs["grpc"].values
    differences = golden_differences(runs["local"].values, golden)
    assert not differences, "\n".join(differences)


def test_golden_comparison_catches_a_changed_number():
    golden = {"parameters": {}, "values": {"x": {"value": 1.0, "rtol": 1e-9}, "n": {"value": 3}}}
    assert golden_differences({"x": 1.0 + 1e-12, "n": 3}, golden) == []
    assert golden_differences({"x": 1.001, "n": 3}, golden) == [
        "x: got 1.001, golden 1.0 (rtol 1e-09, atol 0.0)"
    ]
    assert golden_differences({"x": 1.0, "n": 4, "extra": 0}, golden) == [
        "n: got 4, golden 3 (rtol 1e-07, atol 0.0)",
        "extra: recorded but not in the golden file (run --update-golden)",
    ]


def test_order_book_notebook_stops_when_its_sample_is_unavailable(tmp_path, monkeypatch):
    monkeypatch.setenv("HFTLAB_DATA_DIR", str(tmp_path / "empty"))
    notebook = ROOT / "notebooks" / "08_order_book.ipynb"
    run = execute(notebook, tmp_path / "out.ipynb", {"synthetic_messages": 300})
    assert run.status == "failed"
    assert "SampleUnavailable: sample 'lobster/AAPL_2012-06-21_34200000_57600000_message_10.csv'" in run.error
    assert "HFTLAB_DATA_DIR=" in run.error and "lobsterdata.com" in run.error
    assert "source" not in run.values


def test_order_book_notebook_on_synthetic_flow_says_so_and_misses_the_golden_values(tmp_path):
    notebook = ROOT / "notebooks" / "08_order_book.ipynb"
    run = execute(notebook, tmp_path / "out.ipynb", {"synthetic": True, "synthetic_messages": 300})
    assert run.status == "ok", run.error
    assert run.values["source"] == "SYNTHETIC order flow through the matching engine (seed 7)"
    assert "SYNTHETIC DATA: SYNTHETIC order flow" in run.html.read_text()
    differences = golden_differences(run.values, load_golden(GOLDEN / f"{notebook.stem}.json"))
    assert "source: got 'SYNTHETIC order flow through the matching engine (seed 7)'" in "\n".join(differences)

"""``hftlab report``: a matrix of parameter sets x backends on Dask, an index a person can read."""

from pathlib import Path

import nbformat
import pytest

from hftlab.cli import main
from hftlab.errors import InvalidInput
from hftlab.workflows.reports import execute, load_matrix, run_reports

pytestmark = pytest.mark.slow


def _notebook(path: Path, body: str) -> Path:
    nb = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell("backend = 'local'\nscale = 1.0")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory, grpc_address):
    root = tmp_path_factory.mktemp("report")
    good = _notebook(
        root / "good.ipynb",
        "import hftlab\nhftlab.use(backend)\n"
        "result = hftlab.mean_reversion([10 + (i % 7) * scale + i / 50 for i in range(60)], lookback=5)\n"
        "hftlab.record('last_zscore', result.last_zscore)\nhftlab.record('scale', scale)",
    )
    bad = _notebook(root / "bad.ipynb", "x = 1\nraise RuntimeError('planted failure')")
    matrix = root / "reports.toml"
    matrix.write_text("[notebooks.good]\nunit = {}\ndouble = { scale = 2.0 }\n")
    index, runs = run_reports([str(good), str(bad)], out=root / "out", matrix_file=matrix, server=grpc_address)
    return index, runs, root


def test_every_notebook_parameter_set_and_backend_runs(report):
    _, runs, _ = report
    assert sorted((r.notebook, r.label, r.backend.split(":")[0]) for r in runs) == [
        ("bad", "default", "grpc"),
        ("bad", "default", "local"),
        ("good", "double", "grpc"),
        ("good", "double", "local"),
        ("good", "unit", "grpc"),
        ("good", "unit", "local"),
    ]
    good = [r for r in runs if r.notebook == "good"]
    assert all(r.status == "ok" and r.html.exists() for r in good)
    assert {r.label: r.values["scale"] for r in good} == {"unit": 1.0, "double": 2.0}
    by_label = {}
    for run in good:
        by_label.setdefault(run.label, []).append(run.values)
    assert all(a == b for a, b in by_label.values())


def test_index_shows_status_agreement_and_the_failing_cell(report):
    index, runs, _ = report
    page = index.read_text()
    assert "6 runs, 2 failed" in page
    assert page.count(">agree<") == 4 and "DIFFER" not in page
    # cells counted in the executed notebook (papermill injects a parameters cell)
    assert "cell 2 failed:" in page and "RuntimeError: planted failure" in page
    assert "raise RuntimeError(&#x27;planted failure&#x27;)" in page
    for run in runs:
        assert f"href='{run.html.name}'" in page


def test_index_renders_in_a_browser(report, chromium):
    from playwright.sync_api import sync_playwright

    index, _, _ = report
    shot = Path(__file__).resolve().parents[1] / "reports" / "report_index.png"
    shot.parent.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(index.as_uri())
            assert page.locator("#runs tr").count() == 7  # header + six runs
            assert "6 runs, 2 failed" in page.inner_text("#summary")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000


CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def test_cli_exit_code_is_non_zero_on_failure(report, grpc_address, tmp_path):
    _, _, root = report
    status = main(["report", str(root / "bad.ipynb"), "--out", str(tmp_path), "--backends", "local"])
    assert status == 1


def test_a_failing_magic_fails_the_notebook(tmp_path):
    body = "%load_ext hftlab\n%hftlab use grpc://127.0.0.1:1\nimport hftlab\nhftlab.record('went_on', 1)"
    run = execute(_notebook(tmp_path / "magic.ipynb", body), tmp_path / "out.ipynb", {})
    assert run.status == "failed"
    assert "BackendUnavailable: no hftlab server serving at grpc://127.0.0.1:1 (health check" in run.error
    assert run.values == {}  # the notebook stopped at the magic


def test_bad_matrix_names_the_problem(tmp_path):
    bad = tmp_path / "reports.toml"
    bad.write_text("[notebooks.good]\nunit = 3\n")
    with pytest.raises(InvalidInput, match=r"\[notebooks\.good\] must map labels"):
        load_matrix(bad, [tmp_path / "good.ipynb"])
    assert load_matrix(None, [tmp_path / "x.ipynb"]) == {"x": {"default": {}}}

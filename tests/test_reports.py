"""``hftlab report``: a matrix of parameter sets x backends on Dask, an index a person can read,
pages that render offline."""

import re
from pathlib import Path

import nbformat
import pytest
from jupyter_core.utils import ensure_event_loop

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


GOOD = """import hftlab
import plotly.graph_objects as go
import plotly.io as pio
pio.renderers.default = "plotly_mimetype+notebook"  # as the notebooks do: plotly.js inside the output
hftlab.use(backend)
prices = [10 + (i % 7) * scale + i / 50 for i in range(60)]
result = hftlab.mean_reversion(prices, lookback=5)
go.Figure([go.Scatter(y=prices, line_color="#123456"), go.Bar(y=[1, 2])]).show()
go.Figure(go.Scatter(y=[3, 1, 2])).show()
hftlab.record('last_zscore', result.last_zscore)
hftlab.record('scale', scale)
hftlab.record('third', 1 / 3)"""


@pytest.fixture(scope="module")
def report(tmp_path_factory, grpc_address):
    root = tmp_path_factory.mktemp("report")
    good = _notebook(root / "good.ipynb", GOOD)
    bad = _notebook(root / "bad.ipynb", "x = 1\nraise RuntimeError('planted failure')")
    matrix = root / "reports.toml"
    matrix.write_text("[notebooks.good]\nunit = {}\ndouble = { scale = 2.0 }\n")
    ensure_event_loop()  # as a notebook run in this process leaves it: the runs must not share its loop
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
    assert page.count(">agree<") == 2 and "DIFFER" not in page
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
            rows = page.locator("#runs > tbody > tr")
            assert rows.count() == 4  # header + one row per notebook and parameter set
            assert "6 runs, 2 failed" in page.inner_text("#summary")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000


CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def test_one_row_per_notebook_and_parameter_set_with_the_backends_side_by_side(report):
    index, _, _ = report
    page = index.read_text()
    heads = re.findall(r"<th>([^<]*)</th>", page.split("<tr>", 2)[1])
    assert heads == [
        "notebook",
        "parameters",
        "first figure",
        "local",
        "grpc",
        "local vs grpc",
        "recorded values",
    ]
    rows = page.split("<table id='runs'>")[1].split("</table></body>")[0].split("<tr><td><b>")[1:]
    assert [row.split("<")[0] for row in rows] == ["bad", "good", "good"]
    good = rows[1]
    assert good.count(">ok</b></a>") == 2  # local and grpc in the same row
    assert "<th>third</th><td>0.333333</td>" in good  # the cards' format, not 16 digits
    # the first figure's first subplot as an inline SVG: its line in its own colour, its bars
    thumb = re.search(r"<svg class='thumb'.*?</svg>", good).group(0)
    assert "stroke='#123456'" in thumb and thumb.count("<rect") == 2
    assert rows[0].count(">failed</b></a>") == 2 and "<svg class='thumb'" not in rows[0]


def test_pages_are_small_and_load_nothing_from_the_network(report):
    _, runs, root = report
    out = root / "out"
    assert [p.name for p in out.glob("*.js")] == ["plotly.min.js"]  # once per folder
    for run in runs:
        page = run.html.read_text()
        assert not re.search(r"<(script|link)[^>]*(src|href)=[\"']?(https?:)?//", page), run.html.name
        assert "cdn" not in " ".join(re.findall(r"<script[^>]*>", page))
    good = next(run for run in runs if run.notebook == "good")
    page = good.html.read_text()
    assert len(re.findall(r"<script[^>]*src=\"plotly.min.js\"", page)) == 1
    assert page.count('class="plotly-graph-div"') == 2
    # plotly.js (4.8 MB) is neither in the page nor in the executed notebook
    assert good.html.stat().st_size < 600_000 and good.output.stat().st_size < 100_000
    assert "window.PlotlyConfig" not in good.output.read_text()


def test_pages_render_their_figures_offline(report, chromium):
    from playwright.sync_api import sync_playwright

    _, runs, _ = report
    good = next(run for run in runs if run.notebook == "good" and run.backend.startswith("grpc"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            requested = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto(good.html.as_uri())
            page.wait_for_selector(".plotly-graph-div .main-svg", timeout=20_000)
            assert page.locator(".plotly-graph-div .main-svg").count() >= 2
        finally:
            browser.close()
    assert requested and all(url.startswith(("file:", "data:")) for url in requested), requested


def test_cli_says_where_parameter_sets_come_from_and_is_quiet(report, tmp_path, monkeypatch, capfd):
    _, _, root = report
    monkeypatch.chdir(tmp_path)
    status = main(["report", str(root / "bad.ipynb"), "--out", str(tmp_path / "out"), "--backends", "local"])
    assert status == 1
    err = capfd.readouterr().err
    assert "no reports.toml: every notebook runs once with its own default parameters" in err
    assert "1 run(s) failed: bad (local)" in err
    for noise in ("without encryption", "nanny", "Traceback"):
        assert noise not in err
    (tmp_path / "reports.toml").write_text("[notebooks.bad]\ntwice = {}\n")
    assert main(["report", str(root / "bad.ipynb"), "--out", str(tmp_path / "o2"), "--backends", "local"]) == 1
    assert f"parameter sets from {tmp_path / 'reports.toml'}" in capfd.readouterr().err
    assert main(["report", str(root / "bad.ipynb"), "--matrix", "missing.toml", "--backends", "local"]) == 2
    assert "no parameter sets file 'missing.toml'" in capfd.readouterr().err


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
    with pytest.raises(InvalidInput, match="no parameter sets file"):
        load_matrix(tmp_path / "missing.toml", [tmp_path / "x.ipynb"])

"""Notebooks as reports: recorded values and the ``hftlab report`` runner.

A notebook records its key numbers with :func:`record`; they are stored in the
executed notebook as a display output of MIME type
``application/vnd.hftlab.record+json`` (with a plain-text twin for people), so
:func:`recorded_values` reads them back without parsing text.

:func:`run_reports` executes notebooks with papermill (cells tagged
``parameters`` take the injected values) once per backend, converts each to
HTML with nbconvert and writes an index page.
"""

from __future__ import annotations

import html
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RECORD_MIME = "application/vnd.hftlab.record+json"
DEFAULT_RTOL = 1e-7


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"record() takes JSON-able values; got {type(value).__name__}")


def record(name: str, value: Any) -> None:
    """Record ``value`` under ``name`` in the executing notebook's outputs.

    Values must be JSON-able (numbers, strings, lists, dicts; numpy scalars and
    arrays are converted; non-finite floats are stored as ``"nan"``/``"inf"``).
    """
    from IPython.display import display

    value = _jsonable(value)
    display({RECORD_MIME: {name: value}, "text/plain": f"{name} = {value!r}"}, raw=True)


def recorded_values(notebook: str | Path | Any) -> dict[str, Any]:
    """The values recorded by an executed notebook (path or ``nbformat`` node)."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4) if isinstance(notebook, (str, Path)) else notebook
    values: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RECORD_MIME in data:
                values.update(data[RECORD_MIME])
    return values


@dataclass
class Run:
    """One notebook executed on one backend."""

    notebook: str
    backend: str
    output: Path
    html: Path
    status: str = "pending"
    seconds: float = 0.0
    values: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def execute(notebook: Path, output: Path, parameters: dict[str, Any]) -> Run:
    """Execute one notebook with papermill and convert it to HTML; never raises."""
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    run = Run(notebook.stem, str(parameters.get("backend", "local")), output, output.with_suffix(".html"))
    started = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(notebook), str(output), parameters=parameters, progress_bar=False,
            cwd=str(notebook.parent),
        )
        run.status = "ok"
    except Exception as exc:
        run.status = "failed"
        run.error = f"{type(exc).__name__}: {exc}"
    run.seconds = time.perf_counter() - started
    if output.exists():
        nb = nbformat.read(str(output), as_version=4)
        run.values = recorded_values(nb)
        body, _ = HTMLExporter().from_notebook_node(nb)
        run.html.write_text(body)
    return run


def run_reports(
    notebooks: list[str] | None = None,
    out: str | Path = "reports",
    backends: list[str] | tuple[str, ...] = ("local", "grpc"),
    notebook_dir: str | Path = "notebooks",
) -> tuple[Path, list[Run]]:
    """Execute notebooks on each backend; write ``out/index.html``; return it and the runs.

    With ``"grpc"`` among ``backends`` a server is started on a free loopback
    port for the duration and stopped after.
    """
    from tqdm.auto import tqdm

    from hftlab.errors import InvalidInput
    from hftlab.rpc.server import ServerProcess

    paths = [Path(n) for n in notebooks] if notebooks else sorted(Path(notebook_dir).glob("*.ipynb"))
    if not paths:
        raise InvalidInput(f"'notebooks': no notebook found in {str(notebook_dir)!r}.")
    for path in paths:
        if not path.is_file():
            raise InvalidInput(f"'notebooks': {str(path)!r} does not exist.")
    for name in backends:
        if name not in ("local", "grpc"):
            raise InvalidInput(f"'backends' must be 'local' and/or 'grpc'; got {name!r}.")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    with ServerProcess() if "grpc" in backends else _nothing() as server:
        jobs = [(path, name) for path in paths for name in backends]
        for path, name in tqdm(jobs, desc="notebooks", unit="run"):
            address = server.address if name == "grpc" else "local"
            runs.append(execute(path, out / f"{path.stem}__{name}.ipynb", {"backend": address}))
    index = out / "index.html"
    index.write_text(_index_page(runs))
    return index, runs


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc_info):
        return None


def _agreement(runs: list[Run]) -> dict[str, str]:
    by_notebook: dict[str, dict[str, dict]] = {}
    for run in runs:
        by_notebook.setdefault(run.notebook, {})[run.backend.split(":")[0]] = run.values
    verdict = {}
    for notebook, values in by_notebook.items():
        if len(values) < 2:
            verdict[notebook] = "n/a"
        else:
            first, *rest = values.values()
            verdict[notebook] = "agree" if all(r == first for r in rest) else "DIFFER"
    return verdict


def _index_page(runs: list[Run]) -> str:
    agreement = _agreement(runs)
    rows = []
    for run in runs:
        values = "<br>".join(
            f"{html.escape(k)} = {html.escape(json.dumps(val)[:80])}" for k, val in run.values.items()
        )
        colour = "#2e7d32" if run.status == "ok" else "#c62828"
        error = f"<pre>{html.escape(run.error[-3000:])}</pre>" if run.error else ""
        rows.append(
            f"<tr><td><a href='{run.html.name}'>{html.escape(run.notebook)}</a></td>"
            f"<td>{html.escape(run.backend)}</td>"
            f"<td style='color:{colour}'><b>{run.status}</b>{error}</td>"
            f"<td>{run.seconds:.1f} s</td><td>{agreement[run.notebook]}</td>"
            f"<td style='font-size:85%'>{values}</td></tr>"
        )
    failed = sum(run.status != "ok" for run in runs)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>hftlab report</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:6px;vertical-align:top}</style></head><body>"
        f"<h1>hftlab report</h1><p>{len(runs)} runs, {failed} failed, "
        f"generated {time.strftime('%Y-%m-%d %H:%M:%S')}</p>"
        "<table><tr><th>notebook</th><th>backend</th><th>status</th><th>time</th>"
        f"<th>local vs grpc</th><th>recorded values</th></tr>{''.join(rows)}</table></body></html>"
    )


# ---------------------------------------------------------------- golden values
#
# tests/golden/<notebook stem>.json = {"parameters": {...small test parameters...},
#   "values": {name: {"value": v, "rtol": r, "atol": a}}}: the recorded values a
# notebook must reproduce for its test parameters. Numbers compare within
# rtol/atol (default rtol 1e-7, atol 0), lists element-wise, everything else exactly.


def load_golden(path: str | Path) -> dict[str, Any]:
    """Read a golden file (see above); a missing ``values`` table means "not yet recorded"."""
    golden = json.loads(Path(path).read_text())
    golden.setdefault("parameters", {})
    golden.setdefault("values", {})
    return golden


def _close(actual: Any, expected: Any, rtol: float, atol: float) -> bool:
    if isinstance(expected, bool) or not isinstance(expected, (int, float, list)):
        return actual == expected
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_close(a, e, rtol, atol) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        return False
    return math.isclose(actual, expected, rel_tol=rtol, abs_tol=atol)


def golden_differences(values: dict[str, Any], golden: dict[str, Any]) -> list[str]:
    """Readable lines, one per recorded value that is missing or off its golden value."""
    lines = []
    for name, spec in golden["values"].items():
        if name not in values:
            lines.append(f"{name}: not recorded (golden {spec['value']!r})")
            continue
        rtol, atol = spec.get("rtol", DEFAULT_RTOL), spec.get("atol", 0.0)
        if not _close(values[name], spec["value"], rtol, atol):
            lines.append(
                f"{name}: got {values[name]!r}, golden {spec['value']!r} (rtol {rtol}, atol {atol})"
            )
    for name in sorted(set(values) - set(golden["values"])):
        lines.append(f"{name}: recorded but not in the golden file (run --update-golden)")
    return lines


def update_golden(path: str | Path, values: dict[str, Any]) -> None:
    """Rewrite the golden ``values`` of ``path`` from ``values``, keeping each tolerance."""
    path = Path(path)
    golden = load_golden(path)
    golden["values"] = {
        name: {**golden["values"].get(name, {}), "value": value} for name, value in values.items()
    }
    path.write_text(json.dumps(golden, indent=2, sort_keys=True) + "\n")

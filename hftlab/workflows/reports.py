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

import contextlib
import html
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RECORD_MIME = "application/vnd.hftlab.record+json"


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
    label: str = "default"
    parameters: dict[str, Any] = field(default_factory=dict)
    status: str = "pending"
    seconds: float = 0.0
    values: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def _failure(exc: Exception) -> str:
    """The failing cell and its traceback (papermill's error), without terminal colours."""
    import re

    text = f"{type(exc).__name__}: {exc}"
    if hasattr(exc, "cell_index") and hasattr(exc, "traceback"):
        source = getattr(exc, "source", "")
        trace = "\n".join(exc.traceback)
        text = f"cell {exc.cell_index} failed:\n{source}\n\n{exc.ename}: {exc.evalue}\n{trace}"
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def execute(notebook: Path, output: Path, parameters: dict[str, Any], label: str = "default") -> Run:
    """Execute one notebook with papermill and convert it to HTML; never raises."""
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    run = Run(
        notebook.stem,
        str(parameters.get("backend", "local")),
        output,
        output.with_suffix(".html"),
        label=label,
        parameters=dict(parameters),
    )
    started = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            progress_bar=False,
            cwd=str(notebook.parent),
        )
        run.status = "ok"
    except Exception as exc:
        run.status = "failed"
        run.error = _failure(exc)
    run.seconds = time.perf_counter() - started
    if output.exists():
        nb = nbformat.read(str(output), as_version=4)
        run.values = recorded_values(nb)
        body, _ = HTMLExporter().from_notebook_node(nb)
        run.html.write_text(body)
    return run


def load_matrix(path: str | Path | None, notebooks: list[Path]) -> dict[str, dict[str, dict[str, Any]]]:
    """Parameter sets per notebook from ``reports.toml``: ``{stem: {label: parameters}}``.

    ``reports.toml``::

        [notebooks.01_mean_reversion]
        default = {}
        fast_bands = { lookback = 10, entry_z = 1.5 }

    A notebook without a table runs once with its own defaults (label ``default``).
    """
    import tomllib

    from hftlab.errors import InvalidInput

    table: dict[str, Any] = {}
    if path is not None and Path(path).exists():
        try:
            table = tomllib.loads(Path(path).read_text()).get("notebooks", {})
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(f"'reports.toml' is not valid TOML: {exc}") from None
    stems = {nb.stem for nb in notebooks}
    matrix = {}
    for stem in stems:
        sets = table.get(stem, {"default": {}})
        if not isinstance(sets, dict) or not all(isinstance(v, dict) for v in sets.values()):
            raise InvalidInput(f"'reports.toml' [notebooks.{stem}] must map labels to parameter tables.")
        matrix[stem] = sets
    return matrix


def run_reports(
    notebooks: list[str] | None = None,
    out: str | Path = "reports",
    backends: list[str] | tuple[str, ...] = ("local", "grpc"),
    notebook_dir: str | Path = "notebooks",
    matrix_file: str | Path | None = "reports.toml",
    scheduler: str | None = None,
    server: str | None = None,
) -> tuple[Path, list[Run]]:
    """Execute notebooks x parameter sets x backends on Dask; write ``out/index.html``.

    Runs go to a ``dask.distributed`` cluster: a ``LocalCluster`` (two single-threaded
    workers: each run drives its own kernel process) unless ``scheduler`` gives an
    existing one (its workers must see the same files). With ``"grpc"`` among
    ``backends`` and no ``server`` address, a server is started on a free loopback
    port for the duration. Returns the index path and the runs.
    """
    from dask.distributed import Client, LocalCluster, as_completed
    from tqdm.auto import tqdm

    from hftlab.errors import InvalidInput
    from hftlab.server import ServerProcess

    paths = [Path(n) for n in notebooks] if notebooks else sorted(Path(notebook_dir).glob("*.ipynb"))
    if not paths:
        raise InvalidInput(f"'notebooks': no notebook found in {str(notebook_dir)!r}.")
    for path in paths:
        if not path.is_file():
            raise InvalidInput(f"'notebooks': {str(path)!r} does not exist.")
    for name in backends:
        if name not in ("local", "grpc"):
            raise InvalidInput(f"'backends' must be 'local' and/or 'grpc'; got {name!r}.")
    matrix = load_matrix(matrix_file, paths)
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    need_server = "grpc" in backends and server is None
    with ServerProcess() if need_server else contextlib.nullcontext() as started:
        address = server or (started.address if started else "")
        jobs = [
            (
                path.resolve(),
                label,
                {**parameters, "backend": address if name == "grpc" else "local"},
                out / f"{path.stem}__{label}__{name}.ipynb",
            )
            for path in paths
            for label, parameters in matrix[path.stem].items()
            for name in backends
        ]
        cluster = (
            None
            if scheduler
            else LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        )
        with Client(scheduler or cluster) as client:
            futures = [
                client.submit(execute, path, output, parameters, label, pure=False)
                for path, label, parameters, output in jobs
            ]
            for future in tqdm(as_completed(futures), total=len(futures), desc="notebooks", unit="run"):
                runs.append(future.result())
        if cluster is not None:
            cluster.close()
    runs.sort(key=lambda run: (run.notebook, run.label, run.backend != "local"))
    index = out / "index.html"
    index.write_text(_index_page(runs))
    return index, runs


def _agreement(runs: list[Run]) -> dict[tuple[str, str], str]:
    """Per notebook and parameter set: do the backends' recorded values agree exactly?"""
    groups: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        groups.setdefault((run.notebook, run.label), []).append(run)
    verdict = {}
    for key, group in groups.items():
        done = [run.values for run in group if run.status == "ok"]
        if len(group) < 2 or len(done) < len(group):
            verdict[key] = "n/a"
        else:
            verdict[key] = "agree" if all(values == done[0] for values in done[1:]) else "DIFFER"
    return verdict


def _index_page(runs: list[Run]) -> str:
    agreement = _agreement(runs)
    rows = []
    for run in runs:
        values = "<br>".join(
            f"{html.escape(k)} = {html.escape(json.dumps(val)[:80])}" for k, val in run.values.items()
        )
        colour = "#2e7d32" if run.status == "ok" else "#c62828"
        error = f"<pre class='error'>{html.escape(run.error[-4000:])}</pre>" if run.error else ""
        verdict = agreement[(run.notebook, run.label)]
        verdict_colour = {"agree": "#2e7d32", "DIFFER": "#c62828"}.get(verdict, "#777")
        backend = "grpc" if run.backend.startswith("grpc") else run.backend
        rows.append(
            f"<tr><td><a href='{run.html.name}'>{html.escape(run.notebook)}</a></td>"
            f"<td title='{html.escape(json.dumps(run.parameters))}'>{html.escape(run.label)}</td>"
            f"<td>{html.escape(backend)}</td>"
            f"<td style='color:{colour}'><b>{run.status}</b>{error}</td>"
            f"<td>{run.seconds:.1f} s</td><td style='color:{verdict_colour}'>{verdict}</td>"
            f"<td class='values'>{values}</td></tr>"
        )
    failed = sum(run.status != "ok" for run in runs)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>hftlab report</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:6px;vertical-align:top}th{background:#f4f4f4}"
        ".values{font-size:85%}.error{max-width:60em;white-space:pre-wrap;font-size:80%}</style>"
        "</head><body>"
        f"<h1>hftlab report</h1><p id='summary'>{len(runs)} runs, {failed} failed, "
        f"generated {time.strftime('%Y-%m-%d %H:%M:%S')}</p>"
        "<table id='runs'><tr><th>notebook</th><th>parameters</th><th>backend</th><th>status</th>"
        f"<th>time</th><th>local vs grpc</th><th>recorded values</th></tr>{''.join(rows)}</table>"
        "</body></html>"
    )

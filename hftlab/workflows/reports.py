"""Notebooks as reports: recorded values and the ``hftlab report`` runner.

A notebook records its key numbers with :func:`record`; they are stored in the
executed notebook as a display output of MIME type
``application/vnd.hftlab.record+json`` (with a plain-text twin for people), so
:func:`recorded_values` reads them back without parsing text.

:func:`run_reports` executes notebooks with papermill (cells tagged
``parameters`` take the injected values) once per backend and parameter set, keeps
each executed notebook and its offline HTML page (:mod:`hftlab.workflows.report_pages`)
and writes an index page (:mod:`hftlab.workflows.report_index`).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
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
    """One notebook executed on one backend (``thumbnail``: SVG of its first figure)."""

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
    thumbnail: str = ""


def _failure(exc: Exception) -> str:
    """The failing cell and its traceback (papermill's error), without terminal colours."""
    import re

    text = f"{type(exc).__name__}: {exc}"
    if hasattr(exc, "cell_index") and hasattr(exc, "traceback"):
        source = getattr(exc, "source", "")
        trace = "\n".join(exc.traceback)
        text = f"cell {exc.cell_index} failed:\n{source}\n\n{exc.ename}: {exc.evalue}\n{trace}"
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
"""The kernel logs errors only: not its warning that a local kernel talks over plain TCP."""


def execute(notebook: Path, output: Path, parameters: dict[str, Any], label: str = "default") -> Run:
    """Execute one notebook with papermill; keep it slim (:func:`~report_pages.slim`) with
    its offline HTML page beside it (and ``plotly.min.js`` once per folder). Never raises.

    The kernel starts in the notebook's folder (nbclient's ``resources`` path, not
    papermill's ``cwd``, which changes the whole process' directory: runs share a process),
    and the run has an event loop of its own (a fresh ``contextvars`` context).
    """
    import nbformat
    import papermill

    from hftlab.workflows import report_index, report_pages

    run = Run(
        notebook.stem,
        str(parameters.get("backend", "local")),
        output,
        output.with_suffix(".html"),
        label=label,
        parameters=dict(parameters),
    )
    started = time.perf_counter()
    try:  # in a context of its own: jupyter_core keeps its event loop in a context variable, and
        # Dask runs tasks in a copy of the submitter's context (two runs would share one loop)
        contextvars.Context().run(
            papermill.execute_notebook,
            str(notebook),
            str(output),
            parameters=parameters,
            progress_bar=False,
            store_widget_state=False,
            extra_arguments=KERNEL_ARGUMENTS,
            resources={"metadata": {"path": str(notebook.parent)}},
        )
        run.status = "ok"
    except Exception as exc:
        run.status = "failed"
        run.error = _failure(exc)
    if output.exists():
        nb = report_pages.slim(nbformat.read(str(output), as_version=4))
        nbformat.write(nb, str(output))
        run.values = recorded_values(nb)
        run.thumbnail = next(filter(None, map(report_index.thumbnail, report_pages.figures(nb))), "")
        run.html.write_text(report_pages.notebook_html(nb), encoding="utf-8")
        report_pages.write_plotly_js(output.parent)
    run.seconds = time.perf_counter() - started
    return run


def load_matrix(path: str | Path | None, notebooks: list[Path]) -> dict[str, dict[str, dict[str, Any]]]:
    """Parameter sets per notebook from ``reports.toml``: ``{stem: {label: parameters}}``.

    ``reports.toml``::

        [notebooks.01_mean_reversion]
        default = {}
        fast_bands = { lookback = 10, entry_z = 1.5 }

    A notebook without a table runs once with its own defaults (label ``default``), and
    so does every notebook when ``path`` is None. A ``path`` that does not exist raises.
    """
    import tomllib

    from hftlab.errors import InvalidInput

    table: dict[str, Any] = {}
    if path is not None:
        if not Path(path).is_file():
            raise InvalidInput(f"'matrix': no parameter sets file {str(path)!r}.")
        try:
            table = tomllib.loads(Path(path).read_text()).get("notebooks", {})
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(f"'reports.toml' is not valid TOML: {exc}") from None
    matrix = {}
    for stem in {nb.stem for nb in notebooks}:
        sets = table.get(stem, {"default": {}})
        if not isinstance(sets, dict) or not all(isinstance(v, dict) for v in sets.values()):
            raise InvalidInput(f"'reports.toml' [notebooks.{stem}] must map labels to parameter tables.")
        matrix[stem] = sets
    return matrix


def matrix_note(path: str | Path | None) -> str:
    """What the parameter sets of a report come from, in words (the index and the CLI say it)."""
    if path is None:
        return "no reports.toml: every notebook runs once with its own default parameters"
    return f"parameter sets from {Path(path).resolve()} (a notebook it does not list: its defaults)"


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

    ``matrix_file`` None: no parameter sets (each notebook with its defaults). Runs go to a
    ``dask.distributed`` cluster: by default one in this process with two threads (a run
    waits on its own kernel process, so threads run two notebooks at once without
    starting worker processes), or the cluster at ``scheduler`` (its workers must see
    the same files). With ``"grpc"`` among ``backends`` and no ``server`` address, a
    server is started on a free loopback port while the local runs already go. Returns
    the index path and the runs.
    """
    from dask.distributed import Client, LocalCluster, as_completed
    from tqdm.auto import tqdm

    from hftlab.errors import InvalidInput
    from hftlab.server import ServerProcess
    from hftlab.workflows.report_index import index_page

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

    def jobs(name: str, address: str) -> list[tuple[Path, Path, dict[str, Any], str]]:
        """``execute``'s arguments of each run on backend ``name``."""
        return [
            (
                path.resolve(),
                out / f"{path.stem}__{label}__{name}.ipynb",
                {**parameters, "backend": address},
                label,
            )
            for path in paths
            for label, parameters in matrix[path.stem].items()
        ]

    cluster = (
        None
        if scheduler
        else LocalCluster(
            n_workers=1,
            threads_per_worker=2,
            processes=False,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    )
    with Client(scheduler or cluster) as client:

        def submit(batch: list[tuple[Path, Path, dict[str, Any], str]]) -> list:
            return [client.submit(execute, *job, pure=False) for job in batch]

        futures = submit(jobs("local", "local")) if "local" in backends else []
        with ServerProcess() if "grpc" in backends and server is None else contextlib.nullcontext() as started:
            if "grpc" in backends:
                futures += submit(jobs("grpc", server or started.address))
            bar = tqdm(as_completed(futures), total=len(futures), desc="notebooks", unit="run")
            runs = [future.result() for future in bar]
    if cluster is not None:
        cluster.close()
    order = {name: i for i, name in enumerate(backends)}
    runs.sort(
        key=lambda run: (run.notebook, run.label, order["grpc" if run.backend.startswith("grpc") else "local"])
    )
    index = out / "index.html"
    index.write_text(index_page(runs, list(backends), matrix_note(matrix_file)), encoding="utf-8")
    return index, runs

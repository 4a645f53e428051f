"""``%%hftlab compare``: run a cell on each backend and list every result that differs.

The cell runs once per backend in the user's namespace; the values it binds (and
the value of its last expression, ``Out``) are kept after each run and compared
exactly with :func:`hftlab.differences` (floats bit for bit). After a normal run
the list is empty: the server computes with the same code.
"""

from __future__ import annotations

import ast
import dataclasses
import html
import time
import types
from typing import Any

import numpy as np
import pandas as pd

import hftlab
from hftlab.backends import Backend
from hftlab.results import differences

_DATA = (
    bool,
    int,
    float,
    complex,
    str,
    bytes,
    type(None),
    np.generic,
    np.ndarray,
    pd.Series,
    pd.DataFrame,
    pd.Index,
    list,
    tuple,
    dict,
)


@dataclasses.dataclass
class Comparison:
    """What ``%%hftlab compare`` found.

    Attributes
    ----------
    backends : list of str
        Addresses of the backends, in the order the cell ran.
    seconds : list of float
        Wall time of the cell on each.
    compared : list of str
        Names whose values were compared (``Out`` = the last expression).
    differences : list of (name, path, what)
        Every difference, against the first backend.
    skipped : list of str
        Names bound by the cell that are not data (figures, widgets...): not compared.
    """

    backends: list[str]
    seconds: list[float]
    compared: list[str]
    differences: list[tuple[str, str, str]]
    skipped: list[str]

    @property
    def identical(self) -> bool:
        return not self.differences

    def table(self) -> pd.DataFrame:
        """The differences as a table (empty when the backends agree)."""
        return pd.DataFrame(self.differences, columns=["name", "where", "difference"])

    def _headline(self) -> str:
        times = " · ".join(f"{b}: {s * 1e3:,.1f} ms" for b, s in zip(self.backends, self.seconds, strict=True))
        verdict = (
            f"identical ({len(self.compared)} values compared)"
            if self.identical
            else f"{len(self.differences)} difference(s) in {len(self.compared)} values"
        )
        return f"{verdict} — {times}"

    def __repr__(self) -> str:
        lines = [self._headline()]
        lines += [f"  {name}: {where}: {what}" for name, where, what in self.differences]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = "#2e7d32" if self.identical else "#c62828"
        rows = "".join(
            f"<tr><td>{html.escape(b)}</td><td style='text-align:right'>{s * 1e3:,.1f} ms</td></tr>"
            for b, s in zip(self.backends, self.seconds, strict=True)
        )
        parts = [
            f"<div><b style='color:{colour}'>{'identical' if self.identical else 'DIFFERENT'}</b> "
            f"<small>{len(self.compared)} value(s) compared: {html.escape(', '.join(self.compared))}</small>",
            f"<table style='font-size:90%'><tr><th>backend</th><th>wall time</th></tr>{rows}</table>",
        ]
        if self.differences:
            parts.append(self.table().to_html(index=False, border=0))
        if self.skipped:
            parts.append(f"<small>not compared (not data): {html.escape(', '.join(self.skipped))}</small>")
        return "".join(parts) + "</div>"


def _is_data(value: Any) -> bool:
    return isinstance(value, _DATA) or (dataclasses.is_dataclass(value) and not isinstance(value, type))


def run_source(source: str, namespace: dict[str, Any]) -> Any:
    """Execute ``source`` in ``namespace``; return the value of its last expression (or ``None``)."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<hftlab compare>", "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<hftlab compare>", "eval"), namespace)


def _bound(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        name: value
        for name, value in after.items()
        if not name.startswith("_")
        and (name not in before or before[name] is not value)
        and not isinstance(value, (types.ModuleType, types.FunctionType, type))
    }


def _diff(name: str, left: Any, right: Any) -> list[tuple[str, str, str]]:
    try:
        return [(name, path, what) for path, what in differences(left, right, name)]
    except (TypeError, ValueError) as exc:
        return [(name, name, f"cannot be compared: {exc}")]


def compare_cell(source: str, namespace: dict[str, Any], backends: list[Backend]) -> Comparison:
    """Run ``source`` once per backend (in order) and compare what each run bound.

    The previously active backend is active again afterwards; the namespace
    keeps the values of the last run. An exception in a run is compared too
    (as ``raised``): raising on one backend only is a difference.
    """
    runs: list[dict[str, Any]] = []
    seconds: list[float] = []
    with hftlab.using(hftlab.backend()):
        for backend in backends:
            hftlab.use(backend)
            print(f"[{backend.address}]")
            before = dict(namespace)
            started = time.perf_counter()
            try:
                out = run_source(source, namespace)
                raised = None
            except Exception as exc:
                out, raised = None, f"{type(exc).__name__}: {exc}"
                print(f"  raised {raised}")
            seconds.append(time.perf_counter() - started)
            values = _bound(before, namespace)
            if out is not None:
                values["Out"] = out
            if raised is not None:
                values["raised"] = raised
            runs.append(values)
    first, *others = runs
    names = sorted(set().union(*runs))
    compared = [n for n in names if all(_is_data(run.get(n)) for run in runs)]
    found: list[tuple[str, str, str]] = []
    for name in compared:
        for other in others:
            if (name in first) != (name in other):
                found.append((name, name, "bound on one backend only"))
            else:
                found += _diff(name, first[name], other[name])
    return Comparison(
        backends=[b.address for b in backends],
        seconds=seconds,
        compared=compared,
        differences=found,
        skipped=[n for n in names if n not in compared],
    )

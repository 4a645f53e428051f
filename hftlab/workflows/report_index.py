"""The index page of ``hftlab report``: one row per notebook and parameter set.

Each row shows the backends side by side (status, time, a link to the page), whether
their recorded values agree exactly, the values once (formatted as the result cards
format them, :func:`hftlab.display.format_value`) and a thumbnail of the notebook's
first figure: an inline SVG drawn from the figure's JSON (:func:`thumbnail`), so the
page needs no script, no network and no browser to make it.
"""

from __future__ import annotations

import base64
import html
import json
import time
from typing import Any

import numpy as np
import pandas as pd

from hftlab.display import format_value

WIDTH, HEIGHT = 180, 90
"""Size of a thumbnail in pixels."""
_POINTS = 200
_COLOURS = ("#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692", "#B6E880")
_OK, _FAILED, _GREY = "#2e7d32", "#c62828", "#777"


def _array(values: Any) -> np.ndarray | None:
    """Numbers of a trace coordinate: plotly's typed array (``{"dtype", "bdata"}``), dates or a list."""
    if values is None:
        return None
    if isinstance(values, dict) and "bdata" in values:
        array = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
        return array.reshape(values["shape"]) if "shape" in values else array
    array = np.asarray(values)
    try:
        return array.astype(float)  # numbers (None: NaN)
    except (ValueError, TypeError):
        pass
    try:
        return pd.to_datetime(array, utc=True, format="ISO8601").asi8.astype(float)  # dates
    except (ValueError, TypeError):
        return np.arange(len(array), dtype=float)  # categories: their order


def _traces(figure: dict[str, Any]) -> list[tuple[str, np.ndarray, np.ndarray, str]]:
    """``(shape, x, y, colour)`` of the line, marker and bar traces of the first subplot
    (``shape``: ``line``, ``dots`` or ``bar``)."""
    layout = figure.get("layout", {})
    colourway = layout.get("colorway") or layout.get("template", {}).get("layout", {}).get("colorway")
    colourway = colourway or _COLOURS
    drawn = []
    for i, trace in enumerate(figure.get("data", [])):
        kind = trace.get("type", "scatter")
        if kind not in ("scatter", "scattergl", "bar") or trace.get("xaxis", "x") != "x":
            continue
        if trace.get("yaxis", "y") != "y" or trace.get("visible", True) is not True:
            continue
        y = _array(trace.get("y"))
        if y is None or y.ndim != 1 or len(y) == 0:
            continue
        x = _array(trace.get("x"))
        x = np.arange(len(y), dtype=float) if x is None or len(x) != len(y) else x.astype(float)
        colour = (trace.get("line") or {}).get("color") or (trace.get("marker") or {}).get("color")
        colour = colour if isinstance(colour, str) else colourway[i % len(colourway)]
        mode = trace.get("mode", "lines")
        shape = "bar" if kind == "bar" else "line" if "lines" in mode else "dots"
        drawn.append((shape, x, y.astype(float), colour))
    return drawn


def thumbnail(figure: dict[str, Any]) -> str:
    """An SVG picture of a plotly figure's first subplot; empty when it has nothing to draw."""
    traces = [(kind, x, y, c) for kind, x, y, c in _traces(figure) if np.isfinite(y).any()]
    if not traces:
        return ""
    xs = np.concatenate([x[np.isfinite(x)] for _, x, _, _ in traces])
    ys = np.concatenate([y[np.isfinite(y)] for _, _, y, _ in traces])
    if any(kind == "bar" for kind, _, _, _ in traces):
        ys = np.append(ys, 0.0)
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    sx = (WIDTH - 4) / ((x1 - x0) or 1.0)
    sy = (HEIGHT - 4) / ((y1 - y0) or 1.0)
    shapes = []
    for kind, x, y, colour in traces:
        keep = np.isfinite(x) & np.isfinite(y)
        x, y = x[keep], y[keep]
        if len(x) > _POINTS:
            pick = np.linspace(0, len(x) - 1, _POINTS).round().astype(int)
            x, y = x[pick], y[pick]
        px, py = 2 + (x - x0) * sx, HEIGHT - 2 - (y - y0) * sy
        if kind == "bar":
            base = HEIGHT - 2 - (0.0 - y0) * sy
            step = max((WIDTH - 4) / max(len(x), 1) * 0.7, 1.0)
            shapes += [
                f"<rect x='{a - step / 2:.1f}' y='{min(b, base):.1f}' width='{step:.1f}' "
                f"height='{abs(base - b):.1f}' fill='{html.escape(colour)}'/>"
                for a, b in zip(px, py, strict=True)
            ]
        elif kind == "dots":
            shapes += [
                f"<circle cx='{a:.1f}' cy='{b:.1f}' r='1.5' fill='{html.escape(colour)}'/>"
                for a, b in zip(px, py, strict=True)
            ]
        else:
            points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True))
            shapes.append(
                f"<polyline points='{points}' fill='none' stroke='{html.escape(colour)}' stroke-width='1.2'/>"
            )
    return (
        f"<svg class='thumb' width='{WIDTH}' height='{HEIGHT}' viewBox='0 0 {WIDTH} {HEIGHT}' "
        f"style='background:#fafafa;border:1px solid #eee'>{''.join(shapes)}</svg>"
    )


def _backend(run: Any) -> str:
    return "grpc" if run.backend.startswith("grpc") else run.backend


def _agreement(group: list[Any]) -> tuple[str, list[str]]:
    """``agree``/``DIFFER``/``n/a`` of the backends' recorded values, and the names that differ."""
    done = [run.values for run in group if run.status == "ok"]
    if len(group) < 2 or len(done) < len(group):
        return "n/a", []
    names = sorted({name for values in done for name in values})
    differ = [name for name in names if any(values.get(name) != done[0].get(name) for values in done[1:])]
    return ("DIFFER" if differ else "agree"), differ


def _run_cell(run: Any) -> str:
    colour = _OK if run.status == "ok" else _FAILED
    cell = (
        f"<a href='{html.escape(run.html.name)}' style='color:{colour}'><b>{run.status}</b></a>"
        f"&nbsp;{run.seconds:.1f}&nbsp;s"
    )
    if run.error:
        error = html.escape(run.error[-4000:])
        cell += f"<details><summary>error</summary><pre class='error'>{error}</pre></details>"
    return cell


def _values_cell(group: list[Any], differ: list[str]) -> str:
    shown = next((run.values for run in group if run.status == "ok"), {})
    rows = []
    for name, value in shown.items():
        if name in differ:
            text = " · ".join(f"{_backend(run)}: {format_value(run.values.get(name))}" for run in group)
            rows.append(f"<tr class='differ'><th>{html.escape(name)}</th><td>{html.escape(text)}</td></tr>")
        else:
            rows.append(f"<tr><th>{html.escape(name)}</th><td>{html.escape(format_value(value))}</td></tr>")
    return f"<table class='values'>{''.join(rows)}</table>" if rows else ""


def index_page(runs: list[Any], backends: list[str], matrix_note: str) -> str:
    """The HTML index of ``runs`` (each with ``notebook``, ``label``, ``backend``, ``status``…)."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for run in runs:
        groups.setdefault((run.notebook, run.label), []).append(run)
    rows = []
    for (notebook, label), group in groups.items():
        by_backend = {_backend(run): run for run in group}
        verdict, differ = _agreement(group)
        verdict_colour = {"agree": _OK, "DIFFER": _FAILED}.get(verdict, _GREY)
        picture = next((run.thumbnail for run in group if run.thumbnail), "")
        cells = "".join(
            f"<td>{_run_cell(by_backend[name])}</td>" if name in by_backend else "<td>—</td>"
            for name in backends
        )
        rows.append(
            f"<tr><td><b>{html.escape(notebook)}</b></td>"
            f"<td title='{html.escape(json.dumps(group[0].parameters))}'>{html.escape(label)}</td>"
            f"<td>{picture}</td>{cells}<td style='color:{verdict_colour}'><b>{verdict}</b></td>"
            f"<td>{_values_cell(group, differ)}</td></tr>"
        )
    failed = sum(run.status != "ok" for run in runs)
    heads = "".join(f"<th>{html.escape(name)}</th>" for name in backends)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>hftlab report</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "#runs>tbody>tr>td,#runs>tbody>tr>th{border:1px solid #ccc;padding:6px;vertical-align:top}"
        "#runs>tbody>tr>th{background:#f4f4f4}.values{font-size:85%}"
        ".values th{text-align:left;padding-right:8px;font-weight:600;color:#555}"
        ".values td{font-family:monospace}.differ{color:#c62828}"
        ".error{max-width:60em;white-space:pre-wrap;font-size:80%}</style></head><body>"
        f"<h1>hftlab report</h1><p id='summary'>{len(runs)} runs, {failed} failed · "
        f"{html.escape(matrix_note)} · generated {time.strftime('%Y-%m-%d %H:%M:%S')}</p>"
        f"<table id='runs'><tr><th>notebook</th><th>parameters</th><th>first figure</th>{heads}"
        f"<th>{' vs '.join(backends)}</th><th>recorded values</th></tr>{''.join(rows)}</table>"
        "</body></html>"
    )

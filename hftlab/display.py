"""Compact HTML of result dataclasses for notebooks (``Result._repr_html_``).

One small card per result: the scalar fields, then each dict of numbers (such as
``metrics``), as dense grids of name/value pairs; each array, Series or DataFrame as one line with
its type, shape, index span, an inline SVG sparkline and its last values; tables,
nested results and long lists folded in ``<details>`` so nothing floods the
notebook. Plain HTML and SVG (no scripts), so it renders the same in JupyterLab,
in nbconvert's HTML reports and on GitHub.
"""

from __future__ import annotations

import dataclasses
import html
import math
from typing import Any

import numpy as np
import pandas as pd

PREVIEW_ROWS = 5
"""Rows of a DataFrame shown when unfolded."""
SPARK_POINTS = 120
"""Points drawn by a sparkline (longer series are sampled evenly)."""
_PAIRS_PER_ROW = 3
_STYLE = "font-size:12px;line-height:1.35;max-width:980px"
_NAME = "color:#555;padding:1px 6px 1px 0;text-align:left;font-weight:600;white-space:nowrap;font-size:12px"
_VALUE = "padding:1px 14px 1px 0;text-align:left;font-family:monospace;font-size:12px;max-width:420px"


def result_html(result: Any) -> str:
    """The HTML card of a dataclass ``result`` (what ``_repr_html_`` returns)."""
    scalars: list[tuple[str, Any]] = []
    groups: list[tuple[str, list[tuple[str, Any]]]] = []
    data: list[tuple[str, Any]] = []
    folded: list[tuple[str, Any]] = []
    for field in dataclasses.fields(result):
        value = getattr(result, field.name)
        if _is_scalar(value):
            scalars.append((field.name, value))
        elif isinstance(value, dict) and not value:
            scalars.append((field.name, "{}"))
        elif isinstance(value, dict) and all(_is_scalar(v) for v in value.values()):
            groups.append((field.name, [(str(key), v) for key, v in value.items()]))
        elif isinstance(value, (list, tuple)) and all(_is_scalar(v) for v in value):
            scalars.append((field.name, _short_list(value)))
        elif isinstance(value, (pd.Series, pd.Index)) or (isinstance(value, np.ndarray) and value.ndim <= 1):
            data.append((field.name, value))
        else:
            folded.append((field.name, value))
    parts = [f"<div class='hftlab-result' style='{_STYLE}'><b>{html.escape(type(result).__name__)}</b>"]
    if scalars:
        parts.append(_scalar_grid(scalars))
    for name, items in groups:
        parts.append(f"<div style='margin-top:4px;color:#555'><i>{html.escape(name)}</i></div>")
        parts.append(_scalar_grid(items))
    if data:
        rows = "".join(_data_row(name, value) for name, value in data)
        parts.append(f"<table style='border-collapse:collapse;margin-top:4px'>{rows}</table>")
    parts += [_folded(name, value) for name, value in folded]
    return "".join(parts) + "</div>"


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str, np.number, np.bool_))


def _format(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)) or value is None:
        return str(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isfinite(value) and value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
            return f"{value:.4e}"
        return f"{value:,.6g}"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return str(value)


def format_value(value: Any, limit: int = 8) -> str:
    """``value`` as the cards and the report index show it: floats to 6 significant digits
    (scientific below 1e-3 and from 1e6), integers with thousands separators, lists and
    dicts cut after ``limit`` items."""
    if isinstance(value, dict):
        shown = ", ".join(f"{key}: {format_value(v)}" for key, v in list(value.items())[:limit])
        return "{" + shown + (", …}" if len(value) > limit else "}")
    if isinstance(value, (list, tuple)):
        return _short_list(value, limit)
    return _format(value)


def _short_list(values: list | tuple, limit: int = 8) -> str:
    shown = ", ".join(format_value(v) for v in values[:limit])
    return f"[{shown}]" if len(values) <= limit else f"[{shown}, …] ({len(values)} items)"


def _scalar_grid(items: list[tuple[str, Any]]) -> str:
    rows = []
    for start in range(0, len(items), _PAIRS_PER_ROW):
        cells = "".join(
            f"<th style='{_NAME}'>{html.escape(name)}</th>"
            f"<td style='{_VALUE}'>{html.escape(_format(value))}</td>"
            for name, value in items[start : start + _PAIRS_PER_ROW]
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table style='border-collapse:collapse;margin-top:4px'>{''.join(rows)}</table>"


def _index_span(index: pd.Index) -> str:
    if len(index) == 0 or isinstance(index, pd.RangeIndex):
        return ""
    first, last = index[0], index[-1]
    if isinstance(index, pd.DatetimeIndex):
        timed = (index.hour != 0).any() or (index.minute != 0).any()
        first, last = (t.strftime("%Y-%m-%d %H:%M" if timed else "%Y-%m-%d") for t in (first, last))
    return f" · {first} … {last}"


def sparkline(values: np.ndarray, width: int = 140, height: int = 22) -> str:
    """An inline SVG line of ``values`` (NaN breaks it); empty when there is nothing to draw."""
    values = np.asarray(values, dtype=float)
    if len(values) > SPARK_POINTS:
        values = values[np.linspace(0, len(values) - 1, SPARK_POINTS).round().astype(int)]
    finite = np.isfinite(values)
    if finite.sum() < 2:
        return ""
    low, high = values[finite].min(), values[finite].max()
    scale = (high - low) or 1.0
    xs = np.linspace(1, width - 1, len(values))
    ys = height - 2 - (values - low) / scale * (height - 4)
    segments, current = [], []
    for x, y, ok in zip(xs, ys, finite, strict=True):
        if ok:
            current.append(f"{x:.1f},{y:.1f}")
        elif current:
            segments.append(current)
            current = []
    segments.append(current)
    lines = "".join(
        f"<polyline points='{' '.join(points)}' fill='none' stroke='#1f77b4' stroke-width='1.2'/>"
        for points in segments
        if len(points) > 1
    )
    return f"<svg width='{width}' height='{height}' style='vertical-align:middle'>{lines}</svg>"


def _data_row(name: str, value: pd.Series | pd.Index | np.ndarray) -> str:
    values = np.asarray(value)
    dtype = value.dtype
    kind = type(value).__name__ if not isinstance(value, np.ndarray) else "array"
    span = _index_span(value.index) if isinstance(value, pd.Series) else ""
    description = html.escape(f"{kind}[{dtype}] × {len(values):,}{span}")
    picture, tail = "", ""
    if values.dtype.kind == "b":
        tail = f"{int(values.sum()):,} True"
    elif values.dtype.kind in "iuf" and len(values):
        picture = sparkline(values)
        tail = "last " + ", ".join(_format(v) for v in values[-3:])
    elif len(values):
        tail = "last " + html.escape(", ".join(str(v) for v in values[-3:]))
    return (
        f"<tr><th style='{_NAME}'>{html.escape(name)}</th>"
        f"<td style='padding:1px 10px 1px 0;color:#555;font-size:12px;white-space:nowrap'>{description}</td>"
        f"<td style='padding:1px 10px 1px 0'>{picture}</td><td style='{_VALUE}'>{tail}</td></tr>"
    )


def _folded(name: str, value: Any) -> str:
    if isinstance(value, pd.DataFrame):
        summary = f"DataFrame {value.shape[0]:,} × {value.shape[1]}{_index_span(value.index)}"
        body = value.head(PREVIEW_ROWS).to_html(max_cols=12, border=0, float_format=lambda x: f"{x:.6g}")
    elif isinstance(value, np.ndarray):
        summary = f"array{value.shape} {value.dtype}"
        body = f"<pre>{html.escape(np.array2string(value, precision=5, threshold=60))}</pre>"
    elif dataclasses.is_dataclass(value):
        summary = type(value).__name__
        body = result_html(value)
    elif isinstance(value, (list, tuple)):
        summary = f"{len(value)} item(s)"
        shown = value[:PREVIEW_ROWS]
        body = "".join(result_html(v) if dataclasses.is_dataclass(v) else html.escape(repr(v)) for v in shown)
        if len(value) > PREVIEW_ROWS:
            body += f"<div>… {len(value) - PREVIEW_ROWS} more</div>"
    elif isinstance(value, dict):
        summary = f"dict of {len(value)}"
        body = "".join(_folded(str(k), v) for k, v in value.items())
    else:
        summary = type(value).__name__
        body = html.escape(repr(value)[:2000])
    return (
        f"<details style='margin-top:2px'><summary><b style='color:#555'>{html.escape(name)}</b> "
        f"<span style='color:#555'>{html.escape(summary)}</span></summary>"
        f"<div style='margin-left:14px;font-size:11px;overflow-x:auto'>{body}</div></details>"
    )

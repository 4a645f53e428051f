"""The benchmark's results: tables, targets, JSON and a plotly chart.

The targets come from the service's promise (issue 3): add as little as possible
on top of bare grpcio. They are printed next to what was measured, met or not.
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

UNARY_OVERHEAD_MAX = 1.2
ADDED_PER_ECHO_MAX = 1.0
ARRAY_RATIO_MIN = 0.8
STREAM_TICKS_MIN = 1e6


@dataclasses.dataclass(repr=False)
class BenchReport:
    """What one ``hftlab bench`` run measured; shown as aligned text tables in a terminal
    (``repr``, what ``hftlab bench`` prints) and as HTML tables in a notebook, both with
    the numbers of :func:`number` and each target ``met`` or ``MISSED``.

    Attributes
    ----------
    meta : dict
        Versions, machine, mode and the addresses measured.
    unary : DataFrame
        Per RPC: sizes and p50/p99 µs of ``local``, ``grpc`` and ``echo``;
        ``overhead = grpc / (local + echo)`` (p50s).
    arrays : DataFrame
        Per array size: ``hftlab_MBps``, ``bare_MBps`` and their ``ratio``.
    stream : DataFrame
        Per path (local, grpc, bare echo): ticks, seconds and ``ticks_per_s``.
    skipped : dict
        RPC -> why it was not measured.
    """

    meta: dict[str, Any]
    unary: pd.DataFrame
    arrays: pd.DataFrame
    stream: pd.DataFrame
    skipped: dict[str, str] = dataclasses.field(default_factory=dict)

    def targets(self) -> pd.DataFrame:
        """Each target with the measured value, the goal and whether it is met."""
        rows = []
        if len(self.unary):
            worst = self.unary.loc[self.unary["overhead"].idxmax()]
            rows.append(
                (
                    "unary overhead vs bare echo, median over RPCs",
                    float(self.unary["overhead"].median()),
                    f"<= {UNARY_OVERHEAD_MAX}x",
                )
            )
            rows.append(
                (
                    f"unary overhead vs bare echo, worst ({worst['rpc']})",
                    float(worst["overhead"]),
                    f"<= {UNARY_OVERHEAD_MAX}x",
                )
            )
            rows.append(
                (
                    "added / echo, median over RPCs",
                    float(self.unary["added_per_echo"].median()),
                    f"<= {ADDED_PER_ECHO_MAX}x",
                )
            )
        if len(self.arrays):
            worst = self.arrays.loc[self.arrays["ratio"].idxmin()]
            rows.append(
                (
                    f"array bandwidth vs bare, worst ({int(worst['elements'])} float64)",
                    float(worst["ratio"]),
                    f">= {ARRAY_RATIO_MIN:.0%}",
                )
            )
        grpc = self.stream[self.stream["path"] == "grpc"]
        if len(grpc):
            rows.append(
                ("stream ticks/s over grpc", float(grpc["ticks_per_s"].iloc[0]), f">= {STREAM_TICKS_MIN:,.0f}")
            )
        frame = pd.DataFrame(rows, columns=["target", "measured", "goal"])
        frame["met"] = [_met(value, goal) for value, goal in zip(frame["measured"], frame["goal"], strict=True)]
        return frame

    def table(self) -> str:
        """Plain-text tables (what ``hftlab bench`` prints)."""
        parts = [f"hftlab bench ({self.meta.get('mode', '')}): {self.meta.get('grpc_address', '')}"]
        if len(self.unary):
            parts += [
                "",
                "Latency per call, microseconds (echo = bare grpcio, same payload sizes;"
                " overhead = grpc / (local + echo); added = grpc - local - echo;"
                " added_per_echo = added / echo):",
                _text(self.unary),
            ]
        if len(self.arrays):
            parts += [
                "",
                "Array round trip, MB/s (sent + received), hftlab's NDArray codec vs raw bytes:",
                _text(self.arrays),
            ]
        if len(self.stream):
            parts += ["", "Market-data stream decoded into numpy:", _text(self.stream)]
        for rpc, reason in self.skipped.items():
            parts.append(f"skipped {rpc}: {reason}")
        targets = self.targets()
        if len(targets):
            parts += ["", "Targets:", _text(targets)]
        return "\n".join(parts)

    def __repr__(self) -> str:
        return self.table()

    def to_json(self) -> dict[str, Any]:
        return {
            "meta": self.meta,
            "unary": self.unary.to_dict(orient="records"),
            "arrays": self.arrays.to_dict(orient="records"),
            "stream": self.stream.to_dict(orient="records"),
            "skipped": self.skipped,
            "targets": self.targets().to_dict(orient="records"),
        }

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path) -> BenchReport:
        """Read a report written by :meth:`save`."""
        data = json.loads(Path(path).read_text())
        return cls(
            meta=data["meta"],
            unary=pd.DataFrame(data["unary"]),
            arrays=pd.DataFrame(data["arrays"]),
            stream=pd.DataFrame(data["stream"]),
            skipped=data.get("skipped", {}),
        )

    def figure(self):
        """Plotly chart: p50 latency per RPC (local, grpc, echo), array MB/s, stream ticks/s."""
        return figure(self)

    def _repr_html_(self) -> str:
        style = "style='font-size:85%'"
        parts = [
            f"<b>hftlab bench</b> <small>{html.escape(str(self.meta.get('mode', '')))}"
            f" · {html.escape(str(self.meta.get('grpc_address', '')))}</small>"
        ]
        for title, frame in (
            ("latency (µs)", self.unary),
            ("arrays (MB/s)", self.arrays),
            ("stream", self.stream),
            ("targets", self.targets()),
        ):
            if len(frame):
                table = _formatted(frame).to_html(index=False, border=0, justify="right")
                parts.append(f"<div {style}><i>{title}</i>{table}</div>")
        for rpc, reason in self.skipped.items():
            parts.append(f"<div {style}>skipped {html.escape(rpc)}: {html.escape(reason)}</div>")
        return "".join(parts)


def _met(value: float, goal: str) -> bool:
    bound = float(goal.split()[1].rstrip("x%").replace(",", ""))
    if goal.endswith("%"):
        bound /= 100
    return value <= bound if goal.startswith("<=") else value >= bound


def number(value: Any) -> str:
    """One format for every measure: integers and values from 1,000 with thousands separators
    and no decimals, smaller values to 4 significant digits (never scientific notation)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    if abs(value) >= 999.95:
        return f"{value:,.0f}"
    if value == 0 or not np.isfinite(value):
        return f"{value:g}"
    value = float(f"{value:.4g}")
    return f"{value:.{3 - math.floor(math.log10(abs(value)))}f}"


def _formatted(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as strings: numbers by :func:`number`, ``met`` as ``met``/``MISSED``."""
    shown = frame.copy()
    for column in shown.columns:
        if column == "met":
            shown[column] = shown[column].map({True: "met", False: "MISSED"})
        else:
            shown[column] = shown[column].map(number)
    return shown


def _text(frame: pd.DataFrame) -> str:
    return _formatted(frame).to_string(index=False)


def figure(report: BenchReport):
    """The chart of :meth:`BenchReport.figure` (used by the comparison widget too)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=2,
        cols=2,
        specs=[[{"colspan": 2}, None], [{}, {}]],
        row_heights=[0.55, 0.45],
        vertical_spacing=0.22,
        horizontal_spacing=0.1,
        subplot_titles=(
            "p50 latency per call (µs, whiskers to p99)",
            "array round trip (MB/s)",
            "market-data stream (ticks/s)",
        ),
    )
    colours = {"local": "#1f77b4", "grpc": "#d62728", "echo": "#7f7f7f"}
    unary = report.unary
    for path, colour in colours.items():
        if len(unary):
            fig.add_trace(
                go.Bar(
                    x=unary["rpc"],
                    y=unary[f"{path}_p50_us"],
                    name=path,
                    marker_color=colour,
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": unary[f"{path}_p99_us"] - unary[f"{path}_p50_us"],
                    },
                ),
                row=1,
                col=1,
            )
    for column, name, colour in (
        ("hftlab_MBps", "hftlab NDArray", colours["grpc"]),
        ("bare_MBps", "bare echo", colours["echo"]),
    ):
        if len(report.arrays):
            fig.add_trace(
                go.Scatter(
                    x=report.arrays["elements"],
                    y=report.arrays[column],
                    name=name,
                    mode="lines+markers",
                    line_color=colour,
                ),
                row=2,
                col=1,
            )
    if len(report.stream):
        fig.add_trace(
            go.Bar(
                x=report.stream["path"],
                y=report.stream["ticks_per_s"],
                name="ticks/s",
                marker_color=[colours.get(p, colours["echo"]) for p in report.stream["path"]],
                showlegend=False,
            ),
            row=2,
            col=2,
        )
        fig.add_hline(y=STREAM_TICKS_MIN, line_dash="dot", annotation_text="target", row=2, col=2)
    fig.update_yaxes(type="log", row=1, col=1)
    fig.update_xaxes(tickangle=-40, row=1, col=1)
    fig.update_xaxes(type="log", title_text="float64 elements", row=2, col=1)
    fig.update_yaxes(type="log", row=2, col=1)
    fig.update_layout(
        barmode="group",
        height=820,
        title="hftlab vs bare grpcio",
        legend={"orientation": "h", "y": 1.08, "x": 0},
    )
    return fig

"""The pieces of ``hftlab report``'s pages: thumbnails drawn from figure JSON, math as MathML."""

import json
import re

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from hftlab.workflows.report_index import HEIGHT, WIDTH, thumbnail
from hftlab.workflows.report_pages import math_to_mathml


def _json(figure: go.Figure) -> dict:
    """The figure as a notebook stores it (plotly's JSON: numpy arrays as base64 typed arrays)."""
    return json.loads(pio.to_json(figure))


def _points(svg: str) -> list[np.ndarray]:
    return [
        np.array([[float(v) for v in pair.split(",")] for pair in points.split()])
        for points in re.findall(r"points='([^']*)'", svg)
    ]


def test_a_line_is_drawn_to_scale_from_a_typed_array():
    figure = _json(go.Figure(go.Scatter(x=np.arange(5.0), y=np.array([0.0, 1.0, 2.0, 3.0, 4.0]))))
    assert isinstance(figure["data"][0]["y"], dict) and "bdata" in figure["data"][0]["y"]
    (line,) = _points(thumbnail(figure))
    # a straight line from the bottom left to the top right corner (2 px margin)
    np.testing.assert_allclose(line[0], [2, HEIGHT - 2])
    np.testing.assert_allclose(line[-1], [WIDTH - 2, 2])
    np.testing.assert_allclose(np.diff(line[:, 0]), (WIDTH - 4) / 4)


def test_dates_bars_colours_and_other_subplots():
    dates = ["2024-01-01", "2024-01-02", "2024-01-04"]
    figure = go.Figure(
        [
            go.Scatter(x=dates, y=[1.0, 2.0, 3.0], line_color="red"),
            go.Bar(x=["a", "b"], y=[2.0, -1.0]),
            go.Scatter(y=[5.0, 6.0], xaxis="x2", yaxis="y2"),  # another subplot: not drawn
            go.Scatter(x=dates[:2], y=[1.5, 2.5], mode="markers"),  # dots, not a line
        ]
    )
    svg = thumbnail(_json(figure))
    assert svg.count("<circle") == 2
    (line,) = _points(svg)
    # the gap of two days is twice the gap of one
    np.testing.assert_allclose(line[2, 0] - line[1, 0], 2 * (line[1, 0] - line[0, 0]))
    assert "stroke='red'" in svg and svg.count("<rect") == 2
    assert "fill='#EF553B'" in svg  # the template's second colour for the second trace


def test_nothing_to_draw_gives_no_picture():
    assert thumbnail(_json(go.Figure())) == ""
    assert thumbnail(_json(go.Figure(go.Heatmap(z=[[1, 2], [3, 4]])))) == ""
    assert thumbnail(_json(go.Figure(go.Scatter(y=[np.nan, np.nan])))) == ""


def test_math_becomes_mathml_and_code_is_left_alone():
    text = "Risk $\\gamma\\sigma^2$ and\n$$\\frac{2}{k}$$\nbut `cost = $5` and \\$3 stay."
    out = math_to_mathml(text)
    assert out.count("<math") == 2 and 'display="block"' in out
    assert "<mi>&#x003B3;</mi>" in out and "<mfrac>" in out
    assert "`cost = $5`" in out and "\\$3 stay." in out

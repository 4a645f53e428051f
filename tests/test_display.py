"""The compact HTML card of results (``Result._repr_html_``)."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hftlab.display import result_html, sparkline
from hftlab.results import Result


@dataclass(frozen=True)
class Inner(Result):
    level: float


@dataclass(frozen=True)
class Card(Result):
    name: str
    count: int
    metrics: dict[str, float]
    tags: list[str]
    path: pd.Series
    flags: pd.Series
    table: pd.DataFrame
    matrix: np.ndarray
    inner: Inner
    items: list[Inner]
    empty: dict[str, float]


def _card(**changes) -> Card:
    index = pd.bdate_range("2024-01-01", periods=50)
    fields = {
        "name": "<script>x</script>",
        "count": 12345,
        "metrics": {"sharpe": 1.23456789, "tiny": 1e-9},
        "tags": [f"t{i}" for i in range(20)],
        "path": pd.Series(np.arange(50.0), index=index),
        "flags": pd.Series(np.arange(50) % 5 == 0, index=index),
        "table": pd.DataFrame({"a": np.arange(30.0), "b": np.ones(30)}),
        "matrix": np.eye(3),
        "inner": Inner(2.5),
        "items": [Inner(float(i)) for i in range(7)],
        "empty": {},
    }
    return Card(**{**fields, **changes})


def test_card_lays_out_scalars_series_and_folded_tables():
    card = _card()._repr_html_()
    assert card == result_html(_card())
    assert card.startswith("<div class='hftlab-result'") and "<b>Card</b>" in card
    assert "&lt;script&gt;x&lt;/script&gt;" in card and "<script>" not in card
    assert ">12,345<" in card and ">1.23457<" in card and ">1.0000e-09<" in card
    assert "<i>metrics</i>" in card and ">{}<" in card
    assert "[t0, t1, t2, t3, t4, t5, t6, t7, …] (20 items)" in card
    assert "Series[float64] × 50 · 2024-01-01 … 2024-03-08" in card and "last 47, 48, 49" in card
    assert "10 True" in card
    assert card.count("<details") == 4  # table, matrix, inner, items; the rest is inline
    assert "DataFrame 30 × 2" in card and "array(3, 3) float64" in card and "7 item(s)" in card
    assert "… 2 more" in card  # 5 of the 7 items are shown


def test_sparkline_draws_finite_runs_and_skips_flat_or_empty_data():
    line = sparkline(np.array([1.0, 2.0, np.nan, 3.0, 4.0, 5.0]))
    assert line.count("<polyline") == 2
    assert sparkline(np.array([np.nan, 1.0])) == ""
    many = sparkline(np.arange(10_000.0))
    assert many.count(",") == 120  # sampled to SPARK_POINTS points
    assert "<polyline" in sparkline(np.ones(5))  # flat series: a straight line

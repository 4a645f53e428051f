"""Base class of result objects and the comparison used for backend parity.

Every operation returns a frozen dataclass deriving from :class:`Result`
(after arch's results objects): named fields holding numbers, NumPy arrays and
pandas objects, a compact HTML view for notebooks (:mod:`hftlab.display`) and,
where a chart is the natural view, a ``plot()`` returning a plotly figure.

:func:`differences` compares two results exactly (floats bit for bit, NaN equal
to NaN, dtypes and indexes included): the local and grpc backends must agree.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from hftlab.display import result_html


class Result:
    """Mixin for result dataclasses: HTML display and a scalar summary."""

    def summary(self) -> pd.Series:
        """Scalar fields (and ``metrics`` entries) as a Series, for quick reading."""
        items: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, (bool, int, float, str, np.number)) or value is None:
                items[field.name] = value
            elif isinstance(value, dict) and all(isinstance(v, (int, float)) for v in value.values()):
                items.update({f"{field.name}.{k}": v for k, v in value.items()})
        return pd.Series(items, dtype=object, name=type(self).__name__)

    def _repr_html_(self) -> str:
        return result_html(self)


def differences(left: Any, right: Any, path: str = "result") -> list[tuple[str, str]]:
    """Every place where two results differ, as ``(path, description)`` pairs.

    Exact comparison: floats bit for bit (NaN equals NaN), arrays with their
    dtype and shape, Series and DataFrames with index, names and dtypes.
    An empty list means the two are identical.
    """
    if type(left) is not type(right):
        return [(path, f"type {type(left).__name__} != {type(right).__name__}")]
    if dataclasses.is_dataclass(left):
        found = []
        for field in dataclasses.fields(left):
            found += differences(getattr(left, field.name), getattr(right, field.name), f"{path}.{field.name}")
        return found
    if isinstance(left, pd.DataFrame):
        return _pandas_difference(pd.testing.assert_frame_equal, left, right, path)
    if isinstance(left, pd.Series):
        return _pandas_difference(pd.testing.assert_series_equal, left, right, path)
    if isinstance(left, pd.Index):
        return _pandas_difference(pd.testing.assert_index_equal, left, right, path)
    if isinstance(left, np.ndarray):
        if left.dtype != right.dtype or left.shape != right.shape:
            return [(path, f"array {left.dtype}{left.shape} != {right.dtype}{right.shape}")]
        if left.dtype.kind in "fc":
            same = np.array_equal(left, right, equal_nan=True)
        else:
            same = np.array_equal(left, right)
        return [] if same else [(path, "array values differ")]
    if isinstance(left, dict):
        if left.keys() != right.keys():
            return [(path, f"keys {sorted(left)} != {sorted(right)}")]
        found = []
        for key in left:
            found += differences(left[key], right[key], f"{path}[{key!r}]")
        return found
    if isinstance(left, (list, tuple)):
        if len(left) != len(right):
            return [(path, f"length {len(left)} != {len(right)}")]
        found = []
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            found += differences(a, b, f"{path}[{i}]")
        return found
    if isinstance(left, float):
        same = (math.isnan(left) and math.isnan(right)) or left == right
        return [] if same else [(path, f"{left!r} != {right!r}")]
    return [] if left == right else [(path, f"{left!r} != {right!r}")]


def _pandas_difference(assert_equal, left, right, path) -> list[tuple[str, str]]:
    try:
        assert_equal(left, right, check_exact=True)
    except AssertionError as exc:
        return [(path, " ".join(str(exc).split()))]
    return []

"""Input validation shared by every operation.

One module, one message template, so the same bad input gets the same message
from the local backend and, over gRPC, from the server. Modelled on
scikit-learn's ``utils/_param_validation.py``: each check names the parameter,
what it must be, and what it got::

    'lookback' must be an int >= 2; got 1.

Every check raises :class:`hftlab.errors.InvalidInput`.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from hftlab.errors import InvalidInput


def fail(name: str, requirement: str, got: Any) -> InvalidInput:
    """Build the error for parameter ``name`` that must be ``requirement``."""
    return InvalidInput(f"'{name}' must be {requirement}; got {_describe(got)}.")


def _describe(value: Any) -> str:
    if isinstance(value, (pd.Series, pd.DataFrame, np.ndarray)):
        return f"{type(value).__name__} of shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _bounds(low, high, low_open=False, high_open=False) -> str:
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high}")
    return " and ".join(parts)


def check_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an ``int`` within ``[low, high]``."""
    if type(value) is not int:  # (a plain int skips the abstract-class checks)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise fail(name, _requirement("an int", low, high), value)
        value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise fail(name, _requirement("an int", low, high), value)
    return value


def check_float(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` within the given bounds."""
    if type(value) is not float:  # (a plain float skips the abstract-class checks)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise fail(name, _requirement("a finite number", low, high, low_open, high_open), value)
        value = float(value)
    if (
        not math.isfinite(value)
        or (low is not None and (value < low or (low_open and value == low)))
        or (high is not None and (value > high or (high_open and value == high)))
    ):
        raise fail(name, _requirement("a finite number", low, high, low_open, high_open), value)
    return value


def _requirement(kind: str, *bounds: Any) -> str:
    """What a checked number must be, e.g. ``an int >= 2`` (written only for an error)."""
    return " ".join(filter(None, [kind, _bounds(*bounds)]))


def check_choice(name: str, value: Any, options: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``options``."""
    options = tuple(options)
    if not isinstance(value, str) or value not in options:
        raise fail(name, "one of " + ", ".join(repr(o) for o in options), value)
    return value


MAX_MAGNITUDE = 1e60
"""Largest magnitude a data value may have: fourth powers (kurtosis, variances of variances)
stay finite (1e240), so no statistic overflows on finite input."""
MIN_SCALE = 1e-60
"""Smallest largest-magnitude a column (or series) that is not all zeros may have: its fourth
powers stay normal numbers (1e-240), so its variance does not underflow to 0."""


def names(values: Iterable[Any], limit: int = 5) -> str:
    """The first ``limit`` of ``values`` (each repr shortened to 60 characters) and how many more:
    an error message that echoes a client's list stays short (gRPC caps metadata at 8 KiB)."""
    values = list(values)
    shown = ", ".join(_describe(value) for value in values[:limit])
    return shown if len(values) <= limit else f"{shown} and {len(values) - limit} more"


def _check_finite_values(
    name: str, values: np.ndarray, rows: pd.Index, columns: pd.Index | None = None
) -> None:
    """Refuse NaN, inf, magnitudes above MAX_MAGNITUDE and columns on a scale below MIN_SCALE,
    naming the first such value by its row label (and column). Two reductions (min and max per
    column) decide; the error path finds the value."""
    low, high = values.min(axis=0, initial=np.inf), values.max(axis=0, initial=-np.inf)
    if values.ndim == 1:  # two numbers: compared as floats (a few times faster than as arrays)
        low, high = float(low), float(high)
        within = low >= -MAX_MAGNITUDE and high <= MAX_MAGNITUDE  # (NaN fails both)
        if within and (max(-low, high) >= MIN_SCALE or low == high == 0 or not len(values)):
            return
    else:  # every column within bounds, on a usable scale (max(-low, high): its largest magnitude)
        scale = np.maximum(-low, high)
        if ((low >= -MAX_MAGNITUDE) & (high <= MAX_MAGNITUDE) & ((scale >= MIN_SCALE) | (scale == 0))).all():
            return
    if not np.all((low >= -MAX_MAGNITUDE) & (high <= MAX_MAGNITUDE)):  # (NaN fails both)
        bad = ~(np.abs(values) <= MAX_MAGNITUDE)
        position = np.argwhere(bad)[0]
        where = f"row {rows[position[0]]}" + ("" if columns is None else f", column {columns[position[1]]!r}")
        raise InvalidInput(
            f"'{name}' must contain only finite numbers of magnitude at most {MAX_MAGNITUDE:g}; got "
            f"{int(bad.sum())} NaN/inf/larger value(s), the first at {where}: "
            f"{float(values[tuple(position)])!r}."
        )
    scale = np.maximum(np.abs(low), np.abs(high))  # (inf when there are no rows)
    tiny = np.flatnonzero((scale < MIN_SCALE) & (scale > 0))
    if len(tiny):
        column = "" if columns is None else f" column {columns[tiny[0]]!r}"
        raise InvalidInput(
            f"'{name}'{column} must hold a value of magnitude at least {MIN_SCALE:g} (or only zeros): "
            f"its largest is {float(np.ravel(scale)[tiny[0]]):g}, too small to compute with; rescale it."
        )


def as_series(value: Any, name: str, *, min_length: int = 1) -> pd.Series:
    """Coerce a 1-D array-like of prices or returns to a finite float64 Series.

    Lists and NumPy arrays get a ``RangeIndex``; a Series keeps its index and
    name. Raises :class:`InvalidInput` for non-numeric, multi-dimensional,
    NaN/inf, duplicate-indexed or too-short input.
    """
    if isinstance(value, pd.DataFrame):
        if value.shape[1] != 1:
            raise fail(name, "a 1-D sequence of numbers", value)
        value = value.iloc[:, 0]
    if isinstance(value, pd.Series):
        series = value
    else:
        if isinstance(value, (str, bytes)) or not isinstance(value, (Iterable, np.ndarray)):
            raise fail(name, "a 1-D sequence of numbers", value)
        array = np.asarray(value)
        if array.ndim != 1:
            raise fail(name, "a 1-D sequence of numbers", array)
        series = pd.Series(array)
    if series.dtype == bool or not (pd.api.types.is_numeric_dtype(series.dtype) or series.dtype == object):
        raise fail(name, "a 1-D sequence of numbers", value)
    try:  # a new Series either way (callers relabel it; the caller's stays untouched)
        series = series.copy(deep=False) if series.dtype == np.float64 else series.astype(np.float64)
    except (TypeError, ValueError):
        raise fail(name, "a 1-D sequence of numbers", value) from None
    if len(series) < min_length:
        raise InvalidInput(f"'{name}' must have at least {min_length} observation(s); got {len(series)}.")
    _check_finite_values(name, series.to_numpy(), series.index)
    _check_labels(name, series.index)
    return series


def as_frame(value: Any, name: str, *, min_rows: int = 1, min_columns: int = 1) -> pd.DataFrame:
    """Coerce a 2-D array-like (rows = observations) to a finite float64 DataFrame.

    Column labels become strings (``"0"``, ``"1"``… for arrays).
    """
    if isinstance(value, pd.Series):
        value = value.to_frame()
    if isinstance(value, pd.DataFrame):
        frame = value
    else:
        array = np.asarray(value)
        if array.ndim != 2:
            raise fail(name, "a 2-D table of numbers (observations x columns)", array)
        frame = pd.DataFrame(array)
    # two reads of the values share memory exactly when pandas hands out views of the one array
    # holding every column (then of its dtype) instead of copying them together: ~2 µs, where
    # frame.dtypes builds a Series (~13 µs)
    values = frame.to_numpy()
    if values.dtype == np.float64 and np.may_share_memory(values, frame.to_numpy()):
        frame = frame.copy(deep=False)  # a new frame (callers relabel it; the caller's stays untouched)
    else:
        dtypes = list(frame.dtypes)  # (pandas builds a Series of them on each access)
        floats = all(dtype == np.float64 for dtype in dtypes)
        if not floats and not all(pd.api.types.is_numeric_dtype(t) and t.kind != "b" for t in dtypes):
            columns = [
                c
                for c, t in zip(frame.columns, dtypes, strict=True)
                if not pd.api.types.is_numeric_dtype(t) or t.kind == "b"
            ]
            raise InvalidInput(
                f"'{name}' must be a table of numbers only; column(s) {names(columns)} are not numeric."
            )
        # float columns held apart become the one block that pandas just copied them into: every
        # later read of the values (validation, encoding, the computation) is then free
        if floats:
            frame = pd.DataFrame(values, frame.index, frame.columns, copy=False)
        else:
            frame = frame.astype(np.float64)
    labels = frame.columns.tolist()  # (one pass: iterating a pandas string Index costs ~1 µs a label)
    if not all(isinstance(c, str) for c in labels):
        frame = frame.set_axis([str(c) for c in labels], axis=1)
    if not frame.columns.is_unique:
        raise InvalidInput(f"'{name}' must have unique column names.")
    if frame.shape[0] < min_rows:
        raise InvalidInput(f"'{name}' must have at least {min_rows} row(s); got {frame.shape[0]}.")
    if frame.shape[1] < min_columns:
        raise InvalidInput(f"'{name}' must have at least {min_columns} column(s); got {frame.shape[1]}.")
    _check_finite_values(name, frame.to_numpy(), frame.index, frame.columns)
    _check_labels(name, frame.index)
    return frame


def _check_labels(name: str, index: pd.Index) -> None:
    """Times in order, each once (then unique: not checked again); other labels unique."""
    if isinstance(index, pd.DatetimeIndex):
        check_time_order(name, index)
    else:
        check_unique(name, index)


_NAT = np.iinfo(np.int64).min  # NaT as an integer


def check_time_order(name: str, index: pd.Index) -> None:
    """Refuse dates that are not strictly increasing, oldest first (a newest-first table gives
    other statistics silently; a repeated date is two bars at one time): name the first label
    that does not come after the one above it. The times are compared as integers (pandas'
    monotonic and unique checks build a hash table of a fresh index first)."""
    if not isinstance(index, pd.DatetimeIndex):
        return
    times = index.asi8
    nat_first = len(times) and times[0] == _NAT  # (as an integer NaT is the smallest time)
    if nat_first or (len(times) > 1 and not (times[1:] > times[:-1]).all()):
        later = np.flatnonzero(np.diff(times) <= 0)  # (wraps around after a NaT, as pandas' diff)
        if not len(later):
            raise InvalidInput(f"'{name}' must hold a time on every row; row 0 is NaT.")
        row = int(later[0]) + 1
        raise InvalidInput(
            f"'{name}' must be in time order, oldest first, each time once: {index[row]} (row {row}) "
            f"comes after {index[row - 1]}; sort it with .sort_index() (and drop repeated times)."
        )


def check_unique(name: str, index: pd.Index) -> None:
    """Refuse an index with repeated labels, naming the first one repeated."""
    if not index.is_unique:
        repeated = index[index.duplicated()]
        raise InvalidInput(
            f"'{name}' must have a unique index; label {_describe(repeated[0])} is repeated "
            f"({len(repeated)} repeat(s) in all)."
        )


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_text(name: str, value: Any, requirement: str) -> str:
    """Return ``value`` if it is a non-empty string without control characters (a NUL byte
    would end a path or URL early in the C library that opens it)."""
    if not isinstance(value, str) or not value:
        raise fail(name, requirement, value)
    control = _CONTROL.search(value)
    if control:
        raise fail(
            name, f"{requirement} without control characters ({control.group()!r} at {control.start()})", value
        )
    return value


def check_not_constant(name: str, values: pd.Series | np.ndarray) -> None:
    """Raise if every value of ``values`` is the same (no variation to model)."""
    array = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if array.size and (array == array.flat[0]).all():
        raise InvalidInput(f"'{name}' must not be constant; every value is {array.flat[0].item()!r}.")


def check_columns_not_constant(name: str, frame: pd.DataFrame) -> None:
    """Raise, naming the first such column (``name.column``), if a column of ``frame`` is constant."""
    values = frame.to_numpy()
    if len(values):
        constant = np.flatnonzero((values == values[0]).all(axis=0))
        if len(constant):
            check_not_constant(f"{name}.{frame.columns[constant[0]]}", values[:, constant[0]])

"""One generic codec between hftlab dataclasses and proto messages.

A request or result dataclass and its proto message have the same field
names; this module walks the dataclass fields and copies each value by its
type, so no RPC needs hand-written per-field conversion (the single place of
conversion, after qdrant-client's ``conversions/conversion.py``).

Supported field types: ``bool``, ``int``, ``float``, ``str`` (scalars and
``optional``), ``list`` of scalars, ``dict[str, float]`` (proto maps),
``numpy.ndarray`` (``NDArray``: raw little-endian bytes + dtype + shape,
decoded with ``numpy.frombuffer``), ``pandas.Series`` (``Series``),
``pandas.DataFrame`` (``Frame``), nested dataclasses (messages) and lists of
them. String arrays travel as fixed-width unicode (``<U``) buffers.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any

import numpy as np
import pandas as pd

from hftlab.errors import InvalidInput
from hftlab.rpc.v1 import trading_pb2 as pb

_SPECIAL = {"NDArray", "Series", "Frame", "Index"}


# ---------------------------------------------------------------- arrays


def encode_array(array: np.ndarray, message: pb.NDArray | None = None) -> pb.NDArray:
    """Write ``array`` into an ``NDArray`` message (C order, little-endian)."""
    message = pb.NDArray() if message is None else message
    array = np.asarray(array)
    if array.dtype == object or array.dtype.kind in "OT":
        array = array.astype(str)
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    array = np.ascontiguousarray(array)
    message.dtype = array.dtype.str
    message.shape[:] = array.shape
    message.data = array.tobytes()
    return message


def decode_array(message: pb.NDArray, field: str = "array") -> np.ndarray:
    """Read an ``NDArray`` message back into a numpy array (one copy, no per-element work)."""
    try:
        dtype = np.dtype(message.dtype)
        if dtype.kind == "O":
            raise TypeError("object arrays cannot travel as bytes")
        shape = tuple(message.shape)
        if any(n < 0 for n in shape) or int(np.prod(shape)) * dtype.itemsize != len(message.data):
            raise ValueError(
                f"{len(message.data)} bytes do not hold shape {shape} of dtype {dtype.str}"
            )
        array = np.frombuffer(message.data, dtype=dtype).reshape(shape)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"'{field}' is not a valid NDArray: {exc}") from None
    return array.copy() if dtype.kind in "U" else array


def _values_for_pandas(array: np.ndarray) -> np.ndarray:
    # Strings decode to object so pandas infers the same dtype it did on the sender.
    return array.astype(object) if array.dtype.kind == "U" else array


# ---------------------------------------------------------------- pandas


def encode_index(index: pd.Index, message: pb.Index) -> None:
    """Write a pandas index (range, datetime with tz/freq, numbers or strings)."""
    if index.name is not None:
        message.name = str(index.name)
    if isinstance(index, pd.RangeIndex):
        message.range.start, message.range.stop, message.range.step = (
            index.start, index.stop, index.step,
        )
        return
    if isinstance(index, pd.DatetimeIndex):
        if index.tz is not None:
            message.tz = str(index.tz)
        if index.freq is not None:
            message.freq = index.freqstr
        index = index.tz_convert("UTC").tz_localize(None) if index.tz is not None else index
    encode_array(index.to_numpy(), message.values)


def decode_index(message: pb.Index, field: str) -> pd.Index:
    name = message.name if message.HasField("name") else None
    if message.WhichOneof("kind") == "range":
        r = message.range
        if r.step == 0:
            raise InvalidInput(f"'{field}' index has a range step of 0.")
        return pd.RangeIndex(r.start, r.stop, r.step, name=name)
    if message.WhichOneof("kind") is None:
        return pd.RangeIndex(0, name=name)
    values = _values_for_pandas(decode_array(message.values, field))
    if values.ndim != 1:
        raise InvalidInput(f"'{field}' index must be 1-D; got shape {values.shape}.")
    try:
        if values.dtype.kind == "M":
            index = pd.DatetimeIndex(values, name=name)
            if message.tz:
                index = index.tz_localize("UTC").tz_convert(message.tz)
            return pd.DatetimeIndex(index, freq=message.freq or None)
        return pd.Index(values, name=name)
    except (TypeError, ValueError, LookupError) as exc:  # bad time zone or frequency
        raise InvalidInput(f"'{field}' has an invalid index: {exc}") from None


def encode_series(series: pd.Series, message: pb.Series) -> None:
    if series.name is not None:
        message.name = str(series.name)
    encode_array(series.to_numpy(), message.values)
    encode_index(series.index, message.index)


def decode_series(message: pb.Series, field: str) -> pd.Series:
    values = decode_array(message.values, field)
    if values.ndim != 1:
        raise InvalidInput(f"'{field}' must be 1-D; got shape {values.shape}.")
    index = decode_index(message.index, field)
    if len(index) != len(values):
        raise InvalidInput(
            f"'{field}' has {len(values)} values but an index of length {len(index)}."
        )
    name = message.name if message.HasField("name") else None
    return pd.Series(_values_for_pandas(values), index=index, name=name)


def encode_frame(frame: pd.DataFrame, message: pb.Frame) -> None:
    message.columns.extend(str(c) for c in frame.columns)
    for column in range(frame.shape[1]):
        encode_array(frame.iloc[:, column].to_numpy(), message.data.add())
    encode_index(frame.index, message.index)


def decode_frame(message: pb.Frame, field: str) -> pd.DataFrame:
    if len(message.columns) != len(message.data):
        raise InvalidInput(
            f"'{field}' has {len(message.columns)} column names but {len(message.data)} columns."
        )
    index = decode_index(message.index, field)
    columns = {}
    for name, data in zip(message.columns, message.data, strict=True):
        values = decode_array(data, f"{field}.{name}")
        if values.shape != (len(index),):
            raise InvalidInput(
                f"'{field}' column {name!r} has shape {values.shape}; expected ({len(index)},)."
            )
        columns[name] = _values_for_pandas(values)
    if len(columns) != len(message.columns):
        raise InvalidInput(f"'{field}' has duplicate column names.")
    return pd.DataFrame(columns, index=index, columns=list(message.columns))


# ---------------------------------------------------------------- dataclasses


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _strip_optional(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def encode(obj: Any, message: Any) -> Any:
    """Copy every field of the dataclass ``obj`` into the proto ``message``; return it."""
    descriptor = message.DESCRIPTOR
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        if value is None:
            continue
        fd = descriptor.fields_by_name[field.name]
        target = getattr(message, field.name)
        if fd.message_type is None:
            if fd.is_repeated:
                target.extend(value)
            else:
                setattr(message, field.name, value)
        elif fd.message_type.GetOptions().map_entry:
            target.update(value)
        elif fd.message_type.name in _SPECIAL:
            _encode_special(value, target)
        elif fd.is_repeated:
            for item in value:
                encode(item, target.add())
        else:
            encode(value, target)
    return message


def _encode_special(value: Any, message: Any) -> None:
    kind = message.DESCRIPTOR.name
    if kind == "Series":
        encode_series(value, message)
    elif kind == "Frame":
        encode_frame(value, message)
    elif kind == "NDArray":
        encode_array(value, message)
    else:
        encode_index(value, message)


def decode(message: Any, cls: type) -> Any:
    """Build the dataclass ``cls`` from the proto ``message`` (its ``__post_init__`` validates)."""
    hints = _hints(cls)
    kwargs = {}
    for field in dataclasses.fields(cls):
        fd = message.DESCRIPTOR.fields_by_name[field.name]
        value = getattr(message, field.name)
        hint = _strip_optional(hints[field.name])
        if fd.has_presence and not message.HasField(field.name):
            if field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING:
                continue
            kwargs[field.name] = None
        elif fd.message_type is None:
            kwargs[field.name] = list(value) if fd.is_repeated else value
        elif fd.message_type.GetOptions().map_entry:
            kwargs[field.name] = dict(value)
        elif fd.message_type.name in _SPECIAL:
            kwargs[field.name] = _decode_special(value, field.name)
        elif fd.is_repeated:
            (item_cls,) = typing.get_args(hint)
            kwargs[field.name] = [decode(item, item_cls) for item in value]
        else:
            kwargs[field.name] = decode(value, hint)
    return cls(**kwargs)


def _decode_special(message: Any, field: str) -> Any:
    kind = message.DESCRIPTOR.name
    if kind == "Series":
        return decode_series(message, field)
    if kind == "Frame":
        return decode_frame(message, field)
    if kind == "NDArray":
        return decode_array(message, field)
    return decode_index(message, field)


def message_class(name: str) -> type:
    """The generated message class called ``name`` (e.g. ``"RunHMMRequest"``)."""
    return getattr(pb, name)

"""One generic codec between hftlab dataclasses and proto messages.

A request or result dataclass and its proto message have the same field
names; this module walks the dataclass fields and copies each value by its
type, so no RPC needs hand-written per-field conversion (the single place of
conversion, after qdrant-client's ``conversions/conversion.py``).

Supported field types: ``bool``, ``int``, ``float``, ``str`` (scalars and
``optional``), ``list`` of scalars, ``dict[str, float]`` (proto maps),
``numpy.ndarray`` (``NDArray``: raw little-endian bytes + dtype + shape,
decoded with ``numpy.frombuffer``), ``pandas.Series`` (``Series``),
``pandas.DataFrame`` and structured arrays (``Frame``), nested dataclasses (messages) and lists of
them. String arrays travel as fixed-width unicode (``<U``) buffers.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
import warnings
from typing import Any

import numpy as np
import pandas as pd

try:
    from pandas.api.internals import create_dataframe_from_blocks  # pandas >= 3.0
except ImportError:  # older pandas: every frame of several dtypes from a dict of its columns
    create_dataframe_from_blocks = None

from hftlab.errors import InvalidInput
from hftlab.rpc import wire
from hftlab.rpc.v1 import trading_pb2 as pb

_SPECIAL = {"NDArray", "Series", "Frame", "Index"}


# ---------------------------------------------------------------- arrays


def encode_array(
    array: np.ndarray, message: pb.NDArray | None = None, pending: list | None = None
) -> pb.NDArray:
    """Write ``array`` into an ``NDArray`` message (C order, little-endian).

    With a ``pending`` list, a large array is not copied into the message but left for
    :func:`hftlab.rpc.wire.dumps` (:func:`hftlab.rpc.wire.defer`).
    """
    message = pb.NDArray() if message is None else message
    array = np.asarray(array)
    if array.dtype == object or array.dtype.kind in "OT":
        array = array.astype(str)
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    array = np.ascontiguousarray(array)
    message.dtype = array.dtype.str
    message.shape[:] = array.shape
    if pending is not None and array.nbytes >= wire.LARGE:
        wire.defer(message, array, pending)
    else:
        message.data = array.tobytes()
    return message


_KINDS = "biufcmMU"  # the dtype kinds an NDArray may carry (no objects, records, raw bytes)


def decode_array(message: pb.NDArray, field: str = "array", lifted: list | None = None) -> np.ndarray:
    """Read an ``NDArray`` message back into a numpy array (no per-element work).

    ``lifted``: the buffers :func:`hftlab.rpc.wire.loads` took out of a large message,
    read in place (copied only when misaligned for the dtype).
    """
    try:
        dtype = np.dtype(message.dtype)
        if dtype.kind not in _KINDS or dtype.names is not None or dtype.subdtype is not None:
            raise TypeError(f"dtype {dtype.str} is not a plain number, bool, time or string type")
        shape = tuple(message.shape)
        data = message.data  # each read of a bytes field copies it out of the message
        if lifted is not None and data:
            data = wire.lifted_buffer(data, lifted, field)
        if any(n < 0 for n in shape) or math.prod(shape) * dtype.itemsize != len(data):
            raise ValueError(f"{len(data)} bytes do not hold shape {shape} of dtype {dtype.str}")
        array = np.frombuffer(data, dtype=dtype).reshape(shape)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"'{field}' is not a valid NDArray: {exc}") from None
    if not dtype.isnative:  # big-endian from another client: native order, as every sender writes
        return array.astype(dtype.newbyteorder("="))
    return array.copy() if dtype.kind == "U" or not array.flags.aligned else array


def _values_for_pandas(array: np.ndarray) -> np.ndarray:
    # Strings decode to object so pandas infers the same dtype it did on the sender.
    return array.astype(object) if array.dtype.kind == "U" else array


# ---------------------------------------------------------------- pandas


class _Memo:
    """State of converting one message.

    ``encoded``/``decoded``: indexes already converted. The Series and frames of a
    result usually share one index, which then travels as one pandas object per side
    (encoded once, decoded and frequency-checked once, and shared after decoding).
    ``pending``: arrays left out of the message for :func:`hftlab.rpc.wire.dumps`;
    ``lifted``: buffers :func:`hftlab.rpc.wire.loads` took out of it.
    """

    def __init__(self, pending: list | None = None, lifted: list | None = None) -> None:
        self.encoded: dict[int, tuple[pd.Index, pb.Index]] = {}
        self.decoded: dict[Any, pd.Index] = {}
        self.pending = pending
        self.lifted = lifted


def encode_index(index: pd.Index, message: pb.Index, memo: _Memo | None = None) -> None:
    """Write a pandas index (range, datetime with tz/freq, numbers or strings)."""
    memo = _Memo() if memo is None else memo
    if id(index) in memo.encoded:
        message.CopyFrom(memo.encoded[id(index)][1])
        return
    if index.name is not None:
        message.name = str(index.name)
    if isinstance(index, pd.RangeIndex):
        message.range.start, message.range.stop, message.range.step = index.start, index.stop, index.step
    elif isinstance(index, pd.DatetimeIndex):
        if index.tz is not None:
            message.tz = str(index.tz)
        if index.freq is not None:
            message.freq = index.freqstr
        # the UTC times as they are held (what tz_convert("UTC").tz_localize(None) gives, uncopied)
        encode_array(index.asi8.view(f"M8[{index.unit}]"), message.values, memo.pending)
    else:
        encode_array(index.to_numpy(), message.values, memo.pending)
    memo.encoded[id(index)] = (index, message)  # the index is kept so its id stays unique


def decode_index(message: pb.Index, field: str, memo: _Memo | None = None) -> pd.Index:
    memo = _Memo() if memo is None else memo
    # the key: every field but the values' padding, and the values' bytes themselves (the
    # received buffer behind a marker)
    key: tuple = (message.name if message.HasField("name") else None, message.tz, message.freq)
    kind = message.WhichOneof("kind")
    if kind == "values":  # (touching `values` otherwise would select it)
        values = message.values
        data = values.data
        if memo.lifted is not None and data:
            data = wire.lifted_buffer(data, memo.lifted, field)
        key += (values.dtype, tuple(values.shape), data)
    elif kind == "range":
        key += (message.range.start, message.range.stop, message.range.step)
    if key not in memo.decoded:
        memo.decoded[key] = _decode_index(message, field, memo.lifted)
    return memo.decoded[key]


def _decode_index(message: pb.Index, field: str, lifted: list | None) -> pd.Index:
    name = message.name if message.HasField("name") else None
    if message.WhichOneof("kind") == "range":
        r = message.range
        if r.step == 0:
            raise InvalidInput(f"'{field}' index has a range step of 0.")
        return pd.RangeIndex(r.start, r.stop, r.step, name=name)
    if message.WhichOneof("kind") is None:
        return pd.RangeIndex(0, name=name)
    values = _values_for_pandas(decode_array(message.values, field, lifted))
    if values.ndim != 1:
        raise InvalidInput(f"'{field}' index must be 1-D; got shape {values.shape}.")
    try:
        if values.dtype.kind == "M":
            return _datetime_index(values, message.tz or None, message.freq or None, name)
        if values.dtype == object:
            return _labels(tuple(values), name)
        return pd.Index(values, name=name)
    except (TypeError, ValueError, LookupError, NotImplementedError) as exc:  # time zone, freq, float16
        raise InvalidInput(f"'{field}' has an invalid index: {exc}") from None


_MEMO_LABELS, _MEMO_RANGE = 1_000, 10_000  # longest label list and regular range kept (bounds memory)


def _labels(names: tuple[str, ...], name: str | None = None) -> pd.Index:
    """A new string Index of ``names`` (labels: column names, tickers, currencies) called ``name``.

    Labels repeat from call to call and pandas takes ~40 µs to build a string Index from
    a list, so short lists are built once; callers get their own Index object over the
    same immutable values.
    """
    return _named(_memo_labels(names), name) if len(names) <= _MEMO_LABELS else pd.Index(names, name=name)


def _named(index: pd.Index, name: str | None) -> pd.Index:
    """A new Index over the same values (and cached properties) as the kept ``index``, called
    ``name``: what ``index.rename(name)`` makes, without its argument checks (~2 µs of ~3)."""
    view = index.view()
    view.name = name
    return view


@functools.lru_cache(maxsize=256)
def _memo_labels(names: tuple[str, ...]) -> pd.Index:
    return pd.Index(names)


def _datetime_index(values: np.ndarray, tz: str | None, freq: str | None, name: str | None) -> pd.DatetimeIndex:
    """A DatetimeIndex of UTC ``values`` shown in ``tz``, with ``freq`` checked against the values.

    With a ``freq``, the values are compared as integers with the regular range of ``freq``
    from the first one (kept from message to message), which is then the index: no index is
    built from the values (a few times faster than pandas' own inference). When they differ,
    pandas decides.
    """
    if freq is not None and len(values):
        unit = np.datetime_data(values.dtype)[0]
        generate = _regular_range if len(values) <= _MEMO_RANGE else _regular_range.__wrapped__  # (not kept)
        regular = generate(values[0], len(values), freq, unit, tz)
        if np.array_equal(regular.asi8, values.view(np.int64)):
            return _named(regular, name)
    index = pd.DatetimeIndex(values, name=name)
    if tz is not None:
        index = index.tz_localize("UTC").tz_convert(tz)
    return index if freq is None else pd.DatetimeIndex(index, freq=freq)


@functools.lru_cache(maxsize=256)
def _regular_range(
    start: np.datetime64, periods: int, freq: str, unit: str, tz: str | None
) -> pd.DatetimeIndex:
    """``pandas.date_range`` from the UTC time ``start`` shown in ``tz``, kept for the next
    message with the same range: a business-day range takes ~140 µs to generate, and a
    history is often sent many times (sweeps). The values are still compared on every message."""
    first = pd.Timestamp(start)
    if tz is not None:
        first = first.tz_localize("UTC").tz_convert(tz)
    return pd.date_range(first, periods=periods, freq=freq, unit=unit)


def encode_series(series: pd.Series, message: pb.Series, memo: _Memo | None = None) -> None:
    memo = _Memo() if memo is None else memo
    if series.name is not None:
        message.name = str(series.name)
    encode_array(series.to_numpy(), message.values, memo.pending)
    encode_index(series.index, message.index, memo)


def decode_series(message: pb.Series, field: str, memo: _Memo | None = None) -> pd.Series:
    memo = _Memo() if memo is None else memo
    values = decode_array(message.values, field, memo.lifted)
    if values.ndim != 1:
        raise InvalidInput(f"'{field}' must be 1-D; got shape {values.shape}.")
    index = decode_index(message.index, field, memo)
    if len(index) != len(values):
        raise InvalidInput(f"'{field}' has {len(values)} values but an index of length {len(index)}.")
    name = message.name if message.HasField("name") else None
    return pd.Series(_values_for_pandas(values), index=index, name=name, copy=False)


def encode_frame(frame: pd.DataFrame | np.ndarray, message: pb.Frame, memo: _Memo | None = None) -> None:
    """Columns travel one ``NDArray`` each (read out as one block when they share a dtype); a
    structured array travels as a frame of its fields."""
    memo = _Memo() if memo is None else memo
    if isinstance(frame, np.ndarray):
        message.columns.extend(frame.dtype.names)
        for name in frame.dtype.names:
            encode_array(frame[name], message.data.add(), memo.pending)
        encode_index(pd.RangeIndex(len(frame)), message.index, memo)
        return
    message.columns.extend(map(str, frame.columns.tolist()))  # (tolist: one pass over a string Index)
    # (frame.dtypes costs ~13 µs; reading the values first to see whether they are one block would
    # copy those of a mixed frame together, boxing its times and strings, twice)
    if frame.shape[1] == 1 or (frame.shape[1] and len(set(frame.dtypes)) == 1):
        block = frame.to_numpy()
        columns = [block[:, k] for k in range(frame.shape[1])]
    else:
        columns = [column.to_numpy() for _, column in frame.items()]
    for column in columns:
        encode_array(column, message.data.add(), memo.pending)
    encode_index(frame.index, message.index, memo)


def decode_frame(message: pb.Frame, field: str, memo: _Memo | None = None) -> pd.DataFrame:
    """A frame whose columns share one numeric dtype is built from one 2-D block (one copy of
    their bytes, read at once).

    Frames whose columns differ in dtype are built from their blocks (:func:`_from_blocks`), or
    column by column from a dict where pandas would convert or infer more."""
    memo = _Memo() if memo is None else memo
    names = _column_names(message, field)
    index = decode_index(message.index, field, memo)
    block = _block(message.data, len(index), memo.lifted)
    if block is not None:  # (the layout of the stacked columns below)
        return pd.DataFrame(block.T, index=index, columns=_labels(tuple(names)), copy=False)
    columns = _columns(message, names, len(index), field, memo)
    if columns and len({c.dtype for c in columns}) == 1 and columns[0].dtype.kind in "biufcmM":
        # pandas keeps a block as (columns, rows); stacking that way gives the layout (and so
        # the floating-point summation order) of a frame built from a dict of columns
        return pd.DataFrame(np.stack(columns).T, index=index, columns=_labels(tuple(names)), copy=False)
    frame = _from_blocks(columns, names, index)
    if frame is not None:
        return frame
    data = {name: _values_for_pandas(c) for name, c in zip(names, columns, strict=True)}
    return pd.DataFrame(data, index=index)  # the names are unique: the dict keeps their order


_UNITS = ("s", "ms", "us", "ns")  # the time units pandas holds as they are


def _from_blocks(columns: list[np.ndarray], names: list[str], index: pd.Index) -> pd.DataFrame | None:
    """The frame that ``pandas.DataFrame`` makes of a dict of these columns of several dtypes, built
    from its blocks at once (``pandas.api.internals.create_dataframe_from_blocks``) without
    pandas' inference per column (~10 µs each): pandas stacks the columns of one numpy dtype into
    one (columns, rows) block, the groups in order of first appearance, and infers its string
    dtype for each column of strings, a block of its own. ``None`` where pandas would convert or
    infer otherwise: rows of no string, times in other units than it holds, other dtypes, a pandas
    before 3.0."""
    if create_dataframe_from_blocks is None:
        return None
    text = _inferred_text() if len(index) and any(c.dtype.kind == "U" for c in columns) else None
    groups: dict[Any, list[int]] = {}  # numpy dtype (or a string column's position) -> positions
    for k, column in enumerate(columns):
        key = dtype = column.dtype
        if dtype.kind == "U" and text is not None:
            key = k
        elif not (dtype.kind in "biufc" or (dtype.kind in "mM" and np.datetime_data(dtype)[0] in _UNITS)):
            return None
        groups.setdefault(key, []).append(k)
    blocks = []
    for key, places in groups.items():
        if isinstance(key, int):
            blocks.append((pd.array(columns[key].astype(object), dtype=text), np.array(places)))
        else:
            blocks.append((np.stack([columns[k] for k in places]), np.array(places)))
    return create_dataframe_from_blocks(blocks, index, _labels(tuple(names)))


def _column_names(message: pb.Frame, field: str) -> list[str]:
    names = list(message.columns)
    if len(names) != len(message.data):
        raise InvalidInput(f"'{field}' has {len(names)} column names but {len(message.data)} columns.")
    if len(set(names)) != len(names):
        raise InvalidInput(f"'{field}' has duplicate column names.")
    return names


def _columns(message: pb.Frame, names: list[str], rows: int, field: str, memo: _Memo) -> list[np.ndarray]:
    """The columns of a frame, ``rows`` values each."""
    columns = []
    for name, data in zip(names, message.data, strict=True):
        values = decode_array(data, f"{field}.{name}", memo.lifted)
        if values.shape != (rows,):
            raise InvalidInput(f"'{field}' column {name!r} has shape {values.shape}; expected ({rows},).")
        columns.append(values)
    return columns


def decode_records(message: pb.Frame, field: str, memo: _Memo | None = None) -> np.ndarray:
    """The structured array of a frame's columns (one field per column, named and typed as sent,
    rows in order; the index gives only their number): an array field that travels as a frame
    (:data:`hftlab.types.Columns`) is read without building a pandas object."""
    memo = _Memo() if memo is None else memo
    names = _column_names(message, field)
    if "" in names:  # (numpy would name such a field f0, f1...)
        raise InvalidInput(f"'{field}' has an empty column name.")
    rows = len(decode_index(message.index, field, memo))
    columns = _columns(message, names, rows, field, memo)
    records = np.empty(rows, [(name, c.dtype) for name, c in zip(names, columns, strict=True)])
    for name, values in zip(names, columns, strict=True):
        records[name] = values
    return records


def _inferred_text() -> pd.StringDtype | None:
    """The dtype pandas infers for a column of strings (``None``: it keeps them as objects, which
    pandas 3 does only when its deprecated option ``future.infer_string`` is turned off)."""
    with warnings.catch_warnings(action="ignore", category=DeprecationWarning):  # (reading the option)
        return pd.StringDtype(na_value=np.nan) if pd.get_option("future.infer_string") else None


def _block(columns: Any, rows: int, lifted: list | None) -> np.ndarray | None:
    """The ``NDArray`` columns of a frame as one writable (columns, rows) array read from their
    bytes at once, when they are regular: one native number or time dtype, ``rows`` values
    each, bytes held in the message (not lifted). ``None`` otherwise: they are then decoded one
    by one, which names any fault."""
    if not len(columns) or lifted is not None:
        return None
    first = columns[0].dtype
    try:
        dtype = np.dtype(first)
    except TypeError:
        return None
    if dtype.kind not in "biufcmM" or not dtype.isnative:  # (records and sub-arrays are of kind "V")
        return None
    data = []
    for column in columns:
        if column.dtype != first or len(column.shape) != 1 or column.shape[0] != rows:
            return None
        data.append(column.data)
        if len(data[-1]) != rows * dtype.itemsize:
            return None
    return np.frombuffer(bytearray().join(data), dtype).reshape(len(columns), rows)


# ---------------------------------------------------------------- dataclasses


@dataclasses.dataclass(frozen=True)
class _Field:
    """How one dataclass field maps to its proto field (worked out once per class)."""

    name: str
    kind: str  # "scalar", "scalars", "map", "special", "message" or "messages"
    presence: bool  # proto ``optional``/message field: unset means None (or the default)
    has_default: bool
    special: str = ""  # "NDArray", "Series", "Frame", "Index" or "Records" (an array as a Frame)
    item_type: type | None = None  # dataclass of a (repeated) message field


@functools.cache
def _plan(cls: type, descriptor: Any) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls)
    plan = []
    for field in dataclasses.fields(cls):
        fd = descriptor.fields_by_name[field.name]
        hint = _strip_optional(hints[field.name])
        message_type, special, item_type = fd.message_type, "", None
        if message_type is None:
            kind = "scalars" if fd.is_repeated else "scalar"
        elif message_type.GetOptions().map_entry:
            kind = "map"
        elif message_type.name in _SPECIAL:
            kind, special = "special", message_type.name
            if special == "Frame" and hint is np.ndarray:  # an array that travels as a frame
                special = "Records"
        elif fd.is_repeated:
            kind, (item_type,) = "messages", typing.get_args(hint)
        else:
            kind, item_type = "message", hint
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        plan.append(_Field(field.name, kind, fd.has_presence, not required, special, item_type))
    return tuple(plan)


def _strip_optional(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


_ENCODERS = {
    "NDArray": lambda value, message, memo: encode_array(value, message, memo.pending),
    "Series": encode_series,
    "Frame": encode_frame,
    "Index": encode_index,
    "Records": encode_frame,
}
_DECODERS = {
    "NDArray": lambda message, field, memo: decode_array(message, field, memo.lifted),
    "Series": decode_series,
    "Frame": decode_frame,
    "Index": decode_index,
    "Records": decode_records,
}


def encode(obj: Any, message: Any, memo: _Memo | None = None) -> Any:
    """Copy every field of the dataclass ``obj`` into the proto ``message``; return it."""
    memo = _Memo() if memo is None else memo
    for field in _plan(type(obj), message.DESCRIPTOR):
        value = getattr(obj, field.name)
        if value is None:
            continue
        kind = field.kind
        if kind == "scalar":
            setattr(message, field.name, value)
        elif kind == "scalars":
            getattr(message, field.name).extend(value)
        elif kind == "map":
            getattr(message, field.name).update(value)
        elif kind == "special":
            _ENCODERS[field.special](value, getattr(message, field.name), memo)
        elif kind == "messages":
            target = getattr(message, field.name)
            for item in value:
                encode(item, target.add(), memo)
        else:  # a nested message: present even when every field of it is at its zero value
            target = getattr(message, field.name)
            target.SetInParent()
            encode(value, target, memo)
    return message


def decode(message: Any, cls: type, memo: _Memo | None = None) -> Any:
    """Build the dataclass ``cls`` from the proto ``message`` (its ``__post_init__`` validates)."""
    memo = _Memo() if memo is None else memo
    kwargs = {}
    for field in _plan(cls, message.DESCRIPTOR):
        name, kind = field.name, field.kind
        if field.presence and not message.HasField(name):
            if not field.has_default:
                kwargs[name] = None
        elif kind == "scalar":
            kwargs[name] = getattr(message, name)
        elif kind == "scalars":
            kwargs[name] = list(getattr(message, name))
        elif kind == "map":
            kwargs[name] = dict(getattr(message, name))
        elif kind == "special":
            kwargs[name] = _DECODERS[field.special](getattr(message, name), name, memo)
        elif kind == "messages":
            kwargs[name] = [decode(item, field.item_type, memo) for item in getattr(message, name)]
        else:
            kwargs[name] = decode(getattr(message, name), field.item_type, memo)
    return cls(**kwargs)


def to_wire(obj: Any, message_class: type) -> bytes:
    """The protobuf wire bytes of the dataclass ``obj`` as a ``message_class`` message
    (large arrays copied once, straight into the bytes: :mod:`hftlab.rpc.wire`)."""
    pending: list[np.ndarray] = []
    return wire.dumps(encode(obj, message_class(), _Memo(pending=pending)), pending)


def from_wire(data: bytes, message_class: type, cls: type, inspect: Any = None) -> Any:
    """The dataclass ``cls`` from wire bytes of a ``message_class`` message (large arrays
    read in place). ``inspect(message)``, when given, sees the parsed message before it is
    decoded (and may refuse it)."""
    message, lifted = wire.loads(data, message_class)
    if inspect is not None:
        inspect(message)
    return decode(message, cls, _Memo(lifted=lifted))


def crowded_field(message: Any, most: int, prefix: str = "") -> tuple[str, int] | None:
    """The first repeated field of ``message`` (nested messages included) with more than
    ``most`` items, as ``(dotted name, items)``; ``None`` if there is none.

    Decoding costs Python steps per item of a repeated field (a column, a symbol, a map
    entry) where parsing costs nanoseconds: a server asks this before decoding. Nested
    messages are visited only when their list is within ``most``, so the check itself costs
    at most ``most`` steps per level.
    """
    for fd, value in message.ListFields():
        name = f"{prefix}{fd.name}"
        if fd.is_repeated and len(value) > most:
            return name, len(value)
        inner = fd.message_type
        if inner is None or inner.name == "NDArray" or inner.GetOptions().map_entry:
            continue  # scalars, array buffers and maps of scalars: no nested lists
        for item in value if fd.is_repeated else [value]:
            if (found := crowded_field(item, most, f"{name}.")) is not None:
                return found
    return None


def message_class(name: str) -> type:
    """The generated message class called ``name`` (e.g. ``"RunHMMRequest"``)."""
    return getattr(pb, name)

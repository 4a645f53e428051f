"""Large messages to and from protobuf wire bytes without copying their arrays.

A protobuf message object owns its bytes fields: setting ``NDArray.data`` copies the
array into the message, serializing copies it again, and parsing and reading it back
copy it twice more. For the multi-megabyte arrays of research calls those copies cost
more than the transport itself, so large arrays take a different route to the very
same wire format (any protobuf reader, e.g. the Node.js client, sees ordinary messages):

- sending: :func:`defer` leaves a large array out of its ``NDArray`` message (``data``
  holds a 4-byte *marker*, the array's index, and a 1-byte ``padding`` flags it);
  :func:`dumps` serializes the small message and splices the arrays' own memory in
  place of the markers, copying each array once, into the outgoing bytes, at an
  8-byte boundary (:data:`ALIGN`, with ``padding`` fields as filler) so that receivers
  can use it in place;
- receiving: :func:`loads` walks a large message field by field (only into message
  types that can hold an ``NDArray``), replaces every ``NDArray.data`` by a marker and
  returns views of the received bytes, which
  :func:`hftlab.rpc.codec.decode_array` reads with ``numpy.frombuffer``. The walk costs
  microseconds per field in Python: it gives up after :func:`_budget` fields (a message of
  many small fields is not one of large arrays) and protobuf's own parser takes the whole
  message, so parsing costs a few nanoseconds per byte whatever the message's shape.

The walk follows the protobuf encoding
(https://protobuf.dev/programming-guides/encoding/): a field is a varint key
``number << 3 | wire type`` followed by a varint, 8 or 4 bytes, or a varint length
and that many bytes. Malformed bytes raise :class:`~hftlab.errors.InvalidInput`.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from google.protobuf.descriptor import Descriptor

from hftlab.errors import InvalidInput

LARGE = 1 << 18
"""Arrays (sent) and messages (received) of at least this many bytes take the copy-free
route; below it walking the message costs more than the copies it saves."""

ALIGN = 8
"""Arrays sent by :func:`dumps` start at a multiple of this many bytes in the message."""

_MARKER = struct.Struct("<I")
_DATA, _PADDING = 3, 4  # field numbers in NDArray
_LEN = 2  # wire type of length-delimited fields
_DEFERRED = b"\x01"  # padding of an NDArray whose data is a marker, until dumps replaces it
_PADDED = ALIGN + 3  # padding bytes around each spliced array: any shift leaves both sides 0 or >= 2

_Field = tuple[int, int, int, int, int]  # number, start, end of key, start of payload, end
_Splice = Callable[[memoryview, list[_Field]], list[Any]]


class _Malformed(ValueError):
    pass


class _Dense(Exception):
    """The message has more fields than the walk's budget."""


def _budget(size: int) -> int:
    """Fields the walk of a ``size``-byte message may visit: one per KiB (and 64)."""
    return 64 + size // 1024


def defer(message: Any, array: np.ndarray, pending: list[np.ndarray]) -> None:
    """Leave the contiguous ``array`` out of the ``NDArray`` ``message``, for :func:`dumps`."""
    message.data = _MARKER.pack(len(pending))
    message.padding = _DEFERRED
    pending.append(array.reshape(-1).view(np.uint8))


def lifted_buffer(data: bytes, lifted: list[memoryview], field: str) -> memoryview:
    """The received buffer that the marker ``data`` of a message from :func:`loads` stands for."""
    if len(data) != _MARKER.size or (index := _MARKER.unpack(data)[0]) >= len(lifted):
        raise InvalidInput(f"'{field}' is not a valid NDArray: its data does not reference a received buffer.")
    return lifted[index]


def dumps(message: Any, pending: list[np.ndarray]) -> bytes:
    """Wire bytes of ``message`` with the arrays :func:`defer` left out spliced back in.

    Each array gets :data:`_PADDED` bytes of ``NDArray.padding`` fields, split between one
    before and one after it so that it starts at a multiple of :data:`ALIGN` bytes (a
    singular field may repeat: the last one counts). The split does not change the
    message's length, so one pass lays everything out.
    """
    small = message.SerializeToString()
    if not pending:
        return small
    arrays: set[int] = set()

    def splice(view: memoryview, fields: list[_Field]) -> list[Any]:
        if not any(number == _PADDING and view[body:end] == _DEFERRED for number, _, _, body, end in fields):
            return [view]
        out: list[Any] = []
        for number, start, key_end, body, end in fields:
            if number == _DATA:
                array = memoryview(pending[_MARKER.unpack(view[body:end])[0]])
                arrays.add(id(array))
                out += [b"", view[start:key_end], _encode_varint(len(array)), array, _filler(_PADDED)]
            elif number != _PADDING:
                out.append(view[start:end])
        return out

    pieces: list[Any] = []
    _rewrite(memoryview(small), message.DESCRIPTOR, pieces, splice)
    position = 0
    for i, piece in enumerate(pieces):
        if id(piece) in arrays and (shift := -position % ALIGN):
            before = shift if shift > 1 else ALIGN + 1  # a field takes at least 2 bytes
            pieces[i - 3], pieces[i + 1] = _filler(before), _filler(_PADDED - before)
            position += before
        position += len(piece)
    return b"".join(pieces)


def _filler(size: int) -> bytes:
    """An ``NDArray.padding`` field of ``size`` bytes in all (0, or 2 and more)."""
    return bytes([_PADDING << 3 | _LEN, size - 2]) + bytes(size - 2) if size else b""


def loads(data: bytes, message_class: type) -> tuple[Any, list[memoryview] | None]:
    """Parse ``data``: the message and, for large messages, the arrays lifted out of it.

    Returns ``(message, None)`` for small messages (plain protobuf parsing); otherwise
    every ``NDArray.data`` of the message is a marker of one of the returned views of
    ``data`` (see :func:`lifted_buffer`).
    """
    if len(data) < LARGE:
        return _parse(data, message_class), None
    lifted: list[memoryview] = []

    def lift(view: memoryview, fields: list[_Field]) -> list[Any]:
        out: list[Any] = []
        for number, start, key_end, body, end in fields:
            if number == _DATA and body > key_end:
                out += [view[start:key_end], bytes([_MARKER.size]), _MARKER.pack(len(lifted))]
                lifted.append(view[body:end])
            else:
                out.append(view[start:end])
        return out

    pieces: list[Any] = []
    try:
        _rewrite(memoryview(data), message_class.DESCRIPTOR, pieces, lift, [_budget(len(data))])
    except _Malformed as exc:
        raise InvalidInput(f"the message is not a valid {message_class.__name__}: {exc}") from None
    except _Dense:
        return _parse(data, message_class), None
    return _parse(b"".join(pieces), message_class), lifted


def _parse(data: bytes, message_class: type) -> Any:
    try:
        return message_class.FromString(data)
    except Exception as exc:  # protobuf's DecodeError
        raise InvalidInput(f"the message is not a valid {message_class.__name__}: {exc}") from None


def _varint(view: memoryview, position: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if position >= len(view) or shift > 63:
            raise _Malformed("a truncated or overlong varint")
        byte = view[position]
        value |= (byte & 0x7F) << shift
        position += 1
        if byte < 0x80:
            return value, position
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _fields(view: memoryview, budget: list[int] | None = None) -> Iterator[_Field]:
    """The fields of the message in ``view`` as ``(number, start, key_end, body, end)``:
    the key is ``view[start:key_end]``, the payload ``view[body:end]``; ``body > key_end``
    exactly for length-delimited fields (their length varint lies between). ``budget``: a
    one-item list of the fields still allowed (:class:`_Dense` beyond)."""
    position = 0
    while position < len(view):
        if budget is not None:
            budget[0] -= 1
            if budget[0] < 0:
                raise _Dense
        start = position
        key, position = _varint(view, position)
        number, wire_type, key_end = key >> 3, key & 7, position
        if wire_type == 0:
            _, position = _varint(view, position)
            body = key_end
        elif wire_type in (1, 5):
            body, position = key_end, key_end + (8 if wire_type == 1 else 4)
        elif wire_type == _LEN:
            length, body = _varint(view, position)
            position = body + length
        else:
            raise _Malformed(f"wire type {wire_type} of field {number}")
        if position > len(view):
            raise _Malformed(f"field {number} runs past the end")
        yield number, start, key_end, body, position


@functools.cache
def _holds_arrays(descriptor: Descriptor) -> bool:
    """Whether messages of this type can contain an ``NDArray`` (then the walk enters them)."""
    return descriptor.name == "NDArray" or any(
        _holds_arrays(field.message_type)
        for field in descriptor.fields
        if field.message_type is not None
        and field.message_type is not descriptor
        and not field.message_type.GetOptions().map_entry
    )


def _rewrite(
    view: memoryview,
    descriptor: Descriptor,
    pieces: list[Any],
    splice: _Splice,
    budget: list[int] | None = None,
) -> None:
    """Append to ``pieces`` the message in ``view``: each ``NDArray`` as the pieces
    ``splice(view, fields)`` returns, the messages holding them with their lengths fixed,
    everything else as it was (visiting at most ``budget[0]`` fields, see :func:`_fields`)."""
    if descriptor.name == "NDArray":
        pieces += splice(view, list(_fields(view, budget)))
        return
    for number, start, key_end, body, end in _fields(view, budget):
        field = descriptor.fields_by_number.get(number)
        inner_type = field.message_type if field is not None else None
        if body > key_end and inner_type is not None and _holds_arrays(inner_type):
            inner: list[Any] = []
            _rewrite(view[body:end], inner_type, inner, splice, budget)
            pieces += [view[start:key_end], _encode_varint(sum(map(len, inner))), *inner]
        else:
            pieces.append(view[start:end])

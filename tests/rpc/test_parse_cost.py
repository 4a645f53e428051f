"""Parsing costs a few nanoseconds per byte whatever the message's shape: a message of many tiny
fields (unknown fields, a long symbol list, thousands of one-value columns, a huge params map, a
packed grid, a random mix) costs per byte at most a small multiple of a message of one large
array, and of protobuf's own C parser on the same bytes. Ratios in one run, no absolute times."""

import time

import numpy as np
import pytest

from hftlab.backends.local import LocalBackend
from hftlab.errors import InvalidInput, ResourceExhausted
from hftlab.rpc import codec, wire
from hftlab.rpc.v1 import trading_pb2 as pb
from hftlab.server.app import _Service
from hftlab.server.config import ServerConfig
from hftlab.server.metrics import RpcMetrics
from hftlab.types import REQUEST_TYPES
from hftlab.types.limits import Limits
from hftlab.types.statarb import MeanReversionRequest

SIZE = 2_000_000
rng = np.random.default_rng(20)


def _key(number: int, wire_type: int) -> bytes:
    return wire._encode_varint(number << 3 | wire_type)


def _field(number: int, payload: bytes) -> bytes:
    return _key(number, 2) + wire._encode_varint(len(payload)) + payload


def _random_tiny_fields(size: int) -> bytes:
    """Unknown fields of every wire type with one- or two-byte payloads, in random order."""
    pieces, total = [], 0
    while total < size:
        number, kind = int(rng.integers(100, 2000)), int(rng.integers(0, 4))
        piece = {0: _key(number, 0) + b"\x01", 1: _key(number, 1) + bytes(8), 2: _field(number, b"x"),
                 3: _key(number, 5) + bytes(4)}[kind]  # fmt: skip
        pieces.append(piece)
        total += len(piece)
    return b"".join(pieces)


def _many_columns(count: int) -> bytes:
    column = pb.NDArray(dtype="<f8", shape=[1], data=bytes(8)).SerializeToString()
    frame = b"".join(_field(1, b"c%d" % i) for i in range(count)) + _field(2, column) * count
    return _field(1, frame)


def _params_map(count: int) -> bytes:
    entries = b"".join(_field(4, _field(1, b"k%d" % i) + _key(2, 1) + bytes(8)) for i in range(count))
    return entries + _field(2, b"x.parquet")


PRICES = 100 + np.cumsum(rng.normal(size=SIZE // 8))
ONE_ARRAY = (
    "CalculateMeanReversion",
    codec.to_wire(MeanReversionRequest(PRICES), pb.CalculateMeanReversionRequest),
)
TINY = {
    "unknown fields after a valid request": ("CalculateMeanReversion", ONE_ARRAY[1] + _random_tiny_fields(SIZE)),  # noqa: E501
    "a random mix of tiny fields": ("RunHMM", _random_tiny_fields(SIZE)),
    "a long symbol list": ("StreamMarketData", _field(1, b"A") * (SIZE // 3)),
    "one-value columns": ("ScanPairs", _many_columns(SIZE // 24)),
    "a huge params map": ("RunTickBacktest", _params_map(SIZE // 20)),
    "a packed grid": ("WalkForward", _field(4, b"\x05" * SIZE)),
}  # fmt: skip


def _seconds(run, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def _admit(service: _Service, rpc: str, data: bytes):
    try:
        service.admit(data, codec.message_class(f"{rpc}Request"), REQUEST_TYPES[rpc])
    except (InvalidInput, ResourceExhausted) as exc:  # refused, by name: a typed answer
        return exc
    return None


@pytest.fixture(scope="module")
def service() -> _Service:
    return _Service(LocalBackend(Limits()), RpcMetrics(), ServerConfig())


@pytest.fixture(scope="module")
def one_array_per_byte(service) -> float:
    assert _admit(service, *ONE_ARRAY) is None
    return _seconds(lambda: _admit(service, *ONE_ARRAY)) / len(ONE_ARRAY[1])


@pytest.mark.parametrize("shape", sorted(TINY))
def test_many_tiny_fields_cost_little_more_per_byte_than_one_array(service, one_array_per_byte, shape):
    rpc, data = TINY[shape]
    assert len(data) > 0.9 * SIZE
    outcome = _admit(service, rpc, data)
    assert outcome is None or isinstance(outcome, InvalidInput | ResourceExhausted)
    per_byte = _seconds(lambda: _admit(service, rpc, data)) / len(data)
    protobuf = _seconds(lambda: codec.message_class(f"{rpc}Request").FromString(data)) / len(data)
    # before: microseconds per field, i.e. ~2000x the one array's cost per byte, ~100x protobuf's
    assert per_byte < 100 * one_array_per_byte, f"{per_byte * 1e9:.1f} ns/B"
    assert per_byte < 10 * protobuf + 20e-9, f"{per_byte * 1e9:.1f} ns/B, protobuf {protobuf * 1e9:.1f} ns/B"


def test_crowded_lists_are_refused_by_name_before_decoding(service):
    error = _admit(service, *TINY["one-value columns"])
    assert isinstance(error, ResourceExhausted)
    assert error.message.startswith("'prices.columns' holds 83,333 items; this server allows at most 10,000")
    assert isinstance(_admit(service, *TINY["a long symbol list"]), ResourceExhausted)

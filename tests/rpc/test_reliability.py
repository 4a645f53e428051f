"""Reliability over the wire: fuzzed requests for every RPC, many concurrent clients.

Bounded in time and count, loopback only. A fuzzed request may be answered with
a result or a typed error — never ``INTERNAL``/``UNKNOWN`` — and the server stays
healthy afterwards.
"""

from concurrent.futures import ThreadPoolExecutor

import grpc
import numpy as np
import pytest
from google.protobuf.descriptor import FieldDescriptor as FD
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hftlab
from hftlab.backends import GrpcBackend, GrpcConfig
from hftlab.rpc import codec
from hftlab.rpc.v1 import trading_pb2 as pb
from hftlab.server import build_server
from hftlab.server.config import ServerConfig
from hftlab.types import MeanReversionRequest, ServerInfoRequest
from hftlab.types.market import GetOrderBookRequest, MarketMakingRequest, StreamMarketDataRequest
from hftlab.types.statarb import FitOURequest

METHODS = list(pb.DESCRIPTOR.services_by_name["Trading"].methods)
ALLOWED = {
    grpc.StatusCode.OK,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.UNIMPLEMENTED,
}

floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from(
        [
            0.0,
            -1.0,
            1e-300,
            1e300,
            5e-324,
            1.7976931348623157e308,
            -1e308,
            float("nan"),
            float("inf"),
            -float("inf"),
        ]
    ),
)
ints = st.one_of(st.integers(-3, 300), st.sampled_from([-(2**63), 2**31, 2**62, 2**63 - 1]))
texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "AAPL", "x", "simulated", "hmm", "replay", "\x00", "/tmp/\x00x", "a\x1fb", "x" * 5000]
    ),
)
# structured, sub-array, raw, half and big-endian dtypes too: each must be decoded or named
DTYPES = ["<f8", "<f4", "<i8", "|b1", "<U3", "<M8[ns]", "<c16", "|O", "bogus", "", "f8,i4", "(2,)<f8", "|V8"]
DTYPES += ["<f2", ">f8", ">i8", ">U2", "S4", "<m8[ns]"]


@st.composite
def nd_arrays(draw):
    """Mostly well-formed float arrays (with NaN/inf), sometimes broken dtype/shape/bytes."""
    message = pb.NDArray()
    if draw(st.booleans()):
        values = draw(st.lists(floats, max_size=80))
        if draw(st.booleans()):
            values = list(100 + np.cumsum(np.random.default_rng(len(values)).normal(size=len(values))))
        array = np.asarray(values, dtype=draw(st.sampled_from(["<f8", ">f8"])))
        if draw(st.booleans()) and array.size % 2 == 0 and array.size:
            array = array.reshape(-1, 2)
        return codec.encode_array(array, message)
    message.dtype = draw(st.sampled_from(DTYPES))
    message.shape[:] = draw(st.lists(st.integers(-2, 2**40), max_size=3))
    message.data = draw(st.binary(max_size=64))
    return message


def _fill(draw, message, depth):
    for fd in message.DESCRIPTOR.fields:
        if draw(st.integers(0, 3)) == 0:
            continue  # leave unset
        name = fd.message_type.name if fd.message_type else None
        target = getattr(message, fd.name)
        if name == "NDArray":
            items = [draw(nd_arrays()) for _ in range(draw(st.integers(0, 3)))] if fd.is_repeated else None
            if items is None:
                target.CopyFrom(draw(nd_arrays()))
            else:
                for item in items:
                    target.add().CopyFrom(item)
        elif fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            for key in draw(st.lists(texts, max_size=3)):
                value_fd = fd.message_type.fields_by_name["value"]
                target[key] = draw(floats) if value_fd.type == FD.TYPE_DOUBLE else draw(_scalar(value_fd))
        elif fd.message_type is not None:
            if depth > 2:
                continue
            if fd.is_repeated:
                for _ in range(draw(st.integers(0, 2))):
                    _fill(draw, target.add(), depth + 1)
            else:
                _fill(draw, target, depth + 1)
                target.SetInParent()
        elif fd.is_repeated:
            target.extend(draw(st.lists(_scalar(fd), max_size=6)))
        else:
            setattr(message, fd.name, draw(_scalar(fd)))


def _scalar(fd):
    if fd.type in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
        return floats
    if fd.type in (FD.TYPE_INT64, FD.TYPE_SINT64, FD.TYPE_SFIXED64):
        return ints
    if fd.type in (FD.TYPE_INT32, FD.TYPE_SINT32, FD.TYPE_SFIXED32, FD.TYPE_ENUM):
        return st.integers(-3, 300)
    if fd.type in (FD.TYPE_UINT64, FD.TYPE_UINT32, FD.TYPE_FIXED64, FD.TYPE_FIXED32):
        return st.integers(0, 300)
    if fd.type == FD.TYPE_BOOL:
        return st.booleans()
    if fd.type == FD.TYPE_BYTES:
        return st.binary(max_size=16)
    return texts


@st.composite
def requests_for(draw, method):
    message = codec.message_class(method.input_type.name)()
    _fill(draw, message, 0)
    return message


@pytest.fixture(scope="module")
def fuzz_channel():
    server, port = build_server(ServerConfig(port=0, max_workers=4))
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield channel
    server.stop(grace=None)


def _call(channel, method, message):
    path = f"/hftlab.v1.Trading/{method.name}"
    response_class = codec.message_class(method.output_type.name)
    if method.server_streaming:
        call = channel.unary_stream(
            path,
            request_serializer=type(message).SerializeToString,
            response_deserializer=response_class.FromString,
        )
        responses = call(message, timeout=60)
        try:
            for count, _ in enumerate(responses):
                if count >= 3:
                    break
        finally:
            responses.cancel()
        return
    call = channel.unary_unary(
        path,
        request_serializer=type(message).SerializeToString,
        response_deserializer=response_class.FromString,
    )
    call(message, timeout=60)


@pytest.mark.parametrize("method", METHODS, ids=[m.name for m in METHODS])
def test_fuzzed_requests_get_typed_errors(fuzz_channel, method):
    @settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(requests_for(method))
    def check(message):
        try:
            _call(fuzz_channel, method, message)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.CANCELLED:
                return
            assert error.code() in ALLOWED, f"{method.name}: {error.code()} {error.details()}"

    check()
    health = health_pb2_grpc.HealthStub(fuzz_channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert health.status == health_pb2.HealthCheckResponse.SERVING


def test_load_32_clients_by_1000_mixed_calls(grpc_address):
    rng = np.random.default_rng(11)
    inputs = [100 + np.cumsum(rng.normal(size=30)) for _ in range(4)]
    local = hftlab.get_client("local")
    expected = [local.execute(MeanReversionRequest(x, lookback=5)) for x in inputs]

    def client(seed):
        mismatches = 0
        with GrpcBackend(GrpcConfig.from_address(grpc_address)) as remote:
            for i in range(1000):
                if (seed + i) % 10:  # mostly cheap calls, every tenth a computation to check
                    remote.execute(ServerInfoRequest())
                    continue
                k = (seed + i) // 10 % 4
                got = remote.execute(MeanReversionRequest(inputs[k], lookback=5))
                mismatches += bool(hftlab.differences(got, expected[k]))
        return mismatches

    with ThreadPoolExecutor(max_workers=32) as pool:
        assert list(pool.map(client, range(32))) == [0] * 32


@pytest.mark.parametrize("token", [None, "s3cret-token-for-tests"])
def test_unknown_methods_are_unimplemented_with_or_without_a_token(token):
    server, port = build_server(ServerConfig(port=0, token=token))
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            for path in ("/hftlab.v1.Trading/NoSuchMethod", "/hftlab.v1.Trading/", "/other.Service/X"):
                for metadata in (
                    None,
                    [("authorization", "Bearer wrong-token")],
                    [("authorization", f"Bearer {token}")],
                ):
                    with pytest.raises(grpc.RpcError) as error:
                        channel.unary_unary(path)(b"", timeout=10, metadata=metadata)
                    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED, (path, metadata)
    finally:
        server.stop(grace=None)


OU = FitOURequest(np.linspace(1, 2, 40) + np.sin(np.arange(40.0)))


@pytest.mark.parametrize(
    ("request_", "changes", "code", "details"),
    [  # inputs that once were answered INTERNAL; ``changes`` are made on the wire (past the client's checks)
        (MeanReversionRequest(np.linspace(100, 110, 40).astype(">f8"), lookback=5), {}, "OK", ""),
        (OU, {"prices.values": OU.prices.to_numpy() * 1e-300}, "INVALID_ARGUMENT", "at least 1e-60"),
        (OU, {"prices.values": OU.prices.to_numpy() * 1e300}, "INVALID_ARGUMENT", "at most 1e+60"),
        (OU, {"dt": 1e300}, "INVALID_ARGUMENT", "'dt'"),
        (MarketMakingRequest(), {"gamma": 5e-324}, "INVALID_ARGUMENT", "'gamma'"),
        (MarketMakingRequest(), {"sigma": 1e308}, "INVALID_ARGUMENT", "'sigma'"),
        (MarketMakingRequest(), {"dt": 5e-324}, "INVALID_ARGUMENT", "'dt'"),
        (StreamMarketDataRequest(["AAPL"]), {"speed": 1e-300}, "INVALID_ARGUMENT", "'speed'"),
        (
            StreamMarketDataRequest(["X"], source="replay", path="/a"),
            {"path": "/a\x00b"},
            "INVALID_ARGUMENT",
            "'path'",
        ),
        (GetOrderBookRequest("AAPL"), {"symbol": "x" * 5000}, "NOT_FOUND", "unknown simulated symbol(s) 'xxx"),
        (StreamMarketDataRequest([f"S{i}" for i in range(3000)]), {}, "NOT_FOUND", "and 2995 more"),
    ],
)
def test_inputs_at_the_limits_get_typed_short_errors(fuzz_channel, request_, changes, code, details):
    method = next(m for m in METHODS if m.name == request_.rpc)
    message = codec.encode(request_, codec.message_class(method.input_type.name)())
    for name, value in changes.items():
        if name == "prices.values":
            codec.encode_array(value, message.prices.values)
        else:
            setattr(message, name, value)
    try:
        _call(fuzz_channel, method, message)
        got, text = "OK", ""
    except grpc.RpcError as error:
        got, text = error.code().name, error.details()
    assert got == code, text
    assert details in text and len(text) <= 1000


@pytest.mark.parametrize(
    ("dtype", "field"),
    [("f8,i4", "prices"), ("(2,)<f8", "prices"), ("|V8", "prices"), ("<f2", "prices")],
)
def test_structured_and_raw_dtypes_are_named(fuzz_channel, dtype, field):
    method = next(m for m in METHODS if m.name == "CalculateMeanReversion")
    message = codec.encode(
        MeanReversionRequest(np.linspace(1, 2, 40), lookback=5), pb.CalculateMeanReversionRequest()
    )
    for target in (message.prices.values, message.prices.index.values):
        broken = pb.CalculateMeanReversionRequest()
        broken.CopyFrom(message)
        array = broken.prices.values if target is message.prices.values else broken.prices.index.values
        array.dtype, array.data = dtype, bytes(40 * np.dtype(dtype).itemsize)
        array.shape[:] = [40]
        with pytest.raises(grpc.RpcError) as error:
            _call(fuzz_channel, method, broken)
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert f"'{field}'" in error.value.details()

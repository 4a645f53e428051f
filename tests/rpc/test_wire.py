"""Large messages: ordinary protobuf on the wire, arrays copied once when sent and read in place."""

import numpy as np
import pandas as pd
import pytest

from hftlab.algo.zscore import MeanReversionResult
from hftlab.errors import InvalidInput
from hftlab.results import differences
from hftlab.rpc import codec, wire
from hftlab.rpc.v1 import trading_pb2 as pb
from hftlab.types import BacktestRequest, MeanReversionRequest

RESPONSE = pb.CalculateMeanReversionResponse


def large_result(n: int = 100_000, tz: str | None = None) -> MeanReversionResult:
    """Four Series sharing one DatetimeIndex with a frequency, about 2.6 MB on the wire."""
    index = pd.date_range("2020-01-01", periods=n, freq="min", tz=tz, name="time")
    z = pd.Series(np.random.default_rng(0).standard_normal(n), index=index, name="zscore")
    signal = pd.Series(np.sign(z.to_numpy()).astype(np.int8), index=index, name="signal")
    return MeanReversionResult(
        zscore=z,
        signal=signal,
        entries=signal != 0,
        exits=signal == 0,
        last_zscore=float(z.iloc[-1]),
        current_signal=int(signal.iloc[-1]),
        metrics={"half_life": 3.5},
    )


@pytest.mark.parametrize("tz", [None, "America/New_York"])
def test_large_message_round_trip_reads_arrays_in_place(tz):
    result = large_result(tz=tz)
    data = codec.to_wire(result, RESPONSE)
    assert len(data) >= wire.LARGE
    back = codec.from_wire(data, RESPONSE, MeanReversionResult)
    assert differences(back, result) == []
    assert back.zscore.index.freqstr == "min" and str(back.zscore.index.tz) == str(tz)
    assert back.zscore.index is back.signal.index  # one index decoded once, shared
    values = back.zscore.to_numpy()
    assert not values.flags.writeable and not values.flags.owndata  # a view of the received bytes
    assert values.flags.aligned


def test_any_protobuf_reader_sees_an_ordinary_message():
    result = large_result()
    plain = RESPONSE.FromString(codec.to_wire(result, RESPONSE))  # protobuf's own parser
    assert differences(codec.decode(plain, MeanReversionResult), result) == []
    assert plain.zscore.values.data == result.zscore.to_numpy().tobytes()


@pytest.mark.parametrize("rows", [40_000, 40_001, 40_003, 40_007])
def test_every_large_array_starts_on_an_8_byte_boundary(rows):
    prices = pd.DataFrame(
        {"x": np.linspace(100, 120, rows), "y": np.linspace(50, 70, rows) + np.sin(np.arange(rows))},
        index=pd.RangeIndex(rows),
    )
    request = BacktestRequest(prices, lookback=10, hedge_ratio=1.5)
    data = codec.to_wire(request, pb.RunBacktestRequest)
    for column in prices:
        start = data.find(prices[column].to_numpy().tobytes())
        assert start > 0 and start % wire.ALIGN == 0
    back = codec.from_wire(data, pb.RunBacktestRequest, BacktestRequest)
    assert differences(back.prices, prices) == []


def test_small_messages_are_plain_protobuf():
    result = large_result(n=100)
    data = codec.to_wire(result, RESPONSE)
    assert data == codec.encode(result, RESPONSE()).SerializeToString()
    assert differences(codec.from_wire(data, RESPONSE, MeanReversionResult), result) == []


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda data: data[: len(data) // 2],  # truncated inside an array
        lambda data: data + b"\x0b",  # wire type 3 (groups): not proto3
        lambda data: data + b"\x12\xff\xff\xff\x0f",  # a length past the end
        lambda data: data + b"\x80" * 11,  # an overlong varint
    ],
    ids=["truncated", "group", "length", "varint"],
)
@pytest.mark.parametrize("size", ["small", "large"])
def test_malformed_bytes_raise_invalid_input(corrupt, size):
    n = 50 if size == "small" else 50_000
    prices = pd.Series(np.linspace(1, 2, n) + np.sin(np.arange(n)))
    data = codec.to_wire(MeanReversionRequest(prices), pb.CalculateMeanReversionRequest)
    with pytest.raises(InvalidInput, match=r"the message is not a valid CalculateMeanReversionRequest|NDArray"):
        codec.from_wire(corrupt(data), pb.CalculateMeanReversionRequest, MeanReversionRequest)


def test_a_received_marker_cannot_point_at_another_field():
    """A sender's 4-byte data field looks like a marker but the receiver lifts every data field."""
    message = pb.NDArray(dtype="<f8", shape=[1], data=bytes(4), padding=bytes(wire.LARGE))
    lifted_message, lifted = wire.loads(message.SerializeToString(), pb.NDArray)
    with pytest.raises(InvalidInput, match="4 bytes do not hold shape"):
        codec.decode_array(lifted_message, "x", lifted)

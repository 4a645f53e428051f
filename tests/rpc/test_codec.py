"""Round trips through the generic codec keep values, dtypes and indexes exactly."""

import numpy as np
import pandas as pd
import pytest

from hftlab.errors import InvalidInput
from hftlab.results import differences
from hftlab.rpc import codec
from hftlab.rpc.v1 import trading_pb2 as pb


def roundtrip_series(series):
    message = pb.Series()
    codec.encode_series(series, message)
    return codec.decode_series(pb.Series.FromString(message.SerializeToString()), "s")


def roundtrip_frame(frame):
    message = pb.Frame()
    codec.encode_frame(frame, message)
    return codec.decode_frame(pb.Frame.FromString(message.SerializeToString()), "f")


@pytest.mark.parametrize(
    "series",
    [
        pd.Series([1.5, np.nan, -np.inf], name="x"),
        pd.Series(np.arange(5, dtype=np.int8), index=pd.RangeIndex(10, 20, 2)),
        pd.Series([True, False], index=pd.Index(["a", "b"], name="sym")),
        pd.Series([1.0, 2.0], index=pd.date_range("2024-03-01", periods=2, freq="h", tz="Europe/Paris")),
        pd.Series([1.0, 2.0, 3.0], index=pd.DatetimeIndex(["2024-01-01", "2024-01-03", "2024-01-09"])),
        pd.Series([], dtype=np.float64),
        pd.Series([3, 1], index=pd.Index([2.5, 7.0])),
    ],
)
def test_series_roundtrip(series):
    assert differences(roundtrip_series(series), series) == []


def test_frame_with_string_and_numeric_columns():
    frame = pd.DataFrame(
        {"asset_x": ["AAPL", "MSFT"], "pvalue": [0.01, 0.2], "n": np.array([3, 4], dtype=np.int64)},
        index=pd.Index(["p1", "p2"]),
    )
    back = roundtrip_frame(frame)
    assert differences(back, frame) == []
    assert back["asset_x"].tolist() == ["AAPL", "MSFT"]


def test_a_claimed_frequency_is_checked_on_every_message():
    regular = pd.Series(1.0, index=pd.bdate_range("2024-01-01", periods=5, name="day"))
    for _ in range(2):  # the second decode reuses the regular range of the first
        decoded = roundtrip_series(regular)
        assert decoded.index.freqstr == "B" and decoded.index.name == "day"
        assert differences(decoded, regular) == []
    message = pb.Series()
    codec.encode_series(regular, message)
    dates = regular.index.to_numpy().copy()
    dates[-1] += np.timedelta64(1, "D")  # same first day, length and claim; not business days
    message.index.values.data = dates.tobytes()
    with pytest.raises(InvalidInput, match="'s' has an invalid index"):
        codec.decode_series(message, "s")


def test_labels_and_ranges_longer_than_the_memos_keep_still_round_trip():
    wide = pd.DataFrame(np.ones((2, 1_001)), columns=[f"c{k}" for k in range(1_001)])
    assert differences(roundtrip_frame(wide), wide) == []
    long = pd.Series(1.0, index=pd.bdate_range("1980-01-01", periods=10_001))
    back = roundtrip_series(long)
    assert back.index.freqstr == "B" and differences(back, long) == []


def test_string_labels_are_not_shared_between_results():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}, index=pd.Index(["x", "y"]))
    first, second = roundtrip_frame(frame), roundtrip_frame(frame)
    first.columns.name, first.index.name = "renamed", "renamed"
    assert second.columns.name is None and second.index.name is None
    assert differences(second, frame) == []


def test_arrays_keep_shape_dtype_and_bytes():
    array = np.arange(24, dtype=">f8").reshape(2, 3, 4)
    back = codec.decode_array(codec.encode_array(array))
    assert back.dtype == np.dtype("<f8") and back.shape == (2, 3, 4)
    assert np.array_equal(back, array)
    fortran = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    assert np.array_equal(codec.decode_array(codec.encode_array(fortran)), fortran)


def test_mismatched_bytes_are_rejected():
    message = pb.NDArray(dtype="<f8", shape=[3], data=b"\x00" * 16)
    with pytest.raises(InvalidInput, match="'x' is not a valid NDArray: 16 bytes do not hold shape"):
        codec.decode_array(message, "x")
    with pytest.raises(InvalidInput, match="'x' is not a valid NDArray"):
        codec.decode_array(pb.NDArray(dtype="O", shape=[1], data=b"\x00" * 8), "x")


@pytest.mark.parametrize("dtype", ["<f8", "<i8", "|b1", "<M8[us]"])
def test_a_frame_of_one_dtype_is_read_as_one_writable_block(dtype):
    values = np.arange(12).reshape(4, 3).astype(dtype)
    frame = pd.DataFrame(values, columns=["a", "b", "c"], index=pd.date_range("2024-01-01", periods=4))
    back = roundtrip_frame(frame)
    assert differences(back, frame) == []
    assert np.may_share_memory(back.to_numpy(), back.to_numpy())  # one block
    back.iloc[0, 0] = back.iloc[1, 0]  # (a frame on read-only bytes would refuse this)
    assert differences(frame, pd.DataFrame(values, columns=frame.columns, index=frame.index)) == []


def test_an_irregular_column_is_named_as_before():
    message = pb.Frame()
    codec.encode_frame(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}), message)
    message.data[1].shape[:] = [1]
    message.data[1].data = bytes(8)
    with pytest.raises(InvalidInput, match=r"'f' column 'b' has shape \(1,\); expected \(2,\)\."):
        codec.decode_frame(message, "f")
    message.data[1].shape[:] = [2]
    with pytest.raises(InvalidInput, match=r"'f\.b' is not a valid NDArray: 8 bytes do not hold shape"):
        codec.decode_frame(message, "f")


def _blocks(frame):
    """How pandas holds ``frame``: each block's dtype, columns, array type and shape."""
    blocks = frame._mgr.blocks
    return [(str(b.dtype), b.mgr_locs.as_array.tolist(), type(b.values), b.values.shape) for b in blocks]


@pytest.mark.parametrize("blocks_api", [True, False], ids=["pandas 3 blocks", "a dict, before pandas 3"])
@pytest.mark.parametrize("rows", [0, 1, 5])
def test_a_frame_of_several_dtypes_is_built_as_a_dict_of_its_columns_builds_it(rows, blocks_api, monkeypatch):
    """Built from its blocks at once, a frame of several dtypes is the frame pandas builds of a
    dict of its columns, block for block (string columns each a block of their own); without
    pandas 3's ``create_dataframe_from_blocks`` it is built from that dict."""
    if not blocks_api:
        monkeypatch.setattr(codec, "create_dataframe_from_blocks", None)
    columns = {
        "side": np.array([f"s{k}" for k in range(rows)]),
        "entry": np.arange(rows).astype("M8[us]"),
        "price": np.linspace(1, 2, rows),
        "venue": np.array(["x"] * rows),
        "qty": np.arange(rows, dtype=np.int64),
        "exit": np.arange(rows).astype("M8[us]"),
        "pnl": np.linspace(-1, 1, rows),
        "flag": np.ones(rows, bool),
    }
    built = pd.DataFrame(columns, index=pd.RangeIndex(rows))
    back = roundtrip_frame(built)
    assert differences(back, built) == []
    assert _blocks(back) == _blocks(built)
    back.iloc[0:1, 2] = 7.0  # its own writable blocks, not the message's bytes


def test_an_array_that_travels_as_a_frame_is_read_as_records_without_pandas():
    """A ``Columns`` field (a structured array on the wire as a frame of its fields) decodes into
    the structured array of the columns as sent, which the request checks and converts."""
    from hftlab.bench.inputs import request_for
    from hftlab.market import EVENT_DTYPE

    request = request_for("FitIntensity")
    message = codec.encode(request, pb.FitIntensityRequest())
    records = codec.decode_records(message.events, "events")
    assert isinstance(records, np.ndarray)
    assert records.dtype.names == EVENT_DTYPE.names
    assert [records.dtype[n] for n in records.dtype.names] == [EVENT_DTYPE[n] for n in EVENT_DTYPE.names]
    for name in EVENT_DTYPE.names:
        assert np.array_equal(records[name], request.events[name])
    decoded = codec.decode(message, type(request))
    assert decoded.events.dtype == EVENT_DTYPE and decoded.events.tobytes() == request.events.tobytes()
    message.events.columns[0] = ""
    with pytest.raises(InvalidInput, match="'events' has an empty column name"):
        codec.decode(message, type(request))
    message.events.columns[0] = "time"  # a column the request needs is missing: named as for a frame
    with pytest.raises(InvalidInput, match=r"'events' frame is missing the column\(s\) \['exch_ts'\]"):
        codec.decode(message, type(request))

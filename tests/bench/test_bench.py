"""The benchmark harness: its structure and that it runs (never its timings)."""

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from hftlab import bench
from hftlab.bench import INPUTS, BenchReport, EchoClient, EchoServer, _select, harness, run_bench
from hftlab.bench.inputs import request_for
from hftlab.bench.report import number
from hftlab.cli import main
from hftlab.errors import InvalidInput
from hftlab.types import REQUEST_TYPES


@pytest.fixture(scope="module")
def echo():
    with EchoServer() as server:
        client = server.client()
        yield client
        client.close()


OPS = ["GetServerInfo", "CalculateMeanReversion", "StreamMarketData"]


@pytest.fixture(scope="module")
def quick_report(grpc_address, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    return run_bench(quick=True, ops=OPS, address=grpc_address, out=out, progress=False), out


def test_echo_server_is_a_bare_echo(echo):
    payload = EchoClient.payload(100, 100)
    assert echo.unary(payload) == payload
    assert echo.unary(EchoClient.payload(10, 3000)) == bytes(3000)
    assert echo.stream(7, 1000) == 7000
    array = np.arange(12, dtype="<f8").reshape(3, 4)
    np.testing.assert_array_equal(echo.ndarray(array), array)


def test_every_input_builds_a_valid_request_of_a_registered_rpc():
    assert set(INPUTS) <= set(REQUEST_TYPES)
    for rpc in INPUTS:
        assert request_for(rpc).rpc == rpc


def test_quick_run_measures_each_path(quick_report):
    report, _ = quick_report
    assert report.meta["blas_threads"] == 1  # the server's (a default config); the local calls used as many
    assert list(report.unary["rpc"]) == OPS
    assert list(report.unary.columns) == harness.UNARY_COLUMNS
    assert (report.unary["calls"] >= harness.QUICK.min_calls).all()
    for path in ("local", "grpc", "echo"):
        assert (report.unary[f"{path}_p50_us"] > 0).all()
        assert (report.unary[f"{path}_p50_us"] <= report.unary[f"{path}_p99_us"]).all()
    expected = report.unary["grpc_p50_us"] / (report.unary["local_p50_us"] + report.unary["echo_p50_us"])
    np.testing.assert_allclose(report.unary["overhead"], expected)
    added = report.unary["grpc_p50_us"] - report.unary["local_p50_us"] - report.unary["echo_p50_us"]
    np.testing.assert_allclose(report.unary["added_us"], added)
    np.testing.assert_allclose(report.unary["added_per_echo"], added / report.unary["echo_p50_us"])
    assert list(report.arrays["elements"]) == list(harness.QUICK_ARRAY_SIZES)
    assert report.arrays["megabytes"].iloc[0] == 8 * 1024 / 1e6
    arrays = report.arrays
    np.testing.assert_allclose(arrays["ratio"], arrays["hftlab_MBps"] / arrays["bare_MBps"])
    stream = report.stream
    assert list(stream["path"]) == ["local", "grpc", "bare echo"]
    assert (stream["ticks"] == 5 * 10_000).all() and (stream["batches"] == 5).all()
    np.testing.assert_allclose(stream["ticks_per_s"], stream["ticks"] / stream["seconds"])


def test_rpcs_without_an_input_or_not_served_are_skipped_with_a_reason(monkeypatch):
    monkeypatch.setattr(bench, "INPUTS", {k: v for k, v in INPUTS.items() if k != "CalculateMeanReversion"})
    ops = ["GetServerInfo", "CalculateMeanReversion", "RunHMM"]
    requests, skipped = _select(ops, {"GetServerInfo"}, "here")
    assert list(requests) == ["GetServerInfo"]
    assert skipped == {
        "CalculateMeanReversion": "no benchmark input (add one line to hftlab.bench.inputs.INPUTS)",
        "RunHMM": "not served by here",
    }


def test_report_prints_targets_and_round_trips_through_json(quick_report):
    report, path = quick_report
    text = report.table()
    assert "GetServerInfo" in text and "Targets:" in text and "<= 1.2x" in text and ">= 80%" in text
    data = json.loads(path.read_text())
    assert set(data) == {"meta", "unary", "arrays", "stream", "skipped", "targets"}
    assert data["meta"]["mode"] == "quick"
    loaded = BenchReport.load(path)
    pd.testing.assert_frame_equal(loaded.unary, report.unary)
    pd.testing.assert_frame_equal(loaded.arrays, report.arrays)
    assert "<table" in report._repr_html_()


def test_figure_has_a_trace_per_path(quick_report):
    report, _ = quick_report
    names = [trace.name for trace in report.figure().data]
    assert names[:3] == ["local", "grpc", "echo"]
    assert names[3:] == ["hftlab NDArray", "bare echo", "ticks/s"]


def test_targets_compare_measures_with_their_goals():
    unary = pd.DataFrame({"rpc": ["A", "B", "C"], "overhead": [1.0, 1.5, 1.1], "added_per_echo": [0.2, 3, 1.2]})
    arrays = pd.DataFrame({"elements": [1024, 2048], "ratio": [0.9, 0.85]})
    stream = pd.DataFrame({"path": ["local", "grpc"], "ticks_per_s": [5e6, 9e5]})
    targets = BenchReport({}, unary, arrays, stream).targets()
    assert list(targets["met"]) == [True, False, False, True, False]
    assert targets["target"][1] == "unary overhead vs bare echo, worst (B)"
    assert targets["measured"][0] == pytest.approx(1.1)
    assert targets["target"][2] == "added / echo, median over RPCs" and targets["measured"][2] == 1.2


def test_tables_spell_targets_and_numbers_the_same_in_a_terminal_and_a_notebook():
    unary = pd.DataFrame(
        {
            "rpc": ["A", "B"],
            "grpc_p50_us": [12.3456, 1234.5],
            "overhead": [1.0, 1.5],
            "added_per_echo": [0.2, 3.0],
        }
    )
    arrays = pd.DataFrame({"elements": [1024, 2048], "ratio": [0.9, 0.85]})
    stream = pd.DataFrame({"path": ["grpc"], "ticks_per_s": [987_654.3]})
    report = BenchReport({"mode": "quick", "grpc_address": "grpc://h:1"}, unary, arrays, stream)
    text, page = repr(report), report._repr_html_()
    assert text == report.table() and not text.startswith("BenchReport(")
    targets = text.split("Targets:\n")[1].splitlines()
    assert [line.split()[-1] for line in targets[1:]] == ["MISSED", "MISSED", "MISSED", "met", "MISSED"]
    for shown in ("12.35", "1,234", "1,024", "0.8500", "987,654", ">met<", ">MISSED<"):
        assert shown in (page if shown.startswith(">") else text) and shown.strip("><") in page
    assert "True" not in text + page and "False" not in text + page and "e+" not in text + page
    # columns line up in the terminal: every row of a table is as wide as its header
    table = text.split("Array round trip")[1].splitlines()[1:4]
    assert len({len(line) for line in table}) == 1


def test_numbers_have_one_format():
    assert [number(v) for v in (0.0, 12.3456, 999.96, 1234.5, 5e6, 7, 0.000123456)] == [
        "0",
        "12.35",
        "1,000",
        "1,234",
        "5,000,000",
        "7",
        "0.0001235",
    ]


def test_bad_ops_and_parts_are_named_before_anything_starts():
    with pytest.raises(InvalidInput, match="'ops' has unknown RPC"):
        run_bench(ops=["NoSuchRpc"])
    with pytest.raises(InvalidInput, match="'parts' must be among"):
        run_bench(parts=["latency"])


@dataclass(frozen=True)
class _Batch:
    sequence: int
    price: np.ndarray
    size: pd.Series


class _Source:
    """A backend streaming three batches of 4, 4 and 2 ticks."""

    def stream(self, request):
        for n in (4, 4, 2):
            yield _Batch(0, np.ones(n), pd.Series(np.arange(n)))


def test_stream_rows_count_ticks_per_path(echo, monkeypatch):
    monkeypatch.setattr(harness, "_message_bytes", lambda obj, name: 64)
    request = type("Req", (), {"rpc": "Fake"})()
    rows = harness.stream_rows(request, _Source(), _Source(), echo, repeats=1)
    assert list(rows["path"]) == ["local", "grpc", "bare echo"]
    assert (rows["ticks"] == 10).all() and (rows["batches"] == 3).all()
    assert (rows["ticks_per_s"] > 0).all()


def test_cli_starts_its_own_server_and_prints_the_table(tmp_path, capsys):
    out = tmp_path / "bench.json"
    code = main(["bench", "--quick", "--ops", "GetServerInfo", "--parts", "unary", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "GetServerInfo" in printed and "Targets:" in printed
    assert json.loads(out.read_text())["unary"][0]["rpc"] == "GetServerInfo"


def test_throughput_counts_the_calls_of_every_client(grpc_address):
    from hftlab.bench import throughput

    request = throughput.min_variance_request(5)
    assert request.prices_or_returns.shape == (500, 5) and request.method == "min_variance"
    table = throughput.throughput_rows(request, grpc_address, clients=(1, 2), seconds=0.3)
    assert list(table["clients"]) == [1, 2]
    assert (table[["grpc_calls_per_s", "local_calls_per_s"]] > 0).all().all()
    np.testing.assert_allclose(table["grpc / local"], table["grpc_calls_per_s"] / table["local_calls_per_s"])

"""The server seen through raw proto messages, as a client in any language sees it."""

import socket
import subprocess
import sys

import grpc
import numpy as np
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from hftlab.backends.local import HANDLERS
from hftlab.errors import BackendUnavailable, FailedPrecondition
from hftlab.rpc import codec
from hftlab.rpc.v1 import trading_pb2 as pb
from hftlab.rpc.v1 import trading_pb2_grpc
from hftlab.server import ServerConfig, ServerProcess, build_server


@pytest.fixture(scope="module")
def channel(grpc_address):
    with grpc.insecure_channel(grpc_address.removeprefix("grpc://")) as channel:
        yield channel


@pytest.fixture(scope="module")
def stub(channel):
    return trading_pb2_grpc.TradingStub(channel)


def mean_reversion_request(values, lookback=5):
    message = pb.CalculateMeanReversionRequest(lookback=lookback, entry_z=2.0, exit_z=0.5)
    codec.encode_array(np.asarray(values), message.prices.values)
    message.prices.index.range.stop = len(values)
    message.prices.index.range.step = 1
    return message


def test_raw_request_is_computed(stub):
    values = np.sin(np.arange(100) / 3.0) + 10
    response = stub.CalculateMeanReversion(mean_reversion_request(values), timeout=30)
    zscore = codec.decode_series(response.zscore, "zscore")
    assert len(zscore) == 100 and np.isnan(zscore.iloc[0])
    assert set(response.metrics) >= {"half_life", "adf_pvalue"}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda m: setattr(m.prices.values, "data", b"\x00" * 7), "'prices' is not a valid NDArray"),
        (lambda m: setattr(m.prices.values, "dtype", "not-a-dtype"), "'prices' is not a valid NDArray"),
        (lambda m: m.prices.values.shape.append(-1), "'prices' is not a valid NDArray"),
        (lambda m: setattr(m.prices.index.range, "stop", 5), "'prices' has 100 values but an index"),
        (lambda m: setattr(m, "lookback", 0), "'lookback' must be an int >= 2; got 0"),
        (lambda m: setattr(m, "entry_z", float("nan")), "'entry_z' must be a finite number"),
        (lambda m: m.ClearField("prices"), "'prices' must be a 1-D sequence of numbers"),
    ],
)
def test_malformed_requests_get_invalid_argument(stub, mutate, message):
    request = mean_reversion_request(np.linspace(1, 2, 100) + np.sin(np.arange(100)))
    mutate(request)
    with pytest.raises(grpc.RpcError) as error:
        stub.CalculateMeanReversion(request, timeout=30)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.value.details().startswith(message)


@pytest.mark.parametrize("size", [100, 100_000])
def test_bytes_that_are_not_protobuf_get_invalid_argument(channel, stub, size):
    """Small messages are parsed by protobuf, large ones walked by hftlab.rpc.wire: both refuse garbage."""
    data = mean_reversion_request(np.linspace(1, 2, size) + np.sin(np.arange(size))).SerializeToString()
    call = channel.unary_unary("/hftlab.v1.Trading/CalculateMeanReversion")
    with pytest.raises(grpc.RpcError) as error:
        call(data[: len(data) - 3] + b"\x0b", timeout=30)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.value.details().startswith("the message is not a valid CalculateMeanReversionRequest")
    response = stub.CalculateMeanReversion(pb.CalculateMeanReversionRequest.FromString(data), timeout=60)
    assert len(response.zscore.values.data) == 8 * size  # the same server still answers whole requests


def test_nan_prices_rejected_by_the_server(stub):
    values = np.r_[np.arange(30.0), np.nan, np.arange(30.0)]
    with pytest.raises(grpc.RpcError) as error:
        stub.CalculateMeanReversion(mean_reversion_request(values), timeout=30)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "'prices' must contain only finite numbers" in error.value.details()
    # the server is still serving afterwards
    assert stub.GetServerInfo(pb.GetServerInfoRequest(), timeout=30).version


def test_every_declared_rpc_is_served_or_unimplemented(channel):
    served = {request.rpc for request in HANDLERS}
    for method in pb.DESCRIPTOR.services_by_name["Trading"].methods:
        if method.name in served:
            continue
        request_class = codec.message_class(method.input_type.name)
        response_class = codec.message_class(method.output_type.name)
        path = f"/hftlab.v1.Trading/{method.name}"
        kind = channel.unary_stream if method.server_streaming else channel.unary_unary
        call = kind(path, request_class.SerializeToString, response_class.FromString)
        with pytest.raises(grpc.RpcError) as error:
            result = call(request_class(), timeout=30)
            if method.server_streaming:
                list(result)
        assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED
        assert method.name in error.value.details()


def test_health_and_reflection(channel):
    health = health_pb2_grpc.HealthStub(channel)
    reply = health.Check(health_pb2.HealthCheckRequest(service="hftlab.v1.Trading"), timeout=10)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    (answer,) = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = {s.name for s in answer.list_services_response.service}
    assert {"hftlab.v1.Trading", "grpc.health.v1.Health"} <= names


def test_request_id_is_echoed(stub):
    _, call = stub.GetServerInfo.with_call(
        pb.GetServerInfoRequest(), metadata=[("x-request-id", "abc123")], timeout=10
    )
    assert ("x-request-id", "abc123") in call.trailing_metadata()


def test_serve_command_in_a_child_process():
    import hftlab

    with ServerProcess() as server, hftlab.using(server.address):
        info = hftlab.server_info()
    assert info.pid != __import__("os").getpid()
    assert info.blas_threads == 1  # the default: calls run in parallel, each on one BLAS thread


def test_a_busy_port_is_one_clear_line(free_port):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port))
        taken.listen()
        command = [sys.executable, "-m", "hftlab", "serve", "--port", str(free_port)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == f"hftlab serve: port {free_port} is in use; try --port 0\n"  # no C-core log
        busy = f"did not start: port {free_port} is in use; try --port 0"
        with pytest.raises(BackendUnavailable, match=busy):
            ServerProcess("127.0.0.1", free_port).start()
        with pytest.raises(FailedPrecondition, match=f"port {free_port} is in use"):
            build_server(ServerConfig(host="127.0.0.1", port=free_port))


def test_blas_threads_are_capped_in_the_server_and_reported_by_both_backends():
    import threadpoolctl

    import hftlab

    with ServerProcess("127.0.0.1", 0, "--blas-threads", "2") as server, hftlab.using(server.address):
        assert hftlab.server_info().blas_threads == 2
    for threads in (1, 2):
        with threadpoolctl.threadpool_limits(threads):
            assert hftlab.server_info().blas_threads == threads  # the local backend: this process


def test_config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[server]\nport = 0\nmax_workers = 4\nlog_level = "DEBUG"\n')
    config = ServerConfig.from_toml(path, host="::1")
    assert (config.port, config.max_workers, config.host, config.address) == (0, 4, "::1", "[::1]:0")
    path.write_text("[server]\nprot = 1\n")
    with pytest.raises(ValueError, match="unknown key"):
        ServerConfig.from_toml(path)

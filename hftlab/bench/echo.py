"""The bare-grpcio floor: an echo server with no hftlab code on the request path.

Started by :class:`EchoServer` in a child process (:func:`main`), it serves
``hftlab.bench.Echo`` through a generic handler with identity (de)serializers, so
grpcio moves raw ``bytes`` and nothing else happens:

- ``Unary``: the request's first 8 bytes give the response size; the response is
  the request itself when the sizes are equal (a true echo), else that many bytes.
  The same payload sizes as an hftlab call thus cost what grpcio alone costs.
- ``Stream``: the request holds a message count and size; the server yields that
  many pre-built messages (the floor of a server-streaming RPC).
- ``NDArray``: for comparison, hftlab's array path: the request is an ``NDArray``
  message read by :func:`hftlab.rpc.wire.loads` and
  :func:`hftlab.rpc.codec.decode_array` and sent back through
  :func:`~hftlab.rpc.codec.encode_array` and :func:`~hftlab.rpc.wire.dumps` (what
  every array field of every RPC goes through).

The server runs in its own process, like ``hftlab serve``, so neither side shares
the client's interpreter (and GIL).
"""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
from concurrent import futures
from pathlib import Path

import grpc
import numpy as np

from hftlab.errors import BackendUnavailable
from hftlab.rpc import codec, wire
from hftlab.rpc.v1 import trading_pb2 as pb

SERVICE = "hftlab.bench.Echo"
MAX_MESSAGE = 1024 * 1024 * 1024
_OPTIONS = [("grpc.max_send_message_length", MAX_MESSAGE), ("grpc.max_receive_message_length", MAX_MESSAGE)]
_HEADER = 8
_PACKAGE = Path(__file__).resolve().parents[1]
_BOOT = """
import sys, types
for name, path in {stubs!r}.items():
    stub = types.ModuleType(name)
    stub.__path__ = [path]
    sys.modules[name] = stub
from hftlab.bench.echo import main
main()
"""
"""Run the echo server importing only grpc, numpy, the codec and wire: stub modules stand in for the
``hftlab`` and ``hftlab.bench`` packages so that their eager imports (every algorithm) are skipped
and the process starts in well under a second."""


def _unary(request: bytes, context) -> bytes:
    size = int.from_bytes(request[:_HEADER], "little")
    return request if size == len(request) else bytes(size)


def _stream(request: bytes, context):
    count = int.from_bytes(request[:_HEADER], "little")
    message = bytes(int.from_bytes(request[_HEADER : 2 * _HEADER], "little"))
    for _ in range(count):
        yield message


def array_to_wire(array: np.ndarray) -> bytes:
    """An ``NDArray`` message of ``array`` as wire bytes, the way every RPC sends arrays."""
    pending: list[np.ndarray] = []
    return wire.dumps(codec.encode_array(array, pb.NDArray(), pending), pending)


def array_from_wire(data: bytes) -> np.ndarray:
    """The array of an ``NDArray`` message's wire bytes, the way every RPC reads arrays."""
    message, lifted = wire.loads(data, pb.NDArray)
    return codec.decode_array(message, "array", lifted)


def _ndarray(request: bytes, context) -> bytes:
    return array_to_wire(array_from_wire(request))


def handler() -> grpc.GenericRpcHandler:
    """The generic handler of ``hftlab.bench.Echo`` (identity serializers except ``NDArray``)."""
    return grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "Unary": grpc.unary_unary_rpc_method_handler(_unary),
            "Stream": grpc.unary_stream_rpc_method_handler(_stream),
            "NDArray": grpc.unary_unary_rpc_method_handler(_ndarray),
        },
    )


def main() -> None:
    """Serve on a free loopback port, print it, run until SIGTERM/SIGINT."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=_OPTIONS)
    server.add_generic_rpc_handlers([handler()])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"echo serving on 127.0.0.1:{port}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    server.stop(None)


class EchoClient:
    """Calls of the echo server over one channel (bytes in, bytes out)."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._channel = grpc.insecure_channel(target, options=_OPTIONS)
        self._unary = self._channel.unary_unary(f"/{SERVICE}/Unary")
        self._stream = self._channel.unary_stream(f"/{SERVICE}/Stream")
        self._ndarray = self._channel.unary_unary(f"/{SERVICE}/NDArray")

    @staticmethod
    def payload(request_bytes: int, response_bytes: int) -> bytes:
        """A ``Unary`` request of ``request_bytes`` (at least 8) asking for ``response_bytes``."""
        return response_bytes.to_bytes(_HEADER, "little") + bytes(max(request_bytes - _HEADER, 0))

    def unary(self, payload: bytes) -> bytes:
        return self._unary(payload)

    def stream(self, count: int, size: int) -> int:
        """Receive ``count`` messages of ``size`` bytes; return the bytes received."""
        request = count.to_bytes(_HEADER, "little") + size.to_bytes(_HEADER, "little")
        return sum(len(message) for message in self._stream(request))

    def ndarray(self, array: np.ndarray) -> np.ndarray:
        """Round trip of ``array`` through hftlab's NDArray codec on both sides."""
        return array_from_wire(self._ndarray(array_to_wire(array)))

    def close(self) -> None:
        self._channel.close()


class EchoServer:
    """The echo server in a child process on a free loopback port (a context manager)."""

    def __init__(self, startup_timeout: float = 60.0) -> None:
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.target = ""

    def start(self) -> EchoServer:
        stubs = {"hftlab": str(_PACKAGE), "hftlab.bench": str(_PACKAGE / "bench")}
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOT.format(stubs=stubs)], stdout=subprocess.PIPE, text=True
        )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.process.stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=self.startup_timeout)
        except queue.Empty:
            line = ""
        if not line.startswith("echo serving on "):
            self.stop()
            raise BackendUnavailable("the bare grpcio echo server did not start")
        self.target = line.split()[-1]
        return self

    def client(self) -> EchoClient:
        return EchoClient(self.target)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> EchoServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

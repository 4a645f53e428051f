"""``hftlab serve``: a thin gRPC servicer over a :class:`LocalBackend`.

Every RPC of ``hftlab.v1.Trading`` is served by one generic handler: decode
the request with the codec (the request dataclass validates itself), compute
it on the local backend, encode the result. Parity with the local backend
holds by construction. Errors become gRPC statuses (``InvalidInput`` ->
``INVALID_ARGUMENT``...); an unexpected exception is logged and answered
``INTERNAL`` — one request never takes the server down. Operations declared in
the contract but not served yet answer ``UNIMPLEMENTED``. Standard health
checking and server reflection are served too (after grpc's
``examples/python/route_guide``).
"""

from __future__ import annotations

import logging
import queue
import signal
import subprocess
import sys
import threading
import tomllib
import uuid
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from hftlab import __version__
from hftlab import validation as v
from hftlab.backends.grpc import REQUEST_ID_KEY, SERVICE
from hftlab.backends.local import HANDLERS, LocalBackend
from hftlab.errors import BackendUnavailable, HftlabError, InvalidInput
from hftlab.rpc import codec
from hftlab.rpc.v1 import trading_pb2 as pb
from hftlab.types import REQUEST_TYPES

logger = logging.getLogger("hftlab.server")


@dataclass(frozen=True)
class ServerConfig:
    """Server settings (``config.toml`` keys have the same names).

    Parameters
    ----------
    host, port : str, int
        Where to listen; loopback by default, port 0 picks a free port.
    max_workers : int
        Threads handling calls.
    max_message_mb : int
        Largest message accepted or sent.
    grace_seconds : float
        How long in-flight calls may finish on shutdown.
    log_level : str
        ``DEBUG``, ``INFO``, ``WARNING`` or ``ERROR``.
    """

    host: str = "127.0.0.1"
    port: int = 50051
    max_workers: int = 8
    max_message_mb: int = 512
    grace_seconds: float = 5.0
    log_level: str = "INFO"

    def __post_init__(self) -> None:
        if not isinstance(self.host, str) or not self.host:
            raise v.fail("host", "a non-empty host name or address", self.host)
        v.check_int("port", self.port, low=0, high=65535)
        v.check_int("max_workers", self.max_workers, low=1, high=1024)
        v.check_int("max_message_mb", self.max_message_mb, low=1, high=2047)
        v.check_float("grace_seconds", self.grace_seconds, low=0)
        v.check_choice("log_level", self.log_level, ["DEBUG", "INFO", "WARNING", "ERROR"])

    @classmethod
    def from_toml(cls, path: str | Path, **overrides: Any) -> ServerConfig:
        """Read ``[server]`` (or top-level) keys from a TOML file; ``overrides`` win."""
        try:
            data = tomllib.loads(Path(path).read_text())
        except FileNotFoundError:
            raise InvalidInput(f"'config' file {str(path)!r} does not exist.") from None
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(f"'config' file {str(path)!r} is not valid TOML: {exc}") from None
        section = data.get("server", data)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(section) - known)
        if unknown:
            raise InvalidInput(f"'config' has unknown key(s) {unknown}; known: {sorted(known)}.")
        return cls(**{**section, **{k: val for k, val in overrides.items() if val is not None}})

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _request_id(context: grpc.ServicerContext) -> str:
    for key, value in context.invocation_metadata():
        if key == REQUEST_ID_KEY:
            return value
    return uuid.uuid4().hex


def _abort(context: grpc.ServicerContext, exc: Exception, rpc: str, request_id: str):
    if isinstance(exc, HftlabError):
        logger.info("%s [%s] %s: %s", rpc, request_id, exc.status, exc.message)
        context.abort(grpc.StatusCode[exc.status], exc.message)
    logger.exception("%s [%s] failed", rpc, request_id)
    context.abort(grpc.StatusCode.INTERNAL, f"internal error in {rpc}: {type(exc).__name__}: {exc}")


def _unary_handler(rpc: str, backend: LocalBackend):
    request_type = REQUEST_TYPES[rpc]
    response_class = codec.message_class(f"{rpc}Response")

    def handle(message, context):
        request_id = _request_id(context)
        context.send_initial_metadata([(REQUEST_ID_KEY, request_id)])
        try:
            result = backend.execute(codec.decode(message, request_type))
            return codec.encode(result, response_class())
        except Exception as exc:
            _abort(context, exc, rpc, request_id)

    return handle


def _stream_handler(rpc: str, backend: LocalBackend):
    request_type = REQUEST_TYPES[rpc]
    response_class = codec.message_class(f"{rpc}Response")

    def handle(message, context):
        request_id = _request_id(context)
        context.send_initial_metadata([(REQUEST_ID_KEY, request_id)])
        try:
            for item in backend.stream(codec.decode(message, request_type)):
                if not context.is_active():
                    return
                yield codec.encode(item, response_class())
        except Exception as exc:
            _abort(context, exc, rpc, request_id)

    return handle


def _unimplemented_handler(rpc: str):
    def handle(message, context):
        context.abort(
            grpc.StatusCode.UNIMPLEMENTED,
            f"{rpc} is declared in the hftlab.v1 contract but not served by hftlab {__version__}.",
        )

    return handle


def trading_handler(backend: LocalBackend | None = None) -> grpc.GenericRpcHandler:
    """The generic handler serving every method of ``hftlab.v1.Trading``."""
    backend = backend or LocalBackend()
    served = {request.rpc for request in HANDLERS}
    handlers = {}
    for method in pb.DESCRIPTOR.services_by_name["Trading"].methods:
        streaming = method.server_streaming
        if method.name in served:
            make = _stream_handler if streaming else _unary_handler
            behaviour = make(method.name, backend)
        else:
            behaviour = _unimplemented_handler(method.name)
        kind = grpc.unary_stream_rpc_method_handler if streaming else grpc.unary_unary_rpc_method_handler
        handlers[method.name] = kind(
            behaviour,
            request_deserializer=codec.message_class(method.input_type.name).FromString,
            response_serializer=codec.message_class(method.output_type.name).SerializeToString,
        )
    return grpc.method_handlers_generic_handler(SERVICE, handlers)


def build_server(config: ServerConfig) -> tuple[grpc.Server, int]:
    """A started server listening per ``config``; returns it and the bound port."""
    size = config.max_message_mb * 1024 * 1024
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=config.max_workers, thread_name_prefix="hftlab"),
        options=[
            ("grpc.max_send_message_length", size),
            ("grpc.max_receive_message_length", size),
            ("grpc.so_reuseport", 0),
        ],
    )
    server.add_generic_rpc_handlers([trading_handler()])
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ("", SERVICE):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection(
        [SERVICE, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    port = server.add_insecure_port(config.address)
    if port == 0:
        raise OSError(f"cannot listen on {config.address}")
    server.start()
    return server, port


def serve(config: ServerConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Run a server until SIGINT/SIGTERM, then drain in-flight calls and stop.

    ``on_ready`` is called with the address (``grpc://host:port``) once listening.
    """
    logging.basicConfig(
        level=config.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    server, port = build_server(config)
    host = f"[{config.host}]" if ":" in config.host else config.host
    logger.info("hftlab %s serving hftlab.v1.Trading", __version__)
    if on_ready is not None:
        on_ready(f"grpc://{host}:{port}")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    logger.info("shutting down: draining in-flight calls for up to %s s", config.grace_seconds)
    server.stop(config.grace_seconds).wait()


class ServerProcess:
    """``hftlab serve`` in a child process on a free loopback port (a context manager).

    Used by ``hftlab report``, the ``%hftlab serve`` magic and the tests::

        with ServerProcess() as server:
            hftlab.use(server.address)
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *args: str, startup_timeout: float = 60.0):
        self.command = [
            sys.executable, "-m", "hftlab", "serve", "--host", host, "--port", str(port),
            "--log-level", "WARNING", *args,
        ]
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.address = ""

    def start(self) -> ServerProcess:
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, text=True)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.process.stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=self.startup_timeout)
        except queue.Empty:
            line = ""
        if not line.startswith("hftlab serving on "):
            self.stop()
            raise BackendUnavailable(f"hftlab serve did not start: {' '.join(self.command)}")
        self.address = line.split()[-1]
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

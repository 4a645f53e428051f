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

import collections
import contextlib
import dataclasses
import errno
import gc
import json
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from hftlab import cancel
from hftlab.backends.local import HANDLERS, LocalBackend
from hftlab.errors import BackendUnavailable, FailedPrecondition, HftlabError, ResourceExhausted
from hftlab.rpc import codec
from hftlab.rpc.names import REQUEST_ID_KEY, SERVICE
from hftlab.rpc.v1 import trading_pb2 as pb
from hftlab.server.config import ServerConfig
from hftlab.server.metrics import RpcMetrics
from hftlab.server.security import TokenInterceptor, server_credentials
from hftlab.threads import limit_threads
from hftlab.types import REQUEST_TYPES, ServerInfoRequest
from hftlab.version import __version__

__all__ = ["ServerConfig", "ServerProcess", "build_server", "serve", "trading_handler"]

logger = logging.getLogger("hftlab.server")


def _request_id(context: grpc.ServicerContext) -> str:
    for key, value in context.invocation_metadata():
        if key == REQUEST_ID_KEY:
            return value
    return uuid.uuid4().hex


class _Service:
    """Shared state of one server: its backend, metrics, configuration and shutdown flag."""

    def __init__(self, backend: LocalBackend, metrics: RpcMetrics, config: ServerConfig | None = None) -> None:
        self.backend = backend
        self.metrics = metrics
        self.config = config or ServerConfig()
        self.stopping = threading.Event()

    def admit(self, data: bytes, request_class: type, request_type: type):
        """The request in ``data``, decoded and validated, if this server may serve it.

        A message with more than ``max_assets`` (and :data:`SHORT_LIST`) items in one list
        (columns, symbols, grid values, map entries) is refused once parsed, before decoding,
        which takes Python steps per item: parsing and decoding then cost a few nanoseconds
        per byte of any message (only a message longer than the limit can hold such a list).
        """
        limit = self.backend.limits.max_assets if self.backend.limits is not None else None
        most = None if limit is None else max(limit, SHORT_LIST)  # the limits name shorter lists after decoding
        inspect = None if most is None or len(data) <= most else lambda message: _count_items(message, most)
        request = codec.from_wire(data, request_class, request_type, inspect)
        self.config.check_sources(request)
        return request

    @contextlib.contextmanager
    def running(self, context: grpc.ServicerContext):
        """Run the call's work under a :class:`~hftlab.cancel.CancelToken` cancelled when the call
        ends for any reason (client cancel, deadline, server stop): long computations then stop
        at their next :func:`hftlab.cancel.check`, within milliseconds."""
        token = cancel.CancelToken()
        context.add_callback(
            lambda: token.cancel(
                "the call ended (cancelled by the client, past its deadline or the server stopped)"
            )
        )
        with cancel.scope(token):
            yield token

    def compute(self, request):
        result = self.backend.execute(request)
        if isinstance(request, ServerInfoRequest):
            result = dataclasses.replace(result, **self.metrics.summary())
        return result


SHORT_LIST = 1024
"""Lists this short cost microseconds to decode: only longer ones are refused before decoding
(a shorter list beyond ``max_assets`` is refused after, by :class:`~hftlab.types.limits.Limits`,
naming the field as the operation knows it)."""


def _count_items(message, most: int) -> None:
    crowded = codec.crowded_field(message, most)
    if crowded is not None:
        name, items = crowded
        raise ResourceExhausted(
            f"'{name}' holds {items:,} items; this server allows at most {most:,} in one list "
            "(max_assets in its configuration)."
        )


MAX_DETAILS = 2000
"""Longest error message sent (characters): gRPC carries it in 8 KiB of metadata at most, and a
longer one would arrive as another status."""


def _status(exc: Exception) -> grpc.StatusCode:
    if isinstance(exc, MemoryError):
        return grpc.StatusCode.RESOURCE_EXHAUSTED
    return grpc.StatusCode[exc.status] if isinstance(exc, HftlabError) else grpc.StatusCode.INTERNAL


def _details(message: str) -> str:
    if len(message) <= MAX_DETAILS:
        return message
    return f"{message[: MAX_DETAILS - 40]}... ({len(message) - MAX_DETAILS + 40} characters cut)"


def _abort(context: grpc.ServicerContext, exc: Exception, rpc: str, request_id: str):
    if isinstance(exc, HftlabError):
        context.abort(_status(exc), _details(exc.message))
    if isinstance(exc, MemoryError):
        context.abort(_status(exc), _details(f"{rpc} needs more memory than the server has: {exc}"))
    logger.exception("%s failed", rpc, extra={"rpc": rpc, "request_id": request_id})
    context.abort(grpc.StatusCode.INTERNAL, _details(f"internal error in {rpc}: {type(exc).__name__}: {exc}"))


def _record_call(
    service: _Service, rpc: str, request_id: str, code: grpc.StatusCode, started: float, context
) -> None:
    """Count the call in the metrics and log it (one line, with the client's request id)."""
    seconds = time.perf_counter() - started
    service.metrics.observe(rpc, code.name, seconds)
    level = logging.INFO if code in (grpc.StatusCode.OK, grpc.StatusCode.CANCELLED) else logging.WARNING
    if not logger.isEnabledFor(level):
        return
    logger.log(
        level,
        "%s %s %.3f ms",
        rpc,
        code.name,
        1e3 * seconds,
        extra={
            "rpc": rpc,
            "request_id": request_id,
            "code": code.name,
            "ms": round(1e3 * seconds, 3),
            "peer": context.peer(),
        },
    )


def _unary_handler(rpc: str, service: _Service):
    request_type = REQUEST_TYPES[rpc]
    request_class = codec.message_class(f"{rpc}Request")
    response_class = codec.message_class(f"{rpc}Response")

    def handle(data: bytes, context) -> bytes:
        request_id = _request_id(context)
        context.set_trailing_metadata([(REQUEST_ID_KEY, request_id)])  # rides with the status: no extra frame
        started, code = time.perf_counter(), grpc.StatusCode.OK
        try:
            with service.running(context):
                result = service.compute(service.admit(data, request_class, request_type))
            return codec.to_wire(result, response_class)
        except Exception as exc:
            code = _status(exc)
            _abort(context, exc, rpc, request_id)
        finally:
            _record_call(service, rpc, request_id, code, started, context)

    return handle


def _stream_handler(rpc: str, service: _Service):
    """Server streams end when the client goes away (the generator is closed, freeing its
    resources) and, on shutdown, with ``UNAVAILABLE`` so clients resume on another server."""
    request_type = REQUEST_TYPES[rpc]
    request_class = codec.message_class(f"{rpc}Request")
    response_class = codec.message_class(f"{rpc}Response")

    def handle(data: bytes, context):
        request_id = _request_id(context)
        context.send_initial_metadata([(REQUEST_ID_KEY, request_id)])
        started, code = time.perf_counter(), grpc.StatusCode.OK
        items = None
        try:
            with service.running(context):
                items = service.backend.stream(service.admit(data, request_class, request_type))
                for item in items:
                    if not context.is_active():
                        code = grpc.StatusCode.CANCELLED
                        return
                    if service.stopping.is_set():
                        code = grpc.StatusCode.UNAVAILABLE
                        context.abort(code, "server is shutting down; resume the stream elsewhere")
                    yield codec.to_wire(item, response_class)
        except GeneratorExit:  # grpc closed the stream: the client went away
            code = grpc.StatusCode.CANCELLED
            raise
        except Exception as exc:
            if code == grpc.StatusCode.UNAVAILABLE:
                raise
            code = _status(exc)
            _abort(context, exc, rpc, request_id)
        finally:
            if items is not None:
                items.close()
            _record_call(service, rpc, request_id, code, started, context)

    return handle


def _unimplemented_handler(rpc: str):
    def handle(data, context):
        context.abort(
            grpc.StatusCode.UNIMPLEMENTED,
            f"{rpc} is declared in the hftlab.v1 contract but not served by hftlab {__version__}.",
        )

    return handle


def trading_handler(service: _Service | None = None) -> grpc.GenericRpcHandler:
    """The generic handler serving every method of ``hftlab.v1.Trading``.

    Handlers take and return wire bytes (no grpc (de)serializers): :func:`codec.from_wire`
    reads large arrays in place and names malformed fields, :func:`codec.to_wire` copies
    large arrays once.
    """
    service = service or _Service(LocalBackend(), RpcMetrics())
    served = {request.rpc for request in HANDLERS}
    handlers = {}
    for method in pb.DESCRIPTOR.services_by_name["Trading"].methods:
        streaming = method.server_streaming
        if method.name in served:
            make = _stream_handler if streaming else _unary_handler
            behaviour = make(method.name, service)
        else:
            behaviour = _unimplemented_handler(method.name)
        kind = grpc.unary_stream_rpc_method_handler if streaming else grpc.unary_unary_rpc_method_handler
        handlers[method.name] = kind(behaviour)
    return grpc.method_handlers_generic_handler(SERVICE, handlers)


def _options(config: ServerConfig, reuse_port: bool) -> list[tuple[str, int]]:
    size = config.max_message_mb * 1024 * 1024
    return [
        ("grpc.max_send_message_length", size),
        ("grpc.max_receive_message_length", size),
        ("grpc.so_reuseport", int(reuse_port)),
        ("grpc.max_concurrent_streams", config.max_concurrent_streams),
        ("grpc.keepalive_time_ms", int(1e3 * config.keepalive_seconds)),
        ("grpc.keepalive_timeout_ms", int(1e3 * config.keepalive_timeout_seconds)),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_ping_interval_without_data_ms", 5000),
    ]


def _check_port_free(config: ServerConfig, reuse_port: bool) -> None:
    """Raise one clear line if another process listens on the port.

    gRPC would log a C-core error and raise a bare ``RuntimeError``. The probe binds
    like gRPC does (``SO_REUSEADDR``, and ``SO_REUSEPORT`` when the server shares
    its port with its workers); errors other than a busy port are left to gRPC.
    """
    if config.port == 0:
        return
    try:
        addresses = socket.getaddrinfo(
            config.host, config.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except OSError:
        return
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if reuse_port:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise FailedPrecondition(f"port {config.port} is in use; try --port 0") from None


def build_server(config: ServerConfig, reuse_port: bool = False) -> tuple[grpc.Server, int]:
    """A started server listening per ``config``; returns it and the bound port.

    The server object carries ``hftlab_service`` (its backend, metrics and shutdown flag).
    It caps the BLAS/OpenMP threads of one call at ``config.blas_threads`` (threadpoolctl):
    BLAS pools process-wide, OpenMP pools (per thread) in each handler thread.
    """
    _check_port_free(config, reuse_port)
    limit_threads(config.blas_threads, "blas")
    service = _Service(LocalBackend(config.limits), RpcMetrics(), config)
    server = grpc.server(
        futures.ThreadPoolExecutor(
            max_workers=config.max_workers,
            thread_name_prefix="hftlab",
            initializer=limit_threads,
            initargs=(config.blas_threads, "openmp"),
        ),
        interceptors=[TokenInterceptor(config.token, service.metrics)] if config.token else None,
        options=_options(config, reuse_port),
        maximum_concurrent_rpcs=config.max_concurrent_rpcs,
        compression=grpc.Compression.Gzip if config.compression == "gzip" else None,
    )
    server.add_generic_rpc_handlers([trading_handler(service)])
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ("", SERVICE):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection([SERVICE, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    credentials = server_credentials(config)
    try:
        if credentials is None:
            port = server.add_insecure_port(config.address)
        else:
            port = server.add_secure_port(config.address, credentials)
    except RuntimeError:  # grpc's "Failed to bind"; gRPC core has logged why
        port = 0
    if port == 0:
        raise FailedPrecondition(f"cannot listen on {config.address}")
    server.start()
    server.hftlab_service = service
    server.hftlab_health = health_servicer
    return server, port


class _JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, message and the call's fields (request id...)."""

    FIELDS = ("rpc", "request_id", "code", "ms", "peer", "reason")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        entry.update({k: getattr(record, k) for k in self.FIELDS if hasattr(record, k)})
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def _configure_logging(config: ServerConfig) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if config.log_format == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s[%(process)d] %(message)s"))
    root = logging.getLogger("hftlab")
    root.handlers[:] = [handler]
    root.setLevel(config.log_level)


def serve(config: ServerConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Run a server until SIGINT/SIGTERM, then drain in-flight calls and stop.

    With ``workers > 1`` this process also starts ``workers - 1`` more server
    processes on the same port (SO_REUSEPORT: the kernel spreads connections), so
    CPU-bound calls use every core; they stop with it. ``on_ready`` is called with
    the address (``grpc://host:port``) once every process listens.
    """
    server, port = _start_process_server(config, reuse_port=config.workers > 1)
    service = server.hftlab_service
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "hftlab", "serve", "--host", config.host, "--port", str(port)],
            env={
                **os.environ,
                "HFTLAB_WORKER_CONFIG": json.dumps(
                    {**dataclasses.asdict(config), "port": port, "workers": 1, "metrics_port": None}
                ),
                "HFTLAB_REUSE_PORT": "1",
            },
            stdout=subprocess.DEVNULL,
        )
        for _ in range(config.workers - 1)
    ]
    if config.metrics_port is not None:
        metrics_port = service.metrics.serve_http(config.host, config.metrics_port)
        logger.info("Prometheus metrics on http://%s:%d/metrics", config.host, metrics_port)
    host = f"[{config.host}]" if ":" in config.host else config.host
    scheme = "grpcs" if config.tls else "grpc"
    logger.info("hftlab %s serving hftlab.v1.Trading with %d process(es)", __version__, config.workers)
    if on_ready is not None:
        on_ready(f"{scheme}://{host}:{port}")
    _wait_for_stop_signal()
    logger.info("shutting down: draining in-flight calls for up to %s s", config.grace_seconds)
    for child in children:
        child.terminate()
    _drain(server, config)
    for child in children:
        child.wait()


def serve_worker() -> None:
    """A worker process started by :func:`serve` (config passed in the environment)."""
    config = ServerConfig(**json.loads(os.environ["HFTLAB_WORKER_CONFIG"]))
    server, _ = _start_process_server(config, reuse_port=True)
    _wait_for_stop_signal()
    _drain(server, config)


def _start_process_server(config: ServerConfig, reuse_port: bool) -> tuple[grpc.Server, int]:
    """Logging, then the server of a process that only serves (:func:`serve`, :func:`serve_worker`)."""
    _configure_logging(config)
    server, port = build_server(config, reuse_port=reuse_port)
    # the ~200k objects of the imports live as long as the process: frozen, full garbage
    # collections skip them (~110 ms -> ~0 each; Python docs, gc.freeze)
    gc.freeze()
    return server, port


def _wait_for_stop_signal() -> None:
    """Block until SIGINT or SIGTERM."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


EXIT_MARGIN = 0.5
"""Seconds after ``grace_seconds`` at which a stopping process exits whatever still runs."""


def _drain(server: grpc.Server, config: ServerConfig) -> None:
    """Refuse new work (streams end UNAVAILABLE, health NOT_SERVING), finish in-flight calls, stop.

    Calls still running after ``grace_seconds`` are cancelled (gRPC ends them, their
    :mod:`hftlab.cancel` tokens stop their computations); should one not stop (a long
    native call), the process exits :data:`EXIT_MARGIN` seconds later anyway.
    """
    watchdog = threading.Timer(config.grace_seconds + EXIT_MARGIN, _exit_now)
    watchdog.daemon = True
    watchdog.start()
    server.hftlab_service.stopping.set()
    server.hftlab_health.enter_graceful_shutdown()
    server.stop(config.grace_seconds).wait()


def _exit_now() -> None:
    logger.warning("calls still running %.1f s after the grace period: exiting without them", EXIT_MARGIN)
    logging.shutdown()
    os._exit(0)


def _relay(stream, last: collections.deque[str]) -> None:
    """Copy a child's stderr to ours (as if inherited), keeping its last non-empty lines in ``last``."""
    for line in stream:
        sys.__stderr__.write(line)
        sys.__stderr__.flush()
        if line.strip():
            last.append(line.strip())


class ServerProcess:
    """``hftlab serve`` in a child process on a free loopback port (a context manager).

    Used by ``hftlab report``, the ``%hftlab serve`` magic and the tests; extra
    ``args`` are ``hftlab serve`` flags (``--token``, ``--workers``...)::

        with ServerProcess() as server:
            hftlab.use(server.address)
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *args: str,
        startup_timeout: float = 60.0,
        env: dict[str, str] | None = None,
    ):
        self.command = [
            sys.executable,
            "-m",
            "hftlab",
            "serve",
            "--host",
            host,
            "--port",
            str(port),
            "--log-level",
            "WARNING",
            *args,
        ]
        self.env = {**os.environ, **(env or {})}
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.address = ""

    def start(self) -> ServerProcess:
        """Start the server and wait for its address; raise with its last error line if it does not start."""
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env
        )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.process.stdout.readline()), daemon=True).start()
        errors: collections.deque[str] = collections.deque(maxlen=1)
        relay = threading.Thread(target=_relay, args=(self.process.stderr, errors), daemon=True)
        relay.start()
        try:
            line = lines.get(timeout=self.startup_timeout)
        except queue.Empty:
            line = ""
        if not line.startswith("hftlab serving on "):
            self.stop()
            relay.join(timeout=5)
            why = errors[0].removeprefix("hftlab serve: ") if errors else " ".join(self.command)
            raise BackendUnavailable(f"hftlab serve did not start: {why}")
        self.address = line.split()[-1]
        return self

    @property
    def port(self) -> int:
        return int(self.address.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

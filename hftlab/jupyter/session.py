"""What a notebook kernel remembers between magics and widgets.

The server started by ``%hftlab serve`` (stopped by ``%hftlab stop`` or when the
kernel exits) and the last gRPC backend used, so ``%%hftlab compare`` and the
comparison widget know which server to put next to the local backend after the
user switched back to ``local``; and the bare grpcio echo server the comparison
widget measures its floor with (started on first use, stopped at exit).
"""

from __future__ import annotations

import atexit
import threading

import hftlab
from hftlab import backends
from hftlab.backends import Backend
from hftlab.bench.echo import EchoClient, EchoServer
from hftlab.errors import BackendUnavailable, FailedPrecondition
from hftlab.server import ServerConfig, ServerProcess
from hftlab.types import ServerInfo, ServerInfoRequest

_lock = threading.Lock()
_server: ServerProcess | None = None
_last_grpc: Backend | None = None
_echo: tuple[EchoServer, EchoClient] | None = None


def remember(backend: Backend) -> Backend:
    """Note ``backend`` as the last gRPC backend used (if it is one); return it."""
    global _last_grpc
    if backend.name == "grpc":
        with _lock:
            _last_grpc = backend
    return backend


def use(address: str | Backend, check: bool = True, **options) -> Backend:
    """:func:`hftlab.use`, remembering a gRPC backend.

    With ``check``, a gRPC server must first pass :func:`verify` (else its error is
    raised and the active backend stays as it was).
    """
    chosen = address if isinstance(address, Backend) else hftlab.get_client(address, **options)
    if check and chosen.name == "grpc":
        verify(chosen)
    return remember(hftlab.use(chosen))


def verify(backend: Backend, timeout: float = 5.0) -> ServerInfo:
    """The server's info, after checking that it is serving and accepts this client's credentials.

    Raises
    ------
    BackendUnavailable
        The standard gRPC health check does not answer ``SERVING`` within ``timeout`` s.
    Unauthenticated
        The server wants a (different) bearer token.
    """
    state = backend.health(timeout)
    if state != "SERVING":
        raise BackendUnavailable(f"no hftlab server serving at {backend.address} (health check: {state})")
    return backend.execute(ServerInfoRequest(), timeout=timeout)


def grpc_backend() -> Backend:
    """The active backend if it is gRPC, else the last gRPC backend used in this kernel.

    Raises
    ------
    FailedPrecondition
        No gRPC backend has been used yet.
    """
    active = hftlab.backend()
    if active.name == "grpc":
        return remember(active)
    with _lock:
        if _last_grpc is not None:
            return _last_grpc
    raise FailedPrecondition(
        "no gRPC backend in this kernel yet: run `%hftlab serve` or `%hftlab use grpc://HOST:PORT`."
    )


def server() -> ServerProcess | None:
    """The server started by :func:`serve`, if it is still running."""
    with _lock:
        if _server is not None and _server.process is not None and _server.process.poll() is None:
            return _server
    return None


def serve(port: int = 0, token: str | None = None) -> ServerProcess:
    """Start ``hftlab serve`` on loopback for this kernel and make it the active backend.

    A server already started by this kernel is stopped first. It is stopped
    when the kernel exits at the latest.
    """
    global _server
    ServerConfig(host="127.0.0.1", port=port, token=token)  # a bad port or token: InvalidInput here
    stop()
    args = ("--token", token) if token else ()
    started = ServerProcess("127.0.0.1", port, *args).start()
    with _lock:
        _server = started
    use(started.address, check=False, **({"token": token} if token else {}))
    return started


def stop() -> str | None:
    """Stop the server started by :func:`serve`; return its address (``None`` if none ran).

    If it was the active backend, the local backend becomes active
    (:func:`hftlab.backends.stopped`: the widgets observing the backend hear it).
    """
    global _server, _last_grpc
    with _lock:
        stopped, _server = _server, None
    if stopped is None:
        return None
    stopped.stop()
    with _lock:
        if _last_grpc is not None and _last_grpc.address == stopped.address:
            _last_grpc = None
    backends.stopped(stopped.address)
    return stopped.address


def echo_client() -> EchoClient:
    """A client of this kernel's bare grpcio echo server (started on first use)."""
    global _echo
    with _lock:
        if _echo is None or _echo[0].process.poll() is not None:
            server = EchoServer().start()
            _echo = (server, server.client())
        return _echo[1]


def _stop_echo() -> None:
    global _echo
    with _lock:
        if _echo is not None:
            _echo[1].close()
            _echo[0].stop()
            _echo = None


atexit.register(stop)
atexit.register(_stop_echo)

"""Choosing the backend: ``use("local")`` or ``use("grpc://host:port")``.

The active backend is process-wide (what a notebook kernel wants); every
top-level operation of :mod:`hftlab` dispatches to it. Clients are cached per
address and options (:func:`get_client`), so switching back and forth reuses
the open channel. Whoever shows the active backend observes its changes
(:func:`observe`, :mod:`hftlab.backends.events`) rather than keeping a copy.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from hftlab.backends.base import Backend
from hftlab.backends.events import BackendEvent, notify, observe
from hftlab.backends.grpc import GrpcBackend, GrpcConfig
from hftlab.backends.local import LocalBackend
from hftlab.errors import InvalidInput

_lock = threading.Lock()
_clients: dict[tuple, Backend] = {}
_active: Backend | None = None


def get_client(address: str = "local", **options: Any) -> Backend:
    """The (cached) backend for ``address``: ``"local"`` or ``"grpc://host:port"``.

    ``options`` are :class:`GrpcConfig` fields (``token``, ``timeout``,
    ``compression``…); the same address and options give the same client.
    """
    if not isinstance(address, str):
        raise InvalidInput(f"'address' must be 'local' or 'grpc://host:port'; got {address!r}.")
    key = (address, tuple(sorted(options.items())))
    with _lock:
        if key not in _clients:
            if address == "local":
                if options:
                    raise InvalidInput(f"the local backend takes no options; got {sorted(options)}.")
                _clients[key] = LocalBackend()
            else:
                _clients[key] = GrpcBackend(GrpcConfig.from_address(address, **options))
        return _clients[key]


def use(address: str | Backend = "local", **options: Any) -> Backend:
    """Make ``address`` (or a backend object) the active backend and return it (a ``switch`` event)."""
    global _active
    chosen = address if isinstance(address, Backend) else get_client(address, **options)
    with _lock:
        _active = chosen
    notify("switch", chosen.address)
    return chosen


def backend() -> Backend:
    """The active backend (the local one until :func:`use` picks another)."""
    global _active
    with _lock:
        if _active is None:
            _active = _clients.setdefault(("local", ()), LocalBackend())
        return _active


def stopped(address: str) -> None:
    """Record that the server at ``address`` has stopped (a ``stop`` event).

    If it was the active backend, the local backend becomes active: nothing
    keeps pointing at a server that is gone.
    """
    global _active
    with _lock:
        if _active is not None and _active.address == address:
            _active = _clients.setdefault(("local", ()), LocalBackend())
    notify("stop", address)


@contextlib.contextmanager
def using(address: str | Backend = "local", **options: Any) -> Iterator[Backend]:
    """Use a backend inside a ``with`` block, restoring the previous one after."""
    previous = backend()
    try:
        yield use(address, **options)
    finally:
        use(previous)


__all__ = [
    "Backend",
    "BackendEvent",
    "GrpcBackend",
    "GrpcConfig",
    "LocalBackend",
    "backend",
    "get_client",
    "observe",
    "stopped",
    "use",
    "using",
]

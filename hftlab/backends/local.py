"""The local backend: computes every request in this process."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from hftlab.errors import Unimplemented
from hftlab.threads import blas_threads
from hftlab.types import REQUEST_TYPES, Request, ServerInfo, ServerInfoRequest, arguments
from hftlab.types.limits import Limits
from hftlab.version import __version__

_STARTED = time.monotonic()


def _server_info() -> ServerInfo:
    return ServerInfo(
        version=__version__,
        backend="local",
        pid=os.getpid(),
        uptime_seconds=time.monotonic() - _STARTED,
        operations=sorted(request.rpc for request in HANDLERS),
        blas_threads=blas_threads(),
    )


HANDLERS: dict[type[Request], Callable[..., Any]] = {
    **{request: request.compute for request in REQUEST_TYPES.values() if request is not ServerInfoRequest},
    ServerInfoRequest: _server_info,
}
"""Request type -> the function computing it (its ``compute``), called with the request's fields."""


class LocalBackend:
    """Computes requests in-process by calling ``hftlab.algo`` / ``hftlab.market``.

    ``limits``: refuse requests that ask for more (:class:`~hftlab.types.limits.Limits`,
    checked before any work starts); none by default, a server passes its own.
    """

    name = "local"
    address = "local"

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits

    def _handler(self, request: Request) -> Callable[..., Any]:
        handler = HANDLERS.get(type(request))
        if handler is None:
            raise Unimplemented(f"{request.rpc} is not implemented in hftlab {__version__}.")
        if self.limits is not None:
            self.limits.check(request)
        return handler

    def execute(self, request: Request) -> Any:
        return self._handler(request)(**arguments(request))

    def stream(self, request: Request) -> Iterator[Any]:
        yield from self._handler(request)(**arguments(request))

    def info(self) -> ServerInfo:
        return self.execute(ServerInfoRequest())

    def health(self, timeout: float = 2.0) -> str:
        """Always ``"SERVING"``: this process computes."""
        return "SERVING"

    def spec(self) -> str:
        return "local"

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return "LocalBackend()" if self.limits is None else f"LocalBackend(limits={self.limits!r})"

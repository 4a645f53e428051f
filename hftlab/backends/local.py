"""The local backend: computes every request in this process."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from hftlab import __version__
from hftlab.algo import zscore
from hftlab.errors import Unimplemented
from hftlab.types import (
    MeanReversionRequest,
    Request,
    ServerInfo,
    ServerInfoRequest,
    request_fields,
)

_STARTED = time.monotonic()


def _server_info() -> ServerInfo:
    return ServerInfo(
        version=__version__,
        backend="local",
        pid=os.getpid(),
        uptime_seconds=time.monotonic() - _STARTED,
        operations=sorted(request.rpc for request in HANDLERS),
    )


HANDLERS: dict[type[Request], Callable[..., Any]] = {
    ServerInfoRequest: _server_info,
    MeanReversionRequest: zscore.mean_reversion,
}
"""Request type -> the function computing it, called with the request's fields."""


class LocalBackend:
    """Computes requests in-process by calling ``hftlab.algo`` / ``hftlab.market``."""

    name = "local"
    address = "local"

    def execute(self, request: Request) -> Any:
        handler = HANDLERS.get(type(request))
        if handler is None:
            raise Unimplemented(f"{request.rpc} is not implemented in hftlab {__version__}.")
        return handler(**request_fields(request))

    def stream(self, request: Request) -> Iterator[Any]:
        handler = HANDLERS.get(type(request))
        if handler is None:
            raise Unimplemented(f"{request.rpc} is not implemented in hftlab {__version__}.")
        yield from handler(**request_fields(request))

    def info(self) -> ServerInfo:
        return self.execute(ServerInfoRequest())

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return "LocalBackend()"

"""The Backend protocol: where an operation's request is computed.

Like httpx's ``BaseTransport``, a backend takes a request and returns its
result; the caller never knows which one answered. ``LocalBackend`` computes
in this process, ``GrpcBackend`` asks an ``hftlab serve`` server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from hftlab.types import Request, ServerInfo

if TYPE_CHECKING:
    from hftlab.backends.grpc import GrpcConfig


@runtime_checkable
class Backend(Protocol):
    """Computes requests; a context manager that releases what it holds on exit."""

    name: str
    """``"local"`` or ``"grpc"``."""

    address: str
    """``"local"`` or ``"grpc://host:port"``: what :func:`hftlab.use` was given."""

    def execute(self, request: Request) -> Any:
        """Compute a unary request and return its result dataclass."""

    def stream(self, request: Request) -> Iterator[Any]:
        """Compute a streaming request, yielding its messages as they come."""

    def info(self) -> ServerInfo:
        """Version, process and served operations of this backend."""

    def health(self, timeout: float = 2.0) -> str:
        """Serving status (gRPC health checking): ``"SERVING"``, ``"NOT_SERVING"``, ``"UNREACHABLE"``..."""

    def spec(self) -> str | GrpcConfig:
        """What another process needs to reach this backend (picklable): ``"local"`` or a gRPC config."""

    def close(self) -> None:
        """Release connections and threads."""

    def __enter__(self) -> Backend: ...

    def __exit__(self, *exc_info: object) -> None: ...

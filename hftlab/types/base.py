"""Request base class, registry and the server-info request.

Each operation has a frozen request dataclass that validates (and coerces) its
input at construction, so the same bad input gets the same
:class:`~hftlab.errors.InvalidInput` message from the local backend and, via
the server, from the grpc backend. A request names its RPC (``rpc``) and the
result dataclass it returns (``result_type``); results are defined beside the
algorithm that computes them (``hftlab.algo``, ``hftlab.market``).

Field names equal the proto message fields of ``proto/hftlab/v1/trading.proto``.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

import numpy as np

from hftlab.results import Result

Columns = Annotated[np.ndarray, "Frame"]
"""A structured array that travels as a ``Frame`` of its fields (the server's request gets the
frame, which its ``__post_init__`` turns back into the array)."""

REQUEST_TYPES: dict[str, type[Request]] = {}
"""RPC name -> request dataclass, filled as each request class is defined."""


class Request:
    """Base of request dataclasses: the RPC it maps to and the result type it returns.

    Defining a subclass with an ``rpc`` registers it in :data:`REQUEST_TYPES`.
    """

    rpc: ClassVar[str]
    result_type: ClassVar[type]
    streaming: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "rpc" in cls.__dict__:
            if cls.rpc in REQUEST_TYPES:
                raise TypeError(f"two request classes for {cls.rpc}")
            REQUEST_TYPES[cls.rpc] = cls

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)


@dataclass(frozen=True)
class ServerInfo(Result):
    """What a backend is: version, kind, process, the operations it serves and the most
    threads one BLAS/OpenMP call may use in that process (``blas_threads``, threadpoolctl).

    A server adds, per RPC it handled: ``calls``, ``errors`` (non-OK statuses), the
    ``latency_p50_ms``/``latency_p99_ms`` of its last 1,000 calls (exact), and
    ``auth_failures``: calls it refused for their token, by reason (the process that
    answered; with several workers each keeps its own).
    """

    version: str
    backend: str
    pid: int
    uptime_seconds: float
    operations: list[str]
    blas_threads: int
    calls: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    latency_p50_ms: dict[str, float] = field(default_factory=dict)
    latency_p99_ms: dict[str, float] = field(default_factory=dict)
    auth_failures: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ServerInfoRequest(Request):
    """Ask a backend for its :class:`ServerInfo`."""

    rpc: ClassVar[str] = "GetServerInfo"
    result_type: ClassVar[type] = ServerInfo


def request_fields(request: Request) -> dict[str, Any]:
    """The request's fields as keyword arguments for the computing function."""
    return {name: getattr(request, name) for name in _field_names(type(request))}


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))  # (fields() filters them on each call)

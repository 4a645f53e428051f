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
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

import numpy as np

from hftlab import validation as v
from hftlab.errors import InvalidInput
from hftlab.results import Result

Columns = Annotated[np.ndarray, "Frame"]
"""A structured array that travels as a ``Frame`` of its fields. The codec decodes the frame into
a structured array of its columns, as sent (no pandas object), which the request's
``__post_init__`` checks and turns into its own dtype."""

REQUEST_TYPES: dict[str, type[Request]] = {}
"""RPC name -> request dataclass, filled as each request class is defined."""


class Request:
    """Base of request dataclasses: the RPC it maps to, the result type it returns and the
    function that computes it.

    Defining a subclass with an ``rpc`` registers it in :data:`REQUEST_TYPES`.
    """

    rpc: ClassVar[str]
    result_type: ClassVar[type]
    compute: ClassVar[Callable[..., Any]]  # the algorithm, called with the fields (blocks spread out)
    streaming: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "rpc" in cls.__dict__:
            if cls.rpc in REQUEST_TYPES:
                raise TypeError(f"two request classes for {cls.rpc}")
            REQUEST_TYPES[cls.rpc] = cls

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    @classmethod
    def from_flat(cls, **parameters: Any) -> Request:
        """The request from a public function's parameters: the fields of each block
        (:class:`Block`) grouped into it; a block none of whose fields is given keeps its default."""
        for name, block in blocks(cls).items():
            inner = {f.name: parameters.pop(f.name) for f in dataclasses.fields(block) if f.name in parameters}
            if inner:
                parameters[name] = block(**inner)
        return cls(**parameters)


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


class Block:
    """Base of a group of parameters several requests share, declared once (e.g. a backtest's
    costs): a nested dataclass in each request and a nested message in the proto.

    The public functions take its fields one by one (:meth:`Request.from_flat` groups them)
    and so do the algorithms (:func:`arguments` spreads them out); a block's
    ``__post_init__`` validates what concerns its fields alone.
    """

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)


@dataclass(frozen=True)
class Annualisation(Block):
    """Periods (bars) per year: the factor a per-bar mean return, variance or covariance is
    annualised by (its square root for a volatility or a Sharpe ratio); 252 for daily bars."""

    periods_per_year: float = 252.0

    def __post_init__(self) -> None:
        periods = v.check_float("periods_per_year", self.periods_per_year, low=0, low_open=True)
        self._set("periods_per_year", periods)


def check_blocks(request: Request) -> None:
    """Each block field of ``request`` holds its block (a request built field by field)."""
    for name, block in blocks(type(request)).items():
        value = getattr(request, name)
        if not isinstance(value, block):
            raise InvalidInput(
                f"'{name}' must be of type {block.__name__} (or pass its fields one by one to the public "
                f"function); got {type(value).__name__}."
            )


def request_fields(request: Request) -> dict[str, Any]:
    """The request's own fields (blocks as blocks): ``type(request)(**request_fields(request))``
    rebuilds it."""
    return {name: getattr(request, name) for name in _field_names(type(request))}


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))  # (fields() filters them on each call)


def arguments(request: Request) -> dict[str, Any]:
    """The request's fields as keyword arguments for the computing function, blocks spread out."""
    spread: dict[str, Any] = {}
    for name, value in request_fields(request).items():
        if isinstance(value, Block):
            spread.update(request_fields(value))
        else:
            spread[name] = value
    return spread


def flat_fields(request_type: type[Request]) -> dict[str, dataclasses.Field]:
    """Every parameter of ``request_type`` by name, the fields of its blocks in their place."""
    flat: dict[str, dataclasses.Field] = {}
    for f in dataclasses.fields(request_type):
        block = blocks(request_type).get(f.name)
        flat.update({inner.name: inner for inner in dataclasses.fields(block)} if block else {f.name: f})
    return flat


@functools.cache
def blocks(request_type: type[Request]) -> dict[str, type[Block]]:
    """``request_type``'s block fields: field name -> block class."""
    hints = typing.get_type_hints(request_type)
    return {
        f.name: hints[f.name]
        for f in dataclasses.fields(request_type)
        if isinstance(hints[f.name], type) and issubclass(hints[f.name], Block)
    }

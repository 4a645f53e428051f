"""Requests and results: the one contract every backend honours.

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
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from hftlab import validation as v
from hftlab.algo.zscore import MeanReversionResult
from hftlab.results import Result


class Request:
    """Base of request dataclasses: the RPC it maps to and the result type it returns."""

    rpc: ClassVar[str]
    result_type: ClassVar[type]
    streaming: ClassVar[bool] = False

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)


@dataclass(frozen=True)
class ServerInfo(Result):
    """What a backend is: version, kind, process and the operations it serves."""

    version: str
    backend: str
    pid: int
    uptime_seconds: float
    operations: list[str]


@dataclass(frozen=True)
class ServerInfoRequest(Request):
    """Ask a backend for its :class:`ServerInfo`."""

    rpc: ClassVar[str] = "GetServerInfo"
    result_type: ClassVar[type] = ServerInfo


@dataclass(frozen=True)
class MeanReversionRequest(Request):
    """Rolling z-score signals of ``prices`` (see :func:`hftlab.mean_reversion`)."""

    rpc: ClassVar[str] = "CalculateMeanReversion"
    result_type: ClassVar[type] = MeanReversionResult

    prices: pd.Series
    lookback: int = 20
    entry_z: float = 2.0
    exit_z: float = 0.5

    def __post_init__(self) -> None:
        lookback = v.check_int("lookback", self.lookback, low=2)
        self._set("lookback", lookback)
        self._set("prices", v.as_series(self.prices, "prices", min_length=max(lookback, 20)))
        v.check_not_constant("prices", self.prices)
        entry_z = v.check_float("entry_z", self.entry_z, low=0, low_open=True)
        exit_z = v.check_float("exit_z", self.exit_z, low=0)
        if exit_z >= entry_z:
            raise v.fail("exit_z", f"smaller than entry_z ({entry_z})", exit_z)
        self._set("entry_z", entry_z)
        self._set("exit_z", exit_z)


REQUEST_TYPES: dict[str, type[Request]] = {
    cls.rpc: cls for cls in (ServerInfoRequest, MeanReversionRequest)
}
"""RPC name -> request dataclass, for every operation this version serves."""


def request_fields(request: Request) -> dict[str, Any]:
    """The request's fields as keyword arguments for the computing function."""
    return {f.name: getattr(request, f.name) for f in dataclasses.fields(request)}

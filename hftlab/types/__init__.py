"""Requests and results: the one contract every backend honours.

Each operation has a frozen request dataclass that validates (and coerces) its
input at construction, so the same bad input gets the same
:class:`~hftlab.errors.InvalidInput` message from the local backend and, via
the server, from the grpc backend. A request names its RPC (``rpc``) and the
result dataclass it returns (``result_type``); results are defined beside the
algorithm that computes them (``hftlab.algo``, ``hftlab.market``). Requests
live in one module per domain; defining one registers it in ``REQUEST_TYPES``.

Field names equal the proto message fields of ``proto/hftlab/v1/trading.proto``.
"""

from hftlab.types import backtest, market, portfolio, regimes, statarb, tick
from hftlab.types.backtest import BacktestRequest, WalkForwardRequest
from hftlab.types.base import (
    REQUEST_TYPES,
    Annualisation,
    Block,
    Request,
    ServerInfo,
    ServerInfoRequest,
    arguments,
    flat_fields,
    request_fields,
)
from hftlab.types.statarb import MeanReversionRequest

__all__ = [
    "REQUEST_TYPES",
    "Annualisation",
    "BacktestRequest",
    "Block",
    "MeanReversionRequest",
    "Request",
    "ServerInfo",
    "ServerInfoRequest",
    "WalkForwardRequest",
    "arguments",
    "backtest",
    "flat_fields",
    "market",
    "portfolio",
    "regimes",
    "request_fields",
    "statarb",
    "tick",
]

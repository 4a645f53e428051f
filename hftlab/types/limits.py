"""Bounded work: what one request may ask of a backend, checked before any work starts.

A server (``hftlab serve``) refuses a request beyond its :class:`Limits` with
:class:`~hftlab.errors.ResourceExhausted` naming the field, what it asks for and the limit;
the local backend keeps none unless given some (``LocalBackend(limits=Limits())``). Each
limit is measured the same way for every request:

- ``max_points``: rows of any table, series or array field (time series length);
- ``max_assets``: columns of a table field, names in a ``symbols`` list;
- ``max_events``: events of a tick backtest sent as an array;
- ``max_samples``: iterations, samples or time steps the request makes the algorithm run
  (:data:`WORK`: one line per operation that has a count among its parameters);
- ``max_memory_mb``: memory the call needs, estimated as four times its arrays (decoded,
  validated, worked on, answered) plus what :data:`MEMORY` adds for operations that allocate
  in proportion to a parameter rather than to their input, or read a file the server holds
  (a replay's ``path``, sized from its footers or its size on disk before it is read).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hftlab import validation as v
from hftlab.errors import ResourceExhausted
from hftlab.market.replay_feed import decoded_bytes
from hftlab.market.simulated_feed import resume_ticks

MiB = 1 << 20
_ARRAYS = (pd.DataFrame, pd.Series, np.ndarray)


def _tick_span(r: Any) -> float:
    """Seconds the events of a tick backtest cover (0 when they stay in a file)."""
    if r.events is None or not len(r.events):
        return 0.0
    return (r.events["exch_ts"][-1] - r.events["exch_ts"][0]) / 1e9


def _tick_wakeups(r: Any) -> float:
    """Equity samples plus the strategy's wake-ups (every ``params.interval``, default 0.1 s)."""
    span = _tick_span(r)
    return span / r.sample_every + (span / r.params.get("interval", 0.1) if r.strategy == "grid" else 0)


def _resume_ticks(r: Any) -> int:
    """Ticks a simulated stream regenerates before its first batch (a replay seeks: 0)."""
    return resume_ticks(r.symbols, r.seed, r.batch_size, r.resume_from) if r.source == "simulated" else 0


def _replayed_bytes(r: Any) -> float:
    """A replay's file decoded, then normalised into ticks: twice its decoded size (0 if simulated)."""
    return 2 * decoded_bytes(r.path) if r.source == "replay" else 0


def _folds(r: Any) -> int:
    return max(0, (len(r.prices) - r.train) // r.test)


WORK: dict[str, tuple[str, str, Callable[[Any], float]]] = {
    "RunMCMC": ("n_samples", "n_chains x (burn_in + n_samples x thin) iterations",
                lambda r: r.n_chains * (r.burn_in + r.n_samples * r.thin)),
    "RunHMM": ("n_iter", "n_restarts x n_iter EM iterations", lambda r: r.n_restarts * r.n_iter),
    "SelectHMMStates": ("n_iter", "candidates x n_restarts x n_iter EM iterations",
                        lambda r: len(r.candidates) * r.n_restarts * r.n_iter),
    "DetectRegime": ("n_iter", "n_restarts x n_iter iterations", lambda r: r.n_restarts * r.n_iter),
    "BoxTaoDecomposition": ("max_iter", "ADMM iterations", lambda r: r.max_iter),
    "EfficientFrontier": ("n_points", "portfolios on the frontier", lambda r: r.n_points),
    "WalkForward": ("lookback", "backtests (lookback x entry_z x exit_z candidates, per fold)",
                    lambda r: len(r.lookback) * len(r.entry_z) * len(r.exit_z) * _folds(r)),
    "RunMarketMaking": ("dt", "time steps (horizon / dt)", lambda r: r.horizon / r.dt),
    "FindTriangularArbitrage": ("max_cycles", "cycle searches", lambda r: r.max_cycles),
    "GetOrderBook": ("ticks", "ticks simulated or replayed", lambda r: r.ticks or 0),
    "StreamMarketData": ("resume_from", "ticks simulated to resume (resume_from x batch_size, from the "
                         "nearest checkpoint)", _resume_ticks),
    "RunTickBacktest": ("sample_every", "equity samples and strategy wake-ups over the events' span",
                        _tick_wakeups),
}  # fmt: skip
"""RPC -> (field named in the refusal, what is counted, the count) for ``max_samples``."""

MEMORY: dict[str, tuple[str, Callable[[Any], float]]] = {
    "RunMCMC": ("n_samples", lambda r: 8 * 6 * r.n_chains * (r.burn_in + r.n_samples * r.thin)),
    "RunTickBacktest": ("sample_every", lambda r: 32 * _tick_span(r) / r.sample_every),
    "ScanPairs": ("prices", lambda r: 8 * 4 * r.prices.shape[1] ** 2),
    "BoxTaoDecomposition": ("matrix_or_prices", lambda r: 8 * 8 * max(r.matrix_or_prices.shape) ** 2),
    "RunMarketMaking": ("dt", lambda r: 8 * 8 * r.horizon / r.dt),
    "StreamMarketData": ("path", _replayed_bytes),
    "GetOrderBook": ("path", _replayed_bytes),
}
"""RPC -> (field, bytes it makes the call allocate beyond its arrays) for ``max_memory_mb``."""


@functools.cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


def _arrays(request: Any) -> list[tuple[str, Any]]:
    values = ((name, getattr(request, name)) for name in _names(type(request)))
    return [(name, value) for name, value in values if isinstance(value, _ARRAYS)]


def _nbytes(value: Any) -> int:
    """Bytes of an array; of a table or series, 8 per value and index label (an estimate)."""
    return value.nbytes if isinstance(value, np.ndarray) else 8 * (math.prod(value.shape) + len(value))


@dataclass(frozen=True)
class Limits:
    """The most one request may ask for (see the module docstring); ``None`` = no limit."""

    max_points: int | None = 10_000_000
    max_assets: int | None = 10_000
    max_events: int | None = 50_000_000
    max_samples: int | None = 10_000_000
    max_memory_mb: int | None = 4096

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            if getattr(self, field.name) is not None:
                v.check_int(field.name, getattr(self, field.name), low=1)

    def check(self, request: Any) -> None:
        """Raise :class:`ResourceExhausted` naming the first field of ``request`` beyond a limit."""
        for limit, field, asked, what in self.measures(request):
            allowed = getattr(self, limit)
            if allowed is not None and asked > allowed:
                raise ResourceExhausted(
                    f"'{field}' asks for {asked:,.0f} {what}; this server allows at most {allowed:,} "
                    f"({limit} in its configuration)."
                )

    @staticmethod
    def measures(request: Any) -> Iterator[tuple[str, str, float, str]]:
        """``(limit, field, amount asked, what it counts)`` of every limit that applies."""
        arrays = _arrays(request)
        for name, value in arrays:
            if isinstance(value, np.ndarray) and value.dtype.names is not None:
                yield "max_events", name, len(value), "events"
                continue
            yield "max_points", name, len(value), "rows"
            if value.ndim == 2:
                yield "max_assets", name, value.shape[1], "columns"
        symbols = getattr(request, "symbols", None)
        if isinstance(symbols, list):
            yield "max_assets", "symbols", len(symbols), "symbols"
        if request.rpc in WORK:
            field, what, count = WORK[request.rpc]
            yield "max_samples", field, count(request), what
        sizes = {name: _nbytes(value) for name, value in arrays}
        inputs = sum(sizes.values())
        field, extra = MEMORY.get(request.rpc, (None, lambda r: 0))
        if field is None and arrays:
            field = max(sizes, key=sizes.get)
        if field is not None:
            yield "max_memory_mb", field, (4 * inputs + extra(request)) / MiB, "MiB of memory (estimated)"

"""The simulated market as a feed: every symbol's ticks merged in time order, cut into batches.

Each symbol is simulated by its own :class:`~hftlab.market.simulated.SymbolSimulation`
(independent random streams, see :mod:`hftlab.market.simulated`); they advance together one
time step at a time and their ticks are merged in time order (ties: symbol order), so batch
``k`` holds ticks ``(k - 1) * batch_size`` to ``k * batch_size - 1`` of the merged stream and is
the same for a given seed, whatever the batch a stream starts after.

Resuming: a random process cannot jump ahead, since batch ``k`` depends on every event before
it. A running stream therefore saves its state (every symbol's book, clock, Hawkes intensity,
random generator state; a few kB per symbol) every :data:`CHECKPOINT_TICKS` ticks in
:data:`CHECKPOINTS`, keyed by everything that determines the stream (symbols, seed,
batch size). A resume continues from the nearest checkpoint at or before its batch, so a
client reconnecting to a server that kept running costs a few batches, not its position in
the stream; without a checkpoint it simulates from the first tick, counting ticks without
writing or merging them. This is checkpointing of a deterministic forward computation,
which recomputes any state from the nearest saved one (Griewank & Walther 2000,
"Algorithm 799: revolve", ACM TOMS 26(1)). The cache is bounded in bytes: beyond
:data:`MAX_BYTES`, the stream used least recently loses its earliest checkpoint.
"""

from __future__ import annotations

import bisect
import os
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from hftlab import cancel
from hftlab.market.feeds import GeneratedFeed, TickBatch
from hftlab.market.simulated import DEFAULT_SYMBOLS, SymbolSimulation, SymbolState, check_symbols

MAX_BYTES = 32 << 20
"""Bytes :data:`CHECKPOINTS` holds at most (about 8 kB per symbol and checkpoint)."""


class Checkpoints:
    """States of streams at positions (ticks produced), a bounded cache shared by threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.nbytes = 0
        self._streams: OrderedDict[Hashable, tuple[list[int], dict[int, tuple[Any, int]]]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return sum(len(positions) for positions, _ in self._streams.values())

    def nearest(self, key: Hashable, position: int) -> tuple[int, Any] | None:
        """``(position, state)`` of stream ``key`` at the largest position <= ``position``, or None."""
        with self._lock:
            positions, states = self._streams.get(key, ((), {}))
            at = bisect.bisect_right(positions, position) - 1
            if at < 0:
                return None
            self._streams.move_to_end(key)
            return positions[at], states[positions[at]][0]

    def add(self, key: Hashable, position: int, state: Any, nbytes: int) -> None:
        """Keep ``state`` of stream ``key`` at ``position`` (taking ``nbytes``), within the bound."""
        with self._lock:
            positions, states = self._streams.setdefault(key, ([], {}))
            self._streams.move_to_end(key)
            if position in states:
                return
            bisect.insort(positions, position)
            states[position] = state, nbytes
            self.nbytes += nbytes
            while self.nbytes > self.max_bytes:
                oldest = next(iter(self._streams))
                positions, states = self._streams[oldest]
                self.nbytes -= states.pop(positions.pop(0))[1]
                if not positions:
                    del self._streams[oldest]

    def clear(self) -> None:
        """Forget every checkpoint."""
        with self._lock:
            self._streams.clear()
            self.nbytes = 0


CHECKPOINTS = Checkpoints(MAX_BYTES)
"""The process's checkpoints (a server's streams share them)."""


CHECKPOINT_TICKS = 200_000
"""A stream saves its state in :data:`CHECKPOINTS` every this many
ticks, rounded down to whole batches (at least every batch), so a resume from a checkpoint
simulates at most about that many ticks more than the batch it sends."""


def _stream_key(symbols: list[str] | None, seed: int, batch_size: int) -> tuple:
    """What determines a simulated stream's batches (its checkpoints' key)."""
    return tuple(DEFAULT_SYMBOLS if symbols is None else symbols), seed, batch_size


def resume_ticks(symbols: list[str] | None, seed: int, batch_size: int, resume_from: int) -> int:
    """Ticks a stream resumed after batch ``resume_from`` simulates before its first batch:
    from the nearest checkpoint this process saved (see :class:`SimulatedFeed`), else from
    the first tick."""
    first = resume_from * batch_size
    found = CHECKPOINTS.nearest(_stream_key(symbols, seed, batch_size), first)
    return first - (0 if found is None else found[0])


class SimulatedFeed(GeneratedFeed):
    """Ticks of several simulated symbols merged in time order (see the module docstring).

    Parameters
    ----------
    symbols : list of str
        Names from :data:`SYMBOLS`.
    seed : int
        Seed of every symbol's random stream.
    batch_size : int
        Ticks per batch.
    max_batches : int, optional
        The stream ends with batch number ``max_batches`` (endless if None).
    resume_from : int
        Start after this batch; batch ``k`` is always the same. A random process cannot jump
        ahead, but a stream saves its state every :data:`CHECKPOINT_TICKS` ticks (in
        :data:`CHECKPOINTS`), and a resume continues from the
        nearest one at or before its batch; without one it simulates from the first tick,
        counting ticks without writing them (:func:`resume_ticks` says how many; a server
        bounds them with its ``max_samples`` limit and stops when the call is cancelled).
    speed : float, optional
        Deliver at ``speed`` times simulated time (None: as fast as possible).
    """

    def __init__(
        self,
        symbols: list[str] | None = None,
        seed: int = 0,
        batch_size: int = 10_000,
        max_batches: int | None = None,
        resume_from: int = 0,
        speed: float | None = None,
    ) -> None:
        self.symbols = list(DEFAULT_SYMBOLS if symbols is None else symbols)
        self._specs = check_symbols(self.symbols)
        self.seed, self.batch_size = seed, batch_size
        self.max_batches, self.resume_from, self.speed = max_batches, resume_from, speed

    def _generate(self) -> Iterator[TickBatch]:
        size, sequence = self.batch_size, self.resume_from
        run = _Run(self)
        # Symbols are independent: their kernels (numba, no GIL) run side by side.
        with ThreadPoolExecutor(min(len(self.symbols), os.cpu_count() or 1)) as pool:
            run.seek(sequence * size, pool)
            pending, start = None, run.ticks  # the ticks from number `start` on
            while self.max_batches is None or sequence < self.max_batches:
                while run.ticks < (sequence + 1) * size:
                    chunk = run.chunk(pool)
                    pending = (
                        chunk if pending is None else {k: np.concatenate([pending[k], chunk[k]]) for k in chunk}
                    )
                at = sequence * size - start
                batch = {k: v[at : at + size] for k, v in pending.items()}
                pending = {k: v[at + size :] for k, v in pending.items()}
                sequence += 1
                start = sequence * size
                yield TickBatch(sequence, list(self.symbols), batch.pop("symbol_id"), **batch)


@dataclass(frozen=True)
class _RunState:
    """A :class:`_Run` between two time steps (a checkpoint); no symbol state: at the start."""

    symbols: tuple[SymbolState | None, ...]
    horizon: float
    step: float
    ticks: int


class _Run:
    """A feed's symbols simulated together, one time step (a chunk of ticks) at a time.

    The step adapts so a chunk holds about 1.2 batches. Between chunks the run is
    :meth:`state`; after each chunk that crosses a multiple of :data:`CHECKPOINT_TICKS`
    (in whole batches) that state is saved in :data:`CHECKPOINTS`.
    """

    def __init__(self, feed: SimulatedFeed) -> None:
        """The run at the nearest checkpoint at or before the feed's first tick (else at the start)."""
        self.key = _stream_key(feed.symbols, feed.seed, feed.batch_size)
        self.size = feed.batch_size
        self.every = max(1, CHECKPOINT_TICKS // self.size) * self.size
        found = CHECKPOINTS.nearest(self.key, feed.resume_from * self.size)
        step = self.size / (100.0 * sum(spec.activity for spec in feed._specs))
        start = _RunState((None,) * len(feed.symbols), 0.0, step, 0) if found is None else found[1]
        self.simulations = [
            SymbolSimulation(name, spec, feed.seed, state)
            for name, spec, state in zip(feed.symbols, feed._specs, start.symbols, strict=True)
        ]
        self.horizon, self.step, self.ticks = start.horizon, start.step, start.ticks

    def state(self) -> _RunState:
        return _RunState(tuple(sim.state() for sim in self.simulations), self.horizon, self.step, self.ticks)

    def restore(self, state: _RunState) -> None:
        for simulation, saved in zip(self.simulations, state.symbols, strict=True):
            simulation.restore(saved)
        self.horizon, self.step, self.ticks = state.horizon, state.step, state.ticks

    def chunk(self, pool: ThreadPoolExecutor, keep: bool = True) -> dict[str, np.ndarray] | None:
        """Simulate one more time step; its ticks merged in time order (``keep=False``: None,
        the ticks only counted)."""
        cancel.check()
        self.horizon += self.step
        parts = list(pool.map(lambda sim, h=self.horizon: sim.advance(h, keep=keep), self.simulations))
        merged = _merge(parts) if keep else None
        produced = len(merged["timestamp"]) if keep else sum(parts)
        self.step *= float(np.clip(1.2 * self.size / max(produced, 1), 0.5, 4.0))
        self.ticks += produced
        if (self.ticks - produced) // self.every < self.ticks // self.every:
            state = self.state()
            CHECKPOINTS.add(self.key, self.ticks, state, sum(s.nbytes for s in state.symbols))
        return merged

    def seek(self, first: int, pool: ThreadPoolExecutor) -> None:
        """Go to the last chunk boundary at or before tick ``first``, simulating chunks without
        writing their ticks."""
        while self.ticks < first:
            before = self.state()
            self.chunk(pool, keep=False)
            if self.ticks > first:  # the chunk holds tick `first`: it is simulated again, written
                self.restore(before)
                return


def _merge(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Concatenate per-symbol columns and order them by time (ties: symbol order)."""
    symbol_id = np.concatenate([np.full(len(p["timestamp"]), i, np.int32) for i, p in enumerate(parts)])
    columns = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.argsort(columns["timestamp"], kind="stable")
    return {"symbol_id": symbol_id[order], **{k: v[order] for k, v in columns.items()}}

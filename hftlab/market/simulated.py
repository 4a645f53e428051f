"""The embedded market: several symbols whose L2 books are driven by random order flow.

Each symbol follows the zero-intelligence order-book model of Cont, Stoikov &
Talreja (2010), "A stochastic model for order book dynamics", Operations
Research 58(3): on a grid of price ticks, limit orders of one unit arrive at
distance ``i = 1..K`` ticks from the opposite best quote at Poisson rate
``lambda(i) = k i^-alpha`` (power law, their eq. 2 and section 2; ``k = 1.92``,
``alpha = 0.52`` as fitted there), each resting unit at distance ``i`` is
cancelled at rate ``theta(i)``, and market orders hit the best quotes. Market
orders arrive as a self-exciting **Hawkes process** with exponential kernel
(intensity ``mu + sum alpha e^{-beta (t - t_j)}``; Hawkes 1971; Bacry,
Mastromatteo & Muzy 2015, "Hawkes processes in finance", Market Microstructure
and Liquidity 1(1)) so trades cluster, and their size is geometric, so large
orders walk several levels. Mid price, spread and queue sizes are not drawn:
they emerge from the order flow.

The simulation is an exact event-by-event (Gillespie) simulation with Ogata's
(1981) thinning for the Hawkes part, compiled with numba. Each symbol has its
own random stream (seeded by ``seed`` and the symbol's name), so a symbol's path
is the same whichever other symbols are streamed with it; symbols are merged in
time order (:mod:`hftlab.market.simulated_feed`). A tick is emitted whenever the
top of book changes or a trade prints. Everything is deterministic for a given
seed, and a simulation's state can be saved and continued from
(:meth:`SymbolSimulation.state`, :meth:`SymbolSimulation.restore`).
"""

from __future__ import annotations

import math
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass

import numba
import numpy as np

from hftlab.errors import NotFound
from hftlab.market.book import L2Book
from hftlab.validation import names

START_NS = 1_704_205_800_000_000_000
"""Time of the first simulated tick: 2024-01-02 14:30:00 UTC."""

GRID = 512
"""Price ticks held per book (re-centred on the mid when it drifts to an edge)."""

LEVELS = 10
"""``K``: distances from the opposite best at which orders arrive and cancel."""

WARMUP_SECONDS = 120.0
"""Simulated time run before the first tick, so the book starts near stationarity."""


@dataclass(frozen=True)
class SymbolSpec:
    """One simulated instrument.

    Attributes
    ----------
    price : float
        Initial mid price.
    tick : float
        Price increment.
    lot : float
        Size of one order unit (shares, coins, notional).
    activity : float
        Time scale: every rate is multiplied by it (events per second).
    """

    price: float
    tick: float
    lot: float
    activity: float

    def __post_init__(self) -> None:
        for name, value in (("tick", self.tick), ("lot", min(self.lot, 1 / self.lot))):
            if abs(1 / value - round(1 / value)) > 1e-9:
                raise ValueError(f"'{name}' must be 1/n or n for an integer n; got {value}.")

    @property
    def ticks_per_unit(self) -> int:
        """Ticks in one unit of price: prices are ``tick_index / ticks_per_unit`` (exact decimals)."""
        return round(1 / self.tick)

    @property
    def lot_scale(self) -> tuple[float, float]:
        """``(mul, div)`` with ``size = units * mul / div`` (exact decimals)."""
        return (float(self.lot), 1.0) if self.lot >= 1 else (1.0, float(round(1 / self.lot)))


SYMBOLS: dict[str, SymbolSpec] = {
    "AAPL": SymbolSpec(190.0, 0.01, 100, 20.0),
    "MSFT": SymbolSpec(410.0, 0.01, 100, 15.0),
    "AMZN": SymbolSpec(180.0, 0.01, 100, 15.0),
    "SPY": SymbolSpec(470.0, 0.01, 100, 40.0),
    "QQQ": SymbolSpec(400.0, 0.01, 100, 30.0),
    "BTC-USD": SymbolSpec(43_000.0, 0.5, 0.01, 30.0),
    "ETH-USD": SymbolSpec(2_300.0, 0.05, 0.1, 25.0),
    "EUR-USD": SymbolSpec(1.085, 0.00001, 100_000, 50.0),
}
"""The simulated universe; other names raise :class:`~hftlab.errors.NotFound`."""

DEFAULT_SYMBOLS = ["AAPL", "MSFT", "BTC-USD", "ETH-USD"]

# Order-flow parameters per unit of activity (Cont, Stoikov & Talreja 2010 magnitudes).
_K, _ALPHA = 1.92, 0.52  # limit arrivals lambda(i) = k i^-alpha
_THETA0, _THETA_DECAY = 0.6, 0.3  # cancellation per resting unit theta(i) = theta0 i^-decay
_MU = 0.94  # mean market-order rate
_BRANCHING, _BETA = 0.6, 2.0  # Hawkes branching ratio alpha/beta, kernel decay
_SIZE_P = 0.55  # market order size ~ geometric(p) units (mean 1/p)

# Kernel state layout.
_BASE, _BB, _BA, _POS, _LAST, _PREV_BB, _PREV_BA, _PREV_QB, _PREV_QA = range(9)
_T, _T_NEXT, _H, _BOUND = range(4)
_REACHED, _FULL, _NEED_RANDOM = 0, 1, 2
_DRAWS_PER_EVENT = 4
_UNBOUNDED = 1 << 62


def check_symbols(symbols: list[str]) -> list[SymbolSpec]:
    """The specs of ``symbols``; an unknown name raises :class:`NotFound`."""
    unknown = [s for s in symbols if s not in SYMBOLS]
    if unknown:
        raise NotFound(f"unknown simulated symbol(s) {names(unknown)}; known: {names(sorted(SYMBOLS), 20)}.")
    return [SYMBOLS[s] for s in symbols]


@numba.njit(cache=True, nogil=True)
def _cancel_rate(q, bb, ba, theta):
    total = 0.0
    for i in range(1, theta.shape[0] + 1):
        total += theta[i - 1] * (q[0, ba - i] + q[1, bb + i])
    return total


@numba.njit(cache=True, nogil=True)
def _next_bid(q, j, refill_at, refill):
    """Best bid at or below ``j``; an emptied side is refilled ``K`` ticks from the ask."""
    while j >= 0 and q[0, j] == 0:
        j -= 1
    if j < 0:
        q[0, refill_at] = refill
        return refill_at
    return j


@numba.njit(cache=True, nogil=True)
def _next_ask(q, j, refill_at, refill):
    """Best ask at or above ``j``; an emptied side is refilled ``K`` ticks from the bid."""
    width = q.shape[1]
    while j < width and q[1, j] == 0:
        j += 1
    if j >= width:
        q[1, refill_at] = refill
        return refill_at
    return j


@numba.njit(cache=True, nogil=True)
def _recentre(q, bb, ba, levels):
    """Shift the grid so the mid sits in its middle when the book nears an edge; the shift."""
    width = q.shape[1]
    if ba - levels >= 1 and bb + levels <= width - 2:
        return 0
    shift = (bb + ba) // 2 - width // 2
    moved = np.zeros_like(q)
    for j in range(max(0, -shift), min(width, width - shift)):
        moved[0, j] = q[0, j + shift]
        moved[1, j] = q[1, j + shift]
    q[:, :] = moved
    return shift


@numba.njit(cache=True, nogil=True)
def _advance(
    q,
    ints,
    floats,
    params,
    lam,
    theta,
    u,
    horizon,
    out_t,
    out_bid,
    out_ask,
    out_bs,
    out_as,
    out_last,
    out_vol,
    capacity,
    keep,
):
    """Simulate events up to ``horizon`` seconds, writing at most ``capacity`` ticks
    (``keep=False``: counting them, nothing written).

    Returns ``(status, n)``: ``n`` ticks, and why it stopped (horizon
    reached, output full, or random numbers running out). The pending candidate
    event is kept in ``floats``, so how a run is cut into calls never changes it.
    Prices are tick indices divided by the (integer) ticks per unit of price, so
    they are the doubles nearest to the decimal prices.
    """
    mu0, alpha, beta, size_p, refill = params[0], params[1], params[2], params[3], int(params[4])
    ticks_per_unit, lot_mul, lot_div = params[5], params[6], params[7]  # exact decimal scaling
    levels, width = lam.shape[0], q.shape[1]
    lam_total = 2.0 * lam.sum()
    base, bb, ba, pos, last = ints[_BASE], ints[_BB], ints[_BA], ints[_POS], ints[_LAST]
    prev_bb, prev_ba, prev_qb, prev_qa = ints[_PREV_BB], ints[_PREV_BA], ints[_PREV_QB], ints[_PREV_QA]
    t, t_next, h, bound = floats[_T], floats[_T_NEXT], floats[_H], floats[_BOUND]
    cancel = _cancel_rate(q, bb, ba, theta)
    n = 0
    status = _REACHED
    while True:
        if n >= capacity:
            status = _FULL
            break
        if pos + _DRAWS_PER_EVENT > u.shape[0]:
            status = _NEED_RANDOM
            break
        if t_next < 0.0:  # next candidate time under the current (upper-bound) intensity
            bound = lam_total + cancel + mu0 + h
            t_next = t - math.log(1.0 - u[pos]) / bound
            pos += 1
        if t_next > horizon:
            break
        h *= math.exp(-beta * (t_next - t))
        t, t_next = t_next, -1.0
        market = mu0 + h
        x = u[pos] * bound
        pos += 1
        if x >= lam_total + cancel + market:  # Ogata thinning: the Hawkes intensity decayed
            continue
        old_bb, old_ba = bb, ba
        changed, delta = -1, 0  # distance of a single-unit change and its sign (incremental rate)
        traded = 0
        if x < market:  # market order of geometric size walking the opposite side
            size = 1 + int(math.log(1.0 - u[pos]) / math.log(1.0 - size_p))
            pos += 1
            h += alpha
            if x < market / 2:
                while size > 0:
                    take = min(size, q[1, ba])
                    q[1, ba] -= take
                    size -= take
                    traded += take
                    last = base + ba
                    if q[1, ba] == 0:
                        ba = _next_ask(q, ba, min(bb + levels, width - 1), refill)
            else:
                while size > 0:
                    take = min(size, q[0, bb])
                    q[0, bb] -= take
                    size -= take
                    traded += take
                    last = base + bb
                    if q[0, bb] == 0:
                        bb = _next_bid(q, bb, max(ba - levels, 0), refill)
        else:
            x -= market
            if x < lam_total:  # limit order at distance i from the opposite best
                side = 0 if x < lam_total / 2 else 1
                x -= side * lam_total / 2
                i = 0
                while i < levels - 1 and x >= lam[i]:
                    x -= lam[i]
                    i += 1
                changed, delta = i, 1
                if side == 0:
                    q[0, ba - i - 1] += 1
                    bb = max(bb, ba - i - 1)
                else:
                    q[1, bb + i + 1] += 1
                    ba = min(ba, bb + i + 1)
            else:  # one resting unit cancelled, chosen in proportion to theta(i) q(i)
                x -= lam_total
                for k in range(2 * levels):
                    i = k % levels
                    j = ba - i - 1 if k < levels else bb + i + 1
                    side = 0 if k < levels else 1
                    w = theta[i] * q[side, j]
                    if (x < w or k == 2 * levels - 1) and q[side, j] > 0:
                        q[side, j] -= 1
                        changed, delta = i, -1
                        if q[side, j] == 0 and side == 0 and j == bb:
                            bb = _next_bid(q, bb, max(ba - levels, 0), refill)
                        elif q[side, j] == 0 and side == 1 and j == ba:
                            ba = _next_ask(q, ba, min(bb + levels, width - 1), refill)
                        break
                    x -= w
        shift = _recentre(q, bb, ba, levels)
        if shift:
            base += shift
            bb -= shift
            ba -= shift
            prev_bb -= shift
            prev_ba -= shift
        if bb == old_bb and ba == old_ba and changed >= 0:
            cancel += delta * theta[changed]
        elif bb != old_bb or ba != old_ba or traded > 0:
            cancel = _cancel_rate(q, bb, ba, theta)
        qb, qa = q[0, bb], q[1, ba]
        if traded > 0 or bb != prev_bb or ba != prev_ba or qb != prev_qb or qa != prev_qa:
            if keep:
                out_t[n] = START_NS + round((t - WARMUP_SECONDS) * 1e9)
                out_bid[n] = (base + bb) / ticks_per_unit
                out_ask[n] = (base + ba) / ticks_per_unit
                out_bs[n] = qb * lot_mul / lot_div
                out_as[n] = qa * lot_mul / lot_div
                out_last[n] = last / ticks_per_unit if last >= 0 else np.nan
                out_vol[n] = traded * lot_mul / lot_div
            n += 1
            prev_bb, prev_ba, prev_qb, prev_qa = bb, ba, qb, qa
    ints[_BASE], ints[_BB], ints[_BA], ints[_POS], ints[_LAST] = base, bb, ba, pos, last
    ints[_PREV_BB], ints[_PREV_BA], ints[_PREV_QB], ints[_PREV_QA] = prev_bb, prev_ba, prev_qb, prev_qa
    floats[_T], floats[_T_NEXT], floats[_H], floats[_BOUND] = t, t_next, h, bound
    return status, n


@dataclass(frozen=True)
class SymbolState:
    """A :class:`SymbolSimulation` between two events (about 8 kB): its book, clock, Hawkes
    intensity and pending candidate event, the random generator's state before its current
    block of uniforms, the uniforms left of the previous block, and its tick count."""

    q: np.ndarray
    ints: np.ndarray
    floats: np.ndarray
    random: dict
    head: np.ndarray
    ticks: int

    @property
    def nbytes(self) -> int:
        """Bytes held (the generator state counted as 256)."""
        return self.q.nbytes + self.ints.nbytes + self.floats.nbytes + self.head.nbytes + 256


class SymbolSimulation:
    """The order book of one symbol, advanced event by event (see the module docstring)."""

    _RANDOM_CHUNK = 1 << 20
    _OUT_CHUNK = 1 << 16

    def __init__(self, name: str, spec: SymbolSpec, seed: int, state: SymbolState | None = None) -> None:
        """The simulation after its warm-up, or continuing from ``state`` (see :meth:`restore`)."""
        self.name, self.spec = name, spec
        entropy = np.random.SeedSequence([seed, zlib.crc32(name.encode())])
        self._rng = np.random.Generator(np.random.PCG64(entropy))
        i = np.arange(1, LEVELS + 1, dtype=np.float64)
        a = spec.activity
        self._lam = a * _K * i**-_ALPHA
        self._theta = a * _THETA0 * i**-_THETA_DECAY
        beta = a * _BETA
        lot_mul, lot_div = spec.lot_scale
        self._params = np.array(
            [
                a * _MU * (1 - _BRANCHING),
                _BRANCHING * beta,
                beta,
                _SIZE_P,
                max(1.0, round(self._lam[-1] / self._theta[-1])),
                spec.ticks_per_unit,
                lot_mul,
                lot_div,
            ]
        )
        self._out = [np.empty(self._OUT_CHUNK, np.int64)] + [np.empty(self._OUT_CHUNK) for _ in range(6)]
        self.q = np.zeros((2, GRID), dtype=np.int64)
        bb, ba = GRID // 2 - 1, GRID // 2
        shape = np.maximum(1, np.round(self._lam / self._theta)).astype(np.int64)
        self.q[0, ba - np.arange(1, LEVELS + 1)] = shape
        self.q[1, bb + np.arange(1, LEVELS + 1)] = shape
        base = round(spec.price / spec.tick) - GRID // 2
        self._ints = np.array([base, bb, ba, 0, -1, -1, -1, -1, -1], dtype=np.int64)
        self._floats = np.array([0.0, -1.0, 0.0, 0.0])
        self._random = None
        if state is not None:
            self.restore(state)
        else:
            self._draw(np.empty(0))
            self.ticks = 0
            self.advance(0.0)
            self.ticks = 0

    def _draw(self, head: np.ndarray) -> None:
        """The next block of uniforms, after ``head`` (those left of the previous block), and
        the generator's state before it (what :meth:`state` keeps instead of the block)."""
        self._head, self._random = head, self._rng.bit_generator.state
        self._u = np.concatenate([head, self._rng.random(self._RANDOM_CHUNK)])

    def state(self) -> SymbolState:
        """Everything the simulation continues from (see :meth:`restore`)."""
        return SymbolState(
            self.q.copy(), self._ints.copy(), self._floats.copy(), self._random, self._head, self.ticks
        )

    def restore(self, state: SymbolState) -> None:
        """Continue from ``state`` (of a simulation of the same symbol and seed) exactly as the
        simulation that made it did: the same events, ticks and random numbers."""
        self.q[:], self._ints[:], self._floats[:], self.ticks = state.q, state.ints, state.floats, state.ticks
        if state.random is not self._random:  # another block: draw it again from its generator state
            self._rng.bit_generator.state = state.random
            self._draw(state.head)

    @property
    def time(self) -> float:
        """Seconds since the first tick."""
        return float(self._floats[_T]) - WARMUP_SECONDS

    def advance(
        self, horizon: float, max_ticks: int | None = None, keep: bool = True
    ) -> dict[str, np.ndarray] | int:
        """Simulate until ``horizon`` seconds after the first tick (or until ``max_ticks``
        ticks in all); the new ticks as columns (``keep=False``: only their number, nothing
        written: the same simulation at less cost, to skip ahead)."""
        horizon += WARMUP_SECONDS
        parts, start = [], self.ticks
        while max_ticks is None or self.ticks < max_ticks:
            room = _UNBOUNDED if max_ticks is None else max_ticks - self.ticks
            status, n = _advance(
                self.q,
                self._ints,
                self._floats,
                self._params,
                self._lam,
                self._theta,
                self._u,
                horizon,
                *self._out,
                min(room, self._OUT_CHUNK) if keep else room,
                keep,
            )
            if keep:
                parts.append([column[:n].copy() for column in self._out])
            self.ticks += n
            if status == _REACHED:
                break
            if status == _NEED_RANDOM:
                self._draw(self._u[self._ints[_POS] :].copy())
                self._ints[_POS] = 0
        if not keep:
            return self.ticks - start
        columns = [np.concatenate(c) for c in zip(*parts, strict=True)] if parts else [c[:0] for c in self._out]
        return dict(
            zip(("timestamp", "bid", "ask", "bid_size", "ask_size", "last", "volume"), columns, strict=True)
        )

    def book(self, sequence: int) -> L2Book:
        """The current book as an :class:`L2Book` (every non-empty level of the grid)."""
        spec, base = self.spec, int(self._ints[_BASE])
        lot_mul, lot_div = spec.lot_scale
        levels = []
        for side in (0, 1):
            (index,) = np.nonzero(self.q[side])
            prices = (base + index) / spec.ticks_per_unit
            levels.append(np.column_stack([prices, self.q[side, index] * lot_mul / lot_div]))
        book = L2Book(self.name)
        timestamp = START_NS / 1e9 + self.time
        book.apply_snapshot(levels[0], levels[1], sequence=sequence, timestamp=timestamp)
        return book


CACHED_SIMULATIONS = 4
"""Simulations :func:`simulated_book` keeps to continue (about 12 MB each), the least recently used dropped."""

_simulations: OrderedDict[tuple[str, int], SymbolSimulation] = OrderedDict()
_simulations_lock = threading.Lock()


def simulated_book(symbol: str, seed: int = 0, ticks: int = 10_000) -> L2Book:
    """The book of ``symbol`` after its first ``ticks`` ticks in the simulated market.

    The simulation of the last calls for a symbol and seed is kept and continued
    when it has not passed ``ticks`` yet, so a live ladder that follows a stream
    (``ticks`` growing) costs the new ticks only, not a replay from the first
    tick. The book is the same either way: how a run is cut into calls never
    changes it (:func:`_advance`).
    """
    (spec,) = check_symbols([symbol])
    with _simulations_lock:  # taken out while in use: one caller advances it at a time
        simulation = _simulations.pop((symbol, seed), None)
    if simulation is None or simulation.ticks > ticks:
        simulation = SymbolSimulation(symbol, spec, seed)
    if ticks > simulation.ticks:
        simulation.advance(math.inf, max_ticks=ticks)
    book = simulation.book(sequence=ticks)
    with _simulations_lock:
        _simulations[symbol, seed] = simulation
        while len(_simulations) > CACHED_SIMULATIONS:
            _simulations.popitem(last=False)
    return book

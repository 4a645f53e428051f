"""Strategies written as numba functions: the order API of :class:`hftlab.tick.Context`, compiled.

A compiled strategy is a ``numba.njit`` function ``on_tick(E, ts, state)`` called every
``interval`` of local time inside the engine's compiled loop (no return to Python between
wake-ups: the fast way to write a strategy). ``E`` is the engine, ``ts`` the local time (ns),
``state`` a float64 array of the strategy's own. It reads our delayed view and sends orders with
the functions of this module, which :class:`~hftlab.tick.Context` uses too::

    import numba
    from hftlab.tick import compiled as c

    @numba.njit
    def join_the_best_bid(E, ts, state):
        if state[0] < 0 and c.best_bid(E) == c.best_bid(E):  # not NaN: a bid to join
            state[0] = c.buy(E, ts, c.best_bid(E), 1.0)

    hftlab.tick_backtest(events, c.Compiled(join_the_best_bid, interval="1ms", state=[-1.0]))

Like a Python strategy it runs in this process (local backend).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np

from hftlab.jit import kernel
from hftlab.tick import engine as k

LIMIT, POST_ONLY, IOC, FOK, MARKET = k.LIMIT, k.POST_ONLY, k.IOC, k.FOK, k.MARKET
SENT, OPEN, FILLED, CANCELLED, REJECTED, EXPIRED = k.SENT, k.OPEN, k.FILLED, k.CANCELLED, k.REJECTED, k.EXPIRED


@kernel()
def best_bid(E):
    """Best bid we see (NaN if none)."""
    j = E.ints[k.LBB]
    return (j + E.ints[k.TICK0]) * E.floats[k.TICK] if j >= 0 else np.nan


@kernel()
def best_ask(E):
    """Best ask we see (NaN if none)."""
    j = E.ints[k.LBA]
    return (j + E.ints[k.TICK0]) * E.floats[k.TICK] if j < len(E.local_ask) else np.nan


@kernel()
def position(E):
    """Our position as far as the fills we have received tell."""
    return E.floats[k.LPOS]


@kernel()
def cash(E):
    """Our cash as far as the fills we have received tell."""
    return E.floats[k.LCASH]


@kernel()
def status(E, order):
    """What we know of ``order``: SENT, OPEN, FILLED, CANCELLED, REJECTED or EXPIRED."""
    return E.orders[order]["local_status"]


@kernel()
def buy(E, ts, price, qty, kind=LIMIT):
    """Send a buy order at local time ``ts``; returns its number (-1 if the engine is full)."""
    return k.submit(E, ts, 1, price, qty, kind)


@kernel()
def sell(E, ts, price, qty, kind=LIMIT):
    """Send a sell order at local time ``ts``; returns its number (-1 if the engine is full)."""
    return k.submit(E, ts, -1, price, qty, kind)


cancel = k.cancel
modify = k.modify


@dataclass(frozen=True, eq=False)  # a strategy object: compared and hashed by identity
class Compiled:
    """A numba strategy ``on_tick(E, ts, state)``, woken every ``interval`` (``"1ms"`` or
    seconds) with ``state`` (float64, its own; kept after the run)."""

    on_tick: numba.core.registry.CPUDispatcher
    interval: str | float = "100ms"
    state: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", np.ascontiguousarray(self.state, dtype=np.float64))


@numba.njit(_nrt=False)  # not cached: compiled for each strategy function it is given
def run_compiled(E, S, interval, on_tick, state):
    """Wake ``on_tick`` every ``interval`` ns from ``S[0]``; True when the events are done,
    False to be called again (the next chunk of events, more room)."""
    ts = S[0]
    while E.ints[k.OVERFLOW] == 0:
        woken = k.wake(E, ts)
        if woken == k.PAUSE:
            S[0] = ts
            return False
        if woken == k.DONE:
            break
        on_tick(E, ts, state)
        ts += interval
    return True

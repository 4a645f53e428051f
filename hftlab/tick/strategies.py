"""Strategies on the tick engine: built-in compiled ones and the plain Python class API.

Every strategy wakes up every ``interval`` of local time, reads our delayed view of the book
and of its orders, and sends orders and cancels; they reach the exchange ``order_latency``
later (:mod:`hftlab.tick.engine`).

- ``"grid"``: quotes one bid and one ask ``half_spread`` around the mid (or at the best
  prices with ``at_best``), ``order_qty`` each, re-quoting when the price it wants moves; no
  bid while the position is ``max_position`` or more, no ask at ``-max_position`` or less
  (the fixed-spread quoter of hftbacktest's grid-trading example, one level).
- ``"orders"``: an execution simulator, the orders of a table sent at their times.
- ``"avellaneda_stoikov"``, ``"glft"``: market makers from closed forms, compiled on the same
  loop (:mod:`hftlab.tick.market_makers`).
- A subclass of :class:`Strategy`: ``on_tick(ctx)`` with a :class:`Context` (readable, one
  Python call per wake-up; the compiled loop runs between them).
"""

from __future__ import annotations

import math

import numpy as np

from hftlab import validation as v
from hftlab.jit import kernel
from hftlab.tick import compiled as c
from hftlab.tick import engine as k
from hftlab.tick.compiled import Compiled, run_compiled

GRID_PARAMS = ("half_spread", "order_qty", "max_position", "at_best", "post_only")


@kernel()
def requote(E, ts, current, side, wanted_tick, wanted, qty, kind):
    """Keep one order of ours on ``side`` at ``wanted_tick`` (or none); returns its index."""
    if current >= 0:
        order = E.orders[current]
        if order["local_status"] not in (k.SENT, k.OPEN):
            current = -1
        elif not wanted or order["tick"] != wanted_tick:
            k.cancel(E, ts, current)
            current = -1
    if wanted and current < 0:
        price = (wanted_tick + E.ints[k.TICK0]) * E.floats[k.TICK]
        current = k.submit(E, ts, side, price, qty, kind)
    return current


@kernel()
def run_grid(E, S, interval, half_spread_ticks, qty, max_position, at_best, kind):
    """The grid quoter, compiled, every ``interval`` ns; ``S`` holds its state (next wake-up, bid
    and ask order). Returns True when the events are done, False to be called again: for the
    next chunk of events (progress, Ctrl-C) or for more room for orders and fills."""
    ts, bid_order, ask_order = S[0], S[1], S[2]
    while E.ints[k.OVERFLOW] == 0:
        woken = k.wake(E, ts)
        if woken == k.PAUSE:
            S[0], S[1], S[2] = ts, bid_order, ask_order
            return False
        if woken == k.DONE:
            break
        best_bid, best_ask = E.ints[k.LBB], E.ints[k.LBA]
        if best_bid >= 0 and best_ask < len(E.local_bid):
            if at_best:
                bid_tick, ask_tick = best_bid, best_ask
            else:
                mid = (best_bid + best_ask) / 2.0
                bid_tick = min(np.int64(np.floor(mid - half_spread_ticks + 1e-9)), best_ask - 1)
                ask_tick = max(np.int64(np.ceil(mid + half_spread_ticks - 1e-9)), best_bid + 1)
            position = E.floats[k.LPOS]
            bid_order = requote(E, ts, bid_order, 1, bid_tick, position < max_position, qty, kind)
            ask_order = requote(E, ts, ask_order, -1, ask_tick, position > -max_position, qty, kind)
        ts += interval
    return True


def grid_settings(params: dict, tick_size: float) -> tuple:
    """Validated grid parameters as ``run_grid`` takes them (half spread in ticks)."""
    unknown = sorted(set(params) - set(GRID_PARAMS) - {"interval"})
    if unknown:
        raise v.fail("params", f"keys among {[*GRID_PARAMS, 'interval']}", unknown)
    half_spread = v.check_float("params.half_spread", params.get("half_spread", tick_size), low=0)
    qty = v.check_float("params.order_qty", params.get("order_qty", 1.0), low=0, low_open=True)
    max_position = params.get("max_position")
    max_position = (
        math.inf if max_position is None else v.check_float("params.max_position", max_position, low=0)
    )
    at_best = bool(params.get("at_best", False))
    kind = k.POST_ONLY if params.get("post_only", False) else k.LIMIT
    return half_spread / tick_size, qty, max_position, at_best, kind


def between_steps(E, feed, progress):
    """Between two compiled steps: the next chunk of events when the engine waits for it (and a
    progress update), more room when orders or fills are short; returns the engine."""
    if E.ints[k.STARVED]:
        E = feed.refill(E)
        progress(feed.done(E))
    if not k.has_room(E):
        E = k.grown(E)
    return E


def send_orders(E, feed, table, progress):
    """Queue the rows of an orders table (time ns, side, kind code, price, qty) as our sends and
    replay to the end; returns the (possibly grown) engine."""
    for ts, side, kind, price, qty in table:
        if k.submit(E, ts, side, price, qty, kind) < 0:
            break
    while E.ints[k.OVERFLOW] == 0 and k.advance(E, k.NEVER):
        E = between_steps(E, feed, progress)
    return E


def run_compiled_grid(E, feed, start: int, interval: int, settings: tuple, progress):
    """Drive :func:`run_grid` chunk by chunk, growing the arrays when they fill up; returns the
    (possibly grown) engine."""
    state = np.array([start, -1, -1], np.int64)
    while not run_grid(E, state, interval, *settings) and E.ints[k.OVERFLOW] == 0:
        E = between_steps(E, feed, progress)
    return E


class Context:
    """What a Python strategy sees and does at a wake-up (our delayed view, like the compiled path)."""

    def __init__(self, E) -> None:
        self._E = E
        self.ts = 0

    @property
    def best_bid(self) -> float:
        """Best bid we see (NaN if none)."""
        return c.best_bid(self._E)

    @property
    def best_ask(self) -> float:
        """Best ask we see (NaN if none)."""
        return c.best_ask(self._E)

    @property
    def mid(self) -> float:
        return (self.best_bid + self.best_ask) / 2

    @property
    def position(self) -> float:
        """Our position as far as the fills we have received tell."""
        return float(c.position(self._E))

    @property
    def cash(self) -> float:
        return float(c.cash(self._E))

    def status(self, order: int) -> str:
        """What we know of an order: sent, open, filled, cancelled, rejected or expired."""
        return k.STATUSES[c.status(self._E, order)]

    def open_orders(self) -> list[int]:
        """Orders sent or acknowledged and not known to be done."""
        status = self._E.orders["local_status"][: self._E.ints[k.NO]]
        return [int(o) for o in np.flatnonzero((status == k.SENT) | (status == k.OPEN))]

    def buy(self, price: float, qty: float, kind: str = "limit") -> int:
        return self._send(1, price, qty, kind)

    def sell(self, price: float, qty: float, kind: str = "limit") -> int:
        return self._send(-1, price, qty, kind)

    def cancel(self, order: int) -> None:
        c.cancel(self._E, self.ts, order)

    def modify(self, order: int, price: float, qty: float) -> None:
        """Move ``order`` to ``price`` with ``qty`` left to fill: less at the same price keeps
        its place in the queue, anything else goes to the back (:func:`engine._modify`)."""
        price = v.check_float("price", price, low=0, low_open=True)
        c.modify(self._E, self.ts, order, price, v.check_float("qty", qty, low=0, low_open=True))

    def _send(self, side: int, price: float, qty: float, kind: str) -> int:
        code = k.ORDER_KINDS[v.check_choice("kind", kind, list(k.ORDER_KINDS))]
        send = c.buy if side > 0 else c.sell
        return int(send(self._E, self.ts, price if code != k.MARKET else 0.0, qty, code))


class Strategy:
    """Base of plain Python strategies: override :meth:`on_tick`; ``interval`` sets the wake-ups."""

    interval = "100ms"

    def on_tick(self, ctx: Context) -> None:
        """Called every ``interval`` of local time with our view of the market and our orders."""
        raise NotImplementedError


def run_user_compiled(E, feed, strategy: Compiled, start: int, interval: int, progress):
    """Drive a numba strategy (:mod:`hftlab.tick.compiled`) chunk by chunk; returns the
    (possibly grown) engine."""
    state = np.array([start], np.int64)
    while not run_compiled(E, state, interval, strategy.on_tick, strategy.state) and E.ints[k.OVERFLOW] == 0:
        E = between_steps(E, feed, progress)
    return E


def run_python(E, feed, strategy: Strategy, start: int, interval: int, progress):
    """Drive a Python strategy: the compiled loop runs between its wake-ups; returns the
    (possibly grown) engine."""
    ctx = Context(E)
    ts = start
    while E.ints[k.OVERFLOW] == 0:
        E = ctx._E = between_steps(E, feed, progress)
        woken = k.wake(E, ts)
        if woken == k.DONE:
            break
        if woken == k.PAUSE:
            continue  # the wake-up waits for the next chunk or for room
        ctx.ts = ts
        strategy.on_tick(ctx)
        ts += interval
    return E

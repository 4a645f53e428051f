"""Level-3 order book and a price-time priority matching engine.

Continuous double auction as run by equity and crypto exchanges (Gould et al.
2013, "Limit order books", Quantitative Finance 13(11), section 2; Harris 2003,
"Trading and Exchanges", ch. 5): an incoming order trades against the best
opposite price first and, within a price, against the oldest resting order
first (FIFO); trades print at the resting (maker) order's price.

Order types: limit (GTC, IOC = fill what you can then cancel the rest, FOK =
fill completely at once or not at all, post-only = rejected if it would take
liquidity), market (IOC with no price limit), cancel and modify. A modify that
only reduces the size keeps the order's place in its queue; one that changes
the price or increases the size loses it (re-enters at the back, and trades if
the new price crosses), following NASDAQ/CME practice.

Every operation returns the events it caused, in order: :class:`OrderEvent`
(accepted, rejected, rested, cancelled, reduced, replaced, expired) and
:class:`Trade`. :meth:`MatchingEngine.check_invariants` verifies the book
(never crossed, positive sizes, FIFO queues, index consistent).
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sortedcontainers import SortedDict

from hftlab.errors import InvalidInput
from hftlab.market.book import ASK, BID, L2Book, side_code

TIME_IN_FORCE = ("GTC", "IOC", "FOK")


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """A change in an order's life.

    ``kind`` is one of ``accepted`` (size = order size), ``rejected`` (``reason``
    says why), ``rested`` (size = shares added to the book), ``cancelled`` /
    ``replaced`` (size = shares removed from the book by a cancel / a modify
    that loses priority), ``reduced`` (size = shares removed by a size-down
    modify, ``remaining`` = shares left) and ``expired`` (size = unfilled shares
    of an IOC/FOK/market order dropped).
    """

    sequence: int
    kind: str
    order_id: int
    side: int
    price: float
    size: float
    remaining: float
    timestamp: float
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Trade:
    """One fill: ``size`` shares of ``maker_order_id`` taken by ``taker_order_id`` at the maker's price."""

    sequence: int
    taker_order_id: int
    maker_order_id: int
    side: int  # taker (aggressor) side: 1 buy, -1 sell
    price: float
    size: float
    maker_remaining: float
    timestamp: float


class _Order:
    __slots__ = ("order_id", "post_only", "price", "priority", "side", "size")

    def __init__(self, order_id: int, side: int, price: float, size: float, post_only: bool) -> None:
        self.order_id, self.side, self.price, self.size = order_id, side, price, size
        self.priority = 0
        self.post_only = post_only


def _positive(name: str, value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not (math.isfinite(value) and value > 0)
    ):
        raise InvalidInput(f"'{name}' must be a finite number > 0; got {value!r}.")
    return float(value)


class MatchingEngine:
    """Price-time priority matching engine for one instrument (see the module docstring).

    Parameters
    ----------
    symbol : str
        Instrument name.
    tick_size : float, optional
        If given, prices must lie on this grid (they are snapped to exact multiples).
    """

    def __init__(self, symbol: str = "SIM", tick_size: float | None = None) -> None:
        self.symbol = symbol
        self.tick_size = None if tick_size is None else _positive("tick_size", tick_size)
        self._levels = {BID: SortedDict(), ASK: SortedDict()}  # key: -price (bids), price (asks)
        self._orders: dict[int, _Order] = {}
        self._ids = itertools.count(1)
        self._priority = itertools.count(1)
        self.sequence = 0
        self.timestamp = 0.0
        self._events: list[OrderEvent | Trade] = []

    # ------------------------------------------------------------ orders

    def limit(
        self,
        side: Any,
        price: float,
        size: float,
        time_in_force: str = "GTC",
        post_only: bool = False,
        order_id: int | None = None,
        timestamp: float | None = None,
    ) -> list[OrderEvent | Trade]:
        """Submit a limit order; returns its events (``accepted`` first)."""
        side = side_code(side)
        price, size = self._price(price), _positive("size", size)
        if time_in_force not in TIME_IN_FORCE:
            raise InvalidInput(f"'time_in_force' must be one of {TIME_IN_FORCE}; got {time_in_force!r}.")
        order = _Order(self._new_id(order_id), side, price, size, post_only)
        self._start(timestamp)
        self._event("accepted", order, size)
        if post_only and self._crosses(side, price):
            return self._reject(order, "post-only order would take liquidity")
        if time_in_force == "FOK" and self._available(side, price) < size:
            return self._reject(order, "fill-or-kill order cannot be filled completely")
        self._match(order, price)
        if order.size > 0:
            if time_in_force == "GTC":
                self._rest(order)
            else:
                self._event("expired", order, order.size, remaining=0.0)
        return self._finish()

    def market(
        self, side: Any, size: float, order_id: int | None = None, timestamp: float | None = None
    ) -> list[OrderEvent | Trade]:
        """Submit a market order (takes any price; the unfilled rest expires)."""
        side = side_code(side)
        order = _Order(self._new_id(order_id), side, math.nan, _positive("size", size), False)
        self._start(timestamp)
        self._event("accepted", order, order.size)
        self._match(order, math.inf if side == BID else -math.inf)
        if order.size > 0:
            self._event("expired", order, order.size, remaining=0.0)
        return self._finish()

    def cancel(self, order_id: int, timestamp: float | None = None) -> list[OrderEvent | Trade]:
        """Remove a resting order (``rejected`` if it is not in the book)."""
        self._start(timestamp)
        order = self._orders.get(order_id)
        if order is None:
            self._event(
                "rejected",
                _Order(order_id, 0, math.nan, 0.0, False),
                0.0,
                reason="unknown order (never placed, filled or cancelled)",
            )
        else:
            self._remove(order)
            self._event("cancelled", order, order.size, remaining=0.0)
        return self._finish()

    def modify(
        self,
        order_id: int,
        price: float | None = None,
        size: float | None = None,
        timestamp: float | None = None,
    ) -> list[OrderEvent | Trade]:
        """Change a resting order's price and/or remaining size.

        A pure size reduction keeps queue priority (``reduced``); a price change or
        size increase cancels and re-enters the order at the back (``replaced``
        then the events of a new GTC limit order with the same id).
        """
        new_price = None if price is None else self._price(price)
        new_size = None if size is None else _positive("size", size)
        self._start(timestamp)
        order = self._orders.get(order_id)
        if order is None:
            self._event(
                "rejected",
                _Order(order_id, 0, math.nan, 0.0, False),
                0.0,
                reason="unknown order (never placed, filled or cancelled)",
            )
            return self._finish()
        new_price = order.price if new_price is None else new_price
        new_size = order.size if new_size is None else new_size
        if new_price == order.price and new_size <= order.size:
            removed = order.size - new_size
            order.size = new_size
            self._event("reduced", order, removed)
            return self._finish()
        if order.post_only and self._crosses(order.side, new_price):
            self._event(
                "rejected", order, new_size, reason="post-only order would take liquidity; kept as it was"
            )
            return self._finish()
        self._remove(order)
        self._event("replaced", order, order.size, remaining=0.0)
        order.price, order.size = new_price, new_size
        self._match(order, new_price)
        if order.size > 0:
            self._rest(order)
        return self._finish()

    # ------------------------------------------------------------ views

    @property
    def best_bid(self) -> float:
        levels = self._levels[BID]
        return -levels.peekitem(0)[0] if levels else math.nan

    @property
    def best_ask(self) -> float:
        levels = self._levels[ASK]
        return levels.peekitem(0)[0] if levels else math.nan

    def order(self, order_id: int) -> tuple[int, float, float] | None:
        """``(side, price, remaining size)`` of a resting order, or None."""
        order = self._orders.get(order_id)
        return None if order is None else (order.side, order.price, order.size)

    def queue(self, side: Any, price: float) -> list[tuple[int, float]]:
        """``(order id, size)`` of the orders resting at one price, first in line first."""
        side = side_code(side)
        level = self._levels[side].get(-price if side == BID else price)
        return [] if level is None else [(o.order_id, o.size) for o in level.values()]

    def level_rank(self, side: Any, price: float) -> int | None:
        """Number of better price levels on ``side`` than ``price`` (0 = best), None if no order rests there."""
        side = side_code(side)
        key = -price if side == BID else price
        levels = self._levels[side]
        return levels.index(key) if key in levels else None

    def depth(self, side: Any, levels: int | None = None) -> list[tuple[float, float]]:
        """Aggregated ``(price, size)`` per level, best first."""
        side = side_code(side)
        items = self._levels[side].items()[:levels] if levels is not None else self._levels[side].items()
        return [(key * (-1 if side == BID else 1), sum(o.size for o in level.values())) for key, level in items]

    def to_l2(self, depth: int | None = None) -> L2Book:
        """An :class:`L2Book` of the aggregated levels at the current sequence."""
        book = L2Book(self.symbol)
        book.apply_snapshot(self.depth(BID, depth), self.depth(ASK, depth), self.sequence, self.timestamp)
        return book

    def __len__(self) -> int:
        return len(self._orders)

    def check_invariants(self) -> list[str]:
        """Violations of the book's invariants (empty when the book is sound)."""
        problems = []
        if self.best_bid >= self.best_ask:
            problems.append(f"crossed book: best bid {self.best_bid} >= best ask {self.best_ask}")
        seen = 0
        for side, levels in self._levels.items():
            for key, level in levels.items():
                if not level:
                    problems.append(f"empty level {key} on side {side}")
                priorities = [o.priority for o in level.values()]
                if priorities != sorted(priorities) or len(set(priorities)) != len(priorities):
                    problems.append(f"queue at {key} on side {side} is not FIFO: {priorities}")
                for order in level.values():
                    seen += 1
                    if not order.size > 0:
                        problems.append(f"order {order.order_id} has size {order.size}")
                    if order.side != side or (key if side == ASK else -key) != order.price:
                        problems.append(f"order {order.order_id} sits at the wrong level")
                    if self._orders.get(order.order_id) is not order:
                        problems.append(f"order {order.order_id} is missing from the index")
        if seen != len(self._orders):
            problems.append(f"{len(self._orders)} orders indexed but {seen} in the book")
        return problems

    # ------------------------------------------------------------ internals

    def _price(self, price: Any) -> float:
        price = _positive("price", price)
        if self.tick_size is not None:
            ticks = round(price / self.tick_size)
            if abs(price / self.tick_size - ticks) > 1e-6:
                raise InvalidInput(
                    f"'price' must be a multiple of the tick size {self.tick_size}; got {price!r}."
                )
            price = ticks * self.tick_size
        return price

    def _new_id(self, order_id: int | None) -> int:
        if order_id is None:
            order_id = next(self._ids)
            while order_id in self._orders:
                order_id = next(self._ids)
        elif order_id in self._orders:
            raise InvalidInput(f"'order_id' {order_id} is already resting in the book.")
        return order_id

    def _start(self, timestamp: float | None) -> None:
        if timestamp is not None:
            self.timestamp = float(timestamp)
        self._events = []

    def _finish(self) -> list[OrderEvent | Trade]:
        events, self._events = self._events, []
        return events

    def _event(
        self, kind: str, order: _Order, size: float, remaining: float | None = None, reason: str = ""
    ) -> None:
        self.sequence += 1
        self._events.append(
            OrderEvent(
                self.sequence,
                kind,
                order.order_id,
                order.side,
                order.price,
                size,
                order.size if remaining is None else remaining,
                self.timestamp,
                reason,
            )
        )

    def _reject(self, order: _Order, reason: str) -> list[OrderEvent | Trade]:
        self._event("rejected", order, order.size, remaining=0.0, reason=reason)
        return self._finish()

    def _crosses(self, side: int, price: float) -> bool:
        return price >= self.best_ask if side == BID else price <= self.best_bid

    def _available(self, side: int, limit: float) -> float:
        """Opposite size at prices the order accepts (for fill-or-kill)."""
        total = 0.0
        for key, level in self._levels[-side].items():
            price = key if side == BID else -key
            if (price > limit) if side == BID else (price < limit):
                break
            total += sum(o.size for o in level.values())
        return total

    def _match(self, order: _Order, limit: float) -> None:
        book = self._levels[-order.side]
        while order.size > 0 and book:
            key, level = book.peekitem(0)
            price = key if order.side == BID else -key
            if (price > limit) if order.side == BID else (price < limit):
                break
            while order.size > 0 and level:
                maker = next(iter(level.values()))
                size = min(order.size, maker.size)
                order.size -= size
                maker.size -= size
                self.sequence += 1
                self._events.append(
                    Trade(
                        self.sequence,
                        order.order_id,
                        maker.order_id,
                        order.side,
                        price,
                        size,
                        maker.size,
                        self.timestamp,
                    )
                )
                if maker.size == 0:
                    level.popitem(last=False)
                    del self._orders[maker.order_id]
            if not level:
                del book[key]

    def _rest(self, order: _Order) -> None:
        order.priority = next(self._priority)
        key = -order.price if order.side == BID else order.price
        levels = self._levels[order.side]
        if key not in levels:
            levels[key] = OrderedDict()
        levels[key][order.order_id] = order
        self._orders[order.order_id] = order
        self._event("rested", order, order.size)

    def _remove(self, order: _Order) -> None:
        key = -order.price if order.side == BID else order.price
        levels = self._levels[order.side]
        del levels[key][order.order_id]
        if not levels[key]:
            del levels[key]
        del self._orders[order.order_id]

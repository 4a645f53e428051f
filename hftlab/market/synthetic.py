"""Seeded synthetic order flow through the matching engine, written in LOBSTER format.

Zero-intelligence order flow after Cont, Stoikov & Talreja (2010), "A
stochastic model for order book dynamics", Operations Research 58(3): limit
orders arrive at ``i`` ticks from the opposite best quote with rate
``k / i**alpha`` (their fitted ``k = 1.92``, ``alpha = 0.52``), market orders
with rate ``mu``, and every resting order is cancelled with rate ``theta``
(part of it, a partial cancel, one time in five). Events are drawn one by one
(Gillespie: exponential waiting time on the total rate, event kind in
proportion to its rate) and sent to :class:`~hftlab.market.matching.MatchingEngine`.

The engine's events are then written the way LOBSTER writes NASDAQ data
(Huang & Polak 2011): submits (type 1), partial cancels (2), deletes (3) and
executions of resting orders (4, one per maker order, direction of the maker),
each with the top-``levels`` orderbook row after it, and only for events that
touch the top ``levels`` price levels. The result is a real message/orderbook
pair that :func:`hftlab.market.lobster.replay_lobster` can rebuild.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hftlab.market.book import ASK, BID
from hftlab.market.lobster import (
    DELETE,
    EMPTY_ASK_PRICE,
    EMPTY_BID_PRICE,
    EXECUTE,
    MESSAGE_COLUMNS,
    PARTIAL_CANCEL,
    SUBMIT,
    orderbook_columns,
)
from hftlab.market.matching import MatchingEngine, OrderEvent, Trade

_K, _ALPHA = 1.92, 0.52  # Cont, Stoikov & Talreja (2010), power-law fit of limit-order arrival rates
_MAX_TICKS = 20


def synthetic_lobster(
    n_messages: int,
    levels: int = 10,
    seed: int = 0,
    start_price: int = 1_000_000,
    tick: int = 100,
    mu: float = 0.94,
    theta: float = 0.6,
    start_time: float = 34_200.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """LOBSTER ``(messages, orderbook)`` frames of ``n_messages`` events of seeded order flow.

    Parameters
    ----------
    n_messages : int
        Number of message rows to produce.
    levels : int
        Depth L of the orderbook rows (and of the events kept).
    seed : int
        Seed of the random order flow (same seed, same files).
    start_price, tick : int
        Initial mid and tick, in LOBSTER price units (dollars x 10,000).
    mu, theta : float
        Market-order rate per side and cancellation rate per resting order, per
        second (CST's estimates: ``mu = 0.94``, ``theta`` between 0.3 and 0.8 by
        level); limit orders arrive with rate ``1.92 / i**0.52`` at ``i`` ticks.
    start_time : float
        Seconds after midnight of the first event (9:30 by default).

    Returns
    -------
    messages, orderbook : pd.DataFrame
        Named as :func:`~hftlab.market.lobster.read_messages` and
        :func:`~hftlab.market.lobster.read_orderbook` return them.
    """
    rng = np.random.default_rng(seed)
    engine = MatchingEngine("SYNTH")
    distances = np.arange(1, _MAX_TICKS + 1)
    limit_rates = _K / distances**_ALPHA
    limit_total = 2 * limit_rates.sum()
    cumulative = np.cumsum(limit_rates)
    resting: list[int] = []  # order ids, for uniform random cancels
    position: dict[int, int] = {}
    for side in (BID, ASK):  # an initial book before the first message, as LOBSTER files start
        for distance in distances:
            for _ in range(3):
                price = start_price - side * int(distance) * tick
                _track(engine.limit(side, price, _size(rng)), resting, position)
    messages: list[tuple] = []
    rows: list[np.ndarray] = []
    time = start_time
    last_mid = start_price

    def emit(events: list, ranks: dict[int, int]) -> None:
        _track(events, resting, position)
        for event in events:
            message = _message(engine, event, ranks, levels, time)
            if message is not None and len(messages) < n_messages:
                messages.append(message)
                rows.append(_orderbook_row(engine, levels))

    while len(messages) < n_messages:
        total = limit_total + 2 * mu + theta * len(resting)
        time += rng.exponential(1 / total)
        draw = rng.uniform(0, total)
        side = BID if rng.uniform() < 0.5 else ASK
        bid, ask = engine.best_bid, engine.best_ask
        if not np.isnan(bid) and not np.isnan(ask):
            last_mid = (bid + ask) / 2
        if draw < limit_total:
            distance = 1 + int(np.searchsorted(cumulative, rng.uniform(0, cumulative[-1])))
            opposite = ask if side == BID else bid
            reference = opposite if not np.isnan(opposite) else round(last_mid / tick) * tick + side * tick
            price = int(reference) - side * distance * tick
            emit(engine.limit(side, price, _size(rng)), {})
        elif draw < limit_total + 2 * mu:
            # One slice per maker order, so each execution row shows the book after that fill.
            remaining = _size(rng)
            while remaining > 0 and engine.depth(-side, 1):
                best = engine.depth(-side, 1)[0][0]
                head = int(engine.queue(-side, best)[0][1])
                emit(engine.market(side, min(remaining, head)), {})
                remaining -= min(remaining, head)
        else:
            order_id = resting[rng.integers(len(resting))]
            order_side, price, size = engine.order(order_id)
            ranks = {order_id: engine.level_rank(order_side, price)}
            if size > 1 and rng.uniform() < 0.2:
                emit(engine.modify(order_id, size=float(rng.integers(1, size))), ranks)
            else:
                emit(engine.cancel(order_id), ranks)
    frame = pd.DataFrame(messages, columns=MESSAGE_COLUMNS)
    frame = frame.astype({"time": np.float64} | {name: np.int64 for name in MESSAGE_COLUMNS[1:]})
    return frame, pd.DataFrame(np.array(rows, dtype=np.int64), columns=orderbook_columns(levels))


def _size(rng: np.random.Generator) -> int:
    """Order size: round lots of 100 shares, geometric number of lots (mean 2), odd lots 1 in 10."""
    return int(rng.integers(1, 100)) if rng.uniform() < 0.1 else 100 * int(rng.geometric(0.5))


def _track(events: list, resting: list[int], position: dict[int, int]) -> None:
    """Keep the list of resting order ids in step with the engine (O(1) removal by swap)."""
    for event in events:
        gone = None
        if isinstance(event, OrderEvent) and event.kind == "rested":
            position[event.order_id] = len(resting)
            resting.append(event.order_id)
        elif isinstance(event, OrderEvent) and event.kind == "cancelled":
            gone = event.order_id
        elif isinstance(event, Trade) and event.maker_remaining == 0:
            gone = event.maker_order_id
        if gone is not None:
            index = position.pop(gone)
            last = resting.pop()
            if last != gone:
                resting[index] = last
                position[last] = index


def _message(engine: MatchingEngine, event, ranks: dict[int, int], levels: int, time: float) -> tuple | None:
    """The LOBSTER message of one engine event, or None if it is not a top-``levels`` book change."""
    if isinstance(event, Trade):  # executions happen at the best price: always inside the top levels
        return (time, EXECUTE, event.maker_order_id, int(event.size), int(event.price), -event.side)
    if event.kind == "rested":
        rank = engine.level_rank(event.side, event.price)
        kind = SUBMIT
    elif event.kind in ("cancelled", "reduced"):
        rank = ranks[event.order_id]
        kind = DELETE if event.kind == "cancelled" else PARTIAL_CANCEL
    else:
        return None
    if rank is None or rank >= levels:
        return None
    return (time, kind, event.order_id, int(event.size), int(event.price), event.side)


def _orderbook_row(engine: MatchingEngine, levels: int) -> np.ndarray:
    row = np.zeros(4 * levels, dtype=np.int64)
    row[0::4], row[2::4] = EMPTY_ASK_PRICE, EMPTY_BID_PRICE
    for offset, side in ((0, ASK), (2, BID)):
        for level, (price, size) in enumerate(engine.depth(side, levels)):
            row[4 * level + offset] = int(price)
            row[4 * level + offset + 1] = int(size)
    return row

"""The compiled core of the tick engine: a replayed book, our orders, latency, queue and fills.

State lives in numpy arrays (a :class:`Engine` tuple) that numba functions update in place, so
one loop (:func:`advance`) serves compiled strategies, which run inside it, and plain Python
ones, which run between its calls.

Two clocks run through one pass over the events (in time order): the **exchange** applies
each event to its book at ``exch_ts`` and our requests when they arrive (``order_latency``
after we send them); **we** see each event at its local time (``local_ts``, or ``exch_ts``
plus ``feed_latency``) in a second book, and learn of acks and fills ``order_latency`` after
the exchange made them. At equal times the exchange goes first, then our requests, then our
view. When every event is seen when it happens (no feed latency), the two books are one.

Fill rules (after hftbacktest's ``docs/order_fill.rst``, partial-fill exchange):

- the replay cannot be moved by our orders: a resting order never changes the recorded book,
  and a taking order never removes recorded levels; it only consumes the liquidity it takes
  (remembered per level until the data next updates that level), so a second taker cannot
  take it again;
- a taking order (a limit order that crosses, IOC, FOK, market) fills at once against the
  exchange book at arrival, level by level up to its limit price, partially if the book is
  thin; what is left rests (limit) or expires (IOC, market); a FOK that cannot fill whole
  expires untouched; a post-only order that would cross is rejected;
- a resting buy fills whole at its price when a sell trade prints below it or the best ask
  moves to or through it; a trade at its price first consumes the queue ahead (``front``,
  :mod:`hftlab.tick.models`), then fills us with what is left of it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from hftlab.jit import kernel
from hftlab.tick.models import queue_on_depth

DEPTH, TRADE, CLEAR, SNAPSHOT, ADD, CANCEL, EXECUTE = 1, 2, 3, 4, 5, 6, 7
ORDER_KINDS = {"limit": 0, "post_only": 1, "ioc": 2, "fok": 3, "market": 4}
LIMIT, POST_ONLY, IOC, FOK, MARKET = range(5)
STATUSES = ("sent", "open", "filled", "cancelled", "rejected", "expired")
SENT, OPEN, FILLED, CANCELLED, REJECTED, EXPIRED = range(6)
NEW_REQUEST, CANCEL_REQUEST, MODIFY_REQUEST = 0, 1, 2
PRICED_KINDS = np.isin(np.arange(256), [DEPTH, TRADE, SNAPSHOT, ADD, CANCEL, EXECUTE])  # by kind: has a price
EMPTY = 1e-9
NEVER = np.iinfo(np.int64).max
ROOM = 64  # advance() pauses when fewer fill rows are free (the caller grows the arrays)

# slots of the integer and float registers of the state (Engine.ints, Engine.floats)
IE, IL, BB, BA, LBB, LBA, RQH, RQT, SH, ST, NO, NF, NS, NEXT_SAMPLE = range(14)
TICK0, NT, LATENCY, FEED, EVERY, QMODEL, OVERFLOW, LAST_TS, NLIVE, SAME_VIEW, ADDS = range(14, 25)
LAST_ARRIVAL, LAST_REPLY = 25, 26  # our requests and the exchange's replies each travel one ordered link
HORIZON, STARVED = 27, 28  # the time from which the next chunk of events may hold something; reached it
NBID, NASK, LNBID, LNASK = range(29, 33)  # non-empty levels of each side: BB, BA, LBB, LBA's + COUNT
COUNT = NBID - BB
LOW, HIGH = 33 - BB, 37 - BB  # + BB, BA, LBB, LBA: the span of levels a side has set since it was cleared
N_INTS = 41
FIFO = 3  # the queue model of L3 data (hftlab.tick.models.QUEUE_MODELS)
POS, CASH, LPOS, LCASH, QPOW, TICK, LOT, MAKER, TAKER, MAKER_VOL, TAKER_VOL, FEES, MAX_INV = range(13)

ORDER_DTYPE = np.dtype(
    [
        ("order_id", np.int64), ("side", np.int8), ("kind", np.int8), ("tick", np.int64),
        ("qty", np.float64), ("leaves", np.float64), ("status", np.int8), ("local_status", np.int8),
        ("cancel_sent", np.bool_), ("front", np.float64), ("traded", np.float64), ("seq", np.int64),
        ("sent_ts", np.int64), ("exch_ts", np.int64), ("first_fill_ts", np.int64), ("done_ts", np.int64),
        ("filled", np.float64), ("notional", np.float64), ("fee", np.float64), ("ack_ts", np.int64),
        ("modified", np.int64),
    ]
)  # fmt: skip
FILL_DTYPE = np.dtype(
    [
        ("exch_ts", np.int64), ("local_ts", np.int64), ("order", np.int64), ("side", np.int8),
        ("price", np.float64), ("qty", np.float64), ("maker", np.bool_), ("fee", np.float64),
    ]
)  # fmt: skip
SAMPLE_DTYPE = np.dtype([("ts", np.int64), ("position", np.float64), ("cash", np.float64), ("mid", np.float64)])
REQUEST_DTYPE = np.dtype(
    [("ts", np.int64), ("order", np.int64), ("kind", np.int8), ("tick", np.int64), ("qty", np.float64)]
)  # arrival ts; a modify's new tick index and quantity
LATENCY_DTYPE = np.dtype([("ts", np.int64), ("entry", np.int64), ("response", np.int64)])  # ns
RESPONSE_DTYPE = np.dtype(
    [
        ("ts", np.int64),
        ("exch_ts", np.int64),
        ("order", np.int64),
        ("fill", np.int64),
        ("status", np.int8),
        ("tick", np.int64),
    ]
)  # received at ts, made at exch_ts; a fill's row (else -1); the order's status and tick index after it


class Engine(NamedTuple):
    """The engine's arrays (every field is updated in place by the numba functions)."""

    events: np.ndarray
    bid: np.ndarray  # exchange book: quantity per tick index
    ask: np.ndarray
    taken_bid: np.ndarray  # liquidity our takers consumed at a level since the data last set it
    taken_ask: np.ndarray
    resting: np.ndarray  # how many of our open orders rest at each tick index
    live: np.ndarray  # indices of our open orders (the first ints[NLIVE])
    local_bid: np.ndarray  # our (delayed) view of the book
    local_ask: np.ndarray
    orders: np.ndarray
    requests: np.ndarray  # ring buffer of (arrival ts, order, kind)
    responses: np.ndarray  # every reply of the exchange (RESPONSE_DTYPE), in the order we receive them
    fills: np.ndarray
    samples: np.ndarray
    order_seq: np.ndarray  # L3 (FIFO): per event, the number of the ADD of the order it cancels or executes
    latencies: np.ndarray  # recorded order latencies (LATENCY_DTYPE), or none: ints[LATENCY] both ways
    ints: np.ndarray
    floats: np.ndarray


@kernel(inline="always")
def _set_level(levels, ints, best_slot, is_bid, j, qty):
    """Set the quantity at tick index ``j`` and keep the best level's index in ``ints[best_slot]``
    (and the side's count of non-empty levels in ``ints[best_slot + COUNT]``: a side emptied
    needs no search, which would cross the whole grid, as top-of-book data does at each move)."""
    ints[best_slot + COUNT] += int(qty > EMPTY) - int(levels[j] > EMPTY)
    levels[j] = qty
    best = ints[best_slot]
    if qty > EMPTY:
        if (is_bid and j > best) or (not is_bid and j < best):
            ints[best_slot] = j
        ints[best_slot + LOW] = min(ints[best_slot + LOW], j)
        ints[best_slot + HIGH] = max(ints[best_slot + HIGH], j)
    elif j == best:
        if ints[best_slot + COUNT] == 0:
            ints[best_slot] = -1 if is_bid else len(levels)
            return
        step = -1 if is_bid else 1
        k = j + step
        while 0 <= k < len(levels) and levels[k] <= EMPTY:
            k += step
        ints[best_slot] = k


@kernel(inline="always")
def clear_sides(side, bid, ask, ints, bid_slot, ask_slot):
    """A CLEAR event on a book (``bid``, ``ask``, best levels in ``ints[bid_slot]``,
    ``ints[ask_slot]``): empties the bids (``side`` >= 0) and the asks (``side`` <= 0), zeroing
    only the span of levels set since the last CLEAR (a snapshot's depth, not the whole grid)."""
    if side >= 0:
        _clear_side(bid, ints, bid_slot, -1)
    if side <= 0:
        _clear_side(ask, ints, ask_slot, len(ask))


def empty_books(ints: np.ndarray, size: int) -> None:
    """Set the registers of the two books (the exchange's, our view) to empty books of ``size``
    levels."""
    for best, none in ((BB, -1), (BA, size), (LBB, -1), (LBA, size)):
        _empty_side(ints, best, none, size)


@kernel(inline="always")
def _clear_side(levels, ints, best_slot, no_best):
    low, high = ints[best_slot + LOW], ints[best_slot + HIGH]
    if low <= high:
        levels[low : high + 1] = 0.0
    _empty_side(ints, best_slot, no_best, len(levels))


@kernel(inline="always")
def _empty_side(ints, best_slot, no_best, size):
    """The registers of an empty side of ``size`` levels: no best level, no level counted, no
    span set."""
    ints[best_slot], ints[best_slot + COUNT] = no_best, 0
    ints[best_slot + LOW], ints[best_slot + HIGH] = size, -1


@kernel(inline="always")
def apply_event(levels, ints, best_slot, kind, side, j, qty):
    """Apply a level event (DEPTH, SNAPSHOT, ADD, CANCEL, EXECUTE) to one side of a book at
    tick index ``j``; returns the level's (previous, new) quantity."""
    previous = levels[j]
    if kind == ADD:
        new = previous + qty
    elif kind in (CANCEL, EXECUTE):
        new = max(previous - qty, 0.0)
    else:
        new = qty
    _set_level(levels, ints, best_slot, side > 0, j, new)
    return previous, new


@kernel()
def _latency(E, ts, which):
    """Order latency (ns) at time ``ts``: ``which`` 0 on the way to the exchange, 1 back; the
    constant, or the recorded series interpolated linearly in time (held at its ends), as
    hftbacktest's ``IntpOrderLatency``."""
    series = E.latencies
    if len(series) == 0:
        return E.ints[LATENCY]
    i = np.searchsorted(series["ts"], ts)
    if i == 0 or i == len(series):
        row = series[0 if i == 0 else i - 1]
        return row["entry"] if which == 0 else row["response"]
    before, after = series[i - 1], series[i]
    w = (ts - before["ts"]) / (after["ts"] - before["ts"])
    a, b = (before["entry"], after["entry"]) if which == 0 else (before["response"], after["response"])
    return np.int64(np.round(a + w * (b - a)))


@kernel()
def _delivered(E, ts, which):
    """When a message sent at ``ts`` arrives (``which`` 0: our request at the exchange, 1: the
    exchange's reply at us). Each way is one ordered link (a connection): nothing overtakes an
    earlier message, whatever the latency series does."""
    slot = LAST_ARRIVAL if which == 0 else LAST_REPLY
    arrival = max(ts + _latency(E, ts, which), E.ints[slot])
    E.ints[slot] = arrival
    return arrival


@kernel()
def _respond(E, o, fill, ts):
    """The exchange replies at ``ts`` about order ``o`` (and its fill row, else -1); returns
    when we receive it."""
    ints, r = E.ints, E.responses
    received = _delivered(E, ts, 1)
    if ints[ST] >= len(r):
        ints[OVERFLOW] = 3
        return received
    reply, order = r[ints[ST]], E.orders[o]
    reply["ts"], reply["exch_ts"], reply["order"], reply["fill"] = received, ts, o, fill
    reply["status"], reply["tick"] = order["status"], order["tick"]
    ints[ST] += 1
    return received


@kernel()
def _fill(E, o, j, qty, maker, ts):
    """Our order ``o`` trades ``qty`` at tick index ``j`` (exchange time ``ts``)."""
    ints, floats, order = E.ints, E.floats, E.orders[o]
    if ints[NF] >= len(E.fills):
        ints[OVERFLOW] = 2
        return
    price = (j + ints[TICK0]) * floats[TICK]
    fee = (floats[MAKER] if maker else floats[TAKER]) * price * qty
    f = E.fills[ints[NF]]
    f["exch_ts"], f["order"], f["side"] = ts, o, order["side"]
    f["price"], f["qty"], f["maker"], f["fee"] = price, qty, maker, fee
    floats[POS] += order["side"] * qty
    floats[CASH] -= order["side"] * qty * price + fee
    floats[FEES] += fee
    floats[MAKER_VOL if maker else TAKER_VOL] += qty
    floats[MAX_INV] = max(floats[MAX_INV], abs(floats[POS]))
    order["leaves"] -= qty
    order["filled"] += qty
    order["notional"] += qty * price
    order["fee"] += fee
    if order["first_fill_ts"] < 0:
        order["first_fill_ts"] = ts
    if order["leaves"] <= EMPTY:
        order["leaves"] = 0.0
        if order["status"] == OPEN:
            _close(E, o)
        order["status"] = FILLED
        order["done_ts"] = ts
    f["local_ts"] = _respond(E, o, ints[NF], ts)
    ints[NF] += 1


@kernel()
def _open(E, o):
    """Order ``o`` rests in the book: count it at its tick and list it as live."""
    ints = E.ints
    if ints[NLIVE] >= len(E.live):
        ints[OVERFLOW] = 1
        return
    E.resting[E.orders[o]["tick"]] += 1
    E.live[ints[NLIVE]] = o
    ints[NLIVE] += 1


@kernel()
def _close(E, o):
    """Order ``o`` leaves the book (filled or cancelled)."""
    ints = E.ints
    E.resting[E.orders[o]["tick"]] -= 1
    for k in range(ints[NLIVE]):
        if E.live[k] == o:
            ints[NLIVE] -= 1
            E.live[k] = E.live[ints[NLIVE]]
            return


@kernel()
def _resting_fills(E, ts, side):
    """Fill our resting orders on ``side`` that the opposite best price just moved to or through."""
    for k in range(E.ints[NLIVE] - 1, -1, -1):  # backwards: a fill may remove live[k]
        o = E.live[k]
        order = E.orders[o]
        if order["status"] != OPEN or order["side"] != side:
            continue
        if (side > 0 and order["tick"] >= E.ints[BA]) or (side < 0 and order["tick"] <= E.ints[BB]):
            _fill(E, o, order["tick"], order["leaves"], True, ts)


@kernel()
def _trade(E, aggressor, j, qty, ts, seq):
    """A trade of ``qty`` at tick index ``j``: fills or advances our resting orders on the other side.

    ``seq`` >= -1 on L3 data: the executed order's ADD number (-1: volume that rested before
    the data or came from beyond its depth). It was ahead of an order of ours that arrived
    after it (FIFO): the queue ahead shrinks; if it was behind, the aggressor met us first.
    """
    lot = E.floats[LOT]
    for k in range(E.ints[NLIVE] - 1, -1, -1):  # backwards: a fill may remove live[k]
        o = E.live[k]
        order = E.orders[o]
        if order["status"] != OPEN or order["side"] != -aggressor:
            continue
        through = order["tick"] > j if order["side"] > 0 else order["tick"] < j
        if through:
            _fill(E, o, order["tick"], order["leaves"], True, ts)
        elif order["tick"] == j and seq > -2:  # FIFO on L3 data
            if seq <= order["seq"]:
                order["front"] = max(order["front"] - qty, 0.0)
            elif order["front"] <= EMPTY:
                _fill(E, o, j, min(qty, order["leaves"]), True, ts)
        elif order["tick"] == j:
            order["front"] -= qty
            order["traded"] += qty
            if order["front"] < 0.0:
                executed = np.floor(-order["front"] / lot + 1e-9) * lot
                order["front"] = 0.0
                if executed > EMPTY:
                    _fill(E, o, j, min(executed, order["leaves"]), True, ts)


@kernel()
def _depth_changed(E, side, j, previous, new):
    model, power = E.ints[QMODEL], E.floats[QPOW]
    for k in range(E.ints[NLIVE] - 1, -1, -1):  # backwards: a fill may remove live[k]
        o = E.live[k]
        order = E.orders[o]
        if order["status"] == OPEN and order["side"] == side and order["tick"] == j:
            order["front"] = queue_on_depth(model, order["front"], order["traded"], previous, new, power)
            order["traded"] = 0.0


@kernel(inline="always")
def _book_event(event, bid, ask, taken_bid, taken_ask, ints, tick):
    """Apply one book event to the exchange book; returns (tick index, previous and new level
    quantity, whether the side's best price improved). Arrays come apart: this runs per event."""
    kind, side = event["kind"], event["side"]
    j = np.int64(np.round(event["price"] / tick)) - ints[TICK0]
    levels, taken, slot = (bid, taken_bid, BB) if side > 0 else (ask, taken_ask, BA)
    best = ints[slot]
    previous, new = apply_event(levels, ints, slot, kind, side, j, event["qty"])
    taken[j] = 0.0
    return j, previous, new, (ints[slot] < best if side < 0 else ints[slot] > best)


@kernel(inline="always")
def _reaches_ours(orders, live, n_live, side, j):
    """Whether one of our live orders on ``side`` is at tick index ``j`` or beyond it (a buy at
    or above, a sell at or below): only then can a trade or a new best price there fill it."""
    for k in range(n_live):
        order = orders[live[k]]
        if order["side"] == side and (order["tick"] >= j if side > 0 else order["tick"] <= j):
            return True
    return False


@kernel()
def _fifo_cancel(E, side, j, qty, seq):
    """L3: a cancel of the venue's order number ``seq`` at our price moves us up if it was ahead."""
    for k in range(E.ints[NLIVE]):
        order = E.orders[E.live[k]]
        if order["side"] == side and order["tick"] == j and seq <= order["seq"]:
            order["front"] = max(order["front"] - qty, 0.0)


@kernel()
def _depth_reached_ours(E, side, j, previous, new, improved, ts, by_order):
    if E.resting[j] > 0 and not by_order:  # orders' adds, cancels and executions move FIFO queues
        _depth_changed(E, side, j, previous, new)
    if improved:
        _resting_fills(E, ts, -side)  # a better price arrived on this side: it meets our quotes


@kernel()
def _take(E, o, limit, ts):
    """Fill order ``o`` against the exchange book up to tick index ``limit``; FOK checks first."""
    ints, order = E.ints, E.orders[o]
    buy = order["side"] > 0
    levels, taken = (E.ask, E.taken_ask) if buy else (E.bid, E.taken_bid)
    step = 1 if buy else -1
    start = ints[BA] if buy else ints[BB]
    if order["kind"] == FOK:
        available, j = 0.0, start
        while 0 <= j < len(levels) and (j <= limit if buy else j >= limit):
            available += max(levels[j] - taken[j], 0.0)
            j += step
        if available + EMPTY < order["leaves"]:
            return
    j = start
    while order["leaves"] > EMPTY and 0 <= j < len(levels) and (j <= limit if buy else j >= limit):
        available = levels[j] - taken[j]
        if available > EMPTY:
            qty = min(available, order["leaves"])
            taken[j] += qty
            _fill(E, o, j, qty, False, ts)
        j += step


@kernel()
def _arrive(E, o, kind, tick, qty, ts):
    """Our request about order ``o`` reaches the exchange at ``ts`` (a modify's new tick index
    and quantity: ``tick``, ``qty``)."""
    ints, order = E.ints, E.orders[o]
    if kind == CANCEL_REQUEST:
        if order["status"] == OPEN:
            order["status"] = CANCELLED
            order["done_ts"] = ts
            _close(E, o)
        _respond(E, o, -1, ts)
        return
    if kind == MODIFY_REQUEST:
        _modify(E, o, tick, qty, ts)
        return
    order["exch_ts"] = ts
    buy = order["side"] > 0
    j = order["tick"]
    crosses = (j >= ints[BA]) if buy else (j <= ints[BB])
    if order["kind"] == MARKET:
        j = len(E.bid) - 1 if buy else 0
        crosses = True
    if j < 0 or j >= len(E.bid) or (order["kind"] == POST_ONLY and crosses):
        order["status"] = REJECTED
    else:
        if crosses:
            _take(E, o, j, ts)
        if order["status"] != FILLED:
            if order["kind"] in (IOC, FOK, MARKET):
                order["status"] = EXPIRED
            else:
                order["status"] = OPEN
                order["front"] = E.bid[j] if buy else E.ask[j]
                order["seq"] = ints[ADDS]  # every order the venue added so far is ahead of us
                _open(E, o)
    if order["status"] != OPEN and order["done_ts"] < 0:
        order["done_ts"] = ts
    _respond(E, o, -1, ts)


@kernel()
def _modify(E, o, j, qty, ts):
    """Our modify of order ``o`` to tick index ``j`` and ``qty`` left reaches the exchange.

    Too late (the order is done) or a post-only order that would cross: refused, the order
    stays as it was. Less quantity at the same price keeps the order's place in the queue;
    a new price or more quantity is a new place at the back of the level (exchanges' amend
    rule), and a new price that crosses takes liquidity first, as a new order would.
    """
    ints, order = E.ints, E.orders[o]
    buy = order["side"] > 0
    crosses = (j >= ints[BA]) if buy else (j <= ints[BB])
    if order["status"] != OPEN or j < 0 or j >= len(E.bid) or (order["kind"] == POST_ONLY and crosses):
        _respond(E, o, -1, ts)
        return
    order["modified"] += 1
    if j == order["tick"] and qty <= order["leaves"] + EMPTY:
        order["qty"] -= order["leaves"] - qty
        order["leaves"] = qty
    else:
        _close(E, o)
        order["status"] = SENT  # out of the book while it is placed again
        order["qty"] = order["filled"] + qty
        order["leaves"] = qty
        order["tick"] = j
        if crosses:
            _take(E, o, j, ts)
        if order["status"] == FILLED:
            return
        order["status"] = OPEN
        order["front"] = E.bid[j] if buy else E.ask[j]
        order["traded"] = 0.0
        order["seq"] = ints[ADDS]
        _open(E, o)
    _respond(E, o, -1, ts)


@kernel(inline="always")
def _local_event(event, local_bid, local_ask, ints, tick):
    kind, side = event["kind"], event["side"]
    if kind == CLEAR:
        clear_sides(side, local_bid, local_ask, ints, LBB, LBA)
    elif kind in (DEPTH, SNAPSHOT, ADD, CANCEL, EXECUTE):
        j = np.int64(np.round(event["price"] / tick)) - ints[TICK0]
        levels, slot = (local_bid, LBB) if side > 0 else (local_ask, LBA)
        apply_event(levels, ints, slot, kind, side, j, event["qty"])


@kernel()
def _receive(E, k):
    """A response reaches us: the order's status and, for a fill, our position and cash."""
    response = E.responses[k]
    order = E.orders[response["order"]]
    order["local_status"] = response["status"]
    if order["ack_ts"] < 0:
        order["ack_ts"] = response["ts"]
    if response["fill"] >= 0:
        fill = E.fills[response["fill"]]
        E.floats[LPOS] += fill["side"] * fill["qty"]
        E.floats[LCASH] -= fill["side"] * fill["qty"] * fill["price"] + fill["fee"]


@kernel()
def _sample(E):
    ints, floats = E.ints, E.floats
    s = E.samples[ints[NS]]
    s["ts"], s["position"], s["cash"] = ints[NEXT_SAMPLE], floats[POS], floats[CASH]
    has_both = ints[BB] >= 0 and ints[BA] < len(E.bid)
    s["mid"] = (ints[BB] + ints[BA] + 2 * ints[TICK0]) * floats[TICK] / 2 if has_both else np.nan
    ints[NS] += 1
    ints[NEXT_SAMPLE] = ints[NEXT_SAMPLE] + ints[EVERY] if ints[NS] < len(E.samples) else NEVER


@kernel()
def survey(kinds, prices, exch_ts, local_ts):
    """The engine's set-up in one pass over (a chunk of) the events: the lowest and highest
    price of a priced row (inf, -inf if none), whether any row adds an order (L3 data),
    whether every row reached us when it happened (``local_ts == exch_ts``), and the most
    nanoseconds a row was received before the exchange stamped it (0 if none was)."""
    low, high = np.inf, -np.inf
    by_order, at_once, early = False, True, 0
    for k in range(len(kinds)):
        kind = kinds[k]
        if PRICED_KINDS[kind]:
            low, high = min(low, prices[k]), max(high, prices[k])
        by_order |= kind == ADD
        at_once &= local_ts[k] == exch_ts[k]
        early = max(early, exch_ts[k] - local_ts[k])
    return low, high, by_order, at_once, early


@kernel(inline="always")
def has_room(E):
    """Whether the order, fill and reply arrays can take another strategy step."""
    return E.ints[NO] + 4 < len(E.orders) and logs_have_room(E)


@kernel(inline="always")
def logs_have_room(E):
    return E.ints[NF] + ROOM < len(E.fills) and E.ints[ST] + ROOM < len(E.responses)


def grown(E) -> Engine:
    """The same engine with twice the room for orders, fills and replies."""
    return E._replace(**{name: _doubled(getattr(E, name)) for name in ("orders", "fills", "responses")})


def _doubled(array: np.ndarray) -> np.ndarray:
    bigger = np.zeros(2 * len(array), array.dtype)
    bigger[: len(array)] = array
    return bigger


@kernel()
def advance(E, until):
    """Process everything that happens up to time ``until`` (ns), pausing early when the fill
    array is nearly full or at ``ints[HORIZON]`` (then ``ints[STARVED]``: the next chunk of
    events is needed first); True while anything remains to process, here or in a next chunk."""
    events, ints, tick, feed = E.events, E.ints, E.floats[TICK], E.ints[FEED]
    bid, ask, taken_bid, taken_ask = E.bid, E.ask, E.taken_bid, E.taken_ask
    orders, live, resting = E.orders, E.live, E.resting
    local_bid, local_ask, requests, responses = E.local_bid, E.local_ask, E.requests, E.responses
    n, same_view, fifo, order_seq = len(events), ints[SAME_VIEW] == 1, ints[QMODEL] == FIFO, E.order_seq
    ints[STARVED] = 0
    while ints[OVERFLOW] == 0 and logs_have_room(E):
        ie, il = ints[IE], ints[IL]
        t_exchange = events[ie]["exch_ts"] if ie < n else NEVER
        t_local = NEVER
        if il < n and not same_view:
            t_local = events[il]["local_ts"] if feed < 0 else events[il]["exch_ts"] + feed
        t_request = requests[ints[RQH] % len(requests)]["ts"] if ints[RQH] < ints[RQT] else NEVER
        t_response = responses[ints[SH]]["ts"] if ints[SH] < ints[ST] else NEVER
        t = min(t_exchange, t_request, t_local, t_response)
        if t >= ints[HORIZON] and ints[HORIZON] <= until and ints[HORIZON] < NEVER:
            ints[STARVED] = 1  # the next chunk of events may hold something first
            break
        if t == NEVER or t > until:
            break
        if ints[NEXT_SAMPLE] < t:  # the state after everything at the sample time
            _sample(E)
        elif t == t_exchange:
            event = events[ie]
            kind, side = event["kind"], event["side"]
            if kind == CLEAR:
                clear_sides(side, bid, ask, ints, BB, BA)
            elif kind in (DEPTH, TRADE, SNAPSHOT, ADD, CANCEL, EXECUTE):
                n_live = ints[NLIVE]
                by_order = fifo and kind in (ADD, CANCEL, EXECUTE)
                seq = -2  # L2: no order ids
                if by_order:
                    if kind == ADD:
                        ints[ADDS] += 1
                    else:
                        seq = order_seq[ie]
                if n_live > 0 and kind in (TRADE, EXECUTE):
                    j = np.int64(np.round(event["price"] / tick)) - ints[TICK0]
                    aggressor = -side if kind == EXECUTE else side
                    if aggressor == 0:  # unknown aggressor: infer it from the book
                        aggressor = 1 if j >= ints[BA] else (-1 if j <= ints[BB] else 0)
                    if aggressor != 0 and _reaches_ours(orders, live, n_live, -aggressor, j):
                        _trade(E, aggressor, j, event["qty"], t, seq)
                if kind != TRADE:
                    j, previous, new, improved = _book_event(event, bid, ask, taken_bid, taken_ask, ints, tick)
                    if kind == CANCEL and by_order and resting[j] > 0:
                        _fifo_cancel(E, side, j, event["qty"], seq)
                    n_live = ints[NLIVE]
                    best = ints[BA] if side < 0 else ints[BB]
                    if n_live > 0 and (
                        resting[j] > 0 or (improved and _reaches_ours(orders, live, n_live, -side, best))
                    ):
                        _depth_reached_ours(E, side, j, previous, new, improved, t, by_order)
            ints[IE] = ie + 1
            if same_view:  # we see the book as the exchange has it
                ints[LBB], ints[LBA], ints[LNBID], ints[LNASK] = ints[BB], ints[BA], ints[NBID], ints[NASK]
        elif t == t_request:
            request = requests[ints[RQH] % len(requests)]
            ints[RQH] += 1
            _arrive(E, request["order"], request["kind"], request["tick"], request["qty"], t)
        elif t == t_local:
            _local_event(events[il], local_bid, local_ask, ints, tick)
            ints[IL] = il + 1
        else:
            _receive(E, ints[SH])
            ints[SH] += 1
        ints[LAST_TS] = t
    local_left = ints[IL] < n and not same_view
    more_events = ints[IE] < n or local_left or ints[HORIZON] < NEVER  # in this chunk or the next
    return more_events or ints[RQH] < ints[RQT] or ints[SH] < ints[ST]


ACT, PAUSE, DONE = 0, 1, 2  # what wake() tells a strategy loop


@kernel(inline="always")
def wake(E, ts):
    """Replay up to a strategy's wake-up at ``ts``: ACT when it is reached (the strategy acts,
    then sets its next wake-up), PAUSE when the loop must return to be called again (for the
    next chunk of events, or more room for orders, fills and replies), DONE when the events are
    over. The one wake-up step of every strategy loop (grid, market makers, numba and Python
    strategies)."""
    if not has_room(E):
        return PAUSE
    if not advance(E, ts):
        return DONE
    if E.ints[STARVED] or not logs_have_room(E):
        return PAUSE
    return ACT


@kernel()
def finish(E):
    """After the last event: one more equity sample at the time of the last thing processed."""
    ints = E.ints
    if ints[NS] < len(E.samples) and (ints[NS] == 0 or E.samples[ints[NS] - 1]["ts"] < ints[LAST_TS]):
        ints[NEXT_SAMPLE] = ints[LAST_TS]
        _sample(E)


@kernel()
def submit(E, ts, side, price, qty, kind):
    """Send a new order at local time ``ts``; returns its index (-1 when the order book of the
    engine is full). It reaches the exchange ``order_latency`` later."""
    ints, floats = E.ints, E.floats
    o = ints[NO]
    if o >= len(E.orders) or ints[RQT] - ints[RQH] >= len(E.requests):
        ints[OVERFLOW] = 1
        return -1
    order = E.orders[o]
    order["order_id"], order["side"], order["kind"] = o + 1, side, kind
    order["tick"] = np.int64(np.round(price / floats[TICK])) - ints[TICK0]
    order["qty"] = order["leaves"] = np.round(qty / floats[LOT]) * floats[LOT]
    order["status"] = order["local_status"] = SENT
    order["sent_ts"] = ts
    order["exch_ts"] = order["first_fill_ts"] = order["done_ts"] = order["ack_ts"] = -1
    _request(E, o, NEW_REQUEST, ts, 0, 0.0)
    ints[NO] += 1
    return o


@kernel()
def cancel(E, ts, o):
    """Ask to cancel order ``o`` at local time ``ts`` (once; ignored if we know it is done)."""
    order = E.orders[o]
    if order["cancel_sent"] or order["local_status"] not in (SENT, OPEN):
        return
    order["cancel_sent"] = True
    _request(E, o, CANCEL_REQUEST, ts, 0, 0.0)


@kernel()
def modify(E, ts, o, price, qty):
    """Ask at local time ``ts`` to move order ``o`` to ``price`` with ``qty`` left to fill
    (ignored if we know it is done or cancelling); the rules at arrival: :func:`_modify`."""
    order = E.orders[o]
    if order["cancel_sent"] or order["local_status"] not in (SENT, OPEN):
        return
    qty = np.round(qty / E.floats[LOT]) * E.floats[LOT]
    if qty <= EMPTY:  # nothing left to fill: a cancel
        cancel(E, ts, o)
        return
    j = np.int64(np.round(price / E.floats[TICK])) - E.ints[TICK0]
    _request(E, o, MODIFY_REQUEST, ts, j, qty)


@kernel()
def _request(E, o, kind, ts, tick, qty):
    ints, r = E.ints, E.requests
    if ints[RQT] - ints[RQH] >= len(r):
        ints[OVERFLOW] = 1
        return
    k = ints[RQT] % len(r)
    r[k]["ts"], r[k]["order"], r[k]["kind"] = _delivered(E, ts, 0), o, kind
    r[k]["tick"], r[k]["qty"] = tick, qty
    ints[RQT] += 1

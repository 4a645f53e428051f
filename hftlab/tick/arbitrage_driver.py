"""The compiled loop of the arbitrage backtest: several tick engines on one clock, a taker on top.

Each book is one :class:`~hftlab.tick.engine.Engine` (its exchange book, our delayed view of
it, our orders' latency and fees); the fill rules are the engine's, as for a single book. The
driver steps them together through the times at which anything is seen or happens on any book
(hftbacktest's multi-asset backtests: one clock, several books): at each time every engine is
advanced to it, then

1. the **market's opportunities** are tracked on the exchange books: a cycle (a chain of legs,
   each a buy at the best ask or a sell at the best bid of one book, from a currency back to
   it) is open while its gross return (the product of the legs' rates at the top of book,
   minus 1) is above 0; a row per opening records its start, its gross and net return
   (after each leg's taker fee, charged on traded value as the engine does) and its capacity
   (the most of the start currency the top levels let through every leg), and its end when
   the gross return falls back to 0 or below; our orders never move the recorded books, so
   the table is the market's, whatever we do;
2. the **taker** looks at our view of the books (what each engine's feed latency lets us
   see, minus what our own fills took from a level since the data last set it) when none of
   its orders is awaiting its final reply, picks the cycle with the best net return above
   ``min_return`` and sends every leg at once as an IOC order at the price it sees, sized by
   the capacity, ``max_notional`` (start currency) and ``max_position`` (per book, base
   units); each leg reaches its exchange after that book's order latency and may miss;
3. once every leg of an attempt has its final reply, an attempt that **missed** (a leg not
   filled whole) is settled by ``on_miss``: ``"hold"`` keeps what filled; ``"complete"`` sends
   each leg's unfilled quantity again as a market order (the cycle completed at the prices
   then); ``"unwind"`` sends each filled quantity back as a market order on its book (the
   inventory undone). The taker sends nothing new until those replies are in.
"""

from __future__ import annotations

import numpy as np

from hftlab.jit import kernel
from hftlab.tick import engine as k

OPPORTUNITY_DTYPE = np.dtype(
    [
        ("start", np.int64), ("end", np.int64), ("cycle", np.int64), ("gross", np.float64),
        ("net", np.float64), ("best_net", np.float64), ("capacity", np.float64), ("size", np.float64),
    ]
)  # fmt: skip
ATTEMPT_DTYPE = np.dtype(
    [
        ("sent_ts", np.int64), ("cycle", np.int64), ("gross", np.float64), ("net", np.float64),
        ("amount", np.float64), ("orders", np.int64, 3), ("fixes", np.int64, 3), ("settled", np.bool_),
    ]
)  # fmt: skip
N_OPP, N_ATT = 0, 1  # slots of the counts
MIN_RETURN, MAX_NOTIONAL, MAX_POSITION, ON_MISS = 0, 1, 2, 3  # slots of the settings
ON_MISS_CODES = {"hold": 0, "complete": 1, "unwind": 2}


@kernel(inline="always")
def _pick(b, E0, E1, E2):
    if b == 0:
        return E0
    if b == 1:
        return E1
    return E2


@kernel()
def _top(E, buy, ours):
    """Price and quantity of the best ask (``buy``) or bid, on the exchange's book or ``ours``
    (our view, less what our fills took there since the data last set the level)."""
    floats, ints = E.floats, E.ints
    if buy:
        j = ints[k.LBA] if ours else ints[k.BA]
        if j >= len(E.ask):
            return np.nan, 0.0
        qty = E.local_ask[j] - E.taken_ask[j] if ours else E.ask[j]
    else:
        j = ints[k.LBB] if ours else ints[k.BB]
        if j < 0:
            return np.nan, 0.0
        qty = E.local_bid[j] - E.taken_bid[j] if ours else E.bid[j]
    return (j + ints[k.TICK0]) * floats[k.TICK], max(qty, 0.0)


@kernel()
def evaluate(E0, E1, E2, legs, sides, n_legs, c, ours, prices):
    """Cycle ``c`` at the top of the books: gross and net return, capacity (start currency);
    each leg's price in ``prices``. NaN returns and capacity 0 when a leg has no quote."""
    gross, net, capacity = 1.0, 1.0, np.inf
    for leg in range(n_legs):
        E = _pick(legs[c, leg], E0, E1, E2)
        buy = sides[c, leg] > 0
        price, qty = _top(E, buy, ours)
        if not qty > k.EMPTY:
            return np.nan, np.nan, 0.0
        prices[leg] = price
        fee = E.floats[k.TAKER]
        if buy:  # quote in, base out: qty costs qty * price (and the fee on top)
            capacity = min(capacity, qty * price / gross)
            gross /= price
            net /= price * (1.0 + fee)
        else:
            capacity = min(capacity, qty / gross)
            gross *= price
            net *= price * (1.0 - fee)
    return gross - 1.0, net - 1.0, capacity


@kernel()
def _first_size(sides, c, capacity, price):
    """The first leg's quantity (its book's base units) when ``capacity`` enters the cycle."""
    return capacity / price if sides[c, 0] > 0 else capacity


@kernel()
def _track(E0, E1, E2, t, legs, sides, n_legs, n_cycles, open_rows, opps, counts, prices):
    """Open, follow and close the market's opportunities at time ``t`` (see the module docstring)."""
    for c in range(n_cycles):
        gross, net, capacity = evaluate(E0, E1, E2, legs, sides, n_legs, c, False, prices)
        row = open_rows[c]
        if gross > 0.0:
            if row < 0:
                row = counts[N_OPP]
                counts[N_OPP] += 1
                open_rows[c] = row
                o = opps[row]
                o["start"], o["end"], o["cycle"] = t, -1, c
                o["gross"], o["net"], o["best_net"], o["capacity"] = gross, net, net, capacity
                o["size"] = _first_size(sides, c, capacity, prices[0])
            else:
                opps[row]["best_net"] = max(opps[row]["best_net"], net)
        elif row >= 0:
            opps[row]["end"] = t
            open_rows[c] = -1


@kernel()
def _in_flight(E0, E1, E2, legs, n_legs, attempts, counts):
    """Whether an order of the last attempt (a leg, or what settled it) still awaits its final reply."""
    if counts[N_ATT] == 0:
        return False
    a = attempts[counts[N_ATT] - 1]
    for leg in range(n_legs):
        E = _pick(legs[a["cycle"], leg], E0, E1, E2)
        if E.orders[a["orders"][leg]]["local_status"] == k.SENT:
            return True
        if a["fixes"][leg] >= 0 and E.orders[a["fixes"][leg]]["local_status"] == k.SENT:
            return True
    return False


@kernel()
def _settle(E0, E1, E2, t, legs, sides, n_legs, settings, attempts, counts):
    """At local time ``t``, settle the last attempt by ``on_miss`` once all its legs have replied
    (see the module docstring): market orders for what each leg missed, or for what it filled."""
    if counts[N_ATT] == 0 or _in_flight(E0, E1, E2, legs, n_legs, attempts, counts):
        return
    a = attempts[counts[N_ATT] - 1]
    if a["settled"]:
        return
    a["settled"] = True
    missed = False
    for leg in range(n_legs):
        missed |= _pick(legs[a["cycle"], leg], E0, E1, E2).orders[a["orders"][leg]]["leaves"] > k.EMPTY
    if settings[ON_MISS] == 0 or not missed:
        return
    for leg in range(n_legs):
        E = _pick(legs[a["cycle"], leg], E0, E1, E2)
        order = E.orders[a["orders"][leg]]
        side, qty = sides[a["cycle"], leg], order["leaves"]
        if settings[ON_MISS] == 2:
            side, qty = -side, order["filled"]
        if qty > k.EMPTY:
            a["fixes"][leg] = k.submit(E, t, side, 0.0, qty, k.MARKET)


@kernel()
def _take(E0, E1, E2, t, legs, sides, n_legs, n_cycles, settings, attempts, counts, prices, qtys):
    """The taker at local time ``t``: one attempt at the best cycle we see, if any is worth it."""
    if _in_flight(E0, E1, E2, legs, n_legs, attempts, counts):
        return
    best, best_net, best_gross, amount = -1, settings[MIN_RETURN], 0.0, 0.0
    for c in range(n_cycles):
        gross, net, capacity = evaluate(E0, E1, E2, legs, sides, n_legs, c, True, prices)
        if net > best_net and capacity > 0.0:
            best, best_net, best_gross, amount = c, net, gross, min(capacity, settings[MAX_NOTIONAL])
    if best < 0:
        return
    evaluate(E0, E1, E2, legs, sides, n_legs, best, True, prices)
    scale = 1.0  # the position limits of the books
    rate = 1.0
    for leg in range(n_legs):
        E = _pick(legs[best, leg], E0, E1, E2)
        side = sides[best, leg]
        qty = amount * rate / prices[leg] if side > 0 else amount * rate
        rate = rate / prices[leg] if side > 0 else rate * prices[leg]
        room = settings[MAX_POSITION] - side * E.floats[k.LPOS]
        if room <= k.EMPTY:
            return
        scale = min(scale, room / qty)
    rate = 1.0
    for leg in range(n_legs):
        E = _pick(legs[best, leg], E0, E1, E2)
        side = sides[best, leg]
        qty = amount * scale * rate / prices[leg] if side > 0 else amount * scale * rate
        rate = rate / prices[leg] if side > 0 else rate * prices[leg]
        lot = E.floats[k.LOT]
        qtys[leg] = np.floor(qty / lot + 1e-9) * lot
        if qtys[leg] <= k.EMPTY:
            return
    a = attempts[counts[N_ATT]]
    a["sent_ts"], a["cycle"], a["gross"], a["net"], a["amount"] = t, best, best_gross, best_net, amount * scale
    a["orders"][:] = -1
    a["fixes"][:] = -1
    a["settled"] = False
    for leg in range(n_legs):
        E = _pick(legs[best, leg], E0, E1, E2)
        a["orders"][leg] = k.submit(E, t, sides[best, leg], prices[leg], qtys[leg], k.IOC)
    counts[N_ATT] += 1


@kernel()
def drive(
    E0, E1, E2, n_books, times, start, end, legs, sides, n_legs, settings, open_rows, opps, attempts, counts,
    scratch,
):  # fmt: skip
    """Step the books through ``times[start:end]``; returns the index reached: ``end`` when
    done, earlier when an engine or a table needs more room (grow it, then call again).
    ``scratch``: six floats of working space (a kernel cannot allocate)."""
    n_cycles = legs.shape[0]
    prices, qtys = scratch[:3], scratch[3:]
    for i in range(start, end):
        if counts[N_OPP] + n_cycles >= len(opps) or counts[N_ATT] + 1 >= len(attempts):
            return i
        for b in range(n_books):
            E = _pick(b, E0, E1, E2)
            if not k.has_room(E):
                return i
        t = times[i]
        for b in range(n_books):
            k.advance(_pick(b, E0, E1, E2), t)
        _track(E0, E1, E2, t, legs, sides, n_legs, n_cycles, open_rows, opps, counts, prices)
        _settle(E0, E1, E2, t, legs, sides, n_legs, settings, attempts, counts)
        _take(E0, E1, E2, t, legs, sides, n_legs, n_cycles, settings, attempts, counts, prices, qtys)
    return end

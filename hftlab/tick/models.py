"""The swappable models of the tick engine: queue position, fees, latency.

Each is small and numba-compatible, after hftbacktest's ``models/{queue,fee,latency}.rs``
(https://github.com/nkaz001/hftbacktest), written anew here.

Queue position on L3 data (``"fifo"``, the default there): exact, from order ids. An order of
ours joins its level behind every order the venue added before it and behind anonymous volume
(what rested before the data began or entered from beyond its depth); a cancel or execution of
an order ahead of us moves us up by its size, and the execution of an order *behind* us, once
nothing is ahead, means the aggressor met us first: it fills us.

Queue position on L2 data (our place in a price level's queue is estimated)
    ``front`` is the quantity ahead of our resting order. It starts as the level's whole
    quantity when the order arrives (we join the back of the queue). A trade at our price
    advances it by the traded quantity; once it would go below zero, the excess fills us.
    When the level shrinks without a trade (cancellations), the models differ:

    - ``"risk_averse"``: only trades advance us; a shrinking level never moves us forward
      except that nothing can be ahead of us beyond what the level holds
      (``front = min(front, new level)``). The default, because it never credits us with a
      cancellation that may have happened behind us, so fills are a lower bound.
    - ``"prob_power"`` / ``"prob_log"``: a decrease of ``d`` (trades at the level since the
      last change already counted) happened ahead of us with probability ``1 - p`` where
      ``p = f(back) / (f(back) + f(front))``, ``f(x) = x**n`` (``n = 3`` by default,
      ``queue_power``) or ``f(x) = log(1 + x)``; hftbacktest's ``ProbQueueModel`` with
      ``PowerProbQueueFunc``/``LogProbQueueFunc`` (after Rigtorp 2013, "Estimating order
      queue position"), except that the estimate never goes below zero (hftbacktest's can, and
      its next trade then fills us with more than was traded).

Fees
    A fill pays ``fee_rate * price * qty``, with the maker rate for resting orders and the
    taker rate for orders that take liquidity; a negative maker rate is a rebate.

Latency
    ``order_latency``: seconds from sending a request (new order, cancel) to its arrival at
    the exchange, and again from the exchange to our receipt of its response (ack, fill).
    ``feed_latency``: market data is seen at its recorded receive time (``local_ts``) by
    default, or ``feed_latency`` seconds after its exchange time.
"""

from __future__ import annotations

import math

import numba

QUEUE_MODELS = {"risk_averse": 0, "prob_power": 1, "prob_log": 2, "fifo": 3}


@numba.njit(cache=True)
def queue_probability(model: int, front: float, back: float, power: float) -> float:
    """Probability that a decrease of the level happened behind us (0 for risk-averse)."""
    if model == 0:
        return 0.0
    if model == 1:
        f_front, f_back = front**power, back**power
    else:
        f_front, f_back = math.log1p(front), math.log1p(back)
    total = f_front + f_back
    return 1.0 if total <= 0.0 else f_back / total


@numba.njit(cache=True)
def queue_on_depth(model: int, front: float, traded: float, previous: float, new: float, power: float) -> float:
    """The quantity ahead of us after the level changed from ``previous`` to ``new``.

    ``traded`` is what trades at the level took since its last change (already subtracted
    from ``front`` by :func:`queue_on_trade`), so it is not counted twice.
    """
    change = previous - new - traded
    if change <= 0.0 or model in (0, 3):
        return min(front, new)
    back = previous - front
    p = queue_probability(model, max(front, 0.0), max(back, 0.0), power)
    estimate = front - (1.0 - p) * change + min(back - p * change, 0.0)
    return min(max(estimate, 0.0), new)  # nothing ahead, at most: a trade never fills more than it traded

"""Market makers on the tick engine, compiled: Avellaneda-Stoikov and Guéant-Lehalle-Fernandez-Tapia.

Both quote one bid and one ask of ``order_qty`` around the mid they see, every ``interval``,
from a closed form in the mid ``s``, the inventory ``q``, the volatility ``sigma`` and the
order-arrival intensity ``lambda(delta) = A exp(-k delta)`` (a quote ``delta`` from the mid is
hit at that rate; :func:`hftlab.fit_intensity` estimates ``A`` and ``k``). Units: prices in the
instrument's currency, time in seconds (``A`` per second, ``k`` per unit of price, ``sigma``
price per square root of a second). The inventory ``q`` counts orders (position /
``order_qty``): the papers' unit trade, as hftbacktest's GLFT example normalises it;
``gamma`` is the risk aversion per unit of that.

- ``"avellaneda_stoikov"`` (Avellaneda & Stoikov 2008, section 3, finite horizon ``T``):
  reservation price ``r = s - q gamma sigma^2 (T - t)``, total spread
  ``gamma sigma^2 (T - t) + (2 / gamma) ln(1 + gamma / k)``, quotes ``r -/+ spread / 2``.
  ``T`` is ``horizon`` seconds after the first wake-up (default: the end of the events);
  after it, ``T - t = 0``. ``A`` does not enter this closed form (only ``k`` does).
- ``"glft"`` (Guéant, Lehalle & Fernandez-Tapia 2013, the infinite-horizon asymptotic closed
  form; Guéant 2017, eq. for the exponential intensity with ``xi = gamma`` and unit trades):
  ``c1 = (1 / gamma) ln(1 + gamma / k)``,
  ``c2 = sqrt(gamma / (2 A k) (1 + gamma / k)^(k / gamma + 1))``; the bid
  ``c1 + (2q + 1) / 2 sigma c2`` below the mid and the ask ``c1 - (2q - 1) / 2 sigma c2``
  above it (a half spread ``c1 + sigma c2 / 2``, skewed by ``sigma c2`` per order held).

Position limits (both): no bid while the position is ``max_position`` or more, no ask at
``-max_position`` or less (GLFT's inventory bound). Quotes are rounded away from the mid onto
the tick (bid down, ask up) and never cross the best price on the other side we see.
``sigma`` is fixed by the caller, or estimated at each wake-up as the standard deviation
(ddof 0, as ``np.std``) of the last ``sigma_window`` changes of the mid between wake-ups,
scaled to one second (``/ sqrt(interval)``); no quotes before the window is full. A wake-up
that sees one side of the book empty neither quotes anew nor records a change.

References
----------
Avellaneda & Stoikov (2008), "High-frequency trading in a limit order book", Quantitative
Finance 8(3). Guéant, Lehalle & Fernandez-Tapia (2013), "Dealing with the inventory risk: a
solution to the market making problem", Mathematics and Financial Economics 7(4). Guéant
(2017), "Optimal market making", Applied Mathematical Finance 24(2). hftbacktest's tutorial
"GLFT market making model and grid trading" (the same closed form, normalised inventory).
"""

from __future__ import annotations

import math

import numpy as np

from hftlab import validation as v
from hftlab.errors import InvalidInput
from hftlab.jit import kernel
from hftlab.tick import engine as k
from hftlab.tick.strategies import between_steps, requote

MARKET_MAKERS = {"avellaneda_stoikov": 0, "glft": 1}
AS, GLFT = 0, 1
COMMON = ("A", "k", "gamma", "order_qty", "max_position", "sigma", "sigma_window", "post_only", "interval")
PARAMS = {"avellaneda_stoikov": (*COMMON, "horizon"), "glft": COMMON}
# slots of a market maker's state (int64): next wake-up, bid and ask order, the last mid (in
# half ticks, -1: none yet), and the rolling window of mid changes: filled, next slot, sum, sum of squares
TS, BID, ASK, LAST_MID, FILLED, HEAD, SUM, SUM2 = range(8)


@kernel()
def quote_prices(model, mid, q, sigma, tau, gamma, A, k_):
    """The closed-form (bid, ask) of ``model`` (``AS`` or ``GLFT``) at mid ``mid``, inventory
    ``q`` (orders), volatility ``sigma`` and, for AS, ``tau = T - t`` seconds left; before
    rounding to the tick (the module docstring gives the formulas)."""
    if model == AS:
        reservation = mid - q * gamma * sigma * sigma * tau
        half = (gamma * sigma * sigma * tau + 2.0 / gamma * np.log1p(gamma / k_)) / 2.0
        return reservation - half, reservation + half
    c1 = np.log1p(gamma / k_) / gamma
    c2 = np.sqrt(gamma / (2.0 * A * k_) * (1.0 + gamma / k_) ** (k_ / gamma + 1.0))
    return mid - (c1 + (2.0 * q + 1.0) / 2.0 * sigma * c2), mid + (c1 - (2.0 * q - 1.0) / 2.0 * sigma * c2)


@kernel()
def _rolling_sigma(S, window, change, seconds):
    """Record one change of the mid (half ticks); the standard deviation of the last
    ``len(window)`` per square root of a second, in half ticks (NaN until the window is full)."""
    n = len(window)
    if S[FILLED] == n:
        old = window[S[HEAD]]
        S[SUM] -= old
        S[SUM2] -= old * old
    else:
        S[FILLED] += 1
    window[S[HEAD]] = change
    S[SUM] += change
    S[SUM2] += change * change
    S[HEAD] = (S[HEAD] + 1) % n
    if S[FILLED] < n:
        return np.nan
    mean = S[SUM] / n
    return np.sqrt(max(S[SUM2] / n - mean * mean, 0.0) / seconds)


@kernel()
def run_market_maker(E, S, window, interval, model, gamma, A, k_, qty, max_position, sigma, end, kind):
    """The market maker ``model`` every ``interval`` ns, as :func:`~hftlab.tick.strategies.run_grid`
    runs the grid (``S``: its state, slots ``TS``...; ``window``: the mid changes of the rolling
    volatility; ``sigma`` NaN to estimate it; ``end``: AS's horizon ``T`` in ns). True when the
    events are done, False to be called again (next chunk, or more room)."""
    tick, tick0, n_levels = E.floats[k.TICK], E.ints[k.TICK0], len(E.local_bid)
    seconds = interval / 1e9
    while E.ints[k.OVERFLOW] == 0:
        woken = k.wake(E, S[TS])
        if woken == k.PAUSE:
            return False
        if woken == k.DONE:
            break
        best_bid, best_ask = E.ints[k.LBB], E.ints[k.LBA]
        if best_bid >= 0 and best_ask < n_levels:
            mid2 = best_bid + best_ask + 2 * tick0  # the mid in half ticks
            estimate = np.nan
            if S[LAST_MID] >= 0:
                estimate = _rolling_sigma(S, window, mid2 - S[LAST_MID], seconds) * tick / 2.0
            S[LAST_MID] = mid2
            vol = sigma if not np.isnan(sigma) else estimate
            if not np.isnan(vol):
                position = E.floats[k.LPOS]
                tau = max(end - S[TS], 0) / 1e9
                bid, ask = quote_prices(model, mid2 * tick / 2.0, position / qty, vol, tau, gamma, A, k_)
                bid_tick = min(np.int64(np.floor(bid / tick + 1e-9)) - tick0, best_ask - 1)
                ask_tick = max(np.int64(np.ceil(ask / tick - 1e-9)) - tick0, best_bid + 1)
                want_bid = position < max_position and bid_tick >= 0
                want_ask = position > -max_position and ask_tick < n_levels
                S[BID] = requote(E, S[TS], S[BID], 1, bid_tick, want_bid, qty, kind)
                S[ASK] = requote(E, S[TS], S[ASK], -1, ask_tick, want_ask, qty, kind)
        S[TS] += interval
    return True


def market_maker_settings(strategy: str, params: dict, span: float) -> tuple:
    """Validated parameters of ``strategy`` as :func:`run_market_maker` takes them after its
    interval (``span``: seconds from the first wake-up to the last event, AS's default horizon),
    and the length of the volatility window."""
    unknown = sorted(set(params) - set(PARAMS[strategy]))
    if unknown:
        raise v.fail("params", f"keys among {list(PARAMS[strategy])} for strategy {strategy!r}", unknown)
    for name in ("k", "A") if strategy == "glft" else ("k",):
        if name not in params:
            raise InvalidInput(
                f"'params.{name}' is required for strategy {strategy!r}: the intensity A exp(-k delta), "
                "from hftlab.fit_intensity or your own."
            )
    k_ = v.check_float("params.k", params["k"], low=1e-12, high=1e12)
    A = v.check_float("params.A", params.get("A", 1.0), low=1e-12, high=1e12)
    gamma = v.check_float("params.gamma", params.get("gamma", 0.1), low=1e-9, high=1e9)
    qty = v.check_float("params.order_qty", params.get("order_qty", 1.0), low=0, low_open=True)
    limit = params.get("max_position")
    max_position = math.inf if limit is None else v.check_float("params.max_position", limit, low=0)
    sigma = params.get("sigma")
    sigma = math.nan if sigma is None else v.check_float("params.sigma", sigma, low=0, high=1e12)
    window = v.check_float("params.sigma_window", params.get("sigma_window", 100), low=2, high=10_000_000)
    if window != round(window):
        raise v.fail("params.sigma_window", "a whole number of wake-ups (>= 2)", window)
    horizon = v.check_float("params.horizon", params.get("horizon", max(span, 1e-9)), low=1e-9, high=1e9)
    kind = k.POST_ONLY if params.get("post_only", False) else k.LIMIT
    settings = (MARKET_MAKERS[strategy], gamma, A, k_, qty, max_position, sigma, horizon, kind)
    return settings, int(window)


def run_compiled_market_maker(E, feed, start: int, interval: int, settings: tuple, window: int, progress):
    """Drive :func:`run_market_maker` chunk by chunk, growing the arrays when they fill up;
    returns the (possibly grown) engine."""
    model, gamma, A, k_, qty, max_position, sigma, horizon, kind = settings
    state = np.array([start, -1, -1, -1, 0, 0, 0, 0], np.int64)
    changes = np.zeros(window, np.int64)
    end = start + round(horizon * 1e9)
    step = (interval, model, gamma, A, k_, qty, max_position, sigma, end, kind)
    while not run_market_maker(E, state, changes, *step) and E.ints[k.OVERFLOW] == 0:
        E = between_steps(E, feed, progress)
    return E

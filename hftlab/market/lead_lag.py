"""Books that follow one another late: planted cross-venue and triangular arbitrage, as events.

A fair price jumps at Poisson times (``jump_rate`` per second), up or down by a geometric
number of units (1, 2, ...; mean ``mean_jump``; a unit is a tick, or 2 bp in a triangle);
every book quotes one level each side, its fair price as the best bid and ``spread`` ticks
above it as the best ask, each with a random size, and a **lagging** book updates ``lag``
seconds after the price it follows moved. Between a jump and the lagging book's update the
books disagree: a cross-venue (or triangular) opportunity opens when the jump exceeds the
spreads, and closes when the laggard catches up, unless another jump comes first. This is
the lead-lag of Hasbrouck (1995, price discovery across markets) reduced to a deterministic
delay, so the opportunities are known.

Events are L2 (``DEPTH`` rows, :data:`~hftlab.market.events.EVENT_DTYPE`), ``local_ts`` equal
to ``exch_ts``, starting at ``START`` (2024-01-02 14:30 UTC).
"""

from __future__ import annotations

import numpy as np

from hftlab import validation as v
from hftlab.market.events import EVENT_DTYPE

START = 1_704_205_800_000_000_000
SECOND = 1_000_000_000


def _jumps(
    rng: np.random.Generator, seconds: float, rate: float, mean_jump: float
) -> tuple[np.ndarray, np.ndarray]:
    """Times (ns after START) and signed sizes (ticks) of the fair price's jumps."""
    n = rng.poisson(rate * seconds)
    times = np.sort(rng.uniform(0, seconds, n) * SECOND).astype(np.int64)
    return times, rng.geometric(1 / mean_jump, n) * rng.choice([-1, 1], n)


def _quotes(
    rng: np.random.Generator, times: np.ndarray, prices: np.ndarray, tick: float, spread: int, size: float
) -> np.ndarray:
    """A book bidding ``prices[i]`` (in ticks) and asking ``spread`` ticks above from ``times[i]``:
    DEPTH rows that set the new best levels and empty the old ones, one update per time."""
    rows = []
    bid = ask = None
    for t, centre in zip(times, prices, strict=True):
        new_bid, new_ask = centre, centre + spread
        qty_bid, qty_ask = np.round(rng.uniform(0.5, 1.5, 2) * size, 6)
        update = [(1, new_bid, qty_bid), (-1, new_ask, qty_ask)]
        if bid is not None and bid != new_bid:
            update.append((1, bid, 0.0))
        if ask is not None and ask != new_ask:
            update.append((-1, ask, 0.0))
        bid, ask = new_bid, new_ask
        for side, level, qty in sorted(update, key=lambda row: row[2] == 0):  # the new levels first
            rows.append((START + t, START + t, 1, side, round(level * tick, 10), qty, 0, 0))
    return np.array(rows, dtype=EVENT_DTYPE)


def _check(seconds, lag, jump_rate, mean_jump) -> None:
    v.check_float("seconds", seconds, low=0, high=86_400, low_open=True)
    v.check_float("lag", lag, low=0, high=seconds)
    v.check_float("jump_rate", jump_rate, low=0, high=1_000, low_open=True)
    v.check_float("mean_jump", mean_jump, low=1, high=100)


def lead_lag_venues(
    seconds: float = 60.0,
    lag: float = 0.05,
    *,
    price: float = 100.0,
    tick: float = 0.01,
    spread: int = 1,
    jump_rate: float = 1.0,
    mean_jump: float = 2.0,
    size: float = 1.0,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """One instrument on two venues, ``"lead:X/USD"`` and ``"lag:X/USD"``: the second quotes the
    first's fair price ``lag`` seconds late (both ``spread`` ticks wide; ``size`` on average at
    each best level)."""
    _check(seconds, lag, jump_rate, mean_jump)
    rng = np.random.default_rng(seed)
    times, jumps = _jumps(rng, seconds, jump_rate, mean_jump)
    fair = round(price / tick) + np.concatenate([[0], np.cumsum(jumps)])
    times = np.concatenate([[0], times])
    late = np.concatenate([[0], times[1:] + round(lag * SECOND)])
    return {
        "lead:X/USD": _quotes(rng, times, fair, tick, spread, size),
        "lag:X/USD": _quotes(rng, late, fair, tick, spread, size),
    }


def lagged_triangle(
    seconds: float = 60.0,
    lag: float = 0.05,
    *,
    jump_rate: float = 1.0,
    mean_jump: float = 2.0,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Books ``"BTC/USDT"`` (tick 0.1, from 30,000), ``"ETH/USDT"`` (tick 0.01, from 2,000) and
    ``"ETH/BTC"`` (tick 1e-6), one tick a side: BTC and ETH jump independently in units of 2 bp,
    and ETH/BTC quotes the ratio of their fair prices ``lag`` seconds late."""
    _check(seconds, lag, jump_rate, mean_jump)
    rng = np.random.default_rng(seed)
    paths = {}
    for name, start, tick in (("BTC/USDT", 30_000.0, 0.1), ("ETH/USDT", 2_000.0, 0.01)):
        times, jumps = _jumps(rng, seconds, jump_rate, mean_jump)
        unit = max(1, round(start * 2e-4 / tick))  # a jump of one unit moves the price 2 bp
        fair = round(start / tick) + np.concatenate([[0], np.cumsum(jumps * unit)])
        paths[name] = (np.concatenate([[0], times]), fair, tick)
    books = {
        name: _quotes(rng, times, fair, tick, 1, 2.0 if name == "BTC/USDT" else 20.0)
        for name, (times, fair, tick) in paths.items()
    }
    changes = np.unique(np.concatenate([paths[name][0] for name in paths]))
    btc = paths["BTC/USDT"][1][np.searchsorted(paths["BTC/USDT"][0], changes, side="right") - 1] * 0.1
    eth = paths["ETH/USDT"][1][np.searchsorted(paths["ETH/USDT"][0], changes, side="right") - 1] * 0.01
    ratio = np.round(eth / btc / 1e-6).astype(np.int64)
    late = np.concatenate([[0], changes[1:] + round(lag * SECOND)])
    books["ETH/BTC"] = _quotes(rng, late, ratio, 1e-6, 1, 20.0)
    return books

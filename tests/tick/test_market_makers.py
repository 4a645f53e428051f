"""Avellaneda-Stoikov and GLFT on the tick engine: their quotes against the papers' closed forms."""

import math

import numpy as np
import pytest

from hftlab import tick_backtest
from hftlab.errors import InvalidInput
from hftlab.market.events import EVENT_DTYPE, EventKind
from hftlab.tick.market_makers import AS, GLFT, quote_prices

MS = 1_000_000
T0 = 1_700_000_000_000_000_000
TICK = 0.01


def as_closed_form(mid, q, sigma, tau, gamma, k):
    """Avellaneda & Stoikov (2008), eqs. (29)-(30): r = s - q gamma sigma^2 (T - t) and the spread
    gamma sigma^2 (T - t) + (2 / gamma) ln(1 + gamma / k), centred on r."""
    r = mid - q * gamma * sigma**2 * tau
    spread = gamma * sigma**2 * tau + (2 / gamma) * math.log(1 + gamma / k)
    return r - spread / 2, r + spread / 2


def glft_closed_form(mid, q, sigma, gamma, A, k):
    """Guéant, Lehalle & Fernandez-Tapia (2013), the asymptotic optimal depths for A exp(-k delta):
    delta_b = (1/gamma) ln(1 + gamma/k) + (2q + 1)/2 sqrt(sigma^2 gamma / (2 k A) (1 + gamma/k)^(1 + k/gamma)),
    delta_a the same with -(2q - 1)/2."""
    base = (1 / gamma) * math.log(1 + gamma / k)
    scale = math.sqrt(sigma**2 * gamma / (2 * k * A) * (1 + gamma / k) ** (1 + k / gamma))
    return mid - (base + (2 * q + 1) / 2 * scale), mid + (base - (2 * q - 1) / 2 * scale)


@pytest.mark.parametrize(
    ("mid", "q", "sigma", "tau", "gamma", "k"),
    [(100.0, 0.0, 2.0, 1.0, 0.1, 1.5), (100.0, 3.0, 2.0, 0.25, 0.1, 1.5), (585.3, -2.0, 0.05, 30.0, 2.0, 40.0)],
)
def test_avellaneda_stoikov_quotes_are_the_papers(mid, q, sigma, tau, gamma, k):
    bid, ask = quote_prices(AS, mid, q, sigma, tau, gamma, 99.0, k)  # A plays no part
    assert (bid, ask) == pytest.approx(as_closed_form(mid, q, sigma, tau, gamma, k), rel=1e-14)


def test_avellaneda_stoikov_by_hand():
    # r = 100 - 2 * 0.1 * 4 * 0.5 = 99.6; spread = 0.2 + 20 ln(1 + 1/15) = 1.490770...
    bid, ask = quote_prices(AS, 100.0, 2.0, 2.0, 0.5, 0.1, 140.0, 1.5)
    assert bid == pytest.approx(99.6 - 0.745385, abs=1e-6) and ask == pytest.approx(99.6 + 0.745385, abs=1e-6)


@pytest.mark.parametrize(
    ("mid", "q", "sigma", "gamma", "A", "k"),
    [
        (100.0, 0.0, 2.0, 0.1, 140.0, 1.5),
        (100.0, 4.0, 0.3, 0.05, 2.0, 20.0),
        (585.3, -3.0, 0.05, 1.0, 0.8, 60.0),
    ],
)
def test_glft_quotes_are_the_papers(mid, q, sigma, gamma, A, k):
    bid, ask = quote_prices(GLFT, mid, q, sigma, 0.0, gamma, A, k)
    assert (bid, ask) == pytest.approx(glft_closed_form(mid, q, sigma, gamma, A, k), rel=1e-14)
    skew = (bid + ask) / 2 - mid  # one more order held moves both quotes down by sigma c2
    up = quote_prices(GLFT, mid, q + 1, sigma, 0.0, gamma, A, k)
    assert (up[0] + up[1]) / 2 - mid < skew and ask - bid == pytest.approx(up[1] - up[0], rel=1e-12)


def random_book(seconds: float = 4.0, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """L2 events around a random-walk mid (one level a side, a one- or two-tick spread, 1 ms
    apart) with trades up to four ticks through the touch; and the best bid and ask (ticks) after
    each event's time."""
    rng = np.random.default_rng(seed)
    rows, best = [], []
    bid, ask = 10_000, 10_001
    rows += [(0, EventKind.SNAPSHOT, 1, bid, 50.0), (0, EventKind.SNAPSHOT, -1, ask, 50.0)]
    best.append((0, bid, ask))
    for ms in range(1, round(seconds * 1000)):
        u = rng.random()
        if u < 0.3:  # the book moves: new levels, then the old ones go
            step = int(rng.choice([-1, 1]))
            new_bid, new_ask = bid + step, bid + step + int(rng.choice([1, 2]))
            for side, old, new in ((1, bid, new_bid), (-1, ask, new_ask)):
                if new != old:
                    rows += [(ms, EventKind.DEPTH, side, new, 50.0), (ms, EventKind.DEPTH, side, old, 0.0)]
            rows.sort(key=lambda row: (row[0], row[4] == 0.0))  # (stays crossed-free: adds before removals)
            bid, ask = new_bid, new_ask
            best.append((ms, bid, ask))
        elif u < 0.4:  # a market order prints through the touch
            side = int(rng.choice([-1, 1]))
            price = (ask if side > 0 else bid) + side * int(rng.integers(0, 5))
            rows.append((ms, EventKind.TRADE, side, price, 1.0))
    events = np.zeros(len(rows), EVENT_DTYPE)
    for row, (ms, kind, side, price, qty) in zip(events, rows, strict=True):
        row["exch_ts"] = row["local_ts"] = T0 + ms * MS
        row["kind"], row["side"], row["price"], row["qty"] = kind, side, round(price * TICK, 2), qty
    times, bids, asks = (np.array(column) for column in zip(*best, strict=True))
    return events, T0 + times * MS, bids, asks


def expected_orders(result, times, bids, asks, model, params, interval_ms, start, end):
    """Each order the backtest sent, as the closed form would have placed it at that wake-up
    (the book then, the position received by then, the volatility of the mids at the wake-ups)."""
    wakeups = start + np.arange(0, end - start, interval_ms * MS)
    at = np.searchsorted(times, wakeups, side="right") - 1
    mids2 = bids[at] + asks[at]  # half ticks
    window = int(params.get("sigma_window", 100))
    fills = result.fills
    rows = []
    for order in result.orders.itertuples():
        i = int(np.searchsorted(wakeups, order.sent_ts))
        assert wakeups[i] == order.sent_ts
        if "sigma" in params:
            sigma = params["sigma"]
        else:
            assert i >= window  # no quote before the window is full
            sigma = np.std(np.diff(mids2[: i + 1])[-window:]) * TICK / 2 / math.sqrt(interval_ms / 1000)
        position = float((fills["side"] * fills["qty"])[fills["local_ts"] <= order.sent_ts].sum())
        q, mid = position / params["order_qty"], mids2[i] * TICK / 2
        if model == "glft":
            bid, ask = glft_closed_form(mid, q, sigma, params["gamma"], params["A"], params["k"])
        else:
            tau = max(start + round(params["horizon"] * 1e9) - order.sent_ts, 0) / 1e9
            bid, ask = as_closed_form(mid, q, sigma, tau, params["gamma"], params["k"])
        if order.side > 0:
            tick = min(math.floor(bid / TICK + 1e-9), asks[at[i]] - 1)
            assert position < params["max_position"]
        else:
            tick = max(math.ceil(ask / TICK - 1e-9), bids[at[i]] + 1)
            assert position > -params["max_position"]
        rows.append(round(tick * TICK, 2))
    return rows


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("glft", {"A": 40.0, "k": 300.0, "gamma": 0.5, "sigma": 0.02}),
        ("glft", {"A": 40.0, "k": 300.0, "gamma": 0.5, "sigma_window": 20}),
        ("avellaneda_stoikov", {"k": 300.0, "gamma": 5.0, "sigma_window": 30, "horizon": 3.0}),
    ],
)
def test_each_quote_sent_is_the_closed_form_at_that_state(model, params):
    events, times, bids, asks = random_book()
    params = {**params, "order_qty": 2.0, "max_position": 6.0, "interval": "5ms"}
    result = tick_backtest(events, model, params, tick_size=TICK, lot_size=1)
    start, end = int(events["local_ts"][0]), int(events["local_ts"][-1]) + 1
    expected = expected_orders(result, times, bids, asks, model, {**params}, 5, start, end)
    assert result.orders["price"].round(2).tolist() == expected
    assert len(result.orders) > 100 and len(result.fills) > 20
    held = (result.fills["side"] * result.fills["qty"]).cumsum()
    assert held.abs().max() >= 4 and held.abs().max() <= 6 + 2  # the skew was exercised, the limit held


def test_the_rolling_volatility_waits_for_its_window():
    events, *_ = random_book(seconds=1.0)
    params = {"A": 40.0, "k": 300.0, "gamma": 0.5, "sigma_window": 50, "interval": "10ms"}
    result = tick_backtest(events, "glft", params, tick_size=TICK, lot_size=1)
    assert result.orders["sent_ts"].min() == int(events["local_ts"][0]) + 50 * 10 * MS


@pytest.mark.parametrize(
    ("strategy", "params", "message"),
    [
        ("glft", {"k": 10.0}, r"'params\.A' is required for strategy 'glft'"),
        ("avellaneda_stoikov", {"A": 1.0}, r"'params\.k' is required for strategy 'avellaneda_stoikov'"),
        ("glft", {"A": 1.0, "k": 1.0, "horizon": 5.0}, r"'params' must be keys among"),
        ("glft", {"A": 1.0, "k": 1.0, "sigma_window": 2.5}, r"'params\.sigma_window' must be a whole number"),
        ("avellaneda_stoikov", {"k": 1.0, "gamma": 0.0}, r"'params\.gamma' must be"),
        ("glft", {"A": -1.0, "k": 1.0}, r"'params\.A' must be"),
    ],
)
def test_bad_parameters_are_named(strategy, params, message):
    events, *_ = random_book(seconds=0.1)
    with pytest.raises(InvalidInput, match=message):
        tick_backtest(events, strategy, params, tick_size=TICK)

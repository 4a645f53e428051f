"""Avellaneda-Stoikov market making, simulated against the matching engine.

Avellaneda & Stoikov (2008), "High-frequency trading in a limit order book",
Quantitative Finance 8(3), 217-224. A dealer with exponential utility (risk
aversion ``gamma``) quotes around a mid ``s`` that moves as Brownian motion of
volatility ``sigma``; market orders reach a quote at distance ``delta`` from the
mid at the Poisson rate ``lambda(delta) = A exp(-k delta)``. With inventory ``q``
and ``tau = T - t`` left, their approximate solution (section 3, expansion to
second order in ``q``) is

* reservation (indifference) price ``r = s - q gamma sigma^2 tau``;
* total optimal spread
  ``delta_a + delta_b = gamma sigma^2 tau + (2 / gamma) ln(1 + gamma / k)``;

and the quotes are ``r -/+ spread / 2``. As ``gamma -> 0`` the reservation
price is the mid and the spread tends to ``2 / k`` (the risk-neutral quotes).
The paper's benchmark, the *symmetric* strategy, centres the same spread on
the mid instead of on ``r``.

:func:`market_making` reproduces the paper's numerical experiment (section 4):
the mid moves by ``+/- sigma sqrt(dt)`` with probability 1/2 per step; each
step the quotes are posted as post-only limit orders in a
:class:`~hftlab.market.matching.MatchingEngine` (snapped outwards to the tick
grid), and market orders from the rest of the market arrive on each side with
probability ``lambda(delta) dt`` (as in the paper; certain when it exceeds 1)
and trade against the resting quotes. Inventory limits stop
quoting the side that would breach them. The profit is cash plus inventory
marked at the mid.

This is the paper's toy experiment. The same quotes (and GLFT's) on replayed order books, with
latency, queue position and fees: strategies ``"avellaneda_stoikov"`` and ``"glft"`` of
:func:`hftlab.tick_backtest` (:mod:`hftlab.tick.market_makers`), calibrated by
:func:`hftlab.fit_intensity`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hftlab import cancel
from hftlab.market.book import ASK, BID
from hftlab.market.matching import MatchingEngine, Trade
from hftlab.results import Result

STRATEGIES = ("inventory", "symmetric")


def reservation_price(mid, inventory, gamma: float, sigma: float, time_left):
    """Avellaneda-Stoikov reservation price ``s - q gamma sigma^2 (T - t)``."""
    return mid - inventory * gamma * sigma**2 * time_left


def optimal_spread(gamma: float, sigma: float, k: float, time_left):
    """Avellaneda-Stoikov total spread ``gamma sigma^2 (T - t) + (2/gamma) ln(1 + gamma/k)``.

    At ``gamma = 0`` this is the limit ``2 / k``.
    """
    liquidity = 2.0 / k if gamma == 0 else 2.0 / gamma * math.log1p(gamma / k)
    return gamma * sigma**2 * time_left + liquidity


def arrival_intensity(delta, A: float, k: float):
    """Rate ``A exp(-k delta)`` at which market orders reach a quote ``delta`` away from the mid."""
    return A * np.exp(-k * np.asarray(delta, dtype=float)) if np.ndim(delta) else A * math.exp(-k * delta)


@dataclass(frozen=True)
class MarketMakingResult(Result):
    """One simulated path of an Avellaneda-Stoikov market maker.

    Attributes
    ----------
    quotes : pd.DataFrame
        Per step (index ``time``): ``mid``, ``reservation_price``, ``bid``, ``ask`` as
        posted (NaN for a side not quoted because of the inventory limit).
    inventory, cash, pnl : pd.Series
        After each step, from ``time = 0``: position, cash, and ``pnl = cash + inventory * mid``.
    fills : pd.DataFrame
        One row per fill: ``time``, ``side`` (+1 our bid was hit, we bought; -1 our ask was
        lifted, we sold), ``price``, ``size``, ``mid`` (when the quote was set) and ``edge``
        (the distance from that mid in our favour).
    final_pnl, final_inventory : float
        At the horizon (inventory marked at the mid, as in the paper).
    n_fills, n_bid_fills, n_ask_fills : int
        Number of fills, in total and per side.
    fill_rate : float
        Fills per posted quote (one quote per side per step).
    average_spread_captured : float
        Mean ``edge`` over fills (the half-spread earned per fill); NaN without fills.
    average_quoted_spread : float
        Mean ``ask - bid`` over the steps quoting both sides.
    max_abs_inventory : float
        Largest absolute position held.
    """

    quotes: pd.DataFrame
    inventory: pd.Series
    cash: pd.Series
    pnl: pd.Series
    fills: pd.DataFrame
    final_pnl: float
    final_inventory: float
    n_fills: int
    n_bid_fills: int
    n_ask_fills: int
    fill_rate: float
    average_spread_captured: float
    average_quoted_spread: float
    max_abs_inventory: float

    def plot(self):
        """Quotes around the mid, inventory and PnL over time."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        fig = make_subplots(
            rows=3,
            cols=1,
            shared_xaxes=True,
            vertical_spacing=0.04,
            row_heights=[0.5, 0.25, 0.25],
            subplot_titles=("Quotes vs mid", "Inventory", "PnL (marked to mid)"),
        )
        q = self.quotes
        for column, colour in (
            ("ask", "firebrick"),
            ("bid", "seagreen"),
            ("reservation_price", "darkorange"),
            ("mid", "black"),
        ):
            fig.add_trace(
                go.Scatter(
                    x=q.index, y=q[column], name=column, line={"color": colour, "width": 1}, line_shape="hv"
                ),
                row=1,
                col=1,
            )
        for side, name, symbol in ((1, "bought", "triangle-up"), (-1, "sold", "triangle-down")):
            f = self.fills[self.fills["side"] == side]
            fig.add_trace(
                go.Scatter(
                    x=f["time"], y=f["price"], mode="markers", name=name, marker={"symbol": symbol, "size": 7}
                ),
                row=1,
                col=1,
            )
        fig.add_trace(
            go.Scatter(x=self.inventory.index, y=self.inventory, name="inventory", line_shape="hv"),
            row=2,
            col=1,
        )
        fig.add_trace(go.Scatter(x=self.pnl.index, y=self.pnl, name="pnl"), row=3, col=1)
        fig.update_layout(height=750, title="Avellaneda-Stoikov market making")
        return fig


def _mid_path(s0: float, sigma: float, dt: float, n_steps: int, rng: np.random.Generator) -> np.ndarray:
    """``s_{n+1} = s_n +/- sigma sqrt(dt)`` with probability 1/2 (the paper's section 4)."""
    moves = np.where(rng.random(n_steps) < 0.5, -1.0, 1.0) * sigma * math.sqrt(dt)
    return s0 + np.concatenate([[0.0], np.cumsum(moves)])


class _Quoter:
    """Our resting bid and ask in the engine: post, move or withdraw each step."""

    def __init__(self, engine: MatchingEngine, size: float) -> None:
        self.engine, self.size = engine, size
        self.order_id = {BID: None, ASK: None}

    def quote(self, side: int, ticks: int | None, tick: float, time: float) -> None:
        order_id = self.order_id[side]
        resting = None if order_id is None else self.engine.order(order_id)
        if ticks is None:
            if resting is not None:
                self.engine.cancel(order_id, timestamp=time)
            self.order_id[side] = None
            return
        price = ticks * tick
        if resting is None:
            events = self.engine.limit(side, price, self.size, post_only=True, timestamp=time)
            self.order_id[side] = events[0].order_id
        elif resting[1] != price or resting[2] != self.size:
            self.engine.modify(order_id, price=price, size=self.size, timestamp=time)

    def hit(self, side: int, time: float) -> list[Trade]:
        """A market order from the crowd takes our quote on ``side``; our fills."""
        order_id = self.order_id[side]
        if order_id is None or self.engine.order(order_id) is None:
            return []
        events = self.engine.market(-side, self.size, timestamp=time)
        return [e for e in events if isinstance(e, Trade) and e.maker_order_id == order_id]


def market_making(
    gamma: float = 0.1,
    k: float = 1.5,
    A: float = 140.0,
    sigma: float = 2.0,
    s0: float = 100.0,
    horizon: float = 1.0,
    dt: float = 0.005,
    order_size: float = 1.0,
    max_inventory: float | None = None,
    tick_size: float = 0.01,
    strategy: str = "inventory",
    seed: int = 0,
) -> MarketMakingResult:
    """Simulate one Avellaneda-Stoikov market maker (see the module docstring).

    Defaults are the paper's experiment (``gamma = 0.1, k = 1.5, A = 140, sigma = 2,
    s0 = 100, T = 1, dt = 0.005``). Inputs must already be validated (see
    ``hftlab.types.MarketMakingRequest``). Deterministic for a given ``seed``.
    """
    n_steps = round(horizon / dt)
    rng = np.random.default_rng(seed)
    mids = _mid_path(s0, sigma, dt, n_steps, rng)
    arrivals = rng.random((n_steps, 2))  # uniforms deciding a hit on the bid, on the ask
    times = np.arange(n_steps + 1) * dt
    limit = math.inf if max_inventory is None else max_inventory

    engine = MatchingEngine("AS", tick_size=tick_size)
    quoter = _Quoter(engine, order_size)
    time_left = horizon - times[:-1]
    halves = (optimal_spread(gamma, sigma, k, time_left) / 2).tolist()
    inventory, cash = np.zeros(n_steps + 1), np.zeros(n_steps + 1)
    reservation, bids, asks = np.empty(n_steps), np.full(n_steps, np.nan), np.full(n_steps, np.nan)
    fills: list[tuple[float, int, float, float, float]] = []
    posted = 0
    q, c = 0.0, 0.0
    for n, (s, tau, t, (u_bid, u_ask)) in enumerate(
        zip(mids[:-1].tolist(), time_left.tolist(), times.tolist(), arrivals.tolist(), strict=False)
    ):
        if n % 1024 == 0:
            cancel.check()
        reservation[n] = r = reservation_price(s, q, gamma, sigma, tau)
        centre = r if strategy == "inventory" else s
        bid_ticks = math.floor((centre - halves[n]) / tick_size + 1e-9)
        ask_ticks = math.ceil((centre + halves[n]) / tick_size - 1e-9)
        if q + order_size > limit + 1e-12 or bid_ticks <= 0:
            bid_ticks = None
        if q - order_size < -limit - 1e-12:
            ask_ticks = None
        quoter.quote(BID, bid_ticks, tick_size, t)
        quoter.quote(ASK, ask_ticks, tick_size, t)
        for side, ticks, u, posted_prices in ((BID, bid_ticks, u_bid, bids), (ASK, ask_ticks, u_ask, asks)):
            if ticks is None:
                continue
            posted += 1
            posted_prices[n] = price = ticks * tick_size
            if u < arrival_intensity((s - price) * side, A, k) * dt:
                for trade in quoter.hit(side, t):
                    q += side * trade.size
                    c -= side * trade.size * trade.price
                    fills.append((t, side, trade.price, trade.size, s))
        inventory[n + 1], cash[n + 1] = q, c

    index = pd.Index(times, name="time")
    pnl = cash + inventory * mids
    fill_frame = pd.DataFrame(fills, columns=["time", "side", "price", "size", "mid"]).astype(
        {"time": float, "side": np.int64, "price": float, "size": float, "mid": float}
    )
    fill_frame["edge"] = (fill_frame["mid"] - fill_frame["price"]) * fill_frame["side"]
    both = ~(np.isnan(bids) | np.isnan(asks))
    return MarketMakingResult(
        quotes=pd.DataFrame(
            {"mid": mids[:-1], "reservation_price": reservation, "bid": bids, "ask": asks}, index=index[:-1]
        ),
        inventory=pd.Series(inventory, index=index, name="inventory"),
        cash=pd.Series(cash, index=index, name="cash"),
        pnl=pd.Series(pnl, index=index, name="pnl"),
        fills=fill_frame,
        final_pnl=float(pnl[-1]),
        final_inventory=float(inventory[-1]),
        n_fills=len(fill_frame),
        n_bid_fills=int((fill_frame["side"] == BID).sum()),
        n_ask_fills=int((fill_frame["side"] == ASK).sum()),
        fill_rate=len(fill_frame) / posted if posted else math.nan,
        average_spread_captured=float(fill_frame["edge"].mean()) if len(fill_frame) else math.nan,
        average_quoted_spread=float((asks - bids)[both].mean()) if both.any() else math.nan,
        max_abs_inventory=float(np.abs(inventory).max()),
    )

"""The result of an arbitrage backtest: the market's opportunities, our attempts, each book's account."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hftlab.results import Result
from hftlab.tick import engine as k


@dataclass(frozen=True)
class ArbitrageResult(Result):
    """What an arbitrage strategy found and captured on several books (:func:`hftlab.arbitrage_backtest`).

    Values are in ``currency`` (where every cycle starts and ends): a book's cash is in its
    quote currency and its position in its base; each currency is valued at the mean last mid
    of the books that trade it against ``currency`` (both venues of a cross-venue pair).

    Attributes
    ----------
    strategy, currency : str
        The strategy and its start currency.
    opportunities : DataFrame
        The market's: one row per time a cycle's gross return turned positive on the exchange
        books: ``start``, ``end`` (ns; the end of the data if still open), ``duration`` (s),
        ``direction`` (its legs), ``gross_return`` and ``net_return`` (after taker fees) and
        ``capacity`` (start currency the top levels let through every leg) and ``size`` (the
        first leg's quantity at that capacity) at the start, ``best_net_return`` over its life,
        ``attempts`` we sent during it and the PnL they ``captured``.
    attempts : DataFrame
        Ours: ``sent_ts``, ``direction``, ``opportunity`` (row of ``opportunities`` it was sent
        in, -1 if none: a stale view), the ``gross_return``/``net_return`` we saw, ``amount``
        (start currency), ``legs_filled`` (legs filled whole), ``completed`` (all of them),
        ``fixes`` (market orders that settled a miss, by ``on_miss``) and ``pnl`` (the cash flows
        and positions of its legs and fixes, valued at the end).
    venues : DataFrame
        Per book (index ``book``): ``venue``, ``base``, ``quote``, ``taker_fee``,
        ``order_latency`` (s), ``events``, ``orders``, ``fills``, ``volume`` (base),
        ``fees`` (quote), ``position`` (base), ``cash`` (quote), ``mid`` (last) and ``pnl``
        (cash and position valued in the start currency).
    fills : DataFrame
        Every fill: ``book``, ``exch_ts``, ``local_ts``, ``order_id``, ``side``, ``price``, ``qty``, ``fee``.
    equity : DataFrame
        Sampled (index ``ts``): each book's value (cash and position at the prices then, start
        currency) and their sum ``equity``.
    stats : dict
        ``opportunities``, ``opportunity_seconds``, ``attempts``, ``completed``, ``missed``
        (attempts with a leg not filled whole), ``pnl``, ``fees`` (start currency), ``events``.
    """

    strategy: str
    currency: str
    opportunities: pd.DataFrame
    attempts: pd.DataFrame
    venues: pd.DataFrame
    fills: pd.DataFrame
    equity: pd.DataFrame
    stats: dict[str, float] = field(default_factory=dict)

    def plot(self):
        """The opportunities (net return from start to end; ours marked) and the equity."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06, row_heights=[0.6, 0.4])
        for direction, rows in self.opportunities.groupby("direction", sort=False):
            x = np.column_stack([rows["start"], rows["end"], np.full(len(rows), np.nan)]).ravel()
            y = np.repeat(rows["net_return"].to_numpy(), 3)
            fig.add_trace(
                go.Scatter(x=pd.to_datetime(x), y=y, mode="lines+markers", name=direction), row=1, col=1
            )
        done = self.attempts
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(done["sent_ts"]), y=done["net_return"], mode="markers", name="our attempts",
                marker={"symbol": np.where(done["completed"], "star", "x"), "size": 9, "color": "#222"},
            ),
            row=1, col=1,
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(x=pd.to_datetime(self.equity.index), y=self.equity["equity"], name="equity"),
            row=2,
            col=1,
        )
        fig.update_yaxes(title_text="net return", row=1, col=1)
        fig.update_yaxes(title_text=f"equity ({self.currency})", row=2, col=1)
        fig.update_layout(
            height=550, title=f"{self.strategy}: PnL {self.stats.get('pnl', np.nan):.4g} {self.currency}"
        )
        return fig


def _prices(books, currency: str, mids: dict[str, Any]) -> dict[str, Any]:
    """Each currency's value in ``currency``: 1, or the mean mid of the books between the two
    (numbers, or Series of sampled mids)."""
    quotes: dict[str, list] = {}
    for book in books:
        if book.quote == currency:
            quotes.setdefault(book.base, []).append(mids[book.name])
        elif book.base == currency:
            quotes.setdefault(book.quote, []).append(1.0 / mids[book.name])
    return {currency: 1.0, **{c: sum(values) / len(values) for c, values in quotes.items()}}


def _mid(E) -> float:
    ints = E.ints
    if ints[k.BB] < 0 or ints[k.BA] >= len(E.bid):
        return np.nan
    return float((ints[k.BB] + ints[k.BA] + 2 * ints[k.TICK0]) * E.floats[k.TICK] / 2)


def _direction(books, plan, c: int, n_legs: int) -> str:
    return ", ".join(
        f"{'buy' if plan.sides[c, leg] > 0 else 'sell'} {books[plan.legs[c, leg]].name}"
        for leg in range(n_legs)
    )


def build_result(strategy, books, plan, engines, opps, attempts, fees, latencies, events) -> ArbitrageResult:
    """Tables and statistics from the finished engines and the driver's records."""
    n_legs = 2 if strategy == "cross_venue" else 3
    mids = {book.name: _mid(E) for book, E in zip(books, engines, strict=True)}
    prices = _prices(books, plan.currency, mids)
    directions = np.array([_direction(books, plan, c, n_legs) for c in range(len(plan.legs))])
    attempt_table = _attempts(books, plan, engines, attempts, n_legs, mids, prices, directions)
    opportunity = np.full(len(attempts), -1, np.int64)
    for c in range(len(plan.legs)):  # the opportunity of the same cycle open when the attempt was sent
        rows = np.flatnonzero(opps["cycle"] == c)
        mine = np.flatnonzero(attempts["cycle"] == c)
        if len(rows) == 0:
            continue
        at = np.searchsorted(opps["start"][rows], attempts["sent_ts"][mine], side="right") - 1
        inside = (at >= 0) & (attempts["sent_ts"][mine] <= opps["end"][rows[np.maximum(at, 0)]])
        opportunity[mine[inside]] = rows[at[inside]]
    attempt_table.insert(2, "opportunity", opportunity)
    counted = np.bincount(opportunity[opportunity >= 0], minlength=len(opps))
    captured = np.bincount(
        opportunity[opportunity >= 0],
        weights=attempt_table["pnl"].to_numpy()[opportunity >= 0],
        minlength=len(opps),
    )
    opportunities = pd.DataFrame(
        {
            "start": opps["start"], "end": opps["end"], "duration": (opps["end"] - opps["start"]) / 1e9,
            "direction": directions[opps["cycle"]], "gross_return": opps["gross"], "net_return": opps["net"],
            "best_net_return": opps["best_net"], "capacity": opps["capacity"], "size": opps["size"],
            "attempts": counted.astype(np.int64), "captured": captured,
        }
    )  # fmt: skip
    venues, fills = _venues(books, engines, fees, latencies, events, mids, prices)
    equity = _equity(books, plan.currency, engines)
    stats = {
        "opportunities": float(len(opportunities)),
        "opportunity_seconds": float(opportunities["duration"].sum()),
        "attempts": float(len(attempt_table)),
        "completed": float(attempt_table["completed"].sum()),
        "missed": float((~attempt_table["completed"]).sum()),
        "pnl": float(venues["pnl"].sum()),
        "fees": float((venues["fees"] * venues["quote"].map(prices)).sum()),
        "events": float(sum(events)),
    }
    return ArbitrageResult(strategy, plan.currency, opportunities, attempt_table, venues, fills, equity, stats)


def _attempts(books, plan, engines, attempts, n_legs, mids, prices, directions) -> pd.DataFrame:
    filled = np.zeros(len(attempts), np.int64)
    pnl = np.zeros(len(attempts))
    for leg in range(n_legs):
        b = plan.legs[attempts["cycle"], leg]
        for index, book in enumerate(books):
            mine = np.flatnonzero(b == index)
            sent = engines[index].orders[attempts["orders"][mine, leg]]
            filled[mine] += sent["leaves"] <= k.EMPTY
            fixes = attempts["fixes"][mine, leg]
            fixed = engines[index].orders[fixes[fixes >= 0]]
            for orders, rows in ((sent, mine), (fixed, mine[fixes >= 0])):  # (an attempt once per leg)
                side = orders["side"].astype(np.float64)
                cash = -side * orders["notional"] - orders["fee"]  # in the book's quote currency
                pnl[rows] += cash * prices[book.quote] + side * orders["filled"] * prices[book.base]
    return pd.DataFrame(
        {
            "sent_ts": attempts["sent_ts"], "direction": directions[attempts["cycle"]],
            "gross_return": attempts["gross"], "net_return": attempts["net"], "amount": attempts["amount"],
            "legs_filled": filled, "completed": filled == n_legs,
            "fixes": (attempts["fixes"][:, :n_legs] >= 0).sum(axis=1).astype(np.int64), "pnl": pnl,
        }
    )  # fmt: skip


def _venues(books, engines, fees, latencies, events, mids, prices) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, fills = [], []
    for b, (book, E) in enumerate(zip(books, engines, strict=True)):
        raw, orders = E.fills[: E.ints[k.NF]], E.orders[: E.ints[k.NO]]
        position, cash = float(E.floats[k.POS]), float(E.floats[k.CASH])
        rows.append(
            {
                "book": book.name, "venue": book.venue, "base": book.base, "quote": book.quote,
                "taker_fee": fees[book.name], "order_latency": latencies[book.name], "events": events[b],
                "orders": len(orders), "fills": len(raw), "volume": float(raw["qty"].sum()),
                "fees": float(E.floats[k.FEES]), "position": position, "cash": cash, "mid": mids[book.name],
                "pnl": cash * prices[book.quote] + position * prices[book.base],
            }
        )  # fmt: skip
        fills.append(
            pd.DataFrame(
                {
                    "book": book.name, "exch_ts": raw["exch_ts"], "local_ts": raw["local_ts"],
                    "order_id": orders["order_id"][raw["order"]], "side": raw["side"].astype(np.int64),
                    "price": raw["price"], "qty": raw["qty"], "fee": raw["fee"],
                }
            )
        )  # fmt: skip
    fills = pd.concat(fills).sort_values(["exch_ts", "book"], kind="stable").reset_index(drop=True)
    return pd.DataFrame(rows).set_index("book"), fills


def _equity(books, currency: str, engines: list[Any]) -> pd.DataFrame:
    """Each book's value over time (start currency), the samples of all books on one index."""
    samples = [E.samples[: E.ints[k.NS]] for E in engines]
    index = pd.Index(np.unique(np.concatenate([s["ts"] for s in samples])), name="ts")
    frames = {
        book.name: pd.DataFrame({"position": s["position"], "cash": s["cash"], "mid": s["mid"]}, index=s["ts"])
        .groupby(level=0)
        .last()
        .reindex(index, method="ffill")
        for book, s in zip(books, samples, strict=True)
    }
    prices = _prices(books, currency, {name: frame["mid"] for name, frame in frames.items()})
    equity = pd.DataFrame(index=index)
    for book in books:
        frame = frames[book.name]
        equity[book.name] = frame["cash"] * prices[book.quote] + frame["position"] * prices[book.base]
    equity["equity"] = equity[[book.name for book in books]].sum(axis=1, min_count=len(books))
    return equity

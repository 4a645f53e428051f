"""The result of a tick backtest: fills, orders, sampled equity, statistics and a figure."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hftlab.results import Result
from hftlab.tick import engine as k


@dataclass(frozen=True)
class TickBacktestResult(Result):
    """What a strategy did on a replayed book (:func:`hftlab.tick_backtest`).

    Attributes
    ----------
    fills : DataFrame
        One row per fill: ``exch_ts``/``local_ts`` (when it happened, when we learnt of it),
        ``order_id``, ``side`` (+1 buy), ``price``, ``qty``, ``liquidity`` (maker/taker), ``fee``.
    orders : DataFrame
        Every order (index ``order_id``): side, kind, price and qty (as last modified), filled,
        average price, fee, final ``status``, times ``modified``, and its times in ns:
        ``sent_ts`` (we sent it), ``exch_ts`` (it reached the exchange), ``ack_ts`` (its first
        reply reached us), ``first_fill_ts`` and ``done_ts`` (at the exchange); their
        differences are the order's latencies.
    equity : DataFrame
        Sampled every ``sample_every`` (index: time): ``position``, ``cash``, ``mid`` and
        ``equity`` (cash + position marked at the mid).
    history : DataFrame
        Every reply of the exchange, in the order we received them: ``order_id``, ``exch_ts``
        (when the exchange made it), ``local_ts`` (when it reached us), the order's ``status``
        and ``price`` after it, and the ``filled`` quantity it reports (0 for an ack).
    stats : dict
        ``pnl``, ``sharpe`` (of the sampled equity changes, per sample, not annualised),
        ``max_drawdown``, ``trades``, ``fill_ratio`` (filled / sent quantity), ``maker_volume``,
        ``taker_volume``, ``fees``, ``mean_queue_wait_s`` (arrival to first fill of filled
        resting orders), ``max_inventory``, ``events``.
    """

    fills: pd.DataFrame
    orders: pd.DataFrame
    equity: pd.DataFrame
    history: pd.DataFrame
    stats: dict[str, float] = field(default_factory=dict)

    def plot(self):
        """Mid with our quotes (while they rest) and fills (buys up, sells down), inventory and
        equity."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        times = pd.to_datetime(self.equity.index)
        fig = make_subplots(
            rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.04, row_heights=[0.5, 0.25, 0.25]
        )
        fig.add_trace(
            go.Scatter(x=times, y=self.equity["mid"], name="mid", line={"color": "#555"}), row=1, col=1
        )
        for side, name, colour in ((1, "our bids", "#81c784"), (-1, "our asks", "#e57373")):
            x, y = _resting(self.history, self.orders, side, self.equity.index.max())
            fig.add_trace(
                go.Scatter(x=pd.to_datetime(x), y=y, name=name, mode="lines", line={"color": colour}),
                row=1, col=1,
            )  # fmt: skip
        for side, name, colour, symbol in (
            (1, "buys", "#2e7d32", "triangle-up"),
            (-1, "sells", "#c62828", "triangle-down"),
        ):
            mine = self.fills[self.fills["side"] == side]
            fig.add_trace(
                go.Scatter(
                    x=pd.to_datetime(mine["exch_ts"]), y=mine["price"], mode="markers", name=name,
                    marker={"color": colour, "symbol": symbol, "size": 7},
                ),
                row=1, col=1,
            )  # fmt: skip
        fig.add_trace(
            go.Scatter(x=times, y=self.equity["position"], name="position", line={"shape": "hv"}), row=2, col=1
        )
        fig.add_trace(go.Scatter(x=times, y=self.equity["equity"], name="equity"), row=3, col=1)
        fig.update_yaxes(title_text="price", row=1, col=1)
        fig.update_yaxes(title_text="position", row=2, col=1)
        fig.update_yaxes(title_text="equity", row=3, col=1)
        fig.update_layout(height=650, title=f"Tick backtest: PnL {self.stats.get('pnl', np.nan):.4g}")
        return fig


def _resting(history: pd.DataFrame, orders: pd.DataFrame, side: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Line segments (NaN between them) of our orders on ``side`` while they rested: from each
    reply that left an order open to its next reply (or ``end``), at its price then."""
    mine = history[history["order_id"].map(orders["side"]).to_numpy() == side]
    following = mine.groupby("order_id")["exch_ts"].shift(-1).fillna(end).to_numpy()
    open_ = (mine["status"] == "open").to_numpy()
    starts, stops = mine["exch_ts"].to_numpy()[open_], following[open_]
    prices = mine["price"].to_numpy()[open_]
    x = np.column_stack([starts, stops, np.full(len(starts), np.nan)]).ravel()
    y = np.column_stack([prices, prices, np.full(len(prices), np.nan)]).ravel()
    return x, y


def build_result(E, events: int, initial_cash: float) -> TickBacktestResult:
    """Tables and statistics from a finished engine."""
    ints, floats = E.ints, E.floats
    tick, tick0 = floats[k.TICK], ints[k.TICK0]
    raw = E.fills[: ints[k.NF]]
    orders = E.orders[: ints[k.NO]]
    fills = pd.DataFrame(
        {
            "exch_ts": raw["exch_ts"], "local_ts": raw["local_ts"],
            "order_id": orders["order_id"][raw["order"]],
            "side": raw["side"].astype(np.int64), "price": raw["price"], "qty": raw["qty"],
            "liquidity": np.where(raw["maker"], "maker", "taker"), "fee": raw["fee"],
        }
    )  # fmt: skip
    with np.errstate(invalid="ignore", divide="ignore"):
        average = orders["notional"] / orders["filled"]
    table = pd.DataFrame(
        {
            "side": orders["side"].astype(np.int64),
            "kind": np.array(list(k.ORDER_KINDS))[orders["kind"]],
            "price": np.where(orders["kind"] == k.MARKET, np.nan, (orders["tick"] + tick0) * tick),
            "qty": orders["qty"], "filled": orders["filled"], "average_price": average, "fee": orders["fee"],
            "status": np.array(k.STATUSES)[orders["status"]],
            "modified": orders["modified"], "sent_ts": orders["sent_ts"], "exch_ts": orders["exch_ts"],
            "ack_ts": orders["ack_ts"], "first_fill_ts": orders["first_fill_ts"], "done_ts": orders["done_ts"],
        },
        index=pd.Index(orders["order_id"], name="order_id"),
    )  # fmt: skip
    replies = E.responses[: ints[k.ST]]
    history = pd.DataFrame(
        {
            "order_id": orders["order_id"][replies["order"]], "exch_ts": replies["exch_ts"],
            "local_ts": replies["ts"], "status": np.array(k.STATUSES)[replies["status"]],
            "price": np.where(
                orders["kind"][replies["order"]] == k.MARKET, np.nan, (replies["tick"] + tick0) * tick
            ),
            "filled": np.where(replies["fill"] >= 0, E.fills["qty"][np.maximum(replies["fill"], 0)], 0.0),
        }
    )  # fmt: skip
    samples = E.samples[: ints[k.NS]]
    equity = pd.DataFrame(
        {"position": samples["position"], "cash": samples["cash"] + initial_cash, "mid": samples["mid"]},
        index=pd.Index(samples["ts"], name="ts"),
    )
    equity["equity"] = equity["cash"] + equity["position"] * equity["mid"]
    stats = _stats(equity, fills, table, events, floats, initial_cash)
    return TickBacktestResult(fills, table, equity, history, stats)


def _stats(equity, fills, orders, events, floats, initial_cash) -> dict[str, float]:
    marked = equity["equity"].dropna()
    changes = marked.diff().dropna()
    sharpe = float(changes.mean() / changes.std()) if len(changes) > 1 and changes.std() > 0 else np.nan
    drawdown = float((marked.cummax() - marked).max()) if len(marked) else np.nan
    resting = orders[(orders["first_fill_ts"] >= 0) & (orders["kind"].isin(["limit", "post_only"]))]
    waits = (resting["first_fill_ts"] - resting["exch_ts"]) / 1e9
    sent = orders["qty"].sum()
    return {
        "pnl": float(marked.iloc[-1] - initial_cash) if len(marked) else np.nan,
        "sharpe": sharpe,
        "max_drawdown": drawdown,
        "trades": float(len(fills)),
        "fill_ratio": float(orders["filled"].sum() / sent) if sent > 0 else np.nan,
        "maker_volume": float(floats[k.MAKER_VOL]),
        "taker_volume": float(floats[k.TAKER_VOL]),
        "fees": float(floats[k.FEES]),
        "mean_queue_wait_s": float(waits.mean()) if len(waits) else np.nan,
        "max_inventory": float(floats[k.MAX_INV]),
        "events": float(events),
    }

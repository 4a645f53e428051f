"""The ``ReplayLobster`` operation: LOBSTER replay plus per-event book analytics.

Replays a LOBSTER message file through the array book of
:mod:`hftlab.market.lobster`, checks the rebuilt rows against the orderbook
file and derives, after every event, the top-of-book analytics of
:mod:`hftlab.market.book`: mid, spread (absolute and in bps), the weighted-mid
micro-price (Stoikov 2018, "The micro-price", Quantitative Finance 18(12)) and
the top-N order-book imbalance (Cartea, Jaimungal & Penalva 2015, ch. 4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hftlab.market.lobster import EMPTY_ASK_PRICE, EMPTY_BID_PRICE, PRICE_SCALE, replay_arrays
from hftlab.results import Result

_HEATMAP_COLUMNS = 400


@dataclass(frozen=True)
class LobsterReplay(Result):
    """A LOBSTER message file replayed through our book, with per-event analytics.

    Attributes
    ----------
    book : pd.DataFrame
        The rebuilt orderbook (int64, same shape, column order and empty-level
        sentinels as the LOBSTER orderbook file; columns ``ask_price_1 ... bid_size_L``).
    analytics : pd.DataFrame
        One row per message: ``time`` (seconds after midnight), ``best_bid``,
        ``best_ask``, ``mid``, ``spread`` (dollars), ``spread_bps``, ``microprice``,
        ``imbalance`` (top ``imbalance_levels``), ``bid_depth`` / ``ask_depth``
        (shares in the top L levels). NaN where a side is empty.
    messages, levels : int
        Rows replayed and book depth L.
    imbalance_levels : int
        Levels summed in ``imbalance``.
    levels_from_file : int
        Levels taken from the orderbook file because they entered the top L
        from beyond it (everything else comes from the messages).
    mismatched_rows : int
        Rows where the replay differs from the orderbook file (0: identical).
    mean_spread_bps, mean_imbalance : float
        Averages over events (NaN rows skipped).
    """

    book: pd.DataFrame
    analytics: pd.DataFrame
    messages: int
    levels: int
    imbalance_levels: int
    levels_from_file: int
    mismatched_rows: int
    mean_spread_bps: float
    mean_imbalance: float

    def plot(self):
        """Mid and micro-price, spread (bps) and imbalance after every event."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        a = self.analytics
        fig = make_subplots(
            rows=3,
            cols=1,
            shared_xaxes=True,
            vertical_spacing=0.04,
            subplot_titles=(
                "mid / micro-price ($)",
                "spread (bps)",
                f"imbalance (top {self.imbalance_levels})",
            ),
        )
        fig.add_trace(go.Scatter(x=a["time"], y=a["mid"], name="mid", line={"shape": "hv"}), row=1, col=1)
        fig.add_trace(
            go.Scatter(x=a["time"], y=a["microprice"], name="micro-price", line={"shape": "hv"}), row=1, col=1
        )
        fig.add_trace(
            go.Scatter(x=a["time"], y=a["spread_bps"], name="spread", line={"shape": "hv"}), row=2, col=1
        )
        fig.add_trace(
            go.Scatter(x=a["time"], y=a["imbalance"], name="imbalance", line={"shape": "hv"}), row=3, col=1
        )
        fig.update_xaxes(title_text="seconds after midnight", row=3, col=1)
        fig.update_layout(height=650, title="LOBSTER replay: top of book")
        return fig

    def plot_depth(self):
        """Depth heatmap: resting size at each price over time (bids positive, asks negative)."""
        import plotly.graph_objects as go

        book = self.book.to_numpy()
        rows = np.unique(np.linspace(0, len(book) - 1, min(len(book), _HEATMAP_COLUMNS)).astype(int))
        prices = np.concatenate([book[rows, 0::4], book[rows, 2::4]], axis=1)
        sizes = np.concatenate([-book[rows, 1::4], book[rows, 3::4]], axis=1)
        valid = (prices != EMPTY_ASK_PRICE) & (prices != EMPTY_BID_PRICE)
        grid = np.unique(prices[valid])
        z = np.full((len(grid), len(rows)), np.nan)
        column, level = np.nonzero(valid)
        z[np.searchsorted(grid, prices[column, level]), column] = sizes[column, level]
        fig = go.Figure(
            go.Heatmap(
                x=self.analytics["time"].to_numpy()[rows],
                y=grid / PRICE_SCALE,
                z=z,
                colorscale="RdBu",
                zmid=0,
                colorbar={"title": "size"},
            )
        )
        fig.update_layout(
            title="LOBSTER replay: depth (bids > 0, asks < 0)",
            height=450,
            xaxis_title="seconds after midnight",
            yaxis_title="price ($)",
        )
        return fig


def replay(
    messages: pd.DataFrame, orderbook: pd.DataFrame, levels: int | None = None, imbalance_levels: int = 5
) -> LobsterReplay:
    """Replay LOBSTER ``messages`` against ``orderbook`` and compute per-event analytics.

    Inputs must already be validated (see ``hftlab.types.ReplayLobsterRequest``);
    ``levels`` is the orderbook's depth L (inferred from its columns when None).
    """
    depth = orderbook.shape[1] // 4 if levels is None else levels
    expected = orderbook.to_numpy(np.int64)
    book, from_file = replay_arrays(messages.to_numpy(np.float64), expected)
    frame = pd.DataFrame(book, columns=list(orderbook.columns))
    analytics = _analytics(book, messages["time"].to_numpy(np.float64), min(imbalance_levels, depth))
    return LobsterReplay(
        book=frame,
        analytics=analytics,
        messages=len(book),
        levels=depth,
        imbalance_levels=int(imbalance_levels),
        levels_from_file=from_file,
        mismatched_rows=int((book != expected).any(axis=1).sum()),
        mean_spread_bps=float(np.nanmean(analytics["spread_bps"])) if len(book) else float("nan"),
        mean_imbalance=float(np.nanmean(analytics["imbalance"])) if len(book) else float("nan"),
    )


def _analytics(book: np.ndarray, time: np.ndarray, imbalance_levels: int) -> pd.DataFrame:
    ask_prices = np.where(book[:, 0::4] == EMPTY_ASK_PRICE, np.nan, book[:, 0::4] / PRICE_SCALE)
    bid_prices = np.where(book[:, 2::4] == EMPTY_BID_PRICE, np.nan, book[:, 2::4] / PRICE_SCALE)
    ask_sizes, bid_sizes = book[:, 1::4].astype(np.float64), book[:, 3::4].astype(np.float64)
    best_bid, best_ask = bid_prices[:, 0], ask_prices[:, 0]
    mid = (best_bid + best_ask) / 2
    spread = best_ask - best_bid
    qb, qa = bid_sizes[:, 0], ask_sizes[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        microprice = (best_bid * qa + best_ask * qb) / (qa + qb)
        bids_n = bid_sizes[:, :imbalance_levels].sum(axis=1)
        asks_n = ask_sizes[:, :imbalance_levels].sum(axis=1)
        imbalance = (bids_n - asks_n) / (bids_n + asks_n)
    return pd.DataFrame(
        {
            "time": time,
            "best_bid": best_bid,
            "best_ask": best_ask,
            "mid": mid,
            "spread": spread,
            "spread_bps": spread / mid * 1e4,
            "microprice": microprice,
            "imbalance": imbalance,
            "bid_depth": bid_sizes.sum(axis=1),
            "ask_depth": ask_sizes.sum(axis=1),
        }
    )

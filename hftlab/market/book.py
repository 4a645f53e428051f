"""Level-2 (price-level) order book with sequence checks and book analytics.

The book keeps the aggregate size at each price on both sides, built from a
snapshot and kept current by incremental updates (a size of 0 deletes the
level), the way exchange depth feeds work (Binance ``depthUpdate``, Kraken
``book``, Coinbase ``l2update``; Gould et al. 2013, "Limit order books",
Quantitative Finance 13(11), section 3).

Sequence checks
---------------
Every snapshot and update carries a sequence number (an exchange's update id).
An update (or batch) covering ids ``first_sequence..sequence`` is applied when
``first_sequence <= book.sequence + 1 <= sequence``; one with
``sequence <= book.sequence`` is an old duplicate and is skipped; one with
``first_sequence > book.sequence + 1`` means messages were lost: the book is
marked :attr:`L2Book.stale`, ignores further updates and must be
:meth:`~L2Book.resync`-ed from a fresh snapshot (Binance's "How to manage a
local order book correctly" rule; single updates use
``first_sequence = sequence``). ``sequence=None`` applies an update unchecked
(for feeds without ids, e.g. Kraken, whose integrity check is a checksum).

Analytics
---------
Best bid/ask, mid, spread (absolute and in basis points of the mid), the
micro-price in its weighted-mid form ``(P_b Q_a + P_a Q_b) / (Q_a + Q_b)``
(Stoikov 2018, "The micro-price", Quantitative Finance 18(12)), the top-N
order-book imbalance ``(Q_b - Q_a) / (Q_b + Q_a)`` (Cartea, Jaimungal & Penalva
2015, "Algorithmic and High-Frequency Trading", ch. 4), the resting size within
``±x`` bps of the mid, and the VWAP and slippage of a market order that walks
the book.

Crossed books (best bid >= best ask), negative or non-finite sizes and
non-positive prices raise :class:`~hftlab.errors.InvalidInput`; a rejected
update or batch leaves the book unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sortedcontainers import SortedDict

from hftlab.errors import InvalidInput
from hftlab.results import Result

BID, ASK = 1, -1
_SIDE_NAMES = {"bid": BID, "buy": BID, "b": BID, "ask": ASK, "sell": ASK, "a": ASK, "s": ASK}


def side_code(side: Any) -> int:
    """``1`` for a bid (``"bid"``, ``"buy"``, ``1``), ``-1`` for an ask (``"ask"``, ``"sell"``, ``-1``)."""
    if isinstance(side, str) and side.lower() in _SIDE_NAMES:
        return _SIDE_NAMES[side.lower()]
    if not isinstance(side, (bool, np.bool_, str)) and side in (BID, ASK):
        return int(side)
    raise InvalidInput(f"'side' must be 'bid'/'buy'/1 or 'ask'/'sell'/-1; got {side!r}.")


def _check_level(price: float, size: float) -> None:
    price, size = float(price), float(size)
    if not (math.isfinite(price) and price > 0):
        raise InvalidInput(f"'price' must be a finite number > 0; got {price!r}.")
    if not (math.isfinite(size) and size >= 0):
        raise InvalidInput(f"'size' must be a finite number >= 0; got {size!r} at price {price!r}.")


def _as_levels(levels: Any, name: str) -> np.ndarray:
    """``(n, 2)`` float array of (price, size) rows from pairs, an array or a price/size frame."""
    if isinstance(levels, pd.DataFrame) and {"price", "size"} <= set(map(str, levels.columns)):
        levels = levels[["price", "size"]].to_numpy()
    if not isinstance(levels, (np.ndarray, pd.DataFrame)) and isinstance(levels, Iterable):
        levels = list(levels)
    try:
        array = np.asarray(levels, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInput(f"'{name}' must be (price, size) pairs of numbers.") from None
    if array.size == 0:
        return np.empty((0, 2))
    if array.ndim != 2 or array.shape[1] != 2:
        raise InvalidInput(f"'{name}' must be (price, size) pairs; got an array of shape {array.shape}.")
    return array


@dataclass(frozen=True)
class BookSnapshot(Result):
    """A view of an :class:`L2Book` at one sequence number, with its analytics.

    Attributes
    ----------
    symbol : str
        Instrument.
    sequence : int
        Sequence number (update id) of the last applied update.
    timestamp : float or None
        Time of the last applied update (seconds since the epoch, or the feed's clock).
    stale : bool
        True when a sequence gap was seen and the book awaits a resync.
    bids, asks : pd.DataFrame
        Top ``depth`` levels, best first, columns ``price`` and ``size``.
    best_bid, best_ask, mid, spread, spread_bps, microprice : float
        Top of book (NaN when a side is empty); ``spread_bps = spread / mid * 1e4``.
    imbalance : float
        ``(Q_b - Q_a) / (Q_b + Q_a)`` over the top ``imbalance_levels`` levels, in [-1, 1].
    imbalance_levels : int
        Levels summed in ``imbalance``.
    bid_depth, ask_depth : float
        Resting size within ``depth_bps`` basis points of the mid.
    depth_bps : float
        Band of ``bid_depth`` / ``ask_depth``.
    order_size : float
        Size of the market orders priced by the VWAP fields.
    vwap_buy, vwap_sell : float
        Average fill price of a market buy / sell of ``order_size`` (NaN if the side is too thin).
    slippage_buy_bps, slippage_sell_bps : float
        Cost of those orders against the mid, in bps (positive = worse than mid).
    """

    symbol: str
    sequence: int
    timestamp: float | None
    stale: bool
    bids: pd.DataFrame
    asks: pd.DataFrame
    best_bid: float
    best_ask: float
    mid: float
    spread: float
    spread_bps: float
    microprice: float
    imbalance: float
    imbalance_levels: int
    bid_depth: float
    ask_depth: float
    depth_bps: float
    order_size: float
    vwap_buy: float
    vwap_sell: float
    slippage_buy_bps: float
    slippage_sell_bps: float

    def plot(self):
        """Depth chart: cumulative resting size against price on both sides."""
        import plotly.graph_objects as go

        fig = go.Figure()
        for frame, name, color in ((self.bids, "bids", "seagreen"), (self.asks, "asks", "indianred")):
            fig.add_trace(
                go.Scatter(
                    x=frame["price"],
                    y=frame["size"].cumsum(),
                    name=name,
                    line={"shape": "hv", "color": color},
                    fill="tozeroy",
                )
            )
        fig.update_layout(
            title=f"{self.symbol} depth @ {self.sequence}",
            xaxis_title="price",
            yaxis_title="cumulative size",
            height=350,
        )
        return fig


class L2Book:
    """Aggregated price-level book of one instrument (see the module docstring).

    Parameters
    ----------
    symbol : str
        Instrument name, carried into snapshots.
    max_depth : int, optional
        Keep at most this many levels per side (levels beyond are dropped after
        each update, as Kraken's depth-N subscriptions require).
    """

    def __init__(self, symbol: str, max_depth: int | None = None) -> None:
        if max_depth is not None and (not isinstance(max_depth, int) or max_depth < 1):
            raise InvalidInput(f"'max_depth' must be an int >= 1 or None; got {max_depth!r}.")
        self.symbol = symbol
        self.max_depth = max_depth
        self._bids: SortedDict = SortedDict()  # key -price: index 0 is the best bid
        self._asks: SortedDict = SortedDict()  # key price: index 0 is the best ask
        self.sequence = -1
        self.timestamp: float | None = None
        self.stale = True  # until the first snapshot
        self.gaps = 0

    # ------------------------------------------------------------ updates

    def apply_snapshot(self, bids: Any, asks: Any, sequence: int, timestamp: float | None = None) -> None:
        """Replace the whole book; ``bids``/``asks`` are (price, size) pairs in any order.

        Zero-size levels are skipped; duplicate prices, crossed or negative input
        raise :class:`InvalidInput` (the book is left unchanged).
        """
        sides = {}
        for name, levels, sign in (("bids", bids, -1.0), ("asks", asks, 1.0)):
            array = _as_levels(levels, name)
            for price, size in array:
                _check_level(price, size)
            if len(np.unique(array[:, 0])) != len(array):
                raise InvalidInput(f"'{name}' must not repeat a price level.")
            array = array[array[:, 1] > 0]
            sides[name] = SortedDict(zip((sign * array[:, 0]).tolist(), array[:, 1].tolist(), strict=True))
        if sides["bids"] and sides["asks"] and -sides["bids"].peekitem(0)[0] >= sides["asks"].peekitem(0)[0]:
            raise InvalidInput(
                f"the snapshot is crossed: best bid {-sides['bids'].peekitem(0)[0]} >= "
                f"best ask {sides['asks'].peekitem(0)[0]}."
            )
        self._bids, self._asks = sides["bids"], sides["asks"]
        self._truncate()
        self.sequence = int(sequence)
        self.timestamp = timestamp
        self.stale = False

    resync = apply_snapshot
    """Rebuild from a fresh snapshot after a gap (clears :attr:`stale`)."""

    def apply_update(
        self, side: Any, price: float, size: float, sequence: int | None, timestamp: float | None = None
    ) -> bool:
        """Set the size at one price (0 deletes the level). Returns whether it was applied."""
        return self.apply_updates([side_code(side)], [price], [size], sequence, timestamp=timestamp)

    def apply_updates(
        self,
        sides: Any,
        prices: Any,
        sizes: Any,
        sequence: int | None,
        first_sequence: int | None = None,
        timestamp: float | None = None,
    ) -> bool:
        """Apply a batch of level updates atomically (checked for crossing after the batch).

        Parameters
        ----------
        sides : array-like
            ``1`` / ``-1`` (or ``"bid"`` / ``"ask"``) per update.
        prices, sizes : array-like of float
            New aggregate size at each price; 0 deletes the level.
        sequence : int or None
            Id of the last update in the batch (None: no continuity check).
        first_sequence : int, optional
            Id of the first update in the batch (default ``sequence``).

        Returns
        -------
        bool
            True if applied; False if skipped (old duplicate, or the book is
            stale; a gap marks it stale).
        """
        if not self._in_sequence(sequence, first_sequence):
            return False
        codes = [side_code(s) for s in np.asarray(sides, dtype=object).ravel()]
        prices = np.asarray(prices, dtype=np.float64).ravel()
        sizes = np.asarray(sizes, dtype=np.float64).ravel()
        if not len(codes) == len(prices) == len(sizes):
            raise InvalidInput(
                f"'sides', 'prices' and 'sizes' must have the same length; got "
                f"{len(codes)}, {len(prices)}, {len(sizes)}."
            )
        for price, size in zip(prices.tolist(), sizes.tolist(), strict=True):
            _check_level(price, size)
        undo = []
        for code, price, size in zip(codes, prices.tolist(), sizes.tolist(), strict=True):
            levels, key = (self._bids, -price) if code == BID else (self._asks, price)
            undo.append((levels, key, levels.get(key)))
            if size > 0:
                levels[key] = size
            else:
                levels.pop(key, None)
        if self._bids and self._asks and -self._bids.peekitem(0)[0] >= self._asks.peekitem(0)[0]:
            crossed = f"best bid {-self._bids.peekitem(0)[0]} >= best ask {self._asks.peekitem(0)[0]}"
            for levels, key, old in reversed(undo):
                if old is None:
                    levels.pop(key, None)
                else:
                    levels[key] = old
            raise InvalidInput(f"the update would cross the book: {crossed}; it was not applied.")
        self._truncate()
        self.sequence = self.sequence + 1 if sequence is None else int(sequence)
        self.timestamp = timestamp if timestamp is not None else self.timestamp
        return True

    def mark_stale(self) -> None:
        """Flag the book as out of sync (e.g. a failed checksum); resync to recover."""
        self.stale = True

    def _in_sequence(self, sequence: int | None, first_sequence: int | None) -> bool:
        if self.stale:
            return False
        if sequence is None:
            return True
        first = int(sequence if first_sequence is None else first_sequence)
        if int(sequence) <= self.sequence:
            return False
        if first > self.sequence + 1:
            self.stale = True
            self.gaps += 1
            return False
        return True

    def _truncate(self) -> None:
        if self.max_depth is not None:
            for levels in (self._bids, self._asks):
                while len(levels) > self.max_depth:
                    levels.popitem(-1)

    # ------------------------------------------------------------ analytics

    def bids(self, depth: int | None = None) -> np.ndarray:
        """Top ``depth`` bid levels (all if None) as an ``(n, 2)`` array of (price, size), best first."""
        items = self._bids.items()[:depth] if depth is not None else self._bids.items()
        return np.array([(-k, v) for k, v in items], dtype=np.float64).reshape(-1, 2)

    def asks(self, depth: int | None = None) -> np.ndarray:
        """Top ``depth`` ask levels (all if None) as an ``(n, 2)`` array of (price, size), best first."""
        items = self._asks.items()[:depth] if depth is not None else self._asks.items()
        return np.array(list(items), dtype=np.float64).reshape(-1, 2)

    @property
    def best_bid(self) -> float:
        return -self._bids.peekitem(0)[0] if self._bids else math.nan

    @property
    def best_ask(self) -> float:
        return self._asks.peekitem(0)[0] if self._asks else math.nan

    @property
    def best_bid_size(self) -> float:
        return self._bids.peekitem(0)[1] if self._bids else 0.0

    @property
    def best_ask_size(self) -> float:
        return self._asks.peekitem(0)[1] if self._asks else 0.0

    @property
    def mid(self) -> float:
        return (self.best_bid + self.best_ask) / 2

    @property
    def spread(self) -> float:
        return self.best_ask - self.best_bid

    @property
    def spread_bps(self) -> float:
        return self.spread / self.mid * 1e4

    @property
    def microprice(self) -> float:
        """Size-weighted mid ``(P_b Q_a + P_a Q_b) / (Q_a + Q_b)`` (Stoikov 2018)."""
        qb, qa = self.best_bid_size, self.best_ask_size
        if not (self._bids and self._asks):
            return math.nan
        return (self.best_bid * qa + self.best_ask * qb) / (qa + qb)

    def imbalance(self, levels: int = 1) -> float:
        """``(Q_b - Q_a) / (Q_b + Q_a)`` over the top ``levels`` levels (NaN on an empty book)."""
        qb = float(sum(self._bids.values()[:levels]))
        qa = float(sum(self._asks.values()[:levels]))
        return (qb - qa) / (qb + qa) if qb + qa > 0 else math.nan

    def depth(self, bps: float) -> tuple[float, float]:
        """Resting (bid, ask) size priced within ``bps`` basis points of the mid."""
        mid = self.mid
        if math.isnan(mid):
            return math.nan, math.nan
        low, high = mid * (1 - bps / 1e4), mid * (1 + bps / 1e4)
        bid = sum(size for key, size in self._bids.items() if -key >= low) if self._bids else 0.0
        ask = sum(size for price, size in self._asks.items() if price <= high) if self._asks else 0.0
        return float(bid), float(ask)

    def vwap(self, side: Any, size: float) -> float:
        """Average price of a market order of ``size`` (``"buy"`` walks the asks); NaN if too thin."""
        if not (math.isfinite(size) and size > 0):
            raise InvalidInput(f"'size' must be a finite number > 0; got {size!r}.")
        levels = self.asks() if side_code(side) == BID else self.bids()
        cumulative = np.cumsum(levels[:, 1])
        if not len(levels) or cumulative[-1] < size:
            return math.nan
        taken = np.minimum(levels[:, 1], np.maximum(size - (cumulative - levels[:, 1]), 0.0))
        return float(taken @ levels[:, 0] / size)

    def slippage_bps(self, side: Any, size: float) -> float:
        """VWAP cost against the mid in bps: ``±(vwap - mid) / mid * 1e4`` (positive = worse)."""
        sign = 1.0 if side_code(side) == BID else -1.0
        return sign * (self.vwap(side, size) - self.mid) / self.mid * 1e4

    def levels(self, depth: int = 10) -> pd.DataFrame:
        """Top ``depth`` levels side by side: ``bid_price, bid_size, ask_price, ask_size`` (NaN-padded)."""
        frame = pd.DataFrame(
            np.nan,
            index=pd.RangeIndex(depth, name="level"),
            columns=["bid_price", "bid_size", "ask_price", "ask_size"],
        )
        bids, asks = self.bids(depth), self.asks(depth)
        frame.iloc[: len(bids), 0:2] = bids
        frame.iloc[: len(asks), 2:4] = asks
        return frame

    def snapshot(
        self, depth: int = 10, imbalance_levels: int = 5, depth_bps: float = 10.0, order_size: float = 1.0
    ) -> BookSnapshot:
        """A :class:`BookSnapshot` of the top ``depth`` levels with every analytic."""
        vwap_buy, vwap_sell = self.vwap("buy", order_size), self.vwap("sell", order_size)
        bid_depth, ask_depth = self.depth(depth_bps)
        return BookSnapshot(
            symbol=self.symbol,
            sequence=int(self.sequence),
            timestamp=None if self.timestamp is None else float(self.timestamp),
            stale=bool(self.stale),
            bids=pd.DataFrame(self.bids(depth), columns=["price", "size"]),
            asks=pd.DataFrame(self.asks(depth), columns=["price", "size"]),
            best_bid=float(self.best_bid),
            best_ask=float(self.best_ask),
            mid=float(self.mid),
            spread=float(self.spread),
            spread_bps=float(self.spread_bps),
            microprice=float(self.microprice),
            imbalance=float(self.imbalance(imbalance_levels)),
            imbalance_levels=int(imbalance_levels),
            bid_depth=bid_depth,
            ask_depth=ask_depth,
            depth_bps=float(depth_bps),
            order_size=float(order_size),
            vwap_buy=vwap_buy,
            vwap_sell=vwap_sell,
            slippage_buy_bps=float(self.slippage_bps("buy", order_size)),
            slippage_sell_bps=float(self.slippage_bps("sell", order_size)),
        )

    def __len__(self) -> int:
        return len(self._bids) + len(self._asks)

    def __repr__(self) -> str:
        state = "stale" if self.stale else f"seq {self.sequence}"
        return (
            f"L2Book({self.symbol!r}, {len(self._bids)} bids, {len(self._asks)} asks, "
            f"{self.best_bid}/{self.best_ask}, {state})"
        )

"""Coinbase Exchange public market data: level-2 book, ticker and matches over websocket.

After ``{"type": "subscribe", "product_ids": [...], "channels": [...]}`` the
level-2 channel sends one ``snapshot`` per product (every price level) and
then ``l2update`` messages whose ``changes`` are ``[side, price, size]`` with
the new absolute size (0 removes the level). ``match`` messages (one per
trade; ``last_match`` first, on subscription) carry a ``trade_id`` that
increases by exactly one per product: a jump means messages were lost, so the
product's book is marked stale and re-subscribed for a fresh snapshot (level-2
updates carry no sequence number of their own). An update that would cross
the book is treated the same way. ``ticker`` messages give best bid/ask
ticks while a product's book is not in sync. Coinbase answers an unknown
product with an ``error`` message, raised as :class:`~hftlab.errors.NotFound`.

For ``on_event``: a ``match``'s ``side`` is the maker order's side, so the
TRADE row's aggressor side is the other one; a trade-id gap's GAP row carries
the first missing trade id; snapshots carry no time.

Coinbase now serves the ``level2`` channel to authenticated clients only; the
public ``level2_batch`` channel has the same messages, batched every 50 ms, and
is the default here (``book_channel``).
"""

from __future__ import annotations

import json
from typing import Any

from hftlab.errors import InvalidInput, NotFound
from hftlab.market.exchanges.base import ExchangeFeed, MalformedMessage, iso_ns, parse_levels

_SIDES = {"buy": 1, "sell": -1}


class CoinbaseFeed(ExchangeFeed):
    """Coinbase order books, trades and best bid/ask (see the module docstring).

    Parameters
    ----------
    symbols : list of str
        Product ids such as ``"BTC-USD"``.
    book_channel : {"level2_batch", "level2"}
        The level-2 channel to subscribe to.
    **options
        ``ws_url``, ``batch_size``... of :class:`ExchangeFeed`.
    """

    name = "coinbase"
    WS_URL = "wss://ws-feed.exchange.coinbase.com"

    def __init__(
        self,
        symbols: list[str],
        ws_url: str | None = None,
        rest_url: str | None = None,
        *,
        book_channel: str = "level2_batch",
        **options: Any,
    ) -> None:
        if book_channel not in ("level2_batch", "level2"):
            raise InvalidInput(f"'book_channel' must be 'level2_batch' or 'level2'; got {book_channel!r}.")
        super().__init__(symbols, ws_url, rest_url, **options)
        self.book_channel = book_channel
        self._trade_ids: dict[str, int] = {}

    def _request(self, kind: str, products: list[str], channels: list[str]) -> str:
        return json.dumps({"type": kind, "product_ids": products, "channels": channels})

    async def _on_open(self, ws) -> None:
        self._trade_ids.clear()
        await ws.send(self._request("subscribe", self.symbols, [self.book_channel, "ticker", "matches"]))

    async def _resync_books(self, ws, symbols: set[str]) -> None:
        products = sorted(symbols)
        await ws.send(self._request("unsubscribe", products, [self.book_channel]))
        await ws.send(self._request("subscribe", products, [self.book_channel]))

    def _handle(self, message: Any, received_ns: int) -> None:
        kind = message["type"]
        if kind == "l2update":
            self._update(self._symbol(message["product_id"]), message)
        elif kind in ("match", "last_match"):
            self._match(self._symbol(message["product_id"]), message, kind)
        elif kind == "snapshot":
            self._snapshot(self._symbol(message["product_id"]), message, received_ns)
        elif kind == "ticker":
            product = self._symbol(message["product_id"])
            if self.books[product].stale:
                (bid, ask), _ = parse_levels([[message["best_bid"], 0], [message["best_ask"], 0]])
                when = iso_ns(message["time"]) if "time" in message else received_ns
                self._top_quote(product, when, bid, ask, float("nan"), float("nan"))
            else:
                self.stats.ignored += 1
        elif kind == "error":
            text = f"{message.get('message', '')} {message.get('reason', '')}".strip()
            if "not a valid product" in text or ("product" in text.lower() and "invalid" in text.lower()):
                raise NotFound(f"coinbase: {text}")
            raise MalformedMessage(f"error from Coinbase: {text}")
        elif kind in ("subscriptions", "heartbeat"):
            self.stats.ignored += 1
        else:
            raise MalformedMessage(f"unknown message type {kind!r}")

    def _snapshot(self, product: str, message: dict, received_ns: int) -> None:
        bids, asks = parse_levels(message["bids"]), parse_levels(message["asks"])
        try:
            self.books[product].resync(
                list(zip(*bids, strict=True)),
                list(zip(*asks, strict=True)),
                sequence=0,
                timestamp=received_ns / 1e9,
            )
        except InvalidInput as exc:
            self._gap(product, f"crossed snapshot ({exc})")
            return
        self.stats.snapshots += 1
        self._emit_book(product, None)
        self._quote(product, received_ns)

    def _update(self, product: str, message: dict) -> None:
        changes = message["changes"]
        sides = [_SIDES[side] for side, *_ in changes]
        prices, sizes = parse_levels([level[1:] for level in changes])
        when = iso_ns(message["time"])
        book = self.books[product]
        if book.stale:  # waiting for the snapshot of a re-subscription
            return
        try:
            book.apply_updates(sides, prices, sizes, sequence=None, timestamp=when / 1e9)
        except InvalidInput as exc:
            self._gap(product, f"update would cross the book ({exc})")
            return
        self._emit_levels(product, when, sides, prices, sizes)
        self._quote(product, when)

    def _match(self, product: str, message: dict, kind: str) -> None:
        trade_id = int(message["trade_id"])
        price, size = float(message["price"]), float(message["size"])
        when = iso_ns(message["time"])
        previous = self._trade_ids.get(product)
        if previous is not None and trade_id <= previous:  # a repeat of a trade already seen
            self.stats.ignored += 1
            return
        self._trade_ids[product] = trade_id
        if kind == "last_match":
            return
        self._trade(product, when, price, size, -_SIDES.get(message.get("side"), 0))  # side: the maker's
        if previous is not None and trade_id != previous + 1 and not self.books[product].stale:
            self._gap(product, f"trade id {trade_id} after {previous}: messages were lost", previous + 1)

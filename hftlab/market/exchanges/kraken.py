"""Kraken public market data over websocket API v1: ``book`` with CRC32 checksums, ``trade``.

After ``{"event": "subscribe", "subscription": {"name": "book", "depth": D}}``
Kraken sends, per pair, a snapshot ``[channelID, {"as": [...], "bs": [...]},
"book-D", pair]`` and then updates ``{"a": [...]}`` / ``{"b": [...]}`` (one or
two dicts), the last carrying ``"c"``: the CRC32 of the top 10 levels after the
update. Each level is ``[price, volume, timestamp]`` (``"r"`` appended for a
republished level); volume 0 deletes the level, and the book is truncated to
``D`` levels per side after every update, since Kraken sends no delete for
levels pushed beyond the subscribed depth.

Checksum (Kraken docs, "Book checksum (v1)"): for the 10 best asks (ascending)
then the 10 best bids (descending), each price and volume as Kraken formats it
with the decimal point removed and leading zeros stripped, concatenated; the
CRC32 of that string as an unsigned integer. Prices and volumes are formatted
back with the decimals the pair's snapshot used. A mismatch means the book
diverged: it is marked stale and re-subscribed (unsubscribe + subscribe), which
brings a fresh snapshot. Kraken v1 has no sequence numbers, so the checksum is
the gap detector.

Trades are ``[price, volume, time, side, orderType, misc]``; ``side`` (``"b"``
buy, ``"s"`` sell) is the taker's, the aggressor side of the TRADE rows
reported to ``on_event``; the levels a depth-``D`` book drops after an update
are reported as DEPTH rows of size 0.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

import numpy as np

from hftlab.errors import InvalidInput, NotFound
from hftlab.market.exchanges.base import ExchangeFeed, MalformedMessage, parse_levels, seconds_ns

DEPTHS = (10, 25, 100, 500, 1000)
CHECKSUM_LEVELS = 10


def _decimals(text: str) -> int:
    return len(text.partition(".")[2])


def _checksum_digits(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}".replace(".", "").lstrip("0")


def book_checksum(asks, bids, price_decimals: int, volume_decimals: int) -> int:
    """Kraken's CRC32 of the top 10 levels; ``asks``/``bids`` are (price, size) rows, best first."""
    text = "".join(
        _checksum_digits(price, price_decimals) + _checksum_digits(size, volume_decimals)
        for levels in (asks, bids)
        for price, size in np.asarray(levels)[:CHECKSUM_LEVELS].tolist()
    )
    return zlib.crc32(text.encode())


class KrakenFeed(ExchangeFeed):
    """Kraken order books (checksum-verified) and trades (see the module docstring).

    Parameters
    ----------
    symbols : list of str
        Kraken websocket pair names such as ``"XBT/USD"``.
    depth : int
        Book depth subscribed (10, 25, 100, 500 or 1000).
    trades : bool
        Also subscribe to the ``trade`` channel.
    **options
        ``ws_url``, ``batch_size``... of :class:`ExchangeFeed`.
    """

    name = "kraken"
    WS_URL = "wss://ws.kraken.com"

    def __init__(
        self,
        symbols: list[str],
        ws_url: str | None = None,
        rest_url: str | None = None,
        *,
        depth: int = 1000,
        trades: bool = True,
        **options: Any,
    ) -> None:
        if depth not in DEPTHS:
            raise InvalidInput(f"'depth' must be one of {', '.join(map(str, DEPTHS))}; got {depth!r}.")
        self.MAX_DEPTH = depth
        super().__init__(symbols, ws_url, rest_url, **options)
        self.depth, self.trades = depth, trades
        self._decimals: dict[str, tuple[int, int]] = {}
        self.checksums_verified = 0
        self.checksum_failures = 0

    def _subscription(self, event: str, pairs: list[str], name: str) -> str:
        subscription = {"name": name, "depth": self.depth} if name == "book" else {"name": name}
        return json.dumps({"event": event, "pair": pairs, "subscription": subscription})

    async def _on_open(self, ws) -> None:
        await ws.send(self._subscription("subscribe", self.symbols, "book"))
        if self.trades:
            await ws.send(self._subscription("subscribe", self.symbols, "trade"))

    async def _resync_books(self, ws, symbols: set[str]) -> None:
        pairs = sorted(symbols)
        await ws.send(self._subscription("unsubscribe", pairs, "book"))
        await ws.send(self._subscription("subscribe", pairs, "book"))

    def _handle(self, message: Any, received_ns: int) -> None:
        if isinstance(message, dict):
            self._event(message)
            return
        if not isinstance(message, list) or len(message) < 4:
            raise MalformedMessage("expected [channelID, data..., channelName, pair]")
        channel, pair = message[-2], self._symbol(message[-1])
        if channel.startswith("book"):
            self._book(pair, message[1:-2])
        elif channel == "trade":
            for price, volume, when, *rest in message[1]:
                aggressor = {"b": 1, "s": -1}.get(rest[0] if rest else None, 0)
                self._trade(pair, seconds_ns(when), float(price), float(volume), aggressor)
        else:
            self.stats.ignored += 1

    def _event(self, message: dict) -> None:
        event = message["event"]
        if event == "subscriptionStatus" and message.get("status") == "error":
            error = str(message.get("errorMessage", ""))
            if "pair" in error.lower() or "currency" in error.lower():
                raise NotFound(f"kraken: {message.get('pair', '?')!r}: {error}")
            raise MalformedMessage(f"subscription error: {error}")
        if event not in ("heartbeat", "systemStatus", "subscriptionStatus", "pong"):
            raise MalformedMessage(f"unknown event {event!r}")
        self.stats.ignored += 1

    def _book(self, pair: str, parts: list[dict]) -> None:
        book = self.books[pair]
        if "as" in parts[0] or "bs" in parts[0]:
            snapshot = parts[0]
            asks, bids = snapshot.get("as", []), snapshot.get("bs", [])
            ask_prices, ask_sizes = parse_levels(asks)
            bid_prices, bid_sizes = parse_levels(bids)
            levels = asks + bids
            self._decimals[pair] = (max(_decimals(x[0]) for x in levels), max(_decimals(x[1]) for x in levels))
            try:
                book.resync(
                    list(zip(bid_prices, bid_sizes, strict=True)),
                    list(zip(ask_prices, ask_sizes, strict=True)),
                    sequence=0,
                    timestamp=max(float(x[2]) for x in levels),
                )
            except InvalidInput as exc:
                self._gap(pair, f"crossed snapshot ({exc})")
                return
            self.stats.snapshots += 1
            when = seconds_ns(max((x[2] for x in levels), key=float))
            self._emit_book(pair, when)
            self._quote(pair, when)
            return
        sides, prices, sizes, times = [], [], [], []
        checksum = None
        for part in parts:
            for key, side in (("a", -1), ("b", 1)):
                levels = part.get(key, [])
                p, s = parse_levels(levels)
                sides += [side] * len(p)
                prices += p
                sizes += s
                times += [level[2] for level in levels]
            checksum = part.get("c", checksum)
        if checksum is None or not prices:
            raise MalformedMessage("book update without levels or checksum")
        if book.stale:  # waiting for the snapshot of a re-subscription
            return
        before = self._held_before(pair, sides, sizes)
        try:
            book.apply_updates(sides, prices, sizes, sequence=None, timestamp=float(max(times, key=float)))
        except InvalidInput as exc:
            self._gap(pair, f"update would cross the book ({exc})")
            return
        when = seconds_ns(max(times, key=float))
        self._emit_levels(pair, when, sides, prices, sizes, before=before)
        expected = book_checksum(book.asks(CHECKSUM_LEVELS), book.bids(CHECKSUM_LEVELS), *self._decimals[pair])
        if expected != int(checksum):
            self.checksum_failures += 1
            self._gap(pair, f"checksum {expected} != {checksum} from Kraken")
            return
        self.checksums_verified += 1
        self._quote(pair, when)

"""Binance spot public market data: diff-depth stream + REST snapshot, best bid/offer, trades.

Implements Binance's "How to manage a local order book correctly" (Spot API
docs, WebSocket Streams): open the ``<symbol>@depth@100ms`` stream and buffer
its events; fetch ``GET /api/v3/depth?symbol=S&limit=1000``; drop buffered
events with ``u <= lastUpdateId``; the first applied event must have
``U <= lastUpdateId + 1 <= u``, and every later one ``U = previous u + 1``.
Anything else is a gap: the book is marked stale and rebuilt the same way,
while the connection stays up. ``<symbol>@bookTicker`` adds real-time best
bid/offer ticks newer than the book, ``<symbol>@aggTrade`` the trades (``m``, "is the buyer the market maker",
gives the aggressor side of the TRADE rows reported to ``on_event``). All
streams of all symbols share one combined-stream connection
(``/stream?streams=a/b/c``). An unknown symbol is reported by the REST
endpoint (error ``-1121``) and raised as :class:`~hftlab.errors.NotFound`.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

from hftlab.errors import BackendUnavailable, InvalidInput, NotFound
from hftlab.market.exchanges.base import ExchangeFeed, MalformedMessage, logger, parse_levels
from hftlab.retry import Backoff

INVALID_SYMBOL = -1121
DEPTH_LIMITS = (5, 10, 20, 50, 100, 500, 1000, 5000)
_SNAPSHOT_ATTEMPTS = 5


def http_json(url: str, timeout: float) -> Any:
    """GET ``url`` and decode its JSON body (stdlib only: the REST calls are rare)."""
    request = urllib.request.Request(url, headers={"User-Agent": "hftlab", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


class BinanceFeed(ExchangeFeed):
    """Binance spot order books, best bid/offer and trades (see the module docstring).

    Parameters
    ----------
    symbols : list of str
        Binance symbols such as ``"BTCUSDT"`` (case-insensitive).
    depth_limit : int
        Levels of the REST snapshot (5, 10, 20, 50, 100, 500, 1000 or 5000).
    **options
        ``ws_url``, ``rest_url``, ``batch_size``... of :class:`ExchangeFeed`.
    """

    name = "binance"
    WS_URL = "wss://stream.binance.com:9443"
    REST_URL = "https://api.binance.com"

    def __init__(
        self,
        symbols: list[str],
        ws_url: str | None = None,
        rest_url: str | None = None,
        *,
        depth_limit: int = 1000,
        **options: Any,
    ) -> None:
        if depth_limit not in DEPTH_LIMITS:
            choices = ", ".join(map(str, DEPTH_LIMITS))
            raise InvalidInput(f"'depth_limit' must be one of {choices}; got {depth_limit!r}.")
        super().__init__([s.upper() for s in symbols], ws_url, rest_url, **options)
        self.depth_limit = depth_limit
        self._pending: dict[str, list | None] = {s: [] for s in self.symbols}
        self._fetching: set[str] = set()

    def _url(self) -> str:
        kinds = ("depth@100ms", "bookTicker", "aggTrade")
        streams = "/".join(f"{s.lower()}@{kind}" for s in self.symbols for kind in kinds)
        return f"{self.ws_url}/stream?streams={streams}"

    async def _on_open(self, ws) -> None:
        self._fetching.clear()
        self._pending = {s: [] for s in self.symbols}
        await self._resync_books(ws, set(self.symbols))

    async def _resync_books(self, ws, symbols: set[str]) -> None:
        for symbol in sorted(symbols - self._fetching):
            self._fetching.add(symbol)
            if self._pending[symbol] is None:
                self._pending[symbol] = []
            self._spawn(self._fetch_snapshot(symbol))

    # ------------------------------------------------------------ REST snapshot

    async def _fetch_snapshot(self, symbol: str) -> None:
        url = f"{self.rest_url}/api/v3/depth?symbol={symbol}&limit={self.depth_limit}"
        backoff = Backoff(self.reconnect_delay, self.max_reconnect_delay)
        for attempt in range(1, _SNAPSHOT_ATTEMPTS + 1):
            try:
                data = await asyncio.to_thread(http_json, url, self.open_timeout)
            except urllib.error.HTTPError as exc:
                if _error_code(exc) == INVALID_SYMBOL:
                    self._call_soon(_raiser(NotFound(f"binance: unknown symbol {symbol!r} (REST {url}).")))
                    return
                error: Exception = exc
            except (OSError, ValueError) as exc:
                error = exc
            else:
                self._call_soon(lambda snapshot=data: self._apply_snapshot(symbol, snapshot))
                return
            logger.warning("binance %s: depth snapshot failed (%s), attempt %d", symbol, error, attempt)
            await asyncio.sleep(backoff.next_delay())
        self._call_soon(_raiser(BackendUnavailable(f"binance: no depth snapshot for {symbol} from {url}.")))

    def _apply_snapshot(self, symbol: str, data: Any) -> None:
        self._fetching.discard(symbol)
        events, self._pending[symbol] = self._pending[symbol] or [], None
        try:
            bids, asks = parse_levels(data["bids"]), parse_levels(data["asks"])
            last_id = int(data["lastUpdateId"])
        except (MalformedMessage, KeyError, TypeError, ValueError, IndexError) as exc:
            self.stats.malformed += 1
            logger.warning("binance %s: malformed depth snapshot (%s); fetching another", symbol, exc)
            self._pending[symbol] = events
            self._resync.add(symbol)
            return
        try:
            self.books[symbol].resync(list(zip(*bids, strict=True)), list(zip(*asks, strict=True)), last_id)
        except InvalidInput as exc:
            self._pending[symbol] = events
            self._gap(symbol, f"crossed snapshot ({exc})")
            return
        self.stats.snapshots += 1
        self._emit_book(symbol, None, last_id)  # the REST snapshot carries no time
        for event in events:
            self._apply_depth(symbol, event)

    # ------------------------------------------------------------ stream messages

    def _handle(self, message: Any, received_ns: int) -> None:
        if "stream" not in message:
            if "result" in message or "id" in message:  # reply to a control request
                self.stats.ignored += 1
                return
            raise MalformedMessage(f"not a combined-stream message: {message!r:.80}")
        kind, data = message["stream"].partition("@")[2], message["data"]
        if kind.startswith("depth"):
            self._apply_depth(self._symbol(data["s"]), data)
        elif kind == "bookTicker":
            symbol = self._symbol(data["s"])
            book = self.books[symbol]
            if book.stale or int(data["u"]) > book.sequence:
                top = [[data["b"], data["B"]], [data["a"], data["A"]]]
                (bid, ask), (bid_size, ask_size) = parse_levels(top)
                self._top_quote(symbol, received_ns, bid, ask, bid_size, ask_size)
        elif kind == "aggTrade":
            aggressor = {True: -1, False: 1}.get(data.get("m"), 0)  # m: the buyer was the maker
            symbol, price, size = self._symbol(data["s"]), float(data["p"]), float(data["q"])
            self._trade(symbol, int(data["T"]) * 1_000_000, price, size, aggressor)
        else:
            self.stats.ignored += 1

    def _apply_depth(self, symbol: str, data: dict) -> None:
        first, last, event_ms = int(data["U"]), int(data["u"]), int(data["E"])
        bid_prices, bid_sizes = parse_levels(data["b"])
        ask_prices, ask_sizes = parse_levels(data["a"])
        if self._pending[symbol] is not None:  # a snapshot is on its way
            self._pending[symbol].append(data)
            return
        book = self.books[symbol]
        sides = [1] * len(bid_prices) + [-1] * len(ask_prices)
        previous = book.sequence
        try:
            applied = book.apply_updates(
                sides,
                bid_prices + ask_prices,
                bid_sizes + ask_sizes,
                sequence=last,
                first_sequence=first,
                timestamp=event_ms / 1e3,
            )
        except InvalidInput as exc:
            self._pending[symbol] = [data]
            self._gap(symbol, f"update {first}..{last} would cross the book ({exc})", previous + 1)
            return
        if book.stale:
            self._pending[symbol] = [data]
            self._gap(symbol, f"update ids {first}..{last} do not follow {previous}", previous + 1)
        elif applied:
            self._emit_levels(
                symbol, event_ms * 1_000_000, sides, bid_prices + ask_prices, bid_sizes + ask_sizes, last
            )
            self._quote(symbol, event_ms * 1_000_000)


def _error_code(error: urllib.error.HTTPError) -> int | None:
    try:
        return int(json.loads(error.read()).get("code"))
    except (ValueError, TypeError, AttributeError, OSError):
        return None


def _raiser(exc: Exception):
    def fail() -> None:
        raise exc

    return fail

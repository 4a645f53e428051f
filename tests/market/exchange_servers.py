"""Loopback exchange servers that replay the real exchange captures of ``hftlab.data``.

Each server speaks its exchange's wire protocol on 127.0.0.1 (a ``websockets``
server, plus a tiny ``http.server`` for Binance's REST depth snapshots) and
sends exactly the recorded payloads, in order, to a subscribed client. Like the
exchange, it keeps the true book of every symbol (every recorded update, also
those it was told not to deliver), so a client that resynchronises mid-stream
gets a snapshot of the book *as it is now*. Faults for the tests:

- ``drop``: capture indices never delivered (a forced gap);
- ``disconnect_after``: close the connection once after that many deliveries;
  ``lost_on_reconnect`` recorded messages pass while the client is away;
- ``garbage``: ``{index: text}`` sent just before the capture message ``index``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import websockets
from websockets.asyncio.server import serve

from hftlab.data import exchange_capture


def read_capture(path: Path) -> list[str]:
    """The payloads the exchange sent, in order (connection and client lines skipped)."""
    payloads = []
    for line in path.read_text().splitlines():
        stamp, sep, payload = line.partition(": ")
        if sep and stamp.replace(".", "", 1).isdigit():
            payloads.append(payload)
    return payloads


class PriceBook:
    """The exchange's own book: price string -> size string per side, as sent."""

    def __init__(self, depth: int | None = None) -> None:
        self.depth = depth
        self.sides: dict[str, dict[str, str]] = {"bids": {}, "asks": {}}

    def replace(self, bids: Iterable, asks: Iterable) -> None:
        self.sides = {"bids": {p: s for p, s, *_ in bids}, "asks": {p: s for p, s, *_ in asks}}

    def set(self, side: str, price: str, size: str) -> None:
        if float(size) == 0:
            self.sides[side].pop(price, None)
        else:
            self.sides[side][price] = size
        if self.depth is not None:
            for key in self.levels(side)[self.depth :]:
                del self.sides[side][key[0]]

    def levels(self, side: str) -> list[tuple[str, str]]:
        """(price, size) strings, best first."""
        return sorted(self.sides[side].items(), key=lambda kv: float(kv[0]), reverse=side == "bids")

    def as_floats(self, side: str) -> list[tuple[float, float]]:
        return [(float(p), float(s)) for p, s in self.levels(side)]


SETTLE = 0.2  # seconds between the snapshots served and a planned disconnect


class ReplayServer:
    """Base: a websocket server on a loopback port in a thread of its own (a context manager)."""

    def __init__(
        self,
        payloads: list[str],
        *,
        drop: Iterable[int] = (),
        disconnect_after: int | None = None,
        lost_on_reconnect: int = 0,
        garbage: dict[int, str] | None = None,
    ) -> None:
        self.payloads = payloads
        self.drop, self.garbage = set(drop), dict(garbage or {})
        self.disconnect_after, self.lost_on_reconnect = disconnect_after, lost_on_reconnect
        self.position = 0  # next capture index
        self.sent = 0  # messages written to clients (capture, garbage and synthesised)
        self.connections = 0
        self.finished = threading.Event()
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self.port = 0

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def __enter__(self) -> ReplayServer:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("replay server did not start")
        return self

    def __exit__(self, *exc_info) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with serve(self._connection, "127.0.0.1", 0, max_size=2**26) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop.wait()

    async def _connection(self, ws) -> None:
        self.connections += 1
        if self.connections > 1:
            for _ in range(self.lost_on_reconnect):  # what the exchange sent while the client was away
                if self.position < len(self.payloads):
                    with self._lock:
                        self.apply(json.loads(self.payloads[self.position]))
                    self.position += 1
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.session(ws)

    async def send(self, ws, payload: str) -> None:
        self.sent += 1
        await ws.send(payload)

    async def replay(self, ws, wants) -> None:
        """Deliver the capture from the current position (``wants(message)``: subscribed to it?)."""
        with contextlib.suppress(websockets.ConnectionClosed):
            await self._replay(ws, wants)

    async def _replay(self, ws, wants) -> None:
        while self.position < len(self.payloads):
            index = self.position
            text = self.payloads[index]
            message = json.loads(text)
            with self._lock:
                self.apply(message)
                self.position += 1
            if index in self.garbage:
                await self.send(ws, self.garbage[index])
            if index not in self.drop and wants(message):
                await self.send(ws, text)
            if self.disconnect_after is not None and self.sent >= self.disconnect_after:
                await self.before_disconnect()
                self.disconnect_after = None
                await ws.close()
                return
            await asyncio.sleep(0)
        self.finished.set()
        await ws.wait_closed()

    async def before_disconnect(self) -> None:
        """Called at the planned disconnect (a subclass waits for its client to sync)."""

    # subclasses
    async def session(self, ws) -> None:
        raise NotImplementedError

    def apply(self, message) -> None:
        """Update the exchange's true books with a capture message."""


# ---------------------------------------------------------------- Binance


class BinanceServer(ReplayServer):
    """Combined streams at ``/stream?streams=...`` and ``GET /api/v3/depth`` snapshots."""

    def __init__(self, payloads: list[str], snapshots: dict[str, dict], **faults) -> None:
        super().__init__(payloads, **faults)
        self.recorded = snapshots
        self.books = {s: PriceBook() for s in snapshots}
        self.last_id = {s: snap["lastUpdateId"] for s, snap in snapshots.items()}
        for symbol, snap in snapshots.items():
            self.books[symbol].replace(snap["bids"], snap["asks"])
        self.snapshot_requests: list[str] = []
        self.subscribed: set[str] = set()  # the books of the current connection
        self.snapshot_connections: list[int] = []  # connection number at each request

    @classmethod
    def from_captures(cls, **faults) -> BinanceServer:
        """The recorded Binance stream and REST snapshots (``hftlab.data.exchange_capture``)."""
        snapshots = {}
        for line in exchange_capture("BINANCE.http.0.0").read_text().splitlines():
            if line:
                url, _, rest = line.partition(" -> ")
                snapshots[parse_qs(urlsplit(url).query)["symbol"][0]] = json.loads(rest.partition(": ")[2])
        return cls(read_capture(exchange_capture("BINANCE.ws.1.0")), snapshots, **faults)

    def apply(self, message) -> None:
        data = message["data"]
        if data.get("e") != "depthUpdate" or data["u"] <= self.last_id[data["s"]]:
            return
        book = self.books[data["s"]]
        for key, side in (("b", "bids"), ("a", "asks")):
            for price, size in data[key]:
                book.set(side, price, size)
        self.last_id[data["s"]] = data["u"]

    async def before_disconnect(self) -> None:
        """Wait until the client has asked for the REST snapshot of every book it subscribed to
        (at most 10 s), then a moment to apply them, so that a lost connection has synced books
        to gap: on a loaded machine a snapshot could come after the planned count of messages,
        and a book's first snapshot is the recorded one, older than what the lost messages did."""
        for _ in range(1000):
            if self.subscribed <= set(self.snapshot_requests):
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(SETTLE)

    async def session(self, ws) -> None:
        streams = set(parse_qs(urlsplit(ws.request.path).query)["streams"][0].split("/"))
        self.subscribed = {name.partition("@")[0].upper() for name in streams} & set(self.books)
        await self.replay(ws, lambda message: message["stream"] in streams)

    def depth(self, symbol: str) -> tuple[int, dict]:
        """The REST answer: the recorded snapshot first, then the book as it is now."""
        with self._lock:
            if symbol not in self.books:
                return 400, {"code": -1121, "msg": "Invalid symbol."}
            first = symbol not in self.snapshot_requests
            self.snapshot_requests.append(symbol)
            self.snapshot_connections.append(self.connections)
            if first:
                return 200, self.recorded[symbol]
            book = self.books[symbol]
            return 200, {
                "lastUpdateId": self.last_id[symbol],
                "bids": [list(level) for level in book.levels("bids")],
                "asks": [list(level) for level in book.levels("asks")],
            }

    def __enter__(self) -> BinanceServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path != "/api/v3/depth":
                    status, body = 404, {"code": -1, "msg": "not found"}
                else:
                    status, body = server.depth(parse_qs(parts.query)["symbol"][0])
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return super().__enter__()

    def __exit__(self, *exc_info) -> None:
        self._http.shutdown()
        self._http.server_close()
        super().__exit__(*exc_info)

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"


# ---------------------------------------------------------------- Kraken


class KrakenServer(ReplayServer):
    """Websocket API v1: subscribe/unsubscribe to ``book`` (and ``trade``) per pair."""

    DEPTH = 1000

    def __init__(self, payloads: list[str], **faults) -> None:
        super().__init__(payloads, **faults)
        self.pairs = {}
        for text in payloads:
            message = json.loads(text)
            if isinstance(message, dict) and message.get("event") == "subscriptionStatus":
                self.pairs[message["pair"]] = message["channelID"]
        self.books = {pair: PriceBook(self.DEPTH) for pair in self.pairs}
        self.snapshot_sent = set()  # pairs whose recorded snapshot has passed

    def apply(self, message) -> None:
        if not isinstance(message, list):
            return
        pair, book = message[-1], self.books[message[-1]]
        for part in message[1:-2]:
            if "as" in part:
                book.replace(part["bs"], part["as"])
                self.snapshot_sent.add(pair)
            for key, side in (("a", "asks"), ("b", "bids")):
                for price, size, *_ in part.get(key, []):
                    book.set(side, price, size)

    async def session(self, ws) -> None:
        subscribed: set[str] = set()
        await self.send(ws, json.dumps({"event": "systemStatus", "status": "online", "version": "1.8.3"}))
        replaying = None
        async for text in ws:
            request = json.loads(text)
            name = request["subscription"]["name"]
            for pair in request["pair"]:
                status = {
                    "channelName": f"book-{self.DEPTH}" if name == "book" else name,
                    "event": "subscriptionStatus",
                    "pair": pair,
                    "subscription": request["subscription"],
                }
                if pair not in self.pairs:
                    await self.send(
                        ws,
                        json.dumps(
                            {**status, "status": "error", "errorMessage": f"Currency pair not supported {pair}"}
                        ),
                    )
                    continue
                if name != "book":
                    await self.send(ws, json.dumps({**status, "channelID": 1, "status": "subscribed"}))
                elif request["event"] == "unsubscribe":
                    subscribed.discard(pair)
                    await self.send(
                        ws, json.dumps({**status, "channelID": self.pairs[pair], "status": "unsubscribed"})
                    )
                else:
                    await self.send(
                        ws, json.dumps({**status, "channelID": self.pairs[pair], "status": "subscribed"})
                    )
                    if pair in self.snapshot_sent:  # the book as it is now (built and sent in one step)
                        await self.send(ws, json.dumps(self._snapshot(pair)))
                    subscribed.add(pair)
            if replaying is None and subscribed:
                replaying = asyncio.create_task(self.replay(ws, lambda m: self._wanted(m, subscribed)))
        if replaying is not None:
            replaying.cancel()

    def _snapshot(self, pair: str) -> list:
        book, stamp = self.books[pair], "1618678133.000000"
        return [
            self.pairs[pair],
            {
                "as": [[p, s, stamp] for p, s in book.levels("asks")],
                "bs": [[p, s, stamp] for p, s in book.levels("bids")],
            },
            f"book-{self.DEPTH}",
            pair,
        ]

    def _wanted(self, message, subscribed: set[str]) -> bool:
        if isinstance(message, dict):
            return message.get("event") == "heartbeat"
        return message[-1] in subscribed


# ---------------------------------------------------------------- Coinbase


class CoinbaseServer(ReplayServer):
    """Exchange feed: ``subscribe``/``unsubscribe`` with product ids and channels."""

    BOOK_TYPES = ("snapshot", "l2update")

    def __init__(self, payloads: list[str], **faults) -> None:
        super().__init__(payloads, **faults)
        self.products = {json.loads(t)["product_id"] for t in payloads if '"product_id"' in t}
        self.books = {p: PriceBook() for p in self.products}
        self.snapshot_sent = set()

    def apply(self, message) -> None:
        kind = message.get("type")
        if kind == "snapshot":
            self.books[message["product_id"]].replace(message["bids"], message["asks"])
            self.snapshot_sent.add(message["product_id"])
        elif kind == "l2update":
            for side, price, size in message["changes"]:
                self.books[message["product_id"]].set("bids" if side == "buy" else "asks", price, size)

    async def session(self, ws) -> None:
        channels: dict[str, set[str]] = {}
        replaying = None
        async for text in ws:
            request = json.loads(text)
            unknown = [p for p in request["product_ids"] if p not in self.products]
            if unknown:
                await self.send(
                    ws,
                    json.dumps(
                        {
                            "type": "error",
                            "message": "Failed to subscribe",
                            "reason": f"{unknown[0]} is not a valid product",
                        }
                    ),
                )
                continue
            book_channel = [c for c in request["channels"] if c.startswith("level2")]
            for product in request["product_ids"]:
                wanted = channels.setdefault(product, set())
                if request["type"] == "unsubscribe":
                    wanted.difference_update(request["channels"])
                    continue
                wanted.update(request["channels"])
                if book_channel and product in self.snapshot_sent:  # the book as it is now
                    book = self.books[product]
                    await self.send(
                        ws,
                        json.dumps(
                            {
                                "type": "snapshot",
                                "product_id": product,
                                "bids": [list(level) for level in book.levels("bids")],
                                "asks": [list(level) for level in book.levels("asks")],
                            }
                        ),
                    )
            await self.send(
                ws,
                json.dumps(
                    {
                        "type": "subscriptions",
                        "channels": [
                            {"name": c, "product_ids": sorted(p for p, w in channels.items() if c in w)}
                            for c in sorted(set().union(*channels.values()))
                        ],
                    }
                ),
            )
            if replaying is None:
                replaying = asyncio.create_task(self.replay(ws, lambda m: self._wanted(m, channels)))
        if replaying is not None:
            replaying.cancel()

    def _wanted(self, message, channels: dict[str, set[str]]) -> bool:
        kind = message.get("type")
        wanted = channels.get(message.get("product_id"), set())
        if kind in self.BOOK_TYPES:
            return any(c.startswith("level2") for c in wanted)
        if kind in ("match", "last_match"):
            return "matches" in wanted
        if kind == "ticker":
            return "ticker" in wanted
        return False  # recorded subscription acknowledgements: this server sends its own


# ---------------------------------------------------------------- driving a feed


async def drain(feed, server: ReplayServer, limit: float = 60.0) -> list:
    """Read ``feed`` until the server has delivered its whole capture, the feed has read
    every message and no book awaits a resync; the batches read."""
    batches = []

    async def consume() -> None:
        async for batch in feed:
            batches.append(batch)

    task = asyncio.create_task(consume())
    try:
        async with asyncio.timeout(limit):
            while not (
                server.finished.is_set()
                and feed.stats.messages >= server.sent
                and not any(book.stale for book in feed.books.values())
            ):
                if task.done():
                    task.result()
                    break
                await asyncio.sleep(0.02)
            await asyncio.sleep(3 * feed.flush_interval)  # the last partial batch
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return batches


def book_differences(feed, server: ReplayServer) -> list[str]:
    """Symbols whose book in the feed differs from the exchange's true book."""
    different = []
    for symbol, book in feed.books.items():
        truth = server.books[symbol]
        ours = [[tuple(level) for level in side.tolist()] for side in (book.bids(), book.asks())]
        if ours != [truth.as_floats("bids"), truth.as_floats("asks")]:
            different.append(symbol)
    return different

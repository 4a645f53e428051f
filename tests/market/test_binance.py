"""Binance connector against a loopback server replaying the real capture (no internet)."""

import asyncio
import json

import pytest
from exchange_servers import BinanceServer, book_differences, drain, read_capture

from hftlab.data import exchange_capture
from hftlab.errors import NotFound
from hftlab.market.exchanges import BinanceFeed

pytestmark = pytest.mark.timeout(120)

FAST = {"batch_size": 50, "flush_interval": 0.05, "reconnect_delay": 0.05, "max_reconnects": 3}


def run(server, **options):
    feed = BinanceFeed(sorted(server.recorded), server.ws_url, server.rest_url, **{**FAST, **options})
    return feed, asyncio.run(drain(feed, server))


def last_update_ids(payloads):
    ids = {}
    for text in payloads:
        data = json.loads(text)["data"]
        if data.get("e") == "depthUpdate":
            ids[data["s"]] = data["u"]
    return ids


def test_book_from_the_capture_keeps_update_id_continuity():
    with BinanceServer.from_captures() as server:
        feed, batches = run(server)
    assert feed.stats.gaps == 0 and feed.stats.malformed == 0
    assert feed.stats.snapshots == 4 and feed.stats.messages == server.sent
    assert {s: book.sequence for s, book in feed.books.items()} == last_update_ids(server.payloads)
    assert book_differences(feed, server) == []
    assert [b.sequence for b in batches] == list(range(1, len(batches) + 1))
    ticks = [b.to_frame() for b in batches]
    trades = [frame[frame.volume > 0] for frame in ticks]
    prints = sorted((str(row.symbol), row.last, row.volume) for frame in trades for row in frame.itertuples())
    assert prints == [("LRCBTC", 0.00000638, 177.0), ("NKNUSDT", 0.3528, 58.0)]  # the two aggTrade messages


def test_book_matches_the_exchanges_best_bid_offer_at_the_same_update_id():
    """bookTicker messages carry the update id of the book they describe: our book must agree."""
    server = BinanceServer.from_captures()
    feed = BinanceFeed(sorted(server.recorded))
    for symbol, snapshot in server.recorded.items():
        feed._apply_snapshot(symbol, snapshot)
    tickers = {}
    for text in server.payloads:
        data = json.loads(text)["data"]
        if "e" not in data:  # bookTicker
            tickers[data["s"], data["u"]] = tuple(map(float, (data["b"], data["a"], data["B"], data["A"])))
    checked = 0
    for text in server.payloads:
        feed._dispatch(text, 0)
        data = json.loads(text)["data"]
        book = feed.books.get(data["s"])
        if data.get("e") == "depthUpdate" and (data["s"], book.sequence) in tickers:
            top = (book.best_bid, book.best_ask, book.best_bid_size, book.best_ask_size)
            assert top == tickers[data["s"], book.sequence]
            checked += 1
    assert checked == 26 and feed.stats.gaps == 0


def test_forced_gap_triggers_a_resync_from_a_fresh_snapshot():
    payloads = read_capture(exchange_capture("BINANCE.ws.1.0"))
    nkn_depth = [i for i, t in enumerate(payloads) if t.startswith('{"stream":"nknusdt@depth')]
    with BinanceServer.from_captures(drop=[nkn_depth[60]]) as server:
        feed, _ = run(server)
    assert feed.stats.gaps == 1 and feed.stats.snapshots == 5
    assert server.snapshot_requests.count("NKNUSDT") == 2
    assert book_differences(feed, server) == []


def test_dropped_connection_reconnects_and_resyncs():
    with BinanceServer.from_captures(disconnect_after=120, lost_on_reconnect=10) as server:
        feed, batches = run(server)
    assert server.connections == 2 and feed.stats.reconnects == 1 and feed.stats.gaps == 0
    resynced = {s for s, c in zip(server.snapshot_requests, server.snapshot_connections, strict=True) if c == 2}
    assert resynced == set(server.recorded)  # every book rebuilt after the reconnection
    assert book_differences(feed, server) == []
    assert [b.sequence for b in batches] == list(range(1, len(batches) + 1))


def test_malformed_messages_are_counted_and_skipped():
    garbage = {
        5: "not json",
        10: '{"stream":"nknusdt@depth@100ms","data":{"s":"NKNUSDT"}}',
        20: '{"stream":"nknusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"NKNUSDT","U":1,"u":2,'
        '"b":[["abc","1"]],"a":[]}}',
        30: "[1, 2, 3]",
        40: '{"stream":"nknusdt@aggTrade","data":{"s":"NKNUSDT","T":1,"p":"-1","q":"5"}}',
    }
    with BinanceServer.from_captures(garbage=garbage) as server:
        feed, _ = run(server)
    assert feed.stats.malformed == 5 and feed.stats.gaps == 0
    assert book_differences(feed, server) == []


def test_unknown_symbol_is_not_found():
    with BinanceServer.from_captures() as server:
        feed = BinanceFeed(["NKNUSDT", "NOPEUSDT"], server.ws_url, server.rest_url, **FAST)
        with pytest.raises(NotFound, match="unknown symbol 'NOPEUSDT'"):
            asyncio.run(drain(feed, server, limit=20))

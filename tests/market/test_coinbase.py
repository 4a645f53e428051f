"""Coinbase connector against a loopback server replaying the real capture (no internet)."""

import asyncio
import json

import pytest
from exchange_servers import CoinbaseServer, book_differences, drain, read_capture

from hftlab.data import exchange_capture
from hftlab.errors import NotFound
from hftlab.market.exchanges import CoinbaseFeed

pytestmark = pytest.mark.timeout(120)

FAST = {
    "batch_size": 200,
    "flush_interval": 0.05,
    "reconnect_delay": 0.05,
    "max_reconnects": 3,
    "book_channel": "level2",
}


@pytest.fixture(scope="module")
def payloads():
    return read_capture(exchange_capture("COINBASE.ws.28.0"))


def run(server, products=None, **options):
    feed = CoinbaseFeed(products or sorted(server.products), server.ws_url, **{**FAST, **options})
    return feed, asyncio.run(drain(feed, server))


def test_books_and_trades_from_the_capture(payloads):
    with CoinbaseServer(payloads) as server:
        feed, batches = run(server)
    assert feed.stats.gaps == 0 and feed.stats.malformed == 0 and feed.stats.snapshots == 10
    assert book_differences(feed, server) == []
    matches = [json.loads(t) for t in payloads if t.startswith('{"type":"match"')]
    frames = [b.to_frame() for b in batches]
    trades = [row for frame in frames for row in frame[frame.volume > 0].itertuples()]
    assert [(str(t.symbol), t.last, t.volume) for t in trades] == [
        (m["product_id"], float(m["price"]), float(m["size"])) for m in matches
    ]
    for frame in frames:
        quoted = frame.dropna(subset=["bid", "ask"])
        assert (quoted.bid < quoted.ask).all()


def test_lost_messages_are_detected_by_the_trade_id_gap_and_the_book_resynced(payloads):
    """A burst of lost SKL-USD messages (book updates and a match): the next match skips a
    trade id, the book is re-subscribed and ends equal to the exchange's."""
    skl = [i for i, t in enumerate(payloads) if '"product_id":"SKL-USD"' in t]
    match = [i for i in skl if payloads[i].startswith('{"type":"match"')][20]
    lost = [i for i in skl if match - 400 < i <= match]
    with CoinbaseServer(payloads, drop=lost) as server:
        feed, _ = run(server)
    assert feed.stats.gaps == 1 and feed.stats.snapshots == 11
    assert book_differences(feed, server) == []


def test_dropped_connection_reconnects_and_resubscribes(payloads):
    with CoinbaseServer(payloads, disconnect_after=3000, lost_on_reconnect=60) as server:
        feed, batches = run(server)
    assert server.connections == 2 and feed.stats.reconnects == 1
    assert feed.stats.gaps == 0 and feed.stats.snapshots == 20
    assert book_differences(feed, server) == []
    assert [b.sequence for b in batches] == list(range(1, len(batches) + 1))


def test_malformed_messages_are_counted_and_skipped(payloads):
    garbage = {
        50: "]",
        150: '{"type":"l2update","product_id":"SKL-USD","changes":[["buy","x","1"]],'
        '"time":"2021-04-17T16:43:37Z"}',
        250: '{"type":"l2update","product_id":"SKL-USD","changes":[["hold","0.79","1"]],'
        '"time":"2021-04-17T16:43:37Z"}',
        350: '{"type":"surprise"}',
        450: '{"type":"match","product_id":"SKL-USD","trade_id":1,"price":"0.79"}',
    }
    with CoinbaseServer(payloads, garbage=garbage) as server:
        feed, _ = run(server)
    assert feed.stats.malformed == 5 and feed.stats.gaps == 0
    assert book_differences(feed, server) == []


def test_unknown_product_is_not_found(payloads):
    with CoinbaseServer(payloads) as server:
        feed = CoinbaseFeed(["SKL-USD", "NOPE-USD"], server.ws_url, **FAST)
        with pytest.raises(NotFound, match="NOPE-USD is not a valid product"):
            asyncio.run(drain(feed, server, limit=20))

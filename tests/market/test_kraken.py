"""Kraken connector against a loopback server replaying the real capture (no internet)."""

import asyncio
import json
import zlib

import pytest
from exchange_servers import KrakenServer, PriceBook, book_differences, drain, read_capture

from hftlab.data import exchange_capture
from hftlab.errors import NotFound
from hftlab.market.exchanges import KrakenFeed
from hftlab.market.exchanges.kraken import book_checksum

pytestmark = pytest.mark.timeout(120)

FAST = {"batch_size": 200, "flush_interval": 0.05, "reconnect_delay": 0.05, "max_reconnects": 3}


@pytest.fixture(scope="module")
def payloads():
    return read_capture(exchange_capture("KRAKEN.ws.50.0"))


def run(server, pairs=None, **options):
    feed = KrakenFeed(pairs or sorted(server.pairs), server.ws_url, **{**FAST, **options})
    return feed, asyncio.run(drain(feed, server))


def recorded_checksums(payloads):
    return sum(1 for t in payloads if t.startswith("[") and '"c":' in t)


def test_checksum_of_kraken_documentation_example():
    """The worked example of Kraken's "Book checksum" guide (v1): string and CRC32."""
    asks = [
        (0.05005, 0.00000500),
        (0.05010, 0.00000500),
        (0.05015, 0.00000500),
        (0.05020, 0.00000500),
        (0.05025, 0.00000500),
        (0.05030, 0.00000500),
        (0.05035, 0.00000500),
        (0.05040, 0.00000500),
        (0.05045, 0.00000500),
        (0.05050, 0.00000500),
    ]
    bids = [
        (0.05000, 0.00000500),
        (0.04995, 0.00000500),
        (0.04990, 0.00000500),
        (0.04980, 0.00000500),
        (0.04975, 0.00000500),
        (0.04970, 0.00000500),
        (0.04965, 0.00000500),
        (0.04960, 0.00000500),
        (0.04955, 0.00000500),
        (0.04950, 0.00000500),
    ]
    text = "".join(f"{p:.5f}".replace(".", "").lstrip("0") + "500" for p, _ in asks + bids)
    assert text.startswith("50055005010500")
    assert book_checksum(asks, bids, 5, 8) == zlib.crc32(text.encode()) == 974947235


def test_every_update_of_the_capture_passes_its_crc32_checksum(payloads):
    with KrakenServer(payloads) as server:
        feed, batches = run(server)
    assert feed.checksums_verified == recorded_checksums(payloads) == 4269
    assert feed.checksum_failures == 0 and feed.stats.gaps == 0 and feed.stats.malformed == 0
    assert feed.stats.snapshots == 10
    assert book_differences(feed, server) == []
    frame = batches[-1].to_frame()
    assert (frame.bid < frame.ask).all() and (frame.volume == 0).all()


def first_top_of_book_update(payloads, pair, after):
    """Index of the first update of ``pair`` after ``after`` that changes one of its top 10 levels."""
    book = PriceBook(1000)
    for index, text in enumerate(payloads):
        message = json.loads(text)
        if not isinstance(message, list) or message[-1] != pair:
            continue
        part = message[1]
        if "as" in part:
            book.replace(part["bs"], part["as"])
            continue
        side, levels = ("asks", part["a"]) if "a" in part else ("bids", part["b"])
        top = {p for p, _ in book.levels(side)[:10]}
        if index > after and any(price in top for price, *_ in levels):
            return index
        for price, size, *_ in levels:
            book.set(side, price, size)
    raise AssertionError("no such update")


def test_forced_gap_fails_the_checksum_and_resubscribes(payloads):
    dropped = first_top_of_book_update(payloads, "XMR/USD", after=1000)
    with KrakenServer(payloads, drop=[dropped]) as server:
        feed, _ = run(server)
    assert feed.checksum_failures == 1 and feed.stats.gaps == 1
    assert feed.stats.snapshots == 11
    assert book_differences(feed, server) == []


def test_dropped_connection_reconnects_and_resubscribes(payloads):
    with KrakenServer(payloads, disconnect_after=1500, lost_on_reconnect=40) as server:
        feed, batches = run(server)
    assert server.connections == 2 and feed.stats.reconnects == 1
    assert feed.stats.gaps == 0 and feed.stats.snapshots == 20
    assert book_differences(feed, server) == []
    assert [b.sequence for b in batches] == list(range(1, len(batches) + 1))


def test_malformed_messages_are_counted_and_skipped(payloads):
    garbage = {
        100: "{",
        200: '[992, {"a": [["x", "1.0", "1618678134.0"]], "c": "1"}, "book-1000", "XMR/USD"]',
        300: '{"event": "mystery"}',
        400: '[992, {"b": [["354.1", "-1", "1618678134.0"]], "c": "1"}, "book-1000", "XMR/USD"]',
        500: '[992, {"b": [["354.1", "1", "1618678134.0"]]}, "book-1000", "NOT/APAIR"]',
    }
    with KrakenServer(payloads, garbage=garbage) as server:
        feed, _ = run(server)
    assert feed.stats.malformed == 5 and feed.stats.gaps == 0
    assert feed.checksums_verified == 4269
    assert book_differences(feed, server) == []


def test_trades_become_ticks_with_last_and_volume():
    feed = KrakenFeed(["XBT/USD"])
    trade = [
        0,
        [
            ["5541.20000", "0.15850568", "1534614057.321597", "s", "l", ""],
            ["6060.00000", "0.02455000", "1534614057.324998", "b", "l", ""],
        ],
        "trade",
        "XBT/USD",
    ]
    feed._dispatch(json.dumps(trade), 0)
    batch = feed._buffer.cut(1)
    assert batch.last.tolist() == [5541.2, 6060.0]
    assert batch.volume.tolist() == [0.15850568, 0.02455]
    assert batch.timestamp.tolist() == [1534614057321597000, 1534614057324998000]


def test_unknown_pair_is_not_found(payloads):
    with KrakenServer(payloads) as server:
        feed = KrakenFeed(["XMR/USD", "NOT/APAIR"], server.ws_url, **FAST)
        with pytest.raises(NotFound, match="NOT/APAIR"):
            asyncio.run(drain(feed, server, limit=20))

"""What the exchange connectors share: time parsing, backoff and giving up, logging of bad messages."""

import asyncio
import logging

import pytest
import websockets

from hftlab.errors import BackendUnavailable
from hftlab.market.exchanges import KrakenFeed
from hftlab.market.exchanges.base import MalformedMessage, iso_ns, parse_levels, seconds_ns


def test_exchange_times_become_exact_nanoseconds():
    assert iso_ns("2021-04-17T16:43:37.075687Z") == 1_618_677_817_075_687_000
    assert seconds_ns("1618678133.365913") == 1_618_678_133_365_913_000
    assert seconds_ns("1618678133") == 1_618_678_133_000_000_000


def test_levels_are_checked():
    assert parse_levels([["0.35", "672.0"], [1, 0]]) == ([0.35, 1.0], [672.0, 0.0])
    for bad in (["0", "1"], ["-1", "1"], ["1", "-2"], ["nan", "1"], ["1", "inf"]):
        with pytest.raises(MalformedMessage):
            parse_levels([bad])


@pytest.mark.timeout(60)
def test_backoff_doubles_then_gives_up_with_backend_unavailable(monkeypatch, free_port):
    pauses = []
    real_sleep = asyncio.sleep

    async def recorded_sleep(seconds):
        pauses.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr("hftlab.market.exchanges.base.asyncio.sleep", recorded_sleep)
    feed = KrakenFeed(
        ["XBT/USD"],
        f"ws://127.0.0.1:{free_port}",
        reconnect_delay=0.1,
        max_reconnect_delay=0.25,
        max_reconnects=4,
        open_timeout=5,
    )

    async def consume():
        async for _ in feed:
            pass

    with pytest.raises(BackendUnavailable, match="kraken feed: 5 failed connection"):
        asyncio.run(consume())
    assert feed.stats.reconnects == 4
    assert [round(p / d, 1) for p, d in zip(pauses, (0.1, 0.2, 0.25, 0.25), strict=True)] == pytest.approx(
        [1.0] * 4, abs=0.21
    )  # 0.1, 0.2, then capped at 0.25, each with +-20 % jitter


def test_malformed_messages_are_logged_and_counted(caplog):
    feed = KrakenFeed(["XBT/USD"])
    with caplog.at_level(logging.WARNING, logger="hftlab.market.exchanges"):
        feed._dispatch("{broken", 0)
        feed._dispatch('[1, {"a": [["1", "x", "1"]], "c": "0"}, "book-1000", "XBT/USD"]', 0)
    assert feed.stats.malformed == 2 and feed.stats.messages == 2
    assert [r.getMessage()[:38] for r in caplog.records] == [
        "kraken: malformed message skipped (JSO",
        "kraken: malformed message skipped (Val",
    ]


@pytest.mark.timeout(60)
def test_a_cancel_that_meets_a_message_ends_the_stream():
    """The recorder stops a feed by cancelling it while messages pour in; on Python 3.11
    ``asyncio.wait_for`` returns the message and drops such a cancel, and the feed then ran on
    (and the recording never ended) once the server fell silent."""

    async def main():
        async def silent(ws):
            await ws.wait_closed()

        async with websockets.serve(silent, "127.0.0.1", 0) as server:
            feed = KrakenFeed(["XBT/USD"], f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}")

            async def consume():
                async for _ in feed:
                    pass

            task = asyncio.create_task(consume())
            while feed._inbox is None or not feed._inbox._getters:  # connected, waiting for a message
                await asyncio.sleep(0.01)
            feed._inbox.put_nowait(("call", lambda: None))
            task.cancel()
            done, _ = await asyncio.wait({task}, timeout=20)
            return done, task

    done, task = asyncio.run(main())
    assert done and task.cancelled()

"""The recorder against loopback servers replaying the real exchange captures (no internet)."""

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import numpy as np
import pandas as pd
import pytest
from exchange_servers import BinanceServer, CoinbaseServer, KrakenServer, book_differences, drain, read_capture

import hftlab
from hftlab.data import exchange_capture
from hftlab.errors import InvalidInput, NotFound
from hftlab.market.event_sources import recordings
from hftlab.market.events import EventKind, load_events, validate_events
from hftlab.market.exchanges import FEEDS
from hftlab.market.recorder import EventWriter, record_market_data

pytestmark = pytest.mark.timeout(180)

ROOT = Path(__file__).resolve().parents[2]
FAST = {"flush_interval": 0.05, "reconnect_delay": 0.05, "max_reconnects": 3}
PART = re.compile(
    r"venue=(?P<venue>[^/]+)/symbol=(?P<symbol>[^/]+)/hour=(?P<hour>\d{4}-\d\d-\d\dT\d\d)/part-\d+\.parquet$"
)


def binance_server(**faults):
    return BinanceServer.from_captures(**faults)


def kraken_server(**faults):
    return KrakenServer(read_capture(exchange_capture("KRAKEN.ws.50.0")), **faults)


def coinbase_server(**faults):
    return CoinbaseServer(read_capture(exchange_capture("COINBASE.ws.28.0")), **faults)


SERVERS = {"binance": binance_server, "kraken": kraken_server, "coinbase": coinbase_server}


SYMBOLS = {"binance": "recorded", "kraken": "pairs", "coinbase": "products"}  # the servers' attributes


def server_symbols(venue, server):
    return sorted(getattr(server, SYMBOLS[venue]))


def record_with_connector(venue, server, out_dir, **options):
    """A connector with an EventWriter as its on_event, run until the capture is delivered and applied."""
    urls = (server.ws_url, server.rest_url) if venue == "binance" else (server.ws_url,)
    extra = {"book_channel": "level2"} if venue == "coinbase" else {}
    feed = FEEDS[venue](server_symbols(venue, server), *urls, **FAST, **extra, **options)
    writer = EventWriter(out_dir, venue, feed.symbols, chunk_rows=2_000)
    feed.on_event = writer.add
    asyncio.run(drain(feed, server))
    writer.close()
    return feed, writer


def rebuilt_book(events):
    """(bids best first, asks best first) after applying CLEAR, SNAPSHOT and DEPTH rows."""
    sides = {1: {}, -1: {}}
    for kind, side, price, qty in zip(
        *(events[c].tolist() for c in ("kind", "side", "price", "qty")), strict=True
    ):
        if kind == EventKind.CLEAR:
            for s in (1, -1):
                if side in (0, s):
                    sides[s].clear()
        elif kind in (EventKind.DEPTH, EventKind.SNAPSHOT) and qty > 0:
            sides[side][price] = qty
        elif kind in (EventKind.DEPTH, EventKind.SNAPSHOT):
            sides[side].pop(price, None)
    return sorted(sides[1].items(), reverse=True), sorted(sides[-1].items())


def book_of(feed, symbol):
    book = feed.books[symbol]
    return [tuple(level) for level in book.bids().tolist()], [tuple(level) for level in book.asks().tolist()]


@pytest.fixture(scope="module", params=list(SERVERS))
def recording(request, tmp_path_factory):
    venue = request.param
    out_dir = tmp_path_factory.mktemp(f"recording-{venue}")
    with SERVERS[venue]() as server:
        feed, writer = record_with_connector(venue, server, out_dir)
        assert book_differences(feed, server) == []
    return SimpleNamespace(venue=venue, server=server, feed=feed, writer=writer, out_dir=out_dir)


def test_recorded_rows_rebuild_the_connectors_books(recording):
    venue, feed, writer, out_dir = recording.venue, recording.feed, recording.writer, recording.out_dir
    assert feed.stats.gaps == 0 and writer.gaps == writer.resyncs == 0
    assert sum(writer.written.values()) == writer.received
    for symbol in feed.symbols:
        events = load_events(out_dir, venue=venue, symbol=symbol)
        assert len(events) == writer.written[symbol]
        assert rebuilt_book(events) == book_of(feed, symbol), symbol
        ids = events["update_id"][events["update_id"] != 0]
        assert (np.diff(ids) >= 0).all()
        assert (np.diff(events["local_ts"]) >= 0).all() and (np.diff(events["exch_ts"]) >= 0).all()
        snapshots = np.flatnonzero(events["kind"] == EventKind.CLEAR)
        assert len(snapshots) == 1 and events["side"][snapshots[0]] == 0  # one book, never resynced


def test_trades_are_recorded_with_the_venues_times_and_aggressor_sides(recording):
    venue, server, feed, out_dir = recording.venue, recording.server, recording.feed, recording.out_dir
    recorded = []
    for symbol in feed.symbols:
        events = load_events(out_dir, venue=venue, symbol=symbol)
        trades = events[events["kind"] == EventKind.TRADE]
        recorded += [(symbol, row["price"], row["qty"], int(row["side"])) for row in trades]
    messages = [json.loads(text) for text in server.payloads]
    if venue == "binance":  # aggTrade: m = the buyer was the maker (a sell took liquidity)
        sent = [m["data"] for m in messages if m["stream"].endswith("@aggTrade")]
        expected = [(t["s"], float(t["p"]), float(t["q"]), -1 if t["m"] else 1) for t in sent]
        assert len(expected) == 2
    elif venue == "kraken":  # trade: [price, volume, time, side (the taker's), ...]
        sent = [(m[-1], t) for m in messages if isinstance(m, list) and m[-2] == "trade" for t in m[1]]
        expected = [(pair, float(t[0]), float(t[1]), 1 if t[3] == "b" else -1) for pair, t in sent]
    else:  # match: side = the maker's
        sent = [m for m in messages if m.get("type") == "match"]
        expected = [
            (m["product_id"], float(m["price"]), float(m["size"]), 1 if m["side"] == "sell" else -1)
            for m in sent
        ]
    assert sorted(recorded) == sorted(expected)
    assert len(expected) == {"binance": 2, "kraken": 0, "coinbase": 97}[venue]  # Kraken's capture: none


def test_partitions_are_hive_style_by_venue_symbol_and_hour(recording):
    venue, feed, writer, out_dir = recording.venue, recording.feed, recording.writer, recording.out_dir
    parts = sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*.parquet"))
    assert parts == sorted(str(Path(f).relative_to(out_dir)) for f in writer.files)
    assert not list(out_dir.rglob("*.tmp"))
    symbols = set()
    for part in parts:
        match = PART.match(part)
        assert match and match["venue"] == venue, part
        symbols.add(match["symbol"])
        events = load_events(out_dir / part)  # every part is a native events file of its own
        hour = pd.Timestamp(match["hour"], tz="UTC").value
        assert hour <= events["exch_ts"][0] and events["exch_ts"][-1] < hour + 3_600_000_000_000
    assert symbols == {quote(s, safe="") for s in feed.symbols}
    if venue == "kraken":
        assert "symbol=XMR%2FUSD" in {p.split("/")[1] for p in parts}
    symbol = feed.symbols[0]
    directory = out_dir / f"venue={venue}" / f"symbol={quote(symbol, safe='')}"
    assert np.array_equal(load_events(directory), load_events(out_dir, venue=venue, symbol=symbol))


def test_replay_of_a_recording_ends_at_the_books_best_bid_and_ask(recording):
    venue, feed, out_dir = recording.venue, recording.feed, recording.out_dir
    symbols = feed.symbols
    ticks = pd.concat(
        b.to_frame()
        for b in hftlab.stream_market_data(symbols, source="replay", path=str(out_dir), batch_size=500)
    )
    assert set(ticks["symbol"].astype(str)) == set(symbols)
    for symbol in symbols:
        last = ticks[ticks["symbol"] == symbol].iloc[-1]
        book = feed.books[symbol]
        assert (last.bid, last.ask, last.bid_size, last.ask_size) == (
            book.best_bid,
            book.best_ask,
            book.best_bid_size,
            book.best_ask_size,
        )
    traded = ticks[ticks.volume > 0]
    trade_rows = sum(
        int((load_events(out_dir, venue=venue, symbol=s)["kind"] == EventKind.TRADE).sum()) for s in symbols
    )
    assert len(traded) == trade_rows


def test_loading_a_directory_of_several_recordings_needs_the_symbol(recording):
    venue, out_dir = recording.venue, recording.out_dir
    with pytest.raises(InvalidInput, match="'symbol'"):
        load_events(out_dir)
    with pytest.raises(NotFound, match="symbol 'NOPE'"):
        load_events(out_dir, venue=venue, symbol="NOPE")


def test_forced_gap_is_a_gap_row_then_a_resync_from_a_fresh_snapshot(tmp_path):
    payloads = read_capture(exchange_capture("BINANCE.ws.1.0"))
    nkn_depth = [i for i, t in enumerate(payloads) if t.startswith('{"stream":"nknusdt@depth')]
    dropped = json.loads(payloads[nkn_depth[60]])["data"]
    with binance_server(drop=[nkn_depth[60]]) as server:
        feed, writer = record_with_connector("binance", server, tmp_path)
        assert book_differences(feed, server) == []
    assert feed.stats.gaps == 1 and writer.gaps == 1 and writer.resyncs == 1
    events = load_events(tmp_path, venue="binance", symbol="NKNUSDT")  # validated: GAP..RESYNC may cross
    kinds = events["kind"]
    gap = int(np.flatnonzero(kinds == EventKind.GAP)[0])
    assert events["update_id"][gap] == dropped["U"]  # the first missing update id
    clears = np.flatnonzero(kinds == EventKind.CLEAR)
    assert len(clears) == 2 and clears[1] > gap
    resync = int(np.flatnonzero(kinds == EventKind.RESYNC)[0])
    assert set(kinds[gap + 1 : clears[1]].tolist()) <= {EventKind.TRADE}  # the stale book records nothing
    snapshot = kinds[clears[1] + 1 : resync]
    assert len(snapshot) and (snapshot == EventKind.SNAPSHOT).all()
    assert events["update_id"][resync] == events["update_id"][clears[1]]  # the snapshot's lastUpdateId
    assert events["update_id"][resync] >= dropped["u"]
    validate_events(events[clears[1] :])  # the data from the resync on stands on its own
    assert rebuilt_book(events) == book_of(feed, "NKNUSDT")
    assert rebuilt_book(events[clears[1] :]) == book_of(feed, "NKNUSDT")


def test_a_lost_connection_is_a_gap_of_every_synced_book_then_a_resync(tmp_path):
    with binance_server(disconnect_after=120, lost_on_reconnect=10) as server:
        feed, writer = record_with_connector("binance", server, tmp_path)
        assert book_differences(feed, server) == []
    assert feed.stats.reconnects == 1 and feed.stats.gaps == 0
    assert writer.gaps == writer.resyncs > 0
    for symbol in feed.symbols:
        events = load_events(tmp_path, venue="binance", symbol=symbol)
        kinds = events["kind"].tolist()
        assert rebuilt_book(events) == book_of(feed, symbol)
        if EventKind.GAP in kinds:  # the book was in sync when the connection dropped
            gap = kinds.index(EventKind.GAP)
            assert events["update_id"][gap] == 0  # what was missed is unknown
            assert kinds.index(EventKind.RESYNC) > kinds.index(EventKind.CLEAR, gap) > gap


def test_a_coinbase_trade_id_gap_names_the_first_missing_trade(tmp_path):
    payloads = read_capture(exchange_capture("COINBASE.ws.28.0"))
    skl = [i for i, t in enumerate(payloads) if '"product_id":"SKL-USD"' in t]
    match = [i for i in skl if payloads[i].startswith('{"type":"match"')][20]
    lost = [i for i in skl if match - 400 < i <= match]
    previous = max(
        int(json.loads(payloads[i])["trade_id"]) for i in skl if i < match - 400 and '"match"' in payloads[i]
    )
    with coinbase_server(drop=lost) as server:
        feed, writer = record_with_connector("coinbase", server, tmp_path)
        assert book_differences(feed, server) == []
    assert feed.stats.gaps == writer.gaps == writer.resyncs == 1
    events = load_events(tmp_path, venue="coinbase", symbol="SKL-USD")
    kinds = events["kind"].tolist()
    gap = kinds.index(EventKind.GAP)
    assert events["update_id"][gap] == previous + 1 and kinds[gap - 1] == EventKind.TRADE
    assert rebuilt_book(events) == book_of(feed, "SKL-USD")


def test_a_depth_limited_book_records_the_levels_it_drops_and_every_resync(tmp_path):
    """Kraken depth 10 against a depth-1000 stream: levels pushed past depth 10 are dropped (DEPTH
    rows of size 0), and checksums fail whenever a level should re-enter the top 10 (GAP, then a
    re-subscription's snapshot and RESYNC): the rows still rebuild the connector's books."""
    with kraken_server() as server:
        feed, writer = record_with_connector("kraken", server, tmp_path, depth=10)
    assert writer.gaps == writer.resyncs == feed.stats.gaps > 100
    for pair in feed.symbols:
        events = load_events(tmp_path, venue="kraken", symbol=pair)
        bids, asks = book_of(feed, pair)
        assert rebuilt_book(events) == (bids, asks) and len(bids) <= 10 and len(asks) <= 10, pair
        kinds = events["kind"][np.isin(events["kind"], (EventKind.GAP, EventKind.RESYNC))]
        assert (kinds[::2] == EventKind.GAP).all() and (kinds[1::2] == EventKind.RESYNC).all()


@pytest.mark.parametrize("recording", ["binance"], indirect=True)
def test_record_market_data_writes_what_the_connector_reports(recording, tmp_path):
    feed, writer, out_dir = recording.feed, recording.writer, recording.out_dir
    with binance_server() as fresh:
        summary = record_market_data(
            "binance",
            sorted(fresh.recorded),
            tmp_path,
            ws_url=fresh.ws_url,
            rest_url=fresh.rest_url,
            max_events=writer.received,  # the whole capture
            duration=60,
            **FAST,
        )
    assert summary.rows == writer.written and summary.gaps == summary.resyncs == 0
    assert all(Path(f).is_file() for f in summary.files) and summary.seconds > 0
    assert "binance: " in str(summary) and "0 gap(s)" in str(summary)
    for symbol in feed.symbols:
        ours = load_events(tmp_path, venue="binance", symbol=symbol)
        reference = load_events(out_dir, venue="binance", symbol=symbol)
        for kind_filter in (lambda k: k == EventKind.TRADE, lambda k: k != EventKind.TRADE):
            a, b = ours[kind_filter(ours["kind"])], reference[kind_filter(reference["kind"])]
            for column in ("kind", "side", "price", "qty", "update_id"):
                assert np.array_equal(a[column], b[column]), (symbol, column)


@pytest.mark.parametrize("recording", ["binance"], indirect=True)
def test_tick_backtest_runs_on_a_recording(recording):
    out_dir = recording.out_dir
    events = load_events(out_dir, venue="binance", symbol="NKNUSDT")
    result = hftlab.tick_backtest(events, "grid", {"half_spread": 0.0001}, tick_size=0.0001, sample_every="1s")
    assert isinstance(result.fills, pd.DataFrame)  # no fills here: one trade, and risk-averse queues
    assert result.summary()["stats.events"] == len(events)  # every event replayed


def test_bad_arguments_name_the_field(tmp_path):
    with pytest.raises(InvalidInput, match="'venue'"):
        record_market_data("nasdaq", ["AAPL"], tmp_path)
    with pytest.raises(InvalidInput, match="'symbols'"):
        record_market_data("binance", [], tmp_path)
    with pytest.raises(InvalidInput, match="'duration'"):
        record_market_data("binance", ["BTCUSDT"], tmp_path, duration=-1)
    with pytest.raises(InvalidInput, match="'max_events'"):
        record_market_data("binance", ["BTCUSDT"], tmp_path, max_events=0)


def cli(*args):
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "hftlab", "record", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process, timeout):
    """``process.communicate``; past ``timeout``, fail with the tracebacks of all its threads
    (SIGABRT makes faulthandler print them) and what it wrote."""
    try:
        return process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        out, err = process.communicate(timeout=30)
        pytest.fail(f"the recorder ran past {timeout} s; stdout:\n{out}\nstderr:\n{err}")


def test_cli_records_to_a_directory_and_prints_a_summary(tmp_path):
    with binance_server() as server:
        symbols = sorted(server.recorded)
        process = cli(
            "binance",
            *symbols,
            "--out",
            str(tmp_path),
            "--ws-url",
            server.ws_url,
            "--rest-url",
            server.rest_url,
            "--max-events",
            "2000",
            "--duration",
            "60",
        )
        out, err = finish(process, timeout=120)
    assert process.returncode == 0, err
    assert re.search(r"recorded binance: [\d,]+ events of 4 symbol\(s\) in \d+ file\(s\)", out), out
    assert "record binance" in err  # the progress line
    recorded = sorted(symbol for _, symbol in recordings(tmp_path, venue="binance"))
    assert set(recorded) <= set(symbols) and len(recorded) >= 2, recorded  # a late book may miss the 2000
    assert sum(len(load_events(tmp_path, venue="binance", symbol=s)) for s in recorded) >= 2000


def test_cli_ctrl_c_stops_cleanly_and_closes_the_files(tmp_path):
    with binance_server() as server:
        process = cli(
            "binance",
            "NKNUSDT",
            "LRCBTC",
            "--out",
            str(tmp_path),
            "--ws-url",
            server.ws_url,
            "--rest-url",
            server.rest_url,
        )
        err: list[str] = []
        reader = threading.Thread(
            target=lambda: err.extend(iter(lambda: process.stderr.read(1), "")), daemon=True
        )
        reader.start()
        deadline = time.monotonic() + 60
        while max(map(int, re.findall(r"(\d+)event", "".join(err))), default=0) < 3000:  # both books, and more
            assert time.monotonic() < deadline and process.poll() is None, "".join(err)
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        out = process.stdout.read()
        process.wait(60)
        reader.join(10)
    assert process.returncode == 0, "".join(err)
    assert "recorded binance:" in out and "Traceback" not in "".join(err)
    assert not list(tmp_path.rglob("*.tmp"))
    rows = {s: len(load_events(tmp_path, venue="binance", symbol=s)) for s in ("NKNUSDT", "LRCBTC")}
    assert sum(rows.values()) >= 3000 and f"{sum(rows.values()):,} events of 2 symbol(s)" in out

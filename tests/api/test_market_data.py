"""stream_market_data and order_book on both backends: parity, resume, NOT_FOUND, bad input, cleanup."""

import sys
import time
from pathlib import Path

import numpy as np
import pytest

import hftlab
from hftlab.data import exchange_capture
from hftlab.errors import InvalidInput, NotFound
from hftlab.market import streams
from hftlab.market.feeds import concat_batches

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "market"))
from exchange_servers import BinanceServer, KrakenServer, read_capture

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def sources(lobster_files):
    """Both deterministic sources, as keyword arguments of stream_market_data."""
    return {
        "simulated": {"symbols": ["AAPL", "BTC-USD"], "source": "simulated", "seed": 11},
        "replay": {"symbols": ["AAPL"], "source": "replay", "path": str(lobster_files.message)},
    }


@pytest.mark.parametrize("source", ["simulated", "replay"])
def test_stream_equals_the_direct_computation(backend, sources, source):
    kwargs = {**sources[source], "batch_size": 300, "max_batches": 3}
    batches = list(hftlab.stream_market_data(**kwargs))
    expected = list(streams.stream_market_data(**kwargs))
    assert [b.sequence for b in batches] == [1, 2, 3]
    assert hftlab.differences(batches, expected) == []


@pytest.mark.parametrize("source", ["simulated", "replay"])
def test_resume_loses_and_duplicates_no_batch(backend, sources, source):
    kwargs = {**sources[source], "batch_size": 200, "max_batches": 5}
    full = list(hftlab.stream_market_data(**kwargs))
    assert [b.sequence for b in full] == [1, 2, 3, 4, 5]
    received = []
    for batch in hftlab.stream_market_data(**kwargs):  # the client goes away after batch 2...
        received.append(batch)
        if batch.sequence == 2:
            break
    received += hftlab.stream_market_data(**kwargs, resume_from=received[-1].sequence)  # ...and resumes
    assert hftlab.differences(received, full) == []
    assert list(hftlab.stream_market_data(**kwargs, resume_from=5)) == []


def test_order_book_equals_the_direct_computation(backend, lobster_files):
    book = hftlab.order_book("EUR-USD", depth=5, seed=2, ticks=3_000, order_size=1e6)
    assert hftlab.differences(book, streams.order_book("EUR-USD", 5, seed=2, ticks=3_000, order_size=1e6)) == []
    assert len(book.bids) == 5 and book.best_bid < book.microprice < book.best_ask
    assert book.vwap_buy >= book.best_ask and book.slippage_buy_bps >= 0
    replayed = hftlab.order_book("AAPL", depth=10, source="replay", path=lobster_files.message)
    expected = streams.order_book("AAPL", 10, "replay", path=str(lobster_files.message))
    assert hftlab.differences(replayed, expected) == []
    assert replayed.sequence == 999 and len(replayed.asks) == 10


def test_unknown_symbols_are_not_found(backend, sources):
    with pytest.raises(NotFound, match=r"unknown simulated symbol\(s\) 'NOPE'"):
        next(hftlab.stream_market_data(["AAPL", "NOPE"]))
    with pytest.raises(NotFound, match=r"symbol\(s\) 'MSFT' not in"):
        next(hftlab.stream_market_data("MSFT", "replay", path=sources["replay"]["path"]))
    with pytest.raises(NotFound, match="unknown simulated symbol"):
        hftlab.order_book("NOPE")


BAD_STREAMS = [
    ({"symbols": []}, "'symbols' must be a symbol name or a non-empty list of them"),
    ({"symbols": ["AAPL", "AAPL"]}, "'symbols' must not repeat a symbol"),
    ({"source": "nyse"}, "'source' must be one of 'simulated', 'replay', 'binance', 'kraken', 'coinbase'"),
    ({"batch_size": 0}, "'batch_size' must be an int >= 1 and <= 1000000; got 0"),
    ({"max_batches": 0}, "'max_batches' must be an int >= 1; got 0"),
    ({"resume_from": -1}, "'resume_from' must be an int >= 0; got -1"),
    ({"seed": 1.5}, "'seed' must be an int >= 0"),
    ({"speed": 0.0}, "'speed' must be a finite number >= 0.001; got 0.0"),
    ({"speed": 5e-324}, "'speed' must be a finite number >= 0.001; got 5e-324"),
    ({"source": "replay"}, "'path' is required when source is 'replay'"),
    ({"path": "x.csv"}, "'path' only applies to source 'replay'"),
    ({"ws_url": "ws://localhost:1"}, "'ws_url' only applies to source(s) binance, kraken, coinbase"),
    ({"source": "kraken", "ws_url": "http://x"}, "'ws_url' must be a URL starting with ws:// or wss://"),
    ({"source": "kraken", "rest_url": "http://x"}, "'rest_url' only applies to source(s) binance"),
    ({"source": "binance", "speed": 2.0}, "'speed' only applies to sources 'simulated' and 'replay'"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_STREAMS)
def test_bad_stream_input_names_the_field(backend, kwargs, message):
    with pytest.raises(InvalidInput) as error:
        next(hftlab.stream_market_data(**{"symbols": ["AAPL"], **kwargs}))
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"depth": 0}, "'depth' must be an int >= 1 and <= 10000; got 0"),
        ({"source": "kraken", "ticks": 5}, "'ticks' only applies to sources 'simulated' and 'replay'"),
        ({"order_size": -1.0}, "'order_size' must be a finite number > 0; got -1.0"),
        ({"symbol": ""}, "'symbol' must be a symbol name; got ''"),
    ],
)
def test_bad_order_book_input_names_the_field(backend, kwargs, message):
    with pytest.raises(InvalidInput) as error:
        hftlab.order_book(**{"symbol": "AAPL", **kwargs})
    assert str(error.value).startswith(message)


def test_live_kraken_stream_on_both_backends(backend):
    """The same capture through the connector gives the same ticks in-process and over gRPC."""
    payloads = read_capture(exchange_capture("KRAKEN.ws.50.0"))
    runs = []
    for stream in (streams.stream_market_data, hftlab.stream_market_data):
        with KrakenServer(payloads) as server:
            batches = list(
                stream(sorted(server.pairs), "kraken", batch_size=100, max_batches=4, ws_url=server.ws_url)
            )
        assert [b.sequence for b in batches] == [1, 2, 3, 4]
        runs.append(concat_batches(batches))
    common = min(map(len, runs))
    assert common >= 100
    assert runs[0].iloc[:common].equals(runs[1].iloc[:common])


def test_live_binance_order_book_on_both_backends(backend):
    with BinanceServer.from_captures() as server:
        book = hftlab.order_book(
            "NKNUSDT", depth=10, source="binance", ws_url=server.ws_url, rest_url=server.rest_url
        )
        with pytest.raises(NotFound, match="unknown symbol 'NOPEUSDT'"):
            hftlab.order_book("NOPEUSDT", source="binance", ws_url=server.ws_url, rest_url=server.rest_url)
    assert not book.stale and book.sequence >= 499869752
    assert len(book.bids) == 10 and book.best_bid < book.best_ask


def test_a_client_that_goes_away_releases_the_servers_stream(grpc_address):
    with hftlab.using(grpc_address):
        endless = hftlab.stream_market_data(["SPY"], batch_size=500)
        assert [next(endless).sequence for _ in range(2)] == [1, 2]
        assert streams.open_streams() >= 1
        endless.close()
    deadline = time.monotonic() + 30
    while streams.open_streams() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert streams.open_streams() == 0


def test_a_corrupt_file_is_bad_input_naming_it(backend, tmp_path):
    """Files that are not what their names say (random bytes, a quote left open) get InvalidInput
    naming the file from every reader, on both backends (they raised pyarrow's and pandas'
    parser errors: INTERNAL over gRPC)."""
    rng = np.random.default_rng(3)
    noise = tmp_path / "ticks.parquet"
    noise.write_bytes(rng.bytes(3000))
    binary = tmp_path / "ticks.csv"
    binary.write_bytes(b"\xb5" + rng.bytes(3000))
    unbalanced = tmp_path / "quote.csv"
    unbalanced.write_text('timestamp,symbol,bid,ask\n1,"unterminated\n')
    message = tmp_path / "AAPL_2012-06-21_34200000_57600000_message_10.csv"
    message.write_text("34200.1,1,1,100,5853300,1\n34200.2,one,2,100,5853400,1\n")
    (tmp_path / message.name.replace("message", "orderbook")).write_text("1,2,3,4\n")
    for path, reason in (
        (noise, "ticks.parquet is not a readable Parquet file"),
        (binary, "ticks.csv is not a readable CSV file of numbers"),
        (unbalanced, "quote.csv is not a readable CSV file of numbers"),
        (message, f"{message.name} is not a readable CSV file of numbers"),
    ):
        with pytest.raises(InvalidInput, match=reason):
            list(hftlab.stream_market_data("AAPL", source="replay", path=str(path)))
        with pytest.raises(InvalidInput, match=reason):
            hftlab.order_book("AAPL", source="replay", path=str(path))
    with pytest.raises(InvalidInput, match=r"ticks\.parquet is not a readable Parquet file"):
        hftlab.tick_backtest(str(noise), "grid", {"half_spread": 0.02, "order_qty": 1, "max_position": 3})
    with pytest.raises(InvalidInput, match=r"ticks\.parquet is not a readable Parquet file"):
        hftlab.load_events(tmp_path)  # a directory holding it

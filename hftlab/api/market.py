"""Order books and market-data streams."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hftlab.algo.market_making import MarketMakingResult
from hftlab.algo.triangular import TriangularArbitrageResult
from hftlab.api.base import operation
from hftlab.backends import backend
from hftlab.market import lobster
from hftlab.market.book import BookSnapshot
from hftlab.market.feeds import TickBatch
from hftlab.market.replay import LobsterReplay
from hftlab.types.market import (
    GetOrderBookRequest,
    MarketMakingRequest,
    ReplayLobsterRequest,
    StreamMarketDataRequest,
    TriangularArbitrageRequest,
)

__all__ = ["market_making", "order_book", "replay_lobster", "stream_market_data", "triangular_arbitrage"]


@operation(TriangularArbitrageRequest)
def triangular_arbitrage(
    rates: pd.DataFrame, fee: float = 0.0, max_cycles: int = 10
) -> TriangularArbitrageResult:
    """Profitable conversion cycles (triangular and longer) in a table of exchange rates.

    A round trip ``c_0 -> c_1 -> ... -> c_0`` is profitable after fees exactly when
    its edges form a negative cycle of ``-log(rate (1 - fee))``; Bellman-Ford finds
    such cycles, of any length. Every triangle is also priced exhaustively.

    Parameters
    ----------
    rates : DataFrame or square 2-D array
        ``rates.loc[i, j]``: units of currency ``j`` received for one unit of ``i``
        (executable: the bid when selling the base, ``1 / ask`` when buying it; see
        ``hftlab.algo.triangular.rates_from_quotes``). Same currencies, same order, as
        rows and columns (at least 3); positive, or NaN where no market trades. The
        diagonal is ignored.
    fee : float
        Proportional fee charged on every conversion, ``0 <= fee < 1`` (10 bps = 0.001).
    max_cycles : int
        Stop after this many distinct cycles (1..1000).

    Returns
    -------
    TriangularArbitrageResult
        ``cycles`` (each with ``currencies``, ``gross_return``, ``net_return``; best
        first; ``table()`` shows them as a DataFrame), ``triangles`` (every directed
        triangle with its gross and net return), ``has_arbitrage``, ``best_net_return``.

    References
    ----------
    Cormen, Leiserson, Rivest & Stein (2009), "Introduction to Algorithms", 3rd ed.,
    problem 24-3 (arbitrage as a negative cycle; Bellman-Ford).
    Aiba, Hatano, Takayasu, Marumo & Shimizu (2002), "Triangular arbitrage as an
    interaction among foreign exchange rates", Physica A 310(3-4).
    """
    return backend().execute(TriangularArbitrageRequest(rates, fee, max_cycles))


@operation(ReplayLobsterRequest)
def replay_lobster(
    messages: str | Path | pd.DataFrame | np.ndarray,
    orderbook: str | Path | pd.DataFrame | np.ndarray,
    levels: int | None = None,
    imbalance_levels: int = 5,
) -> LobsterReplay:
    """Replay a LOBSTER message file through the order book, with per-event analytics.

    The message file is replayed through a fixed-depth array book seeded from the
    state before the first message; levels that enter the top ``L`` from beyond it
    are taken from the orderbook file, everything else comes from the messages. The
    rebuilt book is compared with the orderbook file row by row.

    Parameters
    ----------
    messages : path, DataFrame or (n, 6) array
        A LOBSTER message file (read here, on the client; only its contents travel)
        or its rows: time, type, order id, size, price (dollars x 10,000), direction.
    orderbook : path, DataFrame or (n, 4L) array
        The matching orderbook file or its rows (ask price, ask size, bid price,
        bid size per level; row ``k`` is the book after message ``k``).
    levels : int, optional
        Depth ``L`` of the files, checked against the orderbook's columns.
    imbalance_levels : int
        Levels summed in the order-book imbalance (1..L).

    Returns
    -------
    LobsterReplay
        ``book`` (same shape, column order and sentinels as the orderbook file),
        ``analytics`` (mid, spread, spread_bps, microprice, imbalance, depth per
        event), ``levels_from_file``, ``mismatched_rows`` (0 when the replay equals
        the file), ``mean_spread_bps``, ``mean_imbalance``; ``plot()`` and
        ``plot_depth()`` (heatmap).

    References
    ----------
    Huang & Polak (2011), "LOBSTER: Limit Order Book Reconstruction System", SSRN 1977207.
    Stoikov (2018), "The micro-price: a high-frequency estimator of future prices",
    Quantitative Finance 18(12).
    """
    if isinstance(messages, (str, Path)):
        messages = lobster.read_messages(messages)
    if isinstance(orderbook, (str, Path)):
        orderbook = lobster.read_orderbook(orderbook)
    return backend().execute(ReplayLobsterRequest(messages, orderbook, levels, imbalance_levels))


@operation(MarketMakingRequest)
def market_making(
    gamma: float = 0.1,
    k: float = 1.5,
    A: float = 140.0,
    sigma: float = 2.0,
    s0: float = 100.0,
    horizon: float = 1.0,
    dt: float = 0.005,
    order_size: float = 1.0,
    max_inventory: float | None = None,
    tick_size: float = 0.01,
    strategy: str = "inventory",
    seed: int = 0,
) -> MarketMakingResult:
    """Simulate an Avellaneda-Stoikov market maker quoting into the matching engine.

    Each step of ``dt`` the dealer quotes ``r -/+ spread / 2`` around the reservation
    price ``r = s - q gamma sigma^2 (T - t)``, with the optimal total spread
    ``gamma sigma^2 (T - t) + (2 / gamma) ln(1 + gamma / k)``; the quotes rest as
    post-only limit orders in a :class:`~hftlab.market.matching.MatchingEngine` and
    market orders arrive against a quote ``delta`` from the mid with probability
    ``A exp(-k delta) dt``, while the mid moves ``+/- sigma sqrt(dt)``. Defaults are
    the paper's experiment.

    This is the paper's toy experiment (a simulated mid, the paper's constants). On replayed
    order books, with latency, queue position and fees: ``hftlab.tick_backtest(events,
    "avellaneda_stoikov" or "glft", {"A": ..., "k": ..., "gamma": ...})``, with ``A`` and ``k``
    from :func:`hftlab.fit_intensity`.

    Parameters
    ----------
    gamma : float
        Risk aversion (>= 0; 0 is the risk-neutral limit: quotes ``s -/+ 1 / k``).
    k, A : float
        Order-arrival intensity ``A exp(-k delta)`` (both > 0).
    sigma : float
        Volatility of the mid per unit of time (>= 0).
    s0 : float
        Initial mid (> tick_size).
    horizon, dt : float
        Terminal time ``T`` and step (``0 < dt <= horizon``, at most 200,000 steps).
    order_size : float
        Size of each quote and of each arriving market order (> 0).
    max_inventory : float, optional
        Absolute inventory limit (>= order_size): the side that would breach it is not
        quoted. None: unlimited, as in the paper.
    tick_size : float
        Price grid; bids are rounded down and asks up onto it (> 0).
    strategy : {"inventory", "symmetric"}
        Quote around the reservation price (the paper's inventory strategy) or around
        the mid with the same spread (its symmetric benchmark).
    seed : int
        Seed of the mid path and the order arrivals (same seed, same result).

    Returns
    -------
    MarketMakingResult
        ``quotes`` (mid, reservation price, bid, ask per step), ``inventory``, ``cash``,
        ``pnl`` (marked to mid), ``fills`` (one row per fill with its edge), and the
        statistics ``final_pnl``, ``n_fills``, ``fill_rate``,
        ``average_spread_captured``, ``average_quoted_spread``, ``max_abs_inventory``.

    References
    ----------
    Avellaneda & Stoikov (2008), "High-frequency trading in a limit order book",
    Quantitative Finance 8(3), 217-224.
    """
    return backend().execute(
        MarketMakingRequest(
            gamma, k, A, sigma, s0, horizon, dt, order_size, max_inventory, tick_size, strategy, seed
        )
    )


@operation(StreamMarketDataRequest, client_only=("progress",))
def stream_market_data(
    symbols: str | Sequence[str],
    source: str = "simulated",
    *,
    seed: int = 0,
    batch_size: int = 10_000,
    max_batches: int | None = None,
    resume_from: int = 0,
    path: str | Path | None = None,
    speed: float | None = None,
    ws_url: str | None = None,
    rest_url: str | None = None,
    progress: bool = False,
) -> Iterator[TickBatch]:
    """Stream market data as columnar tick batches with sequence numbers, resumable.

    The arguments are checked now; batches are computed as the iterator is read
    (on the active backend: in this process, or streamed by the gRPC server).
    Stop reading (``break``) or close the iterator to end the stream; the
    server releases the feed at once.

    Parameters
    ----------
    symbols : str or list of str
        Instruments: simulated names (``"AAPL"``, ``"MSFT"``, ``"AMZN"``,
        ``"SPY"``, ``"QQQ"``, ``"BTC-USD"``, ``"ETH-USD"``, ``"EUR-USD"``), the
        file's symbols (replay), or the exchange's own names (``"BTCUSDT"`` on
        Binance, ``"XBT/USD"`` on Kraken, ``"BTC-USD"`` on Coinbase). Unknown
        symbols raise :class:`~hftlab.errors.NotFound`.
    source : {"simulated", "replay", "binance", "kraken", "coinbase"}
        ``"simulated"``: order-book simulation (Cont-Stoikov-Talreja order flow,
        Hawkes market orders), deterministic for ``seed``. ``"replay"``: the
        LOBSTER or CSV/Parquet tick file ``path``. The exchanges: live public
        market data over their websocket protocols.
    seed : int
        Seed of the simulated market.
    batch_size : int
        Ticks per batch (1..1,000,000; live feeds also flush every 0.25 s).
    max_batches : int, optional
        The stream ends with batch number ``max_batches`` (replay also ends with
        the file; otherwise endless).
    resume_from : int
        Continue after batch ``resume_from``: deterministic sources give the
        same batches (none lost or repeated; a replay seeks, the simulation
        continues from its nearest checkpoint), live ones continue the numbering.
    path : str or Path, optional
        The file to replay (read where the computation runs: on the server for gRPC).
    speed : float, optional
        Simulated or replayed pace: 1.0 = real time, 10 = ten times faster;
        None: as fast as possible.
    ws_url, rest_url : str, optional
        Exchange websocket / REST base URLs (default: the public endpoints).
    progress : bool
        Show a tqdm progress bar of the batches received.

    Yields
    ------
    TickBatch
        ``sequence`` (1, 2, ...), ``symbols`` and numpy columns ``symbol_id``,
        ``timestamp`` (int64 ns, UTC), ``bid``, ``ask``, ``bid_size``,
        ``ask_size``, ``last``, ``volume`` (traded size of the tick);
        ``to_frame()`` gives a DataFrame.

    References
    ----------
    Cont, Stoikov & Talreja (2010), "A stochastic model for order book dynamics",
    Operations Research 58(3). Bacry, Mastromatteo & Muzy (2015), "Hawkes processes
    in finance", Market Microstructure and Liquidity 1(1). Huang & Polak (2011),
    "LOBSTER: Limit Order Book Reconstruction System". Binance Spot API "How to
    manage a local order book correctly"; Kraken websocket API v1 book checksum;
    Coinbase Exchange websocket feed.
    """
    request = StreamMarketDataRequest(
        symbols,
        source,
        seed,
        batch_size,
        max_batches,
        resume_from,
        None if path is None else str(path),
        speed,
        ws_url,
        rest_url,
    )
    return _stream(request, progress)


def _stream(request: StreamMarketDataRequest, progress: bool) -> Iterator[TickBatch]:
    from tqdm.auto import tqdm

    total = None if request.max_batches is None else max(0, request.max_batches - request.resume_from)
    with tqdm(total=total, unit="batch", desc=f"{request.source} stream", disable=not progress) as bar:
        for batch in backend().stream(request):
            bar.update(1)
            yield batch


@operation(GetOrderBookRequest)
def order_book(
    symbol: str,
    depth: int = 10,
    source: str = "simulated",
    *,
    seed: int = 0,
    ticks: int | None = None,
    path: str | Path | None = None,
    ws_url: str | None = None,
    rest_url: str | None = None,
    imbalance_levels: int = 5,
    depth_bps: float = 10.0,
    order_size: float = 1.0,
) -> BookSnapshot:
    """An order-book snapshot with analytics: spread, micro-price, imbalance, depth, VWAP.

    Parameters
    ----------
    symbol : str
        Instrument (see :func:`stream_market_data`); unknown symbols raise
        :class:`~hftlab.errors.NotFound`.
    depth : int
        Levels per side in ``bids`` / ``asks``.
    source : {"simulated", "replay", "binance", "kraken", "coinbase"}
        Where the book comes from. Simulated: the symbol's book after ``ticks``
        ticks (default 10,000) for ``seed``, the same book the stream has then.
        Replay: after ``ticks`` ticks of ``path`` (default: all; every level of a
        LOBSTER orderbook file, the top of a tick table). Exchanges: the live
        book as soon as it is in sync (snapshot plus updates).
    seed : int
        Seed of the simulated market.
    ticks : int, optional
        See ``source`` (simulated and replay only).
    path : str or Path, optional
        File replayed (source ``"replay"``).
    ws_url, rest_url : str, optional
        Exchange websocket / REST base URLs.
    imbalance_levels : int
        Levels summed in the imbalance.
    depth_bps : float
        Band around the mid for ``bid_depth`` / ``ask_depth``.
    order_size : float
        Size of the market orders priced by ``vwap_buy`` / ``vwap_sell``.

    Returns
    -------
    BookSnapshot
        ``bids``, ``asks`` (price, size), ``best_bid``, ``best_ask``, ``mid``,
        ``spread``, ``spread_bps``, ``microprice``, ``imbalance``, ``bid_depth``,
        ``ask_depth``, ``vwap_buy``/``vwap_sell`` and slippage in bps; ``plot()``.

    References
    ----------
    Stoikov (2018), "The micro-price", Quantitative Finance 18(12). Cartea,
    Jaimungal & Penalva (2015), "Algorithmic and High-Frequency Trading", ch. 4.
    """
    return backend().execute(
        GetOrderBookRequest(
            symbol,
            depth,
            source,
            seed,
            ticks,
            None if path is None else str(path),
            ws_url,
            rest_url,
            imbalance_levels,
            depth_bps,
            order_size,
        )
    )

"""The tick-level backtest: strategies on replayed order books, on the active backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hftlab.api.base import operation
from hftlab.backends import backend
from hftlab.errors import HftlabError, InvalidInput
from hftlab.market.events import load_events
from hftlab.tick import Compiled, Strategy, TickBacktestResult
from hftlab.tick.arbitrage import merge_books
from hftlab.tick.arbitrage_result import ArbitrageResult
from hftlab.tick.backtest import run
from hftlab.tick.intensity import IntensityFit
from hftlab.types.tick import ArbitrageBacktestRequest, FitIntensityRequest, TickBacktestRequest

__all__ = ["arbitrage_backtest", "fit_intensity", "tick_backtest"]


@operation(
    TickBacktestRequest,
    client_only=("progress",),
    split={
        "events": ("events", "path"),
        "params": ("params", "orders"),
        "order_latency": ("order_latency", "order_latencies"),
    },
)
def tick_backtest(
    events: Any,
    strategy: str | Strategy | Compiled = "grid",
    params: dict | None = None,
    *,
    feed_latency: float | None = None,
    order_latency: float | pd.DataFrame = 0.0,
    queue_model: str = "auto",
    queue_power: float = 3.0,
    maker_fee: float = 0.0,
    taker_fee: float = 0.0,
    tick_size: float | None = None,
    lot_size: float | None = None,
    initial_cash: float = 0.0,
    sample_every: str | float = "1s",
    progress: bool = False,
) -> TickBacktestResult:
    """Would this strategy have made money on this book, after latency, queue position and fees?

    Replays order-book ``events`` through an exchange simulation (fill rules in
    :mod:`hftlab.tick.engine`; the recorded market cannot be moved by our orders, only consumed
    by those that take liquidity) and runs ``strategy`` on what it would have seen.

    Parameters
    ----------
    events : path, LOBSTER (message, orderbook) pair, events array or frame
        What :func:`hftlab.load_events` reads. A path travels as a path: the server reads the
        file itself (it must lie under the server's ``replay_dirs`` unless it listens on
        loopback); anything else is loaded here and sent as columns.
    strategy : "grid", "orders", "avellaneda_stoikov", "glft" or a :class:`hftlab.tick.Strategy`
        ``"grid"``: one bid and one ask ``half_spread`` around the mid; params ``half_spread``
        (price; default one tick), ``order_qty`` (1), ``max_position`` (none), ``at_best``,
        ``post_only``, ``interval`` (``"100ms"``). ``"orders"``: ``params={"orders": frame}``
        with columns ``time``, ``side``, ``type`` (limit, market, ioc, fok, post_only),
        ``price``, ``qty``: what those orders would have got. ``"avellaneda_stoikov"`` and
        ``"glft"``: the market makers of Avellaneda & Stoikov (2008, finite horizon) and
        Guéant, Lehalle & Fernandez-Tapia (2013, infinite horizon), compiled
        (:mod:`hftlab.tick.market_makers` gives the closed forms); params ``A``, ``k``
        (intensity ``A exp(-k delta)`` per second, ``delta`` in price, e.g. from
        :func:`hftlab.fit_intensity`; AS needs only ``k``), ``gamma`` (0.1), ``order_qty`` (1),
        ``max_position`` (none), ``sigma`` (price per sqrt second; default: estimated over the
        last ``sigma_window`` (100) mid changes between wake-ups), ``horizon`` (AS: seconds,
        default the events' span), ``post_only``, ``interval``. A :class:`~hftlab.tick.Strategy`
        subclass runs in this process only (local backend).
    feed_latency : float, optional
        Seconds market data is seen late (default: the recorded receive times; rows received
        before the exchange stamped them are refused: correct the clocks with
        :func:`hftlab.market.events.correct_local_ts`).
    order_latency : float or DataFrame
        Seconds each request takes to the exchange, and its reply back; or a recorded series,
        a frame with columns ``time`` (when sent: datetimes or ns), ``entry`` and ``response``
        (seconds), interpolated linearly in time and held at its ends (hftbacktest's
        ``IntpOrderLatency``). Requests, and replies, never overtake one another.
    queue_model : {"auto", "fifo", "risk_averse", "prob_power", "prob_log"}
        Queue position (:mod:`hftlab.tick.models`). ``"auto"``: exact FIFO from order ids on
        L3 data (LOBSTER), risk-averse on L2 data (only trades move us forward, so fills are a
        lower bound); ``queue_power`` is the exponent of ``prob_power``.
    maker_fee, taker_fee : float
        Fee rates on traded value; negative maker fee = rebate.
    tick_size, lot_size : float, optional
        Default: the data's largest decimal price step dividing every price, and its smallest
        quantity; a strategy's prices round to the tick, quantities to the lot (an ``orders``
        table off them is refused).
    initial_cash : float
        Starting cash.
    sample_every : str or float
        Equity sampling interval (``"1s"`` or seconds).
    progress : bool
        A progress bar: events replayed, streamed by the server on the grpc backend (a call
        interrupted here stops the server's engine too).

    Returns
    -------
    TickBacktestResult
        ``fills``, ``orders``, ``equity`` (sampled), ``stats``; ``summary()`` and ``plot()``.

    References
    ----------
    hftbacktest (nkaz001) ``docs/order_fill.rst``, ``docs/latency_models.rst``; Rigtorp (2013),
    "Estimating order queue position"; Avellaneda & Stoikov (2008), "High-frequency trading in
    a limit order book"; Guéant, Lehalle & Fernandez-Tapia (2013), "Dealing with the inventory
    risk".
    """
    settings = {
        "feed_latency": feed_latency, "queue_model": queue_model,
        "queue_power": queue_power, "maker_fee": maker_fee, "taker_fee": taker_fee, "tick_size": tick_size,
        "lot_size": lot_size, "initial_cash": initial_cash, "sample_every": sample_every,
    }  # fmt: skip
    recorded = isinstance(order_latency, pd.DataFrame)
    settings["order_latency"], settings["order_latencies"] = (
        (0.0, order_latency) if recorded else (order_latency, None)
    )
    if isinstance(strategy, (Strategy, Compiled)):
        if backend().name != "local":
            raise InvalidInput(
                f"a {'Python' if isinstance(strategy, Strategy) else 'numba'} strategy runs in this process, "
                f"not on the {backend().name} backend "
                f"({backend().address}); use hftlab.use('local'), or a built-in strategy."
            )
        return run(events, strategy, params, progress, **settings)
    params = dict(params or {})
    orders = params.pop("orders", None)
    request = TickBacktestRequest(
        **_events_or_path(events), strategy=strategy, params=params, orders=orders, **settings
    )
    from tqdm.auto import tqdm  # not at import: hftlab's start-up stays light

    with tqdm(unit="event", desc="tick backtest", disable=not progress) as bar:
        for message in backend().stream(request):
            bar.total = message.total
            bar.update(message.done - bar.n)
            if message.result is not None:
                return message.result
    raise HftlabError("the RunTickBacktest stream ended without a result.")


def _events_or_path(events: Any) -> dict[str, Any]:
    """How events travel: a path as a path (the server reads the file), anything else loaded
    here (a LOBSTER pair is read) and sent as columns."""
    if isinstance(events, (str, Path)):
        return {"path": str(events)}
    return {"events": events if isinstance(events, (pd.DataFrame, np.ndarray)) else load_events(events)}


@operation(FitIntensityRequest, split={"events": ("events", "path")})
def fit_intensity(
    events: Any,
    *,
    tick_size: float | None = None,
    window: str | float | None = None,
    step: str | float | None = None,
    max_depth: float | None = None,
    min_count: int = 10,
) -> IntensityFit:
    """How fast do market orders reach a quote ``delta`` from the mid: ``lambda(delta) = A exp(-k delta)``.

    Replays the book of ``events`` and takes each market order (the trades of one side at one
    time) with its depth beyond the mid it met; ``lambda(delta)`` is the number reaching
    ``delta`` or beyond per second and per side, and ``log lambda = log A - k delta`` is
    fitted by least squares weighted by the counts (:mod:`hftlab.tick.intensity`). ``A`` and
    ``k`` are what the ``"avellaneda_stoikov"`` and ``"glft"`` market makers of
    :func:`hftlab.tick_backtest` take (``params={**fit.params, ...}``).

    Parameters
    ----------
    events : path, LOBSTER (message, orderbook) pair, events array or frame
        What :func:`hftlab.load_events` reads; a path travels as a path (the server reads it).
    tick_size : float, optional
        Default: the data's smallest price step. Depths lie half a tick apart.
    window, step : str or float, optional
        Also fit each window of ``window`` (``"5min"`` or seconds) every ``step`` (default
        ``window``): ``windows`` shows how ``A`` and ``k`` move.
    max_depth : float, optional
        Leave out market orders reaching further than this from the mid (price).
    min_count : int
        Fit only the depths reached by at least this many market orders (>= 1).

    Returns
    -------
    IntensityFit
        ``A``, ``k`` (per second, per unit of price), their standard errors, ``r_squared``,
        ``intensity`` (observed and fitted per depth), ``windows``; ``params``, ``summary()``,
        ``plot()``.

    References
    ----------
    Avellaneda & Stoikov (2008), "High-frequency trading in a limit order book", section 2.4;
    hftbacktest, tutorial "GLFT market making model and grid trading" (arrival depths, the
    log-linear fit).
    """
    request = FitIntensityRequest(
        **_events_or_path(events), tick_size=tick_size, window=window, step=step, max_depth=max_depth,
        min_count=min_count,
    )  # fmt: skip
    return backend().execute(request)


@operation(ArbitrageBacktestRequest, split={"books": ("events", "books")})
def arbitrage_backtest(
    books: dict[str, Any],
    strategy: str = "cross_venue",
    *,
    taker_fee: float | dict[str, float],
    order_latency: float | str | dict[str, float | str],
    min_return: float = 0.0,
    max_notional: float | None = None,
    max_position: float | None = None,
    lot_size: float = 1e-8,
    feed_latency: float | str | None = None,
    sample_every: str | float = "1s",
    on_miss: str = "hold",
) -> ArbitrageResult:
    """Would taking every cross-venue or triangular mispricing have paid, after latency and fees?

    Replays several books on one clock, each through its own tick engine (its fill rules:
    :mod:`hftlab.tick.engine`; the driver: :mod:`hftlab.tick.arbitrage_driver`), finds the
    market's opportunities on the exchange books and runs a taker on what it would have seen.

    Parameters
    ----------
    books : dict of book name to events
        Each book's events, anything :func:`hftlab.load_events` reads (a recording directory,
        a file, an array). Books are named ``[venue:]BASE/QUOTE``: ``"binance:BTC/USDT"``.
    strategy : {"cross_venue", "triangular"}
        ``"cross_venue"``: two books of one instrument on two venues; buy on one at its ask,
        sell on the other at its bid, whichever way pays; each venue keeps its own inventory.
        ``"triangular"``: three books whose currencies close a triangle (``BTC/USDT``,
        ``ETH/USDT``, ``ETH/BTC``), round from the first book's quote currency, both ways.
    taker_fee : float or dict
        Fee rate on traded value, per book (a dict by book name), or one for all.
    order_latency : float, str or dict
        Seconds (or ``"5ms"``) from sending an order to its exchange, and of its reply back, per
        book or one for all.
    min_return : float
        The net return (after fees) an attempt must see: above 0 by default (any profit); a
        negative value trades losing cycles on purpose.
    max_notional : float, optional
        Most of the start currency per attempt (default: all the top of book lets through).
    max_position : float, optional
        Most any book's position may reach either way (its base units; default none).
    lot_size : float
        Every book's lot: our quantities are rounded down to it.
    feed_latency : float or str, optional
        Seconds market data is seen late on every book (default: the recorded receive times).
    sample_every : str or float
        Equity sampling interval.
    on_miss : {"hold", "complete", "unwind"}
        What the taker does once every leg of an attempt that missed (a leg not filled whole)
        has replied: keep the inventory (``"hold"``), send each leg's unfilled quantity again as
        a market order (``"complete"``: the cycle completed at the prices then), or send each
        filled quantity back as a market order (``"unwind"``). No new attempt before those
        orders reply.

    Returns
    -------
    ArbitrageResult
        ``opportunities`` (start, end, duration, gross and net return, capacity, what we
        captured), ``attempts``, ``venues`` (per book: inventory, fills, fees, PnL), ``fills``,
        ``equity``, ``stats``; ``summary()`` and ``plot()``.

    References
    ----------
    hftbacktest (nkaz001): multi-asset backtests on one clock, ``docs/order_fill.rst``; Foucault,
    Kozhan & Tham (2017), "Toxic arbitrage", Review of Financial Studies 30(4) (triangular
    arbitrage opportunities: duration and capacity at the top of book).
    """
    merged, names = merge_books(books)
    taker_fee = taker_fee if isinstance(taker_fee, dict) else dict.fromkeys(names, taker_fee)
    order_latency = order_latency if isinstance(order_latency, dict) else dict.fromkeys(names, order_latency)
    request = ArbitrageBacktestRequest(
        events=merged, books=names, taker_fee=taker_fee, order_latency=order_latency, strategy=strategy,
        min_return=min_return, max_notional=max_notional, max_position=max_position, lot_size=lot_size,
        feed_latency=feed_latency, sample_every=sample_every, on_miss=on_miss,
    )  # fmt: skip
    return backend().execute(request)

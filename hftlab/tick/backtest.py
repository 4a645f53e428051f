"""The engine run behind ``hftlab.tick_backtest``: settings checked once, the engine set up and driven."""

from __future__ import annotations

import mmap
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hftlab import cancel
from hftlab import validation as v
from hftlab.errors import InvalidInput, ResourceExhausted
from hftlab.market.event_sources import read_events
from hftlab.results import Result
from hftlab.tick import engine as k
from hftlab.tick.compiled import Compiled
from hftlab.tick.market_makers import MARKET_MAKERS, market_maker_settings, run_compiled_market_maker
from hftlab.tick.models import QUEUE_MODELS
from hftlab.tick.result import TickBacktestResult, build_result
from hftlab.tick.source import MARGIN_TICKS, ArraySource, Feed, FileSource, Survey, open_source
from hftlab.tick.strategies import (
    Strategy,
    grid_settings,
    run_compiled_grid,
    run_python,
    run_user_compiled,
    send_orders,
)

STRATEGIES = ("grid", "orders", *MARKET_MAKERS)


def run(
    events: Any,
    strategy: str | Strategy | Compiled,
    params: dict | None = None,
    progress: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    **settings: Any,
) -> TickBacktestResult:
    """Run ``strategy`` on replayed order-book ``events`` with the engine ``settings``.

    The engine behind :func:`hftlab.tick_backtest` (whose docstring documents every setting;
    fill rules: :mod:`hftlab.tick.engine`). ``events`` is anything :func:`hftlab.load_events`
    reads; ``settings`` are the keyword arguments of :data:`SETTINGS`, checked here by
    :func:`check_settings` as the request checks them. Every chunk of events the engine
    returns here: a cancelled call stops (:func:`hftlab.cancel.check`), and ``on_progress``
    is called with the events done and their total.

    References
    ----------
    hftbacktest (nkaz001), docs ``order_fill.rst`` and ``latency_models.rst``: the replay and
    latency model this engine follows; Rigtorp (2013), "Estimating order queue position".
    """
    settings = check_settings(params, **settings)
    latency, latencies = round(settings["order_latency"] * 1e9), settings["order_latencies"]
    feed = -1 if settings["feed_latency"] is None else round(settings["feed_latency"] * 1e9)
    fees = settings["maker_fee"], settings["taker_fee"]
    every = round(settings["sample_every"] * 1e9)
    source = open_source(events)
    survey = source.survey(settings["tick_size"], settings["lot_size"])
    model, power = _queue_model(settings["queue_model"], survey.by_order), settings["queue_power"]
    if model == "fifo" and isinstance(source, FileSource):  # FIFO numbers every order of the day
        source = ArraySource(np.concatenate([read_events(part) for part in source.parts]))
        survey = source.survey(settings["tick_size"], settings["lot_size"])
    params = settings["params"]
    if isinstance(strategy, (Strategy, Compiled)):
        interval = round(_seconds("interval", getattr(strategy, "interval", "100ms"), positive=True) * 1e9)
    else:
        v.check_choice("strategy", strategy, list(STRATEGIES))
        interval = round(params.pop("interval", 0.1) * 1e9)
    table = orders_table(params.pop("orders", None)) if strategy == "orders" else None
    if table is not None:
        _check_on_grid(table, survey)
    if strategy == "orders" and params:
        raise v.fail("params", "only 'orders' for strategy 'orders'", sorted(params))
    whole = source.events if isinstance(source, ArraySource) else None
    order_seq = _order_seq(whole) if model == "fifo" else np.zeros(0, np.int64)
    stream = Feed(source.chunks(survey), feed, whole, order_seq)
    engine = _engine(stream, survey, latency, latencies, feed, every, table, model, power, fees)
    start = survey.first_local if feed < 0 else survey.first_exch + feed
    if strategy in MARKET_MAKERS:
        maker = market_maker_settings(strategy, params, (survey.last_exch - start) / 1e9)
    from tqdm.auto import tqdm  # not at import: hftlab's start-up stays light

    with tqdm(total=survey.count, unit="event", desc="tick backtest", disable=not progress) as bar:

        def report(done: int) -> None:
            cancel.check()
            bar.update(done - bar.n)
            if on_progress is not None:
                on_progress(int(done), survey.count)

        if isinstance(strategy, Strategy):
            engine = run_python(engine, stream, strategy, start, interval, report)
        elif isinstance(strategy, Compiled):
            engine = run_user_compiled(engine, stream, strategy, start, interval, report)
        elif strategy == "grid":
            engine = run_compiled_grid(
                engine, stream, start, interval, grid_settings(params, survey.tick), report
            )
        elif strategy in MARKET_MAKERS:
            engine = run_compiled_market_maker(engine, stream, start, interval, *maker, report)
        else:
            engine = send_orders(engine, stream, table, report)
        report(survey.count)
    k.finish(engine)
    if engine.ints[k.OVERFLOW]:
        what = {1: "orders or requests", 2: "fills", 3: "replies"}[int(engine.ints[k.OVERFLOW])]
        raise ResourceExhausted(f"the tick backtest ran out of room for {what}; send fewer orders.")
    return build_result(engine, survey.count, settings["initial_cash"])


SETTINGS = (
    "feed_latency", "order_latency", "order_latencies", "queue_model", "queue_power", "maker_fee", "taker_fee",
    "tick_size", "lot_size", "initial_cash", "sample_every",
)  # fmt: skip


def check_settings(params: dict | None = None, **settings: Any) -> dict[str, Any]:
    """The engine settings (and ``params``) checked and in plain units: durations in seconds.

    The one validation of :func:`run` and of the request, so both backends refuse the
    same input with the same message.
    """
    checked: dict[str, Any] = {
        "queue_model": v.check_choice("queue_model", settings["queue_model"], ["auto", *QUEUE_MODELS])
    }
    checked["queue_power"] = v.check_float("queue_power", settings["queue_power"], low=0, low_open=True)
    series = settings["order_latencies"]
    checked["order_latency"] = _seconds("order_latency", settings["order_latency"])
    checked["order_latencies"] = None if series is None else latency_series(series)
    feed = settings["feed_latency"]
    checked["feed_latency"] = None if feed is None else _seconds("feed_latency", feed)
    for name in ("maker_fee", "taker_fee"):
        checked[name] = v.check_float(name, settings[name], low=-1, high=1, low_open=True, high_open=True)
    for name in ("tick_size", "lot_size"):
        value = settings[name]
        checked[name] = None if value is None else v.check_float(name, value, low=1e-9, high=1e9)
    checked["initial_cash"] = v.check_float("initial_cash", settings["initial_cash"])
    checked["sample_every"] = _seconds("sample_every", settings["sample_every"], positive=True)
    params = dict(params or {})
    if "interval" in params:
        params["interval"] = _seconds("params.interval", params["interval"], positive=True)
    checked["params"] = params
    return checked


MAX_SECONDS = 1e6
"""Longest duration a setting may take (11.6 days): durations become int64 nanoseconds."""


def _seconds(name: str, value: Any, positive: bool = False) -> float:
    """A duration (pandas string such as ``"100ms"``, or seconds) in seconds: at most
    :data:`MAX_SECONDS`, and at least 1 ns when ``positive``."""
    if isinstance(value, str):
        try:
            seconds = pd.Timedelta(value).value / 1e9
        except ValueError as exc:
            raise v.fail(name, "a duration such as '100ms' or a number of seconds", value) from exc
    else:
        seconds = v.check_float(name, value, low=1e-9 if positive else 0, high=MAX_SECONDS)
    if seconds < 0 or (positive and seconds < 1e-9) or seconds > MAX_SECONDS:
        requirement = "a positive duration (>= 1 ns)" if positive else "a duration >= 0"
        raise v.fail(name, f"{requirement} of at most {MAX_SECONDS:g} s", value)
    return seconds


def latency_series(frame: Any) -> np.ndarray:
    """A recorded order latency (a frame with columns ``time``, ``entry``, ``response``: when a
    request was sent, and seconds to the exchange and back) as the engine's ns array."""
    name = "order_latency"
    if not isinstance(frame, pd.DataFrame):
        raise v.fail(name, "seconds or a frame with columns time, entry, response", frame)
    missing = [c for c in ("time", "entry", "response") if c not in frame.columns]
    if missing or len(frame) == 0:
        raise InvalidInput(f"'{name}' needs rows and the columns time, entry, response; missing {missing}.")
    times = frame["time"]
    ns = times if np.issubdtype(times.dtype, np.integer) else pd.to_datetime(times, utc=True).astype("int64")
    series = np.zeros(len(frame), k.LATENCY_DTYPE)
    series["ts"] = np.asarray(ns, dtype=np.int64)
    if np.any(np.diff(series["ts"]) <= 0):
        row = int(np.flatnonzero(np.diff(series["ts"]) <= 0)[0]) + 1
        raise InvalidInput(f"'{name}' times must increase; row {row} is not after row {row - 1}.")
    for column in ("entry", "response"):
        seconds = pd.to_numeric(frame[column], errors="coerce").to_numpy(np.float64)
        bad = ~((seconds >= 0) & (seconds <= MAX_SECONDS))  # NaN too
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise v.fail(f"{name}.{column}[{row}]", f"seconds in [0, {MAX_SECONDS:g}]", frame[column].iloc[row])
        series[column] = np.round(seconds * 1e9)
    return series


def _queue_model(name: str, by_order: bool) -> str:
    """``"auto"`` resolved: exact FIFO on L3 events (``by_order``: orders added with ids),
    risk-averse on L2."""
    if name == "fifo" and not by_order:
        raise InvalidInput("'queue_model' 'fifo' needs L3 events (orders with ids); these are L2.")
    return ("fifo" if by_order else "risk_averse") if name == "auto" else name


def _order_seq(events: np.ndarray) -> np.ndarray:
    """Per event, the number (1, 2, ...) of the ADD of the order it cancels or executes; -1 for
    an order never added (anonymous volume: ahead of every order of ours)."""
    kinds, ids = events["kind"], events["order_id"]
    adds = np.flatnonzero(kinds == k.ADD)
    added = pd.Index(ids[adds])
    if not added.is_unique:
        repeated = added[added.duplicated()][0]
        raise InvalidInput(f"'events' add order id {repeated} more than once; FIFO needs unique ids.")
    sequence = np.full(len(events), -1, np.int64)
    rows = np.flatnonzero((kinds == k.CANCEL) | (kinds == k.EXECUTE))
    found = added.get_indexer(ids[rows])
    known = (found >= 0) & (adds[np.maximum(found, 0)] < rows)  # added before it is referred to
    sequence[rows[known]] = found[known] + 1
    return sequence


def orders_table(frame: Any) -> list[tuple[int, int, int, float, float]]:
    if not isinstance(frame, pd.DataFrame):
        raise v.fail("params.orders", "a DataFrame with columns time, side, type, price, qty", frame)
    missing = [c for c in ("time", "side", "type", "price", "qty") if c not in frame.columns]
    if missing:
        raise InvalidInput(f"'params.orders' is missing the column(s) {missing}.")
    times = frame["time"]
    ns = (
        pd.to_datetime(times, utc=True).astype("int64") if not np.issubdtype(times.dtype, np.integer) else times
    )
    ns = np.asarray(ns, dtype=np.int64)
    if np.any(np.diff(ns) < 0):
        row = int(np.flatnonzero(np.diff(ns) < 0)[0]) + 1
        raise InvalidInput(f"'params.orders' must be in time order; row {row} is before row {row - 1}.")
    sides = {"buy": 1, "sell": -1, 1: 1, -1: -1}
    rows = []
    for i, (ts, side, kind, price, qty) in enumerate(
        zip(ns, frame["side"], frame["type"], frame["price"], frame["qty"], strict=True)
    ):
        if side not in sides:
            raise InvalidInput(f"'params.orders' row {i}: side must be 'buy' or 'sell'; got {side!r}.")
        if kind not in k.ORDER_KINDS:
            raise InvalidInput(
                f"'params.orders' row {i}: type must be one of {list(k.ORDER_KINDS)}; got {kind!r}."
            )
        price = (
            0.0 if kind == "market" else v.check_float(f"params.orders.price[{i}]", price, low=0, low_open=True)
        )
        qty = v.check_float(f"params.orders.qty[{i}]", qty, low=0, low_open=True)
        rows.append((int(ts), sides[side], k.ORDER_KINDS[kind], price, qty))
    return rows


def _check_on_grid(table: list[tuple], survey: Survey) -> None:
    """Each order's price on the tick and quantity a whole number of lots (the engine would round
    them: an order of 3 on a lot of 5 would trade 5)."""
    for i, (_, _, kind, price, qty) in enumerate(table):
        for name, value, step, given in (
            ("qty", qty, survey.lot, "lot_size"),
            ("price", price, survey.tick, "tick_size"),
        ):
            if name == "price" and kind == k.ORDER_KINDS["market"]:
                continue
            steps = value / step
            if round(steps) < 1 or abs(steps - round(steps)) > 1e-9 * max(1.0, steps):
                raise InvalidInput(
                    f"'params.orders.{name}[{i}]' must be a whole number of {given} {step:g} (inferred from "
                    f"the events unless given); got {value:g}."
                )


LAZY_BYTES = 1 << 20
"""Tables this large are made by :func:`room`."""


def room(length: int, dtype: np.dtype) -> np.ndarray:
    """``length`` zeros of ``dtype`` for a table of the engine (orders, replies, fills, samples):
    from ``LAZY_BYTES`` up, on fresh pages of their own (an anonymous private mapping), so the
    room that a run leaves unused is never touched, whatever state the C allocator is in.

    ``numpy.zeros`` (``calloc``) gets such pages only when it maps the block afresh; a block it
    reuses (from a handler thread's arena, or a heap fragmented by a long session) it clears
    whole, ~10 MB a table: an arbitrage backtest took 6.7 ms in one thread and 9.3 ms in another
    (now 6.3-6.5 ms in either), a tick backtest 3.8-7.2 ms (now 2.7-2.8 ms).
    """
    dtype = np.dtype(dtype)
    if length * dtype.itemsize < LAZY_BYTES:
        return np.zeros(length, dtype)
    private = {"flags": mmap.MAP_PRIVATE} if hasattr(mmap, "MAP_PRIVATE") else {}  # (Windows: none)
    return np.frombuffer(mmap.mmap(-1, length * dtype.itemsize, **private), dtype)


def _engine(stream, survey, latency, latencies, feed, every, table, queue_model, power, fees) -> k.Engine:
    if feed < 0 and survey.early > 0:
        raise InvalidInput(
            f"'events' has rows received up to {survey.early:,} ns before the exchange stamped them "
            "(local_ts < exch_ts: the clocks are out of step), so a strategy would see them before they "
            "happen; shift local_ts with hftlab.market.events.correct_local_ts(events) or give feed_latency."
        )
    size = survey.high - survey.low + 1 + 2 * MARGIN_TICKS
    span = survey.last_exch - survey.first_exch
    n_orders = len(table) + 16 if table is not None else 65_536  # its pages cost nothing until used (room)
    ring = max(4096, len(table) + 16 if table is not None else 0)
    same_view = feed == 0 or (feed < 0 and survey.at_once)  # we see the book as the exchange has it
    ints = np.zeros(k.N_INTS, np.int64)
    floats = np.zeros(13, np.float64)
    k.empty_books(ints, size)
    ints[k.TICK0], ints[k.NT], ints[k.LATENCY], ints[k.FEED] = survey.low - MARGIN_TICKS, size, latency, feed
    ints[k.EVERY], ints[k.QMODEL], ints[k.NEXT_SAMPLE] = every, QUEUE_MODELS[queue_model], survey.first_exch
    ints[k.SAME_VIEW], ints[k.HORIZON] = same_view, stream.horizon()
    floats[k.QPOW], floats[k.TICK], floats[k.LOT], floats[k.MAKER], floats[k.TAKER] = (
        power, survey.tick, survey.lot, fees[0], fees[1]
    )  # fmt: skip
    book = [np.zeros(size) for _ in range(4)]
    local = (book[0], book[1]) if same_view else (np.zeros(size), np.zeros(size))
    first = stream.take_first()
    return k.Engine(
        first, book[0], book[1], book[2], book[3], np.zeros(size, np.int64), np.zeros(4096, np.int64),
        *local,
        room(n_orders, k.ORDER_DTYPE), np.zeros(ring, k.REQUEST_DTYPE),
        room(4 * (n_orders + k.ROOM), k.RESPONSE_DTYPE), room(4 * (n_orders + k.ROOM), k.FILL_DTYPE),
        room(span // every + 2, k.SAMPLE_DTYPE), stream.order_seq[: len(first)],
        np.zeros(0, k.LATENCY_DTYPE) if latencies is None else latencies, ints, floats,
    )  # fmt: skip


@dataclass(frozen=True)
class TickBacktestProgress(Result):
    """One message of the tick backtest's stream: events replayed so far (of ``total``), and
    the result in the last message."""

    done: int
    total: int
    result: TickBacktestResult | None = None


def backtest_stream(events, path, strategy, params, orders, **settings) -> Iterator[TickBacktestProgress]:
    """:func:`run` of a request's fields (events as an array, or a file ``path``) as a stream:
    progress every chunk of events, then the result.

    The engine runs in a helper thread under a token of its own, linked to the caller's
    (:mod:`hftlab.cancel`): a cancelled caller, or a closed stream, stops it at its next chunk,
    and the stream ends once it has stopped.
    """
    if orders is not None:
        params = {**params, "orders": orders}
    source = events if events is not None else path
    parent = cancel.current()
    token = parent.child() if parent is not None else cancel.CancelToken()
    messages: queue.SimpleQueue = queue.SimpleQueue()

    def progress(done: int, total: int) -> None:
        messages.put(TickBacktestProgress(done, total))

    def work() -> None:
        with cancel.scope(token):
            try:
                result = run(source, strategy, params, on_progress=progress, **settings)
                total = int(result.stats["events"])
                messages.put(TickBacktestProgress(total, total, result))
            except BaseException as exc:  # re-raised in the caller's thread
                messages.put(exc)

    thread = threading.Thread(target=work, name="hftlab-tick-backtest", daemon=True)
    thread.start()
    try:
        while True:
            message = messages.get()
            if isinstance(message, BaseException):
                raise message
            yield message
            if message.result is not None:
                return
    finally:
        token.cancel("the tick backtest's stream was closed")
        thread.join()

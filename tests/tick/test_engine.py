"""The tick engine on hand-made books with planted answers: queue position, latency, takers, fees."""

import numba
import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab import tick_backtest
from hftlab.errors import InvalidInput
from hftlab.market.events import EVENT_DTYPE, EventKind, correct_local_ts, validate_events
from hftlab.tick import Compiled, Strategy
from hftlab.tick import compiled as c

MS = 1_000_000
T0 = 1_700_000_000_000_000_000
D, T, S = EventKind.DEPTH, EventKind.TRADE, EventKind.SNAPSHOT
ADD, CANCEL, EXECUTE = EventKind.ADD, EventKind.CANCEL, EventKind.EXECUTE


def book(*rows, feed_ms: float = 0.0) -> np.ndarray:
    """Events from ``(ms, kind, side, price, qty[, order_id])`` rows, seen ``feed_ms`` after they happen."""
    events = np.zeros(len(rows), EVENT_DTYPE)
    for row, (ms, kind, side, price, qty, *order_id) in zip(events, rows, strict=True):
        row["exch_ts"] = T0 + round(ms * MS)
        row["local_ts"] = T0 + round((ms + feed_ms) * MS)
        row["kind"], row["side"], row["price"], row["qty"] = kind, side, price, qty
        row["order_id"] = order_id[0] if order_id else 0
    return events


OPENING = [(0, S, 1, 100.00, 10), (0, S, -1, 100.01, 5), (0, S, -1, 100.02, 5)]


def orders(*rows) -> pd.DataFrame:
    """An orders table from ``(ms, side, type, price, qty)`` rows."""
    frame = pd.DataFrame(rows, columns=["ms", "side", "type", "price", "qty"])
    frame.insert(0, "time", T0 + (frame.pop("ms") * MS).round().astype(np.int64))
    return frame


def rows(frame, *columns) -> list[tuple]:
    return [tuple(row) for row in frame[list(columns)].itertuples(index=False)]


def run(events, table, **options):
    return tick_backtest(events, "orders", {"orders": table}, tick_size=0.01, lot_size=1, **options)


def test_a_resting_buy_waits_for_the_queue_ahead_of_it():
    events = book(
        *OPENING, (1, T, -1, 100.00, 4), (2, T, -1, 100.00, 6), (3, T, -1, 100.00, 1), (4, D, -1, 100.03, 1)
    )
    result = run(events, orders((0.5, "buy", "limit", 100.00, 1)))
    (fill,) = result.fills.itertuples()
    assert (fill.exch_ts, fill.price, fill.qty, fill.liquidity) == (T0 + 3 * MS, 100.00, 1.0, "maker")
    assert result.orders["status"].tolist() == ["filled"]
    assert result.stats["mean_queue_wait_s"] == pytest.approx(0.0025)


def test_cancellations_behind_and_ahead_move_the_queue_by_model():
    # 10 ahead of us, 5 join behind, 5 cancel (where?), then a 7-lot sell trade at our price
    events = book(
        *OPENING, (1, D, 1, 100.00, 15), (2, D, 1, 100.00, 10), (3, T, -1, 100.00, 7), (4, D, -1, 100.03, 1)
    )
    table = orders((0.5, "buy", "limit", 100.00, 1))
    assert run(events, table, queue_model="risk_averse").fills.empty  # 10 - 7 = 3 still ahead
    # prob_power (n=3): p = 5^3 / (5^3 + 10^3) of the cancel behind us, front = 10 - (1 - p) 5
    filled = run(events, table, queue_model="prob_power").fills
    assert rows(filled, "exch_ts", "price", "qty") == [(T0 + 3 * MS, 100.00, 1.0)]
    assert run(events, table, queue_model="prob_power", queue_power=0.1).fills.empty  # p ~ 1/2: 7.5 ahead


def test_on_l3_data_the_queue_is_exact_from_order_ids():
    events = book(
        (0, ADD, 1, 100.00, 10, 1), (0, ADD, 1, 100.00, 5, 2), (0, ADD, -1, 100.01, 5, 3),
        (1, ADD, 1, 100.00, 7, 4),  # behind us (we arrived at 0.5 ms, 15th)
        (3, CANCEL, 1, 100.00, 10, 1),  # ahead: 5 ahead now (an L2 estimate only knows 12 remain)
        (4, EXECUTE, 1, 100.00, 5, 2),  # ahead: nothing ahead now, no fill
        (6, EXECUTE, 1, 100.00, 2, 4),  # behind us: the seller met us first
        (7, EXECUTE, 1, 100.00, 2, 4),
    )  # fmt: skip
    table = orders((0.5, "buy", "limit", 100.00, 3))
    fifo = run(events, table)  # "auto" on L3 events
    expected = [(T0 + 6 * MS, 2.0, "maker"), (T0 + 7 * MS, 1.0, "maker")]
    assert rows(fifo.fills, "exch_ts", "qty", "liquidity") == expected
    assert rows(run(events, table, queue_model="fifo").fills, "qty") == [(2.0,), (1.0,)]
    assert run(events, table, queue_model="risk_averse").fills.empty  # 12 - 5 - 2 - 2 still ahead
    with pytest.raises(InvalidInput, match="'queue_model' 'fifo' needs L3 events"):
        run(book(*OPENING, (1, D, -1, 100.03, 1)), table, queue_model="fifo")


@pytest.mark.parametrize("model", ["prob_power", "prob_log"])
def test_a_trade_never_fills_more_than_it_traded(model):
    # 10 ahead of us, 5 join behind, the level drops to 1, then a 1-lot sell prints at our price
    events = book(
        *OPENING, (1, D, 1, 100.00, 15), (2, D, 1, 100.00, 1), (3, T, -1, 100.00, 1), (4, D, -1, 100.03, 1)
    )
    fills = run(events, orders((0.5, "buy", "limit", 100.00, 5)), queue_model=model).fills
    assert fills["qty"].sum() <= 1.0  # prob_log leaves ~0.003 ahead of us: no whole lot fills
    if model == "prob_power":  # p = 5^3 / (5^3 + 10^3): the 14 cancelled are almost all ahead of us
        assert rows(fills, "exch_ts", "qty") == [(T0 + 3 * MS, 1.0)]


def test_a_market_order_fills_at_the_best_price_when_it_arrives():
    events = book(*OPENING, (1, D, -1, 100.01, 0), (5, D, -1, 100.04, 1))
    table = orders((0, "buy", "market", np.nan, 3))
    now = run(events, table, taker_fee=0.001)
    assert rows(now.fills, "price", "qty", "liquidity") == [(100.01, 3.0, "taker")]
    assert now.fills["fee"].iloc[0] == pytest.approx(0.001 * 100.01 * 3)
    late = run(events, table, order_latency=0.002)  # arrives at 2 ms, after 100.01 left the book
    assert rows(late.fills, "exch_ts", "price", "qty") == [(T0 + 2 * MS, 100.02, 3.0)]
    assert late.fills["local_ts"].iloc[0] == T0 + 4 * MS  # we learn of it one latency later


def test_takers_walk_the_book_and_cannot_take_the_same_liquidity_twice():
    events = book(*OPENING, (5, D, -1, 100.04, 1))
    result = run(events, orders((0, "buy", "market", np.nan, 7), (0, "buy", "limit", 100.02, 4)))
    assert rows(result.fills, "order_id", "price", "qty") == [
        (1, 100.01, 5.0), (1, 100.02, 2.0), (2, 100.02, 3.0)
    ]  # fmt: skip
    assert result.orders["status"].tolist() == ["filled", "open"]  # 1 lot rests at 100.02


def test_post_only_ioc_and_fok_at_a_thin_book():
    events = book(*OPENING, (5, D, -1, 100.04, 1))
    table = orders(
        (0, "buy", "post_only", 100.01, 1), (0, "buy", "ioc", 100.01, 8), (0, "buy", "fok", 100.02, 11)
    )
    result = run(events, table)
    assert result.orders["status"].tolist() == ["rejected", "expired", "expired"]
    assert result.orders["filled"].tolist() == [0.0, 5.0, 0.0]


def test_the_book_moving_through_a_resting_order_fills_it_whole():
    events = book(*OPENING, (1, D, 1, 100.00, 0), (2, D, -1, 100.01, 0), (2, D, -1, 100.00, 3))
    result = run(events, orders((0.5, "buy", "limit", 100.00, 2)), maker_fee=-0.0001)
    assert rows(result.fills, "exch_ts", "price", "qty", "liquidity") == [(T0 + 2 * MS, 100.00, 2.0, "maker")]
    assert result.fills["fee"].iloc[0] == pytest.approx(-0.0001 * 200.0)  # a rebate
    assert result.stats["fees"] == pytest.approx(-0.02)


def test_a_cancel_that_arrives_too_late_does_not_stop_the_fill():
    events = book(*OPENING, (2, T, -1, 99.99, 1), (5, D, -1, 100.04, 1))
    fast = Canceller(cancel_at_ms=1)
    slow = Canceller(cancel_at_ms=1)
    assert tick_backtest(events, fast, tick_size=0.01, lot_size=1).fills.empty
    late = tick_backtest(events, slow, tick_size=0.01, lot_size=1, order_latency=0.0015)
    assert rows(late.fills, "price", "qty") == [(100.00, 1.0)]  # trade-through at 2 ms
    assert slow.statuses[-1] == "filled"


class Canceller(Strategy):
    """Buys 1 at 100.00 at once and cancels it at ``cancel_at_ms``."""

    interval = 0.001

    def __init__(self, cancel_at_ms):
        self.cancel_at, self.order, self.statuses = cancel_at_ms, None, []

    def on_tick(self, ctx):
        elapsed = (ctx.ts - T0) / MS
        if self.order is None:
            self.order = ctx.buy(100.00, 1)
        elif elapsed == self.cancel_at:
            ctx.cancel(self.order)
        self.statuses.append(ctx.status(self.order))


class Watcher(Strategy):
    interval = 0.001

    def __init__(self):
        self.seen = []

    def on_tick(self, ctx):
        self.seen.append(ctx.best_ask)


def test_the_strategy_sees_the_book_at_its_receive_time():
    rows = [*OPENING, (2, D, -1, 100.01, 0), (6, D, -1, 100.05, 1)]
    recorded, delayed = Watcher(), Watcher()
    tick_backtest(book(*rows, feed_ms=3), recorded, tick_size=0.01)
    tick_backtest(book(*rows), delayed, tick_size=0.01, feed_latency=0.003)
    assert recorded.seen == [100.01] * 2 + [100.02] * 4  # wake-ups from 3 ms; the 2 ms change seen at 5 ms
    assert delayed.seen == recorded.seen


def test_accounting_adds_up():
    events = book(*OPENING, (1, T, -1, 99.99, 1), (2, D, -1, 100.04, 1))
    result = run(
        events, orders((0, "buy", "market", np.nan, 6), (0.5, "buy", "limit", 100.00, 1)), taker_fee=0.01
    )
    fills = result.fills
    cash = -(fills["side"] * fills["qty"] * fills["price"]).sum() - fills["fee"].sum()
    last = result.equity.iloc[-1]
    assert last["position"] == fills["side"].mul(fills["qty"]).sum() == 7
    assert last["cash"] == pytest.approx(cash)
    assert last["equity"] == pytest.approx(cash + 7 * last["mid"])
    assert result.stats["taker_volume"] == 6 and result.stats["maker_volume"] == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e: tick_backtest(e[::-1].copy(), "grid"), "'events' are not in time order"),
        (lambda e: tick_backtest(e, "scalper"), "'strategy' must be one of"),
        (
            lambda e: tick_backtest(e, "grid", order_latency=-0.001),
            "'order_latency' must be a finite number >= 0",
        ),
        (lambda e: tick_backtest(e, "grid", taker_fee=1.0), "'taker_fee' must be a finite number"),
        (lambda e: tick_backtest(e, "grid", {"spread": 1}), "'params' must be keys among"),
        (
            lambda e: run(e, orders((0, "buy", "limit", 100, 1)).drop(columns="qty")),
            "missing the column(s) ['qty']",
        ),
        (lambda e: run(e, orders((1, "buy", "limit", 100, 1), (0, "buy", "limit", 100, 1))), "in time order"),
        (lambda e: run(e, orders((0, "hold", "limit", 100, 1))), "row 0: side must be 'buy' or 'sell'"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(InvalidInput) as error:
        call(book(*OPENING, (1, D, -1, 100.03, 1)))
    assert message in str(error.value)


class PythonGrid(Strategy):
    """The built-in grid quoter written as a plain Python strategy (same decisions, same API)."""

    interval = 0.01

    def __init__(self, half_spread, qty, max_position, tick):
        self.half, self.qty, self.limit, self.tick = half_spread / tick, qty, max_position, tick
        self.quotes = {1: None, -1: None}  # side -> (order, tick)

    def on_tick(self, ctx):
        if np.isnan(ctx.best_bid) or np.isnan(ctx.best_ask):
            return
        best_bid, best_ask = round(ctx.best_bid / self.tick), round(ctx.best_ask / self.tick)
        mid = (best_bid + best_ask) / 2
        wanted = {
            1: (min(int(np.floor(mid - self.half + 1e-9)), best_ask - 1), ctx.position < self.limit),
            -1: (max(int(np.ceil(mid + self.half - 1e-9)), best_bid + 1), ctx.position > -self.limit),
        }
        for side, (tick, want) in wanted.items():
            quote = self.quotes[side]
            if quote is not None and ctx.status(quote[0]) not in ("sent", "open"):
                quote = None
            elif quote is not None and (not want or quote[1] != tick):
                ctx.cancel(quote[0])
                quote = None
            if want and quote is None:
                send = ctx.buy if side > 0 else ctx.sell
                quote = (send(tick * self.tick, self.qty), tick)
            self.quotes[side] = quote


@pytest.mark.parametrize("latency", [0.0, 0.001])
def test_the_python_strategy_api_gives_the_compiled_grid_s_fills(lobster_files, latency):
    options = {"order_latency": latency, "tick_size": 0.01, "maker_fee": -0.0002}
    compiled = tick_backtest(
        lobster_files,
        "grid",
        {"half_spread": 0.02, "order_qty": 100, "max_position": 300, "interval": 0.01},
        **options,
    )
    python = tick_backtest(lobster_files, PythonGrid(0.02, 100, 300, 0.01), **options)
    assert len(compiled.fills) > 10
    pd.testing.assert_frame_equal(python.fills, compiled.fills)
    pd.testing.assert_frame_equal(python.orders, compiled.orders)
    assert python.stats == compiled.stats
    assert compiled.stats["max_inventory"] <= 300 + 100  # one quote may fill before we learn of the last


def test_latency_costs_the_grid_fills_on_the_lobster_sample(lobster_files):
    params = {"half_spread": 0.01, "order_qty": 100, "interval": "10ms"}
    fills = [
        len(tick_backtest(lobster_files, "grid", params, order_latency=latency, tick_size=0.01).fills)
        for latency in (0.0, 0.01, 0.1)
    ]
    assert fills[0] > fills[2] > 0, fills


def test_runs_in_chunks_equal_one_pass(lobster_files, monkeypatch):
    """The compiled paths return to Python every CHUNK events (progress, Ctrl-C): same answers."""
    import hftlab
    from hftlab.tick import source

    grid = {"half_spread": 0.02, "order_qty": 100, "max_position": 300, "interval": 0.01}
    events = hftlab.load_events(lobster_files)
    start = int(events["local_ts"][0])
    table = pd.DataFrame(
        {"time": [start + 10**6, start + 3 * 10**9], "side": ["buy", "sell"], "type": ["market", "limit"],
         "price": [np.nan, 585.60], "qty": [200.0, 100.0]}
    )  # fmt: skip

    def both():
        latency = {"order_latency": 0.001}
        return [tick_backtest(events, "grid", grid, **latency), run(events, table, **latency)]

    whole = both()
    monkeypatch.setattr(source, "CHUNK", 37)
    chunked = both()
    for one, other in zip(whole, chunked, strict=True):
        assert hftlab.differences(one, other) == []
    assert len(whole[0].fills) > 10 and len(whole[1].fills) >= 2


class Script(Strategy):
    """Sends what ``steps`` say at each wake-up: ``{ms: [("buy", price, qty) or ("modify", price, qty)]}``
    (a modify moves the first order)."""

    interval = 0.001

    def __init__(self, steps):
        self.steps, self.orders, self.statuses = steps, [], []

    def on_tick(self, ctx):
        for action, price, qty in self.steps.get(round((ctx.ts - T0) / MS), []):
            if action == "modify":
                ctx.modify(self.orders[0], price, qty)
            else:
                self.orders.append((ctx.buy if action == "buy" else ctx.sell)(price, qty))
        if self.orders:
            self.statuses.append(ctx.status(self.orders[0]))


# 10 ahead of our buy at 100.00; 5 join behind at 0.5 ms; trades of 10, then 2, at our price
QUEUE = [
    *OPENING,
    (0.5, D, 1, 100.00, 15),
    (2, T, -1, 100.00, 10),
    (3, T, -1, 100.00, 2),
    (4, D, -1, 100.03, 1),
]


@pytest.mark.parametrize(
    ("modify", "filled"),
    [
        (None, [(T0 + 3 * MS, 100.00, 2.0)]),  # 10 ahead, then 2 of the second trade fill us
        (("modify", 100.00, 2), [(T0 + 3 * MS, 100.00, 2.0)]),  # less at the same price: same place
        (("modify", 100.00, 4), []),  # more: the back of the level, 15 ahead
        (("modify", 100.01, 2), [(T0 + 1 * MS, 100.01, 2.0)]),  # crosses the ask: takes it at once
    ],
)
def test_a_modify_keeps_the_queue_place_only_when_it_lowers_the_quantity(modify, filled):
    steps = {0: [("buy", 100.00, 3)], **({1: [modify]} if modify else {})}
    result = tick_backtest(book(*QUEUE), Script(steps), tick_size=0.01, lot_size=1, queue_model="risk_averse")
    assert rows(result.fills, "exch_ts", "price", "qty") == filled
    assert result.orders["modified"].tolist() == [1 if modify else 0]
    if modify and modify[1] == 100.01:
        assert result.fills["liquidity"].tolist() == ["taker"]


def test_a_modify_that_arrives_after_the_fill_changes_nothing():
    events = book(*OPENING, (1, T, -1, 99.99, 5), (5, D, -1, 100.04, 1))  # trades through 100.00 at 1 ms
    script = Script({0: [("buy", 100.00, 3)], 1: [("modify", 99.90, 3)]})
    result = tick_backtest(events, script, tick_size=0.01, lot_size=1, order_latency=0.0005)
    assert rows(result.fills, "price", "qty") == [(100.00, 3.0)]
    assert result.orders[["price", "status", "modified"]].values.tolist() == [[100.00, "filled", 0]]


def test_a_recorded_order_latency_is_interpolated_and_never_overtakes():
    latency = pd.DataFrame(
        {"time": [T0, T0 + 10 * MS], "entry": [0.001, 0.003], "response": [0.002, 0.002]}
    )  # sent at 5 ms: 2 ms to the exchange, 2 ms back
    result = run(
        book(*OPENING, (20, D, -1, 100.04, 1)), orders((5, "buy", "limit", 99.00, 1)), order_latency=latency
    )
    assert result.orders[["sent_ts", "exch_ts", "ack_ts"]].values.tolist() == [
        [T0 + 5 * MS, T0 + 7 * MS, T0 + 9 * MS]
    ]
    slow_then_fast = pd.DataFrame({"time": [T0, T0 + MS], "entry": [0.010, 0.0], "response": [0.0, 0.0]})
    two = run(
        book(*OPENING, (20, D, -1, 100.04, 1)),
        orders((0, "buy", "limit", 99.00, 1), (1, "buy", "limit", 99.01, 1)),
        order_latency=slow_then_fast,
    )
    assert two.orders["exch_ts"].tolist() == [T0 + 10 * MS, T0 + 10 * MS]  # the second waits behind the first
    with pytest.raises(InvalidInput, match=r"'order_latency.entry\[1\]' must be seconds in \[0, 1e\+06\]"):
        run(
            book(*OPENING),
            orders((0, "buy", "limit", 99.0, 1)),
            order_latency=latency.assign(entry=[0.001, -1]),
        )
    with pytest.raises(InvalidInput, match="'order_latency' times must increase; row 1"):
        run(book(*OPENING), orders((0, "buy", "limit", 99.0, 1)), order_latency=latency.iloc[[0, 0]])


@numba.njit
def numba_grid(E, ts, state):
    """The grid quoter as a numba strategy (hftlab.tick.compiled): state = tick, half spread in
    ticks, qty, max position, then (order, tick) of the bid and of the ask."""
    tick, half, qty, limit = state[0], state[1], state[2], state[3]
    bid, ask = c.best_bid(E), c.best_ask(E)
    if np.isnan(bid) or np.isnan(ask):
        return
    best_bid, best_ask = np.round(bid / tick), np.round(ask / tick)
    mid = (best_bid + best_ask) / 2
    wanted_ticks = (
        min(np.floor(mid - half + 1e-9), best_ask - 1),
        max(np.ceil(mid + half - 1e-9), best_bid + 1),
    )
    for i in range(2):
        side = 1 if i == 0 else -1
        order, at, wanted_tick = np.int64(state[4 + 2 * i]), state[5 + 2 * i], wanted_ticks[i]
        wanted = c.position(E) < limit if side > 0 else c.position(E) > -limit
        if order >= 0:
            if c.status(E, order) != c.SENT and c.status(E, order) != c.OPEN:
                order = -1
            elif not wanted or at != wanted_tick:
                c.cancel(E, ts, order)
                order = -1
        if wanted and order < 0:
            price = wanted_tick * tick
            order = c.buy(E, ts, price, qty) if side > 0 else c.sell(E, ts, price, qty)
            at = wanted_tick
        state[4 + 2 * i], state[5 + 2 * i] = order, at


@pytest.mark.parametrize("latency", [0.0, 0.001])
def test_a_numba_strategy_gives_the_compiled_grid_s_fills(lobster_files, latency):
    options = {"order_latency": latency, "tick_size": 0.01, "maker_fee": -0.0002}
    params = {"half_spread": 0.02, "order_qty": 100, "max_position": 300, "interval": 0.01}
    built_in = tick_backtest(lobster_files, "grid", params, **options)
    state = [0.01, 2.0, 100.0, 300.0, -1.0, 0.0, -1.0, 0.0]
    mine = tick_backtest(lobster_files, Compiled(numba_grid, interval=0.01, state=state), **options)
    assert len(built_in.fills) > 10
    pd.testing.assert_frame_equal(mine.fills, built_in.fills)
    pd.testing.assert_frame_equal(mine.orders, built_in.orders)
    assert mine.stats == built_in.stats


def test_a_numba_strategy_runs_locally_only(grpc_address, lobster_files):
    strategy = Compiled(numba_grid, interval=0.01, state=[0.01, 2.0, 100.0, 300.0, -1.0, 0.0, -1.0, 0.0])
    with hftlab.using(grpc_address), pytest.raises(InvalidInput, match="numba strategy runs in this process"):
        tick_backtest(lobster_files, strategy)


def test_the_history_holds_every_reply_with_its_times():
    steps = {0: [("buy", 100.00, 3)], 1: [("modify", 99.99, 3)], 2: [("modify", 100.01, 3)]}
    events = book(*OPENING, (4, D, -1, 100.03, 1))
    result = tick_backtest(events, Script(steps), tick_size=0.01, lot_size=1, order_latency=0.0002)
    replies = rows(
        result.history.round({"price": 10}), "order_id", "exch_ts", "local_ts", "status", "price", "filled"
    )
    assert replies == [
        (1, T0 + 200_000, T0 + 400_000, "open", 100.00, 0.0),  # the ack
        (1, T0 + 1_200_000, T0 + 1_400_000, "open", 99.99, 0.0),  # moved down: rests again
        (1, T0 + 2_200_000, T0 + 2_400_000, "filled", 100.01, 3.0),  # moved through the ask: taken
    ]
    assert result.orders[["modified", "ack_ts"]].values.tolist() == [[2, T0 + 400_000]]
    figure = result.plot()
    bids = next(trace for trace in figure.data if trace.name == "our bids")
    assert [p for p in bids.y if p == p] == pytest.approx([100.00, 100.00, 99.99, 99.99])  # two segments


def test_without_a_tick_size_the_grid_divides_every_price():
    """A book quoting every other cent around an odd level: its smallest step (2 cents) is not
    its tick; given the tick or not, the same fill."""
    events = book((0, S, 1, 100.00, 10), (0, S, -1, 100.05, 5), (0, S, -1, 100.07, 5), (5, T, -1, 100.00, 20))
    table = orders((1, 1, "limit", 100.00, 3))
    inferred = tick_backtest(events, "orders", {"orders": table}, lot_size=1)
    assert hftlab.differences(inferred, run(events, table)) == []
    assert rows(inferred.fills, "price", "qty") == [(100.00, 3.0)]
    with pytest.raises(InvalidInput, match=r"not on a decimal grid of 10 digits or fewer.*give 'tick_size'"):
        tick_backtest(book((0, S, 1, np.pi, 10), (0, S, -1, 4.0, 5)), "orders", {"orders": table})


def test_a_side_emptied_then_refilled_on_a_top_of_book_feed():
    """Top-of-book data: each move deletes a side's only level, then sets the new one (the
    side is empty in between; no scan of the grid finds its next level, a count says none).
    Far trades widen the grid to 100,000 ticks; the asks and a buy's fill follow the moves."""
    feed = [(0, T, 1, 500.00, 1), (0, T, 1, 1500.00, 1), (0, S, 1, 999.99, 5), (0, S, -1, 1000.01, 5)]
    for ms, ask in ((2, 1000.03), (4, 1000.02), (6, 1000.05)):
        previous = feed[-1][3]
        feed += [(ms, D, -1, previous, 0), (ms, D, -1, ask, 5)]
    feed.append((7, D, 1, 999.99, 0))  # the bids empty for good
    watcher = Watcher()
    tick_backtest(book(*feed), watcher, tick_size=0.01)
    assert [round(ask, 2) for ask in watcher.seen] == [1000.01] * 2 + [1000.03] * 2 + [1000.02] * 2 + [1000.05]
    result = run(book(*feed), orders((5, 1, "ioc", 1000.02, 2)))
    assert rows(result.fills, "price", "qty") == [(1000.02, 2.0)]
    validate_events(book(*feed))  # the book check keeps the same count: no crossed book seen


def test_a_snapshot_feed_clears_the_book_it_replaces():
    """Each snapshot is a CLEAR and the levels: the CLEAR zeroes only the span the side has set
    since the last one, and a level the next snapshot leaves out is gone (grid of 100,000 ticks)."""
    C = EventKind.CLEAR
    feed = [(0, T, 1, 500.00, 1), (0, T, 1, 1500.00, 1), (0, C, 0, 0.0, 0)]
    feed += [(0, S, 1, 999.98, 5), (0, S, 1, 999.99, 5), (0, S, -1, 1000.01, 5), (0, S, -1, 1000.03, 5)]
    feed += [(3, C, 0, 0.0, 0), (3, S, 1, 999.99, 5), (3, S, -1, 1000.02, 5)]
    feed += [(5, C, -1, 0.0, 0), (5, S, -1, 1000.01, 1), (8, T, 1, 999.99, 1)]  # the asks alone at 5 ms
    watcher = Watcher()
    tick_backtest(book(*feed), watcher, tick_size=0.01)
    assert [round(ask, 2) for ask in watcher.seen] == [1000.01] * 3 + [1000.02] * 2 + [1000.01] * 3
    result = run(book(*feed), orders((4, 1, "ioc", 1000.03, 10), (6, 1, "ioc", 1000.03, 10)))
    assert rows(result.fills, "price", "qty") == [(1000.02, 5.0), (1000.01, 1.0)]  # 1000.03 went at 3 ms


def test_the_engines_tables_are_fresh_pages_of_their_own():
    """Large tables are zeros on a private mapping of their own (their unused room is never
    touched, in any thread); small ones are plain numpy zeros."""
    import mmap

    from hftlab.tick import engine
    from hftlab.tick.backtest import LAZY_BYTES, room

    table = room(LAZY_BYTES // engine.FILL_DTYPE.itemsize + 1, engine.FILL_DTYPE)
    assert isinstance(table.base.obj, mmap.mmap) and table.flags.writeable and table.flags.c_contiguous
    assert table.dtype == engine.FILL_DTYPE and not table.tobytes().strip(b"\0")
    table[-1] = table[0]  # writable to its last row
    small = room(3, engine.ORDER_DTYPE)
    assert small.base is None and small.dtype == engine.ORDER_DTYPE and not small.tobytes().strip(b"\0")


def test_rows_received_before_they_happen_are_refused_until_the_clocks_are_corrected():
    """A receive time before the exchange's (clock skew) would let a strategy see a move before
    it happens: refused with the recorded feed times; shifting every local_ts by the largest
    lead (hftbacktest's correct_local_timestamp) or a constant feed latency runs."""
    events = book((0, S, 1, 100.00, 10), (0, S, -1, 100.02, 5), (4, T, -1, 100.00, 20))
    events["local_ts"][2] -= 3_000_000  # seen 3 ms before it happens, 1 ms after the snapshot
    table = orders((2, "buy", "limit", 100.00, 3))
    with pytest.raises(
        InvalidInput, match=r"^'events' has rows received up to 3,000,000 ns before the exchange"
    ):
        run(events, table)
    corrected = correct_local_ts(events, base_latency=0.0005)
    assert (corrected["local_ts"] - corrected["exch_ts"]).tolist() == [3_500_000, 3_500_000, 500_000]
    assert correct_local_ts(corrected).tolist() == corrected.tolist()  # nothing early: unchanged
    assert rows(run(corrected, table).fills, "price", "qty") == [(100.00, 3.0)]
    assert rows(run(events, table, feed_latency=0.001).fills, "price", "qty") == [(100.00, 3.0)]


def test_an_order_off_the_tick_or_lot_is_refused_not_rounded():
    """The engine rounds prices to the tick and quantities to the lot: an orders table that is
    off them would trade something else than it says (3 on a lot of 5 traded 5)."""
    events = book((0, S, 1, 100.00, 10), (0, S, -1, 100.02, 5), (4, T, -1, 100.00, 20))
    inferred_lot = {"orders": orders((2, "buy", "limit", 100.00, 3))}
    with pytest.raises(InvalidInput, match=r"^'params.orders.qty\[0\]' must be a whole number of lot_size 5 "):
        tick_backtest(events, "orders", inferred_lot, tick_size=0.01)
    half_tick = {"orders": orders((1, "buy", "ioc", 100.02, 5), (2, "buy", "limit", 100.005, 5))}
    with pytest.raises(
        InvalidInput, match=r"^'params.orders.price\[1\]' must be a whole number of tick_size 0.01 "
    ):
        tick_backtest(events, "orders", half_tick, tick_size=0.01)
    market = {"orders": orders((2, "buy", "market", 0.0, 5))}
    assert rows(tick_backtest(events, "orders", market, tick_size=0.01).fills, "price", "qty") == [
        (100.02, 5.0)
    ]

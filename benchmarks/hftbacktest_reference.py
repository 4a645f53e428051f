"""hftbacktest's fills for a fixed order table on an L2 book: the fixture of
``tests/tick/test_hftbacktest_reference.py``.

Run by hand from the repository root to regenerate ``tests/tick/fixtures/hftbacktest_*.csv``::

    .venv/bin/python benchmarks/hftbacktest_reference.py

It runs in two interpreters. In hftlab's ``.venv`` it replays LOBSTER's AAPL sample
(``hftlab.load_events(hftlab.data.lobster_sample())``, L3) into per-level sizes, the L2 events
both engines get, and writes them with the order table :data:`ORDERS`. Then it runs itself again in
``benchmarks/.venv-hftbacktest`` (made on first use: hftbacktest 2.4 pins numpy < 2.3, so it stays
out of ``.venv``), where hftbacktest replays the same events and orders with its partial-fill
exchange, risk-averse queue model, constant order latency and trading-value fees, and the fills it
reports are written.

hftbacktest references (https://hftbacktest.readthedocs.io, source in nkaz001/hftbacktest):
``docs/data.rst`` (the event format), ``docs/order_fill.rst`` (``PartialFillExchange``,
``RiskAdverseQueueModel``), ``docs/latency_models.rst`` (``ConstantLatency``) and the Python API
(``BacktestAsset``, ``HashMapMarketDepthBacktest``, ``submit_buy_order``, ``wait_next_feed``).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "benchmarks" / ".venv-hftbacktest"
FIXTURES = ROOT / "tests" / "tick" / "fixtures"
EVENTS_CSV, ORDERS_CSV, FILLS_CSV = (FIXTURES / f"hftbacktest_{n}.csv" for n in ("events", "orders", "fills"))
COMMAND = ".venv/bin/python benchmarks/hftbacktest_reference.py"
REQUIREMENT = "hftbacktest>=2.4,<2.5"

TICK_SIZE, LOT_SIZE = 0.01, 1.0
LATENCY_NS = 1_000_000  # order entry and response latency alike (hftlab's order_latency=0.001)
MAKER_FEE, TAKER_FEE = -0.0002, 0.0007
DEPTH, TRADE, CLEAR, SNAPSHOT, ADD, CANCEL, EXECUTE = 1, 2, 3, 4, 5, 6, 7  # hftlab's event kinds

# (ms after the first event, side, type, price, qty), sent at those local times
ORDERS = [
    (900.0, "buy", "limit", 585.70, 30),  # joins 44 behind the best bid: a trade of 26 there, then one through
    (1100.0, "buy", "limit", 585.66, 10),  # behind the best bid, filled by a trade through its price
    (2000.0, "buy", "ioc", 585.78, 40),  # walks two ask levels (18 + 18), the rest expires
    (2000.5, "buy", "limit", 585.60, 5),  # a new level inside the spread (nothing ahead of it)
    (3100.0, "sell", "limit", 585.68, 60),  # joins 18 at the best ask: a trade of 18 there, then one through
    (5000.0, "buy", "limit", 585.50, 40),  # joins 18; the level empties, a trade there fills 18, one through 22
    (9000.0, "sell", "market", None, 250),  # walks three bid levels
    (15000.0, "buy", "fok", 585.42, 300),  # the best ask holds 320: fills whole
    (15000.5, "buy", "fok", 585.54, 500),  # 420 within its price: expires untouched
    (15001.0, "buy", "ioc", 585.42, 100),  # the liquidity the FOK above took, before the data updates it
    (19000.0, "buy", "limit", 585.65, 50),  # crosses a thin book: 18 at 585.64, 18 at 585.65, 14 left
    (19314.84678, "buy", "ioc", 585.63, 5),  # arrives as an ask at 585.63 appears: the book goes first
    (27000.0, "buy", "limit", 585.66, 30),  # crosses: 18 at 585.65, 12 of the 18 at 585.66
    (27000.5, "buy", "post_only", 585.65, 10),  # would cross: rejected (hftbacktest: GTX expired)
    (28250.0, "buy", "limit", 585.54, 40),  # joins 18; the level empties; trades there fill 18, 5 and 17
    (34000.0, "sell", "post_only", 585.76, 20),  # a new ask level, filled by the buy trade at its price
    (34250.0, "sell", "limit", 585.74, 40),  # joins 12: trades of 12 and 13 fill 13; later 5 and 22 at once
    (39000.0, "buy", "market", None, 150),  # 100 at 585.73, 50 at 585.80
    (42250.0, "sell", "limit", 585.50, 40),  # joins 100; the level empties; 18 + 15 + 7 at one time
]


def main() -> None:
    if Path(sys.prefix).resolve() == VENV.resolve():
        write_fills()
        return
    write_events_and_orders()
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", REQUIREMENT], check=True)
    subprocess.run([str(python), __file__], check=True)


# -- stage 1, in hftlab's .venv: the L2 events and the order table ---------------------------------


def l2_events(events):
    """hftlab L3 events as L2 rows ``(exch_ts, kind, side, price, qty)``: each ADD, CANCEL or EXECUTE
    becomes a DEPTH row with its level's new size (an EXECUTE first a TRADE, aggressor ``-side``);
    CLEAR, SNAPSHOT, DEPTH and TRADE rows stay as they are."""
    levels, rows = {}, []
    for event in events:
        ts, kind, side = int(event["exch_ts"]), int(event["kind"]), int(event["side"])
        price, qty = round(float(event["price"]), 2), float(event["qty"])
        if kind == CLEAR:
            levels = {key: size for key, size in levels.items() if side != 0 and key[0] != side}
        elif kind in (DEPTH, SNAPSHOT):
            levels[side, price] = qty
        elif kind != TRADE:  # ADD, CANCEL, EXECUTE
            if kind == EXECUTE:
                rows.append((ts, TRADE, -side, price, qty))
            change = qty if kind == ADD else -qty
            levels[side, price] = qty = max(levels.get((side, price), 0.0) + change, 0.0)
            kind = DEPTH
        rows.append((ts, kind, side, price, qty))
    return rows


def write_events_and_orders() -> None:
    """Write the L2 events of the LOBSTER sample and the order table (times in ns)."""
    data = ROOT.parent / "shared" / "data"  # the workspace's copy, as tests/conftest.py finds it
    if data.is_dir():
        os.environ.setdefault("HFTLAB_DATA_DIR", str(data))
    import numpy as np

    import hftlab
    import hftlab.data
    from hftlab.market.events import EVENT_DTYPE

    rows = l2_events(hftlab.load_events(hftlab.data.lobster_sample()))
    events = np.zeros(len(rows), EVENT_DTYPE)
    for name, column in zip(("exch_ts", "kind", "side", "price", "qty"), zip(*rows, strict=True), strict=True):
        events[name] = column
    events["local_ts"] = events["exch_ts"]
    hftlab.load_events(events)  # validated: in time order, never crossed
    start = rows[0][0]
    orders = [(start + round(ms * 1e6), side, kind, price, qty) for ms, side, kind, price, qty in ORDERS]
    FIXTURES.mkdir(parents=True, exist_ok=True)
    note = f"# written by `{COMMAND}`:"
    l2 = f"{note} LOBSTER's AAPL sample (L3) as L2 events (local_ts = exch_ts)"
    _write(EVENTS_CSV, l2, ("exch_ts", "kind", "side", "price", "qty"), rows)
    _write(ORDERS_CSV, f"{note} the fixed order table", ("time", "side", "type", "price", "qty"), orders)


def _write(path: Path, header: str, columns: tuple, rows) -> None:
    with path.open("w", newline="") as file:
        file.write(header + "\n")
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


# -- stage 2, in benchmarks/.venv-hftbacktest: hftbacktest's fills ---------------------------------


def _read(path: Path) -> list[dict]:
    with path.open() as file:
        return list(csv.DictReader(line for line in file if not line.startswith("#")))


def hftbacktest_events():
    """The L2 events in hftbacktest's format (docs/data.rst): ``ev`` flags, both clocks equal
    (feed latency zero), every row an exchange and a local event."""
    import numpy as np
    from hftbacktest.types import (
        BUY_EVENT,
        DEPTH_CLEAR_EVENT,
        DEPTH_EVENT,
        DEPTH_SNAPSHOT_EVENT,
        EXCH_EVENT,
        LOCAL_EVENT,
        SELL_EVENT,
        TRADE_EVENT,
        event_dtype,
    )

    kinds = {DEPTH: DEPTH_EVENT, TRADE: TRADE_EVENT, CLEAR: DEPTH_CLEAR_EVENT, SNAPSHOT: DEPTH_SNAPSHOT_EVENT}
    sides = {1: BUY_EVENT, -1: SELL_EVENT, 0: 0}  # bid/ask of a depth row, the aggressor of a trade
    rows = _read(EVENTS_CSV)
    data = np.zeros(len(rows), event_dtype)
    for row, event in zip(rows, data, strict=True):
        event["ev"] = EXCH_EVENT | LOCAL_EVENT | kinds[int(row["kind"])] | sides[int(row["side"])]
        event["exch_ts"] = event["local_ts"] = int(row["exch_ts"])
        event["px"], event["qty"] = float(row["price"]), float(row["qty"])
    return data


def replay(data, orders: list[tuple]) -> list[tuple]:
    """Send ``orders`` (time, side, type, price, qty) to hftbacktest and watch them: one row
    ``(order_id, exch_ts, local_ts, side, price, qty, maker)`` per fill.

    hftbacktest answers a taking order once, after its whole walk of the book, with the last
    level's price and quantity; a walk over several levels is split by sending the same order
    alone for the quantity before its last level (a shorter walk fills a prefix of the longer
    one). Fills of one resting order at one exchange time reach us together and are summed.
    """
    from hftbacktest import BacktestAsset, HashMapMarketDepthBacktest
    from hftbacktest.order import FOK, GTC, GTX, IOC, LIMIT, MARKET

    asset = (
        BacktestAsset()
        .data(data)
        .linear_asset(1.0)
        .constant_order_latency(LATENCY_NS, LATENCY_NS)
        .risk_adverse_queue_model()
        .partial_fill_exchange()
        .trading_value_fee_model(MAKER_FEE, TAKER_FEE)
        .tick_size(TICK_SIZE)
        .lot_size(LOT_SIZE)
    )
    hbt = HashMapMarketDepthBacktest([asset])
    types = {"limit": (GTC, LIMIT), "post_only": (GTX, LIMIT), "ioc": (IOC, LIMIT), "fok": (FOK, LIMIT),
             "market": (GTC, MARKET)}  # fmt: skip
    leaves, fills = {}, []

    def step(timeout: int) -> int:
        code = hbt.wait_next_feed(True, timeout)  # up to the next feed event or order response
        if code >= 10:  # 14 InvalidOrderStatus: e.g. nkaz001/hftbacktest#312, a queue fill of exactly leaves
            raise RuntimeError(f"hftbacktest stopped with error code {code}")
        for order_id, order in enumerate(orders, 1):
            found = hbt.orders(0).get(order_id)
            seen = found.arr[0] if found is not None else None  # order_dtype (types.py): has `maker`
            if seen is None or seen["leaves_qty"] >= leaves[order_id]:
                continue
            if code == 1:  # its clock stays at the last event it returned at, not this response's time
                raise RuntimeError(f"order {order_id} filled as the data ended: send it earlier")
            filled, last, maker = leaves[order_id] - seen["leaves_qty"], seen["exec_qty"], bool(seen["maker"])
            price = round(seen["exec_price_tick"] * TICK_SIZE, 2)
            fill = (order_id, int(seen["exch_timestamp"]), hbt.current_timestamp, order[1], price)
            if filled > last and not maker:
                before = replay(data, [(*order[:4], filled - last)])
                assert sum(row[5] for row in before) == filled - last, (order_id, before)
                fills.extend((order_id, *row[1:]) for row in before)
                filled = last
            fills.append((*fill, filled, maker))
            leaves[order_id] = seen["leaves_qty"]
        return code

    step(0)  # the first event's time
    for order_id, (ts, side, kind, price, qty) in enumerate(orders, 1):
        while hbt.current_timestamp < ts:
            step(ts - hbt.current_timestamp)
        submit = hbt.submit_buy_order if side == "buy" else hbt.submit_sell_order
        code = submit(0, order_id, price, qty, *types[kind], False)
        if code != 0:
            raise RuntimeError(f"hftbacktest refused order {order_id} with code {code}")
        leaves[order_id] = qty
    while step(10**15) != 1:  # 1: end of data
        pass
    hbt.close()
    return fills


def write_fills() -> None:
    """Run hftbacktest on the fixture's events and orders and write its fills with their fees: the
    fee model's ``rate * price * qty`` of each fill (its local ``state_values`` apply only the
    response that completes an order, nkaz001/hftbacktest#299, so they are not read)."""
    import hftbacktest

    orders = [(int(row["time"]), row["side"], row["type"], float(row["price"] or 0), float(row["qty"]))
              for row in _read(ORDERS_CSV)]  # fmt: skip
    rows = []
    for order_id, exch_ts, local_ts, side, price, qty, maker in replay(hftbacktest_events(), orders):
        fee = (MAKER_FEE if maker else TAKER_FEE) * price * qty  # TradingValueFeeModel
        rows.append((order_id, exch_ts, local_ts, side, price, qty, "maker" if maker else "taker", fee))
    header = (
        f"# written by `{COMMAND}` with hftbacktest {hftbacktest.__version__}: partial_fill_exchange, "
        f"risk_adverse_queue_model, constant_order_latency({LATENCY_NS}, {LATENCY_NS}), "
        f"trading_value_fee_model({MAKER_FEE}, {TAKER_FEE}), tick_size {TICK_SIZE}, lot_size {LOT_SIZE}"
    )
    columns = ("order_id", "exch_ts", "local_ts", "side", "price", "qty", "liquidity", "fee")
    _write(FILLS_CSV, header, columns, rows)
    print(f"{len(rows)} hftbacktest fills -> {FILLS_CSV.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

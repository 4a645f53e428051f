"""Matching engine: price-time priority scenarios, order types, and hypothesis properties.

The property test drives random order sequences through the engine and through a
deliberately naive reference (a flat list of orders, sorted on every match) and
checks that both print the same trades and hold the same book, with the
invariants intact after every event.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hftlab.errors import InvalidInput
from hftlab.market.matching import MatchingEngine, OrderEvent, Trade


def trades(events):
    return [(e.taker_order_id, e.maker_order_id, e.price, e.size) for e in events if isinstance(e, Trade)]


def kinds(events):
    return [e.kind if isinstance(e, OrderEvent) else "trade" for e in events]


@pytest.fixture
def engine():
    """Asks: 101 x 5 (id 1), 101 x 3 (id 2), 102 x 4 (id 3); bids: 99 x 6 (id 4), 98 x 2 (id 5)."""
    engine = MatchingEngine("TEST")
    engine.limit("sell", 101, 5, order_id=1)
    engine.limit("sell", 101, 3, order_id=2)
    engine.limit("sell", 102, 4, order_id=3)
    engine.limit("buy", 99, 6, order_id=4)
    engine.limit("buy", 98, 2, order_id=5)
    return engine


def test_price_then_time_priority_and_maker_price(engine):
    events = engine.limit("buy", 102, 10, order_id=10)
    # oldest order at the best price first, trades at the maker's price
    assert trades(events) == [(10, 1, 101, 5), (10, 2, 101, 3), (10, 3, 102, 2)]
    assert kinds(events) == ["accepted", "trade", "trade", "trade"]
    assert engine.order(3) == (-1, 102.0, 2.0)
    assert engine.best_bid == 99 and engine.check_invariants() == []


def test_resting_remainder_becomes_the_best_bid(engine):
    events = engine.limit("buy", 101, 10, order_id=10)
    assert trades(events) == [(10, 1, 101, 5), (10, 2, 101, 3)]
    assert kinds(events)[-1] == "rested" and events[-1].size == 2
    assert (engine.best_bid, engine.best_ask) == (101, 102)


def test_market_order_sweeps_and_expires_the_rest(engine):
    events = engine.market("sell", 10, order_id=10)
    assert trades(events) == [(10, 4, 99, 6), (10, 5, 98, 2)]
    assert kinds(events)[-1] == "expired" and events[-1].size == 2
    assert engine.depth("buy") == [] and len(engine) == 3


def test_ioc_fills_what_it_can_and_never_rests(engine):
    events = engine.limit("buy", 101, 9, time_in_force="IOC", order_id=10)
    assert trades(events) == [(10, 1, 101, 5), (10, 2, 101, 3)]
    assert kinds(events)[-1] == "expired" and events[-1].size == 1
    assert engine.order(10) is None and engine.best_bid == 99


def test_fok_is_all_or_nothing(engine):
    rejected = engine.limit("buy", 101, 9, time_in_force="FOK", order_id=10)
    assert kinds(rejected) == ["accepted", "rejected"] and "fill-or-kill" in rejected[-1].reason
    assert engine.queue("sell", 101) == [(1, 5.0), (2, 3.0)]  # untouched
    filled = engine.limit("buy", 102, 9, time_in_force="FOK", order_id=11)
    assert trades(filled) == [(11, 1, 101, 5), (11, 2, 101, 3), (11, 3, 102, 1)]


def test_post_only_rejects_taking_and_rests_otherwise(engine):
    rejected = engine.limit("buy", 101, 1, post_only=True, order_id=10)
    assert kinds(rejected) == ["accepted", "rejected"] and engine.order(10) is None
    assert kinds(engine.limit("buy", 100, 1, post_only=True, order_id=11)) == ["accepted", "rested"]
    # a modify that would make it take liquidity is refused and the order keeps its place
    refused = engine.modify(11, price=101)
    assert kinds(refused) == ["rejected"] and engine.order(11) == (1, 100.0, 1.0)


def test_modify_keeps_priority_only_for_size_reductions(engine):
    assert kinds(engine.modify(1, size=2)) == ["reduced"]
    assert engine.queue("sell", 101) == [(1, 2.0), (2, 3.0)]  # still first
    assert kinds(engine.modify(1, size=4)) == ["replaced", "rested"]
    assert engine.queue("sell", 101) == [(2, 3.0), (1, 4.0)]  # increase: back of the queue
    assert kinds(engine.modify(2, price=102)) == ["replaced", "rested"]
    assert engine.queue("sell", 102) == [(3, 4.0), (2, 3.0)]  # price change: behind order 3
    crossing = engine.modify(5, price=101)  # a re-priced order that crosses trades
    assert trades(crossing) == [(5, 1, 101, 2)] and engine.order(5) is None


def test_cancel_and_unknown_orders(engine):
    events = engine.cancel(1)
    assert kinds(events) == ["cancelled"] and events[0].size == 5
    assert engine.queue("sell", 101) == [(2, 3.0)]
    assert kinds(engine.cancel(1)) == ["rejected"]
    assert kinds(engine.modify(99, size=1)) == ["rejected"]


def test_l2_view_and_sequence_numbers(engine):
    book = engine.to_l2()
    assert book.asks().tolist() == [[101, 8], [102, 4]] and book.bids().tolist() == [[99, 6], [98, 2]]
    assert book.sequence == engine.sequence == 10  # accepted + rested per order
    assert engine.level_rank("sell", 102) == 1 and engine.level_rank("sell", 103) is None


def test_bad_orders_raise(engine):
    with pytest.raises(InvalidInput, match="'size' must be a finite number > 0; got 0"):
        engine.limit("buy", 99, 0)
    with pytest.raises(InvalidInput, match="'price' must be a finite number > 0; got -1"):
        engine.limit("buy", -1, 1)
    with pytest.raises(InvalidInput, match="'order_id' 1 is already resting"):
        engine.limit("buy", 99, 1, order_id=1)
    with pytest.raises(InvalidInput, match="'time_in_force' must be one of"):
        engine.limit("buy", 99, 1, time_in_force="GTD")
    ticked = MatchingEngine(tick_size=0.01)
    with pytest.raises(InvalidInput, match=r"multiple of the tick size 0\.01"):
        ticked.limit("buy", 100.005, 1)
    ticked.limit("buy", 0.1 + 0.2, 1)
    assert ticked.best_bid == 30 * 0.01


# ---------------------------------------------------------------- properties


class ReferenceBook:
    """Naive price-time priority: a flat list of [id, side, price, size, priority], sorted per match."""

    def __init__(self):
        self.orders = []
        self.priority = 0

    def _opposite(self, side, limit):
        book = [o for o in self.orders if o[1] == -side and (o[2] <= limit if side == 1 else o[2] >= limit)]
        return sorted(book, key=lambda o: (o[2] * side, o[4]))

    def _match(self, taker, side, limit, size):
        printed = []
        for maker in self._opposite(side, limit):
            if size == 0:
                break
            fill = min(size, maker[3])
            size -= fill
            maker[3] -= fill
            printed.append((taker, maker[0], maker[2], fill))
        self.orders = [o for o in self.orders if o[3] > 0]
        return printed, size

    def _rest(self, order_id, side, price, size):
        self.priority += 1
        self.orders.append([order_id, side, price, size, self.priority])

    def limit(self, order_id, side, price, size, tif, post_only):
        best = [o[2] for o in self._opposite(side, price)]
        if post_only and best:
            return []
        if tif == "FOK" and sum(o[3] for o in self._opposite(side, price)) < size:
            return []
        printed, left = self._match(order_id, side, price, size)
        if left and tif == "GTC":
            self._rest(order_id, side, price, left)
        return printed

    def market(self, order_id, side, size):
        return self._match(order_id, side, float("inf") if side == 1 else float("-inf"), size)[0]

    def cancel(self, order_id):
        self.orders = [o for o in self.orders if o[0] != order_id]

    def modify(self, order_id, price, size, post_only):
        (order,) = [o for o in self.orders if o[0] == order_id]
        if price == order[2] and size <= order[3]:
            order[3] = size
            return []
        if post_only and self._opposite(order[1], price):
            return []
        self.cancel(order_id)
        printed, left = self._match(order_id, order[1], price, size)
        if left:
            self._rest(order_id, order[1], price, left)
        return printed

    def depth(self, side):
        levels = {}
        for o in sorted(self.orders, key=lambda o: -o[2] * side):
            if o[1] == side:
                levels[o[2]] = levels.get(o[2], 0) + o[3]
        return list(levels.items())


operation = st.one_of(
    st.tuples(
        st.just("limit"),
        st.sampled_from([1, -1]),
        st.integers(95, 105),
        st.integers(1, 10),
        st.sampled_from(["GTC", "GTC", "GTC", "IOC", "FOK"]),
        st.booleans(),
    ),
    st.tuples(st.just("market"), st.sampled_from([1, -1]), st.integers(1, 15)),
    st.tuples(st.just("cancel"), st.integers(0, 40)),
    st.tuples(st.just("modify"), st.integers(0, 40), st.integers(95, 105), st.integers(1, 10), st.booleans()),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=60))
def test_random_order_flow_keeps_invariants_and_matches_the_reference(ops):
    engine, reference = MatchingEngine(), ReferenceBook()
    post_only = {}
    for number, op in enumerate(ops, start=1):
        if op[0] == "limit":
            _, side, price, size, tif, is_post_only = op
            events = engine.limit(side, price, size, time_in_force=tif, post_only=is_post_only, order_id=number)
            expected = reference.limit(number, side, price, size, tif, is_post_only)
            post_only[number] = is_post_only
        elif op[0] == "market":
            events = engine.market(op[1], op[2], order_id=number)
            expected = reference.market(number, op[1], op[2])
        elif op[0] == "cancel":
            events = engine.cancel(op[1])
            expected = []
            reference.cancel(op[1])
        else:
            _, order_id, price, size, keep_price = op
            resting = engine.order(order_id)
            if resting is not None and keep_price:
                price = resting[1]
            events = engine.modify(order_id, price=price, size=size)
            expected = [] if resting is None else reference.modify(order_id, price, size, post_only[order_id])
        assert trades(events) == expected
        assert engine.check_invariants() == []
        for side in (1, -1):
            assert engine.depth(side) == reference.depth(side)
        sequences = [e.sequence for e in events]
        assert sequences == list(range(sequences[0], sequences[0] + len(events)))
        for event in events:
            assert event.size >= 0 and (not isinstance(event, Trade) or event.maker_remaining >= 0)

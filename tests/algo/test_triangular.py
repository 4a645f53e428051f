"""Triangular / cycle arbitrage: planted cycles are found with their exact returns, fees remove them."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from hftlab.algo.triangular import (
    rates_from_quotes,
    simulated_quotes,
    simulated_snapshots,
    triangular_arbitrage,
)
from hftlab.types.market import TriangularArbitrageRequest

VALUES = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0067, "CHF": 1.12}


def consistent_rates(values, haircut=0.0):
    """``R[i, j] = v_i / v_j (1 - haircut)``: no round trip gains before the haircut."""
    names = list(values)
    v = np.array([values[c] for c in names])
    rates = v[:, None] / v[None, :] * (1 - haircut)
    np.fill_diagonal(rates, np.nan)
    return pd.DataFrame(rates, index=names, columns=names)


def mispriced(rates, base, quote, boost):
    """Move the ``base/quote`` mid up by ``boost``: both directions change, no two-leg arbitrage."""
    rates = rates.copy()
    rates.loc[base, quote] *= 1 + boost
    rates.loc[quote, base] /= 1 + boost
    return rates


def run(rates, fee=0.0, max_cycles=10):
    request = TriangularArbitrageRequest(rates, fee=fee, max_cycles=max_cycles)
    return triangular_arbitrage(request.rates, request.fee, request.max_cycles)


def brute_force(rates, fee):
    """Every simple cycle (any length >= 2) with its net return, by enumeration."""
    names = list(rates.columns)
    r = rates.to_numpy()
    cycles = {}
    for length in range(2, len(names) + 1):
        for path in itertools.permutations(range(len(names)), length):
            if path[0] != min(path):
                continue
            closed = [*path, path[0]]
            gross = math.prod(r[a, b] for a, b in itertools.pairwise(closed))
            if np.isfinite(gross):
                cycles[tuple(names[c] for c in closed)] = gross * (1 - fee) ** length - 1
    return cycles


def test_consistent_rates_hold_no_arbitrage():
    result = run(consistent_rates(VALUES))
    assert result.cycles == [] and not result.has_arbitrage
    assert math.isnan(result.best_net_return)
    assert len(result.triangles) == 5 * 4 * 3 // 3
    np.testing.assert_allclose(result.triangles["gross_return"], 0.0, atol=1e-14)


def test_planted_triangle_is_found_with_its_exact_return():
    haircut, boost = 1e-4, 0.003
    rates = mispriced(consistent_rates(VALUES, haircut), "EUR", "GBP", boost)
    result = run(rates, fee=0.0, max_cycles=100)
    expected = {c: r for c, r in brute_force(rates, 0.0).items() if r > 0}
    found = {tuple(c.currencies): c.net_return for c in result.cycles}
    # every profitable cycle of these 5 currencies passes through EUR -> GBP
    assert all("EUR" in c and c[c.index("EUR") + 1] == "GBP" for c in expected)
    assert set(found) == set(expected) and len(found) == 15  # 3 triangles, 6 four- and 6 five-leg cycles
    for cycle, net in found.items():
        assert net == pytest.approx(expected[cycle], rel=1e-12)
    assert {c for c in found if len(c) == 4} == {
        ("USD", "EUR", "GBP", "USD"),
        ("EUR", "GBP", "JPY", "EUR"),
        ("EUR", "GBP", "CHF", "EUR"),
    }
    assert result.best_net_return == pytest.approx((1 + boost) * (1 - haircut) ** 3 - 1, rel=1e-12)
    best = result.triangles.iloc[0]
    assert best["gross_return"] == pytest.approx((1 + boost) * (1 - haircut) ** 3 - 1, rel=1e-12)


def test_fee_just_above_break_even_removes_the_planted_triangle():
    haircut, boost = 1e-4, 0.003
    rates = mispriced(consistent_rates(VALUES, haircut), "EUR", "GBP", boost)
    gross = (1 + boost) * (1 - haircut) ** 3
    break_even = 1 - gross ** (-1 / 3)
    below = run(rates, fee=break_even * 0.99, max_cycles=100)
    assert {len(c.currencies) for c in below.cycles} == {4}  # only triangles survive the fee
    for cycle in below.cycles:
        assert cycle.net_return == pytest.approx(gross * (1 - break_even * 0.99) ** 3 - 1, rel=1e-9)
        assert cycle.gross_return == pytest.approx(gross - 1, rel=1e-12)
    assert below.triangles["profitable"].sum() == 3
    above = run(rates, fee=break_even * 1.01, max_cycles=100)
    assert above.cycles == [] and not above.has_arbitrage
    assert (above.triangles["net_return"] < 0).all() and not above.triangles["profitable"].any()
    at = run(rates, fee=break_even)  # break-even to rounding: not an opportunity, for either view
    assert not at.has_arbitrage and not at.triangles["profitable"].any()


def test_a_five_leg_cycle_is_found_when_no_shorter_cycle_pays():
    # each boosted leg gains 1.2e-3 and every leg pays a 1e-3 haircut: only all five legs together win
    haircut, boost = 1e-3, 1.2e-3
    values = {"A": 1.0, "B": 2.0, "C": 0.5, "D": 3.0, "E": 1.5, "F": 0.8}
    rates = consistent_rates(values, haircut)
    for a, b in itertools.pairwise("ABCDEA"):
        rates.loc[a, b] *= 1 + boost
    expected = {c: r for c, r in brute_force(rates, 0.0).items() if r > 0}
    assert set(expected) == {("A", "B", "C", "D", "E", "A")}
    result = run(rates)
    assert [c.currencies for c in result.cycles] == [["A", "B", "C", "D", "E", "A"]]
    assert result.cycles[0].length == 5
    assert result.best_net_return == pytest.approx(((1 + boost) * (1 - haircut)) ** 5 - 1, rel=1e-12)
    assert (result.triangles["net_return"] < 0).all()


def test_max_cycles_caps_the_search():
    rates = mispriced(consistent_rates(VALUES, 1e-4), "EUR", "GBP", 0.003)
    assert len(run(rates, max_cycles=2).cycles) == 2


def test_missing_markets_are_skipped():
    rates = mispriced(consistent_rates(VALUES, 1e-4), "EUR", "GBP", 0.003)
    rates.loc["GBP", ["CHF", "USD"]] = np.nan
    result = run(rates, max_cycles=100)
    assert all(c.currencies[c.currencies.index("GBP") + 1] == "JPY" for c in result.cycles)
    assert ["EUR", "GBP", "JPY", "EUR"] in [c.currencies for c in result.cycles]
    assert len(result.triangles) == 20 - 6  # each missing leg is in 3 directed triangles


def test_rates_from_quotes_use_the_bid_to_sell_and_the_ask_to_buy():
    quotes = pd.DataFrame({"bid": [1.10, 150.0], "ask": [1.11, 151.0]}, index=["EUR/USD", "USD/JPY"])
    rates = rates_from_quotes(quotes)
    assert list(rates.columns) == ["EUR", "JPY", "USD"] and list(rates.index) == ["EUR", "JPY", "USD"]
    assert rates.loc["EUR", "USD"] == 1.10 and rates.loc["USD", "EUR"] == 1 / 1.11
    assert rates.loc["USD", "JPY"] == 150.0 and rates.loc["JPY", "USD"] == 1 / 151.0
    assert np.isnan(rates.loc["EUR", "JPY"]) and np.isnan(rates.loc["EUR", "EUR"])
    with pytest.raises(ValueError, match="BASE/QUOTE"):
        rates_from_quotes(pd.DataFrame({"bid": [1.0], "ask": [1.1]}, index=["EURUSD"]))


def test_simulated_quotes_pay_the_spread_unless_mispriced():
    clean = run(rates_from_quotes(simulated_quotes(VALUES, spread_bps=2.0, volatility=0.01, seed=3)))
    assert not clean.has_arbitrage
    # every triangle pays three half-spreads of 1 bp: sells at mid (1 - h), buys at mid (1 + h)
    h = 1e-4
    assert clean.triangles["gross_return"].max() == pytest.approx((1 - h) / (1 + h) ** 2 - 1, rel=1e-12)
    assert clean.triangles["gross_return"].min() == pytest.approx((1 - h) ** 2 / (1 + h) - 1, rel=1e-12)
    quotes = simulated_quotes(VALUES, spread_bps=2.0, volatility=0.01, seed=3, mispricings={"EUR/GBP": 0.002})
    result = run(rates_from_quotes(quotes), fee=0.0005)
    assert result.has_arbitrage
    assert all("EUR" in c.currencies and "GBP" in c.currencies for c in result.cycles)
    with pytest.raises(ValueError, match="not among the quoted pairs"):
        simulated_quotes(VALUES, mispricings={"GBP/EUR": 0.01})


def test_same_inputs_same_result():
    quotes = simulated_quotes(VALUES, volatility=0.02, seed=9, mispricings={"USD/JPY": -0.004})
    first, second = run(rates_from_quotes(quotes), 2e-4), run(rates_from_quotes(quotes), 2e-4)
    assert [c.currencies for c in first.cycles] == [c.currencies for c in second.cycles]
    pd.testing.assert_frame_equal(first.triangles, second.triangles)


def test_simulated_snapshots_plant_detectable_mispricings():
    snapshots, injected = simulated_snapshots(
        VALUES, 40, spread_bps=2.0, mispricing_probability=0.5, max_mispricing_bps=10.0, seed=2
    )
    again, injected_again = simulated_snapshots(
        VALUES, 40, spread_bps=2.0, mispricing_probability=0.5, max_mispricing_bps=10.0, seed=2
    )
    pd.testing.assert_frame_equal(injected, injected_again)
    pd.testing.assert_frame_equal(snapshots[7], again[7])
    assert 10 < len(injected) < 30 and (injected["mispricing"].abs() <= 1e-3).all()
    size = dict(zip(injected["snapshot"], injected["mispricing"].abs(), strict=True))
    for snapshot, quotes in enumerate(snapshots):
        result = run(rates_from_quotes(quotes))
        # a triangle through the mispriced pair pays three 1 bp half-spreads
        if size.get(snapshot, 0.0) > 3.5e-4:
            pair = injected.set_index("snapshot").loc[snapshot, "pair"].split("/")
            assert result.has_arbitrage and all(set(pair) <= set(c.currencies) for c in result.cycles)
        elif size.get(snapshot, 0.0) < 2.5e-4:
            assert not result.has_arbitrage

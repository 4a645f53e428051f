"""Pairs on ticks: as-of sampling, the band rule on a planted cointegrated pair, spread costs."""

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab.algo.tick_pairs import sample_quotes, tick_pairs
from hftlab.algo.zscore import band_positions, rolling_zscore
from hftlab.data import cointegrated_pair


def quotes_from_mids(mids: pd.DataFrame, half_spread: float) -> pd.DataFrame:
    return pd.DataFrame(
        {f"{c}_{side}": mids[c] + sign * half_spread for c in mids for side, sign in (("bid", -1), ("ask", 1))}
    )


@pytest.fixture
def planted():
    pair = cointegrated_pair(n=3000, beta=2.0, half_life=20.0, spread_sigma=0.3, seed=4)
    pair.index = pd.date_range("2024-01-02 14:30", periods=len(pair), freq="1s", tz="UTC")
    return pair


def test_sample_quotes_takes_the_last_quote_of_each_interval():
    times = pd.to_datetime(
        [
            "2024-01-02 14:30:00.2",
            "2024-01-02 14:30:00.5",
            "2024-01-02 14:30:00.9",
            "2024-01-02 14:30:01.7",
            "2024-01-02 14:30:03.1",
        ],
        utc=True,
    )
    ticks = pd.DataFrame(
        {
            "symbol": ["A", "B", "A", "A", "B"],
            "bid": [1.0, 5.0, 1.1, 1.2, 5.2],
            "ask": [1.5, 5.5, 1.6, 1.7, 5.7],
        },
        index=times,
    )
    sampled = sample_quotes(ticks, ["A", "B"], "1s")
    assert list(sampled.columns) == ["A_bid", "A_ask", "B_bid", "B_ask"]
    assert list(sampled.index) == list(pd.date_range("2024-01-02 14:30:01", periods=4, freq="1s", tz="UTC"))
    assert sampled["A_bid"].tolist() == [1.1, 1.2, 1.2, 1.2]
    assert sampled["B_ask"].tolist() == [5.5, 5.5, 5.5, 5.7]
    with pytest.raises(ValueError, match="no ticks of 'C'"):
        sample_quotes(ticks, ["A", "C"])


def test_band_rule_on_a_planted_cointegrated_pair(planted):
    result = tick_pairs(quotes_from_mids(planted, 0.0), "x", "y", lookback=200, entry_z=1.5, exit_z=0.3)
    assert result.hedge_ratio.dropna().median() == pytest.approx(2.0, abs=0.1)
    np.testing.assert_array_equal(result.zscore, rolling_zscore(result.spread, 200))
    np.testing.assert_array_equal(result.position, band_positions(result.zscore.to_numpy(), 1.5, 0.3))
    assert result.n_trades == int((result.position.diff().fillna(result.position) != 0).sum())
    assert result.total_cost == 0.0
    assert result.final_pnl > 0  # the planted spread mean-reverts
    held = result.position != 0
    np.testing.assert_array_equal(result.units["y"][held], result.position[held])
    assert (np.sign(result.units["x"][held]) == -np.sign(result.position[held])).all()


def test_crossing_the_spread_costs_exactly_the_half_spreads(planted):
    free = tick_pairs(quotes_from_mids(planted, 0.0), "x", "y", lookback=200, entry_z=1.5, exit_z=0.3)
    paid = tick_pairs(quotes_from_mids(planted, 0.05), "x", "y", lookback=200, entry_z=1.5, exit_z=0.3)
    np.testing.assert_array_equal(paid.position, free.position)
    traded = paid.units.diff().fillna(paid.units).abs().to_numpy().sum()
    assert paid.total_cost == pytest.approx(0.05 * traded, rel=1e-12)
    assert paid.final_pnl == pytest.approx(free.final_pnl - paid.total_cost, rel=1e-9)
    np.testing.assert_allclose(paid.pnl.iloc[0], 0.0)


def test_two_simulated_symbols_deterministic():
    from hftlab.market.feeds import concat_batches
    from hftlab.market.simulated_feed import SimulatedFeed

    def run():
        ticks = concat_batches(list(SimulatedFeed(["SPY", "QQQ"], seed=3, batch_size=10_000, max_batches=3)))
        return tick_pairs(sample_quotes(ticks, ["SPY", "QQQ"], "100ms"), "SPY", "QQQ", lookback=60)

    first, second = run(), run()
    assert hftlab.differences(first, second) == []
    assert len(first.quotes) > 300 and first.n_trades > 0
    assert (first.quotes["SPY_ask"] > first.quotes["SPY_bid"]).all()

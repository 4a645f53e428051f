"""The vectorized backtest against hand computations and an independent event-driven loop."""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from hftlab.algo.backtest import backtest, band_signal, ols_hedge_ratio, rolling_hedge_ratio
from hftlab.algo.coint import kalman_hedge_ratio
from hftlab.algo.zscore import band_positions
from hftlab.data import cointegrated_pair

# ---------------------------------------------------------------- planted, computed by hand

# With lookback 2 the z-score is +1/sqrt(2) after a rise, -1/sqrt(2) after a fall, 0 when
# unchanged; with entry 0.5 and exit 0.1 a fall opens long, a rise short, no change flattens.
PLANTED = [100.0, 98.0, 99.0, 102.0, 100.0, 100.0, 97.0, 98.0]
# signal [0, 1, -1, -1, 1, 0, 1, 0 (closed on the last bar)] -> four round trips:
# long 98->99, short 99->100 (reversal in, reversal out), long 100->100, long 97->98.


def planted_result():
    prices = pd.DataFrame({"p": PLANTED}, index=pd.bdate_range("2024-01-01", periods=8))
    return backtest(
        prices,
        lookback=2,
        entry_z=0.5,
        exit_z=0.1,
        cost=0.001,
        slippage=0.0005,
        fixed_cost=1.0,
        capital=1000.0,
        size=1.0,
        max_units=5.0,
    )


def fee(price):  # 5 units (the position limit binds: 1000 / price > 5) at 0.15% + 1 per order
    return 5 * price * 0.0015 + 1.0


def test_planted_signal_positions_and_trades():
    result = planted_result()
    assert result.signal.tolist() == [0, 1, -1, -1, 1, 0, 1, 0]
    assert result.positions["p"].tolist() == [0, 5, -5, -5, 5, 0, 5, 0]
    trades = result.trades
    assert trades["side"].tolist() == ["long", "short", "long", "long"]
    assert trades["entry_price"].tolist() == [98.0, 99.0, 100.0, 97.0]
    assert trades["exit_price"].tolist() == [99.0, 100.0, 100.0, 98.0]
    assert trades["bars_held"].tolist() == [1, 2, 1, 1]
    assert list(trades["entry_time"]) == list(result.equity.index[[1, 2, 4, 6]])
    assert list(trades["exit_time"]) == list(result.equity.index[[2, 4, 5, 7]])
    assert trades["units"].tolist() == [5.0] * 4
    assert trades["gross_pnl"].tolist() == [5.0, -5.0, 0.0, 5.0]
    expected_costs = [fee(98) + fee(99), fee(99) + fee(100), fee(100) + fee(100), fee(97) + fee(98)]
    np.testing.assert_allclose(trades["costs"], expected_costs, rtol=1e-14)
    np.testing.assert_allclose(trades["pnl"], np.array([5, -5, 0, 5]) - expected_costs, rtol=1e-13)
    np.testing.assert_allclose(trades["return"], trades["pnl"] / (5 * trades["entry_price"]), rtol=1e-13)


def test_planted_equity_and_metrics():
    result = planted_result()
    e = [1000.0]
    e.append(e[-1] - fee(98))
    e.append(e[-1] + 5 * (99 - 98) - fee(99) - fee(99))
    e.append(e[-1] - 5 * (102 - 99))
    e.append(e[-1] - 5 * (100 - 102) - fee(100) - fee(100))
    e.append(e[-1] + 5 * (100 - 100) - fee(100))
    e.append(e[-1] - fee(97))
    e.append(e[-1] + 5 * (98 - 97) - fee(98))
    e = np.array(e)
    np.testing.assert_allclose(result.equity, e, rtol=1e-14)
    assert result.returns.iloc[0] == 0.0
    r = e[1:] / e[:-1] - 1
    years = 7 / 252
    cagr = (e[-1] / 1000) ** (1 / years) - 1
    max_dd = max(1 - e / np.maximum.accumulate(e))
    traded = 5 * ((98 + 99) + (99 + 100) + (100 + 100) + (97 + 98))
    expected = {
        "total_return": e[-1] / 1000 - 1,
        "cagr": cagr,
        "annual_volatility": r.std(ddof=1) * math.sqrt(252),
        "sharpe": r.mean() / r.std(ddof=1) * math.sqrt(252),
        "sortino": r.mean() / math.sqrt(np.mean(np.minimum(r, 0) ** 2)) * math.sqrt(252),
        "max_drawdown": max_dd,
        "calmar": cagr / max_dd,
        "hit_rate": 0.5,
        "turnover": traded / 1000 / years,
        "n_trades": 4.0,
        "avg_holding_period": 1.25,
        "exposure": 5 / 8,
        "total_costs": sum(fee(p) for p in (98, 99, 99, 100, 100, 100, 97, 98)),
    }
    assert result.metrics.keys() == expected.keys()
    for name, value in expected.items():
        assert result.metrics[name] == pytest.approx(value, rel=1e-12), name


def test_planted_pair_with_fixed_hedge_ratio():
    x = np.array([10.0, 11.0, 10.0, 12.0, 11.0, 11.0])
    spread = np.array([0.0, -1.0, 1.0, 1.0, -0.5, 0.0])
    prices = pd.DataFrame({"x": x, "y": 2 * x + spread})
    result = backtest(
        prices, lookback=2, entry_z=0.5, exit_z=0.1, hedge_ratio=2.0, capital=1000.0, max_units=3.0
    )
    np.testing.assert_allclose(result.spread, spread, atol=1e-12)
    assert result.signal.tolist() == [0, 1, -1, 0, 1, 0]
    # the x leg holds twice the units: the limit of 3 caps y at 1.5
    assert result.positions["y"].tolist() == [0, 1.5, -1.5, 0, 1.5, 0]
    assert result.positions["x"].tolist() == [0, -3.0, 3.0, 0, -3.0, 0]
    assert result.trades["side"].tolist() == ["long", "short", "long"]
    # 1.5 units of spread: long -1 -> 1, short 1 -> 1, long -0.5 -> 0
    np.testing.assert_allclose(result.trades["gross_pnl"], [3.0, 0.0, 0.75], atol=1e-12)
    np.testing.assert_allclose(result.trades["entry_price"], [-1.0, 1.0, -0.5], atol=1e-12)
    assert result.trades["hedge_ratio"].tolist() == [2.0, 2.0, 2.0]
    assert result.equity.iloc[-1] == pytest.approx(1003.75, rel=1e-14)
    assert result.hedge_ratio.tolist() == [2.0] * 6


def test_direction_filters_sides():
    prices = pd.DataFrame({"p": PLANTED})
    long_only = backtest(prices, lookback=2, entry_z=0.5, exit_z=0.1, direction="long")
    short_only = backtest(prices, lookback=2, entry_z=0.5, exit_z=0.1, direction="short")
    assert long_only.signal.tolist() == [0, 1, 0, 0, 1, 0, 1, 0]
    assert short_only.signal.tolist() == [0, 0, -1, -1, 0, 0, 0, 0]


def test_no_trade_gives_flat_equity_and_undefined_ratios():
    prices = pd.DataFrame({"p": PLANTED})
    result = backtest(prices, lookback=2, entry_z=5.0, exit_z=0.1)
    assert result.trades.empty and list(result.trades.columns)[:3] == ["side", "entry_time", "exit_time"]
    assert (result.equity == 100_000.0).all()
    assert result.metrics["total_return"] == 0.0 and result.metrics["max_drawdown"] == 0.0
    for name in ("sharpe", "sortino", "calmar", "hit_rate", "avg_holding_period"):
        assert math.isnan(result.metrics[name]), name


# ---------------------------------------------------------------- an independent event-driven loop


def reference_backtest(
    prices,
    lookback,
    entry_z,
    exit_z,
    beta,
    cost=0.0,
    fixed_cost=0.0,
    slippage=0.0,
    capital=100_000.0,
    size=1.0,
    max_units=None,
    direction="both",
):
    """Bar by bar with a cash account: z from numpy windows, fills at the close."""
    values = prices.to_numpy()
    n, legs = values.shape
    spread = values[:, 0] if legs == 1 else values[:, 1] - beta * values[:, 0]
    cash, holdings, state = capital, np.zeros(legs), 0
    equity, trades = [], []

    def fees(units, p):
        return (cost + slippage) * np.sum(np.abs(units) * p) + fixed_cost * np.count_nonzero(units)

    for t in range(n):
        window = spread[t - lookback + 1 : t + 1] if t >= lookback - 1 else None
        if window is None or np.isnan(window).any():
            desired = 0
        else:
            sd = window.std(ddof=1)
            z = 0.0 if sd == 0 else (spread[t] - window.mean()) / sd
            desired = -1 if z > entry_z else 1 if z < -entry_z else 0 if abs(z) < exit_z else state
        if (direction == "long" and desired < 0) or (direction == "short" and desired > 0):
            desired = 0
        if t == n - 1:
            desired = 0
        if desired != state:
            p = values[t]
            if state != 0:
                cash += holdings @ p - fees(holdings, p)
                trades[-1]["exit"] = t
                holdings = np.zeros(legs)
            if desired != 0:
                w = np.array([1.0]) if legs == 1 else np.array([-beta[t], 1.0])
                units = size * capital / np.sum(np.abs(w) * p)
                if max_units is not None:
                    units = min(units, max_units / np.abs(w).max())
                holdings = desired * units * w
                cash -= holdings @ p + fees(holdings, p)
                trades.append({"entry": t, "side": desired})
            state = desired
        equity.append(cash + holdings @ values[t])
    return np.array(equity), trades


@pytest.fixture(scope="module")
def pair():
    return cointegrated_pair(800, beta=1.3, half_life=8.0, seed=5)


CASES = [
    ("single", {"lookback": 15, "entry_z": 1.5, "exit_z": 0.3}),
    ("single", {"lookback": 10, "entry_z": 1.0, "exit_z": 0.0, "cost": 0.002, "direction": "long"}),
    (
        "static",
        {"lookback": 20, "entry_z": 2.0, "exit_z": 0.5, "cost": 0.0005, "fixed_cost": 2.0, "slippage": 0.0003},
    ),
    (
        "rolling",
        {
            "lookback": 12,
            "entry_z": 1.5,
            "exit_z": 0.2,
            "hedge_lookback": 40,
            "size": 0.5,
            "max_units": 300.0,
            "direction": "short",
            "capital": 50_000.0,
        },
    ),
    ("kalman", {"lookback": 20, "entry_z": 1.5, "exit_z": 0.5, "kalman_delta": 1e-5, "cost": 0.001}),
]


@pytest.mark.parametrize(("kind", "params"), CASES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(CASES)])
def test_matches_event_driven_reference(pair, kind, params):
    prices = pair[["y"]] if kind == "single" else pair
    hedge = kind if kind in ("rolling", "kalman") else "static"
    result = backtest(prices, hedge=hedge, **params)
    if kind == "single":
        beta = None
    elif kind == "static":
        beta = np.full(len(pair), ols_hedge_ratio(pair["x"].to_numpy(), pair["y"].to_numpy()))
    elif kind == "kalman":
        beta = kalman_hedge_ratio(pair["y"], pair["x"], delta=params["kalman_delta"]).beta.to_numpy()
        np.testing.assert_array_equal(result.hedge_ratio.to_numpy(), beta)
    else:
        beta = rolling_hedge_ratio(pair["x"], pair["y"], params["hedge_lookback"]).to_numpy()
    reference = {k: v for k, v in params.items() if k not in ("hedge_lookback", "kalman_delta")}
    lookback, entry_z, exit_z = reference.pop("lookback"), reference.pop("entry_z"), reference.pop("exit_z")
    equity, trades = reference_backtest(prices, lookback, entry_z, exit_z, beta, **reference)
    assert len(trades) > 5
    assert result.trades["bars_held"].tolist() == [t["exit"] - t["entry"] for t in trades]
    assert result.trades["side"].tolist() == ["long" if t["side"] > 0 else "short" for t in trades]
    np.testing.assert_allclose(result.equity, equity, rtol=1e-10)
    assert result.trades["pnl"].sum() == pytest.approx(result.equity.iloc[-1] - result.equity.iloc[0], rel=1e-9)


def test_signals_use_no_future_prices(pair):
    for prices, hedge in ((pair[["y"]], "static"), (pair, "rolling"), (pair, "kalman")):
        base = backtest(prices, 20, 1.5, 0.3, hedge=hedge)
        changed = prices.copy()
        changed.iloc[500:] *= 1.1
        moved = backtest(changed, 20, 1.5, 0.3, hedge=hedge)
        pd.testing.assert_frame_equal(base.positions.iloc[:500], moved.positions.iloc[:500])
        pd.testing.assert_series_equal(base.equity.iloc[:500], moved.equity.iloc[:500])


def test_trade_from_keeps_warm_up_bars_flat(pair):
    full = backtest(pair, 20, 1.0, 0.2, hedge="kalman")
    late = backtest(pair, 20, 1.0, 0.2, hedge="kalman", trade_from=400)
    assert (late.positions.iloc[:400] == 0).all().all() and (full.positions.iloc[:400] != 0).any().any()
    assert (late.trades["entry_time"] >= pair.index[400]).all()
    np.testing.assert_array_equal(late.zscore, full.zscore)


def test_hedge_ratios_match_statsmodels_ols(pair):
    fit = sm.OLS(pair["y"].to_numpy(), sm.add_constant(pair["x"].to_numpy())).fit()
    static = ols_hedge_ratio(pair["x"].to_numpy(), pair["y"].to_numpy())
    assert static == pytest.approx(fit.params[1], rel=1e-10)
    rolling = rolling_hedge_ratio(pair["x"], pair["y"], 50)
    assert rolling.iloc[:49].isna().all()
    for end in (49, 300, 799):
        window = pair.iloc[end - 49 : end + 1]
        fit = sm.OLS(window["y"].to_numpy(), sm.add_constant(window["x"].to_numpy())).fit()
        assert rolling.iloc[end] == pytest.approx(fit.params[1], rel=1e-8)
    assert 1.2 < ols_hedge_ratio(pair["x"].to_numpy(), pair["y"].to_numpy()) < 1.4  # planted 1.3


def state_machine(z, entry, exit_):
    """The band rules one bar at a time: the reference the vectorised form must equal."""
    position, out = 0, []
    for value in z:
        if np.isnan(value):
            position = 0
        elif value > entry:
            position = -1
        elif value < -entry:
            position = 1
        elif abs(value) < exit_:
            position = 0
        out.append(position)
    return np.array(out, dtype=np.int8)


def test_vectorized_band_signal_equals_the_state_machine():
    rng = np.random.default_rng(0)
    for _ in range(100):
        z = rng.standard_normal(300) * 1.5
        z[rng.random(300) < 0.05] = np.nan
        z[: rng.integers(0, 30)] = np.nan
        entry = rng.uniform(0.1, 3.0)
        exit_ = rng.uniform(0.0, entry)
        z[rng.integers(0, 300, 5)] = entry  # exactly at the thresholds
        z[rng.integers(0, 300, 5)] = -exit_
        np.testing.assert_array_equal(band_signal(z, entry, exit_), state_machine(z, entry, exit_))
    assert band_signal is band_positions  # one implementation


def test_plot_shows_equity_and_drawdown():
    fig = planted_result().plot()
    assert [trace.name for trace in fig.data] == ["equity", "drawdown"]
    assert min(fig.data[1].y) < 0

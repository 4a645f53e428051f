"""hftlab.fit_intensity: planted intensities recovered, depths measured as defined, both backends."""

import math

import numpy as np
import pytest
import statsmodels.api as sm

import hftlab
from hftlab.errors import InvalidInput
from hftlab.market.events import EVENT_DTYPE, EventKind

T0 = 1_700_000_000_000_000_000
TICK = 0.01
S, C, TRADE, EXECUTE, DEPTH = (
    EventKind.SNAPSHOT,
    EventKind.CLEAR,
    EventKind.TRADE,
    EventKind.EXECUTE,
    EventKind.DEPTH,
)


def planted_stream(A: float, k: float, seconds: float, seed: int = 0, levels: int = 20) -> np.ndarray:
    """A one-tick-wide book around a random-walk mid, and market orders that reach a quote
    ``delta`` from the mid at the rate ``A exp(-k delta)`` per side: Poisson arrivals at the
    touch (``delta`` = half a tick) at rate ``A exp(-k tick / 2)``, each sweeping ``I`` more
    levels with ``P(I >= i) = exp(-k tick i)`` (one print per level, at one time)."""
    rng = np.random.default_rng(seed)
    rows = []  # (ns, kind, side, ticks, qty)
    moves = np.sort(rng.integers(0, round(seconds * 1e6), rng.poisson(seconds))) * 1000 + 500
    steps = rng.choice([-1, 1], len(moves))
    bid = 10_000
    for ns, step in zip([0, *moves], [0, *steps], strict=True):
        bid += step
        rows.append((ns, C, 0, 0, 0.0))
        rows += [(ns, S, 1, bid - i, 100.0) for i in range(levels)]
        rows += [(ns, S, -1, bid + 1 + i, 100.0) for i in range(levels)]
    bids = np.array([10_000, *(10_000 + np.cumsum(steps))])
    touch_rate = A * math.exp(-k * TICK / 2)
    for side in (1, -1):
        times = np.sort(rng.integers(1, round(seconds * 1e6), rng.poisson(touch_rate * seconds))) * 1000
        deeper = np.floor(rng.exponential(1.0, len(times)) / (k * TICK)).astype(int)
        book = bids[np.searchsorted([0, *moves], times, side="right") - 1]
        for ns, bid_then, extra in zip(times, book, deeper, strict=True):
            touch = bid_then + 1 if side > 0 else bid_then
            rows += [(ns, TRADE, side, touch + side * i, 1.0) for i in range(min(extra, levels - 1) + 1)]
    rows.sort(key=lambda row: row[0])
    events = np.zeros(len(rows), EVENT_DTYPE)
    for row, (ns, kind, side, ticks, qty) in zip(events, rows, strict=True):
        row["exch_ts"] = row["local_ts"] = T0 + ns
        row["kind"], row["side"], row["price"], row["qty"] = kind, side, round(ticks * TICK, 2), qty
    return events


@pytest.fixture(scope="module")
def planted():
    return planted_stream(A=3.0, k=150.0, seconds=3600.0, seed=7)


def test_a_planted_intensity_is_recovered(planted):
    fit = hftlab.fit_intensity(planted, tick_size=TICK, window="10min")
    assert fit.k == pytest.approx(150.0, rel=0.03) and pytest.approx(3.0, rel=0.03) == fit.A
    assert fit.r_squared > 0.99 and fit.depths_used >= 4
    assert fit.intensity["depth"].tolist()[:3] == pytest.approx([0.005, 0.015, 0.025])
    assert len(fit.windows) == 5 and np.allclose(fit.windows["k"], 150.0, rtol=0.1)  # whole windows only
    assert fit.windows["k"].std() > 3 * fit.k_stderr  # the regression's error understates the sampling's
    assert fit.params == {"A": fit.A, "k": fit.k}


def test_the_fit_is_statsmodels_weighted_least_squares(planted):
    fit = hftlab.fit_intensity(planted, tick_size=TICK, min_count=20)
    used = fit.intensity[fit.intensity["used"]]
    x = sm.add_constant(used["depth"].to_numpy())
    reference = sm.WLS(np.log(used["rate"].to_numpy()), x, weights=used["arrivals"].to_numpy(float)).fit()
    assert math.log(fit.A) == pytest.approx(reference.params[0], rel=1e-10)
    assert -fit.k == pytest.approx(reference.params[1], rel=1e-10)
    assert fit.k_stderr == pytest.approx(reference.bse[1], rel=1e-8)
    assert fit.A_stderr == pytest.approx(fit.A * reference.bse[0], rel=1e-8)
    assert fit.r_squared == pytest.approx(reference.rsquared, rel=1e-10)
    assert (used["arrivals"] >= 20).all() and not fit.intensity.loc[~fit.intensity["used"], "arrivals"].ge(
        20
    ).any()


def hand_book():
    """Bid 100.00 / ask 100.02 (mid 100.01): a buy sweeping 100.02 and 100.03 at one time, a sell
    at 100.00, a print of unknown side at 100.03, and (L3) an execution of an ask: a buy at 100.02."""
    rows = [
        (0, S, 1, 100.00, 5, 0), (0, S, -1, 100.02, 5, 0), (0, S, -1, 100.03, 5, 0),
        (1, TRADE, 1, 100.02, 5, 0), (1, TRADE, 1, 100.03, 2, 0), (1, DEPTH, -1, 100.02, 0, 0),
        (2, DEPTH, -1, 100.02, 4, 0),
        (3, TRADE, -1, 100.00, 1, 0),
        (4, TRADE, 0, 100.03, 1, 0),
        (5, EXECUTE, -1, 100.02, 1, 0),
        (9, DEPTH, 1, 99.99, 1, 0),
    ]  # fmt: skip
    events = np.zeros(len(rows), EVENT_DTYPE)
    for row, (s, kind, side, price, qty, order) in zip(events, rows, strict=True):
        row["exch_ts"] = row["local_ts"] = T0 + s * 1_000_000_000
        row["kind"], row["side"], row["price"], row["qty"], row["order_id"] = kind, side, price, qty, order
    return events


def test_depths_are_measured_from_the_mid_before_each_market_order(backend):
    fit = hftlab.fit_intensity(hand_book(), tick_size=TICK, min_count=1)
    # depths: 0.02 (the sweep), 0.01 (sell), 0.02 (unknown side, above the mid), 0.01 (execution)
    table = fit.intensity
    assert table["depth"].tolist() == pytest.approx([0.01, 0.02])
    assert table["arrivals"].tolist() == [4, 2] and fit.arrivals == 4
    assert table["rate"].tolist() == pytest.approx([4 / 18, 2 / 18])  # 9 s, two sides
    assert fit.k == pytest.approx(math.log(2) / 0.01) and pytest.approx(4 / 18 * 2) == fit.A
    assert fit.windows.empty and math.isnan(fit.k_stderr)  # two depths: a line through both


def test_both_backends_agree_on_the_lobster_sample(backend, lobster_files):
    with hftlab.using("local"):
        expected = hftlab.fit_intensity(lobster_files, tick_size=TICK, window="10s", min_count=5)
    sent = hftlab.fit_intensity(lobster_files, tick_size=TICK, window="10s", min_count=5)
    read = hftlab.fit_intensity(lobster_files.message, tick_size=TICK, window="10s", min_count=5)
    assert hftlab.differences(sent, expected) == [] and hftlab.differences(read, expected) == []
    assert expected.arrivals > 50 and expected.k > 0 and len(expected.windows) == 4
    fig = expected.plot()
    assert len(fig.data) == 4 and "<table" in expected._repr_html_()


def test_bad_input_is_named(backend):
    events = hand_book()
    with pytest.raises(InvalidInput, match=r"too few market orders to fit: 0 depth\(s\)"):
        hftlab.fit_intensity(events, min_count=10)
    with pytest.raises(InvalidInput, match=r"'step' needs a 'window'"):
        hftlab.fit_intensity(events, step="1s")
    with pytest.raises(InvalidInput, match=r"'min_count' must be an int >= 1"):
        hftlab.fit_intensity(events, min_count=0)
    with pytest.raises(InvalidInput, match=r"'window' must be a duration"):
        hftlab.fit_intensity(events, window="soon")

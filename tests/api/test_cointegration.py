"""fit_ou, cointegration, kalman_hedge_ratio and scan_pairs on both backends: parity and bad input."""

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab.algo.coint import cointegration, dynamic_hedge
from hftlab.algo.ou import fit_ou
from hftlab.algo.pairs import scan_pairs
from hftlab.data import cointegrated_pair, ou_process
from hftlab.errors import InvalidInput


@pytest.fixture(scope="module")
def prices():
    pair = cointegrated_pair(300, beta=1.2, half_life=6.0, seed=9)
    return pair.assign(z=80 + np.cumsum(np.random.default_rng(2).standard_normal(300)))


@pytest.fixture(scope="module")
def spread():
    series = ou_process(400, kappa=0.15, theta=1.0, sigma=0.3, seed=6)
    return series.set_axis(pd.date_range("2021-01-01", periods=400, freq="D", tz="UTC"))


@pytest.mark.parametrize("method", ["mle", "ols"])
def test_fit_ou_parity(backend, spread, method):
    result = hftlab.fit_ou(spread, dt=1 / 365, method=method, cost=0.05)
    assert hftlab.differences(result, fit_ou(spread, 1 / 365, method, 0.05)) == []
    assert result.levels is not None and result.levels.lower < result.theta < result.levels.upper


def test_fit_ou_without_cost_has_no_levels(backend, spread):
    assert hftlab.fit_ou(spread).levels is None


@pytest.mark.parametrize("method", ["engle_granger", "johansen"])
def test_cointegration_parity(backend, prices, method):
    frame = prices[["x", "y"]] if method == "engle_granger" else prices
    result = hftlab.cointegration(frame, method=method)
    assert hftlab.differences(result, cointegration(frame, method)) == []


def test_cointegration_accepts_a_pair_of_series(backend, prices):
    result = hftlab.cointegration([prices["x"], prices["y"]])
    assert hftlab.differences(result, cointegration(prices[["x", "y"]])) == []
    assert result.engle_granger.asset_y == "y" and result.engle_granger.pvalue < 0.05


def test_kalman_parity(backend, prices):
    result = hftlab.kalman_hedge_ratio(prices[["x", "y"]], delta=1e-3, observation_var=0.5)
    assert hftlab.differences(result, dynamic_hedge(prices[["x", "y"]], 1e-3, 0.5)) == []
    assert result.beta.index.equals(prices.index)


def test_scan_pairs_parity(backend, prices):
    result = hftlab.scan_pairs(prices, max_hurst=0.9, progress=False)
    assert hftlab.differences(result, scan_pairs(prices, max_hurst=0.9)) == []
    assert (result.table.iloc[0].asset_x, result.table.iloc[0].asset_y) == ("x", "y")


def test_scan_pairs_streams_progress(backend, prices):
    request = hftlab.types.statarb.ScanPairsRequest(prices)
    messages = list(hftlab.backend().stream(request))
    assert messages[0].done == 0 and messages[-1].done == messages[-1].total == 3
    assert all(m.result is None for m in messages[:-1]) and messages[-1].result is not None


def test_scan_pairs_progress_bar_knows_its_total_before_it_starts(backend, prices, monkeypatch):
    import tqdm.auto

    seen = []

    class Recording(tqdm.auto.tqdm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen.append(("start", self.total, 0))

        def update(self, n=1):
            seen.append(("update", self.total, n))
            return super().update(n)

    monkeypatch.setattr(tqdm.auto, "tqdm", Recording)
    hftlab.scan_pairs(prices)
    assert seen[0] == ("start", 3, 0)  # three columns: three pairs, known before the first message
    assert {total for _, total, _ in seen} == {3} and sum(n for _, _, n in seen) == 3


def test_operations_are_listed_by_the_server(backend):
    assert {"FitOrnsteinUhlenbeck", "TestCointegration", "KalmanHedgeRatio", "ScanPairs"} <= set(
        hftlab.server_info().operations
    )


def _two(n=60, seed=0):
    rng = np.random.default_rng(seed)
    walks = np.cumsum(rng.standard_normal((n, 2)), axis=0)
    return pd.DataFrame({"x": 100 + walks[:, 0], "y": 50 + walks[:, 1]})


def _with(frame, column, row, value):
    frame = frame.copy()
    frame.loc[frame.index[row], column] = value
    return frame


SHORT_INDEX = _two()["y"].iloc[5:]
OU, COINT, KALMAN, SCAN = hftlab.fit_ou, hftlab.cointegration, hftlab.kalman_hedge_ratio, hftlab.scan_pairs
BAD_INPUT = [
    (OU, {"prices": [1.0, float("nan")] * 30}, "'prices' must contain only finite numbers"),
    (OU, {"prices": [1.0, float("inf")] * 30}, "'prices' must contain only finite numbers"),
    (OU, {"prices": [2.0] * 40}, "'prices' must not be constant"),
    (OU, {"prices": [1.0, 2.0, 3.0]}, "'prices' must have at least 20 observation(s); got 3"),
    (
        OU,
        {"prices": list(range(40)), "dt": 0.0},
        "'dt' must be a finite number >= 1e-06 and <= 1000000; got 0.0",
    ),
    (
        OU,
        {"prices": list(range(40)), "dt": 1e300},
        "'dt' must be a finite number >= 1e-06 and <= 1000000; got 1e+300",
    ),
    (OU, {"prices": list(range(40)), "method": "gmm"}, "'method' must be one of 'mle', 'ols'"),
    (
        OU,
        {"prices": list(range(40)), "cost": -0.01},
        "'cost' must be a finite number >= 3.9e-08 and <= 39.0; got -0.01",
    ),
    (OU, {"prices": list(range(40)), "cost": 5e-324}, "'cost' must be a finite number >= 3.9e-08"),
    (
        COINT,
        {"prices": {"x": _two()["x"], "y": SHORT_INDEX}},
        "'prices' series 'x' and 'y' have different indexes (60 and 55 labels)",
    ),
    (
        COINT,
        {"prices": [_two()["x"], _two()["y"].iloc[::-1]]},
        "'prices' series 'x' and 'y' have different indexes (60 and 60 labels)",
    ),
    (
        COINT,
        {"prices": _with(_two(), "y", 7, np.nan)},
        "'prices.y' must contain only finite numbers of magnitude at most 1e+60; got 1 NaN/inf/larger "
        "value(s), the first at row 7: nan.",
    ),
    (COINT, {"prices": _with(_two(), "x", 3, np.inf)}, "'prices.x' must contain only finite numbers"),
    (COINT, {"prices": _two().assign(y=4.0)}, "'prices.y' must not be constant; every value is 4.0"),
    (COINT, {"prices": _two(20)}, "'prices' must have at least 30 row(s); got 20"),
    (COINT, {"prices": _two().assign(z=1.0 * np.arange(60))}, "'prices' must be a table of at most 2 columns"),
    (COINT, {"prices": _two(), "method": "pearson"}, "'method' must be one of 'engle_granger'"),
    (COINT, {"prices": _two(), "maxlag": 40}, "'maxlag' must be an int >= 0 and <= 29; got 40"),
    (
        COINT,
        {"prices": _two(), "method": "johansen", "significance": 0.2},
        "'significance' must be one of 0.1, 0.05, 0.01; got 0.2",
    ),
    (
        COINT,
        {"prices": _two(), "method": "johansen", "det_order": 2},
        "'det_order' must be an int >= -1 and <= 1; got 2",
    ),
    (COINT, {"prices": _two()[["x"]]}, "'prices' must have at least 2 column(s); got 1"),
    (KALMAN, {"prices": _two(), "delta": 1.0}, "'delta' must be a finite number > 0 and < 1"),
    (KALMAN, {"prices": _two(), "observation_var": -1.0}, "'observation_var' must be a finite number > 0"),
    (KALMAN, {"prices": _with(_two(), "x", 0, np.nan)}, "'prices.x' must contain only finite"),
    (SCAN, {"prices": _two()[["x"]]}, "'prices' must have at least 2 column(s); got 1"),
    (SCAN, {"prices": _two(), "fdr": 0.0}, "'fdr' must be a finite number > 0 and < 1; got 0.0"),
    (SCAN, {"prices": _two(), "max_hurst": 2.0}, "'max_hurst' must be a finite number > 0 and <= 1"),
    (
        SCAN,
        {"prices": _two(), "min_correlation": -2.0},
        "'min_correlation' must be a finite number >= -1 and <= 1",
    ),
    (SCAN, {"prices": _two(), "hurst_method": "wavelet"}, "'hurst_method' must be one of 'rs', 'dfa'"),
    (
        SCAN,
        {"prices": {"a": _two()["x"], "b": SHORT_INDEX}},
        "'prices' series 'a' and 'b' have different indexes",
    ),
    (SCAN, {"prices": _two(25)}, "'prices' must have at least 30 row(s); got 25"),
]


@pytest.mark.parametrize(
    ("operation", "kwargs", "message"),
    BAD_INPUT,
    ids=[f"{op.__name__}-{i}" for i, (op, _, _) in enumerate(BAD_INPUT)],
)
def test_bad_input_names_the_field(backend, operation, kwargs, message):
    if operation is hftlab.scan_pairs:
        kwargs = {**kwargs, "progress": False}
    with pytest.raises(InvalidInput) as error:
        operation(**kwargs)
    assert str(error.value).startswith(message)

"""The mean_reversion operation through the facade, on both backends (parity + bad input)."""

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab.algo.zscore import mean_reversion as local_mean_reversion
from hftlab.errors import BackendUnavailable, InvalidInput


@pytest.fixture
def prices():
    rng = np.random.default_rng(11)
    values = 50 + np.cumsum(rng.standard_normal(300)) * 0.1 + np.sin(np.arange(300) / 4)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=300, freq="D", tz="UTC"))


def test_result_equals_direct_computation(backend, prices):
    result = hftlab.mean_reversion(prices, lookback=15, entry_z=1.5, exit_z=0.3)
    expected = local_mean_reversion(prices, lookback=15, entry_z=1.5, exit_z=0.3)
    assert hftlab.differences(result, expected) == []
    assert result.zscore.index.tz is not None and result.zscore.index.freqstr == "D"
    assert result.signal.dtype == np.int8


@pytest.mark.parametrize("values", [[1.0, 2.0, 3.0] * 20, np.arange(60.0) ** 0.5])
def test_lists_and_arrays_get_a_range_index(backend, values):
    result = hftlab.mean_reversion(values, lookback=5)
    assert isinstance(result.zscore.index, pd.RangeIndex)
    assert len(result.zscore) == 60


BAD_INPUT = [
    ({"prices": [1.0, float("nan")] * 30}, "'prices' must contain only finite numbers"),
    ({"prices": [1.0, float("inf")] * 30}, "'prices' must contain only finite numbers"),
    ({"prices": []}, "'prices' must have at least 20 observation(s); got 0"),
    ({"prices": list(range(25)), "lookback": 30}, "'prices' must have at least 30 observation(s)"),
    ({"prices": [3.0] * 40}, "'prices' must not be constant"),
    ({"prices": ["a"] * 40}, "'prices' must be a 1-D sequence of numbers"),
    ({"prices": list(range(40)), "lookback": 1}, "'lookback' must be an int >= 2; got 1"),
    ({"prices": list(range(40)), "lookback": 2.5}, "'lookback' must be an int >= 2; got 2.5"),
    ({"prices": list(range(40)), "entry_z": -1.0}, "'entry_z' must be a finite number > 0"),
    ({"prices": list(range(40)), "exit_z": 3.0}, "'exit_z' must be smaller than entry_z (2.0)"),
    (
        {"prices": list(range(40)), "metrics": ["half_life", "adf"]},
        "'metrics' must be one of 'half_life', 'adf_stat', 'adf_pvalue', 'ou_kappa',",
    ),
    ({"prices": list(range(40)), "metrics": ["hurst_rs"] * 2}, "'metrics' must not repeat a name"),
    ({"prices": list(range(40)), "metrics": 3}, "'metrics' must be a metric name or a list of them"),
]


def test_metrics_select_the_statistics_on_both_backends(backend, prices):
    result = hftlab.mean_reversion(prices, lookback=15, metrics="hurst_dfa")
    assert result.metrics == {"hurst_dfa": local_mean_reversion(prices, lookback=15).metrics["hurst_dfa"]}
    everything = hftlab.mean_reversion(prices, lookback=15, metrics=())
    assert len(everything.metrics) == 14


@pytest.mark.parametrize(("kwargs", "message"), BAD_INPUT)
def test_bad_input_names_the_field(backend, kwargs, message):
    with pytest.raises(InvalidInput) as error:
        hftlab.mean_reversion(**kwargs)
    assert str(error.value).startswith(message)


def test_server_info_on_both_backends(backend):
    info = hftlab.server_info()
    assert info.version == hftlab.__version__
    assert "CalculateMeanReversion" in info.operations
    assert info.backend == "local"  # the server computes on its LocalBackend


def test_no_server_fails_fast_with_backend_unavailable():
    client = hftlab.GrpcBackend(hftlab.GrpcConfig(port=1, timeout=10.0, max_retries=1))
    with client, pytest.raises(BackendUnavailable, match="no hftlab server reachable"):
        client.execute(hftlab.types.MeanReversionRequest([1.0, 2.0, 3.0] * 20, lookback=5))


def test_use_switches_and_caches_clients(grpc_address):
    with hftlab.using(grpc_address) as remote:
        assert hftlab.backend() is remote
        assert hftlab.get_client(grpc_address) is remote
        assert remote.name == "grpc"
    assert hftlab.backend().name == "local"


def test_backend_events_tell_observers_of_switch_stop_and_failure(grpc_address):
    seen = []
    stop_observing = hftlab.backends.observe(lambda event: seen.append((event.kind, event.address)))
    try:
        hftlab.use(grpc_address)
        hftlab.backends.stopped("grpc://127.0.0.1:9")  # another server: the active one stays
        assert hftlab.backend().address == grpc_address
        hftlab.backends.stopped(grpc_address)
        assert hftlab.backend().name == "local"
        dead = hftlab.GrpcBackend(hftlab.GrpcConfig(port=1, max_retries=0))
        with dead, pytest.raises(BackendUnavailable):
            dead.info()
    finally:
        stop_observing()
    hftlab.use("local")  # not observed any more
    assert seen == [
        ("switch", grpc_address),
        ("stop", "grpc://127.0.0.1:9"),
        ("stop", grpc_address),
        ("failure", "grpc://127.0.0.1:1"),
    ]


@pytest.mark.parametrize(
    ("address", "message"),
    [("http://x:1", "'address' must look like grpc://host:port"), ("grpc://h:99999", "port")],
)
def test_bad_addresses(address, message):
    with pytest.raises(InvalidInput, match=message):
        hftlab.use(address)


def test_dates_out_of_time_order_are_refused_on_both_backends(backend):
    """A newest-first table (as many vendors deliver) or shuffled rows would give other statistics
    silently; the message names the field and the first label out of order."""
    rng = np.random.default_rng(5)
    dates = pd.bdate_range("2021-01-04", periods=120)
    prices = pd.Series(100 + np.cumsum(rng.normal(size=120)), index=dates, name="p")
    with pytest.raises(
        InvalidInput,
        match=r"'prices' must be in time order, oldest first, each time once: 2021-06-17 00:00:00 \(row 1\)",
    ):
        hftlab.mean_reversion(prices[::-1])
    pair = pd.DataFrame({"x": prices, "y": 2 * prices + rng.normal(size=120)}).iloc[rng.permutation(120)]
    with pytest.raises(InvalidInput, match=r"'prices' must be in time order"):
        hftlab.cointegration(pair)
    assert (
        hftlab.differences(hftlab.cointegration(pair.sort_index()), hftlab.cointegration(pair.sort_index()))
        == []
    )

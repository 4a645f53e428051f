"""Regimes, HMM and MCMC through the facade, on both backends (parity + bad input)."""

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab.algo import hmm, posteriors, regime
from hftlab.data import cointegrated_pair, ou_process
from hftlab.errors import InvalidInput
from hftlab.types.regimes import as_observations


def planted(n=5000, seed=42):
    """2-state Gaussian HMM path (means -0.5 / 1.0, sds 1.0 / 0.4)."""
    rng = np.random.default_rng(seed)
    transition = np.array([[0.97, 0.03], [0.06, 0.94]])
    states = np.empty(n, dtype=int)
    states[0] = 0
    for t in range(1, n):
        states[t] = rng.choice(2, p=transition[states[t - 1]])
    values = np.array([-0.5, 1.0])[states] + np.array([1.0, 0.4])[states] * rng.standard_normal(n)
    return pd.Series(values, index=pd.date_range("2020-01-01", periods=n, freq="h", tz="UTC"), name="x")


@pytest.fixture(scope="module")
def series():
    return planted()


@pytest.fixture(scope="module")
def local_fit(series):
    return hmm.run_hmm(as_observations(series), n_states=2, seed=3, n_restarts=2)


def test_planted_hmm_is_identical_on_both_backends(backend, series, local_fit):
    result = hftlab.run_hmm(series, n_states=2, seed=3, n_restarts=2)
    assert hftlab.differences(result, local_fit) == []
    assert result.means["x"].is_monotonic_increasing  # state 0 = the low-mean state
    np.testing.assert_allclose(result.means["x"], [-0.5, 1.0], atol=0.05)
    assert result.viterbi.index.tz is not None


def test_select_n_states_parity(backend, series):
    short = series.iloc[:600]
    result = hftlab.select_n_states(short, candidates=[3, 1, 2], n_restarts=1)
    assert hftlab.differences(result, hmm.select_n_states(as_observations(short), [1, 2, 3], 0, 1)) == []
    assert result.table["n_states"].tolist() == [1, 2, 3]


@pytest.mark.parametrize("method", ["hmm", "markov_switching"])
def test_detect_regime_parity(backend, series, method):
    returns = series.iloc[:500] / 100
    result = hftlab.detect_regime(returns, n_regimes=2, method=method, n_restarts=2)
    expected = regime.detect_regime(returns, 2, method, "volatility", 0, 2)
    assert hftlab.differences(result, expected) == []
    assert result.regimes["volatility"].is_monotonic_increasing


def test_filter_regimes_continues_a_fit_on_both_backends(backend, series, local_fit):
    first = hftlab.filter_regimes(local_fit, series.iloc[:4000])
    rest = hftlab.filter_regimes(local_fit, series.iloc[4000:], prior=first)
    online = pd.concat([first.filtered_probabilities, rest.filtered_probabilities])
    np.testing.assert_allclose(online.to_numpy(), local_fit.filtered_probabilities.to_numpy(), atol=1e-12)
    expected = regime.filter_regimes(
        as_observations(series.iloc[4000:]),
        local_fit.transition_matrix.to_numpy(),
        local_fit.means.to_numpy(),
        local_fit.covariances,
        local_fit.start_probabilities.to_numpy(),
        first.filtered_probabilities.to_numpy()[-1],
    )
    assert hftlab.differences(rest, expected) == []


def test_filter_regimes_from_a_regime_model(backend, series):
    returns = series.iloc[:300] / 100
    model = regime.detect_regime(returns, 2, "hmm", "volatility", 0, 1)
    result = hftlab.filter_regimes(model, returns)
    np.testing.assert_allclose(result.filtered_probabilities, model.filtered_probabilities, atol=1e-12)


def test_run_mcmc_ou_parity(backend):
    spread = ou_process(400, kappa=0.1, theta=0.0, sigma=1.0, seed=8)
    result = hftlab.run_mcmc("ou", spread=spread, n_samples=200, n_chains=2, burn_in=200, seed=5)
    expected = posteriors.run_mcmc("ou", spread=spread, n_samples=200, n_chains=2, burn_in=200, seed=5)
    assert hftlab.differences(result, expected) == []
    assert isinstance(result.acceptance_rate, float)
    assert set(result.rhat) == {"kappa", "theta", "sigma", "half_life"}


@pytest.mark.parametrize(
    "hedging_and_costs", [{}, {"hedge": "rolling", "hedge_lookback": 30, "cost": 0.001, "slippage": 0.0005}]
)
def test_run_mcmc_strategy_parity(backend, hedging_and_costs):
    prices = cointegrated_pair(500, seed=2)
    kwargs = {
        "prices": prices,
        "train": 200,
        "test": 150,
        "lookback_range": [5, 20],
        "n_samples": 20,
        "n_chains": 1,
        "burn_in": 0,
        "seed": 1,
        **hedging_and_costs,
    }
    result = hftlab.run_mcmc("strategy", **kwargs)
    expected = posteriors.run_mcmc("strategy", **kwargs)
    assert hftlab.differences(result, expected) == []
    if hedging_and_costs:  # the walk-forward the posterior scores takes them: another chain
        plain = {k: v for k, v in kwargs.items() if k not in hedging_and_costs}
        assert not result.samples.equals(posteriors.run_mcmc("strategy", **plain).samples)


def test_a_python_log_density_runs_locally_and_is_refused_over_grpc(backend):
    def log_density(x):
        return -0.5 * float(x @ x)

    if backend.name == "local":
        result = hftlab.run_mcmc(log_density=log_density, x0=[0.5, -0.5], n_samples=100, n_chains=2, seed=1)
        assert result.objective == "custom" and list(result.samples.columns) == ["param_0", "param_1"]
    else:
        with pytest.raises(InvalidInput, match="'log_density' is a Python function, which cannot be sent"):
            hftlab.run_mcmc(log_density=log_density, x0=[0.5, -0.5])


BAD_INPUT = [
    (
        hftlab.run_hmm,
        {"observations": [0.1, 0.3] * 5, "n_states": 3},
        "'observations' must have at least 30 observation(s) for 3 state(s)",
    ),
    (hftlab.run_hmm, {"observations": [1.0, np.nan] * 30}, "'observations' must contain only finite numbers"),
    (hftlab.run_hmm, {"observations": [4.0] * 60}, "'observations' must not be constant"),
    (hftlab.run_hmm, {"observations": list(range(60)), "n_states": 0}, "'n_states' must be an int >= 1"),
    (hftlab.run_hmm, {"observations": list(range(60)), "n_restarts": 0}, "'n_restarts' must be an int >= 1"),
    (hftlab.select_n_states, {"observations": list(range(60)), "candidates": []}, "'candidates' must hold"),
    (hftlab.detect_regime, {"returns": [0.01, -0.01] * 30, "method": "garch"}, "'method' must be one of"),
    (
        hftlab.detect_regime,
        {"returns": [0.01, -0.01] * 30, "n_regimes": 1, "method": "markov_switching"},
        "'n_regimes' must be an int >= 2",
    ),
    (hftlab.detect_regime, {"returns": [0.0] * 60}, "'returns' must not be constant"),
    (hftlab.run_mcmc, {}, "'objective' is required"),
    (hftlab.run_mcmc, {"objective": "ou"}, "'spread' is required for objective 'ou'"),
    (hftlab.run_mcmc, {"objective": "ou", "spread": [1.0, np.inf] * 20}, "'spread' must contain only finite"),
    (hftlab.run_mcmc, {"objective": "ou", "spread": list(range(40)), "n_samples": 5}, "'n_samples' must be"),
    (hftlab.run_mcmc, {"objective": "ou", "spread": list(range(40)), "dt": 0.0}, "'dt' must be a finite"),
    (hftlab.run_mcmc, {"objective": "gbm", "spread": list(range(40))}, "'objective' must be one of 'ou'"),
    (
        hftlab.run_mcmc,
        {"objective": "strategy", "prices": cointegrated_pair(300), "exit_z_range": [3, 4]},
        "'exit_z_range' must be a range starting below entry_z_range's top (3.0)",
    ),
    (
        hftlab.run_mcmc,
        {"objective": "strategy", "prices": cointegrated_pair(300), "train": 250},
        "'prices' must have at least train + test = 313 rows; got 300",
    ),
]


@pytest.mark.parametrize(("function", "kwargs", "message"), BAD_INPUT)
def test_bad_input_names_the_field(backend, function, kwargs, message):
    with pytest.raises(InvalidInput) as error:
        function(**kwargs)
    assert str(error.value).startswith(message)


def test_filter_regimes_rejects_a_model_of_the_wrong_kind(backend, local_fit):
    with pytest.raises(InvalidInput, match=r"'model' must be a result of hftlab\.run_hmm"):
        hftlab.filter_regimes({"means": [0.0]}, [0.1, 0.2])
    with pytest.raises(InvalidInput, match="'observations' must have 1 column"):
        hftlab.filter_regimes(local_fit, np.ones((5, 2)))
    with pytest.raises(InvalidInput, match="'prior' must be probabilities"):
        hftlab.filter_regimes(local_fit, [0.1, 0.2], prior=[0.7, 0.7])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"log_density": 3.0, "x0": [0.0]}, "'log_density' must be a callable"),
        ({"x0": [[0.0, 1.0]]}, "'x0' must be a non-empty 1-D array of finite numbers"),
        ({"x0": [np.nan]}, "'x0' must be a non-empty 1-D array of finite numbers"),
        ({"x0": [0.0, 1.0], "parameter_names": ["a"]}, "'parameter_names' must be a list of 2 distinct names"),
        ({"x0": [0.0], "proposal_scale": -1.0}, "'proposal_scale' must be a positive number"),
        ({"x0": [0.0], "n_chains": 0}, "'n_chains' must be an int >= 1 and <= 64; got 0"),
        ({"x0": [0.0], "objective": "ou"}, "'objective' must be None when a 'log_density' is given"),
        ({"x0": [5.0], "log_density": lambda x: -np.inf if x[0] > 1 else 0.0}, "'x0' must have a finite log"),
        ({"x0": [0.0], "log_density": lambda x: "high"}, "'log_density' must return a number; got 'high'"),
    ],
)
def test_bad_log_density_settings_name_the_field(kwargs, message):
    kwargs = {"log_density": lambda x: -0.5 * float(x @ x), **kwargs}
    with pytest.raises(InvalidInput) as error:
        hftlab.run_mcmc(**kwargs)
    assert str(error.value).startswith(message)


def test_results_draw_their_charts(series, local_fit):
    returns = series.iloc[:300] / 100
    regimes = regime.detect_regime(returns, 2, "hmm", "volatility", 0, 1)
    selection = hmm.select_n_states(as_observations(series.iloc[:300]), [1, 2], 0, 1)
    mcmc = hftlab.run_mcmc(log_density=lambda x: -0.5 * float(x @ x), x0=[0.0, 0.0], n_samples=50, burn_in=10)
    figures = [
        local_fit.plot(),
        local_fit.plot(series.cumsum()),
        local_fit.plot_transition_matrix(),
        regimes.plot(),
        regimes.plot(returns.cumsum()),
        selection.plot(),
        mcmc.plot_trace(),
        mcmc.plot_corner(truths={"param_0": 0.0}),
    ]
    assert all(len(figure.data) > 0 for figure in figures)
    assert "<table" in local_fit._repr_html_() and "rhat.param_0" in mcmc.summary().index


def test_the_server_validates_raw_messages_too(grpc_address):
    import grpc

    from hftlab.rpc.v1 import trading_pb2 as pb
    from hftlab.rpc.v1 import trading_pb2_grpc

    with grpc.insecure_channel(grpc_address.removeprefix("grpc://")) as channel:
        stub = trading_pb2_grpc.TradingStub(channel)
        with pytest.raises(grpc.RpcError) as error:
            stub.RunHMM(pb.RunHMMRequest(n_states=0), timeout=10)
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert error.value.details().startswith("'n_states' must be an int >= 1 and <= 20; got 0")
        with pytest.raises(grpc.RpcError) as error:
            message = pb.RunMCMCRequest(objective="ou", n_samples=100, n_chains=1, thin=1, credible_level=0.9)
            stub.RunMCMC(message, timeout=10)
        assert error.value.details() == "'spread' is required for objective 'ou'."

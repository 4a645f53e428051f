"""Portfolio operations through the facade on both backends: parity and bad input."""

import numpy as np
import pandas as pd
import pytest

import hftlab
from hftlab.algo import boxtao, portfolio, rebalance, sparse
from hftlab.data import sp500_index, sp500_prices
from hftlab.errors import InvalidInput


@pytest.fixture(scope="module")
def prices():
    return sp500_prices("2019-01-01", "2020-12-31")[["AAPL", "JNJ", "KO", "PG", "XOM", "WMT"]]


@pytest.fixture(scope="module")
def fields(prices):
    """Request fields after validation, to call the local functions directly."""
    symbols = list(prices.columns)
    return {
        "bounds": pd.Series(0.4, index=symbols, name="upper_bounds"),
        "costs": pd.Series(0.001, index=symbols, name="transaction_costs"),
    }


def test_optimize_portfolio_parity(backend, prices, fields):
    result = hftlab.optimize_portfolio(prices, "max_sharpe", bounds=(None, 0.4), transaction_costs=0.001)
    expected = portfolio.optimize_portfolio(
        prices, "max_sharpe", upper_bounds=fields["bounds"], transaction_costs=fields["costs"]
    )
    assert hftlab.differences(result, expected) == []
    assert result.status == "optimal" and result.weights.index.tolist() == list(prices.columns)


@pytest.mark.parametrize("method", ["risk_parity", "equal_weight", "cara", "markowitz", "min_variance"])
def test_every_method_runs_on_both_backends(backend, prices, method):
    result = hftlab.optimize_portfolio(prices, method, covariance="ledoit_wolf")
    expected = portfolio.optimize_portfolio(prices, method, covariance="ledoit_wolf")
    assert hftlab.differences(result, expected) == []
    assert result.status == "optimal" and result.weights.sum() == pytest.approx(1.0)


def test_infeasible_target_is_a_status_on_both_backends(backend, prices):
    result = hftlab.optimize_portfolio(prices, "markowitz", target_return=10.0)
    assert result.status == "infeasible" and result.reason.startswith("target_return 10 is above")
    assert not result.weights.isna().any()


def test_given_covariance_and_expected_returns(backend, prices):
    sigma = prices.pct_change().cov() * 252
    result = hftlab.optimize_portfolio(
        prices,
        "markowitz",
        covariance=sigma.to_numpy(),
        expected_returns={s: 0.05 for s in prices.columns},
        risk_aversion=4.0,
    )
    assert result.expected_return == pytest.approx(0.05)


def test_efficient_frontier_parity(backend, prices):
    result = hftlab.efficient_frontier(prices, n_points=8)
    expected = portfolio.efficient_frontier(prices, n_points=8)
    assert hftlab.differences(result, expected) == []
    assert len(result.points) == 8 and result.max_sharpe.status == "optimal"


def test_rebalance_portfolio_parity(backend, prices, fields):
    result = hftlab.rebalance_portfolio(
        prices, "risk_parity", window=100, rebalance_every=20, transaction_costs=0.001
    )
    expected = rebalance.rebalance_portfolio(
        prices, "risk_parity", window=100, rebalance_every=20, transaction_costs=fields["costs"]
    )
    assert hftlab.differences(result, expected) == []
    assert result.n_rebalances == len(result.weights) > 10


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("box_tiao_greedy", {"k": 3}),
        ("box_tiao_sdp", {"k": 3}),
        ("sparse_pca", {"alpha": 0.3, "n_components": 2}),
        ("elastic_net", {"k": 2, "target": "KO"}),
    ],
)
def test_sparse_portfolio_parity(backend, prices, method, kwargs):
    result = hftlab.sparse_portfolio(prices, method, **kwargs)
    fields = {("target_column" if name == "target" else name): value for name, value in kwargs.items()}
    expected = sparse.sparse_portfolio(prices, method, **fields)
    assert hftlab.differences(result, expected) == []


def test_sparse_tracking_of_an_index_series(backend, prices):
    index = sp500_index("2019-01-01", "2020-12-31")
    result = hftlab.sparse_portfolio(prices, "lasso", k=4, target=index, regress_on="returns", long_only=True)
    assert result.n_selected == 4 and (result.weights >= 0).all()
    assert result.portfolio.index.equals(prices.index[1:])


def test_box_tao_parity(backend, prices):
    result = hftlab.box_tao(prices, input_type="prices", noise_std=0.005)
    expected = boxtao.box_tao(prices, input_type="prices", noise_std=0.005)
    assert hftlab.differences(result, expected) == []
    assert result.low_rank.index.equals(prices.index[1:])


nan_prices = pd.DataFrame({"A": [1.0, np.nan, 1.2, 1.3], "B": [2.0, 2.1, 2.2, 2.0]})
few_rows = pd.DataFrame(np.random.default_rng(0).uniform(1, 2, size=(5, 6)), columns=list("ABCDEF"))
collinear = pd.DataFrame({"A": np.linspace(1, 2, 30) ** 2, "B": np.linspace(2, 3, 30) ** 1.5})
collinear["C"] = collinear["A"]
ok = pd.DataFrame(np.random.default_rng(1).uniform(1, 2, size=(60, 3)), columns=list("ABC"))

BAD_OPTIMIZE = [
    ({"prices_or_returns": nan_prices}, "'prices_or_returns' must contain only finite numbers"),
    (
        {"prices_or_returns": few_rows},
        "'prices_or_returns' must have more observations than assets for "
        "covariance='sample'; got 4 return(s) for 6 assets",
    ),
    ({"prices_or_returns": collinear}, "'prices_or_returns' gives a singular covariance matrix"),
    (
        {"prices_or_returns": ok, "covariance": np.array([[1.0, 2, 0], [2, 1, 0], [0, 0, 1]])},
        "'covariance_matrix' must be positive semi-definite",
    ),
    ({"prices_or_returns": ok, "covariance": np.eye(2)}, "'covariance_matrix' must be 3 x 3"),
    ({"prices_or_returns": -ok}, "'prices_or_returns' must hold positive prices"),
    ({"prices_or_returns": ok, "method": "kelly"}, "'method' must be one of 'markowitz'"),
    ({"prices_or_returns": ok, "bounds": (0.5, None)}, "'lower_bounds'/'upper_bounds' leave no fully invested"),
    ({"prices_or_returns": ok, "bounds": (None, {"Z": 0.5})}, "'upper_bounds' names unknown assets: 'Z'"),
    ({"prices_or_returns": ok, "bounds": 0.5}, "'bounds' must be a pair (lower, upper)"),
    (
        {"prices_or_returns": ok, "long_only": False, "leverage": 0.5},
        "'leverage' must be a finite number >= 1.0",
    ),
    ({"prices_or_returns": ok, "target_return": 0.1}, "'target_return' must be None unless method='markowitz'"),
    ({"prices_or_returns": ok, "method": "risk_parity", "bounds": (0, 0.5)}, "'lower_bounds' is not supported"),
    (
        {"prices_or_returns": ok, "risk_budgets": [1, 2, 3]},
        "'risk_budgets' is only used by method='risk_parity'",
    ),
    (
        {"prices_or_returns": ok, "method": "risk_parity", "risk_budgets": [1, 0, 3]},
        "'risk_budgets' must be > 0 for every asset; got 'B': 0",
    ),
    ({"prices_or_returns": ok, "transaction_costs": -0.01}, "'transaction_costs' must be >= 0.0"),
    ({"prices_or_returns": ok, "input_type": "levels"}, "'input_type' must be one of 'prices', 'returns'"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_OPTIMIZE)
def test_optimize_bad_input_names_the_field(backend, kwargs, message):
    with pytest.raises(InvalidInput) as error:
        hftlab.optimize_portfolio(**kwargs)
    assert str(error.value).startswith(message)


BAD_OTHERS = [
    (hftlab.efficient_frontier, {"prices_or_returns": ok, "long_only": False}, "'leverage' (or finite lower"),
    (hftlab.efficient_frontier, {"prices_or_returns": ok, "n_points": 1}, "'n_points' must be an int >= 2"),
    (
        hftlab.rebalance_portfolio,
        {"prices_or_returns": ok, "window": 59},
        "'window' must be smaller than the 59",
    ),
    (hftlab.rebalance_portfolio, {"prices_or_returns": ok, "window": 3}, "'window' must be an int >= 4"),
    (hftlab.sparse_portfolio, {"prices": ok, "k": 4}, "'k' must be an int >= 1 and <= 3"),
    (hftlab.sparse_portfolio, {"prices": ok, "method": "lasso"}, "'target' or 'target_column' (exactly one)"),
    (
        hftlab.sparse_portfolio,
        {"prices": ok, "method": "lasso", "target": "Q"},
        "'target_column' must be one of",
    ),
    (
        hftlab.sparse_portfolio,
        {"prices": ok, "method": "lasso", "target": [1.0] * 10},
        "'target' must have the same index as 'prices'",
    ),
    (
        hftlab.sparse_portfolio,
        {"prices": ok, "alpha": 0.1},
        "'alpha' must be None for method='box_tiao_greedy'",
    ),
    (hftlab.sparse_portfolio, {"prices": ok.iloc[:30]}, "'prices' must have at least 50 row(s); got 30"),
    (
        hftlab.sparse_portfolio,
        {"prices": pd.DataFrame(np.random.default_rng(2).uniform(1, 2, (60, 41))), "method": "box_tiao_sdp"},
        "'prices' has 41 assets; box_tiao_sdp",
    ),
    (hftlab.box_tao, {"matrix_or_prices": np.zeros((5, 4))}, "'matrix_or_prices' must not be all zeros"),
    (hftlab.box_tao, {"matrix_or_prices": nan_prices}, "'matrix_or_prices' must contain only finite numbers"),
    (hftlab.box_tao, {"matrix_or_prices": ok, "rho": 1.0}, "'rho' must be a finite number > 1"),
    (hftlab.box_tao, {"matrix_or_prices": ok, "svd": "lanczos"}, "'svd' must be one of 'exact', 'randomized'"),
]


@pytest.mark.parametrize(("operation", "kwargs", "message"), BAD_OTHERS)
def test_other_bad_input_names_the_field(backend, operation, kwargs, message):
    with pytest.raises(InvalidInput) as error:
        operation(**kwargs)
    assert str(error.value).startswith(message)


def test_server_lists_the_portfolio_operations(backend):
    operations = hftlab.server_info().operations
    for rpc in (
        "OptimizePortfolio",
        "EfficientFrontier",
        "RebalancePortfolio",
        "CalculateSparsePortfolio",
        "BoxTaoDecomposition",
    ):
        assert rpc in operations


def test_shared_parameters_are_blocks_aligned_with_the_assets(prices):
    """Constraints, frictions and estimation are one block each in the three portfolio requests
    (and one proto message each); the request aligns the blocks' per-asset values by label."""
    from hftlab.types import arguments
    from hftlab.types.portfolio import (
        Constraints,
        Estimation,
        OptimizePortfolioRequest,
        RebalancePortfolioRequest,
    )

    symbols = list(prices.columns)
    flat = {"upper_bounds": {"XOM": 0.3, "AAPL": 0.5}, "transaction_costs": 0.001, "half_life": 30.0}
    request = OptimizePortfolioRequest.from_flat(prices_or_returns=prices, covariance="ewma", **flat)
    upper = request.constraints.upper_bounds
    assert upper.index.tolist() == symbols and upper["XOM"] == 0.3 and upper["KO"] == np.inf
    assert request.frictions.transaction_costs.tolist() == [0.001] * len(symbols)
    assert request.estimation == Estimation("ewma", 30.0)
    assert arguments(request)["upper_bounds"] is upper and arguments(request)["long_only"] is True
    same = RebalancePortfolioRequest.from_flat(prices_or_returns=prices, window=100, covariance="ewma", **flat)
    assert same.estimation == request.estimation and same.constraints.upper_bounds.equals(upper)
    with pytest.raises(InvalidInput, match="'upper_bounds' must be >= the lower bound"):
        OptimizePortfolioRequest(prices, constraints=Constraints(lower_bounds=0.2, upper_bounds=0.1))
    with pytest.raises(InvalidInput, match="'estimation' must be of type Estimation"):
        OptimizePortfolioRequest(prices, estimation="ewma")

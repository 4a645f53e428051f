"""Portfolio optimisation against closed forms, skfolio, and the constraints it promises."""

import cvxpy as cp
import numpy as np
import pandas as pd
import pytest
from sklearn.covariance import LedoitWolf

from hftlab.algo import covariance as cov
from hftlab.algo._cvx import max_expected_return
from hftlab.algo.constraints import PortfolioConstraints
from hftlab.algo.portfolio import efficient_frontier, optimize_portfolio
from hftlab.algo.rebalance import Rebalancer
from hftlab.data import sp500_prices
from hftlab.errors import InvalidInput


def gaussian_returns(n_obs=600, n_assets=8, seed=1):
    rng = np.random.default_rng(seed)
    loadings = rng.normal(size=(n_assets, 3)) * 0.01
    sigma = loadings @ loadings.T + np.diag(rng.uniform(1e-4, 4e-4, n_assets))
    mean = rng.uniform(0.0, 0.001, n_assets)
    values = rng.multivariate_normal(mean, sigma, size=n_obs)
    return pd.DataFrame(
        values, columns=[f"a{i}" for i in range(n_assets)], index=pd.bdate_range("2020-01-01", periods=n_obs)
    )


@pytest.fixture(scope="module")
def returns():
    return gaussian_returns()


@pytest.fixture(scope="module")
def sp500_returns():
    return cov.to_returns(sp500_prices(), "prices")


def annual_estimates(returns):
    return np.cov(returns.to_numpy().T) * 252, returns.to_numpy().mean(axis=0) * 252


# ---------------------------------------------------------------- estimators


def test_covariance_estimators_match_their_references(returns):
    values = returns.to_numpy()
    assert np.allclose(cov.estimate_covariance(returns, "sample"), np.cov(values.T) * 252, rtol=1e-12)
    assert np.allclose(
        cov.estimate_covariance(returns, "ledoit_wolf"), LedoitWolf().fit(values).covariance_ * 252, rtol=1e-12
    )
    alpha = 1 - 0.5 ** (1 / 30)
    expected = returns.ewm(alpha=alpha, adjust=True).cov(bias=True).loc[returns.index[-1]].to_numpy() * 252
    assert np.allclose(cov.estimate_covariance(returns, "ewma", half_life=30), expected, rtol=1e-10)


@pytest.mark.parametrize("step", [1, 7, 60, 250])
def test_rolling_sample_estimates_equal_each_window_afresh(sp500_returns, step):
    values = sp500_returns.to_numpy() + 0.5  # a large common mean: the update must not cancel it away
    ends = range(60, len(values), step)
    rolling = list(cov.rolling_estimates(values, ends, 60, "sample", 60.0, 252.0))
    assert len(rolling) == len(ends) > 3
    for end, (sigma, mu) in zip(ends, rolling, strict=True):
        window = values[end - 60 : end]
        scale = np.abs(np.cov(window.T)).max() * 252
        np.testing.assert_allclose(sigma, np.cov(window.T) * 252, rtol=0, atol=1e-12 * scale)
        np.testing.assert_allclose(mu, window.mean(axis=0) * 252, rtol=1e-13)
        assert (sigma == sigma.T).all()


def test_singular_covariance_names_the_collinear_assets(returns):
    frame = returns.assign(copy=returns["a3"] * 2)
    with pytest.raises(InvalidInput, match=r"singular covariance matrix .*'(copy|a3)', '(copy|a3)'"):
        optimize_portfolio(frame, input_type="returns")


# ---------------------------------------------------------------- closed forms


def test_unconstrained_min_variance_is_the_closed_form(returns):
    sigma, _ = annual_estimates(returns)
    expected = np.linalg.solve(sigma, np.ones(len(sigma)))
    expected /= expected.sum()
    result = optimize_portfolio(returns, "min_variance", input_type="returns", long_only=False)
    assert result.status == "optimal"
    np.testing.assert_allclose(result.weights.to_numpy(), expected, rtol=0, atol=1e-8)
    assert result.volatility == pytest.approx(np.sqrt(expected @ sigma @ expected), rel=1e-10)


def test_unconstrained_mean_variance_and_max_sharpe_are_closed_forms(returns):
    sigma, mu = annual_estimates(returns)
    gamma = 3.0
    inverse_one, inverse_mu = np.linalg.solve(sigma, np.ones(len(mu))), np.linalg.solve(sigma, mu)
    eta = (inverse_one @ mu - gamma) / inverse_one.sum()  # multiplier of the budget
    expected = (inverse_mu - eta * inverse_one) / gamma
    result = optimize_portfolio(returns, "markowitz", "returns", long_only=False, risk_aversion=gamma)
    np.testing.assert_allclose(result.weights.to_numpy(), expected, atol=1e-8)
    tangency = np.linalg.solve(sigma, mu - 0.02)
    tangency /= tangency.sum()
    result = optimize_portfolio(returns, "max_sharpe", "returns", long_only=False, risk_free_rate=0.02)
    np.testing.assert_allclose(result.weights.to_numpy(), tangency, atol=1e-8)
    assert result.sharpe == pytest.approx(np.sqrt((mu - 0.02) @ np.linalg.solve(sigma, mu - 0.02)), rel=1e-8)


def test_risk_parity_contributions_are_equal_and_budgets_are_met(returns):
    result = optimize_portfolio(returns, "risk_parity", input_type="returns")
    contributions = result.risk_contributions.to_numpy()
    assert np.ptp(contributions) < 1e-6 and contributions.sum() == pytest.approx(1.0)
    budgets = pd.Series(np.arange(1.0, 9.0), index=returns.columns)
    result = optimize_portfolio(returns, "risk_parity", input_type="returns", risk_budgets=budgets)
    np.testing.assert_allclose(result.risk_contributions.to_numpy(), budgets / budgets.sum(), atol=1e-6)
    assert (result.weights > 0).all()


def test_equal_weight():
    result = optimize_portfolio(gaussian_returns(n_assets=4), "equal_weight", input_type="returns")
    assert result.weights.tolist() == [0.25] * 4 and result.solver == "closed_form"


def test_cara_approaches_mean_variance_for_gaussian_scenarios():
    returns = gaussian_returns(n_obs=20_000, n_assets=4, seed=5)
    cara = optimize_portfolio(returns, "cara", input_type="returns", risk_aversion=5.0)
    markowitz = optimize_portfolio(returns, "markowitz", input_type="returns", risk_aversion=5.0)
    assert cara.status == "optimal"
    np.testing.assert_allclose(cara.weights.to_numpy(), markowitz.weights.to_numpy(), atol=0.02)


def test_highest_expected_return_is_the_closed_form_of_its_feasible_set():
    mean = np.array([0.05, 0.20, -0.10, 0.12, 0.08])
    n = len(mean)
    capped = PortfolioConstraints.from_inputs(n, upper_bounds=np.full(n, 0.4))
    assert max_expected_return(mean, np.zeros(n), capped) == pytest.approx(0.4 * 0.20 + 0.4 * 0.12 + 0.2 * 0.08)
    # long-short, |w| <= 1 each, gross 1.6: 1 in the best, 0.3 in the second, -0.3 in the worst
    geared = PortfolioConstraints.from_inputs(
        n, long_only=False, lower_bounds=np.full(n, -1.0), upper_bounds=np.ones(n), leverage=1.6
    )
    assert max_expected_return(mean, np.zeros(n), geared) == pytest.approx(0.20 + 0.3 * 0.12 + 0.3 * 0.10)
    # from all in the last asset, 0.5 of turnover moves 0.25 into the best; costs 1% of what is traded
    current = np.eye(n)[-1]
    limited = PortfolioConstraints.from_inputs(n, turnover_limit=0.5, transaction_costs=np.full(n, 0.01))
    assert max_expected_return(mean, current, limited) == pytest.approx(0.25 * 0.20 + 0.75 * 0.08 - 0.01 * 0.5)
    stuck = PortfolioConstraints.from_inputs(n, upper_bounds=np.full(n, 0.1))
    assert max_expected_return(mean, np.zeros(n), stuck) is None


def test_cara_keeps_to_a_turnover_limit_it_would_otherwise_exceed(returns):
    current = pd.Series(np.eye(returns.shape[1])[0], index=returns.columns)
    free = optimize_portfolio(returns, "cara", input_type="returns", risk_aversion=5.0, current_weights=current)
    limited = optimize_portfolio(
        returns,
        "cara",
        input_type="returns",
        risk_aversion=5.0,
        current_weights=current,
        turnover_limit=0.6,
        transaction_costs=pd.Series(0.002, index=returns.columns),
    )
    assert free.turnover > 0.9 and limited.status == "optimal"
    assert 0.6 - 1e-4 < limited.turnover <= 0.6 + 1e-8  # binding, within Clarabel's tolerance
    assert limited.weights.sum() == pytest.approx(1.0) and (limited.weights > -1e-9).all()
    assert limited.transaction_cost == pytest.approx(0.002 * limited.turnover)


# ---------------------------------------------------------------- skfolio on its own S&P 500 data


def test_min_variance_and_risk_parity_agree_with_skfolio(sp500_returns):
    from skfolio.optimization import MeanRisk, RiskBudgeting

    mean_risk = MeanRisk().fit(sp500_returns).weights_
    budgeting = RiskBudgeting().fit(sp500_returns).weights_
    ours = optimize_portfolio(sp500_returns, "min_variance", input_type="returns")
    np.testing.assert_allclose(ours.weights.to_numpy(), mean_risk, atol=1e-4)
    ours = optimize_portfolio(sp500_returns, "risk_parity", input_type="returns")
    np.testing.assert_allclose(ours.weights.to_numpy(), budgeting, atol=1e-4)


# ---------------------------------------------------------------- constraints and frictions


def test_bounds_leverage_and_turnover_hold(returns):
    current = pd.Series(1 / 8, index=returns.columns)
    result = optimize_portfolio(
        returns,
        "max_sharpe",
        input_type="returns",
        long_only=False,
        lower_bounds=pd.Series(-0.3, index=returns.columns),
        upper_bounds=pd.Series(0.4, index=returns.columns),
        leverage=1.6,
        current_weights=current,
        turnover_limit=0.5,
    )
    weights = result.weights.to_numpy()
    assert result.status == "optimal"
    assert weights.sum() == pytest.approx(1.0, abs=1e-9)
    assert weights.min() >= -0.3 - 1e-9 and weights.max() <= 0.4 + 1e-9
    assert np.abs(weights).sum() <= 1.6 + 1e-7
    assert result.turnover == pytest.approx(np.abs(weights - 1 / 8).sum()) and result.turnover <= 0.5 + 1e-7


def test_costs_trade_less_and_are_reported(returns):
    current = pd.Series(np.eye(8)[0], index=returns.columns)
    free = optimize_portfolio(returns, "markowitz", input_type="returns", current_weights=current)
    costs = pd.Series(0.02, index=returns.columns)
    paid = optimize_portfolio(
        returns, "markowitz", input_type="returns", current_weights=current, transaction_costs=costs
    )
    assert paid.turnover < free.turnover
    assert paid.transaction_cost == pytest.approx(0.02 * paid.turnover)


def test_target_return_is_met_and_an_unreachable_one_is_infeasible_with_a_reason(returns):
    _, mu = annual_estimates(returns)
    target = float(np.sort(mu)[-3])
    result = optimize_portfolio(returns, "markowitz", input_type="returns", target_return=target)
    assert result.status == "optimal" and result.expected_return >= target - 1e-9
    result = optimize_portfolio(returns, "markowitz", input_type="returns", target_return=1.0)
    assert result.status == "infeasible"
    assert result.reason == (
        f"target_return 1 is above the highest expected return the constraints allow ({mu.max():.6g})"
    )
    assert result.weights.tolist() == [0.0] * 8  # no trade from cash
    assert np.isfinite([result.volatility, result.sharpe]).all()


def test_a_turnover_limit_too_tight_to_invest_is_infeasible(returns):
    result = optimize_portfolio(returns, "min_variance", input_type="returns", turnover_limit=0.5)
    assert result.status == "infeasible"
    assert result.reason == "the constraints cannot all hold (bounds, leverage and turnover leave no portfolio)"


def test_max_sharpe_without_a_positive_excess_return_is_infeasible(returns):
    result = optimize_portfolio(returns, "max_sharpe", input_type="returns", risk_free_rate=1.0)
    assert result.status == "infeasible" and "more than the risk-free rate" in result.reason


def test_efficient_frontier_spans_min_variance_to_max_return(returns):
    _, mu = annual_estimates(returns)
    frontier = efficient_frontier(returns, n_points=12, input_type="returns")
    points = frontier.points
    assert len(points) == 12 and frontier.n_failed == 0
    assert points["expected_return"].iloc[0] == pytest.approx(frontier.min_variance.expected_return, abs=1e-9)
    assert points["expected_return"].iloc[-1] == pytest.approx(mu.max(), rel=1e-5)
    assert np.all(np.diff(points["volatility"]) > 0)
    assert frontier.max_sharpe.sharpe >= points["sharpe"].max() - 1e-8
    np.testing.assert_allclose(frontier.weights.sum(axis=1), 1.0)


# ---------------------------------------------------------------- warm re-solves


TIGHT = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}


def fresh_cvxpy(kind, sigma, mu):
    """A fresh long-only problem with constant data, as a user would write it (interior point)."""
    n = len(mu)
    if kind == "min_variance":
        w = cp.Variable(n)
        problem = cp.Problem(cp.Minimize(cp.quad_form(w, sigma)), [cp.sum(w) == 1, w >= 0])
        problem.solve(solver=cp.CLARABEL, **TIGHT)
        return w.value
    y = cp.Variable(n)
    cp.Problem(cp.Minimize(cp.quad_form(y, sigma)), [mu @ y == 1, y >= 0]).solve(solver=cp.CLARABEL, **TIGHT)
    return y.value / y.value.sum()


@pytest.mark.parametrize("kind", ["min_variance", "max_sharpe"])
@pytest.mark.parametrize("solver", ["osqp", "cvxpy"])
def test_warm_rolling_solves_equal_fresh_problems(kind, solver, sp500_returns):
    constraints = PortfolioConstraints.from_inputs(20)
    rebalancer = Rebalancer(kind, constraints, solver=solver)
    for end in range(3000, 3600, 150):
        window = sp500_returns.iloc[end - 500 : end]
        sigma = cov.estimate_covariance(window)
        mu = cov.expected_returns(window, 252)
        solution = rebalancer.solve(sigma, mu)
        assert solution.status == "optimal"
        np.testing.assert_allclose(solution.weights, np.clip(fresh_cvxpy(kind, sigma, mu), 0, None), atol=1e-6)


@pytest.mark.parametrize(
    ("method", "target"),
    [("min_variance", None), ("markowitz", None), ("markowitz", 0.25), ("max_sharpe", None)],
)
def test_osqp_and_cvxpy_formulations_agree_under_every_constraint(method, target, sp500_returns):
    n = 20
    constraints = PortfolioConstraints.from_inputs(
        n,
        long_only=False,
        lower_bounds=np.full(n, -0.2),
        upper_bounds=np.full(n, 0.5),
        leverage=1.8,
        turnover_limit=1.2,
        turnover_penalty=0.001,
        transaction_costs=np.full(n, 0.002),
        risk_aversion=4.0,
        risk_free_rate=0.01,
    )
    warm = Rebalancer(method, constraints)
    dpp = Rebalancer(method, constraints, solver="cvxpy")
    current = np.full(n, 1 / n)
    for end in range(6000, 8000, 500):
        window = sp500_returns.iloc[end - 750 : end]
        sigma, mu = cov.estimate_covariance(window, "ledoit_wolf"), cov.expected_returns(window, 252)
        solutions = [
            warm.solve(sigma, mu, current, target),
            dpp.solve(sigma, mu, current, target),
            Rebalancer(method, constraints).solve(sigma, mu, current, target),
        ]
        assert [s.status for s in solutions] == ["optimal"] * 3
        for other in solutions[1:]:
            np.testing.assert_allclose(solutions[0].weights, other.weights, atol=1e-6)
        weights = solutions[0].weights
        assert np.abs(weights).sum() <= 1.8 + 1e-7 and np.abs(weights - current).sum() <= 1.2 + 1e-7
        current = weights

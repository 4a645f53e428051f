"""Portfolio optimisation: the mean-variance family, risk parity, equal weights, CARA.

Methods (annualised estimates, budget ``sum(w) = 1``):

- ``min_variance``: ``min w'Sigma w`` (Markowitz 1952, "Portfolio selection", J. Finance 7).
- ``markowitz``: ``min w'Sigma w`` s.t. ``mu'w >= target_return`` (net of costs) when a
  target is given, else ``max mu'w - risk_aversion/2 w'Sigma w``.
- ``max_sharpe``: maximum ``(mu'w - rf) / sqrt(w'Sigma w)`` (tangency portfolio, solved
  as a QP after Cornuejols & Tutuncu 2007, sec. 8.2).
- ``risk_parity``: risk contributions proportional to budgets (Spinu 2013,
  :mod:`hftlab.algo.riskparity`).
- ``equal_weight``: ``1/N`` (DeMiguel, Garlappi & Uppal 2009).
- ``cara``: exponential utility over the historical scenarios (:mod:`hftlab.algo._cvx`).

Trading costs and turnover penalties are charged in the objective against the current
weights (:mod:`hftlab.algo.constraints`). Solvers run with time limits; when no
portfolio satisfies the constraints the result says ``status="infeasible"`` and why,
and keeps the current weights. The efficient frontier re-solves one warm problem over a
grid of target returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hftlab import cancel
from hftlab.algo import covariance as cov
from hftlab.algo._cvx import max_expected_return
from hftlab.algo._osqp import USABLE, OsqpPortfolioQP, Solution
from hftlab.algo.constraints import PortfolioConstraints
from hftlab.algo.rebalance import Rebalancer
from hftlab.results import Result


@dataclass(frozen=True)
class PortfolioResult(Result):
    """Optimal weights and their ex-ante statistics (annualised).

    Attributes
    ----------
    weights : pd.Series
        Weight of each asset (sums to 1). The current weights when ``status`` is not
        ``optimal``/``optimal_inaccurate`` (no trade).
    expected_return, volatility, sharpe : float
        ``mu'w``, ``sqrt(w'Sigma w)`` and ``(mu'w - rf) / volatility`` (0 when flat).
    risk_contributions : pd.Series
        Share of the variance from each asset, ``w_i (Sigma w)_i / w'Sigma w`` (sums to 1).
    turnover, transaction_cost : float
        ``sum(|w - w0|)`` and ``costs' |w - w0|`` against the current weights.
    method, status, reason, solver : str
        Method; ``optimal``, ``optimal_inaccurate``, ``infeasible``, ``unbounded``,
        ``max_iter``, ``time_limit`` or ``error``; why, when not optimal; solver used.
    iterations : int
    """

    weights: pd.Series
    expected_return: float
    volatility: float
    sharpe: float
    risk_contributions: pd.Series
    turnover: float
    transaction_cost: float
    method: str
    status: str
    reason: str
    solver: str
    iterations: int

    def plot(self):
        """Weights and risk contributions side by side."""
        import plotly.graph_objects as go

        fig = go.Figure()
        fig.add_bar(x=self.weights.index, y=self.weights, name="weight")
        fig.add_bar(x=self.risk_contributions.index, y=self.risk_contributions, name="risk contribution")
        fig.update_layout(barmode="group", title=f"{self.method}: weights and risk contributions", height=400)
        return fig


@dataclass(frozen=True)
class FrontierResult(Result):
    """The efficient frontier: minimum variance for each attainable target return.

    Attributes
    ----------
    points : pd.DataFrame
        One row per solved target: ``target_return``, ``expected_return``, ``volatility``,
        ``sharpe``.
    weights : pd.DataFrame
        The portfolio of each point (rows aligned with ``points``, columns = assets).
    assets : pd.DataFrame
        ``expected_return`` and ``volatility`` of each asset alone.
    min_variance, max_sharpe : PortfolioResult
        The two ends worth marking.
    n_failed : int
        Targets the solver gave no portfolio for (left out of ``points``).
    """

    points: pd.DataFrame
    weights: pd.DataFrame
    assets: pd.DataFrame
    min_variance: PortfolioResult
    max_sharpe: PortfolioResult
    n_failed: int

    def plot(self):
        """Frontier, assets and the minimum-variance / maximum-Sharpe portfolios (risk vs return)."""
        import plotly.graph_objects as go

        fig = go.Figure()
        fig.add_scatter(
            x=self.points["volatility"],
            y=self.points["expected_return"],
            mode="lines+markers",
            name="efficient frontier",
        )
        fig.add_scatter(
            x=self.assets["volatility"],
            y=self.assets["expected_return"],
            mode="markers+text",
            text=list(self.assets.index),
            textposition="top center",
            name="assets",
        )
        for result, symbol in ((self.min_variance, "diamond"), (self.max_sharpe, "star")):
            if result.status in USABLE:
                fig.add_scatter(
                    x=[result.volatility],
                    y=[result.expected_return],
                    mode="markers",
                    marker={"symbol": symbol, "size": 14},
                    name=result.method,
                )
        fig.update_layout(
            title="Efficient frontier",
            xaxis_title="volatility (annualised)",
            yaxis_title="expected return (annualised)",
            height=500,
        )
        return fig


def estimates(
    prices_or_returns: pd.DataFrame,
    input_type: str,
    covariance: str,
    covariance_matrix: pd.DataFrame | None,
    expected_returns: pd.Series | None,
    half_life: float,
    periods_per_year: float,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Returns, annualised covariance (checked positive definite) and expected returns."""
    returns = cov.to_returns(prices_or_returns, input_type)
    if covariance_matrix is not None:
        sigma = covariance_matrix.to_numpy()
    else:
        sigma = cov.estimate_covariance(returns, covariance, half_life, periods_per_year)
        cov.check_covariance(sigma, list(returns.columns), "prices_or_returns")
    if expected_returns is None:
        mu = cov.expected_returns(returns, periods_per_year)
    else:
        mu = expected_returns.to_numpy()
    return returns, sigma, mu


def portfolio_result(
    solution: Solution,
    symbols: list[str],
    sigma: np.ndarray,
    mu: np.ndarray,
    current: np.ndarray,
    constraints: PortfolioConstraints,
    method: str,
) -> PortfolioResult:
    """Statistics of the solution's weights (or of the current weights when it has none)."""
    weights = solution.weights if solution.status in USABLE else current
    variance = float(weights @ sigma @ weights)
    volatility = float(np.sqrt(max(variance, 0.0)))
    expected = float(mu @ weights)
    marginal = weights * (sigma @ weights)
    contributions = marginal / variance if variance > 0 else np.zeros_like(weights)
    trades = np.abs(weights - current)
    costs = np.zeros(len(weights)) if constraints.costs is None else constraints.costs
    return PortfolioResult(
        weights=pd.Series(weights, index=symbols, name="weight"),
        expected_return=expected,
        volatility=volatility,
        sharpe=(expected - constraints.risk_free_rate) / volatility if volatility > 0 else 0.0,
        risk_contributions=pd.Series(contributions, index=symbols, name="risk_contribution"),
        turnover=float(trades.sum()),
        transaction_cost=float(costs @ trades),
        method=method,
        status=solution.status,
        reason=solution.reason,
        solver=solution.solver,
        iterations=solution.iterations,
    )


def _explain_infeasible(solution: Solution, kind: str, mu, current, constraints, target) -> Solution:
    """Say which requirement cannot be met, from the highest reachable expected return (an LP)."""
    if solution.status != "infeasible":
        return solution
    best = max_expected_return(mu, current, constraints)
    if best is None:
        reason = "the constraints cannot all hold (bounds, leverage and turnover leave no portfolio)"
    elif kind not in ("target_return", "max_sharpe"):
        return solution
    elif kind == "target_return":
        reason = (
            f"target_return {target:.6g} is above the highest expected return the constraints "
            f"allow ({best:.6g})"
        )
    else:
        reason = (
            f"no portfolio within the constraints earns more than the risk-free rate "
            f"{constraints.risk_free_rate:.6g} (the best expected return is {best:.6g})"
        )
    return Solution(None, "infeasible", reason, solution.iterations, solution.solver)


def optimize_portfolio(
    prices_or_returns: pd.DataFrame,
    method: str = "min_variance",
    input_type: str = "prices",
    long_only: bool = True,
    lower_bounds: pd.Series | None = None,
    upper_bounds: pd.Series | None = None,
    leverage: float | None = None,
    current_weights: pd.Series | None = None,
    turnover_limit: float | None = None,
    turnover_penalty: float = 0.0,
    transaction_costs: pd.Series | None = None,
    target_return: float | None = None,
    risk_aversion: float = 1.0,
    risk_free_rate: float = 0.0,
    risk_budgets: pd.Series | None = None,
    covariance: str = "sample",
    covariance_matrix: pd.DataFrame | None = None,
    expected_returns: pd.Series | None = None,
    half_life: float = 60.0,
    periods_per_year: float = 252.0,
    time_limit: float = 10.0,
) -> PortfolioResult:
    """Optimal weights of ``method`` (see the module docstring).

    Inputs are validated request fields (:class:`hftlab.types.portfolio.OptimizePortfolioRequest`).
    """
    returns, sigma, mu = estimates(
        prices_or_returns,
        input_type,
        covariance,
        covariance_matrix,
        expected_returns,
        half_life,
        periods_per_year,
    )
    symbols, n = list(returns.columns), returns.shape[1]
    constraints = PortfolioConstraints.from_inputs(
        n,
        long_only=long_only,
        lower_bounds=lower_bounds,
        upper_bounds=upper_bounds,
        leverage=leverage,
        turnover_limit=turnover_limit,
        turnover_penalty=turnover_penalty,
        transaction_costs=transaction_costs,
        risk_aversion=risk_aversion,
        risk_free_rate=risk_free_rate,
    )
    current = np.zeros(n) if current_weights is None else current_weights.to_numpy()
    rebalancer = Rebalancer(
        method,
        constraints,
        time_limit=time_limit,
        periods_per_year=periods_per_year,
        risk_budgets=None if risk_budgets is None else risk_budgets.to_numpy(),
    )
    solution = rebalancer.solve(sigma, mu, current, target_return, returns.to_numpy())
    solution = _explain_infeasible(
        solution, rebalancer.kind(target_return), mu, current, constraints, target_return
    )
    return portfolio_result(solution, symbols, sigma, mu, current, constraints, method)


def efficient_frontier(
    prices_or_returns: pd.DataFrame,
    n_points: int = 20,
    input_type: str = "prices",
    long_only: bool = True,
    lower_bounds: pd.Series | None = None,
    upper_bounds: pd.Series | None = None,
    leverage: float | None = None,
    current_weights: pd.Series | None = None,
    turnover_limit: float | None = None,
    turnover_penalty: float = 0.0,
    transaction_costs: pd.Series | None = None,
    risk_free_rate: float = 0.0,
    covariance: str = "sample",
    covariance_matrix: pd.DataFrame | None = None,
    expected_returns: pd.Series | None = None,
    half_life: float = 60.0,
    periods_per_year: float = 252.0,
    time_limit: float = 10.0,
) -> FrontierResult:
    """Minimum-variance portfolios for ``n_points`` targets from the minimum-variance return to the
    highest attainable one, re-solving one warm QP (inputs: validated request fields)."""
    returns, sigma, mu = estimates(
        prices_or_returns,
        input_type,
        covariance,
        covariance_matrix,
        expected_returns,
        half_life,
        periods_per_year,
    )
    symbols, n = list(returns.columns), returns.shape[1]
    constraints = PortfolioConstraints.from_inputs(
        n,
        long_only=long_only,
        lower_bounds=lower_bounds,
        upper_bounds=upper_bounds,
        leverage=leverage,
        turnover_limit=turnover_limit,
        turnover_penalty=turnover_penalty,
        transaction_costs=transaction_costs,
        risk_free_rate=risk_free_rate,
    )
    current = np.zeros(n) if current_weights is None else current_weights.to_numpy()

    def solve(method: str) -> PortfolioResult:
        solution = Rebalancer(method, constraints, time_limit=time_limit).solve(sigma, mu, current)
        solution = _explain_infeasible(solution, method, mu, current, constraints, None)
        return portfolio_result(solution, symbols, sigma, mu, current, constraints, method)

    min_variance, max_sharpe = solve("min_variance"), solve("max_sharpe")
    rows, chosen = [], []
    highest = max_expected_return(mu, current, constraints)
    if min_variance.status in USABLE and highest is not None:
        net = min_variance.expected_return - min_variance.transaction_cost
        targets = np.linspace(net, net + (highest - net) * (1 - 1e-6), n_points)
        problem = OsqpPortfolioQP("target_return", constraints, time_limit)
        for target in targets:
            cancel.check()
            solution = problem.solve(sigma, mu, current, float(target))
            if solution.status in USABLE:
                result = portfolio_result(solution, symbols, sigma, mu, current, constraints, "markowitz")
                rows.append([float(target), result.expected_return, result.volatility, result.sharpe])
                chosen.append(solution.weights)
    else:
        targets = np.zeros(n_points)
    columns = ["target_return", "expected_return", "volatility", "sharpe"]
    assets = pd.DataFrame({"expected_return": mu, "volatility": np.sqrt(np.diag(sigma))}, index=symbols)
    return FrontierResult(
        points=pd.DataFrame(np.array(rows, dtype=np.float64).reshape(len(rows), 4), columns=columns),
        weights=pd.DataFrame(np.array(chosen, dtype=np.float64).reshape(len(chosen), n), columns=symbols),
        assets=assets,
        min_variance=min_variance,
        max_sharpe=max_sharpe,
        n_failed=len(targets) - len(rows),
    )

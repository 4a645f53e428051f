"""Warm re-solving for rebalancing loops, and a rolling out-of-sample rebalance backtest.

A :class:`Rebalancer` holds one problem per shape (method, number of assets, and for
CARA the window length) and re-solves it as the estimates move: the quadratic methods
update OSQP's data in place and warm-start from the last solution
(:mod:`hftlab.algo._osqp`), or re-use a compiled DPP cvxpy program
(:mod:`hftlab.algo._cvx`, ``solver="cvxpy"``); risk parity restarts Newton from the last
minimiser. :func:`rebalance_portfolio` walks a price history: every ``rebalance_every``
bars it estimates the covariance and mean returns over the trailing ``window``, solves
from the drifted current weights, pays proportional costs on the trades and holds the
portfolio until the next rebalance (a walk-forward test: each decision uses past data
only, as in DeMiguel, Garlappi & Uppal 2009, "Optimal versus naive diversification",
RFS 22(5)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hftlab import cancel
from hftlab.algo import covariance as cov
from hftlab.algo._cvx import CvxpyPortfolioProblem
from hftlab.algo._osqp import USABLE, OsqpPortfolioQP, Solution
from hftlab.algo.constraints import PortfolioConstraints
from hftlab.algo.riskparity import risk_budget_weights
from hftlab.results import Result

METHODS = ("markowitz", "max_sharpe", "min_variance", "risk_parity", "equal_weight", "cara")
SOLVERS = ("osqp", "cvxpy")


class Rebalancer:
    """Solves one portfolio method again and again, building its problem once per shape.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    constraints : PortfolioConstraints
        Feasible set and frictions (fixed for the life of the rebalancer).
    solver : {"osqp", "cvxpy"}
        Quadratic methods: OSQP's own update API and warm start, or a DPP cvxpy
        program re-solved with new parameter values. CARA always uses cvxpy.
    risk_budgets : ndarray, optional
        Risk parity budgets (equal when omitted).
    """

    def __init__(
        self,
        method: str,
        constraints: PortfolioConstraints,
        *,
        solver: str = "osqp",
        risk_budgets: np.ndarray | None = None,
        time_limit: float = 10.0,
        periods_per_year: float = 252.0,
    ) -> None:
        if method not in METHODS or solver not in SOLVERS:
            raise ValueError(f"unknown method {method!r} or solver {solver!r}")
        self.method, self.constraints, self.solver = method, constraints, solver
        self.risk_budgets, self.time_limit, self.periods_per_year = risk_budgets, time_limit, periods_per_year
        self._problems: dict[tuple, OsqpPortfolioQP | CvxpyPortfolioProblem] = {}
        self._risk_parity_start: np.ndarray | None = None

    def kind(self, target_return: float | None) -> str:
        """The problem kind solved for ``method`` (markowitz: target return or risk aversion)."""
        if self.method == "markowitz":
            return "mean_variance" if target_return is None else "target_return"
        return self.method

    def _problem(self, kind: str, n_scenarios: int | None):
        key = (kind, n_scenarios)
        if key not in self._problems:
            if kind == "cara" or self.solver == "cvxpy":
                self._problems[key] = CvxpyPortfolioProblem(
                    kind, self.constraints, self.time_limit, n_scenarios, self.periods_per_year
                )
            else:
                self._problems[key] = OsqpPortfolioQP(kind, self.constraints, self.time_limit)
        return self._problems[key]

    def solve(
        self,
        covariance: np.ndarray,
        expected_returns: np.ndarray | None = None,
        current_weights: np.ndarray | None = None,
        target_return: float | None = None,
        scenarios: np.ndarray | None = None,
    ) -> Solution:
        """Weights for new annualised estimates (``scenarios``: per-period returns, CARA only)."""
        n = self.constraints.n
        if self.method == "equal_weight":
            return Solution(np.full(n, 1.0 / n), "optimal", "", 0, "closed_form")
        if self.method == "risk_parity":
            solution, start = risk_budget_weights(covariance, self.risk_budgets, self._risk_parity_start)
            if solution.status in USABLE:
                self._risk_parity_start = start
            return solution
        kind = self.kind(target_return)
        problem = self._problem(kind, len(scenarios) if kind == "cara" else None)
        if kind == "cara":
            return problem.solve(covariance, expected_returns, current_weights, scenarios=scenarios)
        return problem.solve(covariance, expected_returns, current_weights, target_return)


@dataclass(frozen=True)
class RebalanceResult(Result):
    """A rolling out-of-sample rebalance: weights chosen, returns earned, trading paid.

    Attributes
    ----------
    weights : pd.DataFrame
        Target weights set at each rebalance (rows = rebalance bars).
    returns : pd.Series
        Portfolio return of each bar after the first rebalance, net of costs.
    turnover, costs : pd.Series
        ``sum(|w - w_drifted|)`` and the cost paid at each rebalance.
    annual_return, annual_volatility, sharpe : float
        Annualised mean and volatility of the net returns, and their ratio (excess of
        the risk-free rate).
    max_drawdown : float
        Largest peak-to-trough loss of the compounded net returns (positive fraction).
    total_turnover, total_cost : float
        Sums over the rebalances.
    n_rebalances, n_failed : int
        Rebalances, and those where the solver gave no portfolio (the drifted weights were kept).
    method : str
    """

    weights: pd.DataFrame
    returns: pd.Series
    turnover: pd.Series
    costs: pd.Series
    annual_return: float
    annual_volatility: float
    sharpe: float
    max_drawdown: float
    total_turnover: float
    total_cost: float
    n_rebalances: int
    n_failed: int
    method: str

    def plot(self):
        """Compounded net wealth, and the weights over time."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        fig = make_subplots(
            rows=2,
            cols=1,
            shared_xaxes=True,
            vertical_spacing=0.06,
            subplot_titles=("wealth (net of costs)", "weights"),
        )
        wealth = (1 + self.returns).cumprod()
        fig.add_trace(go.Scatter(x=wealth.index, y=wealth, name=self.method), row=1, col=1)
        for symbol in self.weights.columns:
            fig.add_trace(
                go.Scatter(
                    x=self.weights.index,
                    y=self.weights[symbol],
                    name=symbol,
                    stackgroup="w",
                    line={"shape": "hv"},
                ),
                row=2,
                col=1,
            )
        fig.update_layout(height=650, title=f"Rolling rebalance: {self.method}")
        return fig


def hold(weights: np.ndarray, bars: np.ndarray, cost: float, net: np.ndarray) -> np.ndarray:
    """Hold ``weights`` through ``bars``: ``net[k]`` is bar k's return net of ``cost`` (paid on the first).

    The weights drift as ``w (1 + r) / (1 + w'r)`` (kept as they are on a bar that wipes the
    portfolio out); the drifted weights are returned. Bar by bar on purpose: CARA's solution
    under costs moves by ~1e-4 when the drifted weights move by round-off (Clarabel's tolerance).
    """
    for k, bar in enumerate(bars):
        growth = float(weights @ bar)
        net[k] = growth - (cost if k == 0 else 0.0)
        if 1 + growth != 0:
            weights = weights * (1 + bar) / (1 + growth)
    return weights


def performance(returns: np.ndarray, periods_per_year: float, risk_free_rate: float) -> dict[str, float]:
    """Annualised mean, volatility, Sharpe ratio and maximum drawdown of per-period returns."""
    mean = float(np.mean(returns)) * periods_per_year if len(returns) else 0.0
    volatility = float(np.std(returns, ddof=1)) * math.sqrt(periods_per_year) if len(returns) > 1 else 0.0
    wealth = np.cumprod(1 + returns)
    peaks = np.maximum.accumulate(np.concatenate([[1.0], wealth]))[1:]
    drawdown = float(np.max(1 - wealth / peaks)) if len(returns) else 0.0
    sharpe = (mean - risk_free_rate) / volatility if volatility > 0 else 0.0
    return {"annual_return": mean, "annual_volatility": volatility, "sharpe": sharpe, "max_drawdown": drawdown}


def rebalance_portfolio(
    prices_or_returns: pd.DataFrame,
    method: str = "min_variance",
    input_type: str = "prices",
    window: int = 252,
    rebalance_every: int = 21,
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
    half_life: float = 60.0,
    periods_per_year: float = 252.0,
    time_limit: float = 10.0,
) -> RebalanceResult:
    """Walk-forward rebalance of ``method`` over the history (see the module docstring).

    Inputs are validated request fields (:class:`hftlab.types.portfolio.RebalancePortfolioRequest`):
    bounds, costs, current weights and budgets are Series aligned with the columns.
    """
    returns = cov.to_returns(prices_or_returns, input_type)
    values, symbols = returns.to_numpy(), list(returns.columns)
    n_obs, n = values.shape
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
    budgets = None if risk_budgets is None else risk_budgets.to_numpy()
    rebalancer = Rebalancer(
        method, constraints, risk_budgets=budgets, time_limit=time_limit, periods_per_year=periods_per_year
    )
    costs = np.zeros(n) if constraints.costs is None else constraints.costs
    held = np.zeros(n) if current_weights is None else current_weights.to_numpy()
    starts = range(window, n_obs, rebalance_every)
    estimates = cov.rolling_estimates(values, starts, window, covariance, half_life, periods_per_year)
    chosen, turnovers, paid = np.empty((len(starts), n)), np.empty(len(starts)), np.empty(len(starts))
    net = np.empty(n_obs - window)
    failed = 0
    for i, (start, (sigma, mu)) in enumerate(zip(starts, estimates, strict=True)):
        cancel.check()
        scenarios = values[start - window : start] if method == "cara" else None
        solution = rebalancer.solve(sigma, mu, held, target_return, scenarios)
        if solution.status in USABLE:
            target = solution.weights
        else:
            failed += 1
            target = held
        trades = np.abs(target - held)
        chosen[i], turnovers[i], paid[i] = target, trades.sum(), costs @ trades
        held = hold(target, values[start : start + rebalance_every], paid[i], net[start - window :])
    dates = returns.index[window::rebalance_every]
    index = pd.Index(dates, name=returns.index.name)
    stats = performance(net, periods_per_year, constraints.risk_free_rate)
    return RebalanceResult(
        weights=pd.DataFrame(chosen, index=index, columns=symbols),
        returns=pd.Series(net, index=returns.index[window:], name="net_return", dtype=float),
        turnover=pd.Series(turnovers, index=index, name="turnover", dtype=float),
        costs=pd.Series(paid, index=index, name="cost", dtype=float),
        **stats,
        total_turnover=float(np.sum(turnovers)),
        total_cost=float(np.sum(paid)),
        n_rebalances=len(starts),
        n_failed=failed,
        method=method,
    )

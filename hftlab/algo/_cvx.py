"""Portfolio problems as parametrised cvxpy programs (DPP), compiled once and re-solved.

The general path: each quadratic problem is the statement of
:class:`~hftlab.algo.constraints.PortfolioQP` (the same ``q``, ``A``, ``l``, ``u`` as
the OSQP path) written with cvxpy ``Parameter``s for the data (a square-root factor
``F`` of the covariance, ``Sigma = F'F``, so the risk ``||F w||^2`` stays
DPP-compliant; the data vector ``[expected returns, current weights, target]``; return
scenarios) following Agrawal, Verschueren, Diamond & Boyd (2019), "A rewriting system
for convex optimization problems" (disciplined parametrized programming). The first
solve compiles; later solves only substitute parameter values. The quadratic kinds
use OSQP with the same settings as :mod:`hftlab.algo._osqp`; the exponential-utility
(CARA) problem uses Clarabel (exponential cone). CARA and :func:`max_expected_return` take
their feasible set and trading costs from the same statement (its minimum-variance rows).

CARA: maximise the certainty equivalent of the historical scenarios ``r_t``,
``CE(w) = -1/a log(1/T sum_t exp(-a r_t'w))`` (annualised by ``periods_per_year``),
minus trading costs: the exponential utility ``-exp(-a W)`` of Pratt (1964), "Risk
aversion in the small and in the large", Econometrica 32. For normal returns it
reduces to mean-variance with risk aversion ``a``. Compiling a scenario matrix as a
parameter costs time superlinear in its size, so beyond :data:`DPP_MAX_SCENARIO_ENTRIES`
entries the scenarios enter as constants and the program is rebuilt per solve.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from hftlab.algo._osqp import SETTINGS, TIGHT, USABLE, Solution, accurate, status_reason
from hftlab.algo.constraints import INF, PortfolioConstraints, PortfolioQP, Slot, data_vector

KINDS = ("min_variance", "mean_variance", "target_return", "max_sharpe", "cara")
DPP_MAX_SCENARIO_ENTRIES = 20_000

_STATUS = {
    cp.OPTIMAL: "optimal",
    cp.OPTIMAL_INACCURATE: "optimal_inaccurate",
    cp.INFEASIBLE: "infeasible",
    cp.INFEASIBLE_INACCURATE: "infeasible",
    cp.UNBOUNDED: "unbounded",
    cp.UNBOUNDED_INACCURATE: "unbounded",
    cp.USER_LIMIT: "time_limit",
}


def risk_factor(covariance: np.ndarray) -> np.ndarray:
    """``F`` with ``F'F = covariance`` (transposed Cholesky factor; eigen-root if singular)."""
    try:
        return np.linalg.cholesky(covariance).T
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(covariance)
        return (vectors * np.sqrt(np.clip(values, 0.0, None))).T


def _scattered(slot: Slot, theta, size: int, places: np.ndarray | None = None, times=None):
    """The slot's values ``coef * theta[index] - offset`` (times ``times``) summed into a vector of
    ``size`` at ``places`` (default: the slot's own positions); 0 for an empty slot."""
    if not len(slot.where):
        return 0.0
    places = slot.where if places is None else places
    values = cp.multiply(slot.coef, theta[slot.index]) - slot.offset
    if times is not None:
        values = cp.multiply(values, times)
    scatter = sp.csr_matrix((np.ones(len(places)), (places, np.arange(len(places)))), shape=(size, len(places)))
    return scatter @ values


def _rows(qp: PortfolioQP, x, theta) -> list:
    """``l <= A x <= u`` of ``qp`` as cvxpy constraints on ``x`` for the data ``theta`` (``==``
    where ``l = u``; no side at +-INF)."""
    m, slot = len(qp.lower), qp.a_slot
    ax = qp.A @ x
    if len(slot.where):  # an entry set by the data times its variable
        columns = np.searchsorted(qp.A.indptr, slot.where, side="right") - 1
        ax = ax + _scattered(slot, theta, m, qp.A.indices[slot.where], x[columns])
    lower = qp.lower + _scattered(qp.l_slot, theta, m)
    equal = (qp.lower == qp.upper) & ~np.isin(np.arange(m), qp.l_slot.where)
    below, above = (np.flatnonzero(~equal & side) for side in (qp.lower > -INF, qp.upper < INF))
    equal = np.flatnonzero(equal)
    constraints = [ax[equal] == lower[equal]] if len(equal) else []
    if len(below):
        constraints.append(ax[below] >= lower[below])
    if len(above):
        constraints.append(ax[above] <= qp.upper[above])
    return constraints


def _feasible_set(c: PortfolioConstraints, theta) -> tuple[cp.Variable, list, object]:
    """``x = [w, z, s]`` under the rows of :class:`PortfolioQP`'s minimum-variance statement for
    the data ``theta`` (budget, bounds, ``z >= |w - w0|``, ``s >= |w|`` and their limits), and the
    trading cost those rows price, ``q'x``: the feasible set of CARA and :func:`max_expected_return`."""
    qp = PortfolioQP.build("min_variance", c)
    x = cp.Variable(qp.n_x)
    return x, _rows(qp, x, theta), qp.q @ x


class CvxpyPortfolioProblem:
    """One portfolio problem of ``kind`` as a DPP cvxpy program over ``constraints.n`` assets.

    ``n_scenarios`` (CARA only) is part of the shape: a new window length needs a new problem.
    """

    def __init__(
        self,
        kind: str,
        constraints: PortfolioConstraints,
        time_limit: float = 10.0,
        n_scenarios: int | None = None,
        periods_per_year: float = 252.0,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown problem kind {kind!r}")
        self.kind, self.constraints, self.time_limit = kind, constraints, time_limit
        c, n = constraints, constraints.n
        self.factor = cp.Parameter((n, n), name="factor")
        self.theta = cp.Parameter(2 * n + 1, name="theta")
        if kind == "cara":
            x, feasible, friction = _feasible_set(c, self.theta)
            w = x[:n]
            self._cara = (w, feasible, friction, periods_per_year / c.risk_aversion)
            if n_scenarios * n <= DPP_MAX_SCENARIO_ENTRIES:
                self.scenarios = cp.Parameter((n_scenarios, n), name="scenarios")
                self.problem = self._cara_problem(self.scenarios)
            else:
                self.scenarios = self.problem = None  # built per solve, scenarios as constants
            self._weights = lambda: x.value[:n]
            return
        qp = PortfolioQP.build(kind, c)
        x = cp.Variable(qp.n_x)
        linear = (qp.q + _scattered(qp.q_slot, self.theta, qp.n_x)) @ x
        risk = cp.sum_squares(self.factor @ x[:n])
        self.problem = cp.Problem(cp.Minimize(qp.p_scale / 2 * risk + linear), _rows(qp, x, self.theta))
        self._weights = lambda: x.value[:n] / x.value[qp.kappa] if qp.kappa is not None else x.value[:n]

    def _cara_problem(self, scenarios) -> cp.Problem:
        w, feasible, friction, scale = self._cara
        return cp.Problem(cp.Minimize(scale * cp.log_sum_exp(scenarios @ w) + friction), feasible)

    def solve(
        self,
        covariance: np.ndarray,
        mean: np.ndarray | None = None,
        current: np.ndarray | None = None,
        target: float | None = None,
        scenarios: np.ndarray | None = None,
    ) -> Solution:
        """Set the parameters and solve (compiled on the first call, warm afterwards)."""
        self.factor.value = risk_factor(covariance)
        self.theta.value = data_vector(self.constraints.n, mean, current, target)
        if self.kind == "cara":
            if self.scenarios is None:
                self.problem = self._cara_problem(-self.constraints.risk_aversion * scenarios)
            else:
                self.scenarios.value = -self.constraints.risk_aversion * scenarios
            solver, options = cp.CLARABEL, {"time_limit": self.time_limit}
        else:
            solver, options = cp.OSQP, {**SETTINGS, "time_limit": self.time_limit}
        name = solver.lower()
        try:
            self.problem.solve(solver=solver, warm_start=True, **options)
            if (
                solver == cp.OSQP
                and self.problem.status == cp.OPTIMAL
                and not accurate(self.problem.solver_stats.extra_stats.info)
            ):
                self.problem.solve(solver=solver, warm_start=True, **{**options, **TIGHT})
        except cp.error.SolverError as exc:
            return Solution(None, "error", f"{name} failed: {exc}", 0, name)
        status = _STATUS.get(self.problem.status, self.problem.status)
        iterations = int(self.problem.solver_stats.num_iters or 0)
        if status not in USABLE:
            return Solution(None, status, status_reason(status, self.time_limit), iterations, name)
        weights = np.clip(self._weights(), self.constraints.lower_bounds, self.constraints.upper)
        return Solution(weights, status, status_reason(status, self.time_limit), iterations, name)


def max_expected_return(
    mean: np.ndarray, current: np.ndarray, constraints: PortfolioConstraints, time_limit: float = 10.0
) -> float | None:
    """The highest net expected return the constraints allow (an LP); None if they are infeasible."""
    n = constraints.n
    x, feasible, _ = _feasible_set(constraints, data_vector(n, mean, current, None))
    net = mean @ x[:n]
    if constraints.has_trades and constraints.costs is not None:
        net = net - constraints.costs @ x[n : 2 * n]
    problem = cp.Problem(cp.Maximize(net), feasible)
    try:
        problem.solve(solver=cp.CLARABEL, time_limit=time_limit)
    except cp.error.SolverError:
        return None
    return float(problem.value) if problem.status in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE) else None

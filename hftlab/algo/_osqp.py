"""Portfolio quadratic programs set up in OSQP once and re-solved warm.

OSQP (Stellato, Banjac, Goulart, Bemporad & Boyd 2020, "OSQP: an operator splitting
solver for quadratic programs", Math. Prog. Comp. 12) solves
``min 1/2 x'Px + q'x  s.t.  l <= Ax <= u``, the form in which
:class:`~hftlab.algo.constraints.PortfolioQP` states each problem. A problem is set up
once for a number of assets and a set of constraints; new data (covariance, expected
returns, current weights, target return) only overwrite the numbers of ``P``, ``q``,
``A``, ``l`` (OSQP's ``update``), so a rolling rebalance never rebuilds or recompiles
and each solve starts from the previous solution. Solutions are polished (active-set
refinement), so they are accurate to round-off rather than to the ADMM tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import osqp
import scipy.sparse as sp

from hftlab.algo.constraints import PortfolioConstraints, PortfolioQP, data_vector

SETTINGS = {
    "eps_abs": 1e-4,
    "eps_rel": 1e-4,
    "eps_prim_inf": 1e-7,
    "eps_dual_inf": 1e-7,
    "max_iter": 100_000,
    "polishing": True,
    "polish_refine_iter": 10,
    "adaptive_rho_interval": 25,  # a fixed interval keeps solves deterministic (0 = by setup time)
    "warm_starting": True,
    "verbose": False,
}
"""OSQP settings shared by the direct and the cvxpy path."""
TIGHT = {"eps_abs": 1e-10, "eps_rel": 1e-10}
"""Tolerances of the second solve when polishing did not succeed."""
POLISHED = 1  # OSQP_POLISH_SUCCESS
ACCEPT = 1e-9
"""Largest primal / dual residual accepted without the tight re-solve."""


def accurate(info) -> bool:
    """Whether an OSQP solve ended solved, polished, with residuals below :data:`ACCEPT`."""
    return (
        info.status_val == osqp.SolverStatus.OSQP_SOLVED
        and info.status_polish == POLISHED
        and info.prim_res <= ACCEPT
        and info.dual_res <= ACCEPT
    )


_STATUS = {
    "OSQP_SOLVED": "optimal",
    "OSQP_SOLVED_INACCURATE": "optimal_inaccurate",
    "OSQP_PRIMAL_INFEASIBLE": "infeasible",
    "OSQP_PRIMAL_INFEASIBLE_INACCURATE": "infeasible",
    "OSQP_DUAL_INFEASIBLE": "unbounded",
    "OSQP_DUAL_INFEASIBLE_INACCURATE": "unbounded",
    "OSQP_MAX_ITER_REACHED": "max_iter",
    "OSQP_TIME_LIMIT_REACHED": "time_limit",
}
USABLE = ("optimal", "optimal_inaccurate")
"""Statuses whose solution is a portfolio."""


@dataclass(frozen=True)
class Solution:
    """What a portfolio solver returns: weights (None unless usable), status and why."""

    weights: np.ndarray | None
    status: str
    reason: str
    iterations: int
    solver: str


def status_reason(status: str, time_limit: float) -> str:
    """A sentence explaining a non-optimal solver status."""
    return {
        "optimal": "",
        "optimal_inaccurate": "solved to reduced accuracy",
        "infeasible": "the constraints cannot all hold",
        "unbounded": "the objective is unbounded under the constraints",
        "max_iter": "the solver reached its iteration limit",
        "time_limit": f"the solver reached its time limit of {time_limit:g} s",
    }.get(status, f"solver status {status}")


class OsqpPortfolioQP:
    """One portfolio QP of ``kind`` over ``constraints.n`` assets, re-solved warm.

    ``solve`` takes the annualised covariance, expected returns, current weights and
    (for ``target_return``) the target; the first call sets OSQP up, later calls
    update its data in place.
    """

    def __init__(self, kind: str, constraints: PortfolioConstraints, time_limit: float = 10.0) -> None:
        self.qp = PortfolioQP.build(kind, constraints)
        self.kind, self.constraints, self.time_limit = kind, constraints, time_limit
        self._solver: osqp.OSQP | None = None

    def solve(
        self,
        covariance: np.ndarray,
        mean: np.ndarray | None = None,
        current: np.ndarray | None = None,
        target: float | None = None,
    ) -> Solution:
        """Solve with new data; warm-started from the previous solution after the first call."""
        qp, n = self.qp, self.constraints.n
        p_values, q, a_values, lower = qp.numbers(covariance, data_vector(n, mean, current, target))
        if self._solver is None:
            p = sp.csc_matrix((p_values, (qp.p_rows, qp.p_cols)), shape=(qp.n_x, qp.n_x))
            a = sp.csc_matrix((a_values, qp.A.indices, qp.A.indptr), shape=qp.A.shape)
            self._solver = osqp.OSQP()
            self._solver.setup(p, q, a, lower, qp.upper, time_limit=self.time_limit, **SETTINGS)
        else:
            self._solver.update(Px=p_values, q=q, Ax=a_values, l=lower, u=qp.upper)
        result = self._solver.solve(raise_error=False)
        iterations = int(result.info.iter)
        if result.info.status_val == osqp.SolverStatus.OSQP_SOLVED and not accurate(result.info):
            self._solver.update_settings(**TIGHT)
            result = self._solver.solve(raise_error=False)
            iterations += int(result.info.iter)
            self._solver.update_settings(**{key: SETTINGS[key] for key in TIGHT})
        status = _STATUS.get(osqp.SolverStatus(result.info.status_val).name, result.info.status)
        if status not in USABLE:
            return Solution(None, status, status_reason(status, self.time_limit), iterations, "osqp")
        x = np.array(result.x, dtype=np.float64)
        weights = x[:n] / x[qp.kappa] if qp.kappa is not None else x[:n]
        weights = np.clip(weights, self.constraints.lower_bounds, self.constraints.upper)
        return Solution(weights, status, status_reason(status, self.time_limit), iterations, "osqp")

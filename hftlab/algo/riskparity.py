"""Risk budgeting (equal risk contribution when the budgets are equal) by Newton's method.

Spinu (2013), "An algorithm for computing risk parity weights", SSRN 2297383: the
long-only portfolio whose risk contributions ``w_i (Sigma w)_i / w'Sigma w`` equal the
budgets ``b_i`` is ``w = y / sum(y)`` for the unique minimiser ``y > 0`` of the strictly
convex ``f(y) = 1/2 y'Sigma y - sum_i b_i log y_i`` (stationarity gives
``y_i (Sigma y)_i = b_i``). Damped Newton steps with a backtracking line search that
keeps ``y > 0`` converge quadratically; the stopping rule is on the Newton decrement.
See also Maillard, Roncalli & Teiletche (2010), "The properties of equally weighted
risk contribution portfolios", J. Portfolio Management 36(4).
"""

from __future__ import annotations

import numpy as np

from hftlab.algo._osqp import Solution


def _objective(covariance: np.ndarray, budgets: np.ndarray, y: np.ndarray) -> float:
    return float(0.5 * y @ covariance @ y - budgets @ np.log(y))


def risk_budget_weights(
    covariance: np.ndarray,
    budgets: np.ndarray | None = None,
    start: np.ndarray | None = None,
    tol: float = 1e-14,
    max_iter: int = 200,
) -> tuple[Solution, np.ndarray]:
    """Long-only weights whose risk contributions are proportional to ``budgets``.

    Returns the solution and the unnormalised minimiser ``y`` (a warm start for the
    next solve with similar data). ``start`` must be positive.
    """
    n = len(covariance)
    budgets = np.full(n, 1.0 / n) if budgets is None else budgets / budgets.sum()
    y = budgets / np.sqrt(np.diag(covariance)) if start is None else start.copy()
    y *= np.sqrt(budgets.sum() / (y @ covariance @ y))  # optimal scale along y
    value = _objective(covariance, budgets, y)
    for iterations in range(max_iter + 1):
        gradient = covariance @ y - budgets / y
        hessian = covariance + np.diag(budgets / y**2)
        step = -np.linalg.solve(hessian, gradient)
        decrement = float(-gradient @ step)
        if decrement / 2 <= tol:
            return Solution(y / y.sum(), "optimal", "", iterations, "newton"), y
        length = 1.0
        negative = step < 0
        if negative.any():
            length = min(1.0, 0.99 * float(np.min(-y[negative] / step[negative])))
        while True:
            candidate = y + length * step
            candidate_value = _objective(covariance, budgets, candidate)
            if candidate_value <= value - 0.25 * length * decrement or length < 1e-12:
                break
            length /= 2
        y, value = candidate, candidate_value
    reason = f"Newton did not converge in {max_iter} iterations"
    return Solution(None, "max_iter", reason, max_iter, "newton"), y

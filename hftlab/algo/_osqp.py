"""Portfolio quadratic programs assembled for OSQP once and re-solved warm.

OSQP (Stellato, Banjac, Goulart, Bemporad & Boyd 2020, "OSQP: an operator splitting
solver for quadratic programs", Math. Prog. Comp. 12) solves
``min 1/2 x'Px + q'x  s.t.  l <= Ax <= u``. A problem here is built once for a number
of assets and a set of :class:`~hftlab.algo.constraints.PortfolioConstraints`; new data
(covariance, expected returns, current weights, target return) only overwrite the
numbers of ``P``, ``q``, ``A``, ``l``, ``u`` in place (OSQP's ``update``), so a rolling
rebalance never rebuilds or recompiles and each solve starts from the previous
solution. Solutions are polished (active-set refinement), so they are accurate to
round-off rather than to the ADMM tolerance.

Variables ``x = [w, z, s]`` (``z >= |w - w0|`` when trades are priced or limited,
``s >= |w|`` for a gross leverage limit). Maximum Sharpe uses the homogenised problem
of Cornuejols & Tutuncu (2007, "Optimization Methods in Finance", sec. 8.2):
``min y'Sigma y  s.t.  (mu - rf)'y - c'|y - kappa w0| >= 1, sum(y) = kappa >= 0`` with
the constraints scaled by ``kappa``, and ``w = y / kappa``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import osqp
import scipy.sparse as sp

from hftlab.algo.constraints import PortfolioConstraints

KINDS = ("min_variance", "mean_variance", "target_return", "max_sharpe")
_INF = 1e30  # OSQP_INFTY

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
"""OSQP settings shared by the direct and the cvxpy formulation."""
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


class _Rows:
    """Accumulates the constraint matrix as COO triplets, row block by row block."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.m = 0
        self.nnz = 0

    def add(self, count: int, terms: list[tuple], lower, upper) -> tuple[int, list[np.ndarray]]:
        """Add ``count`` rows; ``terms`` are ``(row offsets, columns, values)``.

        Returns the first row index and, per term, the positions of its entries.
        """
        positions = []
        for rows, cols, vals in terms:
            rows, cols = np.asarray(rows), np.asarray(cols)
            vals = np.broadcast_to(np.asarray(vals, dtype=np.float64), rows.shape)
            self.rows.append(self.m + rows)
            self.cols.append(cols)
            self.vals.append(vals)
            positions.append(self.nnz + np.arange(len(rows)))
            self.nnz += len(rows)
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (count,)))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (count,)))
        first, self.m = self.m, self.m + count
        return first, positions

    def matrix(self, n: int) -> tuple[sp.csc_matrix, np.ndarray]:
        """The CSC matrix (explicit zeros kept) and, per COO entry, its position in ``data``."""
        rows, cols = np.concatenate(self.rows), np.concatenate(self.cols)
        tags = sp.coo_matrix((np.arange(1.0, self.nnz + 1), (rows, cols)), shape=(self.m, n)).tocsc()
        where = np.empty(self.nnz, dtype=np.int64)
        where[tags.data.astype(np.int64) - 1] = np.arange(self.nnz)
        values = np.concatenate(self.vals)
        matrix = sp.csc_matrix((values[tags.data.astype(np.int64) - 1], tags.indices, tags.indptr), tags.shape)
        return matrix, where


class OsqpPortfolioQP:
    """One portfolio QP of ``kind`` over ``constraints.n`` assets, re-solved warm.

    ``solve`` takes the annualised covariance, expected returns, current weights and
    (for ``target_return``) the target; the first call sets OSQP up, later calls
    update its data in place.
    """

    def __init__(self, kind: str, constraints: PortfolioConstraints, time_limit: float = 10.0) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown QP kind {kind!r}")
        self.kind, self.constraints, self.time_limit = kind, constraints, time_limit
        self._solver: osqp.OSQP | None = None
        self._assemble()

    # ------------------------------------------------------------ structure

    def _assemble(self) -> None:
        c, n, sharpe = self.constraints, self.constraints.n, self.kind == "max_sharpe"
        w = np.arange(n)
        kappa = n if sharpe else None
        offset = n + (1 if sharpe else 0)
        z = np.arange(offset, offset + n) if c.has_trades else None
        offset += n if c.has_trades else 0
        s = np.arange(offset, offset + n) if c.has_gross_limit else None
        self.n_x = offset + (n if c.has_gross_limit else 0)
        self._z, self._kappa = z, kappa
        rows, lo, hi = _Rows(), c.lower_bounds, c.upper
        self._mean_entries = self._w0_entries = self._w0_rows = None
        self._target_row = None
        if sharpe:
            terms = [(np.zeros(n, int), w, 0.0)]
            if z is not None:
                terms.append((np.zeros(n, int), z, -c.trade_costs))
            _, (self._mean_entries, *_) = rows.add(1, terms, 1.0, _INF)
            rows.add(1, [(np.zeros(n, int), w, 1.0), ([0], [kappa], -1.0)], 0.0, 0.0)
            rows.add(1, [([0], [kappa], 1.0)], 0.0, _INF)
            finite = np.flatnonzero(np.isfinite(lo))
            k = np.arange(len(finite))
            rows.add(len(finite), [(k, finite, 1.0), (k, np.full(len(k), kappa), -lo[finite])], 0.0, _INF)
            finite = np.flatnonzero(np.isfinite(hi))
            k = np.arange(len(finite))
            rows.add(len(finite), [(k, finite, 1.0), (k, np.full(len(k), kappa), -hi[finite])], -_INF, 0.0)
            if z is not None:  # z - y + kappa w0 >= 0 and z + y - kappa w0 >= 0
                on_kappa = np.full(n, kappa)
                _, (_, _, minus) = rows.add(n, [(w, z, 1.0), (w, w, -1.0), (w, on_kappa, 0.0)], 0.0, _INF)
                _, (_, _, plus) = rows.add(n, [(w, z, 1.0), (w, w, 1.0), (w, on_kappa, 0.0)], 0.0, _INF)
                self._w0_entries = (minus, plus)
                if c.turnover_limit is not None:
                    rows.add(1, [(np.zeros(n, int), z, 1.0), ([0], [kappa], -c.turnover_limit)], -_INF, 0.0)
            if s is not None:
                rows.add(n, [(w, s, 1.0), (w, w, -1.0)], 0.0, _INF)
                rows.add(n, [(w, s, 1.0), (w, w, 1.0)], 0.0, _INF)
                rows.add(1, [(np.zeros(n, int), s, 1.0), ([0], [kappa], -c.leverage)], -_INF, 0.0)
        else:
            rows.add(1, [(np.zeros(n, int), w, 1.0)], 1.0, 1.0)
            rows.add(n, [(w, w, 1.0)], np.maximum(lo, -_INF), np.minimum(hi, _INF))
            if z is not None:  # z - w >= -w0 and z + w >= w0
                minus, _ = rows.add(n, [(w, z, 1.0), (w, w, -1.0)], 0.0, _INF)
                plus, _ = rows.add(n, [(w, z, 1.0), (w, w, 1.0)], 0.0, _INF)
                self._w0_rows = (minus, plus)
                if c.turnover_limit is not None:
                    rows.add(1, [(np.zeros(n, int), z, 1.0)], -_INF, c.turnover_limit)
            if s is not None:
                rows.add(n, [(w, s, 1.0), (w, w, -1.0)], 0.0, _INF)
                rows.add(n, [(w, s, 1.0), (w, w, 1.0)], 0.0, _INF)
                rows.add(1, [(np.zeros(n, int), s, 1.0)], -_INF, c.leverage)
            if self.kind == "target_return":
                terms = [(np.zeros(n, int), w, 0.0)]
                if z is not None and c.costs is not None:
                    terms.append((np.zeros(n, int), z, -c.costs))
                self._target_row, (self._mean_entries, *_) = rows.add(1, terms, 0.0, _INF)
        self._A, where = rows.matrix(self.n_x)
        self._l = np.concatenate(rows.lower).copy()
        self._u = np.concatenate(rows.upper).copy()
        if self._mean_entries is not None:
            self._mean_entries = where[self._mean_entries]
        if self._w0_entries is not None:
            self._w0_entries = tuple(where[e] for e in self._w0_entries)
        upper_rows, upper_cols = np.triu_indices(n)
        order = np.lexsort((upper_rows, upper_cols))  # CSC: by column, then row
        self._p_rows, self._p_cols = upper_rows[order], upper_cols[order]
        self._q = np.zeros(self.n_x)
        if z is not None:
            self._q[z] = c.trade_costs if not sharpe else 0.0

    # ------------------------------------------------------------ data

    def _data(self, covariance, mean, current, target):
        c, n = self.constraints, self.constraints.n
        scale = c.risk_aversion if self.kind == "mean_variance" else 2.0
        p_values = scale * covariance[self._p_rows, self._p_cols]
        if self.kind == "mean_variance":
            self._q[:n] = -mean
        if self.kind == "max_sharpe":
            self._A.data[self._mean_entries] = mean - c.risk_free_rate
            if self._w0_entries is not None:
                minus, plus = self._w0_entries
                self._A.data[minus], self._A.data[plus] = current, -current
        elif self.kind == "target_return":
            self._A.data[self._mean_entries] = mean
            self._l[self._target_row] = target
        if self._w0_rows is not None:
            minus, plus = self._w0_rows
            self._l[minus : minus + n], self._l[plus : plus + n] = -current, current
        return p_values

    def solve(
        self,
        covariance: np.ndarray,
        mean: np.ndarray | None = None,
        current: np.ndarray | None = None,
        target: float | None = None,
    ) -> Solution:
        """Solve with new data; warm-started from the previous solution after the first call."""
        n = self.constraints.n
        mean = np.zeros(n) if mean is None else mean
        current = np.zeros(n) if current is None else current
        p_values = self._data(covariance, mean, current, target)
        if self._solver is None:
            p = sp.csc_matrix((p_values, (self._p_rows, self._p_cols)), shape=(self.n_x, self.n_x))
            self._solver = osqp.OSQP()
            self._solver.setup(p, self._q, self._A, self._l, self._u, time_limit=self.time_limit, **SETTINGS)
        else:
            self._solver.update(Px=p_values, q=self._q, Ax=self._A.data, l=self._l, u=self._u)
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
        weights = x[:n] / x[self._kappa] if self._kappa is not None else x[:n]
        weights = np.clip(weights, self.constraints.lower_bounds, self.constraints.upper)
        return Solution(weights, status, status_reason(status, self.time_limit), iterations, "osqp")

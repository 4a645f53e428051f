"""Constraints and trading frictions, and the one statement of the portfolio problem.

One frozen description of the feasible set and the frictions (budget ``sum(w) = 1``
always): long-only or long-short, per-asset bounds, a gross leverage limit
``sum(|w|) <= leverage``, a turnover limit ``sum(|w - w0|) <= turnover_limit``
against the current weights ``w0``, a turnover penalty and proportional
transaction costs ``costs' |w - w0|`` charged in the objective (after
Boyd et al. 2017, "Multi-period trading via convex optimization", sec. 2.3).
:class:`PortfolioQP` states the problem of each kind once, as OSQP's
``min 1/2 x'Px + q'x  s.t.  l <= Ax <= u``; the OSQP and cvxpy solver paths of the
quadratic kinds (:mod:`hftlab.algo._osqp`, :mod:`hftlab.algo._cvx`) are both built from
it, so they solve the same problem, and the exponential-utility (CARA) problem and the
highest-return LP take their feasible set from its rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True, eq=False)
class PortfolioConstraints:
    """The feasible set and frictions of a portfolio problem over ``n`` assets.

    Attributes
    ----------
    lower, upper : ndarray
        Per-asset bounds (``-inf``/``inf`` for none); with ``long_only`` the lower
        bounds are raised to 0 (see :attr:`lower_bounds`).
    long_only : bool
        No short positions.
    leverage : float or None
        Gross leverage limit ``sum(|w|)`` (only binding for long-short portfolios).
    turnover_limit : float or None
        Limit on ``sum(|w - w0|)``.
    turnover_penalty : float
        Penalty per unit of turnover in the objective.
    costs : ndarray
        Proportional transaction cost of each asset (fraction of the traded value).
    risk_aversion : float
        ``gamma`` of the mean-variance objective ``mu'w - gamma/2 w'Sigma w``
        (and of the exponential utility).
    risk_free_rate : float
        Annual rate the Sharpe ratio is measured against.
    """

    lower: np.ndarray
    upper: np.ndarray
    long_only: bool = True
    leverage: float | None = None
    turnover_limit: float | None = None
    turnover_penalty: float = 0.0
    costs: np.ndarray | None = None
    risk_aversion: float = 1.0
    risk_free_rate: float = 0.0

    @classmethod
    def from_inputs(
        cls,
        n: int,
        *,
        long_only: bool = True,
        lower_bounds=None,
        upper_bounds=None,
        leverage=None,
        turnover_limit=None,
        turnover_penalty: float = 0.0,
        transaction_costs=None,
        risk_aversion: float = 1.0,
        risk_free_rate: float = 0.0,
    ) -> PortfolioConstraints:
        """From validated request fields (bounds and costs: Series aligned with the assets, or None)."""

        def vector(values, fill):
            return np.full(n, fill) if values is None else np.asarray(values, dtype=np.float64)

        return cls(
            lower=vector(lower_bounds, -np.inf),
            upper=vector(upper_bounds, np.inf),
            long_only=long_only,
            leverage=leverage,
            turnover_limit=turnover_limit,
            turnover_penalty=turnover_penalty,
            costs=None if transaction_costs is None else vector(transaction_costs, 0.0),
            risk_aversion=risk_aversion,
            risk_free_rate=risk_free_rate,
        )

    @property
    def n(self) -> int:
        return len(self.lower)

    @property
    def lower_bounds(self) -> np.ndarray:
        """Effective lower bounds (0 where ``long_only`` is stricter)."""
        return np.maximum(self.lower, 0.0) if self.long_only else self.lower

    @property
    def trade_costs(self) -> np.ndarray:
        """Per-asset cost of one unit of turnover in the objective: costs + penalty."""
        costs = np.zeros(self.n) if self.costs is None else self.costs
        return costs + self.turnover_penalty

    @property
    def has_trades(self) -> bool:
        """Whether ``|w - w0|`` enters the problem (turnover limit, penalty or costs)."""
        return self.turnover_limit is not None or bool(np.any(self.trade_costs > 0))

    @property
    def has_gross_limit(self) -> bool:
        """Whether ``sum(|w|) <= leverage`` can bind (long-short with a leverage limit)."""
        return self.leverage is not None and not self.long_only

    def is_default_set(self) -> bool:
        """Only the budget and ``long_only``: what risk parity and equal weights accept."""
        return (
            bool(np.all(np.isneginf(self.lower)) and np.all(np.isposinf(self.upper)))
            and self.leverage is None
            and self.turnover_limit is None
            and self.turnover_penalty == 0.0
        )


KINDS = ("min_variance", "mean_variance", "target_return", "max_sharpe")
INF = 1e30  # OSQP_INFTY: a bound at or beyond it is none


def data_vector(
    n: int, mean: np.ndarray | None, current: np.ndarray | None, target: float | None
) -> np.ndarray:
    """The data vector ``[mean, current, target]`` of a problem over ``n`` assets (zeros when not given)."""
    zeros = np.zeros(n)
    return np.concatenate(
        [
            zeros if mean is None else mean,
            zeros if current is None else current,
            [0.0 if target is None else target],
        ]
    )


class _Data(NamedTuple):
    """Values set by the data: ``coef * theta[index] - offset``, ``theta = [mean, current, target]``."""

    index: np.ndarray
    coef: float
    offset: float = 0.0


@dataclass(frozen=True)
class Slot:
    """The entries of one array of a :class:`PortfolioQP` that the data set (see :class:`_Data`)."""

    where: np.ndarray
    index: np.ndarray
    coef: np.ndarray
    offset: np.ndarray

    @classmethod
    def of(cls, pieces: list[tuple[np.ndarray, _Data]]) -> Slot:
        """From ``(positions, data)`` pieces (none: an empty slot)."""
        pieces = [(np.zeros(0, np.int64), _Data(np.zeros(0, np.int64), 0.0)), *pieces]
        return cls(
            where=np.concatenate([where for where, _ in pieces]),
            index=np.concatenate([data.index for _, data in pieces]),
            coef=np.concatenate([np.full(len(where), data.coef) for where, data in pieces]),
            offset=np.concatenate([np.full(len(where), data.offset) for where, data in pieces]),
        )

    def fill(self, values: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Set the slot's entries of ``values`` (in place) from ``theta``."""
        values[self.where] = self.coef * theta[self.index] - self.offset
        return values


class _Rows:
    """Accumulates the constraint matrix as COO triplets, row block by row block."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.entry_data: list[tuple[np.ndarray, _Data]] = []
        self.lower_data: list[tuple[np.ndarray, _Data]] = []
        self.m = 0
        self.nnz = 0

    def add(self, count: int, terms: list[tuple], lower, upper) -> None:
        """Add ``count`` rows; ``terms`` are ``(row offsets, columns, values)``; values and
        ``lower`` may be :class:`_Data`."""
        for rows, cols, vals in terms:
            rows, cols = np.asarray(rows), np.asarray(cols)
            if isinstance(vals, _Data):
                self.entry_data.append((self.nnz + np.arange(len(rows)), vals))
                vals = 0.0
            self.rows.append(self.m + rows)
            self.cols.append(cols)
            self.vals.append(np.broadcast_to(np.asarray(vals, dtype=np.float64), rows.shape))
            self.nnz += len(rows)
        if isinstance(lower, _Data):
            self.lower_data.append((self.m + np.arange(count), lower))
            lower = 0.0
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (count,)))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (count,)))
        self.m += count

    def matrix(self, n: int) -> tuple[sp.csc_matrix, np.ndarray]:
        """The CSC matrix (explicit zeros kept) and, per COO entry, its position in ``data``."""
        rows, cols = np.concatenate(self.rows), np.concatenate(self.cols)
        tags = sp.coo_matrix((np.arange(1.0, self.nnz + 1), (rows, cols)), shape=(self.m, n)).tocsc()
        where = np.empty(self.nnz, dtype=np.int64)
        where[tags.data.astype(np.int64) - 1] = np.arange(self.nnz)
        values = np.concatenate(self.vals)
        matrix = sp.csc_matrix((values[tags.data.astype(np.int64) - 1], tags.indices, tags.indptr), tags.shape)
        return matrix, where


@dataclass(frozen=True, eq=False)
class PortfolioQP:
    """One portfolio problem (see :data:`KINDS`) as ``min 1/2 x'Px + q'x  s.t.  l <= Ax <= u``.

    Variables ``x = [w, z, s]`` (``z >= |w - w0|`` when trades are priced or limited,
    ``s >= |w|`` for a gross leverage limit). ``P`` is ``p_scale * Sigma`` on the
    ``w`` block (its upper triangle at ``p_rows, p_cols``, in CSC order). Maximum
    Sharpe uses the homogenised problem of Cornuejols & Tutuncu (2007, "Optimization
    Methods in Finance", sec. 8.2): ``min y'Sigma y  s.t.  (mu - rf)'y - c'|y - kappa w0| >= 1,
    sum(y) = kappa >= 0`` with the constraints scaled by ``kappa`` (variable ``kappa``
    after ``y``), and ``w = y / kappa``. The data ``theta = [mean, current, target]``
    (:func:`data_vector`) enter linearly at the :class:`Slot` entries of ``q``, ``A`` and
    ``l``; every other number is fixed by the constraints.
    """

    kind: str
    n_x: int
    kappa: int | None
    p_scale: float
    p_rows: np.ndarray
    p_cols: np.ndarray
    q: np.ndarray
    q_slot: Slot
    A: sp.csc_matrix
    a_slot: Slot
    lower: np.ndarray
    l_slot: Slot
    upper: np.ndarray

    @classmethod
    def build(cls, kind: str, constraints: PortfolioConstraints) -> PortfolioQP:
        """The statement of ``kind`` under ``constraints`` (one of :data:`KINDS`)."""
        if kind not in KINDS:
            raise ValueError(f"unknown QP kind {kind!r}")
        c, n, sharpe = constraints, constraints.n, kind == "max_sharpe"
        mean, current, target = np.arange(n), np.arange(n, 2 * n), np.array([2 * n])  # in theta
        w, first = np.arange(n), np.zeros(n, int)
        kappa = n if sharpe else None
        offset = n + (1 if sharpe else 0)
        z = np.arange(offset, offset + n) if c.has_trades else None
        offset += n if c.has_trades else 0
        s = np.arange(offset, offset + n) if c.has_gross_limit else None
        n_x = offset + (n if c.has_gross_limit else 0)
        rows, lo, hi = _Rows(), c.lower_bounds, c.upper
        if sharpe:
            terms = [(first, w, _Data(mean, 1.0, c.risk_free_rate))]
            if z is not None:
                terms.append((first, z, -c.trade_costs))
            rows.add(1, terms, 1.0, INF)
            rows.add(1, [(first, w, 1.0), ([0], [kappa], -1.0)], 0.0, 0.0)
            rows.add(1, [([0], [kappa], 1.0)], 0.0, INF)
            finite = np.flatnonzero(np.isfinite(lo))
            k = np.arange(len(finite))
            rows.add(len(finite), [(k, finite, 1.0), (k, np.full(len(k), kappa), -lo[finite])], 0.0, INF)
            finite = np.flatnonzero(np.isfinite(hi))
            k = np.arange(len(finite))
            rows.add(len(finite), [(k, finite, 1.0), (k, np.full(len(k), kappa), -hi[finite])], -INF, 0.0)
            if z is not None:  # z - y + kappa w0 >= 0 and z + y - kappa w0 >= 0
                on_kappa = np.full(n, kappa)
                rows.add(n, [(w, z, 1.0), (w, w, -1.0), (w, on_kappa, _Data(current, 1.0))], 0.0, INF)
                rows.add(n, [(w, z, 1.0), (w, w, 1.0), (w, on_kappa, _Data(current, -1.0))], 0.0, INF)
                if c.turnover_limit is not None:
                    rows.add(1, [(first, z, 1.0), ([0], [kappa], -c.turnover_limit)], -INF, 0.0)
            if s is not None:
                rows.add(n, [(w, s, 1.0), (w, w, -1.0)], 0.0, INF)
                rows.add(n, [(w, s, 1.0), (w, w, 1.0)], 0.0, INF)
                rows.add(1, [(first, s, 1.0), ([0], [kappa], -c.leverage)], -INF, 0.0)
        else:
            rows.add(1, [(first, w, 1.0)], 1.0, 1.0)
            rows.add(n, [(w, w, 1.0)], np.maximum(lo, -INF), np.minimum(hi, INF))
            if z is not None:  # z - w >= -w0 and z + w >= w0
                rows.add(n, [(w, z, 1.0), (w, w, -1.0)], _Data(current, -1.0), INF)
                rows.add(n, [(w, z, 1.0), (w, w, 1.0)], _Data(current, 1.0), INF)
                if c.turnover_limit is not None:
                    rows.add(1, [(first, z, 1.0)], -INF, c.turnover_limit)
            if s is not None:
                rows.add(n, [(w, s, 1.0), (w, w, -1.0)], 0.0, INF)
                rows.add(n, [(w, s, 1.0), (w, w, 1.0)], 0.0, INF)
                rows.add(1, [(first, s, 1.0)], -INF, c.leverage)
            if kind == "target_return":  # net expected return mean'w - costs'z >= target
                terms = [(first, w, _Data(mean, 1.0))]
                if z is not None and c.costs is not None:
                    terms.append((first, z, -c.costs))
                rows.add(1, terms, _Data(target, 1.0), INF)
        A, where = rows.matrix(n_x)
        upper_rows, upper_cols = np.triu_indices(n)
        order = np.lexsort((upper_rows, upper_cols))  # CSC: by column, then row
        q = np.zeros(n_x)
        if z is not None:
            q[z] = c.trade_costs if not sharpe else 0.0
        return cls(
            kind=kind,
            n_x=n_x,
            kappa=kappa,
            p_scale=c.risk_aversion if kind == "mean_variance" else 2.0,
            p_rows=upper_rows[order],
            p_cols=upper_cols[order],
            q=q,
            q_slot=Slot.of([(w, _Data(mean, -1.0))] if kind == "mean_variance" else []),
            A=A,
            a_slot=Slot.of([(where[positions], data) for positions, data in rows.entry_data]),
            lower=np.concatenate(rows.lower),
            l_slot=Slot.of(rows.lower_data),
            upper=np.concatenate(rows.upper),
        )

    def numbers(self, covariance: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, ...]:
        """``P``'s upper triangle and ``A``'s values (fixed patterns), ``q`` and ``l`` for new data."""
        p_values = self.p_scale * covariance[self.p_rows, self.p_cols]
        a_values = self.a_slot.fill(self.A.data.copy(), theta)
        return (
            p_values,
            self.q_slot.fill(self.q.copy(), theta),
            a_values,
            self.l_slot.fill(self.lower.copy(), theta),
        )

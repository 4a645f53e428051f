"""Constraints and trading frictions shared by every portfolio solver.

One frozen description of the feasible set and the frictions (budget ``sum(w) = 1``
always): long-only or long-short, per-asset bounds, a gross leverage limit
``sum(|w|) <= leverage``, a turnover limit ``sum(|w - w0|) <= turnover_limit``
against the current weights ``w0``, a turnover penalty and proportional
transaction costs ``costs' |w - w0|`` charged in the objective (after
Boyd et al. 2017, "Multi-period trading via convex optimization", sec. 2.3).
The OSQP and cvxpy formulations (:mod:`hftlab.algo._osqp`, :mod:`hftlab.algo._cvx`)
both read it, so they solve the same problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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

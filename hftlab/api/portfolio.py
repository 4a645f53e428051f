"""Portfolio construction: optimization, efficient frontier, rolling rebalance, sparse
portfolios, Box-Tao."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from hftlab import validation as v
from hftlab.algo.boxtao import BoxTaoResult
from hftlab.algo.portfolio import FrontierResult, PortfolioResult
from hftlab.algo.rebalance import RebalanceResult
from hftlab.algo.sparse import SparsePortfolioResult
from hftlab.api.base import FrameLike, operation
from hftlab.backends import backend
from hftlab.types.portfolio import (
    BoxTaoRequest,
    EfficientFrontierRequest,
    OptimizePortfolioRequest,
    RebalancePortfolioRequest,
    SparsePortfolioRequest,
)

__all__ = ["box_tao", "efficient_frontier", "optimize_portfolio", "rebalance_portfolio", "sparse_portfolio"]

_BOUNDS = {"bounds": ("lower_bounds", "upper_bounds")}
_BOUNDS_AND_COVARIANCE = {**_BOUNDS, "covariance": ("covariance", "covariance_matrix")}

PerAsset = float | Mapping[str, float] | pd.Series | Sequence[float] | None
"""One number for every asset, a mapping / Series by column name, or values in column order."""

_CONSTRAINTS_DOC = """
    input_type : {"prices", "returns"}
        Whether ``prices_or_returns`` holds prices (simple returns are taken) or returns.
    long_only : bool
        No short positions (default). ``False`` allows shorting.
    bounds : (lower, upper), optional
        Per-asset weight bounds: each a number, a mapping by asset or None.
    leverage : float, optional
        Gross leverage limit ``sum(|w|) <= leverage`` (>= 1; binds for long-short).
    current_weights : per-asset, optional
        Weights held now (0 for assets left out; all 0 by default: buying from cash).
    turnover_limit : float, optional
        ``sum(|w - current_weights|) <= turnover_limit``.
    turnover_penalty : float
        Cost per unit of turnover charged in the objective.
    transaction_costs : per-asset, optional
        Proportional costs ``c' |w - current_weights|`` (fraction of the traded value),
        charged in the objective and reported.
    risk_free_rate : float
        Annual rate the Sharpe ratio is measured against.
    covariance : {"sample", "ledoit_wolf", "ewma"}
        Estimator (Ledoit-Wolf shrinkage via scikit-learn; EWMA with ``half_life`` bars).
    half_life : float
        EWMA half-life in bars.
    periods_per_year : float
        Bars per year, to annualise means and covariances (252 for daily data).
    time_limit : float
        Seconds each solver may run; past it the status says ``time_limit``.
"""


def _documented(function):
    """Put the shared description of the constraint arguments in place of ``{constraints}``."""
    function.__doc__ = function.__doc__.replace("    {constraints}\n", _CONSTRAINTS_DOC.lstrip("\n"))
    return function


def _bounds(bounds: Any) -> tuple[PerAsset, PerAsset]:
    if bounds is None:
        return None, None
    if not isinstance(bounds, (tuple, list)) or len(bounds) != 2:
        raise v.fail("bounds", "a pair (lower, upper) of numbers, mappings by asset or None", bounds)
    return bounds[0], bounds[1]


def _covariance(covariance: Any) -> tuple[str, Any]:
    if isinstance(covariance, str):
        return covariance, None
    return "sample", covariance


@operation(OptimizePortfolioRequest, split=_BOUNDS_AND_COVARIANCE)
@_documented
def optimize_portfolio(
    prices_or_returns: FrameLike,
    method: str = "min_variance",
    *,
    input_type: str = "prices",
    long_only: bool = True,
    bounds: tuple[PerAsset, PerAsset] | None = None,
    leverage: float | None = None,
    current_weights: PerAsset = None,
    turnover_limit: float | None = None,
    turnover_penalty: float = 0.0,
    transaction_costs: PerAsset = None,
    target_return: float | None = None,
    risk_aversion: float = 1.0,
    risk_free_rate: float = 0.0,
    risk_budgets: PerAsset = None,
    covariance: str | pd.DataFrame | np.ndarray = "sample",
    expected_returns: PerAsset = None,
    half_life: float = 60.0,
    periods_per_year: float = 252.0,
    time_limit: float = 10.0,
) -> PortfolioResult:
    """Optimal portfolio weights: mean-variance family, risk parity, equal weights, CARA.

    Parameters
    ----------
    prices_or_returns : DataFrame or 2-D array
        One column per asset (at least 2), oldest row first, finite.
    method : {"min_variance", "markowitz", "max_sharpe", "risk_parity", "equal_weight", "cara"}
        ``markowitz`` minimises variance for ``target_return`` when given, else
        maximises ``mu'w - risk_aversion/2 w'Sigma w``; ``max_sharpe`` the tangency
        portfolio; ``risk_parity`` equal (or ``risk_budgets``) risk contributions,
        long-only with the budget as only constraint; ``cara`` the exponential utility
        of the historical return scenarios with absolute risk aversion ``risk_aversion``.
    target_return : float, optional
        Annualised expected return (net of costs) for ``markowitz``.
    risk_aversion : float
        ``gamma`` of ``markowitz`` without a target, and of ``cara``.
    risk_budgets : per-asset, optional
        Risk parity budgets (positive; normalised to sum to 1).
    covariance : str, DataFrame or ndarray
        An estimator name (below) or the annualised covariance matrix itself.
    expected_returns : per-asset, optional
        Annualised expected returns (default: the historical mean).
    {constraints}

    Returns
    -------
    PortfolioResult
        ``weights``, ``expected_return``, ``volatility``, ``sharpe``,
        ``risk_contributions``, ``turnover``, ``transaction_cost`` and the solver
        ``status`` (``infeasible`` with the ``reason`` when the constraints, e.g. a
        target return above the attainable maximum, admit no portfolio: the weights
        are then the current ones).

    References
    ----------
    Markowitz (1952), "Portfolio selection", J. Finance 7(1). Cornuejols & Tutuncu
    (2007), "Optimization Methods in Finance", sec. 8.2. Spinu (2013), "An algorithm
    for computing risk parity weights". Ledoit & Wolf (2004), "A well-conditioned
    estimator for large-dimensional covariance matrices". Stellato et al. (2020),
    "OSQP: an operator splitting solver for quadratic programs".
    """
    lower, upper = _bounds(bounds)
    covariance, matrix = _covariance(covariance)
    return backend().execute(
        OptimizePortfolioRequest.from_flat(
            prices_or_returns=prices_or_returns,
            method=method,
            input_type=input_type,
            long_only=long_only,
            lower_bounds=lower,
            upper_bounds=upper,
            leverage=leverage,
            current_weights=current_weights,
            turnover_limit=turnover_limit,
            turnover_penalty=turnover_penalty,
            transaction_costs=transaction_costs,
            target_return=target_return,
            risk_aversion=risk_aversion,
            risk_free_rate=risk_free_rate,
            risk_budgets=risk_budgets,
            covariance=covariance,
            covariance_matrix=matrix,
            expected_returns=expected_returns,
            half_life=half_life,
            periods_per_year=periods_per_year,
            time_limit=time_limit,
        )
    )


@operation(EfficientFrontierRequest, split=_BOUNDS_AND_COVARIANCE)
@_documented
def efficient_frontier(
    prices_or_returns: FrameLike,
    n_points: int = 20,
    *,
    input_type: str = "prices",
    long_only: bool = True,
    bounds: tuple[PerAsset, PerAsset] | None = None,
    leverage: float | None = None,
    current_weights: PerAsset = None,
    turnover_limit: float | None = None,
    turnover_penalty: float = 0.0,
    transaction_costs: PerAsset = None,
    risk_free_rate: float = 0.0,
    covariance: str | pd.DataFrame | np.ndarray = "sample",
    expected_returns: PerAsset = None,
    half_life: float = 60.0,
    periods_per_year: float = 252.0,
    time_limit: float = 10.0,
) -> FrontierResult:
    """The efficient frontier: minimum variance for ``n_points`` target returns.

    Targets run from the minimum-variance portfolio's return to the highest return
    the constraints allow; one warm-started QP is re-solved for each.

    Parameters
    ----------
    prices_or_returns : DataFrame or 2-D array
        One column per asset (at least 2), oldest row first, finite.
    n_points : int
        Number of targets (2 to 500).
    covariance, expected_returns
        As in :func:`optimize_portfolio`.
    {constraints}

    Returns
    -------
    FrontierResult
        ``points`` (target, expected return, volatility, Sharpe per point), their
        ``weights``, each asset's ``assets`` statistics, the ``min_variance`` and
        ``max_sharpe`` portfolios; ``.plot()`` draws them.

    References
    ----------
    Markowitz (1952), "Portfolio selection", J. Finance 7(1).
    """
    lower, upper = _bounds(bounds)
    covariance, matrix = _covariance(covariance)
    return backend().execute(
        EfficientFrontierRequest.from_flat(
            prices_or_returns=prices_or_returns,
            n_points=n_points,
            input_type=input_type,
            long_only=long_only,
            lower_bounds=lower,
            upper_bounds=upper,
            leverage=leverage,
            current_weights=current_weights,
            turnover_limit=turnover_limit,
            turnover_penalty=turnover_penalty,
            transaction_costs=transaction_costs,
            risk_free_rate=risk_free_rate,
            covariance=covariance,
            covariance_matrix=matrix,
            expected_returns=expected_returns,
            half_life=half_life,
            periods_per_year=periods_per_year,
            time_limit=time_limit,
        )
    )


@operation(RebalancePortfolioRequest, split=_BOUNDS)
@_documented
def rebalance_portfolio(
    prices_or_returns: FrameLike,
    method: str = "min_variance",
    *,
    window: int = 252,
    rebalance_every: int = 21,
    input_type: str = "prices",
    long_only: bool = True,
    bounds: tuple[PerAsset, PerAsset] | None = None,
    leverage: float | None = None,
    current_weights: PerAsset = None,
    turnover_limit: float | None = None,
    turnover_penalty: float = 0.0,
    transaction_costs: PerAsset = None,
    target_return: float | None = None,
    risk_aversion: float = 1.0,
    risk_free_rate: float = 0.0,
    risk_budgets: PerAsset = None,
    covariance: str = "sample",
    half_life: float = 60.0,
    periods_per_year: float = 252.0,
    time_limit: float = 10.0,
) -> RebalanceResult:
    """Rolling out-of-sample rebalance of one method, net of transaction costs.

    Every ``rebalance_every`` bars the covariance and mean returns are estimated on
    the trailing ``window``; the method is re-solved warm (one problem built for the
    whole run: OSQP updated in place, Newton restarted from the last risk-parity
    solution) from the drifted weights, costs are paid on the trades, and the
    portfolio drifts with the market until the next rebalance.

    Parameters
    ----------
    prices_or_returns : DataFrame or 2-D array
        One column per asset, oldest row first.
    method, target_return, risk_aversion, risk_budgets
        As in :func:`optimize_portfolio`.
    window : int
        Estimation window in bars (more than the number of assets unless
        ``covariance="ledoit_wolf"``; fewer than the bars available).
    rebalance_every : int
        Bars between rebalances.
    {constraints}

    Returns
    -------
    RebalanceResult
        Weights per rebalance, net returns per bar, turnover and costs, annualised
        return, volatility, Sharpe ratio and maximum drawdown; ``.plot()``.

    References
    ----------
    DeMiguel, Garlappi & Uppal (2009), "Optimal versus naive diversification",
    Review of Financial Studies 22(5).
    """
    lower, upper = _bounds(bounds)
    return backend().execute(
        RebalancePortfolioRequest.from_flat(
            prices_or_returns=prices_or_returns,
            method=method,
            window=window,
            rebalance_every=rebalance_every,
            input_type=input_type,
            long_only=long_only,
            lower_bounds=lower,
            upper_bounds=upper,
            leverage=leverage,
            current_weights=current_weights,
            turnover_limit=turnover_limit,
            turnover_penalty=turnover_penalty,
            transaction_costs=transaction_costs,
            target_return=target_return,
            risk_aversion=risk_aversion,
            risk_free_rate=risk_free_rate,
            risk_budgets=risk_budgets,
            covariance=covariance,
            half_life=half_life,
            periods_per_year=periods_per_year,
            time_limit=time_limit,
        )
    )


@operation(SparsePortfolioRequest, split={"target": ("target", "target_column")})
def sparse_portfolio(
    prices: FrameLike,
    method: str = "box_tiao_greedy",
    *,
    k: int | None = None,
    alpha: float | None = None,
    l1_ratio: float = 0.5,
    target: str | pd.Series | Sequence[float] | None = None,
    regress_on: str = "prices",
    long_only: bool = False,
    n_components: int = 1,
    time_limit: float = 60.0,
) -> SparsePortfolioResult:
    """A sparse portfolio: tracking basket, sparse PCA, or sparse mean-reverting portfolio.

    Parameters
    ----------
    prices : DataFrame or 2-D array
        Price levels, one column per asset (at least 50 rows, none constant).
    method : {"box_tiao_greedy", "box_tiao_sdp", "lasso", "elastic_net", "sparse_pca"}
        ``box_tiao_*``: the least predictable (most mean-reverting) portfolio of at most
        ``k`` assets (d'Aspremont 2011), by greedy search or by the SDP relaxation
        (at most 40 assets); ``lasso``/``elastic_net``: regress ``target`` on the
        assets; ``sparse_pca``: sparse leading principal component of the returns.
    k : int, optional
        Cardinality (default 5, or fewer assets). Lasso, elastic net and sparse PCA
        take ``k`` or ``alpha``, not both.
    alpha : float, optional
        Lasso / elastic net: the penalty on standardised regressors (instead of ``k``);
        sparse PCA: soft threshold as a fraction of the largest loading, in (0, 1);
        box_tiao_sdp: weight of ``||Y||_1`` in the relaxation (default 0.01).
    l1_ratio : float
        Elastic-net mix of L1 and L2 penalties, in (0, 1].
    target : str, Series or sequence, optional
        Lasso / elastic net: a column of ``prices`` (sparse cointegrating combination) or
        a series aligned with ``prices`` (sparse index tracking).
    regress_on : {"prices", "returns"}
        Regress levels (cointegration) or simple returns (tracking).
    long_only : bool
        Non-negative regression coefficients (lasso / elastic net).
    n_components : int
        Sparse PCA components (after deflation) to return in ``path``.
    time_limit : float
        Seconds the SDP solver may run.

    Returns
    -------
    SparsePortfolioResult
        ``weights``, ``n_selected``, ``selected``, ``objective`` (predictability,
        elastic-net loss or explained variance), ``half_life`` and ``hurst`` of the
        portfolio's value, the ``portfolio`` series and the greedy / component ``path``.

    References
    ----------
    d'Aspremont (2011), "Identifying small mean-reverting portfolios", Quantitative
    Finance 11(3). Box & Tiao (1977), "A canonical analysis of multiple time series",
    Biometrika 64(2). Shen & Huang (2008), "Sparse principal component analysis via
    regularized low rank matrix approximation". Zou & Hastie (2005), "Regularization
    and variable selection via the elastic net".
    """
    target_column = target if isinstance(target, str) else None
    series = None if isinstance(target, str) else target
    return backend().execute(
        SparsePortfolioRequest(
            prices,
            method=method,
            k=k,
            alpha=alpha,
            l1_ratio=l1_ratio,
            target=series,
            target_column=target_column,
            regress_on=regress_on,
            long_only=long_only,
            n_components=n_components,
            time_limit=time_limit,
        )
    )


@operation(BoxTaoRequest)
def box_tao(
    matrix_or_prices: FrameLike,
    lam: float | None = None,
    mu: float | None = None,
    *,
    input_type: str = "matrix",
    noise_std: float = 0.0,
    rho: float = 1.5,
    tol: float = 1e-7,
    max_iter: int = 1000,
    svd: str = "exact",
    seed: int = 0,
) -> BoxTaoResult:
    """Low-rank + sparse decomposition (principal component pursuit, "Box-Tao").

    Parameters
    ----------
    matrix_or_prices : DataFrame or 2-D array
        The matrix (rows = observations), or prices whose simple returns are split
        (``input_type="prices"``).
    lam : float, optional
        Weight of ``||S||_1``; default ``1 / sqrt(max(m, n))`` (Candès et al. 2011).
    mu : float, optional
        Initial augmented-Lagrangian penalty; default ``1.25 / ||M||_2``.
    input_type : {"matrix", "prices"}
    noise_std : float
        Entry-wise noise level for stable PCP (0: exact ``M = L + S``).
    rho : float
        Growth factor of ``mu`` per iteration (> 1).
    tol : float
        Stop when ``||M - L - S - N||_F / ||M||_F < tol``.
    max_iter : int
    svd : {"exact", "randomized"}
        Full SVD, or randomized SVD on a predicted rank (large matrices).
    seed : int
        Seed of the randomized SVD.

    Returns
    -------
    BoxTaoResult
        ``low_rank``, ``sparse`` and ``noise`` (same shape, index and columns as the
        input), ``rank``, ``sparsity``, ``iterations``, ``converged`` and the
        ``residual_history``; ``.plot(column)``.

    References
    ----------
    Candès, Li, Ma & Wright (2011), "Robust principal component analysis?", J. ACM
    58(3). Lin, Chen & Ma (2010), "The augmented Lagrange multiplier method for exact
    recovery of corrupted low-rank matrices". Zhou, Li, Wright, Candès & Ma (2010),
    "Stable principal component pursuit".
    """
    return backend().execute(
        BoxTaoRequest(
            matrix_or_prices,
            lam=lam,
            mu=mu,
            input_type=input_type,
            noise_std=noise_std,
            rho=rho,
            tol=tol,
            max_iter=max_iter,
            svd=svd,
            seed=seed,
        )
    )

"""Sparse portfolios: tracking / cointegrating baskets, sparse PCA, sparse mean reversion.

- ``lasso`` / ``elastic_net``: regress a target (an index to track, or one asset's
  price for a sparse cointegrating combination) on the assets with an L1 (+ L2)
  penalty (Tibshirani 1996; Zou & Hastie 2005; scikit-learn coordinate descent) on
  standardised regressors. A cardinality ``k`` picks the penalty on the regularisation
  path; the "portfolio" is the residual spread (levels) or the cumulated tracking
  difference (returns).
- ``sparse_pca``: the leading sparse principal component of the returns by the
  soft-thresholded power iterations of Shen & Huang (2008), "Sparse principal
  component analysis via regularized low rank matrix approximation", J. Multivariate
  Analysis 99; further components after projection deflation (Mackey 2009).
- ``box_tiao_greedy`` / ``box_tiao_sdp``: d'Aspremont (2011), "Identifying small
  mean-reverting portfolios", Quantitative Finance 11(3). Fit a VAR(1)
  ``S_t = S_{t-1} A + Z_t`` to the centred price levels; the Box-Tiao (1977)
  predictability of a portfolio ``x`` is ``x'A'Gamma A x / x'Gamma x`` (Gamma the
  covariance of the levels); small means mean-reverting. Greedy search adds, one at a
  time, the asset that lowers the smallest generalised eigenvalue most; the SDP
  relaxation minimises ``Tr(A'Gamma A Y) + alpha ||Y||_1`` over ``Y >= 0``,
  ``Tr(Gamma Y) = 1`` (cvxpy), keeps the ``k`` largest loadings of its leading
  eigenvector and solves the Box-Tiao problem on that support.

Every result carries the AR(1) half-life (:func:`hftlab.algo.zscore.ar1_half_life`) and
the corrected R/S Hurst exponent (:func:`hftlab.algo.stationarity.hurst_rs`) of the
portfolio's value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg

from hftlab import cancel
from hftlab.algo.stationarity import hurst_rs
from hftlab.algo.zscore import ar1_half_life
from hftlab.errors import InvalidInput
from hftlab.results import Result
from hftlab.threads import limit_threads

METHODS = ("lasso", "elastic_net", "sparse_pca", "box_tiao_greedy", "box_tiao_sdp")
SDP_MAX_ASSETS = 40
SDP_DEFAULT_ALPHA = 0.01


@dataclass(frozen=True)
class SparsePortfolioResult(Result):
    """A sparse portfolio, its objective and how its value mean-reverts.

    Attributes
    ----------
    weights : pd.Series
        Weight of each asset, zero outside the support. Box-Tiao and sparse PCA:
        unit L1 norm, the largest weight positive; lasso/elastic net: regression
        coefficients (units of each asset per unit of the target).
    n_selected : int
    selected : list of str
        The support, in order of entry for the greedy search.
    objective : float
        What the method optimises, at the solution (see ``objective_name``):
        Box-Tiao predictability (lower = more mean-reverting), the elastic-net loss,
        or the share of variance the sparse component explains.
    objective_name : str
    half_life, hurst : float
        AR(1) half-life (bars; inf if not mean-reverting) and R/S Hurst exponent of
        ``portfolio``.
    portfolio : pd.Series
        Value of the combination over time (the residual spread for lasso/elastic net).
    path : pd.DataFrame or None
        Greedy Box-Tiao: the weights at each cardinality (columns ``k=1``...); sparse
        PCA: one column per component; otherwise None.
    path_objective : list of float
        The objective of each column of ``path``.
    method : str
    """

    weights: pd.Series
    n_selected: int
    selected: list[str]
    objective: float
    objective_name: str
    half_life: float
    hurst: float
    portfolio: pd.Series
    path: pd.DataFrame | None
    path_objective: list[float]
    method: str

    def plot(self):
        """Value of the sparse portfolio over time, and its weights."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        fig = make_subplots(
            rows=1, cols=2, column_widths=[0.7, 0.3], subplot_titles=("portfolio value", "weights")
        )
        fig.add_trace(go.Scatter(x=self.portfolio.index, y=self.portfolio, name="portfolio"), row=1, col=1)
        chosen = self.weights[self.weights != 0]
        fig.add_trace(go.Bar(x=chosen.index, y=chosen, name="weights"), row=1, col=2)
        fig.update_layout(
            height=380,
            showlegend=False,
            title=f"{self.method}: {self.n_selected} assets, half-life {self.half_life:.3g}, "
            f"Hurst {self.hurst:.3g}",
        )
        return fig


# ---------------------------------------------------------------- Box-Tiao


def box_tiao_matrices(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(A'Gamma A, Gamma)`` of the VAR(1) least-squares fit of centred, standardised levels."""
    centred = levels - levels.mean(axis=0)
    scaled = centred / centred.std(axis=0)
    coefficients, *_ = np.linalg.lstsq(scaled[:-1], scaled[1:], rcond=None)
    gamma = scaled.T @ scaled / len(scaled)
    predicted = coefficients.T @ gamma @ coefficients
    return (predicted + predicted.T) / 2, gamma


def _smallest(predicted, gamma, support) -> tuple[float, np.ndarray]:
    """Smallest generalised eigenvalue of the pencil restricted to ``support``, and its vector."""
    index = np.ix_(support, support)
    values, vectors = scipy.linalg.eigh(predicted[index], gamma[index], subset_by_index=[0, 0])
    return float(values[0]), vectors[:, 0]


def _embed(n: int, support: list[int], vector: np.ndarray) -> np.ndarray:
    """A full weight vector: unit L1 norm, largest absolute weight positive."""
    weights = np.zeros(n)
    weights[support] = vector / np.sum(np.abs(vector))
    return weights * np.sign(weights[np.argmax(np.abs(weights))])


def greedy_box_tiao(predicted, gamma, k: int) -> tuple[list[list[int]], list[float], list[np.ndarray]]:
    """Supports, predictabilities and (scaled-space) weights for cardinalities 1..k."""
    n = len(predicted)
    support = [int(np.argmin(np.diag(predicted) / np.diag(gamma)))]
    supports, values, vectors = [], [], []
    while True:
        cancel.check()
        value, vector = _smallest(predicted, gamma, support)
        supports.append(list(support))
        values.append(value)
        vectors.append(_embed(n, support, vector))
        if len(support) == k:
            return supports, values, vectors
        candidates = [j for j in range(n) if j not in support]
        scores = [_smallest(predicted, gamma, [*support, j])[0] for j in candidates]
        support.append(candidates[int(np.argmin(scores))])


def sdp_box_tiao(
    predicted, gamma, k: int, alpha: float, time_limit: float
) -> tuple[list[int], float, np.ndarray]:
    """d'Aspremont's semidefinite relaxation, then Box-Tiao on the ``k`` largest loadings."""
    import cvxpy as cp

    n = len(predicted)
    y = cp.Variable((n, n), PSD=True)
    problem = cp.Problem(
        cp.Minimize(cp.trace(predicted @ y) + alpha * cp.sum(cp.abs(y))), [cp.trace(gamma @ y) == 1]
    )
    problem.solve(solver=cp.CLARABEL, time_limit=time_limit)
    if problem.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
        raise InvalidInput(
            f"'method' box_tiao_sdp: the relaxation was not solved ({problem.status}); "
            "use box_tiao_greedy or a larger time_limit."
        )
    leading = np.linalg.eigh((y.value + y.value.T) / 2)[1][:, -1]
    support = sorted(int(i) for i in np.argsort(-np.abs(leading), kind="stable")[:k])
    value, vector = _smallest(predicted, gamma, support)
    return support, value, _embed(n, support, vector)


# ---------------------------------------------------------------- sparse PCA


def sparse_components(
    returns: np.ndarray,
    k: int | None,
    alpha: float | None,
    n_components: int,
    max_iter: int = 500,
    tol: float = 1e-10,
) -> tuple[np.ndarray, list[float]]:
    """Shen-Huang rank-one sparse loadings (columns), each after deflating the previous ones.

    The threshold is ``alpha * max|X'u|`` when ``alpha`` is given, else the ``(k+1)``-th
    largest ``|X'u|`` so that ``k`` loadings survive. Returns unit-norm loadings and the
    share of the total variance each explains.
    """
    x = returns - returns.mean(axis=0)
    total = float(np.sum(x * x))
    loadings, shares = [], []
    for _ in range(n_components):
        u = np.linalg.svd(x, full_matrices=False)[0][:, 0]
        v = np.zeros(x.shape[1])
        for _ in range(max_iter):
            cancel.check()
            projection = x.T @ u
            magnitude = np.abs(projection)
            if alpha is not None:
                threshold = alpha * magnitude.max()
            else:
                threshold = np.sort(magnitude)[::-1][k] if k < len(magnitude) else 0.0
            shrunk = np.sign(projection) * np.maximum(magnitude - threshold, 0.0)
            if not shrunk.any():
                break
            new_v = shrunk / np.linalg.norm(shrunk)
            scores = x @ new_v
            u = scores / np.linalg.norm(scores)
            if np.linalg.norm(new_v - v) < tol:
                v = new_v
                break
            v = new_v
        v = v * np.sign(v[np.argmax(np.abs(v))]) if v.any() else v
        loadings.append(v)
        shares.append(float(np.sum((x @ v) ** 2)) / total)
        x = x - np.outer(x @ v, v)
    return np.column_stack(loadings), shares


# ---------------------------------------------------------------- lasso


def _elastic_net(y: np.ndarray, x: np.ndarray, k, alpha, l1_ratio: float, long_only: bool):
    """Coefficients (original scale), intercept, and the loss of the standardised problem."""
    from sklearn.linear_model import ElasticNet, enet_path

    mean_x, std_x = x.mean(axis=0), x.std(axis=0)
    z, target = (x - mean_x) / std_x, y - y.mean()
    if alpha is None:  # the least penalty on the path that keeps at most k assets
        alphas, coefs, _ = enet_path(
            z, target, l1_ratio=l1_ratio, alphas=200, eps=1e-4, positive=long_only, max_iter=100_000, tol=1e-10
        )
        chosen = np.flatnonzero(np.count_nonzero(coefs, axis=0) <= k)[-1]
        alpha, beta = float(alphas[chosen]), coefs[:, chosen]
    else:
        beta = (
            ElasticNet(
                alpha=alpha,
                l1_ratio=l1_ratio,
                fit_intercept=False,
                positive=long_only,
                max_iter=100_000,
                tol=1e-10,
            )
            .fit(z, target)
            .coef_
        )
    residual = target - z @ beta
    loss = (
        residual @ residual / (2 * len(y))
        + alpha * l1_ratio * np.sum(np.abs(beta))
        + alpha * (1 - l1_ratio) / 2 * beta @ beta
    )
    coefficients = beta / std_x
    return coefficients, float(y.mean() - mean_x @ coefficients), float(loss)


# ---------------------------------------------------------------- entry point


def sparse_portfolio(
    prices: pd.DataFrame,
    method: str = "box_tiao_greedy",
    k: int | None = None,
    alpha: float | None = None,
    l1_ratio: float = 0.5,
    target: pd.Series | None = None,
    target_column: str | None = None,
    regress_on: str = "prices",
    long_only: bool = False,
    n_components: int = 1,
    time_limit: float = 60.0,
) -> SparsePortfolioResult:
    """A sparse portfolio of ``method`` (see the module docstring).

    Inputs are validated request fields (:class:`hftlab.types.portfolio.SparsePortfolioRequest`).
    """
    symbols = list(prices.columns)
    levels = prices.to_numpy(dtype=np.float64)
    path, path_objective = None, []
    with limit_threads(1):  # small dense problems: BLAS threads only add contention
        if method in ("lasso", "elastic_net"):
            regressors = [s for s in symbols if s != target_column]
            y = prices[target_column] if target_column is not None else target
            x = prices[regressors]
            if regress_on == "returns":
                y, x = y.pct_change().iloc[1:], x.pct_change().iloc[1:]
            l1 = 1.0 if method == "lasso" else l1_ratio
            beta, intercept, objective = _elastic_net(y.to_numpy(), x.to_numpy(), k, alpha, l1, long_only)
            weights = pd.Series(beta, index=regressors).reindex(symbols, fill_value=0.0).to_numpy()
            residual = y.to_numpy() - intercept - x.to_numpy() @ beta
            value = residual if regress_on == "prices" else np.cumsum(residual)
            portfolio = pd.Series(value, index=y.index, name="spread")
            objective_name = "elastic_net_loss"
        else:
            if method == "sparse_pca":
                returns = levels[1:] / levels[:-1] - 1.0
                loadings, path_objective = sparse_components(returns, k, alpha, n_components)
                weights = loadings[:, 0] / np.sum(np.abs(loadings[:, 0]))
                objective, objective_name = path_objective[0], "explained_variance_ratio"
                names = [f"pc{i + 1}" for i in range(n_components)]
                path = pd.DataFrame(loadings, index=symbols, columns=names)
            else:
                predicted, gamma = box_tiao_matrices(levels)
                scale = levels.std(axis=0)
                if method == "box_tiao_greedy":
                    supports, path_objective, vectors = greedy_box_tiao(predicted, gamma, k)
                    unscaled = [
                        _embed(len(symbols), s, (v / scale)[s]) for s, v in zip(supports, vectors, strict=True)
                    ]
                    weights, objective = unscaled[-1], path_objective[-1]
                    path = pd.DataFrame(
                        np.column_stack(unscaled),
                        index=symbols,
                        columns=[f"k={i + 1}" for i in range(len(unscaled))],
                    )
                else:
                    penalty = SDP_DEFAULT_ALPHA if alpha is None else alpha
                    support, objective, vector = sdp_box_tiao(predicted, gamma, k, penalty, time_limit)
                    weights = _embed(len(symbols), support, (vector / scale)[support])
                objective_name = "predictability"
            value = levels @ weights
            portfolio = pd.Series(value, index=prices.index, name="portfolio")
        hurst = hurst_rs(portfolio.to_numpy())
    order = [symbols[i] for i in np.flatnonzero(weights)]
    if method == "box_tiao_greedy":
        order = [symbols[i] for i in supports[-1]]
    return SparsePortfolioResult(
        weights=pd.Series(weights, index=symbols, name="weight"),
        n_selected=len(order),
        selected=order,
        objective=float(objective),
        objective_name=objective_name,
        half_life=ar1_half_life(portfolio),
        hurst=float(hurst),
        portfolio=portfolio,
        path=path,
        path_objective=[float(v) for v in path_objective],
        method=method,
    )

"""Low-rank + sparse decomposition ("Box-Tao"): principal component pursuit.

Candès, Li, Ma & Wright (2011), "Robust principal component analysis?", J. ACM 58(3):
a matrix ``M = L + S`` with ``L`` low rank and ``S`` sparse is recovered exactly by
``min ||L||_* + lam ||S||_1  s.t.  L + S = M`` with ``lam = 1 / sqrt(max(m, n))``.
Solved by the inexact augmented Lagrange multiplier method of Lin, Chen & Ma (2010),
"The augmented Lagrange multiplier method for exact recovery of corrupted low-rank
matrices", arXiv:1009.5055 (Algorithm 5): singular-value thresholding for ``L``,
soft thresholding for ``S``, a dual ascent on ``Y`` and a penalty ``mu`` growing by
``rho`` per iteration.

Stable variant (``noise_std > 0``): Zhou, Li, Wright, Candès & Ma (2010), "Stable
principal component pursuit", ISIT: ``M = L + S + N`` with ``||N||_F <= delta``,
``delta = noise_std * sqrt(m n + sqrt(8 m n))``; ``N`` is updated by projecting onto
that ball. ``svd="randomized"`` replaces the full SVD with Halko, Martinsson & Tropp
(2011) randomized SVD (scikit-learn) on a predicted rank that grows as needed.

Rows are observations and columns variables, as in the input: every matrix keeps
the input's C (row-major) layout, index and columns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hftlab import cancel
from hftlab.results import Result
from hftlab.threads import limit_threads


@dataclass(frozen=True)
class BoxTaoResult(Result):
    """``M = low_rank + sparse + noise`` (same shape, index and columns as the input).

    Attributes
    ----------
    low_rank, sparse, noise : pd.DataFrame
        The low-rank part, the sparse corruptions, and the rest ``M - L - S``
        (round-off for exact PCP; the bounded noise for the stable variant).
    rank : int
        Rank of ``low_rank``.
    sparsity : float
        Fraction of nonzero entries of ``sparse``.
    iterations : int
    converged : bool
        Whether ``||M - L - S - N||_F / ||M||_F`` fell below ``tol``.
    residual_history : ndarray
        That relative residual after each iteration.
    lam, mu : float
        The ``lam`` and initial ``mu`` used.
    """

    low_rank: pd.DataFrame
    sparse: pd.DataFrame
    noise: pd.DataFrame
    rank: int
    sparsity: float
    iterations: int
    converged: bool
    residual_history: np.ndarray
    lam: float
    mu: float

    def plot(self, column: str | None = None):
        """One column: the input, its low-rank part and its sparse part (first column by default)."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        column = self.low_rank.columns[0] if column is None else column
        low, sparse, noise = self.low_rank[column], self.sparse[column], self.noise[column]
        fig = make_subplots(
            rows=2,
            cols=1,
            shared_xaxes=True,
            vertical_spacing=0.06,
            subplot_titles=(f"{column}: input and low-rank part", "sparse part"),
        )
        fig.add_trace(
            go.Scatter(x=low.index, y=low + sparse + noise, name="input", line={"color": "lightgrey"}),
            row=1,
            col=1,
        )
        fig.add_trace(go.Scatter(x=low.index, y=low, name="low rank"), row=1, col=1)
        fig.add_trace(go.Bar(x=sparse.index, y=sparse, name="sparse"), row=2, col=1)
        fig.update_layout(height=550, title=f"Box-Tao decomposition (rank {self.rank})")
        return fig


def _shrink(values: np.ndarray, threshold: float) -> np.ndarray:
    """Soft thresholding ``sign(x) max(|x| - t, 0)`` (the prox of ``t ||.||_1``)."""
    return np.sign(values) * np.maximum(np.abs(values) - threshold, 0.0)


class _Thresholder:
    """Singular-value thresholding ``U max(s - t, 0) V'`` by full or randomized SVD."""

    def __init__(self, shape: tuple[int, int], method: str, seed: int) -> None:
        self.method, self.seed = method, seed
        self.min_dim = min(shape)
        self.predicted = min(10, self.min_dim)
        self.step = max(1, round(0.05 * self.min_dim))

    def _svd(self, matrix: np.ndarray):
        if self.method == "exact" or self.predicted >= self.min_dim // 2:
            return np.linalg.svd(matrix, full_matrices=False)
        from sklearn.utils.extmath import randomized_svd

        return randomized_svd(matrix, self.predicted, n_oversamples=10, n_iter=4, random_state=self.seed)

    def __call__(self, matrix: np.ndarray, threshold: float) -> tuple[np.ndarray, int]:
        u, s, vt = self._svd(matrix)
        rank = int(np.sum(s > threshold))
        if self.method == "randomized":  # Lin et al.'s rank prediction
            grow = rank >= self.predicted
            self.predicted = min(rank + self.step if grow else rank + 1, self.min_dim)
        shrunk = s[:rank] - threshold
        return np.ascontiguousarray((u[:, :rank] * shrunk) @ vt[:rank]), rank


def _pcp(m, lam, mu, rho, delta, tol, max_iter, thresholder):
    """Inexact ALM iterations; returns L, S, rank, converged and the residual history."""
    norm_fro = float(np.linalg.norm(m))
    norm_two = float(np.linalg.norm(m, 2))
    mu_max = mu * 1e7
    y = m / max(norm_two, float(np.max(np.abs(m))) / lam)
    low, sparse, noise = np.zeros_like(m), np.zeros_like(m), np.zeros_like(m)
    history, rank = [], 0
    for _ in range(max_iter):
        cancel.check()
        low, rank = thresholder(m - sparse - noise + y / mu, 1.0 / mu)
        sparse = _shrink(m - low - noise + y / mu, lam / mu)
        if delta > 0:
            candidate = m - low - sparse + y / mu
            size = float(np.linalg.norm(candidate))
            noise = candidate if size <= delta else candidate * (delta / size)
        gap = m - low - sparse - noise
        y = y + mu * gap
        mu = min(mu * rho, mu_max)
        history.append(float(np.linalg.norm(gap)) / norm_fro)
        if history[-1] < tol:
            return low, sparse, rank, True, history
    return low, sparse, rank, False, history


def box_tao(
    matrix_or_prices: pd.DataFrame,
    lam: float | None = None,
    mu: float | None = None,
    input_type: str = "matrix",
    noise_std: float = 0.0,
    rho: float = 1.5,
    tol: float = 1e-7,
    max_iter: int = 1000,
    svd: str = "exact",
    seed: int = 0,
) -> BoxTaoResult:
    """Split a matrix (or the simple returns of prices) into low-rank + sparse (+ noise) parts.

    Inputs are validated request fields (:class:`hftlab.types.portfolio.BoxTaoRequest`).
    """
    frame = matrix_or_prices
    if input_type == "prices":
        frame = (frame / frame.shift(1) - 1.0).iloc[1:]
    m = np.ascontiguousarray(frame.to_numpy(dtype=np.float64))
    rows, cols = m.shape
    lam = 1.0 / math.sqrt(max(rows, cols)) if lam is None else lam
    with limit_threads(1):  # many small SVDs: BLAS threads only add contention
        mu = 1.25 / float(np.linalg.norm(m, 2)) if mu is None else mu
        delta = noise_std * math.sqrt(rows * cols + math.sqrt(8 * rows * cols))
        thresholder = _Thresholder(m.shape, svd, seed)
        low, sparse, rank, converged, history = _pcp(m, lam, mu, rho, delta, tol, max_iter, thresholder)

    def like_input(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, index=frame.index, columns=frame.columns)

    return BoxTaoResult(
        low_rank=like_input(low),
        sparse=like_input(sparse),
        noise=like_input(m - low - sparse),
        rank=rank,
        sparsity=float(np.count_nonzero(sparse)) / sparse.size,
        iterations=len(history),
        converged=converged,
        residual_history=np.asarray(history, dtype=np.float64),
        lam=float(lam),
        mu=float(mu),
    )

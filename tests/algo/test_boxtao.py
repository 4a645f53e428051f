"""Box-Tao (principal component pursuit) recovers planted low-rank + sparse structure."""

import numpy as np
import pandas as pd
import pytest

from hftlab.algo.boxtao import box_tao


def planted(m=200, n=100, rank=3, density=0.05, seed=0):
    """Candès et al. (2011, sec. 4.1): L = X Y' with N(0, 1/n) factors, S with +-1 entries."""
    rng = np.random.default_rng(seed)
    low = rng.normal(size=(m, rank)) @ rng.normal(size=(rank, n)) / np.sqrt(n)
    sparse = np.zeros((m, n))
    mask = rng.random((m, n)) < density
    sparse[mask] = rng.choice([-1.0, 1.0], size=mask.sum())
    frame = pd.DataFrame(
        low + sparse, index=pd.bdate_range("2021-01-01", periods=m), columns=[f"c{j}" for j in range(n)]
    )
    return frame, low, sparse


def relative_error(estimate, truth):
    return np.linalg.norm(estimate - truth) / np.linalg.norm(truth)


@pytest.mark.parametrize("svd", ["exact", "randomized"])
def test_recovers_a_planted_rank_3_plus_5_percent_sparse_matrix(svd):
    frame, low, sparse = planted()
    result = box_tao(frame, svd=svd)
    assert result.converged and result.rank == 3
    assert relative_error(result.low_rank.to_numpy(), low) < 1e-5
    assert relative_error(result.sparse.to_numpy(), sparse) < 1e-5
    assert result.lam == pytest.approx(1 / np.sqrt(200))
    assert np.all(np.diff(result.residual_history[-5:]) < 0)


def test_keeps_the_input_layout():
    frame, _, sparse = planted(m=60, n=150, density=0.03, seed=4)  # wide: more columns than rows
    result = box_tao(frame)
    for part in (result.low_rank, result.sparse, result.noise):
        assert part.shape == frame.shape
        assert part.index.equals(frame.index) and part.columns.equals(frame.columns)
    # the corruptions are found where they were planted, not transposed or reshuffled
    found = np.abs(result.sparse.to_numpy()) > 0.5
    assert np.array_equal(found, sparse != 0)
    np.testing.assert_allclose(result.low_rank + result.sparse + result.noise, frame, atol=1e-12)


def test_stable_variant_absorbs_dense_noise():
    frame, low, _ = planted(seed=2)
    noisy = frame + np.random.default_rng(3).normal(scale=0.01, size=frame.shape)
    exact = box_tao(noisy)
    stable = box_tao(noisy, noise_std=0.01)
    assert stable.converged and stable.rank == 3 < exact.rank  # exact PCP must fit the noise somewhere
    assert relative_error(stable.low_rank.to_numpy(), low) < 0.05
    assert stable.sparsity < exact.sparsity / 3
    assert np.linalg.norm(stable.noise.to_numpy()) <= 0.01 * np.sqrt(200 * 100 + np.sqrt(8 * 200 * 100)) + 1e-9


def test_iteration_limit_reports_not_converged():
    frame, _, _ = planted(seed=5)
    result = box_tao(frame, max_iter=3)
    assert not result.converged and result.iterations == 3 and len(result.residual_history) == 3


def test_prices_are_decomposed_as_returns():
    rng = np.random.default_rng(8)
    prices = pd.DataFrame(
        100 * np.exp(np.cumsum(rng.normal(scale=0.01, size=(80, 6)), axis=0)), columns=list("ABCDEF")
    )
    result = box_tao(prices, input_type="prices")
    returns = prices.pct_change().iloc[1:]
    assert result.low_rank.index.equals(returns.index)
    np.testing.assert_allclose(result.low_rank + result.sparse + result.noise, returns, atol=1e-12)

"""Returns, expected returns and covariance estimators for portfolio construction.

- ``sample``: the unbiased sample covariance (``ddof=1``).
- ``ledoit_wolf``: shrinkage towards a scaled identity with the optimal intensity of
  Ledoit & Wolf (2004), "A well-conditioned estimator for large-dimensional covariance
  matrices", J. Multivariate Analysis 88(2) (scikit-learn's ``LedoitWolf``).
- ``ewma``: exponentially weighted moments with a half-life in bars (RiskMetrics 1996):
  weight ``0.5 ** ((T - 1 - t) / half_life)`` on observation ``t``, weighted mean removed,
  normalised by the sum of weights.

Every estimate is annualised by ``periods_per_year``. :func:`rolling_estimates` gives the
estimates of a sliding window; the sample covariance there is updated by the rows that
enter and leave the window (cross-products of returns shifted by the mean of the window
last computed afresh, recomputed once the window has moved past it: Welford-style
shifting keeps the update's cancellation at the size of the centred moments; Chan, Golub
& LeVeque 1983, "Algorithms for computing the sample variance", Am. Stat. 37(3)).
:func:`check_covariance` rejects a
matrix that is not symmetric, not positive semi-definite, or singular (for instance two
collinear assets, or fewer observations than assets), naming the assets involved.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from hftlab.errors import InvalidInput

COVARIANCE_METHODS = ("sample", "ledoit_wolf", "ewma")
SINGULAR_RCOND = 1e-12
"""Smallest accepted ratio of the smallest to the largest eigenvalue."""


def to_returns(prices_or_returns: pd.DataFrame, input_type: str) -> pd.DataFrame:
    """Simple returns ``p[t] / p[t-1] - 1`` of prices (first row dropped), or the returns as given."""
    if input_type == "returns":
        return prices_or_returns
    return (prices_or_returns / prices_or_returns.shift(1) - 1.0).iloc[1:]


def ewma_weights(n_obs: int, half_life: float) -> np.ndarray:
    """Normalised weights ``0.5 ** (age / half_life)``, the newest observation last."""
    age = np.arange(n_obs - 1, -1, -1, dtype=np.float64)
    weights = 0.5 ** (age / half_life)
    return weights / weights.sum()


def sample_covariance(returns: np.ndarray) -> np.ndarray:
    """Unbiased sample covariance of the columns of ``returns`` (rows = observations)."""
    return np.atleast_2d(np.cov(returns, rowvar=False, ddof=1))


def ledoit_wolf_covariance(returns: np.ndarray) -> np.ndarray:
    """Ledoit-Wolf (2004) shrunk covariance (scikit-learn, maximum-likelihood scaling)."""
    from sklearn.covariance import LedoitWolf

    return LedoitWolf().fit(returns).covariance_


def ewma_covariance(returns: np.ndarray, half_life: float) -> np.ndarray:
    """Exponentially weighted covariance around the exponentially weighted mean."""
    weights = ewma_weights(len(returns), half_life)
    centred = returns - weights @ returns
    return (centred * weights[:, None]).T @ centred


def expected_returns(returns: pd.DataFrame | np.ndarray, periods_per_year: float) -> np.ndarray:
    """Annualised arithmetic mean return of each column."""
    return np.asarray(returns).mean(axis=0) * periods_per_year


def estimate_covariance(
    returns: pd.DataFrame | np.ndarray,
    method: str = "sample",
    half_life: float = 60.0,
    periods_per_year: float = 252.0,
) -> np.ndarray:
    """Annualised covariance of ``returns`` by ``method`` (see the module docstring)."""
    values = np.asarray(returns)
    if method == "sample":
        covariance = sample_covariance(values)
    elif method == "ledoit_wolf":
        covariance = ledoit_wolf_covariance(values)
    elif method == "ewma":
        covariance = ewma_covariance(values, half_life)
    else:
        raise InvalidInput(f"'covariance' must be one of {COVARIANCE_METHODS}; got {method!r}.")
    covariance = covariance * periods_per_year
    return (covariance + covariance.T) / 2


def rolling_estimates(
    values: np.ndarray, ends: range, window: int, method: str, half_life: float, periods_per_year: float
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Annualised covariance (by ``method``) and mean returns of ``values[end - window : end]`` per end.

    ``ends`` increase. The sample covariance is updated from the previous window's
    cross-products (see the module docstring); the other estimators see each window afresh.
    """
    if method != "sample":
        for end in ends:
            history = values[end - window : end]
            yield (
                estimate_covariance(history, method, half_life, periods_per_year),
                expected_returns(history, periods_per_year),
            )
        return
    fresh = last = -window
    scale = periods_per_year / (window - 1)
    for end in ends:
        if end - fresh >= window:  # no row in common with the window last computed afresh
            shift = values[end - window : end].mean(axis=0)
            centred = values[end - window : end] - shift
            total, cross, fresh = centred.sum(axis=0), centred.T @ centred, end
        else:  # rows entering, then rows leaving (negated in ``signed``)
            moved = np.concatenate([values[last:end], values[last - window : end - window]]) - shift
            signed = moved.copy()
            signed[end - last :] *= -1.0
            total += signed.sum(axis=0)
            cross += signed.T @ moved
        last = end
        mean = total / window
        covariance = cross * scale - np.outer(mean, mean) * (window * scale)
        yield (covariance + covariance.T) / 2, (shift + mean) * periods_per_year


def check_covariance(covariance: np.ndarray, symbols: list[str], name: str) -> None:
    """Raise :class:`InvalidInput` unless ``covariance`` is symmetric positive definite.

    A singular matrix names the assets that load most on its null direction
    (the eigenvector of the smallest eigenvalue): they are (nearly) collinear.
    """
    if not np.all(np.isfinite(covariance)):
        raise InvalidInput(f"'{name}' gives a covariance matrix with NaN/inf entries.")
    scale = max(float(np.max(np.abs(covariance))), np.finfo(float).tiny)
    if np.max(np.abs(covariance - covariance.T)) > 1e-10 * scale:
        raise InvalidInput(f"'{name}' must be a symmetric matrix.")
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    smallest, largest = float(eigenvalues[0]), float(eigenvalues[-1])
    if smallest < -1e-10 * largest:
        raise InvalidInput(
            f"'{name}' must be positive semi-definite; its smallest eigenvalue is {smallest:.3g}."
        )
    if largest <= 0 or smallest <= SINGULAR_RCOND * largest:
        loadings = np.abs(eigenvectors[:, 0])
        involved = [symbols[i] for i in np.argsort(-loadings)[:3] if loadings[i] > 0.1]
        raise InvalidInput(
            f"'{name}' gives a singular covariance matrix (smallest/largest eigenvalue "
            f"{max(smallest, 0.0) / max(largest, np.finfo(float).tiny):.2g}): assets "
            f"{', '.join(repr(s) for s in involved)} are (nearly) collinear or constant; drop one, "
            "or use covariance='ledoit_wolf'."
        )

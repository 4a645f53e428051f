"""Prices without the network: shipped datasets, price files, seeded generators.

- :func:`sp500_prices` / :func:`sp500_index`: daily S&P 500 data that ships inside the
  skfolio wheel (20 stocks and the index, 1990-2022).
- :func:`load_prices`: a CSV or Parquet price file (date index, one column per instrument).
- :func:`ou_process`, :func:`cointegrated_pair`: synthetic series with planted structure
  from a seed (the exact discretisation of the Ornstein-Uhlenbeck process).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hftlab import validation as v
from hftlab.errors import InvalidInput


def sp500_prices(start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Adjusted daily closes of 20 S&P 500 stocks, 1990-2022 (skfolio's ``load_sp500_dataset``)."""
    from skfolio.datasets import load_sp500_dataset

    return load_sp500_dataset().loc[start:end].astype(np.float64)


def sp500_index(start: str | None = None, end: str | None = None) -> pd.Series:
    """Daily closes of the S&P 500 index, 1990-2022 (skfolio's ``load_sp500_index``)."""
    from skfolio.datasets import load_sp500_index

    return load_sp500_index()["SP500"].loc[start:end].astype(np.float64)


def load_prices(path: str | Path) -> pd.DataFrame:
    """Prices from a CSV (first column the dates) or Parquet file, one column per instrument."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"'path': no price file at {str(path)!r}.")
    if path.suffix.lower() in (".parquet", ".pq"):
        frame = pd.read_parquet(path)
    elif path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, index_col=0, parse_dates=True)
    else:
        raise InvalidInput(f"'path' must be a .csv or .parquet file; got {str(path)!r}.")
    frame.columns = [str(c) for c in frame.columns]
    return frame.sort_index()


def ou_process(
    n: int,
    kappa: float,
    theta: float = 0.0,
    sigma: float = 1.0,
    dt: float = 1.0,
    x0: float | None = None,
    seed: int = 0,
) -> pd.Series:
    """An Ornstein-Uhlenbeck path ``dX = kappa (theta - X) dt + sigma dW`` sampled every ``dt``.

    Exact discretisation: ``X[t+1] = theta + e^{-kappa dt} (X[t] - theta) + eps`` with
    ``Var eps = sigma^2 (1 - e^{-2 kappa dt}) / (2 kappa)`` (Uhlenbeck & Ornstein 1930).
    """
    n = v.check_int("n", n, low=2)
    kappa = v.check_float("kappa", kappa, low=0, low_open=True)
    sigma = v.check_float("sigma", sigma, low=0)
    dt = v.check_float("dt", dt, low=0, low_open=True)
    rng = np.random.default_rng(v.check_int("seed", seed, low=0))
    phi = np.exp(-kappa * dt)
    noise = rng.standard_normal(n) * sigma * np.sqrt((1 - phi**2) / (2 * kappa))
    x = np.empty(n)
    x[0] = theta if x0 is None else x0
    for t in range(1, n):
        x[t] = theta + phi * (x[t - 1] - theta) + noise[t]
    return pd.Series(x, index=pd.RangeIndex(n), name="ou")


def cointegrated_pair(
    n: int = 1000,
    beta: float = 1.5,
    half_life: float = 10.0,
    spread_sigma: float = 1.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Columns ``x`` (a random walk from 100) and ``y = beta x + OU spread`` with a planted half-life."""
    n = v.check_int("n", n, low=2)
    beta = v.check_float("beta", beta)
    half_life = v.check_float("half_life", half_life, low=0, low_open=True)
    rng = np.random.default_rng(v.check_int("seed", seed, low=0))
    x = 100 + np.cumsum(rng.standard_normal(n))
    spread = ou_process(n, np.log(2) / half_life, 0.0, spread_sigma, seed=seed + 1).to_numpy()
    index = pd.bdate_range("2020-01-01", periods=n)
    return pd.DataFrame({"x": x, "y": beta * x + spread}, index=index)

"""Warm re-solves vs a fresh cvxpy problem per rebalance (N = 50 assets, long-only).

A rolling rebalance solves the same problem shape again and again with new estimates.
For long-only minimum variance and maximum Sharpe this script times, per solve and
side by side on the same windows (interleaved, so machine load hits all alike):

- ``fresh cvxpy``: a new ``cp.Problem`` with constant data each call (``quad_form``),
  compiled and solved by OSQP with the same settings as ours;
- ``DPP cvxpy``: one parametrised program compiled once, parameters updated
  (``Rebalancer(solver="cvxpy")``);
- ``OSQP warm``: OSQP set up once, its data updated in place and warm-started
  (``Rebalancer(solver="osqp")``, what ``rebalance_portfolio`` uses).

It checks that the three give the same weights (to 1e-6) and prints the per-solve
times and the ratios against the fresh problem (target: >= 10x for OSQP warm).

    .venv/bin/python benchmarks/bench_portfolio.py [--assets 50] [--windows 60]
"""

from __future__ import annotations

import argparse
import time

import cvxpy as cp
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from hftlab.algo import covariance as cov
from hftlab.algo._osqp import SETTINGS
from hftlab.algo.constraints import PortfolioConstraints
from hftlab.algo.rebalance import Rebalancer


def factor_returns(n_obs: int, n_assets: int, seed: int = 0) -> pd.DataFrame:
    """Daily returns of a 3-factor model with positive drift (so max Sharpe is feasible)."""
    rng = np.random.default_rng(seed)
    loadings = rng.normal(1.0, 0.4, size=(n_assets, 3)) * np.array([0.01, 0.005, 0.003])
    factors = rng.normal(size=(n_obs, 3))
    idiosyncratic = rng.normal(size=(n_obs, n_assets)) * rng.uniform(0.005, 0.02, n_assets)
    drift = rng.uniform(0.0001, 0.0008, n_assets)
    return pd.DataFrame(
        drift + factors @ loadings.T + idiosyncratic, columns=[f"s{i:02d}" for i in range(n_assets)]
    )


def fresh_cvxpy(kind: str, sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Build, compile and solve a new long-only problem (what a naive loop does)."""
    n = len(mu)
    if kind == "min_variance":
        w = cp.Variable(n)
        cp.Problem(cp.Minimize(cp.quad_form(w, sigma)), [cp.sum(w) == 1, w >= 0]).solve(
            solver=cp.OSQP, **SETTINGS
        )
        return np.clip(w.value, 0, None)
    y, kappa = cp.Variable(n), cp.Variable()
    constraints = [mu @ y >= 1, cp.sum(y) == kappa, y >= 0, kappa >= 0]
    problem = cp.Problem(cp.Minimize(cp.quad_form(y, sigma)), constraints)
    problem.solve(solver=cp.OSQP, **SETTINGS)
    return np.clip(y.value / kappa.value, 0, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assets", type=int, default=50)
    parser.add_argument("--windows", type=int, default=60)
    parser.add_argument("--window", type=int, default=252)
    parser.add_argument("--step", type=int, default=5)
    args = parser.parse_args()
    returns = factor_returns(args.window + args.step * args.windows, args.assets)
    estimates = []
    for start in range(0, args.step * args.windows, args.step):
        window = returns.iloc[start : start + args.window]
        estimates.append((cov.estimate_covariance(window), cov.expected_returns(window, 252)))
    constraints = PortfolioConstraints.from_inputs(args.assets)
    print(f"N = {args.assets} assets, {args.windows} rolling windows of {args.window} bars, long-only\n")
    print(
        f"{'method':<14}{'fresh cvxpy ms':>16}{'DPP cvxpy ms':>14}{'OSQP warm ms':>14}"
        f"{'DPP ratio':>11}{'OSQP ratio':>12}{'max |dw|':>11}"
    )
    for kind in ("min_variance", "max_sharpe"):
        solvers = {
            "dpp": Rebalancer(kind, constraints, solver="cvxpy"),
            "osqp": Rebalancer(kind, constraints, solver="osqp"),
        }
        seconds = {"fresh": [], "dpp": [], "osqp": []}
        gap = 0.0
        for i, (sigma, mu) in enumerate(tqdm(estimates, desc=kind, leave=False)):
            started = time.perf_counter()
            reference = fresh_cvxpy(kind, sigma, mu)
            seconds["fresh"].append(time.perf_counter() - started)
            for name, rebalancer in solvers.items():
                started = time.perf_counter()
                solution = rebalancer.solve(sigma, mu)
                elapsed = time.perf_counter() - started
                if i > 0:  # the first solve builds (and compiles) the problem
                    seconds[name].append(elapsed)
                assert solution.status == "optimal", (kind, name, solution.status)
                gap = max(gap, float(np.max(np.abs(solution.weights - reference))))
        assert gap <= 1e-6, f"{kind}: weights differ by {gap:.2e} > 1e-6"
        fresh, dpp, osqp = (1e3 * float(np.median(seconds[k])) for k in ("fresh", "dpp", "osqp"))
        print(
            f"{kind:<14}{fresh:>16.3f}{dpp:>14.3f}{osqp:>14.3f}{fresh / dpp:>10.1f}x{fresh / osqp:>11.1f}x"
            f"{gap:>11.1e}"
        )
    print("\nmedian per-solve wall time; ratios = fresh / warm (target >= 10x for OSQP warm).")


if __name__ == "__main__":
    main()

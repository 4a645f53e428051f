"""Pair scan: hftlab's batched Engle-Granger vs a loop of ``statsmodels.tsa.stattools.coint``.

Both run in this process, side by side, on the same universe (default 100 random walks x
2,000 days = 4,950 pairs) with the same BLAS thread limit. The batched scan covers every
pair (and also computes half-lives, Hurst exponents and correlations); the statsmodels
loop is timed on a random sample of pairs and scaled to all pairs, which the output
states. The numbers of the sampled pairs are compared too.

    .venv/bin/python benchmarks/bench_pairs.py [--assets 100] [--days 2000] [--sample 200]
"""

from __future__ import annotations

import argparse
import time
from itertools import combinations

import numpy as np
import pandas as pd
from statsmodels.tsa.stattools import coint
from threadpoolctl import threadpool_limits
from tqdm import tqdm

import hftlab


def universe(assets: int, days: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    walks = 100 + np.cumsum(rng.standard_normal((days, assets)), axis=0)
    return pd.DataFrame(
        walks, columns=[f"S{i:03d}" for i in range(assets)], index=pd.bdate_range("2010-01-01", periods=days)
    )


def timed(call):
    wall, cpu = time.perf_counter(), time.process_time()
    value = call()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100)
    parser.add_argument("--days", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=200, help="statsmodels pairs timed (0: all)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads for both sides")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    prices = universe(args.assets, args.days, args.seed)
    pairs = list(combinations(prices.columns, 2))
    rng = np.random.default_rng(args.seed + 1)
    sample = (
        pairs
        if args.sample <= 0 or args.sample >= len(pairs)
        else [pairs[i] for i in sorted(rng.choice(len(pairs), args.sample, replace=False))]
    )

    with threadpool_limits(args.threads), hftlab.using("local"):
        scan, scan_wall, scan_cpu = timed(lambda: hftlab.scan_pairs(prices))

        def loop():
            return {(x, y): coint(prices[y], prices[x])[:2] for x, y in tqdm(sample, desc="statsmodels coint")}

        reference, loop_wall, loop_cpu = timed(loop)

    scale = len(pairs) / len(sample)
    table = scan.table.set_index(["asset_x", "asset_y"])
    stat_error = max(abs(table.loc[key, "eg_stat"] - stat) for key, (stat, _) in reference.items())
    pvalue_error = max(abs(table.loc[key, "pvalue"] - pvalue) for key, (_, pvalue) in reference.items())

    print(
        f"\nuniverse: {args.assets} assets x {args.days} days = {len(pairs)} pairs; "
        f"BLAS threads: {args.threads}"
    )
    estimated = (
        ""
        if scale == 1
        else (f"  (ESTIMATED: timed on {len(sample)} random pairs, scaled x{scale:.2f} to all {len(pairs)})")
    )
    rows = pd.DataFrame(
        {
            "wall_s": [scan_wall, loop_wall * scale],
            "cpu_s": [scan_cpu, loop_cpu * scale],
        },
        index=["hftlab.scan_pairs (all pairs, batched)", "statsmodels coint loop"],
    )
    print(rows.round(2).to_string())
    print(f"statsmodels loop{estimated}")
    print(
        f"speed-up: {loop_wall * scale / scan_wall:.0f}x wall, {loop_cpu * scale / scan_cpu:.0f}x CPU "
        f"(target >= 50x)"
    )
    print(
        f"largest difference on the {len(sample)} compared pairs: eg_stat {stat_error:.2e}, "
        f"pvalue {pvalue_error:.2e}"
    )


if __name__ == "__main__":
    main()

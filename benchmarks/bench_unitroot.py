"""Single-series unit-root and cointegration tests: hftlab's batched ADF kernel vs statsmodels.

On one 5,000-bar series (and a cointegrated pair of that length), with one BLAS thread for both
sides, interleaved rounds (machine load hits all alike), median per call:

- ``stationarity.adf`` vs ``statsmodels.tsa.stattools.adfuller`` (constant, lag by AIC, BIC, t-stat);
- ``hftlab.cointegration`` (Engle-Granger, the public call) vs ``statsmodels ... coint``;
- ``hftlab.mean_reversion`` with all fourteen metrics, and with two of them. Its time before the
  kernel cannot run in the same process; it is today's time minus our ADF plus statsmodels'
  ``adfuller`` (the one call it replaced: the rest is the same code), beside the issue's figure
  (~120 ms at 5k bars, issue 23).

Every compared pair of numbers is checked equal (largest differences printed).

    .venv/bin/python benchmarks/bench_unitroot.py [--bars 5000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd
from statsmodels.tsa.stattools import adfuller, coint
from threadpoolctl import threadpool_limits

import hftlab
from hftlab.algo import stationarity
from hftlab.data import cointegrated_pair, ou_process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    series = 100 + ou_process(args.bars, kappa=0.02, sigma=1.0, seed=1)
    values = series.to_numpy()
    pair = cointegrated_pair(args.bars, beta=1.5, half_life=20.0, seed=2)
    calls = {
        "adf AIC": lambda: stationarity.adf(values, autolag="AIC"),
        "adfuller AIC": lambda: adfuller(values, autolag="AIC", result_object=True),
        "adf BIC": lambda: stationarity.adf(values, autolag="BIC"),
        "adfuller BIC": lambda: adfuller(values, autolag="BIC", result_object=True),
        "adf t-stat": lambda: stationarity.adf(values, autolag="t-stat"),
        "adfuller t-stat": lambda: adfuller(values, autolag="t-stat", result_object=True),
        "cointegration": lambda: hftlab.cointegration(pair).engle_granger,
        "coint": lambda: coint(pair["y"], pair["x"]),
        "mean_reversion": lambda: hftlab.mean_reversion(series),
        "mean_reversion 2 metrics": lambda: hftlab.mean_reversion(series, metrics=["half_life", "hurst_rs"]),
    }
    times: dict[str, list[float]] = {name: [] for name in calls}
    results = {}
    with threadpool_limits(1), hftlab.using("local"):
        for _ in range(args.rounds + 1):  # the first round warms up and is dropped
            for name, call in calls.items():
                start = time.perf_counter()
                results[name] = call()
                times[name].append(time.perf_counter() - start)
    ms = {name: 1e3 * statistics.median(spent[1:]) for name, spent in times.items()}

    rows = []
    for autolag in ("AIC", "BIC", "t-stat"):
        ours, theirs = results[f"adf {autolag}"], results[f"adfuller {autolag}"]
        assert ours.lags == theirs.lags
        rows.append(
            (
                f"ADF (c, {autolag}), lag {ours.lags}",
                ms[f"adf {autolag}"],
                f"statsmodels adfuller {ms[f'adfuller {autolag}']:.1f} ms",
                ms[f"adfuller {autolag}"] / ms[f"adf {autolag}"],
                abs(ours.stat - theirs.statistic),
            )
        )
    test, (stat, _, _) = results["cointegration"], results["coint"]
    rows.append(
        (
            "Engle-Granger (hftlab.cointegration)",
            ms["cointegration"],
            f"statsmodels coint {ms['coint']:.1f} ms",
            ms["coint"] / ms["cointegration"],
            abs(test.stat - stat),
        )
    )
    before = ms["mean_reversion"] - ms["adf AIC"] + ms["adfuller AIC"]
    metrics = results["mean_reversion"].metrics
    rows.append(
        (
            "mean_reversion, all 14 metrics",
            ms["mean_reversion"],
            f"before: {before:.1f} ms (issue: ~120 ms)",
            before / ms["mean_reversion"],
            abs(metrics["adf_stat"] - results["adfuller AIC"].statistic),
        )
    )
    rows.append(
        (
            "mean_reversion, half_life + hurst_rs",
            ms["mean_reversion 2 metrics"],
            f"all 14 now: {ms['mean_reversion']:.1f} ms",
            ms["mean_reversion"] / ms["mean_reversion 2 metrics"],
            max(abs(v - metrics[k]) for k, v in results["mean_reversion 2 metrics"].metrics.items()),
        )
    )
    table = pd.DataFrame(rows, columns=["hftlab", "ms", "against", "speed-up", "largest |difference|"])
    print(f"\n{args.bars} bars, 1 BLAS thread, median of {args.rounds} interleaved rounds")
    print(table.set_index("hftlab").to_string(float_format=lambda x: f"{x:.3g}"))
    print("targets: ADF and Engle-Granger >= 10x statsmodels; mean_reversion (all metrics) >= 5x before")


if __name__ == "__main__":
    main()

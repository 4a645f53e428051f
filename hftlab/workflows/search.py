"""Search the z-score strategy's parameters on the walk-forward objective.

:func:`optimize_strategy` scores a parameter set ``(lookback, entry_z, exit_z)`` by
the ``objective`` (Sharpe ratio by default) of its stitched out-of-sample
walk-forward equity (:func:`hftlab.walk_forward` with those parameters fixed,
so only a pair's hedge ratio is refitted on each training window), and finds the
best set by exhaustive grid search or by differential evolution (Storn & Price
1997, "Differential evolution – a simple and efficient heuristic for global
optimization over continuous spaces"; ``scipy.optimize.differential_evolution``
with an integer ``lookback``). Evaluations run through the active backend,
serially or on Dask (:mod:`hftlab.workflows.sweeps`); for a given seed both executors give
the same evaluations and the same best parameters.

Choosing parameters by their out-of-sample score makes that score in-sample for
the search: judge the chosen set on later data, or nest the choice inside
:func:`hftlab.walk_forward` (candidate lists) for a truly out-of-sample result.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hftlab import validation as v
from hftlab.algo.walkforward import WalkForwardResult
from hftlab.backends import backend
from hftlab.errors import InvalidInput
from hftlab.results import Result
from hftlab.types import WalkForwardRequest
from hftlab.workflows.sweeps import EXECUTORS, dask_client, run_points

__all__ = ["optimize_strategy"]

METHODS = ("grid", "differential_evolution")
PARAMETERS = ("lookback", "entry_z", "exit_z")


@dataclass(frozen=True)
class StrategySearchResult(Result):
    """Best parameters of a strategy search and every evaluation.

    Attributes
    ----------
    method, objective : str
        How the search ran and what it maximized.
    best : dict
        The best ``lookback``, ``entry_z`` and ``exit_z``.
    best_score : float
        Their objective (out-of-sample walk-forward); NaN if no set ever traded.
    evaluations : pd.DataFrame
        One row per evaluation in the order made: the parameters, then the
        walk-forward metrics sorted by name (``score`` is the objective).
    walk_forward : WalkForwardResult
        The walk-forward of the best parameters.
    """

    method: str
    objective: str
    best: dict[str, float]
    best_score: float
    evaluations: pd.DataFrame
    walk_forward: WalkForwardResult

    def plot(self):
        """The best parameters' out-of-sample equity and drawdown."""
        return self.walk_forward.plot()


def _space(name: str, value: Any, method: str) -> list[float]:
    """Candidate values (grid) or ``[low, high]`` bounds (differential evolution) of a parameter."""
    check = (lambda n, x: v.check_int(n, x, low=2)) if name == "lookback" else v.check_float
    if not (isinstance(value, Sequence | np.ndarray) and not isinstance(value, str)):
        return [check(name, value)]
    values = [check(name, x) for x in value]
    if not values:
        raise InvalidInput(f"'{name}' must hold at least one value; got none.")
    if method == "differential_evolution" and (len(values) != 2 or values[0] > values[1]):
        raise v.fail(name, "a (low, high) pair of bounds with low <= high for differential evolution", value)
    return values


def _point(values: Sequence[float]) -> dict[str, Any]:
    lookback, entry_z, exit_z = values
    return {"lookback": [round(lookback)], "entry_z": [float(entry_z)], "exit_z": [float(exit_z)]}


def _walk_forward_score(**kwargs: Any) -> dict[str, float]:
    """One evaluation: the walk-forward metrics of fixed parameters, plus ``score``."""
    objective = kwargs["objective"]
    metrics = backend().execute(WalkForwardRequest.from_flat(**kwargs)).metrics
    return {"score": metrics[objective], **dict(sorted(metrics.items()))}  # maps travel unordered


def _rows(points: list[dict[str, Any]], results: list[dict[str, float]]) -> list[dict[str, Any]]:
    return [
        {"lookback": p["lookback"][0], "entry_z": p["entry_z"][0], "exit_z": p["exit_z"][0], **r}
        for p, r in zip(points, results, strict=True)
    ]


class _Evaluator:
    """Map-like evaluator of parameter vectors for scipy's ``workers=``, recording every row."""

    def __init__(self, fixed: dict[str, Any], executor: str, client: Any, bar: Any) -> None:
        self.fixed, self.executor, self.client, self.bar = fixed, executor, client, bar
        self.rows: list[dict[str, Any]] = []

    def evaluate(self, points: list[dict[str, Any]]) -> list[dict[str, float]]:
        results = run_points(
            _walk_forward_score, points, self.fixed, self.executor, self.client, progress=False
        )
        self.rows += _rows(points, results)
        self.bar.update(len(points))
        return results

    def __call__(self, func: Any, population: Any) -> list[float]:
        """``-score`` (NaN as 0) of each vector; ``func`` wraps the placeholder and is not called."""
        results = self.evaluate([_point(x) for x in population])
        return [_loss(r["score"]) for r in results]


def _loss(score: float) -> float:
    """What differential evolution minimizes: ``-score``, with an undefined score (no trade) as 0."""
    return -score if math.isfinite(score) else 0.0


def _objective_placeholder(x: np.ndarray) -> float:
    """scipy needs a callable; the population is evaluated in batches by ``_Evaluator`` (``workers=``)."""
    raise RuntimeError("evaluated through the workers map")


def optimize_strategy(
    prices: Any,
    lookback: Any = (5, 60),
    entry_z: Any = (1.0, 3.0),
    exit_z: Any = (0.0, 0.75),
    *,
    train: int = 504,
    test: int = 126,
    method: str = "grid",
    executor: str = "serial",
    scheduler: Any = None,
    processes: bool = True,
    n_workers: int = 2,
    seed: int = 0,
    maxiter: int = 10,
    popsize: int = 6,
    objective: str = "sharpe",
    progress: bool = True,
    **strategy: Any,
) -> StrategySearchResult:
    """Find the z-score strategy parameters with the best walk-forward objective.

    Parameters
    ----------
    prices : DataFrame, Series or pair of Series
        As for :func:`hftlab.backtest` (one asset, or a pair ``x``, ``y``).
    lookback, entry_z, exit_z : number or sequence
        ``method="grid"``: candidate values (every combination is evaluated);
        ``method="differential_evolution"``: ``(low, high)`` bounds (``lookback``
        searched over integers). A single number fixes the parameter. Every
        ``exit_z`` must stay below every ``entry_z``.
    train, test : int
        Walk-forward window lengths in bars (see :func:`hftlab.walk_forward`).
    method : {"grid", "differential_evolution"}
    executor : {"serial", "dask"}
        Where evaluations run; ``scheduler``, ``processes`` and ``n_workers`` as in
        :func:`hftlab.sweep`.
    seed : int
        Seed of differential evolution (the grid needs none).
    maxiter, popsize : int
        Differential evolution's generations and population size per parameter.
    objective : str
        A walk-forward metric to maximize (``"sharpe"``, ``"sortino"``, ``"calmar"``,
        ``"total_return"``, ``"cagr"``). Differential evolution minimizes its
        negative and scores an undefined value (no trade) as 0.
    progress : bool
        Show a progress bar of evaluations.
    **strategy
        Further :func:`hftlab.walk_forward` arguments (``hedge``, ``cost``,
        ``fixed_cost``, ``slippage``, ``capital``, ``anchored``...).

    Returns
    -------
    StrategySearchResult

    References
    ----------
    Storn & Price (1997), Journal of Global Optimization 11, 341-359.
    Pardo (2008), "The Evaluation and Optimization of Trading Strategies", Wiley.
    """
    from scipy.optimize import differential_evolution
    from tqdm.auto import tqdm

    method = v.check_choice("method", method, METHODS)
    executor = v.check_choice("executor", executor, EXECUTORS)
    seed = v.check_int("seed", seed, low=0)
    maxiter = v.check_int("maxiter", maxiter, low=1)
    popsize = v.check_int("popsize", popsize, low=1)
    space = {
        name: _space(name, value, method)
        for name, value in zip(PARAMETERS, (lookback, entry_z, exit_z), strict=True)
    }
    fixed = {"prices": prices, "train": train, "test": test, "objective": objective, **strategy}
    # Validate everything once, before any evaluation, with the whole space as candidates.
    fixed["prices"] = WalkForwardRequest.from_flat(**fixed, **space).prices
    if executor == "serial" and scheduler is not None:
        raise v.fail("scheduler", "None with executor='serial'", scheduler)

    client_context = (
        dask_client(scheduler, processes, n_workers) if executor == "dask" else contextlib.nullcontext()
    )
    searched = [name for name in PARAMETERS if len(space[name]) > 1]
    if method == "grid":
        total = int(np.prod([len(space[name]) for name in PARAMETERS]))
    else:
        total = (maxiter + 1) * popsize * max(len(searched), 1)
    with client_context as client, tqdm(total=total, desc=method, disable=not progress) as bar:
        evaluator = _Evaluator(fixed, executor, client, bar)
        if method == "grid":
            grid = np.array(np.meshgrid(*(space[n] for n in PARAMETERS), indexing="ij")).reshape(3, -1).T
            evaluator.evaluate([_point(x) for x in grid])
        else:
            if not searched:
                raise InvalidInput("differential evolution needs at least one (low, high) range to search.")
            bounds = [(space[n][0], space[n][-1]) for n in PARAMETERS]
            differential_evolution(
                _objective_placeholder,
                bounds,
                seed=seed,
                maxiter=maxiter,
                popsize=popsize,
                integrality=[True, False, False],
                updating="deferred",
                workers=evaluator,
                polish=False,
                init="latinhypercube",
            )
    evaluations = pd.DataFrame(evaluator.rows)
    scores = evaluations["score"].to_numpy()
    best_row = int(np.nanargmax(scores)) if np.isfinite(scores).any() else 0
    row = evaluations.iloc[best_row]
    best = {"lookback": int(row["lookback"]), "entry_z": float(row["entry_z"]), "exit_z": float(row["exit_z"])}
    best_request = WalkForwardRequest.from_flat(**fixed, **{k: [x] for k, x in best.items()})
    best_walk_forward = backend().execute(best_request)
    return StrategySearchResult(
        method=method,
        objective=objective,
        best=best,
        best_score=float(evaluations["score"].iloc[best_row]),
        evaluations=evaluations,
        walk_forward=best_walk_forward,
    )

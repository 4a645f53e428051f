"""Parameter sweeps: run a function or an operation over a grid, serially or on Dask.

:func:`sweep` evaluates every point of a grid and returns one tidy table: a row
per point, its parameters first, then every scalar the call returned (scalar
fields of a result object and the entries of its ``metrics`` dict flattened
into columns). The table is the same, row order and bits, whichever executor
computed it: ``"serial"`` in this process, or ``"dask"`` on a
``dask.distributed`` cluster — a ``LocalCluster`` started and closed by the
call, or an existing scheduler (Rocklin 2015, "Dask: parallel computation with
blocked algorithms and task scheduling").

Operations run on the backend active when the sweep starts: a Dask worker in
another process reaches the same one (the local backend, or the same gRPC
server).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import logging
import numbers
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from hftlab import validation as v
from hftlab.backends import GrpcBackend, GrpcConfig, backend, get_client, use
from hftlab.errors import InvalidInput
from hftlab.types import REQUEST_TYPES, Request

__all__ = ["sweep"]

EXECUTORS = ("serial", "dask")


def grid_points(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The points of ``grid``: the cartesian product of a dict of value lists, or a list of dicts."""
    if isinstance(grid, Mapping):
        if not grid:
            raise InvalidInput("'grid' must name at least one parameter; got an empty dict.")
        values = []
        for name, options in grid.items():
            if not isinstance(name, str):
                raise v.fail("grid", "a dict with parameter names (str) as keys", name)
            if isinstance(options, str) or not isinstance(options, Sequence | np.ndarray | pd.Index):
                raise v.fail(f"grid[{name!r}]", "a list of values", options)
            if len(options) == 0:
                raise InvalidInput(f"'grid[{name!r}]' must hold at least one value; got none.")
            values.append([_plain(option) for option in options])
        return [dict(zip(grid, combination, strict=True)) for combination in itertools.product(*values)]
    if isinstance(grid, Sequence) and grid and all(isinstance(point, Mapping) for point in grid):
        return [{str(k): _plain(x) for k, x in point.items()} for point in grid]
    raise v.fail("grid", "a dict of value lists or a non-empty list of dicts", grid)


def _plain(value: Any) -> Any:
    """NumPy scalars as Python ones, so a request validates them like literals."""
    return value.item() if isinstance(value, np.generic) else value


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | str | numbers.Number | np.generic)


def flatten(result: Any) -> dict[str, Any]:
    """The scalars of ``result`` as a flat row.

    A result dataclass gives its scalar fields, then its dicts' scalar entries sorted
    by key (a proto map has no order, so this keeps tables alike on every backend),
    under their own keys or ``field.key`` when a name repeats; a dict gives its
    scalar entries in its own order; a bare number or string is ``value``.
    """
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        row: dict[str, Any] = {}
        nested: list[tuple[str, str, Any]] = []
        for field in dataclasses.fields(result):
            value = getattr(result, field.name)
            if _is_scalar(value):
                row[field.name] = _plain(value)
            elif isinstance(value, Mapping):
                nested += [(field.name, str(k), x) for k, x in sorted(value.items()) if _is_scalar(x)]
        for field_name, key, value in nested:
            row[key if key not in row else f"{field_name}.{key}"] = _plain(value)
        return row
    if isinstance(result, Mapping):
        return {str(k): _plain(x) for k, x in result.items() if _is_scalar(x)}
    if _is_scalar(result):
        return {"value": _plain(result)}
    raise InvalidInput(
        f"sweep: the call returned a {type(result).__name__}, which has no scalar values to tabulate."
    )


def _target(func_or_operation: Any) -> Callable[..., Any] | type[Request]:
    if isinstance(func_or_operation, str):
        if func_or_operation not in REQUEST_TYPES:
            raise v.fail("func_or_operation", "a callable, a request class or an RPC name", func_or_operation)
        return REQUEST_TYPES[func_or_operation]
    if isinstance(func_or_operation, type) and issubclass(func_or_operation, Request):
        return func_or_operation
    if callable(func_or_operation):
        return func_or_operation
    raise v.fail("func_or_operation", "a callable, a request class or an RPC name", func_or_operation)


# ---------------------------------------------------------------- running one point


def backend_spec() -> str | GrpcConfig:
    """What a worker process needs to reach the active backend: ``"local"`` or its gRPC config."""
    return backend().spec()


@functools.cache
def _grpc_client(config: GrpcConfig) -> GrpcBackend:
    return GrpcBackend(config)


def _activate(spec: str | GrpcConfig, caller_pid: int) -> None:
    """In a worker process, make the caller's backend the active one (a no-op in the caller)."""
    if os.getpid() != caller_pid:
        use(get_client("local") if spec == "local" else _grpc_client(spec))


def evaluate(target: Any, point: dict[str, Any], fixed: dict[str, Any], spec: Any, caller_pid: int) -> dict:
    """Run ``target`` on one grid point (the task each worker runs) and flatten its result."""
    _activate(spec, caller_pid)
    kwargs = {**fixed, **point}
    if isinstance(target, type):
        return flatten(_result(target.from_flat(**kwargs)))
    return flatten(target(**kwargs))


def _result(request: Request) -> Any:
    """The request's result; an operation that streams its progress sends it last."""
    if not request.streaming:
        return backend().execute(request)
    for message in backend().stream(request):
        if getattr(message, "result", None) is not None:
            return message.result
    raise v.fail("func_or_operation", "an operation with a result (not a market-data stream)", request.rpc)


# ---------------------------------------------------------------- executors


@contextlib.contextmanager
def dask_client(scheduler: Any = None, processes: bool = True, n_workers: int = 2) -> Iterator[Any]:
    """A ``distributed.Client``: on ``scheduler`` (an address or a Client), else a new LocalCluster.

    A cluster started here has ``n_workers`` single-threaded workers and is closed on exit.
    """
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler is not None:
        if not isinstance(scheduler, str):
            raise v.fail("scheduler", "a scheduler address such as 'tcp://host:8786', or a Client", scheduler)
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_points(
    target: Any,
    points: list[dict[str, Any]],
    fixed: dict[str, Any],
    executor: str,
    client: Any = None,
    progress: bool = True,
    description: str = "sweep",
) -> list[dict[str, Any]]:
    """Evaluate ``target`` at every point, in order; ``client`` is required for ``"dask"``."""
    from tqdm.auto import tqdm

    with tqdm(total=len(points), desc=description, disable=not progress) as bar:
        if executor == "serial":
            rows = []
            for point in points:
                rows.append(evaluate(target, point, fixed, None, os.getpid()))
                bar.update()
            return rows
        from distributed import as_completed

        # hash=False: a fresh key, so a previous batch releasing its copy cannot take this one
        [shared] = client.scatter([fixed], broadcast=True, hash=False)
        futures = client.map(
            evaluate,
            [target] * len(points),
            points,
            fixed=shared,
            spec=backend_spec(),
            caller_pid=os.getpid(),
            pure=False,
        )
        for _ in as_completed(futures):
            bar.update()
        return client.gather(futures)


def sweep(
    func_or_operation: Callable[..., Any] | type[Request] | str,
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    executor: str = "serial",
    scheduler: Any = None,
    *,
    processes: bool = True,
    n_workers: int = 2,
    progress: bool = True,
    **fixed: Any,
) -> pd.DataFrame:
    """Evaluate a function or an operation over a parameter grid; one tidy row per point.

    Parameters
    ----------
    func_or_operation : callable, request class or RPC name
        A function (e.g. ``hftlab.backtest``) called as ``func(**fixed, **point)``,
        or an operation (``hftlab.types.BacktestRequest`` or ``"RunBacktest"``)
        executed on the active backend.
    grid : dict of lists, or list of dicts
        ``{"lookback": [10, 20], "entry_z": [1.5, 2.0]}`` (every combination, in
        ``itertools.product`` order) or an explicit list of points.
    executor : {"serial", "dask"}
        Where to evaluate: this process, or a ``dask.distributed`` cluster.
    scheduler : str or distributed.Client, optional
        With ``"dask"``: an existing scheduler (``"tcp://host:8786"``) or client.
        By default a ``LocalCluster`` of ``n_workers`` single-threaded workers
        (``processes=True``: separate processes) is started and closed by the call.
    progress : bool
        Show a progress bar.
    **fixed
        Arguments passed unchanged to every call (e.g. ``prices=...``).

    Returns
    -------
    pd.DataFrame
        One row per point in grid order: the parameters, then every scalar the
        call returned. Identical on both executors.

    References
    ----------
    Rocklin (2015), "Dask: parallel computation with blocked algorithms and task
    scheduling", Proceedings of the 14th Python in Science Conference.
    """
    target = _target(func_or_operation)
    points = grid_points(grid)
    executor = v.check_choice("executor", executor, EXECUTORS)
    n_workers = v.check_int("n_workers", n_workers, low=1)
    if executor == "serial":
        if scheduler is not None:
            raise v.fail("scheduler", "None with executor='serial'", scheduler)
        rows = run_points(target, points, fixed, "serial", progress=progress)
    else:
        with dask_client(scheduler, processes, n_workers) as client:
            rows = run_points(target, points, fixed, "dask", client, progress=progress)
    return pd.DataFrame([{**point, **_prefix(row, point)} for point, row in zip(points, rows, strict=True)])


def _prefix(row: dict[str, Any], point: dict[str, Any]) -> dict[str, Any]:
    """Result columns, renamed ``result.name`` where a parameter has the same name."""
    return {f"result.{k}" if k in point else k: x for k, x in row.items()}

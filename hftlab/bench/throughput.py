"""Calls per second of one request from concurrent clients, over gRPC and on the local backend.

Each client is a process of its own (forked, so it starts with the imports done), with its own
channel (``grpc.use_local_subchannel_pool``: its own connection, which ``SO_REUSEPORT``
hands to one of the server's worker processes) or its own local backend. A client builds the
request from its fields on every call, as :mod:`hftlab.api` does, and computes with one
BLAS thread (the server's default ``blas_threads``). All clients start together after a
warm-up; the calls completed within the same ``seconds`` are counted.

The parent must not have opened a gRPC channel before (a forked process may not use one).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterable

import numpy as np
import pandas as pd

from hftlab.types import REQUEST_TYPES, Request, request_fields

CLIENTS = (1, 4, 16)
WARMUP = 3


def universe(n_assets: int = 50, n_bars: int = 500, seed: int = 0) -> pd.DataFrame:
    """Daily closes of a seeded 3-factor model (``n_assets`` columns on business days)."""
    rng = np.random.default_rng(seed)
    loadings = rng.normal(1.0, 0.4, size=(n_assets, 3)) * np.array([0.01, 0.005, 0.003])
    noise = rng.normal(size=(n_bars, n_assets)) * rng.uniform(0.005, 0.02, n_assets)
    returns = rng.uniform(0.0001, 0.0008, n_assets) + rng.normal(size=(n_bars, 3)) @ loadings.T + noise
    return pd.DataFrame(
        100 * np.cumprod(1 + returns, axis=0),
        index=pd.bdate_range("2022-01-03", periods=n_bars),
        columns=[f"s{i:02d}" for i in range(n_assets)],
    )


def min_variance_request(n_assets: int = 50) -> Request:
    """``optimize_portfolio`` of ``n_assets`` (500 daily closes), long-only minimum variance."""
    return REQUEST_TYPES["OptimizePortfolio"](prices_or_returns=universe(n_assets), method="min_variance")


def _client(request: Request, address: str | None, barriers, start, seconds: float, counts) -> None:
    from hftlab.backends import GrpcBackend, GrpcConfig, LocalBackend
    from hftlab.threads import limit_threads

    limit_threads(1)
    backend = LocalBackend() if address is None else GrpcBackend(GrpcConfig.from_address(address))
    cls, fields = type(request), request_fields(request)
    for _ in range(WARMUP):
        backend.execute(cls(**fields))
    for barrier in barriers:  # warmed up; then the start time is set
        barrier.wait()
    begin = start.value
    while time.perf_counter() < begin:
        pass
    calls = 0
    while time.perf_counter() < begin + seconds:
        backend.execute(cls(**fields))
        calls += 1
    counts.put(calls)
    backend.close()


def calls_per_second(request: Request, clients: int, seconds: float, address: str | None = None) -> float:
    """Calls per second completed by ``clients`` concurrent clients (``address=None``: local backend)."""
    context = multiprocessing.get_context("fork")
    barriers = (context.Barrier(clients + 1), context.Barrier(clients + 1))
    start, counts = context.Value("d", 0.0), context.Queue()
    processes = [
        context.Process(target=_client, args=(request, address, barriers, start, seconds, counts), daemon=True)
        for _ in range(clients)
    ]
    for process in processes:
        process.start()
    barriers[0].wait()
    start.value = time.perf_counter() + 0.1  # (perf_counter is system-wide on Linux: CLOCK_MONOTONIC)
    barriers[1].wait()
    total = sum(counts.get(timeout=seconds + 600) for _ in processes)
    for process in processes:
        process.join()
    return total / seconds


def throughput_rows(
    request: Request, address: str, clients: Iterable[int] = CLIENTS, seconds: float = 3.0
) -> pd.DataFrame:
    """Calls/s over gRPC (``address``) and on the local backend for each number of clients."""
    rows = []
    for count in clients:
        grpc_rate = calls_per_second(request, count, seconds, address)
        local_rate = calls_per_second(request, count, seconds)
        rows.append({"clients": count, "grpc_calls_per_s": grpc_rate, "local_calls_per_s": local_rate})
    frame = pd.DataFrame(rows)
    frame["grpc / local"] = frame["grpc_calls_per_s"] / frame["local_calls_per_s"]
    return frame

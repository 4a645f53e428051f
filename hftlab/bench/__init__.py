"""``hftlab bench``: what hftlab adds on top of bare grpcio, measured side by side in one run.

For each served RPC with a representative input (:data:`hftlab.bench.inputs.INPUTS`):
p50/p99 latency on the local backend, on the grpc backend (an ``hftlab serve``
process on a free loopback port, or ``address``) and of a bare grpcio echo of the
same payload sizes (:mod:`hftlab.bench.echo`, its own process); array round-trip
bandwidth for 1K...8M float64 through hftlab's ``NDArray`` codec vs raw bytes;
ticks/s of the market-data stream decoded into numpy. The local calls use as many
BLAS/OpenMP threads as the server (``ServerInfo.blas_threads``). Targets (issue 3): unary
overhead <= 1.2x the echo, arrays >= 80 % of its bandwidth, >= 1M ticks/s.

    report = run_bench(quick=True)
    print(report.table())
    report.figure()
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import platform
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import grpc
import pandas as pd
from tqdm.auto import tqdm

from hftlab.backends import GrpcBackend, GrpcConfig, LocalBackend
from hftlab.bench import harness
from hftlab.bench.echo import EchoClient, EchoServer
from hftlab.bench.inputs import INPUTS, STREAM_INPUTS, request_for
from hftlab.bench.report import BenchReport, figure
from hftlab.errors import HftlabError, InvalidInput
from hftlab.threads import limit_threads
from hftlab.types import REQUEST_TYPES, Request
from hftlab.version import __version__

PARTS = ("unary", "arrays", "stream")

__all__ = ["INPUTS", "PARTS", "STREAM_INPUTS", "BenchReport", "EchoClient", "EchoServer", "figure", "run_bench"]


def _check(ops: Iterable[str] | None, parts: Iterable[str]) -> tuple[list[str] | None, list[str]]:
    ops = None if ops is None else list(ops)
    unknown = sorted(set(ops or ()) - set(REQUEST_TYPES))
    if unknown:
        raise InvalidInput(f"'ops' has unknown RPC(s) {unknown}; known: {sorted(REQUEST_TYPES)}.")
    parts = list(parts)
    for part in parts:
        if part not in PARTS:
            raise InvalidInput(f"'parts' must be among {list(PARTS)}; got {part!r}.")
    return ops, parts


def _select(ops: list[str] | None, served: set[str], address: str) -> tuple[dict[str, Request], dict[str, str]]:
    requests, skipped = {}, {}
    for rpc in REQUEST_TYPES if ops is None else ops:
        if rpc not in INPUTS:
            skipped[rpc] = "no benchmark input (add one line to hftlab.bench.inputs.INPUTS)"
        elif rpc not in served:
            skipped[rpc] = f"not served by {address}"
        else:
            try:
                requests[rpc] = request_for(rpc)
            except (HftlabError, TypeError) as exc:
                skipped[rpc] = f"its benchmark input is invalid: {exc}"
    return requests, skipped


def run_bench(
    quick: bool = False,
    ops: Iterable[str] | None = None,
    parts: Iterable[str] = PARTS,
    address: str | None = None,
    out: str | Path | None = None,
    progress: bool = True,
    echo: EchoClient | None = None,
    **options: Any,
) -> BenchReport:
    """Measure hftlab against bare grpcio and return the :class:`BenchReport`.

    Parameters
    ----------
    quick : bool
        Few calls per measure, two array sizes, a short stream (seconds, not minutes).
    ops : iterable of str, optional
        RPC names to measure (default: every registered request type).
    parts : iterable of str
        Any of ``"unary"``, ``"arrays"``, ``"stream"``.
    address : str, optional
        ``grpc://host:port`` of a running server; by default one is started on a
        free loopback port for the run and stopped after.
    out : path, optional
        Write the report as JSON there.
    progress : bool
        Show a tqdm progress bar.
    echo : EchoClient, optional
        A client of a running echo server; by default one is started for the run.
    **options
        :class:`~hftlab.GrpcConfig` options for ``address`` (``token``...).
    """
    ops, parts = _check(ops, parts)
    budget = harness.QUICK if quick else harness.FULL
    local = LocalBackend()
    with contextlib.ExitStack() as stack:
        if address is None:
            from hftlab.server import ServerProcess

            address = stack.enter_context(ServerProcess()).address
        remote = stack.enter_context(GrpcBackend(GrpcConfig.from_address(address, **options)))
        if echo is None:
            echo = stack.enter_context(EchoServer()).client()
            stack.callback(echo.close)
        info = remote.info()
        served = set(info.operations)
        # the local calls compute with the server's BLAS/OpenMP threads, so both sides compute alike
        # (a server older than ServerInfo.blas_threads reports 0: local threads are left alone)
        if info.blas_threads:
            stack.enter_context(limit_threads(info.blas_threads))
        requests, skipped = _select(ops, served, address) if "unary" in parts else ({}, {})
        streams = []
        for rpc in STREAM_INPUTS if "stream" in parts else ():
            if rpc in served and (ops is None or rpc in ops):
                streams.append(rpc)
            elif rpc not in served:
                skipped[f"{rpc} (ticks/s)"] = f"not served by {address}"
        sizes = (harness.QUICK_ARRAY_SIZES if quick else harness.ARRAY_SIZES) if "arrays" in parts else ()
        meta = {
            "hftlab": __version__,
            "grpcio": grpc.__version__,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "mode": "quick" if quick else "full",
            "grpc_address": address,
            "echo_address": f"grpc://{echo.target}",
            "blas_threads": info.blas_threads,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "budget": dataclasses.asdict(budget),
        }
        total = len(requests) + len(sizes) + len(streams)
        with tqdm(total=total, desc="hftlab bench", unit="measure", disable=not progress) as bar:
            unary = harness.unary_rows(requests, local, remote, echo, budget, bar)
            arrays = harness.array_rows(sizes, echo, budget, progress=bar)
            stream_frames = []
            for rpc in streams:
                request = request_for(rpc, STREAM_INPUTS, quick)
                stream_frames.append(harness.stream_rows(request, local, remote, echo, 1 if quick else 3))
                bar.update()
    stream = (
        pd.concat(stream_frames, ignore_index=True)
        if stream_frames
        else pd.DataFrame(columns=harness.STREAM_COLUMNS)
    )
    report = BenchReport(meta=meta, unary=unary, arrays=arrays, stream=stream, skipped=skipped)
    if out is not None:
        report.save(out)
    return report

"""Measurements of the benchmark: each hftlab path next to bare grpcio, in the same run.

- :func:`unary_rows`: per RPC, p50/p99 latency of the local backend, of the grpc
  backend and of the bare echo carrying request and response of the same sizes
  (the three calls alternate, so all see the same machine load).
- :func:`array_rows`: MB/s of a float64 array round trip through hftlab's
  ``NDArray`` codec vs raw bytes of the same size.
- :func:`stream_rows`: ticks/s of a market-data stream decoded into numpy, locally,
  over grpc and for the bare echo streaming the same number of same-size messages.

Latencies are wall-clock (``time.perf_counter``) per call; percentiles by
``numpy.percentile`` (linear interpolation).
"""

from __future__ import annotations

import collections
import dataclasses
import time
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from hftlab.backends import Backend
from hftlab.bench.echo import EchoClient
from hftlab.rpc import codec
from hftlab.types import Request, request_fields

ARRAY_SIZES = (1 << 10, 1 << 13, 1 << 16, 1 << 19, 1 << 22, 1 << 23)
"""Float64 element counts of the array benchmark: 1K ... 8M."""
QUICK_ARRAY_SIZES = (1 << 10, 1 << 16)


@dataclasses.dataclass(frozen=True)
class Budget:
    """How many calls a measurement makes: up to ``calls``, stopping after ``seconds``
    once ``min_calls`` are done; ``warmup`` calls first, untimed."""

    calls: int = 1_000
    seconds: float = 3.0
    min_calls: int = 5
    warmup: int = 5


QUICK = Budget(calls=20, seconds=0.3, min_calls=3, warmup=1)
FULL = Budget()


def sample(calls: Iterable[Callable[[], object]], budget: Budget) -> list[np.ndarray]:
    """Seconds per call of each callable, called in turn (interleaved) under ``budget``."""
    calls = list(calls)
    for _ in range(budget.warmup):
        for call in calls:
            call()
    samples: list[list[float]] = [[] for _ in calls]
    deadline = time.perf_counter() + budget.seconds
    for i in range(budget.calls):
        if i >= budget.min_calls and time.perf_counter() > deadline:
            break
        for call, times in zip(calls, samples, strict=True):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
    return [np.asarray(times) for times in samples]


def percentiles_us(seconds: np.ndarray) -> tuple[float, float]:
    """(p50, p99) in microseconds."""
    p50, p99 = np.percentile(seconds, [50, 99])
    return float(p50 * 1e6), float(p99 * 1e6)


def _message_bytes(obj: object, name: str) -> int:
    return codec.encode(obj, codec.message_class(name)()).ByteSize()


def _drain(messages: Iterable[object]) -> None:
    collections.deque(messages, maxlen=0)


@dataclasses.dataclass(frozen=True)
class UnaryCalls:
    """The three ways of making one RPC that the latency benchmark compares."""

    local: Callable[[], object]
    grpc: Callable[[], object]
    echo: Callable[[], object]
    request_bytes: int
    response_bytes: int


def calls_for(request: Request, local: Backend, remote: Backend, echo: EchoClient) -> UnaryCalls:
    """Local, grpc and same-size bare-echo calls of ``request`` (streams: drained to the end).

    The local and grpc calls build their request from its fields each time, as
    :mod:`hftlab.api` does, so validation counts on both sides (and the server's
    own validation of what it decodes counts against grpc).
    """
    rpc, cls, fields = request.rpc, type(request), request_fields(request)
    request_bytes = _message_bytes(request, f"{rpc}Request")
    if request.streaming:
        messages = list(local.stream(request))
        sizes = [_message_bytes(m, f"{rpc}Response") for m in messages]
        size = int(np.mean(sizes)) if sizes else 0
        return UnaryCalls(
            local=lambda: _drain(local.stream(cls(**fields))),
            grpc=lambda: _drain(remote.stream(cls(**fields))),
            echo=lambda: echo.stream(len(sizes), size),
            request_bytes=request_bytes,
            response_bytes=sum(sizes),
        )
    response_bytes = _message_bytes(local.execute(request), f"{rpc}Response")
    payload = EchoClient.payload(request_bytes, response_bytes)
    return UnaryCalls(
        local=lambda: local.execute(cls(**fields)),
        grpc=lambda: remote.execute(cls(**fields)),
        echo=lambda: echo.unary(payload),
        request_bytes=request_bytes,
        response_bytes=response_bytes,
    )


def unary_rows(
    requests: dict[str, Request],
    local: Backend,
    remote: Backend,
    echo: EchoClient,
    budget: Budget,
    progress: tqdm | None = None,
) -> pd.DataFrame:
    """One row per RPC: sizes, p50/p99 (µs) of local, grpc and bare echo, and the overhead ratio.

    ``overhead = grpc p50 / (local p50 + echo p50)``: the grpc call against the
    cost of computing in-process plus moving the same bytes with bare grpcio
    (1.0 = hftlab adds nothing to compute + transport); ``added_us = grpc p50 -
    local p50 - echo p50``, the same in absolute terms (encoding, decoding, the
    server's own validation of the request), and ``added_per_echo = added_us / echo p50``:
    what hftlab adds in units of the bare transport (light calls, where ``overhead`` says
    little about heavy ones). The three calls alternate, so they
    share the machine's load.
    """
    rows = []
    for rpc, request in requests.items():
        calls = calls_for(request, local, remote, echo)
        local_s, grpc_s, echo_s = sample([calls.local, calls.grpc, calls.echo], budget)
        row = {
            "rpc": rpc,
            "request_bytes": calls.request_bytes,
            "response_bytes": calls.response_bytes,
            "calls": len(grpc_s),
        }
        for name, seconds in (("local", local_s), ("grpc", grpc_s), ("echo", echo_s)):
            row[f"{name}_p50_us"], row[f"{name}_p99_us"] = percentiles_us(seconds)
        row["overhead"] = row["grpc_p50_us"] / (row["local_p50_us"] + row["echo_p50_us"])
        row["added_us"] = row["grpc_p50_us"] - row["local_p50_us"] - row["echo_p50_us"]
        row["added_per_echo"] = row["added_us"] / row["echo_p50_us"]
        rows.append(row)
        if progress is not None:
            progress.update()
    return pd.DataFrame(rows, columns=UNARY_COLUMNS)


UNARY_COLUMNS = [
    "rpc",
    "request_bytes",
    "response_bytes",
    "calls",
    "local_p50_us",
    "local_p99_us",
    "grpc_p50_us",
    "grpc_p99_us",
    "echo_p50_us",
    "echo_p99_us",
    "overhead",
    "added_us",
    "added_per_echo",
]


def array_rows(
    sizes: Iterable[int], echo: EchoClient, budget: Budget, seed: int = 0, progress: tqdm | None = None
) -> pd.DataFrame:
    """Round-trip bandwidth (bytes sent + received per second) of float64 arrays.

    ``hftlab``: ``encode_array`` -> protobuf ``NDArray`` -> grpc -> ``decode_array``
    and back; ``bare``: the same number of raw bytes echoed by grpcio.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for n in sizes:
        array = rng.standard_normal(n)
        payload = EchoClient.payload(array.nbytes, array.nbytes)
        echoed = echo.ndarray(array)
        if not np.array_equal(echoed, array):
            raise RuntimeError(f"the NDArray round trip of {n} float64 changed the values")
        hftlab_s, bare_s = sample([lambda a=array: echo.ndarray(a), lambda p=payload: echo.unary(p)], budget)
        hftlab_mbps = 2 * array.nbytes / np.median(hftlab_s) / 1e6
        bare_mbps = 2 * array.nbytes / np.median(bare_s) / 1e6
        rows.append(
            {
                "elements": n,
                "megabytes": array.nbytes / 1e6,
                "calls": len(hftlab_s),
                "hftlab_MBps": hftlab_mbps,
                "bare_MBps": bare_mbps,
                "ratio": hftlab_mbps / bare_mbps,
            }
        )
        if progress is not None:
            progress.update()
    return pd.DataFrame(rows, columns=ARRAY_COLUMNS)


ARRAY_COLUMNS = ["elements", "megabytes", "calls", "hftlab_MBps", "bare_MBps", "ratio"]


def ticks_in(batch: object) -> int:
    """Ticks in one streamed batch: the length of its longest array, Series or DataFrame field."""
    lengths = [
        len(value)
        for value in (getattr(batch, f.name) for f in dataclasses.fields(batch))
        if isinstance(value, (np.ndarray, pd.Series, pd.DataFrame))
    ]
    return max(lengths, default=0)


def _timed_ticks(messages: Iterable[object]) -> tuple[int, float]:
    start = time.perf_counter()
    ticks = sum(ticks_in(batch) for batch in messages)
    return ticks, time.perf_counter() - start


def stream_rows(
    request: Request, local: Backend, remote: Backend, echo: EchoClient, repeats: int = 3
) -> pd.DataFrame:
    """Ticks per second of ``request``'s stream decoded into numpy: local, grpc and bare echo.

    The bare echo streams as many messages, each of the mean encoded size of a
    batch. Each path runs ``repeats`` times; the best run counts (the least
    disturbed by other processes).
    """
    rpc = request.rpc
    batches = list(local.stream(request))
    ticks = sum(ticks_in(batch) for batch in batches)
    size = int(np.mean([_message_bytes(b, f"{rpc}Response") for b in batches])) if batches else 0
    paths = {
        "local": lambda: _timed_ticks(local.stream(request)),
        "grpc": lambda: _timed_ticks(remote.stream(request)),
        "bare echo": lambda: _timed_echo(echo, len(batches), size, ticks),
    }
    rows = []
    for path, run in paths.items():
        seconds = min(run()[1] for _ in range(repeats))
        rows.append(
            {
                "path": path,
                "rpc": rpc,
                "batches": len(batches),
                "ticks": ticks,
                "batch_bytes": size,
                "seconds": seconds,
                "ticks_per_s": ticks / seconds,
            }
        )
    return pd.DataFrame(rows, columns=STREAM_COLUMNS)


def _timed_echo(echo: EchoClient, count: int, size: int, ticks: int) -> tuple[int, float]:
    start = time.perf_counter()
    echo.stream(count, size)
    return ticks, time.perf_counter() - start


STREAM_COLUMNS = ["path", "rpc", "batches", "ticks", "batch_bytes", "seconds", "ticks_per_s"]

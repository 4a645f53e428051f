"""Per-RPC call counters and latency histograms of a server.

The same numbers are summarised in ``GetServerInfo`` (calls, errors, p50/p99
latency per RPC; refused authentications by reason) and, when ``metrics_port`` is set,
served as Prometheus text
(``/metrics``) through a prometheus_client custom collector. Counts are kept in
plain dictionaries under one lock, so recording a call and summarising every RPC
both cost microseconds. The p50/p99 of ``GetServerInfo`` are exact (numpy's linear
percentile) over the last :data:`RECENT` calls of each RPC, so one call gives its own
latency; the histogram keeps the whole history for Prometheus.
"""

from __future__ import annotations

import bisect
import collections
import math
import threading

import numpy as np
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily

BUCKETS = (
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
    5,
    10,
    30,
    60,
    math.inf,
)
RECENT = 1000
"""Latencies kept per RPC for the exact percentiles of ``GetServerInfo``."""


class RpcMetrics:
    """Counters (``hftlab_rpc_calls_total{rpc,code}``, ``hftlab_auth_failures_total{reason}``) and
    latency (``hftlab_rpc_seconds{rpc}``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: collections.Counter[tuple[str, str]] = collections.Counter()
        self._buckets: dict[str, list[int]] = {}
        self._seconds: collections.Counter[str] = collections.Counter()
        self._recent: dict[str, collections.deque[float]] = {}
        self._auth_failures: collections.Counter[str] = collections.Counter()
        self.registry = CollectorRegistry()
        self.registry.register(self)

    def observe(self, rpc: str, code: str, seconds: float) -> None:
        bucket = bisect.bisect_left(BUCKETS, seconds)
        with self._lock:
            self._calls[rpc, code] += 1
            self._buckets.setdefault(rpc, [0] * len(BUCKETS))[bucket] += 1
            self._seconds[rpc] += seconds
            self._recent.setdefault(rpc, collections.deque(maxlen=RECENT)).append(seconds)

    def auth_failure(self, reason: str) -> None:
        """Count a call refused for its credentials (``reason``: missing or wrong token)."""
        with self._lock:
            self._auth_failures[reason] += 1

    def _cumulative(self) -> tuple[dict[tuple[str, str], int], dict[str, list[int]], dict[str, float]]:
        with self._lock:
            calls, buckets, seconds = dict(self._calls), dict(self._buckets), dict(self._seconds)
            buckets = {rpc: list(counts) for rpc, counts in buckets.items()}
        for counts in buckets.values():
            for i in range(1, len(counts)):
                counts[i] += counts[i - 1]
        return calls, buckets, seconds

    def collect(self):
        """The prometheus_client collector protocol: the metric families, read under the lock."""
        calls, buckets, seconds = self._cumulative()
        counter = CounterMetricFamily(
            "hftlab_rpc_calls", "hftlab RPCs handled, by final status", labels=["rpc", "code"]
        )
        for (rpc, code), count in sorted(calls.items()):
            counter.add_metric([rpc, code], count)
        histogram = HistogramMetricFamily("hftlab_rpc_seconds", "hftlab RPC handling time", labels=["rpc"])
        for rpc, counts in sorted(buckets.items()):
            bounds = ["+Inf" if math.isinf(b) else repr(float(b)) for b in BUCKETS]
            histogram.add_metric([rpc], list(zip(bounds, counts, strict=True)), seconds[rpc])
        with self._lock:
            failures = dict(self._auth_failures)
        refused = CounterMetricFamily(
            "hftlab_auth_failures", "hftlab calls refused for their credentials", labels=["reason"]
        )
        for reason, count in sorted(failures.items()):
            refused.add_metric([reason], count)
        return [counter, histogram, refused]

    def serve_http(self, host: str, port: int) -> int:
        """Serve ``/metrics`` in Prometheus text format; returns the bound port."""
        server, _ = start_http_server(port, addr=host, registry=self.registry)
        return server.server_port

    def summary(self) -> dict[str, dict[str, float] | dict[str, int]]:
        """``calls`` and ``errors`` (integers), ``latency_p50_ms`` and ``latency_p99_ms`` (over the
        last :data:`RECENT` calls), each keyed by RPC, and ``auth_failures`` keyed by reason."""
        with self._lock:
            counts = dict(self._calls)
            recent = {rpc: np.array(seconds) for rpc, seconds in self._recent.items()}
            failures = dict(self._auth_failures)
        calls: dict[str, int] = {}
        errors: dict[str, int] = {}
        for (rpc, code), count in counts.items():
            calls[rpc] = calls.get(rpc, 0) + count
            if code != "OK":
                errors[rpc] = errors.get(rpc, 0) + count
        p50, p99 = {}, {}
        for rpc, seconds in recent.items():
            p50[rpc], p99[rpc] = (float(v) for v in 1e3 * np.percentile(seconds, [50, 99]))
        return {
            "calls": calls,
            "errors": errors,
            "latency_p50_ms": p50,
            "latency_p99_ms": p99,
            "auth_failures": failures,
        }

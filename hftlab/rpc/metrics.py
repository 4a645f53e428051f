"""Per-RPC call counters and latency histograms of a server (prometheus_client).

The same numbers are summarised in ``GetServerInfo`` (calls, errors, p50/p99
latency per RPC) and, when ``metrics_port`` is set, served as Prometheus text
(``/metrics``). Quantiles are estimated from the histogram buckets by linear
interpolation, as Prometheus' ``histogram_quantile`` does.
"""

from __future__ import annotations

import math

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

BUCKETS = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    30, 60, math.inf,
)


class RpcMetrics:
    """Counters (``hftlab_rpc_calls_total{rpc,code}``) and latency (``hftlab_rpc_seconds{rpc}``)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.calls = Counter(
            "hftlab_rpc_calls", "hftlab RPCs handled, by final status", ["rpc", "code"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "hftlab_rpc_seconds", "hftlab RPC handling time", ["rpc"], buckets=BUCKETS,
            registry=self.registry,
        )

    def observe(self, rpc: str, code: str, seconds: float) -> None:
        self.calls.labels(rpc, code).inc()
        self.latency.labels(rpc).observe(seconds)

    def serve_http(self, host: str, port: int) -> int:
        """Serve ``/metrics`` in Prometheus text format; returns the bound port."""
        server, _ = start_http_server(port, addr=host, registry=self.registry)
        return server.server_port

    def summary(self) -> dict[str, dict[str, float]]:
        """``calls``, ``errors``, ``latency_p50_ms`` and ``latency_p99_ms``, each keyed by RPC."""
        calls: dict[str, float] = {}
        errors: dict[str, float] = {}
        buckets: dict[str, list[tuple[float, float]]] = {}
        for metric in self.registry.collect():
            for sample in metric.samples:
                rpc = sample.labels.get("rpc")
                if sample.name == "hftlab_rpc_calls_total":
                    calls[rpc] = calls.get(rpc, 0.0) + sample.value
                    if sample.labels["code"] != "OK":
                        errors[rpc] = errors.get(rpc, 0.0) + sample.value
                elif sample.name == "hftlab_rpc_seconds_bucket":
                    buckets.setdefault(rpc, []).append((float(sample.labels["le"]), sample.value))
        p50 = {rpc: 1e3 * _quantile(0.5, b) for rpc, b in buckets.items()}
        p99 = {rpc: 1e3 * _quantile(0.99, b) for rpc, b in buckets.items()}
        return {"calls": calls, "errors": errors, "latency_p50_ms": p50, "latency_p99_ms": p99}


def _quantile(q: float, buckets: list[tuple[float, float]]) -> float:
    """Quantile ``q`` from cumulative ``(upper bound, count)`` buckets (linear within a bucket)."""
    buckets = sorted(buckets)
    total = buckets[-1][1]
    if total == 0:
        return math.nan
    rank = q * total
    lower, below = 0.0, 0.0
    for upper, count in buckets:
        if count >= rank:
            if math.isinf(upper):
                return lower
            return lower + (upper - lower) * (rank - below) / max(count - below, 1e-12)
        lower, below = upper, count
    return lower

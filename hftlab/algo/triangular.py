"""Triangular (and general cycle) arbitrage across currency pairs.

A table of executable conversion rates ``R[i, j]`` (units of currency ``j``
received for one unit of ``i``) is a weighted directed graph. A round trip
``c_0 -> c_1 -> ... -> c_0`` turns 1 unit into ``prod R[c_m, c_{m+1}]`` units,
and after a proportional fee ``f`` on every conversion into
``prod R[c_m, c_{m+1}] (1 - f)``. With edge weights ``w_ij = -log(R_ij (1 - f))``
a profitable round trip is exactly a cycle of negative total weight, which the
Bellman-Ford algorithm detects (Bellman 1958, "On a routing problem"; Ford
1956; the currency-arbitrage reduction is Cormen, Leiserson, Rivest & Stein,
"Introduction to Algorithms", 3rd ed., problem 24-3).

:func:`triangular_arbitrage` runs Bellman-Ford from a virtual source joined to
every currency and extracts the negative cycles from the predecessor graph;
searching again without each leg of every cycle found in turn surfaces further
distinct opportunities of any length (up to ``max_cycles``; finding the most
profitable cycle is NP-hard, so this is a search, not an enumeration of every
profitable cycle).
Every triangle ``i -> j -> k -> i`` is also priced exhaustively (the
triangular-arbitrage table of e.g. Aiba, Hatano, Takayasu, Marumo & Shimizu
2002, "Triangular arbitrage as an interaction among foreign exchange rates",
Physica A 310).

Rates with bid/ask: selling ``BASE`` for ``QUOTE`` on the pair ``BASE/QUOTE``
yields the bid, buying ``BASE`` costs the ask, so ``R[BASE, QUOTE] = bid`` and
``R[QUOTE, BASE] = 1 / ask`` (:func:`rates_from_quotes`).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hftlab import cancel
from hftlab.results import Result

_LOG_TOLERANCE = 1e-12
"""A cycle counts as profitable when its net log-return exceeds this (float noise guard)."""


@dataclass(frozen=True)
class ArbitrageCycle(Result):
    """One profitable round trip.

    Attributes
    ----------
    currencies : list of str
        The path, closed: ``["USD", "EUR", "GBP", "USD"]`` means USD -> EUR -> GBP -> USD.
    gross_return : float
        ``prod(rates) - 1`` before fees.
    net_return : float
        ``prod(rates * (1 - fee)) - 1``, after one fee per conversion.
    """

    currencies: list[str]
    gross_return: float
    net_return: float

    @property
    def length(self) -> int:
        """Number of conversions in the round trip."""
        return len(self.currencies) - 1


@dataclass(frozen=True)
class TriangularArbitrageResult(Result):
    """Arbitrage cycles found in a table of conversion rates.

    Attributes
    ----------
    cycles : list of ArbitrageCycle
        Distinct negative cycles of ``-log(rate (1 - fee))`` found by Bellman-Ford, any
        length, best ``net_return`` first; empty when no round trip is profitable after fees.
    triangles : pd.DataFrame
        Every directed triangle (each rotation listed once, starting at the currency that
        comes first in the table), columns ``first``, ``second``, ``third``,
        ``gross_return``, ``net_return`` and ``profitable`` (the same test as for
        ``cycles``: a net log-return above 1e-12); best ``net_return`` first.
    fee : float
        Proportional fee charged on every conversion.
    has_arbitrage : bool
        Whether any cycle is profitable after fees.
    best_net_return : float
        ``net_return`` of the best cycle found; NaN when there is none.
    """

    cycles: list[ArbitrageCycle]
    triangles: pd.DataFrame
    fee: float
    has_arbitrage: bool
    best_net_return: float

    def table(self) -> pd.DataFrame:
        """The cycles as a table: path, number of legs, gross and net return."""
        return pd.DataFrame(
            {
                "cycle": [" -> ".join(c.currencies) for c in self.cycles],
                "length": [c.length for c in self.cycles],
                "gross_return": [c.gross_return for c in self.cycles],
                "net_return": [c.net_return for c in self.cycles],
            }
        )

    def plot(self, rates: pd.DataFrame):
        """Heatmap of the rates' deviation from no-arbitrage, ``log R_ij + log R_ji`` (bps)."""
        import plotly.graph_objects as go

        values = np.log(rates.to_numpy(dtype=float))
        round_trip = (values + values.T) * 1e4
        fig = go.Figure(
            go.Heatmap(
                z=round_trip,
                x=list(rates.columns),
                y=list(rates.index),
                colorscale="RdBu",
                zmid=0,
                colorbar={"title": "bps"},
                hovertemplate="%{y} -> %{x} -> %{y}: %{z:.2f} bps<extra></extra>",
            )
        )
        fig.update_layout(
            title="Two-leg round trip i -> j -> i before fees (bps; the bid/ask cost)",
            yaxis={"autorange": "reversed"},
            height=450,
        )
        return fig


def rates_from_quotes(quotes: pd.DataFrame) -> pd.DataFrame:
    """Conversion-rate table from bid/ask quotes of pairs named ``"BASE/QUOTE"``.

    ``quotes`` has one row per pair (index ``"BASE/QUOTE"``) and columns ``bid`` and
    ``ask`` in units of ``QUOTE`` per ``BASE``. Returns a square table over every
    currency (sorted), ``R[BASE, QUOTE] = bid``, ``R[QUOTE, BASE] = 1 / ask``, NaN where
    no pair trades (and on the diagonal).
    """
    pairs = [str(name).split("/") for name in quotes.index]
    if any(len(p) != 2 or not all(p) for p in pairs):
        raise ValueError("quote names must look like 'BASE/QUOTE'")
    currencies = sorted({c for pair in pairs for c in pair})
    position = {c: n for n, c in enumerate(currencies)}
    rates = np.full((len(currencies), len(currencies)), np.nan)
    for (base, quote), bid, ask in zip(pairs, quotes["bid"], quotes["ask"], strict=True):
        rates[position[base], position[quote]] = bid
        rates[position[quote], position[base]] = 1.0 / ask
    return pd.DataFrame(rates, index=currencies, columns=currencies)


def simulated_quotes(
    values: Mapping[str, float],
    spread_bps: float = 2.0,
    volatility: float = 0.0,
    mispricings: Mapping[str, float] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Seeded bid/ask quotes of every pair of a set of currencies, with injected mispricings.

    Each currency has a value in a common numeraire (``values``), perturbed by a seeded
    log-normal shock of standard deviation ``volatility``; the pair ``A/B`` (``A`` before
    ``B`` in ``values``' order) has the consistent mid ``value_A / value_B`` times
    ``1 + mispricings["A/B"]`` and quotes ``mid (1 -/+ spread_bps / 2e4)``. Without
    mispricings every round trip loses the bid/ask spread, so any arbitrage found comes
    from the planted mispricings.
    """
    rng = np.random.default_rng(seed)
    names = list(values)
    shocks = np.exp(volatility * rng.standard_normal(len(names)))
    level = {c: float(values[c]) * s for c, s in zip(names, shocks, strict=True)}
    mispricings = dict(mispricings or {})
    pairs = [f"{a}/{b}" for n, a in enumerate(names) for b in names[n + 1 :]]
    unknown = sorted(set(mispricings) - set(pairs))
    if unknown:
        raise ValueError(f"mispriced pairs {unknown} are not among the quoted pairs")
    mids = np.array(
        [level[p.split("/")[0]] / level[p.split("/")[1]] * (1 + mispricings.get(p, 0.0)) for p in pairs]
    )
    half = spread_bps / 2e4
    index = pd.Index(pairs, name="pair")
    return pd.DataFrame({"bid": mids * (1 - half), "ask": mids * (1 + half)}, index=index)


def simulated_snapshots(
    values: Mapping[str, float],
    n_snapshots: int,
    spread_bps: float = 2.0,
    volatility: float = 5e-4,
    mispricing_probability: float = 0.2,
    max_mispricing_bps: float = 20.0,
    seed: int = 0,
) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    """A seeded sequence of :func:`simulated_quotes` snapshots with occasional mispricings.

    Currency values follow independent log random walks (``volatility`` per snapshot);
    with probability ``mispricing_probability`` a snapshot has one pair, drawn at random,
    mispriced by a size uniform in ``(0, max_mispricing_bps]`` bps with a random sign.
    Returns the quotes of every snapshot and a table of the injected mispricings
    (``snapshot``, ``pair``, ``mispricing``).
    """
    rng = np.random.default_rng(seed)
    names = list(values)
    pairs = [f"{a}/{b}" for n, a in enumerate(names) for b in names[n + 1 :]]
    log_values = np.log([float(values[c]) for c in names])
    snapshots, injected = [], []
    for snapshot in range(n_snapshots):
        log_values = log_values + volatility * rng.standard_normal(len(names))
        mispricing = {}
        if rng.random() < mispricing_probability:
            pair = pairs[rng.integers(len(pairs))]
            mispricing[pair] = rng.choice([-1.0, 1.0]) * (1.0 - rng.random()) * max_mispricing_bps / 1e4
            injected.append((snapshot, pair, mispricing[pair]))
        level = dict(zip(names, np.exp(log_values), strict=True))
        snapshots.append(simulated_quotes(level, spread_bps, mispricings=mispricing))
    table = pd.DataFrame(injected, columns=["snapshot", "pair", "mispricing"]).astype(
        {"snapshot": np.int64, "mispricing": float}
    )
    return snapshots, table


def _weights(rates: np.ndarray, fee: float) -> np.ndarray:
    """``-log(R (1 - fee))``, ``inf`` where there is no market and on the diagonal."""
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = -np.log(rates) - math.log1p(-fee)
    weights[~np.isfinite(weights)] = np.inf
    np.fill_diagonal(weights, np.inf)
    return weights


def _negative_cycles(weights: np.ndarray) -> list[list[int]]:
    """Negative cycles of the graph (Bellman-Ford from a virtual source), canonical and distinct.

    ``n`` rounds of relaxation settle every shortest path when there is no negative
    cycle; a vertex still improving in round ``n + 1`` leads, following predecessors
    ``n`` times, into a negative cycle of the predecessor graph.
    """
    n = len(weights)
    dist = np.zeros(n)
    pred = np.full(n, -1)
    improved = np.zeros(n, dtype=bool)
    for _ in range(n + 1):
        candidates = dist[:, None] + weights
        best_from = np.argmin(candidates, axis=0)
        best = candidates[best_from, np.arange(n)]
        improved = best < dist - _LOG_TOLERANCE
        if not improved.any():
            return []
        dist = np.where(improved, best, dist)
        pred = np.where(improved, best_from, pred)
    cycles = []
    for vertex in np.flatnonzero(improved):
        cycle = _predecessor_cycle(pred, int(vertex))
        if cycle is None or weights[cycle, cycle[1:] + cycle[:1]].sum() >= -_LOG_TOLERANCE:
            continue
        start = cycle.index(min(cycle))
        canonical = cycle[start:] + cycle[:start]
        if canonical not in cycles:
            cycles.append(canonical)
    return cycles


def _search_cycles(weights: np.ndarray, max_cycles: int) -> list[list[int]]:
    """Up to ``max_cycles`` distinct negative cycles, breadth-first over removed legs.

    Bellman-Ford returns some negative cycles; to surface others, every cycle a search
    returns opens one branch per leg: the same graph without that leg (a cycle sharing
    the leg, say the one mispriced pair, survives in the branches removing another).
    At most ``max_cycles * n`` searches run.
    """
    found: list[list[int]] = []
    queue: deque[frozenset[tuple[int, int]]] = deque([frozenset()])
    queued = {frozenset()}
    budget = max_cycles * len(weights)
    while queue and len(found) < max_cycles and budget > 0:
        budget -= 1
        cancel.check()
        removed = queue.popleft()
        branch = weights.copy()
        for leg in removed:
            branch[leg] = np.inf
        for cycle in _negative_cycles(branch):
            if cycle not in found:
                found.append(cycle)
            for leg in zip(cycle, cycle[1:] + cycle[:1], strict=True):
                if removed | {leg} not in queued:
                    queued.add(removed | {leg})
                    queue.append(removed | {leg})
    return found[:max_cycles]


def _predecessor_cycle(pred: np.ndarray, vertex: int) -> list[int] | None:
    """The cycle reached by following predecessors from ``vertex``, in trading order."""
    seen: dict[int, int] = {}
    path: list[int] = []
    while vertex >= 0 and vertex not in seen:
        seen[vertex] = len(path)
        path.append(vertex)
        vertex = int(pred[vertex])
    if vertex < 0:
        return None
    return path[seen[vertex] :][::-1]  # predecessors run backwards; trade forwards


def _triangles(rates: np.ndarray, fee: float, labels: Sequence[str]) -> pd.DataFrame:
    n = len(labels)
    i, j, k = np.meshgrid(np.arange(n), np.arange(n), np.arange(n), indexing="ij")
    keep = (i < j) & (i < k) & (j != k)
    i, j, k = i[keep], j[keep], k[keep]
    with np.errstate(invalid="ignore"):
        gross = rates[i, j] * rates[j, k] * rates[k, i]
    priced = np.isfinite(gross)
    i, j, k, gross = i[priced], j[priced], k[priced], gross[priced]
    names = np.asarray(labels, dtype=object)
    frame = pd.DataFrame(
        {
            "first": names[i],
            "second": names[j],
            "third": names[k],
            "gross_return": gross - 1.0,
            "net_return": gross * (1.0 - fee) ** 3 - 1.0,
            "profitable": np.log(gross) + 3 * math.log1p(-fee) > _LOG_TOLERANCE,
        }
    )
    return frame.sort_values("net_return", ascending=False, kind="stable").reset_index(drop=True)


def triangular_arbitrage(
    rates: pd.DataFrame, fee: float = 0.0, max_cycles: int = 10
) -> TriangularArbitrageResult:
    """Profitable conversion cycles in a rate table (see the module docstring).

    ``rates`` must already be validated (square, same labels on both axes, positive or
    NaN; see ``hftlab.types.TriangularArbitrageRequest``).
    """
    labels = [str(c) for c in rates.columns]
    values = rates.to_numpy(dtype=float)
    found = _search_cycles(_weights(values, fee), max_cycles)
    cycles = []
    for cycle in found:
        closed = cycle + cycle[:1]
        gross = float(np.prod(values[closed[:-1], closed[1:]]))
        cycles.append(
            ArbitrageCycle(
                currencies=[labels[c] for c in closed],
                gross_return=gross - 1.0,
                net_return=gross * (1.0 - fee) ** len(cycle) - 1.0,
            )
        )
    cycles.sort(key=lambda c: (-c.net_return, c.currencies))
    return TriangularArbitrageResult(
        cycles=cycles,
        triangles=_triangles(values, fee, labels),
        fee=fee,
        has_arbitrage=bool(cycles),
        best_net_return=cycles[0].net_return if cycles else math.nan,
    )

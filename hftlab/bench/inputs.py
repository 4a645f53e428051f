"""Small representative inputs of each RPC for the benchmark harness.

:data:`INPUTS` maps an RPC name to a function returning the keyword arguments of
its request dataclass (``hftlab.types.REQUEST_TYPES[rpc]``); adding an operation
to the benchmark is one line here. An RPC without an entry is skipped with a note.
Sizes are what a research call typically sends: two years of daily bars, a
universe of ten instruments, a few thousand ticks. Everything is generated from
fixed seeds or read from data shipped with the dependencies (no network).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from hftlab.types import REQUEST_TYPES, Request

BARS = 500


@functools.cache
def _prices(n: int = BARS, seed: int = 0) -> pd.Series:
    """An Ornstein-Uhlenbeck price on business days (half-life 10 bars)."""
    from hftlab.data import ou_process

    series = ou_process(n, kappa=np.log(2) / 10, theta=100.0, seed=seed)
    return pd.Series(series.to_numpy(), index=pd.bdate_range("2020-01-01", periods=n), name="price")


@functools.cache
def _pair(n: int = BARS) -> pd.DataFrame:
    """A cointegrated pair ``x``, ``y = 1.5 x + OU spread``."""
    from hftlab.data import cointegrated_pair

    return cointegrated_pair(n=n, seed=0)


@functools.cache
def _universe(n_assets: int = 10, n: int = BARS) -> pd.DataFrame:
    """Daily closes of the first ``n_assets`` S&P 500 stocks shipped with skfolio, last ``n`` days."""
    from hftlab.data import sp500_prices

    return sp500_prices().iloc[-n:, :n_assets]


@functools.cache
def _returns() -> pd.Series:
    """Daily log returns of the S&P 500 index over 2 years."""
    from hftlab.data import sp500_index

    return np.log(sp500_index()).diff().iloc[-BARS:].rename("log_return")


def _rates() -> pd.DataFrame:
    """A 4-currency rate table with one mispriced cross (USD -> EUR -> GBP -> USD gains 0.3 %)."""
    usd = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 150.0}
    rates = pd.DataFrame({b: {a: usd[b] / usd[a] for a in usd} for b in usd})
    rates.loc["EUR", "GBP"] *= 1.003
    return rates


def _low_rank_plus_sparse(n: int = 60, m: int = 20, rank: int = 2) -> np.ndarray:
    rng = np.random.default_rng(0)
    sparse = np.where(rng.random((n, m)) < 0.05, rng.normal(0, 5, (n, m)), 0.0)
    return rng.normal(size=(n, rank)) @ rng.normal(size=(rank, m)) + sparse


def _lobster() -> dict[str, Any]:
    from hftlab.market.synthetic import synthetic_lobster

    messages, orderbook = synthetic_lobster(500, levels=5)
    return {"messages": messages, "orderbook": orderbook}


@functools.cache
def _zero_intelligence_events() -> np.ndarray:
    """Events of seeded zero-intelligence order flow (a LOBSTER file of the matching engine)."""
    from hftlab.market.event_sources import events_from_lobster
    from hftlab.market.synthetic import synthetic_lobster

    return events_from_lobster(*synthetic_lobster(2_000, levels=5, seed=3), date="2024-01-02")


def _tick_events() -> dict[str, Any]:
    params = {"order_qty": 1.0, "max_position": 5.0, "interval": 0.5}
    return {"events": _zero_intelligence_events(), "params": params}


def _arbitrage_books() -> dict[str, Any]:
    """Three books of a triangle whose cross (ETH/BTC) follows the others 50 ms late (20 s)."""
    from hftlab.market.lead_lag import lagged_triangle
    from hftlab.tick.arbitrage import merge_books

    events, books = merge_books(lagged_triangle(20.0, 0.05, seed=0))
    latency = {"BTC/USDT": 0.001, "ETH/USDT": 0.001, "ETH/BTC": 0.02}
    return {
        "events": events, "books": books, "taker_fee": dict.fromkeys(books, 0.00005),
        "order_latency": latency, "strategy": "triangular",
    }  # fmt: skip


_TWO_STATES = {
    "transition_matrix": [[0.98, 0.02], [0.05, 0.95]],
    "means": [0.0005, -0.001],
    "covariances": [1e-4, 9e-4],
    "start_probabilities": [0.5, 0.5],
}

INPUTS: dict[str, Callable[[], dict[str, Any]]] = {
    "GetServerInfo": dict,
    "CalculateMeanReversion": lambda: {"prices": _prices()},
    "FitOrnsteinUhlenbeck": lambda: {"prices": _prices()},
    "TestCointegration": lambda: {"prices": _pair()},
    "KalmanHedgeRatio": lambda: {"prices": _pair()},
    "ScanPairs": lambda: {"prices": _universe(5)},
    "RunBacktest": lambda: {"prices": _pair()},
    "WalkForward": lambda: {"prices": _pair(), "train": 250, "test": 125, "lookback": (10, 20)},
    "OptimizePortfolio": lambda: {"prices_or_returns": _universe()},
    "EfficientFrontier": lambda: {"prices_or_returns": _universe(), "n_points": 10},
    "RebalancePortfolio": lambda: {"prices_or_returns": _universe(), "window": 250, "rebalance_every": 63},
    "CalculateSparsePortfolio": lambda: {"prices": _universe(), "k": 3},
    "BoxTaoDecomposition": lambda: {"matrix_or_prices": _low_rank_plus_sparse()},
    "RunHMM": lambda: {"observations": _returns(), "n_restarts": 1},
    "SelectHMMStates": lambda: {"observations": _returns(), "candidates": (1, 2), "n_restarts": 1},
    "DetectRegime": lambda: {"returns": _returns(), "n_restarts": 1},
    "FilterRegimes": lambda: {"observations": _returns(), **_TWO_STATES},
    "RunMCMC": lambda: {
        "objective": "ou",
        "spread": _prices(),
        "n_samples": 200,
        "burn_in": 200,
        "n_chains": 2,
    },
    "FindTriangularArbitrage": lambda: {"rates": _rates()},
    "ReplayLobster": _lobster,
    "RunMarketMaking": dict,
    "GetOrderBook": lambda: {"symbol": "AAPL", "ticks": 2_000},
    "StreamMarketData": lambda: {"symbols": ["AAPL"], "batch_size": 1_000, "max_batches": 5},
    "RunTickBacktest": _tick_events,
    "FitIntensity": lambda: {"events": _zero_intelligence_events(), "window": 20.0, "min_count": 3},
    "RunArbitrageBacktest": _arbitrage_books,
}
"""RPC name -> keyword arguments of a representative request."""

STREAM_INPUTS: dict[str, Callable[[bool], dict[str, Any]]] = {
    "StreamMarketData": lambda quick: {
        "symbols": ["AAPL", "MSFT", "SPY"],
        "batch_size": 10_000,
        "max_batches": 5 if quick else 100,
    },
}
"""Tick streams measured in ticks/s: RPC name -> request arguments (``quick`` -> shorter)."""


def request_for(rpc: str, inputs: dict[str, Callable[..., dict[str, Any]]] = INPUTS, *args: Any) -> Request:
    """The benchmark request of ``rpc`` built from ``inputs`` (it validates like any request)."""
    return REQUEST_TYPES[rpc](**inputs[rpc](*args))

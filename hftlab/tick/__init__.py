"""The tick-level backtester behind :func:`hftlab.tick_backtest`: strategies on replayed order
books, with latency, queue position and fees (the engine's fill rules: :mod:`hftlab.tick.engine`)."""

from hftlab.tick.backtest import STRATEGIES
from hftlab.tick.compiled import Compiled
from hftlab.tick.result import TickBacktestResult
from hftlab.tick.strategies import Context, Strategy

__all__ = ["STRATEGIES", "Compiled", "Context", "Strategy", "TickBacktestResult"]

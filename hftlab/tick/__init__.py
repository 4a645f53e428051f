"""The tick-level backtester: strategies on replayed order books, with latency, queue position
and fees (:func:`tick_backtest`; the engine's fill rules: :mod:`hftlab.tick.engine`)."""

from hftlab.tick.backtest import STRATEGIES, tick_backtest
from hftlab.tick.result import TickBacktestResult
from hftlab.tick.strategies import Context, Strategy

__all__ = ["STRATEGIES", "Context", "Strategy", "TickBacktestResult", "tick_backtest"]

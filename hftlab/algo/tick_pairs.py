"""A pairs signal on tick data: two symbols sampled on a clock, traded at the touch.

Ticks of two instruments arrive at irregular times; the signal needs them on
one clock. :func:`sample_quotes` takes the last bid and ask of each symbol at
the end of every ``interval`` (as-of sampling, the previous-tick scheme of
high-frequency econometrics: Hayashi & Yoshida 2005 discuss its bias for
covariances; Ait-Sahalia & Jacod 2014, "High-Frequency Financial Econometrics",
ch. 2). :func:`tick_pairs` then runs the band rule of
:mod:`hftlab.algo.zscore` (Gatev, Goetzmann & Rouwenhorst 2006) on the spread
``y - beta x`` of the mids, with the causal rolling OLS hedge ratio of
:func:`hftlab.algo.backtest.rolling_hedge_ratio`.

Execution crosses the spread: a position change buys at the ask and sells at
the bid of the sample where the signal fires. One spread unit is long one unit
of ``y`` and short ``beta`` units of ``x``, ``beta`` frozen at entry. Equity is
cash plus both legs marked at the mids; ``total_cost`` is what crossing the
spread cost against trading at the mids, so a frictionless run earns exactly
``final_pnl + total_cost``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hftlab.algo.backtest import rolling_hedge_ratio
from hftlab.algo.zscore import band_positions, rolling_zscore
from hftlab.results import Result


@dataclass(frozen=True)
class TickPairsResult(Result):
    """Signal, positions and PnL of a tick-level pairs trade.

    Attributes
    ----------
    quotes : pd.DataFrame
        The sampled quotes: ``{x}_bid``, ``{x}_ask``, ``{y}_bid``, ``{y}_ask`` per sample.
    hedge_ratio : pd.Series
        Rolling OLS slope of the ``y`` mid on the ``x`` mid (NaN during warm-up).
    spread, zscore : pd.Series
        ``y_mid - hedge_ratio * x_mid`` and its rolling z-score.
    position : pd.Series
        Spread units held after each sample (int8): +1 long ``y`` / short ``x``, -1 the reverse.
    units : pd.DataFrame
        Units of ``x`` and ``y`` held after each sample (columns named after the symbols).
    pnl : pd.Series
        Cash plus both legs at the mids.
    n_trades : int
        Position changes (an entry, an exit, or a reversal counts one).
    total_cost : float
        Half-spreads paid on every unit traded.
    final_pnl : float
        Last value of ``pnl``.
    """

    quotes: pd.DataFrame
    hedge_ratio: pd.Series
    spread: pd.Series
    zscore: pd.Series
    position: pd.Series
    units: pd.DataFrame
    pnl: pd.Series
    n_trades: int
    total_cost: float
    final_pnl: float

    def plot(self, entry_z: float | None = None):
        """Z-score of the spread with the position, and the PnL."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        fig = make_subplots(
            rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06, specs=[[{"secondary_y": True}], [{}]]
        )
        fig.add_trace(go.Scatter(x=self.zscore.index, y=self.zscore, name="z-score"), row=1, col=1)
        fig.add_trace(
            go.Scatter(
                x=self.position.index,
                y=self.position,
                name="position",
                line_shape="hv",
                line={"color": "grey", "width": 1},
            ),
            row=1,
            col=1,
            secondary_y=True,
        )
        if entry_z is not None:
            for level in (entry_z, -entry_z):
                fig.add_hline(y=level, line_dash="dash", line_color="grey", row=1, col=1)
        fig.add_trace(go.Scatter(x=self.pnl.index, y=self.pnl, name="pnl"), row=2, col=1)
        fig.update_layout(height=550, title="Pairs on ticks")
        return fig


def sample_quotes(ticks: pd.DataFrame, symbols: list[str], interval: str = "1s") -> pd.DataFrame:
    """Last ``bid``/``ask`` of each symbol at the end of every ``interval`` (as-of sampling).

    ``ticks`` is a tick table as :meth:`hftlab.market.feeds.TickBatch.to_frame` gives
    it: a time index and columns ``symbol``, ``bid``, ``ask``. Rows start at the first
    interval where every symbol has a two-sided quote; columns are ``{symbol}_bid``,
    ``{symbol}_ask``.
    """
    columns = {}
    for symbol in symbols:
        own = ticks[ticks["symbol"] == symbol]
        if own.empty:
            raise ValueError(f"no ticks of {symbol!r}")
        last = own[["bid", "ask"]].resample(interval, label="right", closed="right").last()
        columns[f"{symbol}_bid"], columns[f"{symbol}_ask"] = last["bid"], last["ask"]
    frame = pd.DataFrame(columns).ffill()
    return frame[frame.notna().all(axis=1)]


def tick_pairs(
    quotes: pd.DataFrame, x: str, y: str, lookback: int = 120, entry_z: float = 2.0, exit_z: float = 0.5
) -> TickPairsResult:
    """The z-score band rule on ``y - beta x`` of sampled quotes, traded at the touch (module docstring).

    ``quotes`` holds ``{x}_bid``, ``{x}_ask``, ``{y}_bid``, ``{y}_ask`` columns (see
    :func:`sample_quotes`); ``lookback`` samples set both the hedge-ratio and the
    z-score windows.
    """
    x_bid, x_ask = quotes[f"{x}_bid"].to_numpy(float), quotes[f"{x}_ask"].to_numpy(float)
    y_bid, y_ask = quotes[f"{y}_bid"].to_numpy(float), quotes[f"{y}_ask"].to_numpy(float)
    index = quotes.index
    x_mid = pd.Series((x_bid + x_ask) / 2, index=index)
    y_mid = pd.Series((y_bid + y_ask) / 2, index=index)
    beta = rolling_hedge_ratio(x_mid, y_mid, lookback)
    spread = (y_mid - beta * x_mid).rename("spread")
    zscore = rolling_zscore(spread, lookback)
    position = band_positions(zscore.to_numpy(), entry_z, exit_z)

    n = len(quotes)
    units = np.zeros((n, 2))  # x, y
    cash = np.zeros(n)
    cost, trades, held, balance = 0.0, 0, np.zeros(2), 0.0
    half = np.column_stack([(x_ask - x_bid) / 2, (y_ask - y_bid) / 2])
    mids = np.column_stack([x_mid.to_numpy(), y_mid.to_numpy()])
    for t in range(n):
        previous = 0 if t == 0 else position[t - 1]
        if position[t] != previous:
            trades += 1
            target = np.array([-position[t] * beta.iloc[t], float(position[t])]) if position[t] else np.zeros(2)
            traded = target - held
            balance -= traded @ mids[t] + np.abs(traded) @ half[t]
            cost += float(np.abs(traded) @ half[t])
            held = target
        units[t], cash[t] = held, balance
    pnl = cash + (units * mids).sum(axis=1)
    return TickPairsResult(
        quotes=quotes.astype(float),
        hedge_ratio=beta,
        spread=spread,
        zscore=zscore,
        position=pd.Series(position, index=index, name="position"),
        units=pd.DataFrame(units, index=index, columns=[x, y]),
        pnl=pd.Series(pnl, index=index, name="pnl"),
        n_trades=trades,
        total_cost=cost,
        final_pnl=float(pnl[-1]) if n else 0.0,
    )

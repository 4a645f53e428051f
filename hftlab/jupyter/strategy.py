"""``StrategyExplorer``: the z-score band strategy on a pair, re-run live as sliders move.

A view over :func:`hftlab.backtest` (positions, equity, the spread ``y - beta x``)
and :func:`hftlab.mean_reversion` of that spread (z-score, entries and exits,
AR(1) half-life and ADF p-value): both run on the active backend, so the sliders
drive the gRPC server when one is in use. No computation happens in the widget.
"""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

import hftlab
from hftlab.algo.backtest import BacktestResult
from hftlab.algo.zscore import MeanReversionResult
from hftlab.errors import HftlabError
from hftlab.jupyter.figure import figure_widget

_BAND = {"entry": "#d62728", "exit": "#7f7f7f"}


class StrategyExplorer(widgets.VBox):
    """Sliders for lookback and entry/exit z on a chosen pair; bands, signals and equity update live.

    Parameters
    ----------
    prices : DataFrame, optional
        Positive prices, one column per instrument (at least two). By default a
        synthetic cointegrated pair (``hftlab.data.cointegrated_pair``, seed 0).
    pair : (str, str), optional
        The columns ``(x, y)`` shown first: ``y`` is traded against ``x``.
    lookback, entry_z, exit_z : initial slider values.
    cost : float
        Commission rate per traded notional passed to the backtest.
    """

    def __init__(
        self,
        prices: pd.DataFrame | None = None,
        pair: tuple[str, str] | None = None,
        lookback: int = 20,
        entry_z: float = 2.0,
        exit_z: float = 0.5,
        cost: float = 0.0,
    ) -> None:
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        if prices is None:
            from hftlab.data import cointegrated_pair

            prices = cointegrated_pair(n=750, seed=0)
        if prices.shape[1] < 2:
            raise hftlab.InvalidInput(f"'prices' needs at least 2 columns for a pair; got {prices.shape[1]}.")
        self.prices = prices
        self.cost = cost
        columns = [str(c) for c in prices.columns]
        x, y = pair or (columns[0], columns[1])
        self.x = widgets.Dropdown(options=columns, value=x, description="x", layout={"width": "180px"})
        self.y = widgets.Dropdown(options=columns, value=y, description="y", layout={"width": "180px"})
        slider = {"continuous_update": False, "style": {"description_width": "70px"}}
        self.lookback = widgets.IntSlider(value=lookback, min=5, max=250, description="lookback", **slider)
        self.entry_z = widgets.FloatSlider(
            value=entry_z, min=0.5, max=4.0, step=0.1, description="entry z", **slider
        )
        self.exit_z = widgets.FloatSlider(
            value=exit_z, min=0.0, max=3.0, step=0.1, description="exit z", **slider
        )
        self.status = widgets.HTML()
        self.figure = figure_widget(
            make_subplots(
                rows=3,
                cols=1,
                shared_xaxes=True,
                vertical_spacing=0.04,
                row_heights=[0.3, 0.4, 0.3],
                subplot_titles=("spread y - beta x", "z-score, bands and signals", "equity"),
            )
        )
        self._add_traces(go)
        self.figure.update_layout(height=650, margin={"t": 40}, legend_orientation="h")
        self.backtest: BacktestResult | None = None
        self.signals: MeanReversionResult | None = None
        super().__init__(
            [
                widgets.HBox([self.x, self.y]),
                widgets.HBox([self.lookback, self.entry_z, self.exit_z]),
                self.status,
                self.figure,
            ]
        )
        self.add_class("hftlab-strategy-explorer")
        for control in (self.x, self.y, self.lookback, self.entry_z, self.exit_z):
            control.observe(lambda _change: self.update(), names="value")
        self.update()

    def _add_traces(self, go) -> None:
        add = self.figure.add_trace
        add(go.Scatter(name="spread", line={"color": "#1f77b4"}), row=1, col=1)
        add(go.Scatter(name="z-score", line={"color": "#ff7f0e"}), row=2, col=1)
        for band in ("entry", "exit"):
            for sign in (1, -1):
                add(
                    go.Scatter(
                        name=f"{band} band",
                        mode="lines",
                        showlegend=sign == 1,
                        legendgroup=band,
                        line={"color": _BAND[band], "dash": "dash" if band == "entry" else "dot"},
                    ),
                    row=2,
                    col=1,
                )
        add(
            go.Scatter(
                name="entries", mode="markers", marker={"symbol": "triangle-up", "size": 9, "color": "#2ca02c"}
            ),
            row=2,
            col=1,
        )
        add(
            go.Scatter(name="exits", mode="markers", marker={"symbol": "x", "size": 8, "color": "#000"}),
            row=2,
            col=1,
        )
        add(go.Scatter(name="equity", line={"color": "#9467bd"}), row=3, col=1)

    def update(self) -> None:
        """Re-run the backtest and the signals with the current controls and redraw."""
        pair = self.prices[[self.x.value, self.y.value]]
        lookback, entry_z, exit_z = self.lookback.value, self.entry_z.value, self.exit_z.value
        try:
            if self.x.value == self.y.value:
                raise hftlab.InvalidInput("choose two different instruments for x and y.")
            backtest = hftlab.backtest(pair, lookback, entry_z, exit_z, cost=self.cost)
            signals = hftlab.mean_reversion(backtest.spread.dropna(), lookback, entry_z, exit_z)
        except HftlabError as exc:
            self.status.value = f"<span style='color:#c62828'>{exc}</span>"
            return
        self.backtest, self.signals = backtest, signals
        self._draw(backtest, signals, entry_z, exit_z)

    def _draw(
        self, backtest: BacktestResult, signals: MeanReversionResult, entry_z: float, exit_z: float
    ) -> None:
        spread, z, equity = backtest.spread, signals.zscore, backtest.equity
        index = z.index
        levels = [entry_z, -entry_z, exit_z, -exit_z]
        with self.figure.batch_update():
            data = self.figure.data
            data[0].x, data[0].y = spread.index, spread.to_numpy()
            data[1].x, data[1].y = index, z.to_numpy()
            for trace, level in zip(data[2:6], levels, strict=True):
                trace.x, trace.y = [index[0], index[-1]], [level, level]
            for trace, mask in ((data[6], signals.entries), (data[7], signals.exits)):
                trace.x, trace.y = index[mask.to_numpy()], z[mask].to_numpy()
            data[8].x, data[8].y = equity.index, equity.to_numpy()
        m, s = backtest.metrics, signals.metrics
        self.status.value = (
            f"<b>{self.y.value} vs {self.x.value}</b> · total return {m['total_return']:+.2%} · "
            f"Sharpe {m['sharpe']:.2f} · {int(m['n_trades'])} trades · max drawdown {m['max_drawdown']:.2%}"
            f" · half-life {s['half_life']:.1f} bars · ADF p {s['adf_pvalue']:.3f}"
            f" <small>({hftlab.backend().name})</small>"
        )

"""Market views: a live order book fed by :func:`hftlab.stream_market_data` and HMM regimes.

- :class:`OrderBookView`: start/stop a tick stream of one symbol; a mid and
  spread chart grows with each batch and a depth ladder shows the book at the
  stream's position (:func:`hftlab.order_book` after as many ticks: the same book
  the stream has then, for the deterministic sources).
- :class:`RegimeView`: prices coloured by the Viterbi state of a Gaussian HMM
  fitted to log returns (:func:`hftlab.run_hmm`), with a selector for K.

Both call the active backend; the widgets only draw.
"""

from __future__ import annotations

import threading
import time

import ipywidgets as widgets
import numpy as np
import pandas as pd

import hftlab
from hftlab.algo.hmm import HMMResult
from hftlab.errors import HftlabError
from hftlab.market.book import BookSnapshot
from hftlab.market.feeds import TickBatch

_BID, _ASK, _RED = "#2ca02c", "#d62728", "#c62828"
_STATE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


class OrderBookView(widgets.VBox):
    """Live depth ladder and mid/spread chart of one symbol's tick stream, with start/stop buttons.

    Parameters
    ----------
    symbol, source, seed : what to stream (see :func:`hftlab.stream_market_data`).
    batch_size : int
        Ticks per batch.
    depth : int
        Levels per side in the ladder.
    speed : float, optional
        Pace of the simulated feed (1.0 = real time); ``None``: as fast as it comes.
    max_points : int
        Points kept on the mid/spread chart (the oldest drop off).
    ladder_every : float
        Seconds between ladder refreshes while streaming.
    """

    def __init__(
        self,
        symbol: str = "AAPL",
        source: str = "simulated",
        seed: int = 0,
        batch_size: int = 1_000,
        depth: int = 10,
        speed: float | None = None,
        max_points: int = 5_000,
        ladder_every: float = 0.5,
    ) -> None:
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        self.symbol, self.source, self.seed = symbol, source, seed
        self.batch_size, self.depth, self.speed = batch_size, depth, speed
        self.max_points, self.ladder_every = max_points, ladder_every
        self.start_button = widgets.Button(description="Start", icon="play", button_style="success")
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True)
        self.status = widgets.HTML(f"<b>{symbol}</b> ({source}): stopped")
        self.figure = go.FigureWidget(
            make_subplots(
                rows=2,
                cols=2,
                column_widths=[0.3, 0.7],
                row_heights=[0.65, 0.35],
                horizontal_spacing=0.08,
                specs=[[{"rowspan": 2}, {}], [None, {}]],
                subplot_titles=("depth", "mid", "spread"),
            )
        )
        self.figure.add_trace(go.Bar(name="bids", orientation="h", marker_color=_BID), row=1, col=1)
        self.figure.add_trace(go.Bar(name="asks", orientation="h", marker_color=_ASK), row=1, col=1)
        self.figure.add_trace(go.Scattergl(name="mid", mode="lines"), row=1, col=2)
        spread = go.Scattergl(name="spread", mode="lines", line={"color": "#7f7f7f"})
        self.figure.add_trace(spread, row=2, col=2)
        self.figure.update_layout(height=480, barmode="overlay", showlegend=False, margin={"t": 40})
        self.figure.update_xaxes(title_text="size", row=1, col=1)
        for row in (1, 2):  # tick times travel as epoch milliseconds, drawn as UTC dates
            self.figure.update_xaxes(type="date", row=row, col=2)
        self.batches = 0
        self.ticks = 0
        self.last: TickBatch | None = None
        self.book: BookSnapshot | None = None
        self._time_ms = np.empty(0)
        self._mid = np.empty(0)
        self._spread = np.empty(0)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ladder_at = 0.0
        super().__init__([widgets.HBox([self.start_button, self.stop_button, self.status]), self.figure])
        self.add_class("hftlab-order-book")
        self.start_button.on_click(lambda _button: self.start())
        self.stop_button.on_click(lambda _button: self.stop())

    def run(self, batches: int) -> None:
        """Read ``batches`` more batches in the foreground (what Start does in the background)."""
        self._consume(self.batches + batches)

    def start(self) -> None:
        """Stream in a background thread until :meth:`stop`."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self.start_button.disabled, self.stop_button.disabled = True, False
        self._thread = threading.Thread(target=self._consume, name="hftlab-order-book", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the background stream (the server releases it) and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.start_button.disabled, self.stop_button.disabled = False, True

    def _consume(self, until: int | None = None) -> None:
        stream = hftlab.stream_market_data(
            self.symbol,
            self.source,
            seed=self.seed,
            batch_size=self.batch_size,
            max_batches=until,
            resume_from=self.batches,
            speed=self.speed,
        )
        try:
            for batch in stream:
                self._add(batch)
                if self._stop.is_set():
                    break
            self._show_ladder()
        except HftlabError as exc:
            self.status.value = f"<span style='color:{_RED}'>{exc}</span>"
        finally:
            stream.close()
            self.start_button.disabled, self.stop_button.disabled = False, True

    def _add(self, batch: TickBatch) -> None:
        self.batches, self.ticks, self.last = batch.sequence, self.ticks + len(batch), batch
        keep = -self.max_points
        self._time_ms = np.concatenate([self._time_ms, batch.timestamp / 1e6])[keep:]
        self._mid = np.concatenate([self._mid, batch.mid])[keep:]
        self._spread = np.concatenate([self._spread, batch.ask - batch.bid])[keep:]
        with self.figure.batch_update():
            self.figure.data[2].x, self.figure.data[2].y = self._time_ms, self._mid
            self.figure.data[3].x, self.figure.data[3].y = self._time_ms, self._spread
        self.status.value = (
            f"<b>{self.symbol}</b> ({self.source}): batch {batch.sequence}, {self.ticks:,} ticks · "
            f"bid {batch.bid[-1]:,.2f} · ask {batch.ask[-1]:,.2f} <small>({hftlab.backend().name})</small>"
        )
        if time.monotonic() - self._ladder_at >= self.ladder_every:
            self._show_ladder()

    def _show_ladder(self) -> None:
        if self.last is None:
            return
        ticks = self.ticks if self.source in ("simulated", "replay") else None
        self.book = book = hftlab.order_book(self.symbol, self.depth, self.source, seed=self.seed, ticks=ticks)
        self._ladder_at = time.monotonic()
        with self.figure.batch_update():
            for trace, side in zip(self.figure.data[:2], (book.bids, book.asks), strict=True):
                trace.x, trace.y = side["size"].to_numpy(), side["price"].to_numpy()
            self.figure.layout.annotations[
                0
            ].text = f"depth · spread {book.spread:,.4g} · imbalance {book.imbalance:+.2f}"


class RegimeView(widgets.VBox):
    """Prices coloured by the most likely HMM regime, refitted when K changes.

    The HMM is fitted to log returns (:func:`hftlab.run_hmm`, states ordered by
    mean return); each bar takes the colour of its Viterbi state.

    Parameters
    ----------
    prices : Series, optional
        Positive prices, oldest first. By default the S&P 500 index, 2015-2022
        (``hftlab.data.sp500_index``).
    n_states : int
        K shown first.
    choices : sequence of int
        The K offered by the selector.
    seed : int
        Seed of the HMM restarts.
    """

    def __init__(
        self,
        prices: pd.Series | None = None,
        n_states: int = 2,
        choices: tuple[int, ...] = (2, 3, 4),
        seed: int = 0,
    ) -> None:
        import plotly.graph_objects as go

        if prices is None:
            from hftlab.data import sp500_index

            prices = sp500_index("2015-01-01", "2022-12-31")
        self.prices = prices
        self.seed = seed
        self.returns = np.log(prices).diff().dropna().rename("log_return")
        self.n_states = widgets.ToggleButtons(
            options=list(choices), value=n_states, description="K", style={"button_width": "40px"}
        )
        self.progress = widgets.IntProgress(value=0, min=0, max=1, layout={"width": "120px"})
        self.status = widgets.HTML()
        self.figure = go.FigureWidget(
            layout={
                "height": 420,
                "margin": {"t": 40},
                "legend_orientation": "h",
                "yaxis_title": str(prices.name or "price"),
            }
        )
        self.result: HMMResult | None = None
        super().__init__([widgets.HBox([self.n_states, self.progress, self.status]), self.figure])
        self.add_class("hftlab-regime-view")
        self.n_states.observe(lambda _change: self.update(), names="value")
        self.update()

    def update(self) -> None:
        """Fit the HMM with the selected K and redraw."""
        import plotly.graph_objects as go

        k = self.n_states.value
        self.progress.value, self.progress.bar_style = 0, "info"
        self.status.value = f"fitting a {k}-state HMM on {hftlab.backend().name}…"
        try:
            result = hftlab.run_hmm(self.returns, n_states=k, seed=self.seed)
        except HftlabError as exc:
            self.status.value = f"<span style='color:{_RED}'>{exc}</span>"
            self.progress.bar_style = "danger"
            return
        self.result = result
        self.progress.value, self.progress.bar_style = 1, "success"
        prices = self.prices.reindex(result.viterbi.index)
        traces = [go.Scatter(x=prices.index, y=prices, name="price", line={"color": "lightgrey", "width": 1})]
        means, stds = result.means.iloc[:, 0], result.stds.iloc[:, 0]
        for state in range(k):
            shown = prices.where(result.viterbi == state)
            label = f"state {state}: mean {means.iloc[state]:+.2%}, sd {stds.iloc[state]:.2%}"
            traces.append(
                go.Scatter(
                    x=shown.index,
                    y=shown,
                    name=label,
                    mode="lines",
                    connectgaps=False,
                    line={"color": _STATE_COLOURS[state % len(_STATE_COLOURS)]},
                )
            )
        self.figure.data = []
        self.figure.add_traces(traces)
        self.figure.layout.title = f"Price coloured by the Viterbi state of a {k}-state HMM on log returns"
        share = np.bincount(result.viterbi.to_numpy(), minlength=k) / len(result.viterbi)
        self.status.value = (
            f"log-likelihood {result.log_likelihood:,.1f} · BIC {result.bic:,.1f} · time in "
            f"states {', '.join(f'{s:.0%}' for s in share)}"
        )

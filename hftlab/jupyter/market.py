"""Market views: a live order book fed by :func:`hftlab.stream_market_data` and HMM regimes.

- :class:`OrderBookView`: start/stop a tick stream of one symbol; a mid and
  spread chart grows with each batch and a depth ladder shows the book at the
  stream's position (:func:`hftlab.order_book` after as many ticks: the same book
  the stream has then, for the deterministic sources).
- :class:`RegimeView`: prices coloured by the Viterbi state of a Gaussian HMM
  fitted to log returns (:func:`hftlab.run_hmm`), with a selector for K.

Both call the active backend (a stream: the one active when it starts); the
widgets only draw. Streaming follows :mod:`hftlab.jupyter.live`.
"""

from __future__ import annotations

import html
import threading

import ipywidgets as widgets
import numpy as np
import pandas as pd

import hftlab
from hftlab.algo.hmm import HMMResult
from hftlab.backends import Backend
from hftlab.errors import HftlabError
from hftlab.jupyter import live
from hftlab.jupyter.figure import figure_widget
from hftlab.market.book import BookSnapshot
from hftlab.market.feeds import Pacer, TickBatch
from hftlab.types.market import GetOrderBookRequest, StreamMarketDataRequest

_BID, _ASK, _RED = "#2ca02c", "#d62728", "#c62828"
_STATE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


class OrderBookView(widgets.VBox):
    """Live depth ladder and mid/spread chart of one symbol's tick stream, with start/stop buttons.

    The stream runs on the backend active when it starts (named in the header)
    and in a background thread (:mod:`hftlab.jupyter.live`): the view redraws at
    most ``max_rate`` times per second whatever the feed's rate, and each redraw
    shows one batch everywhere (header, ladder, mid and spread, in one figure
    update). The ladder is :func:`hftlab.order_book` after as many ticks as the
    stream has read (the stream's own book for the deterministic sources; the
    simulated book is continued, not replayed, from one redraw to the next).
    ``speed`` is paced here, between batches, so Stop, closing the widget or
    interrupting the kernel ends the thread within one batch read.

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
    max_rate : float
        Redraws per second at most while streaming.
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
        max_rate: float = live.MAX_RATE,
    ) -> None:
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        self.symbol, self.source, self.seed = symbol, source, seed
        self.batch_size, self.depth, self.speed = batch_size, depth, speed
        self.max_points, self.max_rate = max_points, max_rate
        self.start_button = widgets.Button(description="Start", icon="play", button_style="success")
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True)
        self.status = widgets.HTML(f"<b>{symbol}</b> ({source}): stopped")
        self.figure = figure_widget(
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
        self.figure.update_layout(height=480, barmode="overlay", showlegend=False, margin={"t": 70})
        self.figure.update_xaxes(title_text="size", row=1, col=1)
        for row in (1, 2):  # tick times travel as epoch milliseconds, drawn as UTC dates
            self.figure.update_xaxes(type="date", row=row, col=2)
        self.batches = 0
        self.ticks = 0
        self.draws = 0
        self.last: TickBatch | None = None
        self.book: BookSnapshot | None = None
        self._time_ms = np.empty(0)
        self._mid = np.empty(0)
        self._spread = np.empty(0)
        self._live = live.LiveThread(f"hftlab-order-book-{symbol}")
        super().__init__([widgets.HBox([self.start_button, self.stop_button, self.status]), self.figure])
        self.add_class("hftlab-order-book")
        self.start_button.on_click(lambda _button: self.start())
        self.stop_button.on_click(lambda _button: self.stop())
        live.stop_when_closed(self, self.stop)

    @property
    def running(self) -> bool:
        """Whether the background stream is running."""
        return self._live.running

    def run(self, batches: int) -> None:
        """Read ``batches`` more batches in the foreground (what Start does in the background)."""
        if self.running:
            raise RuntimeError("the stream is running in the background; stop it first")
        self._read(threading.Event(), hftlab.backend(), until=self.batches + batches)

    def start(self) -> None:
        """Stream in a background thread until :meth:`stop` (or the widget closes, or an interrupt)."""
        backend = hftlab.backend()
        if self._live.start(lambda stopping: self._read(stopping, backend)):
            self.start_button.disabled, self.stop_button.disabled = True, False
            self.status.value = f"<b>{self.symbol}</b> ({self.source}): streaming on {backend.address}"

    def stop(self, timeout: float = live.JOIN_TIMEOUT) -> None:
        """Stop the background stream (the server releases it) and wait for the thread."""
        self._live.stop(timeout)

    def close(self) -> None:
        """Stop the stream and close the widget."""
        self.stop()
        super().close()

    def _read(self, stopping: threading.Event, backend: Backend, until: int | None = None) -> None:
        """Read the stream, drawing through a throttle; batches read after a stop are not shown."""
        pacer, throttle = Pacer(self.speed), live.Throttle(self.max_rate)
        pending: list[TickBatch] = []
        stream = None
        try:
            request = StreamMarketDataRequest(
                [self.symbol], self.source, self.seed, self.batch_size, until, self.batches
            )
            stream = backend.stream(request)
            for batch in stream:
                if stopping.wait(pacer.delay(batch)):  # paced here: a stop ends the wait
                    break
                pending.append(batch)
                if throttle.due():
                    self._draw(pending, backend)
                    pending = []
            if pending and not stopping.is_set():
                self._draw(pending, backend)
            self.status.value = f"<b>{self.symbol}</b> ({self.source}): stopped at batch {self.batches}"
        except HftlabError as exc:
            self.status.value = f"<span style='color:{_RED}'>{html.escape(str(exc), quote=False)}</span>"
        finally:
            if stream is not None:
                stream.close()
            self.start_button.disabled, self.stop_button.disabled = False, True

    def _draw(self, batches: list[TickBatch], backend: Backend) -> None:
        """Show the batches read since the last redraw: header, ladder and chart at the last one."""
        last, ticks = batches[-1], self.ticks + sum(len(batch) for batch in batches)
        known = ticks if self.source in ("simulated", "replay") else None
        book = backend.execute(GetOrderBookRequest(self.symbol, self.depth, self.source, self.seed, known))
        keep = -self.max_points
        time_ms = np.concatenate([self._time_ms, *(batch.timestamp / 1e6 for batch in batches)])[keep:]
        mid = np.concatenate([self._mid, *(batch.mid for batch in batches)])[keep:]
        spread = np.concatenate([self._spread, *(batch.ask - batch.bid for batch in batches)])[keep:]
        quote = f" · bid {last.bid[-1]:,.2f} · ask {last.ask[-1]:,.2f}" if len(last) else ""
        with self.figure.batch_update():  # one message: the front end never shows a mix of batches
            for trace, side in zip(self.figure.data[:2], (book.bids, book.asks), strict=True):
                trace.x, trace.y = side["size"].to_numpy(), side["price"].to_numpy()
            self.figure.data[2].x, self.figure.data[2].y = time_ms, mid
            self.figure.data[3].x, self.figure.data[3].y = time_ms, spread
            self.figure.layout.annotations[
                0
            ].text = f"depth · spread {book.spread:,.4g} · imbalance {book.imbalance:+.2f}"
            self.figure.layout.title.text = (
                f"<b>{self.symbol}</b> ({self.source}) batch {last.sequence}, {ticks:,} ticks{quote}"
                f" <sup>on {backend.address}</sup>"
            )
        self._time_ms, self._mid, self._spread = time_ms, mid, spread
        self.batches, self.ticks, self.last, self.book = last.sequence, ticks, last, book
        self.draws += 1


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
        self.figure = figure_widget(
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

"""The order-arrival intensity ``lambda(delta) = A exp(-k delta)`` of a replayed book.

Avellaneda & Stoikov (2008, section 2.4) model the market orders that reach a quote
``delta`` from the mid as a Poisson process of rate ``lambda(delta) = A exp(-k delta)``; their
market maker, and GLFT's, take ``A`` and ``k`` (:mod:`hftlab.tick.market_makers`). This
measures it as hftbacktest's GLFT tutorial does (*GLFT market making model and grid
trading*: each market order's arrival depth, counted per depth, a line fitted to the log of
the counts), on our events and in our units:

- the book is replayed (L2 levels; L3 orders summed by price); a **market order** is the
  trades of one aggressor side at one exchange time (a sweep prints one trade per level), and
  its **depth** is how far its deepest print lies beyond the mid the book had before that
  time (buys above it, sells below; a trade of unknown side is a buy above the mid, a sell
  below it). It would have filled any of our quotes from the mid up to that depth;
- ``lambda(delta)`` at each depth ``delta`` reached is the number of market orders that
  reached ``delta`` or beyond, per second and per side (both sides counted, divided by two);
- ``log lambda = log A - k delta`` is fitted by weighted least squares over the depths
  reached by at least ``min_count`` market orders, with weights the counts (a count ``n``
  has a log with variance about ``1 / n``); standard errors are the regression's (scale
  estimated from the weighted residuals, that of ``A`` by the delta method), which treats the
  depths as independent: counts of orders reaching ``delta`` or beyond are not, so these
  understate the sampling error (the spread of the windows' fits is the better gauge);
- over ``window`` seconds every ``step``, the same fit per window (``windows``): how
  stable ``A`` and ``k`` are (hftbacktest re-fits over a rolling window while it quotes).

Depths are in price (``k`` per unit of price), rates per second (``A`` per second), as the
market makers take them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hftlab import validation as v
from hftlab.errors import InvalidInput
from hftlab.jit import kernel
from hftlab.results import Result
from hftlab.tick import engine as k
from hftlab.tick.backtest import _seconds
from hftlab.tick.source import open_source

G_TS, G_MID, P_TS, P_SIDE, P_DEPTH, PENDING = range(6)  # the book's time and mid; the market order open


@dataclass(frozen=True)
class IntensityFit(Result):
    """The arrival intensity ``lambda(delta) = A exp(-k delta)`` fitted to a book's trades
    (:func:`hftlab.fit_intensity`).

    Attributes
    ----------
    A, k : float
        Rate per second (per side) of market orders reaching the mid, and decay per unit of price.
    A_stderr, k_stderr : float
        The regression's standard errors (NaN with only two depths fitted); they understate
        the sampling error (see :mod:`hftlab.tick.intensity`).
    r_squared : float
        Weighted R^2 of the log-linear fit.
    arrivals : int
        Market orders that went beyond the mid (both sides).
    depths_used : int
        Depths in the fit (reached by at least ``min_count`` market orders).
    duration : float
        Seconds the events span.
    tick_size : float
        Price grid of the depths (half a tick apart, from the mid).
    intensity : DataFrame
        Per depth reached: ``depth`` (price), ``arrivals`` (market orders reaching it or
        beyond), ``rate`` (per second and side), ``fitted`` (``A exp(-k depth)``), ``used``.
    windows : DataFrame
        Per rolling window (none without ``window``): ``start_ts``, ``end_ts`` (ns),
        ``arrivals``, ``A``, ``k``, ``r_squared`` (NaN where fewer than two depths qualify).
    """

    A: float
    k: float
    A_stderr: float
    k_stderr: float
    r_squared: float
    arrivals: int
    depths_used: int
    duration: float
    tick_size: float
    intensity: pd.DataFrame
    windows: pd.DataFrame

    @property
    def params(self) -> dict[str, float]:
        """``{"A": ..., "k": ...}`` for the market makers of :func:`hftlab.tick_backtest`."""
        return {"A": self.A, "k": self.k}

    def plot(self):
        """Observed and fitted intensity against depth (log scale); ``k`` per window if any."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        rows = 2 if len(self.windows) else 1
        fig = make_subplots(rows=rows, cols=1, vertical_spacing=0.12)
        table = self.intensity
        for used, name, colour in (
            (True, "observed (fitted)", "#1565c0"),
            (False, "observed (too few)", "#9e9e9e"),
        ):
            part = table[table["used"] == used]
            fig.add_trace(
                go.Scatter(
                    x=part["depth"], y=part["rate"], mode="markers", name=name, marker={"color": colour}
                ),
                row=1,
                col=1,
            )
        fig.add_trace(
            go.Scatter(x=table["depth"], y=table["fitted"], name=f"{self.A:.3g} exp(-{self.k:.3g} δ)"),
            row=1,
            col=1,
        )
        fig.update_yaxes(type="log", title_text="market orders / s reaching δ", row=1, col=1)
        fig.update_xaxes(title_text="depth δ from the mid", row=1, col=1)
        if rows == 2:
            start = pd.to_datetime(self.windows["start_ts"], utc=True)
            fig.add_trace(go.Scatter(x=start, y=self.windows["k"], name="k per window"), row=2, col=1)
            fig.update_yaxes(title_text="k", row=2, col=1)
        fig.update_layout(height=350 * rows, title=f"Order-arrival intensity (R² {self.r_squared:.3f})")
        return fig


@kernel()
def _arrivals(events, tick, bid, ask, ints, state, out_ts, out_side, out_depth):
    """Replay ``events`` on the book (``bid``, ``ask``, best levels in ``ints``) and write each
    market order completed (time, aggressor side, depth in half ticks from the mid before its
    time); ``state`` carries the open one across chunks. Returns how many were written."""
    tick0, n, size = ints[k.TICK0], 0, len(bid)
    for e in range(len(events)):
        event = events[e]
        ts, kind, side = event["exch_ts"], event["kind"], event["side"]
        if ts != state[G_TS]:
            state[G_TS] = ts
            has_both = ints[k.BB] >= 0 and ints[k.BA] < size
            state[G_MID] = ints[k.BB] + ints[k.BA] + 2 * tick0 if has_both else -1
        if kind == k.CLEAR:
            k.clear_sides(side, bid, ask, ints, k.BB, k.BA)
            continue
        if not k.PRICED_KINDS[kind]:
            continue
        j = np.int64(np.round(event["price"] / tick))  # the price in ticks
        if kind == k.TRADE or kind == k.EXECUTE:
            aggressor = side if kind == k.TRADE else -side
            mid = state[G_MID]
            if aggressor == 0 and mid >= 0:
                aggressor = 1 if 2 * j > mid else (-1 if 2 * j < mid else 0)
            if aggressor != 0 and mid >= 0:
                depth = aggressor * (2 * j - mid)
                if state[PENDING] == 1 and state[P_TS] == ts and state[P_SIDE] == aggressor:
                    state[P_DEPTH] = max(state[P_DEPTH], depth)
                else:
                    if state[PENDING] == 1:
                        out_ts[n], out_side[n], out_depth[n] = state[P_TS], state[P_SIDE], state[P_DEPTH]
                        n += 1
                    state[P_TS], state[P_SIDE], state[P_DEPTH], state[PENDING] = ts, aggressor, depth, 1
        if kind != k.TRADE:
            levels, slot = (bid, k.BB) if side > 0 else (ask, k.BA)
            k.apply_event(levels, ints, slot, kind, side, j - tick0, event["qty"])
    return n


def check_intensity(tick_size, window, step, max_depth, min_count) -> dict[str, Any]:
    """The settings of :func:`fit_intensity` checked, durations in seconds (the one validation
    of the request and of the function)."""
    checked = {
        "tick_size": None if tick_size is None else v.check_float("tick_size", tick_size, low=1e-9, high=1e9),
        "window": None if window is None else _seconds("window", window, positive=True),
        "max_depth": None if max_depth is None else v.check_float("max_depth", max_depth, low=0, low_open=True),
        "min_count": v.check_int("min_count", min_count, low=1),
    }
    if step is not None and window is None:
        raise InvalidInput("'step' needs a 'window' (the rolling windows it moves).")
    checked["step"] = None if step is None else _seconds("step", step, positive=True)
    return checked


def fit_intensity(
    events: Any = None,
    path: str | None = None,
    tick_size: float | None = None,
    window: float | None = None,
    step: float | None = None,
    max_depth: float | None = None,
    min_count: int = 10,
) -> IntensityFit:
    """Fit ``A exp(-k delta)`` to the market orders of ``events`` (or of the file ``path``), as
    the module docstring describes; settings as :func:`check_intensity` checks them."""
    settings = check_intensity(tick_size, window, step, max_depth, min_count)
    source = open_source(events if events is not None else path)
    survey = source.survey(settings["tick_size"], None)
    size = survey.high - survey.low + 1
    ints = np.zeros(k.N_INTS, np.int64)
    k.empty_books(ints, size)
    ints[k.TICK0] = survey.low
    bid, ask, state = np.zeros(size), np.zeros(size), np.zeros(6, np.int64)
    state[G_TS] = -1
    parts = []
    for chunk in source.chunks(survey):
        out = np.zeros(len(chunk), np.int64), np.zeros(len(chunk), np.int64), np.zeros(len(chunk), np.int64)
        n = _arrivals(chunk, survey.tick, bid, ask, ints, state, *out)
        parts.append(np.stack([column[:n] for column in out]))
    if state[PENDING]:
        parts.append(state[[P_TS, P_SIDE, P_DEPTH]].reshape(3, 1))
    times, _, depths = np.concatenate(parts, axis=1)
    duration = (survey.last_exch - survey.first_exch) / 1e9
    if duration <= 0:
        raise InvalidInput("'events' must span some time to measure a rate; they all share one timestamp.")
    half = survey.tick / 2
    limit = math.inf if settings["max_depth"] is None else settings["max_depth"] / half + 1e-9
    beyond = (depths > 0) & (depths <= limit)
    times, depths = times[beyond], depths[beyond]
    table, fit = _fit(depths, duration, settings["min_count"], half)
    if fit is None:
        raise InvalidInput(
            f"'events' have too few market orders to fit: {int(table['used'].sum())} depth(s) reached by at "
            f"least min_count={settings['min_count']} of them (of {len(depths)}); the fit needs 2. Lower "
            "'min_count' or give more data."
        )
    log_a, slope, se_log_a, se_slope, r_squared = fit
    A, k_ = math.exp(log_a), -slope
    table["fitted"] = A * np.exp(-k_ * table["depth"].to_numpy())
    return IntensityFit(
        A=A,
        k=k_,
        A_stderr=A * se_log_a,
        k_stderr=se_slope,
        r_squared=r_squared,
        arrivals=len(depths),
        depths_used=int(table["used"].sum()),
        duration=duration,
        tick_size=survey.tick,
        intensity=table[["depth", "arrivals", "rate", "fitted", "used"]],
        windows=_windows(times, depths, survey, settings, half),
    )


def _fit(depths: np.ndarray, duration: float, min_count: int, half: float):
    """The intensity table of ``depths`` (half ticks) over ``duration`` seconds, and the
    weighted fit of its log (log A, slope, their standard errors, R^2), None below two depths."""
    levels = np.unique(depths)
    reached = len(depths) - np.searchsorted(np.sort(depths), levels, side="left")
    table = pd.DataFrame(
        {"depth": levels * half, "arrivals": reached.astype(np.int64), "rate": reached / (2 * duration)}
    )
    table["used"] = table["arrivals"] >= min_count
    used = table[table["used"]]
    if len(used) < 2:
        return table, None
    x, y, w = used["depth"].to_numpy(), np.log(used["rate"].to_numpy()), used["arrivals"].to_numpy(float)
    design = np.column_stack([np.ones_like(x), x])
    normal = design.T @ (w[:, None] * design)
    beta = np.linalg.solve(normal, design.T @ (w * y))
    residual = y - design @ beta
    ssr = float(w @ residual**2)
    centred = float(w @ (y - np.average(y, weights=w)) ** 2)
    scale = ssr / (len(x) - 2) if len(x) > 2 else math.nan
    se = np.sqrt(np.diag(np.linalg.inv(normal)) * scale)
    r_squared = 1 - ssr / centred if centred > 0 else math.nan
    return table, (float(beta[0]), float(beta[1]), float(se[0]), float(se[1]), r_squared)


def _windows(times, depths, survey, settings, half) -> pd.DataFrame:
    """The fit per rolling window of ``window`` seconds every ``step`` (whole windows only)."""
    rows = []
    if settings["window"] is not None:
        width = round(settings["window"] * 1e9)
        stride = round((settings["step"] or settings["window"]) * 1e9)
        for start in range(survey.first_exch, survey.last_exch - width + 1, stride):
            inside = depths[(times >= start) & (times < start + width)]
            _, fit = _fit(inside, width / 1e9, settings["min_count"], half)
            A, k_, r_squared = (math.nan,) * 3 if fit is None else (math.exp(fit[0]), -fit[1], fit[4])
            rows.append((start, start + width, len(inside), A, k_, r_squared))
    columns = ["start_ts", "end_ts", "arrivals", "A", "k", "r_squared"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype(
        {
            "start_ts": np.int64,
            "end_ts": np.int64,
            "arrivals": np.int64,
            "A": float,
            "k": float,
            "r_squared": float,
        }
    )

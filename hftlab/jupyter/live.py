"""Widgets that stream: one background thread each, a bounded redraw rate, prompt and automatic stops.

A streaming widget (:class:`~hftlab.jupyter.market.OrderBookView`) reads its
stream in a :class:`LiveThread` and redraws through a :class:`Throttle`: at
most :data:`MAX_RATE` times per second whatever the feed's rate, each redraw
showing everything read since the last one at once (updates coalesced, as in
ipywidgets' ``hold_sync`` and plotly's ``batch_update``). The thread never
waits longer than one batch read or one redraw, so it stops within a fraction
of a second of:

- ``stop()`` (the Stop button);
- the widget closing: ``close()``, its comm closed by the front end, or its
  last view removed (the notebook tab closed; :func:`stop_when_closed`);
- a kernel interrupt: of a running cell (IPython's ``post_run_cell`` event
  sees the ``KeyboardInterrupt``) or of an idle kernel (ipykernel ignores
  SIGINT between messages and restores ``kernel.saved_sigint_handler`` after
  each one; that handler is chained with :func:`stop_all`).
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections.abc import Callable

MAX_RATE = 10.0
"""Redraws per second at most."""

JOIN_TIMEOUT = 5.0
"""Seconds :meth:`LiveThread.stop` waits for the thread (it ends within one batch read or redraw)."""

_running: weakref.WeakSet[LiveThread] = weakref.WeakSet()
_watching = False


class Throttle:
    """Says when a redraw is due: at most ``rate`` times per second, the first call at once."""

    def __init__(self, rate: float = MAX_RATE) -> None:
        self.interval = 1.0 / rate
        self._last = -math.inf

    def due(self) -> bool:
        now = time.monotonic()
        if now - self._last < self.interval:
            return False
        self._last = now
        return True


class LiveThread:
    """Runs ``work(stopping)`` in a daemon thread until it returns or :meth:`stop` sets ``stopping``.

    ``work`` checks the event between batches and waits on it (``stopping.wait``)
    instead of sleeping, so a stop ends it at once.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, work: Callable[[threading.Event], None]) -> bool:
        """Start ``work`` unless it is running; whether it was started."""
        if self.running:
            return False
        _watch_interrupts()
        self.stopping.clear()
        self._thread = threading.Thread(target=work, args=(self.stopping,), name=self.name, daemon=True)
        _running.add(self)
        self._thread.start()
        return True

    def stop(self, timeout: float = JOIN_TIMEOUT) -> None:
        """Ask the thread to stop and wait up to ``timeout`` seconds for it to end."""
        self.stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)


def stop_all() -> None:
    """Ask every running stream to stop (without waiting: this may run in a signal handler)."""
    for live in list(_running):
        live.stopping.set()


def stop_when_closed(widget, stop: Callable[[], None]) -> None:
    """Call ``stop()`` when the front end closes ``widget``'s comm or removes its last view.

    The view count is ipywidgets' ``_view_count`` (tracked once set to 0).
    """
    widget.comm.on_close(lambda _message: stop())
    widget._view_count = 0

    def views_changed(change) -> None:
        if change["old"] and not change["new"]:
            stop()

    widget.observe(views_changed, names="_view_count")


def _after_cell(result) -> None:
    if isinstance(result.error_in_exec, KeyboardInterrupt):
        stop_all()


def _watch_interrupts() -> None:
    """Stop the streams on a kernel interrupt (see the module docstring); once per kernel."""
    global _watching
    from IPython import get_ipython

    shell = get_ipython()
    if _watching or shell is None:
        return
    shell.events.register("post_run_cell", _after_cell)
    kernel = getattr(shell, "kernel", None)
    if kernel is not None and hasattr(kernel, "saved_sigint_handler"):
        idle = kernel.saved_sigint_handler

        def interrupted(signum, frame) -> None:
            stop_all()
            if callable(idle):
                idle(signum, frame)

        kernel.saved_sigint_handler = interrupted
    _watching = True

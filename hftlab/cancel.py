"""Cooperative cancellation: long computations stop when their caller no longer waits.

A server runs each call in a :func:`scope` with its own :class:`CancelToken`, cancelled when
the client cancels, its deadline passes or the server stops. Long loops (MCMC iterations, EM
iterations, scan chunks, tick-engine chunks, stream batches) call :func:`check` every few
milliseconds of work and raise :class:`~hftlab.errors.Cancelled` once their token is
cancelled; waits use :func:`sleep`, which wakes up at once. Outside a scope (the local backend)
:func:`check` costs one attribute lookup and never raises. The token is per thread: work that
a call spreads over other threads passes it on with :func:`scope`.

The same pattern as Go's ``context.Context`` (``ctx.Done()`` checked in loops) and .NET's
``CancellationToken.ThrowIfCancellationRequested``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from hftlab.errors import Cancelled

__all__ = ["CancelToken", "check", "current", "scope", "sleep"]


class CancelToken:
    """Set once, by whoever decides the work is no longer wanted (with the reason).

    A plain flag: the event :meth:`wait` sleeps on is made only when the work waits (one
    token per server call, most of which never wait), by the one thread doing that work.
    """

    __slots__ = ("_children", "_event", "cancelled", "reason")

    def __init__(self) -> None:
        self.cancelled = False
        self.reason = ""
        self._event: threading.Event | None = None
        self._children: list[CancelToken] = []

    def cancel(self, reason: str = "the call was cancelled") -> None:
        """Cancel this token and the tokens made by its :meth:`child`."""
        if not self.cancelled:
            self.reason = reason
            self.cancelled = True
        if (event := self._event) is not None:
            event.set()
        for child in list(self._children):
            child.cancel(self.reason)

    def child(self) -> CancelToken:
        """A token cancelled with this one, and which can be cancelled alone (work handed to
        another thread that its caller may abandon)."""
        token = CancelToken()
        self._children.append(token)
        if self.cancelled:
            token.cancel(self.reason)
        return token

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds``; whether the token was cancelled meanwhile."""
        if self._event is None:
            self._event = threading.Event()  # made before reading the flag: cancel() sees one or the other
        return self.cancelled or self._event.wait(seconds)


_local = threading.local()


def current() -> CancelToken | None:
    """The token of the work this thread does now (``None`` outside a :func:`scope`)."""
    return getattr(_local, "token", None)


def check() -> None:
    """Raise :class:`~hftlab.errors.Cancelled` if this thread's work was cancelled."""
    token = getattr(_local, "token", None)
    if token is not None and token.cancelled:
        raise Cancelled(token.reason)


def sleep(seconds: float) -> None:
    """``time.sleep`` that ends early (raising :class:`~hftlab.errors.Cancelled`) on cancellation."""
    token = current()
    if token is None:
        time.sleep(seconds)
    elif token.wait(seconds):
        raise Cancelled(token.reason)


@contextlib.contextmanager
def scope(token: CancelToken | None) -> Iterator[CancelToken | None]:
    """Run the block's work (in this thread) under ``token``."""
    previous = current()
    _local.token = token
    try:
        yield token
    finally:
        _local.token = previous

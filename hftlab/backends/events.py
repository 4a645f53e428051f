"""What happens to the backends, told to whoever observes it.

The state is one: the active backend (:func:`hftlab.backend`). Views that show
it (the Jupyter widgets) register an observer with :func:`observe` and re-read
that state on each event instead of keeping their own copy (the
observer pattern of ipywidgets' ``observe`` and traitlets)::

    stop = hftlab.backends.observe(lambda event: print(event.kind, event.address))
    hftlab.use("local")  # prints "switch local"
    stop()

Events:

- ``switch``: :func:`hftlab.use` made ``address`` the active backend;
- ``stop``: the server at ``address`` stopped (:func:`hftlab.backends.stopped`); the
  local backend is active if that server was;
- ``failure``: a call to the server at ``address`` failed because the server is
  unreachable or refused the credentials (``message`` says which).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BackendEvent:
    """One event: ``kind`` (``"switch"``, ``"stop"`` or ``"failure"``), the backend's ``address``
    and, for a failure, the error ``message``."""

    kind: str
    address: str
    message: str = ""


_lock = threading.Lock()
_observers: list[Callable[[BackendEvent], None]] = []


def observe(callback: Callable[[BackendEvent], None]) -> Callable[[], None]:
    """Call ``callback(event)`` on every backend event, in the thread that caused it.

    Returns the function that stops the calls (a widget calls it when closed).
    """
    with _lock:
        _observers.append(callback)

    def unobserve() -> None:
        with _lock:
            if callback in _observers:
                _observers.remove(callback)

    return unobserve


def notify(kind: str, address: str, message: str = "") -> None:
    """Tell every observer (outside the lock: an observer may read or change the backend)."""
    event = BackendEvent(kind, address, message)
    with _lock:
        observers = list(_observers)
    for callback in observers:
        callback(event)

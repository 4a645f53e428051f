"""Exponential backoff with jitter: the pauses of every reconnect and retry loop.

The first pause is ``base`` seconds and each failure doubles the delay, up to
``maximum``; a success resets it. With ``jitter``, each pause is the delay times a
uniform factor in ``[1 - jitter, 1 + jitter]`` (the doubling itself stays exact),
so that many clients cut off together do not come back in lockstep. The caller
sleeps (``asyncio.sleep`` or ``time.sleep``). Nothing from hftlab is imported
here, so :mod:`hftlab.market` and :mod:`hftlab.backends` may both use it.
"""

from __future__ import annotations

import math
import random


class Backoff:
    """Delays ``base * 2**k`` capped at ``maximum``, each times ``uniform(1 - jitter, 1 + jitter)``.

    ``failures`` counts the pauses handed out since the last :meth:`reset`. ``rng``
    draws the jitter (default: the :mod:`random` module; pass a seeded
    ``random.Random`` for repeatable pauses); without jitter nothing is drawn.
    """

    def __init__(self, base: float, maximum: float = math.inf, jitter: float = 0.0, rng=random) -> None:
        self.base, self.maximum, self.jitter, self.rng = base, maximum, jitter, rng
        self.reset()

    def reset(self) -> None:
        """Back to ``base`` (after a success)."""
        self.delay, self.failures = self.base, 0

    def next_delay(self) -> float:
        """The pause before the next attempt; counts a failure and doubles the delay for the one after."""
        self.failures += 1
        pause = self.delay * self.rng.uniform(1 - self.jitter, 1 + self.jitter) if self.jitter else self.delay
        self.delay = min(2 * self.delay, self.maximum)
        return pause

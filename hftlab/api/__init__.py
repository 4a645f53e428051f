"""The operations of hftlab: each builds its request and runs it on the active backend.

This is the facade the rest of the product extends: one function per
operation (in the module of its domain), same name and arguments whichever
backend is active. ``__all__`` is the union of the domain modules'.
"""

from hftlab.api import base, market, portfolio, regimes, research, statarb, tick
from hftlab.api.base import *  # noqa: F403
from hftlab.api.market import *  # noqa: F403
from hftlab.api.portfolio import *  # noqa: F403
from hftlab.api.regimes import *  # noqa: F403
from hftlab.api.research import *  # noqa: F403
from hftlab.api.statarb import *  # noqa: F403
from hftlab.api.tick import *  # noqa: F403

__all__ = sorted(
    name for module in (base, market, portfolio, regimes, research, statarb, tick) for name in module.__all__
)

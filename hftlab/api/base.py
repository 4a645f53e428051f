"""What every operation shares: input types and the server-info call."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hftlab.backends import backend
from hftlab.types import ServerInfo, ServerInfoRequest

__all__ = ["server_info"]

ArrayLike = Sequence[float] | np.ndarray | pd.Series
"""A one-dimensional numeric input: list, numpy array or pandas Series."""

FrameLike = pd.DataFrame | np.ndarray
"""A table of numbers: DataFrame (columns = instruments) or 2-D array."""


def server_info() -> ServerInfo:
    """Version, process, uptime and served operations of the active backend."""
    return backend().execute(ServerInfoRequest())

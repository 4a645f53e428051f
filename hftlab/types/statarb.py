"""Requests of the statistical-arbitrage operations (mean reversion, pairs, backtests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from hftlab import validation as v
from hftlab.algo.zscore import MeanReversionResult
from hftlab.types.base import Request


@dataclass(frozen=True)
class MeanReversionRequest(Request):
    """Rolling z-score signals of ``prices`` (see :func:`hftlab.mean_reversion`)."""

    rpc: ClassVar[str] = "CalculateMeanReversion"
    result_type: ClassVar[type] = MeanReversionResult

    prices: pd.Series
    lookback: int = 20
    entry_z: float = 2.0
    exit_z: float = 0.5

    def __post_init__(self) -> None:
        lookback = v.check_int("lookback", self.lookback, low=2)
        self._set("lookback", lookback)
        self._set("prices", v.as_series(self.prices, "prices", min_length=max(lookback, 20)))
        v.check_not_constant("prices", self.prices)
        entry_z = v.check_float("entry_z", self.entry_z, low=0, low_open=True)
        exit_z = v.check_float("exit_z", self.exit_z, low=0)
        if exit_z >= entry_z:
            raise v.fail("exit_z", f"smaller than entry_z ({entry_z})", exit_z)
        self._set("entry_z", entry_z)
        self._set("exit_z", exit_z)

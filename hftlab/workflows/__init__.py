"""Work made of many operations, above :mod:`hftlab.api`: parameter sweeps (serial or Dask),
strategy search, notebook reports and their golden values.

- :mod:`~hftlab.workflows.sweeps`: ``hftlab.sweep``, a grid of any operation or callable;
- :mod:`~hftlab.workflows.search`: ``hftlab.optimize_strategy``, grid or differential-evolution
  search of walk-forward backtests;
- :mod:`~hftlab.workflows.reports`: ``hftlab report`` (papermill, both backends) and
  ``hftlab.record`` for the values a notebook reports;
- :mod:`~hftlab.workflows.golden`: the values each notebook must reproduce.
"""

from hftlab.workflows.reports import record
from hftlab.workflows.search import optimize_strategy
from hftlab.workflows.sweeps import sweep

__all__ = ["optimize_strategy", "record", "sweep"]

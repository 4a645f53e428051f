"""Data a user needs: sample datasets from a registry, shipped datasets, price files, seeded generators.

- :func:`lobster_sample`, :func:`exchange_capture`, :func:`fetch`: public samples (LOBSTER,
  exchange captures) from one registry (:data:`SAMPLES`), read from ``HFTLAB_DATA_DIR`` or
  downloaded once into a cache (:mod:`hftlab.data.samples`).
- :func:`sp500_prices` / :func:`sp500_index`: daily S&P 500 data that ships inside the
  skfolio wheel (20 stocks and the index, 1990-2022).
- :func:`load_prices`: a CSV or Parquet price file (date index, one column per instrument).
- :func:`ou_process`, :func:`cointegrated_pair`: synthetic series with planted structure
  from a seed.
"""

from hftlab.data.prices import cointegrated_pair, load_prices, ou_process, sp500_index, sp500_prices
from hftlab.data.samples import SAMPLES, LobsterSample, Sample, exchange_capture, fetch, lobster_sample

__all__ = [
    "SAMPLES",
    "LobsterSample",
    "Sample",
    "cointegrated_pair",
    "exchange_capture",
    "fetch",
    "load_prices",
    "lobster_sample",
    "ou_process",
    "sp500_index",
    "sp500_prices",
]

"""hftlab: statistical-arbitrage and HFT research workbench, local or over gRPC.

Every operation runs on the active backend: in this process (``"local"``, the
default) or on an ``hftlab serve`` server (``hftlab.use("grpc://host:port")``),
with identical results::

    import hftlab
    result = hftlab.mean_reversion(prices, lookback=20)
    hftlab.use("grpc://127.0.0.1:50051")
    same = hftlab.mean_reversion(prices, lookback=20)
"""

from hftlab import api, errors
from hftlab import data as data  # hftlab.data.lobster_sample() after a plain import hftlab
from hftlab.api import *  # noqa: F403  (every operation)
from hftlab.backends import (
    Backend,
    GrpcBackend,
    GrpcConfig,
    LocalBackend,
    backend,
    get_client,
    use,
    using,
)
from hftlab.errors import BackendUnavailable, HftlabError, InvalidInput
from hftlab.market.events import load_events
from hftlab.market.recorder import record_market_data
from hftlab.results import differences
from hftlab.version import __version__
from hftlab.workflows import optimize_strategy, record, sweep


def load_ipython_extension(ipython):
    """``%load_ext hftlab``: register the ``%hftlab`` magics."""
    from hftlab.jupyter.magics import HftlabMagics

    ipython.register_magics(HftlabMagics)


__all__ = [
    "Backend",
    "BackendUnavailable",
    "GrpcBackend",
    "GrpcConfig",
    "HftlabError",
    "InvalidInput",
    "LocalBackend",
    "__version__",
    "backend",
    "differences",
    "errors",
    "get_client",
    "load_events",
    "load_ipython_extension",
    "optimize_strategy",
    "record",
    "record_market_data",
    "sweep",
    "use",
    "using",
]
__all__ += api.__all__
__all__.sort()

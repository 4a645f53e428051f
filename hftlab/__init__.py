"""hftlab: statistical-arbitrage and HFT research workbench, local or over gRPC.

Every operation runs on the active backend: in this process (``"local"``, the
default) or on an ``hftlab serve`` server (``hftlab.use("grpc://host:port")``),
with identical results::

    import hftlab
    result = hftlab.mean_reversion(prices, lookback=20)
    hftlab.use("grpc://127.0.0.1:50051")
    same = hftlab.mean_reversion(prices, lookback=20)
"""

import importlib

from hftlab import errors as errors
from hftlab.errors import BackendUnavailable as BackendUnavailable
from hftlab.errors import HftlabError as HftlabError
from hftlab.errors import InvalidInput as InvalidInput
from hftlab.version import __version__ as __version__

OPERATIONS = (
    "arbitrage_backtest",
    "backtest",
    "box_tao",
    "cointegration",
    "detect_regime",
    "efficient_frontier",
    "filter_regimes",
    "fit_intensity",
    "fit_ou",
    "kalman_hedge_ratio",
    "market_making",
    "mean_reversion",
    "optimize_portfolio",
    "order_book",
    "rebalance_portfolio",
    "replay_lobster",
    "run_hmm",
    "run_mcmc",
    "scan_pairs",
    "select_n_states",
    "server_info",
    "sparse_portfolio",
    "stream_market_data",
    "tick_backtest",
    "triangular_arbitrage",
    "walk_forward",
)
"""The public functions of :mod:`hftlab.api` (``hftlab.api.__all__``, checked by tests/test_packaging.py)."""

_LAZY = {
    **dict.fromkeys(OPERATIONS, "hftlab.api"),
    **dict.fromkeys(
        ("Backend", "GrpcBackend", "GrpcConfig", "LocalBackend", "backend", "get_client", "use", "using"),
        "hftlab.backends",
    ),
    "differences": "hftlab.results",
    "load_events": "hftlab.market.events",
    "record_market_data": "hftlab.market.recorder",
    **dict.fromkeys(("optimize_strategy", "record", "sweep"), "hftlab.workflows"),
}
"""Names imported on first use (PEP 562), so ``import hftlab`` and ``hftlab --help`` stay quick:
the operations bring numpy, pandas, scipy, statsmodels, numba and grpc with them."""


def __getattr__(name: str):
    """An operation or backend name on first use; a subpackage (``hftlab.data.lobster_sample()``
    after a plain ``import hftlab``) when first reached."""
    if name in _LAZY:
        value = globals()[name] = getattr(importlib.import_module(_LAZY[name]), name)
        return value
    if not name.startswith("__"):
        try:
            return importlib.import_module(f"hftlab.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"hftlab.{name}":
                raise
    raise AttributeError(f"module 'hftlab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def load_ipython_extension(ipython):
    """``%load_ext hftlab``: register the ``%hftlab`` magics."""
    from hftlab.jupyter.magics import HftlabMagics

    ipython.register_magics(HftlabMagics)


__all__ = sorted(
    [
        *_LAZY,
        "BackendUnavailable",
        "HftlabError",
        "InvalidInput",
        "__version__",
        "errors",
        "load_ipython_extension",
    ]
)

"""The local backend: computes every request in this process."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from hftlab.algo import boxtao, coint, hmm, ou, pairs, portfolio, posteriors, rebalance, regime, sparse, zscore
from hftlab.algo.backtest import backtest
from hftlab.algo.market_making import market_making
from hftlab.algo.triangular import triangular_arbitrage
from hftlab.algo.walkforward import walk_forward
from hftlab.errors import Unimplemented
from hftlab.market import replay as lobster_replay
from hftlab.market import streams
from hftlab.threads import blas_threads
from hftlab.tick.arbitrage import arbitrage_backtest
from hftlab.tick.backtest import backtest_stream
from hftlab.tick.intensity import fit_intensity
from hftlab.types import (
    MeanReversionRequest,
    Request,
    ServerInfo,
    ServerInfoRequest,
    arguments,
)
from hftlab.types.backtest import BacktestRequest, WalkForwardRequest
from hftlab.types.limits import Limits
from hftlab.types.market import (
    GetOrderBookRequest,
    MarketMakingRequest,
    ReplayLobsterRequest,
    StreamMarketDataRequest,
    TriangularArbitrageRequest,
)
from hftlab.types.portfolio import (
    BoxTaoRequest,
    EfficientFrontierRequest,
    OptimizePortfolioRequest,
    RebalancePortfolioRequest,
    SparsePortfolioRequest,
)
from hftlab.types.regimes import (
    DetectRegimeRequest,
    FilterRegimesRequest,
    RunHMMRequest,
    RunMCMCRequest,
    SelectHMMStatesRequest,
)
from hftlab.types.statarb import CointegrationRequest, FitOURequest, KalmanHedgeRequest, ScanPairsRequest
from hftlab.types.tick import ArbitrageBacktestRequest, FitIntensityRequest, TickBacktestRequest
from hftlab.version import __version__

_STARTED = time.monotonic()


def _server_info() -> ServerInfo:
    return ServerInfo(
        version=__version__,
        backend="local",
        pid=os.getpid(),
        uptime_seconds=time.monotonic() - _STARTED,
        operations=sorted(request.rpc for request in HANDLERS),
        blas_threads=blas_threads(),
    )


HANDLERS: dict[type[Request], Callable[..., Any]] = {
    ServerInfoRequest: _server_info,
    MeanReversionRequest: zscore.mean_reversion,
    FitOURequest: ou.fit_ou,
    CointegrationRequest: coint.cointegration,
    KalmanHedgeRequest: coint.dynamic_hedge,
    ScanPairsRequest: pairs.scan_pairs_stream,
    StreamMarketDataRequest: streams.stream_market_data,
    GetOrderBookRequest: streams.order_book,
    OptimizePortfolioRequest: portfolio.optimize_portfolio,
    EfficientFrontierRequest: portfolio.efficient_frontier,
    RebalancePortfolioRequest: rebalance.rebalance_portfolio,
    SparsePortfolioRequest: sparse.sparse_portfolio,
    BoxTaoRequest: boxtao.box_tao,
    BacktestRequest: backtest,
    WalkForwardRequest: walk_forward,
    TriangularArbitrageRequest: triangular_arbitrage,
    MarketMakingRequest: market_making,
    ReplayLobsterRequest: lobster_replay.replay,
    RunHMMRequest: hmm.run_hmm,
    SelectHMMStatesRequest: hmm.select_n_states,
    DetectRegimeRequest: regime.detect_regime,
    FilterRegimesRequest: regime.filter_regimes,
    RunMCMCRequest: posteriors.run_mcmc,
    TickBacktestRequest: backtest_stream,
    FitIntensityRequest: fit_intensity,
    ArbitrageBacktestRequest: arbitrage_backtest,
}
"""Request type -> the function computing it, called with the request's fields."""


class LocalBackend:
    """Computes requests in-process by calling ``hftlab.algo`` / ``hftlab.market``.

    ``limits``: refuse requests that ask for more (:class:`~hftlab.types.limits.Limits`,
    checked before any work starts); none by default, a server passes its own.
    """

    name = "local"
    address = "local"

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits

    def _handler(self, request: Request) -> Callable[..., Any]:
        handler = HANDLERS.get(type(request))
        if handler is None:
            raise Unimplemented(f"{request.rpc} is not implemented in hftlab {__version__}.")
        if self.limits is not None:
            self.limits.check(request)
        return handler

    def execute(self, request: Request) -> Any:
        return self._handler(request)(**arguments(request))

    def stream(self, request: Request) -> Iterator[Any]:
        yield from self._handler(request)(**arguments(request))

    def info(self) -> ServerInfo:
        return self.execute(ServerInfoRequest())

    def health(self, timeout: float = 2.0) -> str:
        """Always ``"SERVING"``: this process computes."""
        return "SERVING"

    def spec(self) -> str:
        return "local"

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return "LocalBackend()" if self.limits is None else f"LocalBackend(limits={self.limits!r})"

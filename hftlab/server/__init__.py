"""The hftlab server (``hftlab serve``): the gRPC service over a local backend, its configuration,
authentication and metrics. It sits above :mod:`hftlab.backends`; the wire layer it shares with
the client (codec, names, generated code) is :mod:`hftlab.rpc`."""

from hftlab.server.app import ServerProcess, build_server, serve, serve_worker, trading_handler
from hftlab.server.config import ServerConfig

__all__ = ["ServerConfig", "ServerProcess", "build_server", "serve", "serve_worker", "trading_handler"]

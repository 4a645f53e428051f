"""The grpc backend: a client of ``hftlab serve``.

Requests go through the one generic codec (:mod:`hftlab.rpc.codec`) into the
``hftlab.v1.Trading`` messages; every gRPC status comes back as the matching
:mod:`hftlab.errors` exception, chained from the ``grpc.RpcError``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import grpc

from hftlab import validation as v
from hftlab.errors import STATUS_TO_ERROR, HftlabError, InvalidInput
from hftlab.rpc import codec
from hftlab.rpc.v1 import trading_pb2_grpc
from hftlab.types import Request, ServerInfo, ServerInfoRequest

SERVICE = "hftlab.v1.Trading"
REQUEST_ID_KEY = "x-request-id"


@dataclass(frozen=True)
class GrpcConfig:
    """How to reach a server: immutable and validated at construction (httpx ``_config``).

    Parameters
    ----------
    host, port : str, int
        Server address.
    timeout : float
        Deadline of each call, in seconds.
    max_retries : int
        Retries of a call that failed with ``UNAVAILABLE`` (exponential backoff
        from 0.1 s, gRPC's service-config retry policy; every hftlab RPC is
        idempotent).
    compression : str or None
        ``"gzip"`` to compress messages, ``None`` for none.
    token : str or None
        Bearer token sent as ``authorization`` metadata.
    max_message_mb : int
        Largest message sent or received.
    """

    host: str = "127.0.0.1"
    port: int = 50051
    timeout: float = 60.0
    max_retries: int = 3
    compression: str | None = None
    token: str | None = None
    max_message_mb: int = 512

    def __post_init__(self) -> None:
        if not isinstance(self.host, str) or not self.host:
            raise v.fail("host", "a non-empty host name or address", self.host)
        v.check_int("port", self.port, low=1, high=65535)
        v.check_float("timeout", self.timeout, low=0, low_open=True)
        v.check_int("max_retries", self.max_retries, low=0, high=4)
        if self.compression is not None:
            v.check_choice("compression", self.compression, ["gzip"])
        v.check_int("max_message_mb", self.max_message_mb, low=1, high=2047)

    @classmethod
    def from_address(cls, address: str, **options: Any) -> GrpcConfig:
        """Parse ``grpc://host:port`` (or ``host:port``; IPv6 as ``[::1]:port``)."""
        parts = urlsplit(address if "://" in address else f"grpc://{address}")
        if parts.scheme != "grpc" or not parts.hostname:
            raise InvalidInput(f"'address' must look like grpc://host:port; got {address!r}.")
        try:
            port = parts.port
        except ValueError:
            raise InvalidInput(f"'address' has an invalid port; got {address!r}.") from None
        return cls(host=parts.hostname, port=port or 50051, **options)

    @property
    def target(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def channel_options(self) -> list[tuple[str, Any]]:
        size = self.max_message_mb * 1024 * 1024
        options = [
            ("grpc.max_send_message_length", size),
            ("grpc.max_receive_message_length", size),
            ("grpc.enable_retries", int(self.max_retries > 0)),
        ]
        if self.max_retries:
            policy = {
                "maxAttempts": self.max_retries + 1,
                "initialBackoff": "0.1s",
                "maxBackoff": "2s",
                "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE"],
            }
            config = {"methodConfig": [{"name": [{"service": SERVICE}], "retryPolicy": policy}]}
            options.append(("grpc.service_config", json.dumps(config)))
        return options


class GrpcBackend:
    """Sends requests to an ``hftlab serve`` server over one gRPC channel.

    Use it as a context manager, or through :func:`hftlab.use`::

        with GrpcBackend(GrpcConfig(port=50051)) as remote:
            remote.info()
    """

    name = "grpc"

    def __init__(self, config: GrpcConfig | None = None) -> None:
        self.config = config or GrpcConfig()
        self.address = f"grpc://{self.config.target}"
        compression = grpc.Compression.Gzip if self.config.compression else None
        self._channel = grpc.insecure_channel(
            self.config.target, options=self.config.channel_options(), compression=compression
        )
        self._stub = trading_pb2_grpc.TradingStub(self._channel)

    def _metadata(self, request_id: str) -> list[tuple[str, str]]:
        metadata = [(REQUEST_ID_KEY, request_id)]
        if self.config.token:
            metadata.append(("authorization", f"Bearer {self.config.token}"))
        return metadata

    def _error(self, exc: grpc.RpcError, rpc: str, request_id: str) -> HftlabError:
        code = exc.code().name if exc.code() is not None else "UNKNOWN"
        message = exc.details() or code
        if code == "UNAVAILABLE":
            message = f"no hftlab server reachable at {self.address} ({message})"
        elif code == "DEADLINE_EXCEEDED":
            message = f"{rpc} did not finish within {self.config.timeout} s ({message})"
        return STATUS_TO_ERROR.get(code, STATUS_TO_ERROR["UNKNOWN"])(message, request_id=request_id)

    def execute(self, request: Request) -> Any:
        message = codec.encode(request, codec.message_class(f"{request.rpc}Request")())
        request_id = uuid.uuid4().hex
        call = getattr(self._stub, request.rpc)
        try:
            response = call(message, timeout=self.config.timeout, metadata=self._metadata(request_id))
        except grpc.RpcError as exc:
            raise self._error(exc, request.rpc, request_id) from exc
        return codec.decode(response, request.result_type)

    def stream(self, request: Request) -> Iterator[Any]:
        message = codec.encode(request, codec.message_class(f"{request.rpc}Request")())
        request_id = uuid.uuid4().hex
        call = getattr(self._stub, request.rpc)
        responses = call(message, timeout=self.config.timeout, metadata=self._metadata(request_id))
        try:
            for response in responses:
                yield codec.decode(response, request.result_type)
        except grpc.RpcError as exc:
            raise self._error(exc, request.rpc, request_id) from exc
        finally:
            responses.cancel()

    def info(self) -> ServerInfo:
        return self.execute(ServerInfoRequest())

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> GrpcBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GrpcBackend({self.address!r})"

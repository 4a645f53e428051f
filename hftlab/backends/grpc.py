"""The grpc backend: a client of ``hftlab serve``.

Requests go through the one generic codec (:mod:`hftlab.rpc.codec`) into the wire
bytes of the ``hftlab.v1.Trading`` messages (large arrays copied once on the way out
and read in place on the way in); every gRPC status comes back as the matching
:mod:`hftlab.errors` exception, chained from the ``grpc.RpcError``; a server that is
unreachable or refuses the credentials is also a ``failure`` event
(:mod:`hftlab.backends.events`).
"""

from __future__ import annotations

import dataclasses
import json
import random
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import grpc

from hftlab import validation as v
from hftlab.backends.events import notify
from hftlab.errors import STATUS_TO_ERROR, HftlabError, InvalidInput
from hftlab.retry import Backoff
from hftlab.rpc import codec
from hftlab.rpc.names import REQUEST_ID_KEY, SERVICE
from hftlab.types import Request, ServerInfo, ServerInfoRequest


@dataclass(frozen=True)
class GrpcConfig:
    """How to reach a server: immutable and validated at construction (httpx ``_config``).

    Parameters
    ----------
    host, port : str, int
        Server address.
    timeout : float
        Deadline of each unary call, in seconds (research calls can take minutes).
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
    wait_for_ready : bool
        Wait (up to ``timeout``) for an unreachable server instead of failing at once.
    tls : bool
        Connect with TLS (implied by ``grpcs://`` addresses and by the files below).
    root_cert, client_cert, client_key : str or None
        PEM files: the CA that signed the server certificate (system roots when
        ``None``), and a client certificate and key for mutual TLS.
    more_hosts : tuple of "host:port"
        Further servers: calls are spread over all of them with gRPC's client-side
        ``round_robin`` load balancing (``grpc://h1:p1,h2:p2``).
    """

    host: str = "127.0.0.1"
    port: int = 50051
    timeout: float = 600.0
    max_retries: int = 3
    compression: str | None = None
    token: str | None = None
    max_message_mb: int = 512
    wait_for_ready: bool = False
    tls: bool = False
    root_cert: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    more_hosts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.host, str) or not self.host:
            raise v.fail("host", "a non-empty host name or address", self.host)
        v.check_int("port", self.port, low=1, high=65535)
        v.check_float("timeout", self.timeout, low=0, low_open=True)
        v.check_int("max_retries", self.max_retries, low=0, high=4)
        if self.compression is not None:
            v.check_choice("compression", self.compression, ["gzip"])
        v.check_int("max_message_mb", self.max_message_mb, low=1, high=2047)
        if (self.client_cert is None) != (self.client_key is None):
            raise InvalidInput("'client_cert' and 'client_key' must be given together.")
        for name in ("root_cert", "client_cert", "client_key"):
            path = getattr(self, name)
            if path is not None:
                if not Path(path).is_file():
                    raise InvalidInput(f"'{name}' file {path!r} does not exist.")
                object.__setattr__(self, "tls", True)
        object.__setattr__(self, "more_hosts", tuple(self.more_hosts))

    @classmethod
    def from_address(cls, address: str, **options: Any) -> GrpcConfig:
        """Parse ``grpc://host:port`` (``grpcs://`` for TLS; IPv6 as ``[::1]:port``;
        several servers as ``grpc://h1:p1,h2:p2``)."""
        scheme, sep, rest = address.partition("://")
        if not sep:
            scheme, rest = "grpc", address
        if scheme not in ("grpc", "grpcs") or not rest:
            raise InvalidInput(f"'address' must look like grpc://host:port; got {address!r}.")
        hosts = [_split_host(part, address) for part in rest.split(",")]
        (host, port), more = hosts[0], hosts[1:]
        if scheme == "grpcs":
            options.setdefault("tls", True)
        return cls(host=host, port=port, more_hosts=tuple(_join_host(h, p) for h, p in more), **options)

    @property
    def target(self) -> str:
        """The channel target: ``host:port``, or an ``ipv4:``/``ipv6:`` list for several servers."""
        first = _join_host(self.host, self.port)
        if not self.more_hosts:
            return first
        addresses = [_resolve(first), *(_resolve(h) for h in self.more_hosts)]
        family = "ipv6" if all(":" in a.rsplit(":", 1)[0] for a in addresses) else "ipv4"
        return f"{family}:{','.join(addresses)}"

    @property
    def address(self) -> str:
        scheme = "grpcs" if self.tls else "grpc"
        return f"{scheme}://{','.join([_join_host(self.host, self.port), *self.more_hosts])}"

    def credentials(self) -> grpc.ChannelCredentials | None:
        """TLS channel credentials, or ``None`` for plaintext."""
        if not self.tls:
            return None
        read = lambda path: Path(path).read_bytes() if path else None  # noqa: E731
        return grpc.ssl_channel_credentials(read(self.root_cert), read(self.client_key), read(self.client_cert))

    def channel_options(self) -> list[tuple[str, Any]]:
        size = self.max_message_mb * 1024 * 1024
        options = [
            ("grpc.max_send_message_length", size),
            ("grpc.max_receive_message_length", size),
            ("grpc.enable_retries", int(self.max_retries > 0)),
            ("grpc.use_local_subchannel_pool", 1),  # own connections: workers share the load
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
        if self.more_hosts:
            options.append(("grpc.lb_policy_name", "round_robin"))
        return options


def _split_host(part: str, address: str) -> tuple[str, int]:
    parts = urlsplit(f"grpc://{part}")
    try:
        port = parts.port
    except ValueError:
        raise InvalidInput(f"'address' has an invalid port; got {address!r}.") from None
    if not parts.hostname:
        raise InvalidInput(f"'address' must look like grpc://host:port; got {address!r}.")
    return parts.hostname, port or 50051


def _join_host(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _resolve(host_port: str) -> str:
    """``host:port`` with the host resolved to an IP literal (round_robin lists need them)."""
    host, port = _split_host(host_port, host_port)
    try:
        ip = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][4][0]
    except OSError:
        raise InvalidInput(f"'address': cannot resolve {host!r}.") from None
    return _join_host(ip, port)


def _request_id() -> str:
    """A new request id: 128 random bits as 32 hex digits, like ``uuid.uuid4().hex``, from
    ``random`` (reseeded in forked children) rather than the system's entropy source, whose
    call takes 2-10 µs a request. The id joins the client's and the server's logs; it is no secret."""
    return f"{random.getrandbits(128):032x}"


_FAILURES = ("UNAVAILABLE", "UNAUTHENTICATED", "PERMISSION_DENIED")
"""Status codes that say the backend itself is unusable (not this one call)."""


class GrpcBackend:
    """Sends requests to an ``hftlab serve`` server over one gRPC channel.

    Use it as a context manager, or through :func:`hftlab.use`::

        with GrpcBackend(GrpcConfig(port=50051)) as remote:
            remote.info()
    """

    name = "grpc"

    def __init__(self, config: GrpcConfig | None = None) -> None:
        self.config = config or GrpcConfig()
        self.address = self.config.address
        compression = grpc.Compression.Gzip if self.config.compression else None
        credentials = self.config.credentials()
        options = self.config.channel_options()
        if credentials is None:
            self._channel = grpc.insecure_channel(self.config.target, options, compression)
        else:
            self._channel = grpc.secure_channel(self.config.target, credentials, options, compression)
        self._methods: dict[str, Any] = {}

    def _method(self, request: Request):
        """The channel's callable of the request's RPC (bytes in, bytes out)."""
        if request.rpc not in self._methods:
            make = self._channel.unary_stream if request.streaming else self._channel.unary_unary
            self._methods[request.rpc] = make(f"/{SERVICE}/{request.rpc}")
        return self._methods[request.rpc]

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
        if code in _FAILURES:
            notify("failure", self.address, message)
        return STATUS_TO_ERROR.get(code, STATUS_TO_ERROR["UNKNOWN"])(message, request_id=request_id)

    def execute(self, request: Request, timeout: float | None = None) -> Any:
        """Run ``request`` on the server; ``timeout`` overrides the config's deadline."""
        data = codec.to_wire(request, codec.message_class(f"{request.rpc}Request"))
        request_id = _request_id()
        try:
            response = self._method(request)(
                data,
                timeout=timeout or self.config.timeout,
                metadata=self._metadata(request_id),
                wait_for_ready=self.config.wait_for_ready,
            )
        except grpc.RpcError as exc:
            raise self._error(exc, request.rpc, request_id) from exc
        return codec.from_wire(response, codec.message_class(f"{request.rpc}Response"), request.result_type)

    def stream(self, request: Request) -> Iterator[Any]:
        """Iterate a server stream (no deadline: streams may be endless).

        A request with a ``resume_from`` field is resumable: when the server goes away
        mid-stream (``UNAVAILABLE``: crash, restart, shutdown), the client waits up to
        ``timeout`` for it to be reachable again and re-issues the request with
        ``resume_from`` = the last sequence received, so no batch is lost or duplicated
        (at most ``max_retries`` times in a row).
        """
        resumable = "resume_from" in {f.name for f in dataclasses.fields(request)}
        backoff = Backoff(0.1)  # 0.1 s doubling, no cap: max_retries bounds it
        current = request
        while True:
            data = codec.to_wire(current, codec.message_class(f"{current.rpc}Request"))
            request_id = _request_id()
            responses = self._method(current)(
                data, metadata=self._metadata(request_id), wait_for_ready=self.config.wait_for_ready
            )
            response_class = codec.message_class(f"{current.rpc}Response")
            try:
                for response in responses:
                    item = codec.from_wire(response, response_class, current.result_type)
                    backoff.reset()
                    if resumable:
                        current = dataclasses.replace(request, resume_from=item.sequence)
                    yield item
                return
            except grpc.RpcError as exc:
                retry = resumable and backoff.failures < self.config.max_retries
                if not (retry and exc.code() == grpc.StatusCode.UNAVAILABLE):
                    raise self._error(exc, request.rpc, request_id) from exc
                time.sleep(backoff.next_delay())
                try:
                    grpc.channel_ready_future(self._channel).result(timeout=self.config.timeout)
                except grpc.FutureTimeoutError:
                    raise self._error(exc, request.rpc, request_id) from exc
            finally:
                responses.cancel()

    def info(self) -> ServerInfo:
        return self.execute(ServerInfoRequest())

    def health(self, timeout: float = 2.0) -> str:
        """The server's serving status of ``hftlab.v1.Trading`` (standard gRPC health checking);
        ``"UNREACHABLE"`` when it does not answer within ``timeout`` seconds."""
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        stub = health_pb2_grpc.HealthStub(self._channel)
        try:
            reply = stub.Check(
                health_pb2.HealthCheckRequest(service=SERVICE),
                timeout=timeout,
                metadata=self._metadata(_request_id()),
            )
        except grpc.RpcError:
            return "UNREACHABLE"
        return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)

    def spec(self) -> GrpcConfig:
        return self.config

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> GrpcBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GrpcBackend({self.address!r})"

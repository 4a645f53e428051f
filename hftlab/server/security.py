"""Bearer-token authentication and TLS credentials for the server.

A token, when configured, is required on every ``hftlab.v1.Trading`` call as
``authorization: Bearer <token>`` metadata (compared in constant time); health
checking and reflection stay open so load balancers can probe. A refused call is
logged (peer, method, reason: never the token) and counted by reason in the
server's metrics. An unknown method is answered ``UNIMPLEMENTED`` with or without
a token (the method names are public: reflection lists them). TLS uses PEM
files; with a client CA the server also requires client certificates (mutual
TLS). After grpc's ``examples/python/auth``.
"""

from __future__ import annotations

import hmac
import logging
from pathlib import Path

import grpc

from hftlab.rpc.names import SERVICE
from hftlab.server.config import ServerConfig
from hftlab.server.metrics import RpcMetrics

logger = logging.getLogger("hftlab.server")


class TokenInterceptor(grpc.ServerInterceptor):
    """Answers ``UNAUTHENTICATED`` to hftlab calls without the right bearer token, logging
    and counting (in ``metrics``) each refusal."""

    def __init__(self, token: str, metrics: RpcMetrics | None = None) -> None:
        self._expected = f"Bearer {token}".encode()
        self._metrics = metrics

    def intercept_service(self, continuation, handler_call_details):
        method = handler_call_details.method
        if not method.startswith(f"/{SERVICE}/"):
            return continuation(handler_call_details)
        handler = continuation(handler_call_details)
        if handler is None:  # not a method of the service: grpc answers UNIMPLEMENTED
            return None
        metadata = dict(handler_call_details.invocation_metadata or ())
        given = str(metadata.get("authorization", "")).encode()
        if hmac.compare_digest(given, self._expected):
            return handler
        reason = "missing bearer token" if not given else "wrong bearer token"
        rpc = method.rsplit("/", 1)[-1]

        def deny(request, context):
            peer = context.peer()
            logger.warning(
                "authentication failed: %s for %s from %s",
                reason,
                rpc,
                peer,
                extra={"rpc": rpc, "peer": peer, "code": "UNAUTHENTICATED", "reason": reason},
            )
            if self._metrics is not None:
                self._metrics.auth_failure(reason)
            context.abort(grpc.StatusCode.UNAUTHENTICATED, f"{reason} ('authorization' metadata)")

        make = (
            grpc.unary_stream_rpc_method_handler
            if handler.response_streaming
            else grpc.unary_unary_rpc_method_handler
        )
        return make(
            deny,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def server_credentials(config: ServerConfig) -> grpc.ServerCredentials | None:
    """TLS credentials from the config's PEM files, or ``None`` for plaintext."""
    if not config.tls:
        return None
    key, cert = Path(config.tls_key).read_bytes(), Path(config.tls_cert).read_bytes()
    client_ca = Path(config.tls_client_ca).read_bytes() if config.tls_client_ca else None
    return grpc.ssl_server_credentials(
        [(key, cert)], root_certificates=client_ca, require_client_auth=client_ca is not None
    )

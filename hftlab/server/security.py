"""Bearer-token authentication and TLS credentials for the server.

A token, when configured, is required on every ``hftlab.v1.Trading`` call as
``authorization: Bearer <token>`` metadata (compared in constant time); health
checking and reflection stay open so load balancers can probe. TLS uses PEM
files; with a client CA the server also requires client certificates (mutual
TLS). After grpc's ``examples/python/auth``.
"""

from __future__ import annotations

import hmac
from pathlib import Path

import grpc

from hftlab.rpc.names import SERVICE
from hftlab.server.config import ServerConfig


class TokenInterceptor(grpc.ServerInterceptor):
    """Answers ``UNAUTHENTICATED`` to hftlab calls without the right bearer token."""

    def __init__(self, token: str) -> None:
        self._expected = f"Bearer {token}".encode()

    def intercept_service(self, continuation, handler_call_details):
        if not handler_call_details.method.startswith(f"/{SERVICE}/"):
            return continuation(handler_call_details)
        metadata = dict(handler_call_details.invocation_metadata or ())
        given = str(metadata.get("authorization", "")).encode()
        if hmac.compare_digest(given, self._expected):
            return continuation(handler_call_details)
        handler = continuation(handler_call_details)
        message = (
            "missing bearer token ('authorization' metadata)"
            if not given
            else "wrong bearer token ('authorization' metadata)"
        )

        def deny(request, context):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

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

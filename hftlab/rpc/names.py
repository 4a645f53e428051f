"""Names both ends of the wire agree on: the gRPC service and the metadata keys hftlab adds."""

SERVICE = "hftlab.v1.Trading"
"""The service of ``proto/hftlab/v1/trading.proto``."""

REQUEST_ID_KEY = "x-request-id"
"""Metadata key of a call's request id (sent by the client, echoed and logged by the server)."""

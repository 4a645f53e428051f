"""ipywidgets views over the backends (no algorithm logic here).

``BackendSwitcher``: a local / grpc toggle, an address field and a status
light fed by the server's standard gRPC health check.
"""

from __future__ import annotations

import grpc
import ipywidgets as widgets
from grpc_health.v1 import health_pb2, health_pb2_grpc

import hftlab
from hftlab.backends.grpc import SERVICE, GrpcConfig
from hftlab.errors import HftlabError

_LIGHT = "<span style='color:{colour};font-size:150%'>●</span> {text}"


def health_check(address: str, timeout: float = 2.0) -> str:
    """The serving status of ``hftlab.v1.Trading`` at ``address`` (``"SERVING"``, ``"UNREACHABLE"``…)."""
    config = GrpcConfig.from_address(address)
    with grpc.insecure_channel(config.target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=SERVICE), timeout=timeout)
        except grpc.RpcError:
            return "UNREACHABLE"
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


class BackendSwitcher(widgets.VBox):
    """Flip the active hftlab backend between local and a gRPC server.

    Parameters
    ----------
    address : str
        Server address shown in the field (``grpc://host:port``).
    """

    def __init__(self, address: str = "grpc://127.0.0.1:50051") -> None:
        active = hftlab.backend()
        self.toggle = widgets.ToggleButtons(
            options=["local", "grpc"], value=active.name, description="Backend"
        )
        self.address = widgets.Text(
            value=active.address if active.name == "grpc" else address, description="Address"
        )
        self.light = widgets.HTML()
        super().__init__([widgets.HBox([self.toggle, self.light]), self.address])
        self.add_class("hftlab-backend-switcher")
        self.toggle.observe(self._apply, names="value")
        self.address.observe(self._apply, names="value")
        self._show()

    def _apply(self, _change=None) -> None:
        try:
            if self.toggle.value == "local":
                hftlab.use("local")
            else:
                hftlab.use(self.address.value)
        except HftlabError as exc:
            self.light.value = _LIGHT.format(colour="#c62828", text=str(exc))
            return
        self._show()

    def _show(self) -> None:
        active = hftlab.backend()
        if active.name == "local":
            self.light.value = _LIGHT.format(colour="#2e7d32", text="local (in this kernel)")
            return
        state = health_check(active.address)
        colour = "#2e7d32" if state == "SERVING" else "#c62828"
        self.light.value = _LIGHT.format(colour=colour, text=f"{active.address}: {state}")

"""ipywidgets views over the backends (no algorithm logic here).

- :class:`BackendSwitcher`: a local / grpc toggle, an address field and a status
  light fed by the server's standard gRPC health check; it follows the active
  backend wherever it is changed (:mod:`hftlab.backends.events`).
- :class:`BackendCompare`: one operation run N times on each backend next to the
  bare grpcio echo of the same payload sizes (:mod:`hftlab.bench`): latency
  distributions side by side and whether the results are identical.

The research views live beside them: :class:`~hftlab.jupyter.strategy.StrategyExplorer`,
:class:`~hftlab.jupyter.market.OrderBookView` and :class:`~hftlab.jupyter.market.RegimeView`.
"""

from __future__ import annotations

import html
import time

import ipywidgets as widgets
import numpy as np

import hftlab
from hftlab import backends
from hftlab.backends import Backend, BackendEvent, GrpcBackend, GrpcConfig
from hftlab.errors import HftlabError
from hftlab.jupyter import session
from hftlab.jupyter.figure import figure_widget

_LIGHT = "<span style='color:{colour};font-size:150%'>●</span> {text}"
_GREEN, _RED = "#2e7d32", "#c62828"


def health_check(address: str, timeout: float = 2.0, **options) -> str:
    """The serving status of ``hftlab.v1.Trading`` at ``address`` (``"SERVING"``, ``"UNREACHABLE"``…).

    ``options`` are :class:`~hftlab.GrpcConfig` fields (``token``, TLS files).
    """
    with GrpcBackend(GrpcConfig.from_address(address, **options)) as client:
        return client.health(timeout)


def _default_address() -> str:
    try:
        return session.grpc_backend().address
    except HftlabError:
        return "grpc://127.0.0.1:50051"


class BackendSwitcher(widgets.VBox):
    """Flip the active hftlab backend between local and a gRPC server.

    The widget shows the one backend state (:func:`hftlab.backend`) and follows
    it: it observes the backend events (:func:`hftlab.backends.observe`), so a
    switch made elsewhere (``%hftlab use``, ``%hftlab stop``), a stopped server
    or a failing call shows at once. Choosing ``grpc`` checks the server first
    (:func:`hftlab.jupyter.session.verify`); if it fails, the light says why and
    the backend stays as it was.

    Parameters
    ----------
    address : str, optional
        Server address shown in the field (``grpc://host:port``); by default the
        active or last gRPC backend of this kernel (``%hftlab serve`` starts one).
    token : str, optional
        Bearer token of the server (also editable in the widget).
    """

    def __init__(self, address: str | None = None, token: str | None = None) -> None:
        self.toggle = widgets.ToggleButtons(
            options=["local", "grpc"], description="Backend", style={"button_width": "70px"}
        )
        self.address = widgets.Text(
            value=address or _default_address(), description="Address", continuous_update=False
        )
        self.token = widgets.Password(value=token or "", description="Token", continuous_update=False)
        self.light = widgets.HTML()
        self.check = widgets.Button(description="check", icon="refresh", layout={"width": "90px"})
        super().__init__(
            [widgets.HBox([self.toggle, self.light]), widgets.HBox([self.address, self.check]), self.token]
        )
        self.add_class("hftlab-backend-switcher")
        self._showing = False  # set while the widget itself writes the fields
        self._show()
        self.toggle.observe(self._apply, names="value")
        self.address.observe(self._apply, names="value")
        self.token.observe(self._apply, names="value")
        self.check.on_click(lambda _button: self._show())
        self._unobserve = backends.observe(self._on_event)

    def close(self) -> None:
        """Stop following the backend and close the widget."""
        self._unobserve()
        super().close()

    def _options(self) -> dict[str, str]:
        return {"token": self.token.value} if self.token.value else {}

    def _apply(self, change) -> None:
        """The user changed a field: switch the backend (its event redraws the widget)."""
        if self._showing or (change["owner"] is not self.toggle and self.toggle.value == "local"):
            return
        try:
            if self.toggle.value == "local":
                hftlab.use("local")
            else:
                session.use(self.address.value, **self._options())
        except HftlabError as exc:
            self._show(error=str(exc))

    def _on_event(self, event: BackendEvent) -> None:
        if event.kind == "failure":
            if event.address == hftlab.backend().address:
                self._show(error=event.message)
        else:
            self._show()

    def _show(self, error: str | None = None) -> None:
        """Set the toggle and address to the active backend; the light to its state or ``error``."""
        active = hftlab.backend()
        self._showing = True
        try:
            self.toggle.value = active.name
            if active.name == "grpc":
                self.address.value = active.address
        finally:
            self._showing = False
        where = "local (in this kernel)" if active.name == "local" else active.address
        if error is not None:
            text = f"{html.escape(error, quote=False)} <small>(backend: {where})</small>"
            self.light.value = _LIGHT.format(colour=_RED, text=text)
        elif active.name == "local":
            self.light.value = _LIGHT.format(colour=_GREEN, text=where)
        else:
            state = active.health()
            colour = _GREEN if state == "SERVING" else _RED
            self.light.value = _LIGHT.format(colour=colour, text=f"{where}: {state}")


class BackendCompare(widgets.VBox):
    """Run one operation N times on the local and the gRPC backend, beside the bare grpcio floor.

    The operations offered are those with a benchmark input
    (:data:`hftlab.bench.INPUTS`) that the server serves. Latencies (µs, log
    scale) appear as box or violin plots; the verdict says whether both backends
    returned identical results (:func:`hftlab.differences`, kept in
    ``differences``) and the p50 of each. ``samples`` holds the latencies.

    Run is disabled when that server is stopped (``%hftlab stop``).

    Parameters
    ----------
    runs : int
        Calls per backend.
    remote : Backend, optional
        The gRPC backend; by default the active or last one of this kernel.
    """

    def __init__(self, runs: int = 30, remote: Backend | None = None) -> None:

        from hftlab.bench import INPUTS

        self.remote = remote or session.grpc_backend()
        served = set(self.remote.info().operations)
        operations = [rpc for rpc in INPUTS if rpc in served and rpc != "GetServerInfo"]  # it describes each
        self.operation = widgets.Dropdown(options=operations, description="Operation")
        self.runs = widgets.IntSlider(value=runs, min=5, max=1000, step=5, description="Runs")
        self.kind = widgets.ToggleButtons(options=["box", "violin"], style={"button_width": "60px"})
        self.run_button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="", layout={"width": "200px"})
        self.verdict = widgets.HTML()
        self.figure = figure_widget(
            layout={
                "height": 380,
                "yaxis": {"type": "log", "title": "latency (µs)"},
                "title": "Latency per call",
                "showlegend": False,
                "margin": {"t": 40},
            }
        )
        self.samples: dict[str, np.ndarray] = {}
        self.differences: list[tuple[str, str]] = []
        super().__init__(
            [
                widgets.HBox([self.operation, self.runs, self.kind]),
                widgets.HBox([self.run_button, self.progress]),
                self.verdict,
                self.figure,
            ]
        )
        self.add_class("hftlab-backend-compare")
        self.run_button.on_click(lambda _button: self.run())
        self.kind.observe(lambda _change: self._draw(), names="value")
        self._unobserve = backends.observe(self._on_event)

    def close(self) -> None:
        """Stop following the backend and close the widget."""
        self._unobserve()
        super().close()

    def _on_event(self, event: BackendEvent) -> None:
        """A stopped server cannot be measured: Run is disabled (the last results stay)."""
        if event.kind == "stop" and event.address == self.remote.address:
            self.run_button.disabled = True
            self.run_button.tooltip = f"the server at {event.address} was stopped"

    def run(self) -> dict[str, np.ndarray]:
        """Measure the chosen operation; update the plot and verdict; return the µs samples."""
        from hftlab.bench.harness import calls_for
        from hftlab.bench.inputs import request_for

        request = request_for(self.operation.value)
        local = hftlab.get_client("local")
        calls = calls_for(request, local, self.remote, session.echo_client())
        paths = {"local": calls.local, self.remote.address: calls.grpc, "bare grpcio echo": calls.echo}
        n = self.runs.value
        self.progress.max, self.progress.value = n, 0
        samples: dict[str, list[float]] = {name: [] for name in paths}
        for call in paths.values():
            call()  # warm up
        for _ in range(n):
            for name, call in paths.items():
                started = time.perf_counter()
                call()
                samples[name].append((time.perf_counter() - started) * 1e6)
            self.progress.value += 1
        self.samples = {name: np.asarray(values) for name, values in samples.items()}
        self._verdict(request, local, calls.request_bytes, calls.response_bytes)
        self._draw()
        return self.samples

    def _verdict(self, request, local: Backend, request_bytes: int, response_bytes: int) -> None:
        if request.streaming:
            found = hftlab.differences(list(self.remote.stream(request)), list(local.stream(request)))
        else:
            found = hftlab.differences(self.remote.execute(request), local.execute(request))
        self.differences = found
        same = (
            f"<b style='color:{_GREEN}'>identical results</b>"
            if not found
            else f"<b style='color:{_RED}'>{len(found)} difference(s)</b>: {found[0][0]}"
        )
        p50 = " · ".join(f"{name} p50 {np.median(v):,.0f} µs" for name, v in self.samples.items())
        self.verdict.value = (
            f"{same} &nbsp; <small>{p50} · request {request_bytes:,} B, response {response_bytes:,} B</small>"
        )

    def _draw(self) -> None:
        import plotly.graph_objects as go

        trace = go.Box if self.kind.value == "box" else go.Violin
        colours = ["#1f77b4", "#d62728", "#7f7f7f"]
        self.figure.data = []
        self.figure.add_traces(
            [
                trace(y=values, name=name, marker_color=colour)
                for (name, values), colour in zip(self.samples.items(), colours, strict=False)
            ]
        )
        self.figure.layout.title = f"{self.operation.value}: latency per call, {self.runs.value} runs"

"""``%hftlab`` / ``%%hftlab``: choose, start, compare and measure backends from a notebook.

``%load_ext hftlab`` registers it (anywidget-style: imported lazily by
``hftlab.load_ipython_extension``). ``%hftlab?`` prints :data:`HELP`.

A magic that fails raises, so the cell fails and papermill (``hftlab report``)
marks the notebook failed: wrong arguments raise IPython's ``UsageError``, an
hftlab error is raised as itself, shown as one line (``_render_traceback_``,
IPython's hook for custom tracebacks) since the frames of the magic machinery
say nothing to the user.
"""

from __future__ import annotations

import inspect
import shlex
import time
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class

import hftlab
from hftlab.errors import HftlabError
from hftlab.jupyter import session
from hftlab.jupyter.compare import Comparison, compare_cell


class _Usage(Exception):
    """A subcommand was given wrong arguments (the message says which)."""


_KINDS = {int: "an integer", str: "a string"}


def _options(args: list[str], allowed: dict[str, type]) -> dict[str, Any]:
    """``--name value`` pairs of ``args``, converted by ``allowed``'s types (``bool``: a bare flag)."""
    options: dict[str, Any] = {}
    rest = list(args)
    while rest:
        flag = rest.pop(0)
        if allowed.get(flag) is bool:
            options[flag.lstrip("-").replace("-", "_")] = True
            continue
        if flag not in allowed or not rest:
            raise _Usage(f"unexpected argument {flag!r}" if flag not in allowed else f"{flag} needs a value")
        value = rest.pop(0)
        try:
            options[flag.lstrip("-")] = allowed[flag](value)
        except ValueError:
            raise _Usage(f"{flag} must be {_KINDS[allowed[flag]]}; got {value!r}") from None
    return options


@magics_class
class HftlabMagics(Magics):
    """The ``%hftlab`` line magic and the ``%%hftlab compare`` cell magic."""

    @line_cell_magic
    def hftlab(self, line: str, cell: str | None = None):
        """%hftlab SUBCOMMAND   (register with %load_ext hftlab)

        %hftlab use local                          compute in this kernel (the default)
        %hftlab use grpc://HOST:PORT [--token T]   compute on an `hftlab serve` server, once it
                       [--no-check]                answers its health check and accepts the token
        %hftlab status                             backend, address, server version, round trip
        %hftlab serve [--port N] [--token T]       start a server for this kernel and use it
        %hftlab stop                               stop that server (back to local if in use)
        %hftlab bench [RPC ...]                    latency per RPC: local, grpc, bare grpcio
        %%hftlab compare                           run the cell on local and on grpc (the active
                                                   or last gRPC backend): every value that
                                                   differs, and the wall time on each
        %hftlab help                               this text (also %hftlab?)

        A subcommand that fails raises: the cell fails (and papermill stops).
        """
        words = shlex.split(line)
        command, args = (words[0], words[1:]) if words else ("help", [])
        command = "help" if command in ("-h", "--help") else command
        try:
            if cell is not None:
                if command != "compare" or args:
                    raise _Usage("the cell magic is `%%hftlab compare`")
                return self._compare(cell)
            if command not in _COMMANDS:
                raise _Usage(f"unknown subcommand {command!r}")
            return _COMMANDS[command](args)
        except _Usage as exc:
            raise UsageError(f"hftlab: {exc}\n\n{HELP}") from None
        except HftlabError as exc:
            shown = f"{type(exc).__name__}: {exc}"
            exc._render_traceback_ = lambda: [shown]
            raise

    def _compare(self, cell: str) -> Comparison:
        backends = [hftlab.get_client("local"), session.grpc_backend()]
        return compare_cell(self.shell.transform_cell(cell), self.shell.user_ns, backends)


HELP = inspect.cleandoc(HftlabMagics.hftlab.__doc__)


def _help(args: list[str]) -> None:
    print(HELP)


def _use(args: list[str]) -> None:
    if not args:
        raise _Usage("use needs an address: local or grpc://HOST:PORT")
    address, *rest = args
    options = _options(rest, {"--token": str, "--no-check": bool})
    check = not options.pop("no_check", False)
    chosen = session.use(address, check=check, **options)
    checked = " (not checked)" if chosen.name == "grpc" and not check else ""
    print(f"hftlab backend: {chosen.name} ({chosen.address}){checked}")


def _serve(args: list[str]) -> None:
    options = _options(args, {"--port": int, "--token": str})
    server = session.serve(**options)
    print(f"hftlab serving on {server.address} (pid {server.process.pid}); backend: grpc")


def _stop(args: list[str]) -> None:
    if args:
        raise _Usage(f"stop takes no arguments; got {args}")
    address = session.stop()
    if address is None:
        print("hftlab: no server started by this kernel")
    else:
        print(f"hftlab server at {address} stopped; backend: {hftlab.backend().name}")


def _bench(args: list[str]):
    """Quick latency table of the RPCs named in ``args`` (default: all) against the kernel's gRPC backend."""
    from hftlab.bench import run_bench

    ops = [arg for arg in args if not arg.startswith("-")] or None
    if len(ops or ()) != len(args):
        raise _Usage(f"bench takes RPC names only; got {args}")
    try:
        remote = session.grpc_backend()
    except HftlabError:  # no server yet: the harness starts one for the run
        return run_bench(quick=True, ops=ops, parts=["unary"], echo=session.echo_client())
    token = getattr(getattr(remote, "config", None), "token", None)
    options = {"token": token} if token else {}
    return run_bench(
        quick=True, ops=ops, parts=["unary"], address=remote.address, echo=session.echo_client(), **options
    )


class Status(dict):
    """What ``%hftlab status`` returns: a dict that displays as an aligned table."""

    def __repr__(self) -> str:
        return "\n".join(f"{key:>15}: {value}" for key, value in self.items())


def status(args: list[str] | None = None) -> Status:
    """Backend name, address, server version and round-trip latency of ``GetServerInfo``."""
    if args:
        raise _Usage(f"status takes no arguments; got {args}")
    active = hftlab.backend()
    started = time.perf_counter()
    info = active.info()
    latency_ms = (time.perf_counter() - started) * 1e3
    server = session.server()
    return Status(
        backend=active.name,
        address=active.address,
        server_version=info.version,
        server_pid=info.pid,
        round_trip_ms=round(latency_ms, 3),
        operations=len(info.operations),
        kernel_server=server.address if server else None,
    )


_COMMANDS = {"use": _use, "status": status, "serve": _serve, "stop": _stop, "bench": _bench, "help": _help}

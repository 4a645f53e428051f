"""``%hftlab`` line magic: choose and inspect the backend from a notebook.

``%load_ext hftlab`` registers it (anywidget-style: imported lazily by
``hftlab.load_ipython_extension``).
"""

from __future__ import annotations

import shlex
import time

from IPython.core.magic import Magics, line_magic, magics_class

import hftlab
from hftlab.errors import HftlabError

HELP = """%hftlab SUBCOMMAND

Subcommands:
  use local                       compute in this kernel (the default)
  use grpc://HOST:PORT [--token T]
                                  compute on an `hftlab serve` server
  status                          backend, address, server version, round-trip latency
"""


@magics_class
class HftlabMagics(Magics):
    """The ``%hftlab`` magic (see ``HELP``)."""

    @line_magic
    def hftlab(self, line: str):
        """%hftlab use local|grpc://HOST:PORT [--token T] | status"""
        words = shlex.split(line)
        if not words or words[0] in ("help", "-h", "--help"):
            print(HELP)
            return None
        command, *args = words
        try:
            if command == "use":
                return self._use(args)
            if command == "status":
                return status()
        except HftlabError as exc:
            print(f"hftlab: {exc}")
            return None
        print(f"hftlab: unknown subcommand {command!r}\n\n{HELP}")
        return None

    def _use(self, args: list[str]):
        if not args:
            print(HELP)
            return None
        address, *rest = args
        options = {}
        if rest[:1] == ["--token"] and len(rest) == 2:
            options["token"] = rest[1]
        elif rest:
            print(f"hftlab: unexpected arguments {rest}\n\n{HELP}")
            return None
        chosen = hftlab.use(address, **options)
        print(f"hftlab backend: {chosen.name} ({chosen.address})")
        return None


def status() -> dict:
    """Backend name, address, server version and round-trip latency of ``GetServerInfo``."""
    active = hftlab.backend()
    started = time.perf_counter()
    info = active.info()
    latency_ms = (time.perf_counter() - started) * 1e3
    report = {
        "backend": active.name,
        "address": active.address,
        "server_version": info.version,
        "server_pid": info.pid,
        "round_trip_ms": round(latency_ms, 3),
        "operations": len(info.operations),
    }
    print("\n".join(f"{key:>15}: {value}" for key, value in report.items()))
    return report

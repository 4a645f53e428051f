"""Server settings: ``hftlab serve`` flags and ``config.toml`` (same names).

A ``config.toml``::

    [server]
    host = "0.0.0.0"            # loopback (127.0.0.1) by default; "::1" for IPv6
    port = 50051
    workers = 2                 # server processes sharing the port (SO_REUSEPORT)
    max_workers = 8             # threads per process
    blas_threads = 1            # threads one BLAS/OpenMP call may use in each process
    max_concurrent_rpcs = 256   # beyond this, calls get RESOURCE_EXHAUSTED
    max_concurrent_streams = 100
    keepalive_seconds = 60
    keepalive_timeout_seconds = 20
    max_message_mb = 512
    compression = "gzip"        # server-side default compression
    grace_seconds = 5
    log_level = "INFO"
    log_format = "json"         # or "text"
    metrics_port = 9464         # Prometheus text endpoint on the server host (off when absent)
    token = "..."               # bearer token required on every hftlab call (or HFTLAB_TOKEN)
    tls_cert = "server.pem"     # PEM certificate chain and key: serve TLS
    tls_key = "server.key"
    tls_client_ca = "ca.pem"    # also require client certificates signed by this CA
    insecure = false            # allow a non-loopback bind without TLS or token
    feed_urls = ["wss://stream.binance.com:9443"]  # URLs clients may point exchange feeds at
    replay_dirs = ["/srv/ticks"]                   # directories whose files clients may replay
    max_points = 10_000_000     # rows of one series or table (0: no limit)
    max_assets = 10_000         # columns of one table, symbols of one stream
    max_events = 50_000_000     # events of one tick backtest
    max_samples = 10_000_000    # iterations, samples, time steps one call runs
    max_memory_mb = 4096        # memory one call may need (estimated before it starts)

Clients choose a feed's ``ws_url``/``rest_url`` and a replay's ``path``, which the server
then opens. A loopback server allows any (only local users reach it); any other server
allows only URLs under ``feed_urls`` and files under ``replay_dirs`` (none by default),
answering ``PERMISSION_DENIED`` otherwise.

``max_*``: what one request may ask for (:mod:`hftlab.types.limits` says how each is
measured), checked before any work starts; beyond them a call gets ``RESOURCE_EXHAUSTED``
naming the field and the limit.

``blas_threads`` is 1 by default, as Dask's worker processes set it: a server already
runs calls in parallel (``max_workers`` threads, ``workers`` processes), and OpenBLAS
threads busy-wait after each call, taking cores from the next request and from the
client on the same machine.
"""

from __future__ import annotations

import ipaddress
import os
import posixpath
import tomllib
import urllib.parse
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from hftlab import validation as v
from hftlab.errors import InvalidInput, PermissionDenied
from hftlab.types.limits import Limits

TOKEN_ENV = "HFTLAB_TOKEN"


def _strings(name: str, values: Any) -> tuple[str, ...]:
    if isinstance(values, str) or not all(isinstance(value, str) for value in values):
        raise v.fail(name, "a list of strings", values)
    return tuple(values)


_DEFAULT_PORTS = {"ws": 80, "http": 80, "wss": 443, "https": 443}


def normalise_url(url: str) -> tuple[str, str, int | None, str] | None:
    """``(scheme, host, port, path)`` of ``url`` as a server resolves it (RFC 3986 section 6:
    scheme and host in lower case, the scheme's default port explicit, percent-escapes decoded
    and ``.``/``..`` segments removed from the path); ``None`` if it does not parse as one."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:  # a port that is not a number, an unbalanced IPv6 bracket...
        return None
    if not parts.hostname:
        return None
    path = posixpath.normpath("/" + urllib.parse.unquote(parts.path))
    return parts.scheme.lower(), parts.hostname.lower().rstrip("."), port, path.replace("//", "/")


def _under_url(url: str, prefix: str) -> bool:
    """Whether ``url`` is ``prefix`` or below it, compared once both are normalised: a ``..``
    segment, another case or a user name before the host cannot pass for an allowed URL."""
    target, allowed = normalise_url(url), normalise_url(prefix)
    if target is None or allowed is None or target[:3] != allowed[:3]:
        return False
    return target[3] == allowed[3] or target[3].startswith(allowed[3].rstrip("/") + "/")


def _under_directory(path: str, directory: str) -> bool:
    return Path(path).resolve().is_relative_to(Path(directory).resolve())


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerConfig:
    """Validated server settings; see the module docstring for every key."""

    host: str = "127.0.0.1"
    port: int = 50051
    workers: int = 1
    max_workers: int = 8
    blas_threads: int = 1
    max_concurrent_rpcs: int = 256
    max_concurrent_streams: int = 100
    keepalive_seconds: float = 60.0
    keepalive_timeout_seconds: float = 20.0
    max_message_mb: int = 512
    compression: str | None = None
    grace_seconds: float = 5.0
    log_level: str = "INFO"
    log_format: str = "text"
    metrics_port: int | None = None
    token: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_client_ca: str | None = None
    insecure: bool = False
    feed_urls: tuple[str, ...] = ()
    replay_dirs: tuple[str, ...] = ()
    max_points: int = Limits.max_points
    max_assets: int = Limits.max_assets
    max_events: int = Limits.max_events
    max_samples: int = Limits.max_samples
    max_memory_mb: int = Limits.max_memory_mb

    def __post_init__(self) -> None:
        if not isinstance(self.host, str) or not self.host:
            raise v.fail("host", "a non-empty host name or address", self.host)
        v.check_int("port", self.port, low=0, high=65535)
        v.check_int("workers", self.workers, low=1, high=64)
        v.check_int("max_workers", self.max_workers, low=1, high=1024)
        v.check_int("blas_threads", self.blas_threads, low=1, high=1024)
        v.check_int("max_concurrent_rpcs", self.max_concurrent_rpcs, low=1)
        v.check_int("max_concurrent_streams", self.max_concurrent_streams, low=1)
        v.check_float("keepalive_seconds", self.keepalive_seconds, low=1)
        v.check_float("keepalive_timeout_seconds", self.keepalive_timeout_seconds, low=1)
        v.check_int("max_message_mb", self.max_message_mb, low=1, high=2047)
        if self.compression is not None:
            v.check_choice("compression", self.compression, ["gzip"])
        v.check_float("grace_seconds", self.grace_seconds, low=0)
        v.check_choice("log_level", self.log_level, ["DEBUG", "INFO", "WARNING", "ERROR"])
        v.check_choice("log_format", self.log_format, ["text", "json"])
        if self.metrics_port is not None:
            v.check_int("metrics_port", self.metrics_port, low=0, high=65535)
        if self.token is not None and (not isinstance(self.token, str) or len(self.token) < 8):
            raise v.fail("token", "a string of at least 8 characters", "<hidden>")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise InvalidInput("'tls_cert' and 'tls_key' must be given together.")
        if self.tls_client_ca is not None and self.tls_cert is None:
            raise InvalidInput("'tls_client_ca' needs 'tls_cert' and 'tls_key' (client certificates need TLS).")
        for name in ("tls_cert", "tls_key", "tls_client_ca"):
            path = getattr(self, name)
            if path is not None and not Path(path).is_file():
                raise InvalidInput(f"'{name}' file {path!r} does not exist.")
        object.__setattr__(self, "feed_urls", _strings("feed_urls", self.feed_urls))
        for url in self.feed_urls:
            if not url.startswith(("ws://", "wss://", "http://", "https://")) or normalise_url(url) is None:
                raise v.fail("feed_urls", "URLs starting with ws://, wss://, http:// or https://", url)
        object.__setattr__(self, "replay_dirs", _strings("replay_dirs", self.replay_dirs))
        for directory in self.replay_dirs:
            if not Path(directory).is_dir():
                raise InvalidInput(f"'replay_dirs' entry {directory!r} is not a directory.")
        for field in fields(Limits):
            v.check_int(field.name, getattr(self, field.name), low=0)
        if not (is_loopback(self.host) or self.tls or self.token or self.insecure):
            raise InvalidInput(
                f"'host' {self.host!r} is reachable from other machines: give a token or TLS "
                "certificates, or --insecure to serve it unprotected on purpose."
            )

    @property
    def limits(self) -> Limits:
        """What one request may ask for (0 in the settings: no limit)."""
        return Limits(**{field.name: getattr(self, field.name) or None for field in fields(Limits)})

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    def check_sources(self, request: Any) -> None:
        """Raise :class:`PermissionDenied` if ``request`` points the server at a feed URL
        (``ws_url``, ``rest_url``) or a file (``path``) this configuration does not allow."""
        for name in ("ws_url", "rest_url"):
            url, allowed = getattr(request, name, None), self.feed_urls
            if url is not None and not self._allows(allowed, _under_url, url):
                raise PermissionDenied(
                    f"'{name}' {v.names([url])} is not under the server's feed_urls {v.names(allowed)}."
                )
        path = getattr(request, "path", None)
        if path is not None and not self._allows(self.replay_dirs, _under_directory, path):
            raise PermissionDenied(
                f"'path' {v.names([path])} is not under the server's replay_dirs {v.names(self.replay_dirs)}."
            )

    def _allows(self, allowed: tuple[str, ...], under, target: str) -> bool:
        """Empty lists allow anything on a loopback server and nothing on any other."""
        return any(under(target, entry) for entry in allowed) if allowed else is_loopback(self.host)

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @classmethod
    def from_toml(cls, path: str | Path | None = None, **overrides: Any) -> ServerConfig:
        """Settings from ``[server]`` (or top-level) keys of a TOML file, ``HFTLAB_TOKEN``
        from the environment, then ``overrides`` (command-line flags; ``None`` = not given)."""
        section: dict[str, Any] = {}
        if path is not None:
            try:
                data = tomllib.loads(Path(path).read_text())
            except FileNotFoundError:
                raise InvalidInput(f"'config' file {str(path)!r} does not exist.") from None
            except tomllib.TOMLDecodeError as exc:
                raise InvalidInput(f"'config' file {str(path)!r} is not valid TOML: {exc}") from None
            section = data.get("server", data)
            known = {f.name for f in fields(cls)}
            unknown = sorted(set(section) - known)
            if unknown:
                raise InvalidInput(f"'config' has unknown key(s) {unknown}; known: {sorted(known)}.")
        if os.environ.get(TOKEN_ENV):
            section = {**section, "token": os.environ[TOKEN_ENV]}
        return cls(**{**section, **{k: val for k, val in overrides.items() if val is not None}})

"""Shared fixtures: a gRPC server per session, backends parametrized for parity, sample data.

Sample data comes from ``hftlab.data``'s registry. In our workspace and CI the files sit in
``../shared/data`` beside the repository: ``HFTLAB_DATA_DIR`` points there unless it is already set
(elsewhere, the registry downloads them once into the user cache).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

import hftlab
from hftlab.data import LobsterSample, lobster_sample
from hftlab.server import ServerConfig, build_server

WORKSPACE_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if WORKSPACE_DATA.is_dir():
    os.environ.setdefault("HFTLAB_DATA_DIR", str(WORKSPACE_DATA))


@pytest.fixture(scope="session")
def lobster_files() -> LobsterSample:
    """LOBSTER's AAPL sample (first 999 events): message and orderbook file."""
    return lobster_sample()


@pytest.fixture
def free_port() -> int:
    """A loopback port free right now, for a process the test starts (and may restart) on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def grpc_address():
    """An in-process server on a free loopback port for the whole session."""
    server, port = build_server(ServerConfig(host="127.0.0.1", port=0))
    yield f"grpc://127.0.0.1:{port}"
    server.stop(grace=None)


@pytest.fixture(params=["local", "grpc"])
def backend(request, grpc_address):
    """Each backend in turn, made active for the test (parity: same test, both backends)."""
    address = "local" if request.param == "local" else grpc_address
    with hftlab.using(address) as active:
        yield active


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of the system Chromium, installed with apt-get if missing (Playwright is pointed at it:
    no browser download)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if shutil.which("apt-get") is None:
        pytest.skip("Chromium is not installed and there is no apt-get to install it")
    install = [
        "apt-get",
        "-o",
        "DPkg::Lock::Timeout=300",
        "install",
        "-y",
        "--no-install-recommends",
        "chromium",
        "chromium-driver",
    ]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(install, capture_output=True, text=True, timeout=900, env=env)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update"], capture_output=True, timeout=300, env=env)
        done = subprocess.run(install, capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, f"apt-get install failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium not found after installing it"
    return found

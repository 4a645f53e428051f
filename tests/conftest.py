"""Shared fixtures: a gRPC server per session, backends parametrized for parity, sample data."""

from __future__ import annotations

from pathlib import Path

import pytest

import hftlab
from hftlab.rpc.server import ServerConfig, build_server

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the repo (real sample data; never copied into the repo)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"sample data not found at {SHARED_DATA}")
    return SHARED_DATA


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

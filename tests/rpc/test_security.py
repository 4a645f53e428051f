"""Bearer tokens, TLS (server and mutual) and the refusal to serve unprotected off loopback."""

import datetime
import ipaddress
import logging

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from prometheus_client import generate_latest

import hftlab
from hftlab.backends import GrpcBackend, GrpcConfig
from hftlab.cli import main
from hftlab.errors import BackendUnavailable, InvalidInput, PermissionDenied, Unauthenticated
from hftlab.server import ServerProcess, build_server
from hftlab.server.config import ServerConfig
from hftlab.types import MeanReversionRequest, ServerInfoRequest
from hftlab.types.market import GetOrderBookRequest, StreamMarketDataRequest

TOKEN = "s3cret-token-for-tests"
PRICES = list(10 + np.sin(np.arange(60) / 2.0) + np.linspace(0, 1, 60))


@pytest.fixture(scope="module")
def token_server():
    server, port = build_server(ServerConfig(port=0, token=TOKEN))
    yield f"grpc://127.0.0.1:{port}"
    server.stop(grace=None)


def test_calls_need_the_right_token(token_server):
    with GrpcBackend(GrpcConfig.from_address(token_server, token=TOKEN)) as client:
        assert client.execute(ServerInfoRequest()).version == hftlab.__version__
    for token, reason in ((None, "missing bearer token"), ("wrong-token-123", "wrong bearer token")):
        config = GrpcConfig.from_address(token_server, token=token)
        with GrpcBackend(config) as client, pytest.raises(Unauthenticated, match=reason):
            client.execute(MeanReversionRequest(PRICES, lookback=5))


def test_token_from_the_environment_and_use(monkeypatch):
    with ServerProcess("127.0.0.1", 0, env={"HFTLAB_TOKEN": TOKEN}) as server:
        with pytest.raises(Unauthenticated):
            hftlab.get_client(server.address).execute(ServerInfoRequest())
        with hftlab.using(server.address, token=TOKEN):
            assert hftlab.server_info().pid == server.process.pid


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, key, issuer, issuer_key, ca=False, san=None):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, a server certificate for localhost/127.0.0.1 and a client certificate (PEM files)."""
    out = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("hftlab test CA", ca_key, "hftlab test CA", ca_key, ca=True)
    files = {"ca": ca}
    for name, san in (
        ("server", [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
        ("client", None),
    ):
        key = ec.generate_private_key(ec.SECP256R1())
        files[name] = _certificate(name, key, "hftlab test CA", ca_key, san=san)
        (out / f"{name}.key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    for name, certificate in files.items():
        (out / f"{name}.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return out


def test_tls_server(pki):
    config = ServerConfig(port=0, tls_cert=str(pki / "server.pem"), tls_key=str(pki / "server.key"))
    server, port = build_server(config)
    try:
        address = f"grpcs://localhost:{port}"
        with GrpcBackend(GrpcConfig.from_address(address, root_cert=str(pki / "ca.pem"))) as client:
            local = hftlab.get_client("local").execute(MeanReversionRequest(PRICES, lookback=5))
            assert hftlab.differences(client.execute(MeanReversionRequest(PRICES, lookback=5)), local) == []
        # a plaintext client cannot talk to a TLS server
        plain = GrpcConfig(port=port, timeout=3, max_retries=0)
        with GrpcBackend(plain) as client, pytest.raises(BackendUnavailable):
            client.execute(ServerInfoRequest())
    finally:
        server.stop(grace=None)


def test_mutual_tls_requires_a_client_certificate(pki):
    config = ServerConfig(
        port=0,
        tls_cert=str(pki / "server.pem"),
        tls_key=str(pki / "server.key"),
        tls_client_ca=str(pki / "ca.pem"),
    )
    server, port = build_server(config)
    try:
        address = f"grpcs://localhost:{port}"
        mutual = GrpcConfig.from_address(
            address,
            root_cert=str(pki / "ca.pem"),
            client_cert=str(pki / "client.pem"),
            client_key=str(pki / "client.key"),
        )
        with GrpcBackend(mutual) as client:
            assert client.execute(ServerInfoRequest()).version == hftlab.__version__
        anonymous = GrpcConfig.from_address(address, root_cert=str(pki / "ca.pem"), timeout=3, max_retries=0)
        with GrpcBackend(anonymous) as client, pytest.raises(BackendUnavailable):
            client.execute(ServerInfoRequest())
    finally:
        server.stop(grace=None)


def test_refuses_an_unprotected_public_bind():
    with pytest.raises(InvalidInput, match=r"'host' '0\.0\.0\.0' is reachable from other machines"):
        ServerConfig(host="0.0.0.0")
    assert ServerConfig(host="0.0.0.0", insecure=True).insecure
    assert ServerConfig(host="0.0.0.0", token=TOKEN).token == TOKEN
    assert ServerConfig(host="::1").host == "::1"


def test_public_servers_open_only_the_feeds_and_files_they_are_configured_for(tmp_path):
    allowed, secret = tmp_path / "ticks", tmp_path / "secret.csv"
    allowed.mkdir()
    feed = StreamMarketDataRequest(["BTCUSDT"], source="binance", ws_url="wss://evil.example/ws")
    replay = GetOrderBookRequest("X", source="replay", path=str(secret))
    escape = GetOrderBookRequest("X", source="replay", path=str(allowed / ".." / "secret.csv"))
    inside = GetOrderBookRequest("X", source="replay", path=str(allowed / "day.csv"))

    loopback = ServerConfig()  # only local users reach it: anything goes, as before
    for request in (feed, replay, escape, inside):
        loopback.check_sources(request)
    public = ServerConfig(host="0.0.0.0", token=TOKEN)
    for request, field in ((feed, "ws_url"), (replay, "path"), (inside, "path")):
        with pytest.raises(PermissionDenied, match=f"'{field}'"):
            public.check_sources(request)
    configured = ServerConfig(
        host="0.0.0.0", token=TOKEN, replay_dirs=[str(allowed)], feed_urls=["wss://stream.binance.com:9443"]
    )
    configured.check_sources(inside)
    configured.check_sources(
        StreamMarketDataRequest(["BTCUSDT"], source="binance", ws_url="wss://stream.binance.com:9443/ws")
    )
    for request in (
        feed,
        replay,
        escape,
        StreamMarketDataRequest(
            ["BTCUSDT"], source="binance", ws_url="wss://stream.binance.com:9443.evil.example/ws"
        ),
    ):
        with pytest.raises(PermissionDenied, match="is not under"):
            configured.check_sources(request)
    restricted = ServerConfig(replay_dirs=[str(allowed)])  # a list applies on loopback too
    with pytest.raises(PermissionDenied, match=r"'path' .* is not under the server's replay_dirs"):
        restricted.check_sources(replay)


def test_a_refused_file_is_never_opened(tmp_path):
    allowed = tmp_path / "ticks"
    allowed.mkdir()
    server, port = build_server(ServerConfig(port=0, replay_dirs=[str(allowed)]))
    try:
        with GrpcBackend(GrpcConfig.from_address(f"grpc://127.0.0.1:{port}")) as client:
            refused = "'path' '/etc/passwd' is not under the server's replay_dirs"
            with pytest.raises(PermissionDenied, match=refused):
                client.execute(GetOrderBookRequest("X", source="replay", path="/etc/passwd"))
            with pytest.raises(PermissionDenied, match="'path'"):
                list(client.stream(StreamMarketDataRequest(["X"], source="replay", path="/etc/passwd")))
    finally:
        server.stop(grace=None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"feed_urls": ["ftp://x"]}, "'feed_urls' must be URLs starting with ws://"),
        ({"replay_dirs": ["/no/such/dir"]}, "'replay_dirs' entry '/no/such/dir' is not a directory"),
        ({"feed_urls": "wss://x"}, "'feed_urls' must be a list of strings"),
        ({"token": "short"}, "'token' must be a string of at least 8 characters"),
        ({"tls_cert": "x.pem"}, "'tls_cert' and 'tls_key' must be given together"),
        ({"tls_cert": "nope.pem", "tls_key": "nope.key"}, "'tls_cert' file 'nope.pem' does not exist"),
        ({"workers": 0}, "'workers' must be an int >= 1"),
        ({"blas_threads": 0}, "'blas_threads' must be an int >= 1"),
        ({"log_format": "xml"}, "'log_format' must be one of"),
    ],
)
def test_bad_server_settings_name_the_field(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        ServerConfig(**kwargs)


def test_failed_authentications_are_logged_and_counted(caplog):
    server, port = build_server(ServerConfig(port=0, token=TOKEN, metrics_port=None))
    try:
        address = f"grpc://127.0.0.1:{port}"
        with caplog.at_level(logging.WARNING, logger="hftlab.server"):
            for token in (None, "wrong-token-123", "wrong-token-456"):
                config = GrpcConfig.from_address(address, token=token)
                with GrpcBackend(config) as client, pytest.raises(Unauthenticated):
                    client.execute(ServerInfoRequest())
        lines = [r for r in caplog.records if r.getMessage().startswith("authentication failed")]
        assert [r.reason for r in lines] == ["missing bearer token"] + ["wrong bearer token"] * 2
        assert all(r.rpc == "GetServerInfo" and r.peer.startswith("ipv4:127.0.0.1:") for r in lines)
        assert not any(
            "wrong-token" in r.getMessage() or "wrong-token" in str(r.__dict__) for r in caplog.records
        )
        with GrpcBackend(GrpcConfig.from_address(address, token=TOKEN)) as client:
            info = client.execute(ServerInfoRequest())
        assert info.auth_failures == {"missing bearer token": 1, "wrong bearer token": 2}
        assert all(type(count) is int for count in info.auth_failures.values())
        text = generate_latest(server.hftlab_service.metrics.registry).decode()
        assert 'hftlab_auth_failures_total{reason="wrong bearer token"} 2.0' in text
    finally:
        server.stop(grace=None)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("wss://stream.binance.com:9443/ws/btcusdt", True),
        ("wss://Stream.Binance.COM:9443/ws", True),
        ("wss://stream.binance.com:9443/ws/./btcusdt", True),
        ("wss://stream.binance.com:9443/ws/../admin", False),
        ("wss://stream.binance.com:9443/ws/%2e%2e/admin", False),
        ("wss://stream.binance.com:9443/wsx", False),
        ("wss://stream.binance.com:9443@evil.example/ws", False),
        ("wss://stream.binance.com/ws", False),  # another port (443)
        ("ws://stream.binance.com:9443/ws", False),  # another scheme
    ],
)
def test_feed_urls_are_normalised_before_the_allow_list(url, allowed):
    config = ServerConfig(host="0.0.0.0", token=TOKEN, feed_urls=["wss://stream.binance.com:9443/ws"])
    request = StreamMarketDataRequest(["BTCUSDT"], source="binance", ws_url=url)
    if allowed:
        config.check_sources(request)
    else:
        with pytest.raises(PermissionDenied, match=r"'ws_url' .* is not under the server's feed_urls"):
            config.check_sources(request)


def test_a_token_on_the_command_line_warns(capsys, tmp_path):
    missing = str(tmp_path / "missing.toml")  # the command stops at the config, after the warning
    assert main(["serve", "--token", TOKEN, "--config", missing]) == 2
    err = capsys.readouterr().err
    assert "--token is visible to every local user" in err and "HFTLAB_TOKEN" in err and TOKEN not in err
    assert main(["serve", "--config", missing]) == 2
    assert "--token" not in capsys.readouterr().err

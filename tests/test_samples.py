"""The sample-data registry: local folders, the download cache (over a loopback HTTP server), errors.

The loopback server serves the very files ``HFTLAB_DATA_DIR`` holds, so every download below is
checked against the registry's real sha256; LOBSTER's sample arrives as LOBSTER ships it, a zip
of the whole day (here: the excerpt plus one line more, inside a folder of the archive).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import hftlab.data
from hftlab.data import SAMPLES, exchange_capture, fetch, lobster_sample
from hftlab.errors import NotFound, SampleUnavailable

ROOT = Path(__file__).resolve().parents[1]
KRAKEN = "exchanges/KRAKEN.ws.50.0"
MESSAGE = "lobster/AAPL_2012-06-21_34200000_57600000_message_10.csv"


@pytest.fixture(scope="module")
def data_dir() -> Path:
    """The folder the test session reads samples from (fetching each once if it is the cache)."""
    for name in SAMPLES:
        fetch(name)
    return fetch(KRAKEN).parents[1]


class _Server:
    """Serves a folder over loopback HTTP and counts the requests per path."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.requests: list[str] = []
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(folder)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def web(tmp_path, data_dir, monkeypatch):
    """A loopback server with copies of the samples (LOBSTER's as a zip); the registry points at
    it, the cache is empty and ``HFTLAB_DATA_DIR`` unset."""
    site = tmp_path / "site"
    shutil.copytree(data_dir / "exchanges", site / "exchanges")
    with zipfile.ZipFile(site / "LOBSTER_SampleFile_AAPL_2012-06-21_10.zip", "w") as bundle:
        for name in (n for n in SAMPLES if n.startswith("lobster/")):
            day = (data_dir / name).read_bytes() + b"\n34200.5,1,1,1,1,1\n"  # more than the excerpt
            bundle.writestr(f"sample/{Path(name).name}", day)
    server = _Server(site)
    for name, sample in SAMPLES.items():
        path = f"/exchanges/{Path(name).name}" if sample.member is None else "/" + Path(sample.url).name
        monkeypatch.setitem(SAMPLES, name, dataclasses.replace(sample, url=server.url + path))
    monkeypatch.delenv("HFTLAB_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield server
    server.close()


def test_every_sample_is_one_complete_entry():
    assert len(SAMPLES) == 6
    for name, sample in SAMPLES.items():
        assert sample.name == name and name.split("/")[0] in ("lobster", "exchanges")
        assert sample.url.startswith("https://") and len(sample.sha256) == 64 and sample.size > 0
        assert sample.terms
    assert "57d73e854e3180d77d0077a831b379cf1fbad5b7" in SAMPLES[KRAKEN].url  # a fixed commit
    assert SAMPLES[MESSAGE].member == Path(MESSAGE).name and SAMPLES[MESSAGE].rows == 999


def test_the_folder_holds_the_registered_files(data_dir):
    for name, sample in SAMPLES.items():
        content = (data_dir / name).read_bytes()
        assert len(content) == sample.size
        assert hashlib.sha256(content).hexdigest() == sample.sha256
    sample = lobster_sample()
    assert sample.message.name == Path(MESSAGE).name and sample.orderbook.name.endswith("_orderbook_10.csv")
    assert len(sample.message.read_text().splitlines()) == 999
    assert exchange_capture("KRAKEN.ws.50.0") == data_dir / KRAKEN


def test_data_dir_argument_wins_over_the_environment(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("HFTLAB_DATA_DIR", str(tmp_path / "nowhere"))
    assert fetch(KRAKEN, data_dir=data_dir) == data_dir / KRAKEN
    with pytest.raises(SampleUnavailable) as error:
        fetch(KRAKEN)
    message = str(error.value)
    assert f"'{KRAKEN}' is not in HFTLAB_DATA_DIR=" in message and "nowhere" in message
    assert SAMPLES[KRAKEN].url in message
    assert isinstance(error.value, NotFound)


def test_a_local_file_that_is_not_the_sample_is_refused(tmp_path, data_dir):
    (tmp_path / "exchanges").mkdir()
    (tmp_path / KRAKEN).write_bytes((data_dir / KRAKEN).read_bytes()[:-1])
    with pytest.raises(SampleUnavailable, match=r"is not the sample 'exchanges/KRAKEN\.ws\.50\.0': its sha256"):
        fetch(KRAKEN, data_dir=tmp_path)


def test_unknown_names_list_the_registry():
    with pytest.raises(SampleUnavailable, match=r"'name': no sample 'exchanges/NOPE'; the registry has \["):
        exchange_capture("NOPE")


def test_download_is_checked_cached_and_reused(web, tmp_path, data_dir):
    path = exchange_capture("KRAKEN.ws.50.0")
    assert path == tmp_path / "cache" / "hftlab" / KRAKEN
    assert path.read_bytes() == (data_dir / KRAKEN).read_bytes()
    assert exchange_capture("KRAKEN.ws.50.0") == path
    assert web.requests == ["/exchanges/KRAKEN.ws.50.0"]  # the second call used the cache


def test_lobster_excerpt_is_cut_from_the_days_zip(web, tmp_path, data_dir):
    sample = lobster_sample()
    for path in sample:
        assert path.parent == tmp_path / "cache" / "hftlab" / "lobster"
        assert path.read_bytes() == (data_dir / "lobster" / path.name).read_bytes()
    assert web.requests == ["/LOBSTER_SampleFile_AAPL_2012-06-21_10.zip"]  # one archive, two files
    assert lobster_sample() == sample and len(web.requests) == 1


def test_a_corrupted_download_is_refused_and_not_kept(web, tmp_path):
    site_file = web.folder / KRAKEN
    content = bytearray(site_file.read_bytes())
    content[1000] ^= 1  # one bit flipped on the way
    site_file.write_bytes(bytes(content))
    with pytest.raises(SampleUnavailable) as error:
        exchange_capture("KRAKEN.ws.50.0")
    message = str(error.value)
    assert "downloading http://127.0.0.1:" in message and "does not match the known hash" in message
    assert not (tmp_path / "cache" / "hftlab" / KRAKEN).exists()


def test_a_changed_lobster_archive_is_refused(web, tmp_path):
    archive = web.folder / "LOBSTER_SampleFile_AAPL_2012-06-21_10.zip"
    archive.write_bytes(b"not a zip")
    with pytest.raises(SampleUnavailable, match="did not download as a zip archive"):
        lobster_sample()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(Path(MESSAGE).name, "34200.1,1,1,1,1,1\n")
    with pytest.raises(
        SampleUnavailable, match=r"the first 999 lines of .* have sha256 .*, not the registry's"
    ):
        lobster_sample()
    assert not (tmp_path / "cache" / "hftlab" / MESSAGE).exists()


def test_offline_the_message_names_the_sample_its_url_and_the_override(web, free_port, monkeypatch):
    offline = dataclasses.replace(SAMPLES[KRAKEN], url=f"http://127.0.0.1:{free_port}/KRAKEN.ws.50.0")
    monkeypatch.setitem(SAMPLES, KRAKEN, offline)
    with pytest.raises(SampleUnavailable) as error:
        exchange_capture("KRAKEN.ws.50.0")
    message = str(error.value)
    assert f"downloading {offline.url} failed (ConnectionError" in message
    assert "HFTLAB_DATA_DIR" in message and f"'{KRAKEN}'" in message


def test_nothing_in_the_package_or_notebooks_names_our_workspace():
    named = [
        str(path.relative_to(ROOT))
        for folder in ("hftlab", "notebooks")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".ipynb", ".md", ".toml") and "shared/" in path.read_text()
    ]
    assert named == []


@pytest.mark.slow
def test_sample_tests_pass_from_a_copy_with_no_workspace_beside_it(tmp_path, data_dir):
    """The repository copied alone (no ``../shared``), the samples elsewhere: HFTLAB_DATA_DIR is all
    the sample-data tests need."""
    listed = ["git", "ls-files", "--cached", "--others", "--exclude-standard"]
    files = subprocess.run(listed, cwd=ROOT, capture_output=True, text=True, check=True)
    copy = tmp_path / "alone" / "hftlab"
    for name in files.stdout.splitlines():
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    samples = shutil.copytree(
        data_dir, tmp_path / "elsewhere" / "samples", ignore=shutil.ignore_patterns("*.md")
    )
    env = {**os.environ, "HFTLAB_DATA_DIR": str(samples), "XDG_CACHE_HOME": str(tmp_path / "empty-cache")}
    tests = [
        "tests/market/test_lobster.py",
        "tests/market/test_kraken.py",
        "tests/api/test_replay_lobster.py",
        "tests/test_samples.py::test_the_folder_holds_the_registered_files",
    ]
    check = "import hftlab, sys; sys.exit(0 if hftlab.__file__.startswith(sys.argv[1]) else 1)"
    assert subprocess.run([sys.executable, "-c", check, str(copy)], cwd=copy, env=env).returncode == 0
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout
    assert not (tmp_path / "empty-cache").exists()  # nothing was downloaded
    assert hftlab.data.fetch(KRAKEN) == data_dir / KRAKEN

"""Sample data: one registry of the public datasets the notebooks, tests and docs use.

Each sample is one named entry of :data:`SAMPLES` (its source URL, size, sha256 and terms of
use); :func:`fetch` returns a local path to it, looked up in this order:

1. ``data_dir=`` or the ``HFTLAB_DATA_DIR`` environment variable: a folder that already holds
   the files, laid out as their names say (``lobster/...``, ``exchanges/...``). Nothing is
   downloaded; a file there must have the registry's sha256.
2. Otherwise the user cache (``~/.cache/hftlab`` on Linux, ``pooch.os_cache``): each file is
   downloaded once with pooch (Uieda et al. 2020, JOSS 5(45) 1943), checked against its sha256
   and reused afterwards.

A sample found in neither way raises :class:`~hftlab.errors.SampleUnavailable`, naming the
sample, its URL and ``HFTLAB_DATA_DIR``. Nothing ships inside the package (``data/README.md``
says why).
"""

from __future__ import annotations

import functools
import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from hftlab.errors import SampleUnavailable

ENV_VAR = "HFTLAB_DATA_DIR"

_CRYPTOFEED = "https://raw.githubusercontent.com/bmoscon/cryptofeed/57d73e854e3180d77d0077a831b379cf1fbad5b7"
_CRYPTOFEED_TERMS = (
    "cryptofeed's sample_data (XFree86 1.1 licence, (c) Bryant Moscon): public market-data "
    "messages recorded from the exchange's feed in 2021"
)
_LOBSTER_ZIP = "https://lobsterdata.com/info/sample/LOBSTER_SampleFile_AAPL_2012-06-21_10.zip"
_LOBSTER_TERMS = (
    "LOBSTER's free sample files (NASDAQ TotalView-ITCH, reconstructed by LOBSTER, "
    "lobsterdata.com); downloaded from LOBSTER, not redistributed"
)
_LOBSTER_STEM = "AAPL_2012-06-21_34200000_57600000"


@dataclass(frozen=True)
class Sample:
    """One file of the registry.

    Attributes
    ----------
    name : str
        Its path inside a data folder (``HFTLAB_DATA_DIR`` or the cache), e.g. ``lobster/...csv``.
    url : str
        Where it is downloaded from; for a file taken from a zip archive, the archive.
    sha256 : str
        Of the file as used (for an excerpt: of the excerpt).
    size : int
        Bytes of the file as used.
    terms : str
        Origin and terms of use.
    member : str, optional
        The file's base name inside the zip archive at ``url``.
    rows : int, optional
        For an excerpt: the number of leading lines of ``member`` kept (line ends ``\\n``, none
        after the last line).
    """

    name: str
    url: str
    sha256: str
    size: int
    terms: str
    member: str | None = None
    rows: int | None = None

    @property
    def source(self) -> str:
        """Where the file comes from, in words."""
        if self.member is None:
            return self.url
        return f"the first {self.rows} lines of {self.member} in {self.url}"


def _capture(name: str, sha256: str, size: int) -> Sample:
    return Sample(f"exchanges/{name}", f"{_CRYPTOFEED}/sample_data/{name}", sha256, size, _CRYPTOFEED_TERMS)


def _lobster(kind: str, sha256: str, size: int) -> Sample:
    member = f"{_LOBSTER_STEM}_{kind}_10.csv"
    return Sample(f"lobster/{member}", _LOBSTER_ZIP, sha256, size, _LOBSTER_TERMS, member=member, rows=999)


SAMPLES: dict[str, Sample] = {
    sample.name: sample
    for sample in (
        # LOBSTER's AAPL level-10 sample (NASDAQ, 2012-06-21): its first 999 events.
        _lobster("message", "2e2c9733b3bc831e38b66e9324afc3b8167ba67a556e9a133c4c2060963a8976", 40_067),
        _lobster("orderbook", "277aba2634356baa2f355598ffa7ae124abc60670ea4a56dc66b617bae33a12d", 225_790),
        # Binance diff-depth stream (<symbol>@depth@100ms) and the REST snapshots that go with it.
        _capture("BINANCE.ws.1.0", "5ba2e0cc8204e49dff3d4c608dbb1c3cacc06d432d910ccc31f6b94136bfa5d2", 54_897),
        _capture(
            "BINANCE.http.0.0", "f482e6ea64cb2cbbf2ea6d038f509d9587720631f4287747d2edc480e880c21d", 139_441
        ),
        # Coinbase Exchange feed: level2 snapshot/l2update, ticker, matches.
        _capture(
            "COINBASE.ws.28.0", "8b2afe9b69ed0cf5b5eb6c36a82015a25cfa8aaee83379ac9588961b7b5ae8e9", 1_616_756
        ),
        # Kraken websocket v1 book (depth 1000): snapshots and updates with checksums.
        _capture("KRAKEN.ws.50.0", "b7faccd1f457a11fd39de563500369a18b7c7e159e8725497a36ad66136907cb", 894_822),
    )
}


class LobsterSample(NamedTuple):
    """The message and orderbook files of a LOBSTER sample (``replay_lobster(*sample)``)."""

    message: Path
    orderbook: Path


def lobster_sample(*, data_dir: str | Path | None = None) -> LobsterSample:
    """LOBSTER's public AAPL level-10 sample (NASDAQ, 2012-06-21), its first 999 events.

    Huang & Polak (2011), "LOBSTER: Limit Order Book Reconstruction System", SSRN 1977207.
    Downloaded once from LOBSTER's sample page (a zip of the whole day) unless ``data_dir`` or
    ``HFTLAB_DATA_DIR`` holds ``lobster/AAPL_2012-06-21_34200000_57600000_{message,orderbook}_10.csv``.
    """
    return LobsterSample(
        fetch(f"lobster/{_LOBSTER_STEM}_message_10.csv", data_dir=data_dir),
        fetch(f"lobster/{_LOBSTER_STEM}_orderbook_10.csv", data_dir=data_dir),
    )


def exchange_capture(name: str, *, data_dir: str | Path | None = None) -> Path:
    """One raw exchange capture of cryptofeed's ``sample_data`` (e.g. ``"KRAKEN.ws.50.0"``).

    One message per line as ``<receive timestamp>: <payload>`` (see ``data/README.md``).
    """
    return fetch(f"exchanges/{name}", data_dir=data_dir)


def fetch(name: str, *, data_dir: str | Path | None = None) -> Path:
    """Local path of the sample ``name`` (a key of :data:`SAMPLES`), downloading it at most once.

    Parameters
    ----------
    name : str
        The sample's path in a data folder, e.g. ``"exchanges/KRAKEN.ws.50.0"``.
    data_dir : str or Path, optional
        A folder that already holds the sample; default ``HFTLAB_DATA_DIR``, and when that is
        unset the user cache, filled from the sample's URL on first use.
    """
    sample = SAMPLES.get(name)
    if sample is None:
        raise SampleUnavailable(f"'name': no sample {name!r}; the registry has {sorted(SAMPLES)}.")
    folder = data_dir if data_dir is not None else os.environ.get(ENV_VAR) or None
    if folder is not None:
        return _local(sample, Path(folder), "data_dir" if data_dir is not None else ENV_VAR)
    return _cached(sample, cache_dir())


def cache_dir() -> Path:
    """The folder downloads are kept in (``pooch.os_cache("hftlab")``; ``$XDG_CACHE_HOME`` on Linux)."""
    import pooch

    return Path(pooch.os_cache("hftlab"))


def _local(sample: Sample, folder: Path, setting: str) -> Path:
    path = folder / sample.name
    if not path.is_file():
        raise SampleUnavailable(
            f"sample {sample.name!r} is not in {setting}={str(folder)!r} (looked for {str(path)!r}); "
            f"it is {sample.source}. Put the file there, or leave data_dir and {ENV_VAR} unset "
            "to download it into the cache."
        )
    if _sha256(path) != sample.sha256:
        raise SampleUnavailable(
            f"{str(path)!r} is not the sample {sample.name!r}: its sha256 is {_sha256(path)}, the "
            f"registry's {sample.sha256} (the sample is {sample.source})."
        )
    return path


def _cached(sample: Sample, cache: Path) -> Path:
    path = cache / sample.name
    if sample.member is None:
        return _download(sample, cache, path.relative_to(cache), sample.sha256)
    if path.is_file() and _sha256(path) == sample.sha256:
        return path
    archive = _download(sample, cache, Path("downloads") / PurePosixPath(sample.url).name, None)
    _write_excerpt(sample, archive, path)
    return path


def _download(sample: Sample, cache: Path, relative: Path, sha256: str | None) -> Path:
    """``sample.url`` saved as ``cache/relative`` (a cached copy with the right hash is reused)."""
    import pooch
    import requests

    downloader = pooch.HTTPDownloader(progressbar=True, timeout=60)
    try:
        return Path(
            pooch.retrieve(
                sample.url, sha256, fname=relative.name, path=cache / relative.parent, downloader=downloader
            )
        )
    except (OSError, ValueError, requests.RequestException) as exc:
        reason = str(exc) if len(str(exc)) <= 300 else str(exc)[:300] + "..."
        raise SampleUnavailable(
            f"sample {sample.name!r} is not in the cache ({str(cache)!r}) and downloading "
            f"{sample.url} failed ({type(exc).__name__}: {reason}). Without network, save "
            f"{sample.source} as {sample.name!r} in a folder and set {ENV_VAR} (or data_dir=) to it."
        ) from exc


def _write_excerpt(sample: Sample, archive: Path, path: Path) -> None:
    """The first ``sample.rows`` lines of ``sample.member`` in ``archive``, checked, as ``path``."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [m for m in bundle.namelist() if PurePosixPath(m).name == sample.member]
            if not members:
                raise SampleUnavailable(
                    f"{sample.url} holds no {sample.member!r} (it has {bundle.namelist()})."
                )
            with bundle.open(members[0]) as source:
                lines = [line.rstrip(b"\r\n") for _, line in zip(range(sample.rows), source, strict=False)]
    except zipfile.BadZipFile as exc:
        archive.unlink()
        raise SampleUnavailable(f"{sample.url} did not download as a zip archive ({exc}); try again.") from exc
    excerpt = b"\n".join(lines)
    digest = hashlib.sha256(excerpt).hexdigest()
    if digest != sample.sha256:
        archive.unlink()
        raise SampleUnavailable(
            f"the first {sample.rows} lines of {sample.member!r} in {sample.url} have sha256 {digest}, "
            f"not the registry's {sample.sha256}: LOBSTER's sample has changed."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(excerpt)
    partial.replace(path)


def _sha256(path: Path) -> str:
    stat = path.stat()
    return _sha256_of(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _sha256_of(path: str, size: int, mtime_ns: int) -> str:
    """sha256 of a file, remembered while its size and modification time stay the same."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()

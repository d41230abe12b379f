"""Fetch public dataset files once into a local cache; offline mode only ever reads the cache.

Every cached file has a ``FILE.sha256`` sidecar written when it was downloaded. A file whose
spec pins a sha256 is checked against it; an unpinned one is checked against its sidecar (so a
cached copy changed since its download is noticed) and reported as unpinned.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tactful.datasets._loaded import SuiteError
from tactful.datasets._tables import file_sha256
from tactful.home import cache_dir as default_cache_dir

__all__ = [
    "DatasetUnavailable",
    "Fetched",
    "Source",
    "cache_path",
    "dataset_cache_dir",
    "fetch",
    "fetch_first",
    "offline_from_env",
]

_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
_TIMEOUT = httpx.Timeout(60.0, connect=15.0)
_CHUNK = 1 << 16


class DatasetUnavailable(SuiteError):
    """A dataset file is neither cached nor downloadable (offline, network, HTTP or hash error)."""


@dataclass(frozen=True)
class Source:
    """A URL publishing a file, and the sha256 of that file when known (``None``: unpinned)."""

    url: str
    sha256: str | None = None


@dataclass(frozen=True)
class Fetched:
    """A file in the cache: where it came from, where it is, its sha256, whether that is pinned."""

    url: str
    path: Path
    sha256: str
    pinned: bool


def dataset_cache_dir(cache_dir: Path | None = None) -> Path:
    """Return the dataset cache: ``CACHE_DIR/datasets``, by default ``~/.cache/tactful/datasets``.

    ``CACHE_DIR`` is tactful's cache root: ``$TACTFUL_CACHE_DIR``, else the XDG cache directory.
    """
    return (cache_dir or default_cache_dir()) / "datasets"


def offline_from_env() -> bool:
    """Tell whether ``TACTFUL_OFFLINE`` or ``HF_HUB_OFFLINE`` asks for offline mode."""
    return any(
        os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}
        for name in ("TACTFUL_OFFLINE", "HF_HUB_OFFLINE")
    )


def cache_path(url: str, cache_dir: Path) -> Path:
    """Return the cache file for ``url``: ``CACHE_DIR/HOST/PATH`` (plus a hash of any query)."""
    parts = urlsplit(url)
    segments = [_safe(parts.netloc)]
    segments += [_safe(s) for s in parts.path.split("/") if s not in ("", ".", "..")]
    if parts.query:
        digest = hashlib.sha256(parts.query.encode()).hexdigest()[:12]
        segments[-1] = f"{segments[-1]}.{digest}"
    return cache_dir.joinpath(*segments)


def _safe(segment: str) -> str:
    return re.sub(r"[^A-Za-z0-9._@+=-]", "_", segment) or "_"


def _sidecar(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _recorded(target: Path) -> str | None:
    """The sha256 recorded beside a cached file when it was downloaded (``None``: no record)."""
    try:
        text = _sidecar(target).read_text().split()
    except OSError:
        return None
    return text[0].lower() if text else None


def _record(target: Path, sha256: str) -> None:
    _sidecar(target).write_text(f"{sha256}  {target.name}\n")


def _auth_headers(url: str) -> dict[str, str]:
    """Send ``Authorization: Bearer $HF_TOKEN`` to Hugging Face only (gated datasets)."""
    host = (urlsplit(url).hostname or "").lower()
    token = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")
    if token and (host == "huggingface.co" or host.endswith(".huggingface.co")):
        return {"Authorization": f"Bearer {token}"}
    return {}


def _user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"tactful/{version('tactful')}"
    except PackageNotFoundError:
        return "tactful"


def _mismatch(url: str, what: str, actual: str, expected: str, why: str) -> str:
    return f"{url}: {what} has sha256 {actual}, which does not match expected {expected} ({why})"


def _cached(source: Source, target: Path) -> Fetched | None:
    """The cached copy of ``source`` if it is intact; ``None`` if absent; raise if it changed."""
    if not target.is_file():
        return None
    actual = file_sha256(target)
    expected = (source.sha256 or _recorded(target) or actual).lower()
    if actual != expected:
        why = "pinned in the spec"
        if source.sha256 is None:
            why = "recorded when it was downloaded; delete it to download again"
        what = f"the cached copy {target}"
        raise DatasetUnavailable(_mismatch(source.url, what, actual, expected, why))
    if _recorded(target) is None:
        _record(target, actual)
    return Fetched(source.url, target, actual, pinned=source.sha256 is not None)


def fetch(
    url: str,
    *,
    offline: bool,
    cache_dir: Path,
    sha256: str | None = None,
    suite: str | None = None,
    retries: int = 3,
    backoff: float = 1.0,
) -> Path:
    """Return the cached copy of ``url``, downloading it first unless offline (``fetch_from``)."""
    source = Source(url, sha256)
    return fetch_from(
        source, offline=offline, cache_dir=cache_dir, suite=suite, retries=retries, backoff=backoff
    ).path


def fetch_from(
    source: Source,
    *,
    offline: bool,
    cache_dir: Path,
    suite: str | None = None,
    retries: int = 3,
    backoff: float = 1.0,
) -> Fetched:
    """Return the cached copy of ``source``, downloading it first unless offline.

    ``offline`` (or ``TACTFUL_OFFLINE=1`` / ``HF_HUB_OFFLINE=1``) never touches the network.
    Downloads are atomic (temporary file + rename) and leave a ``FILE.sha256`` sidecar. A pinned
    ``source.sha256`` is verified; a mismatch is an error naming the URL and both hashes. A
    cached copy that fails its check is downloaded again unless offline. ``suite`` names the
    suite in error messages.
    """
    offline = offline or offline_from_env()
    target = cache_path(source.url, cache_dir)
    try:
        cached = _cached(source, target)
    except DatasetUnavailable:
        if offline:
            raise
        cached = None
    if cached is not None:
        return cached
    if offline:
        raise DatasetUnavailable(_offline_message([source.url], cache_dir, suite))
    actual = _download(source, target, retries=retries, backoff=backoff)
    return Fetched(source.url, target, actual, pinned=source.sha256 is not None)


def fetch_first(
    sources: Sequence[Source],
    *,
    offline: bool,
    cache_dir: Path,
    suite: str | None = None,
    retries: int = 3,
    backoff: float = 1.0,
) -> Fetched:
    """Return the first of ``sources`` available, places publishing the same rows.

    A copy of any of them already in the cache is used first; otherwise (unless offline) each
    is downloaded in turn until one succeeds, and the errors of all are reported if none does.
    """
    if not sources:
        raise ValueError("fetch_first needs at least one source")
    offline = offline or offline_from_env()
    for source in sources:
        if cache_path(source.url, cache_dir).is_file():
            try:
                return fetch_from(source, offline=True, cache_dir=cache_dir, suite=suite)
            except DatasetUnavailable:
                if offline:
                    raise
    if offline:
        raise DatasetUnavailable(_offline_message([s.url for s in sources], cache_dir, suite))
    errors: list[DatasetUnavailable] = []
    for source in sources:
        try:
            return fetch_from(
                source, offline=False, cache_dir=cache_dir, retries=retries, backoff=backoff
            )
        except DatasetUnavailable as exc:
            errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    raise DatasetUnavailable("; and ".join(str(error) for error in errors))


def _offline_message(urls: Sequence[str], cache_dir: Path, suite: str | None) -> str:
    name = suite or "NAME"
    targets = [str(cache_path(url, cache_dir)) for url in urls]
    missing = f"{targets[0]} is not" if len(targets) == 1 else f"none of {', '.join(targets)} is"
    return (
        f"offline: {missing} in the dataset cache. Either download {' or '.join(urls)} "
        f"yourself and pass the local copy with --suite {name}=PATH (the file, or the folder of "
        f"files as published), or run once online (without --offline, TACTFUL_OFFLINE or "
        f"HF_HUB_OFFLINE) to fill the cache."
    )


def _download(source: Source, target: Path, *, retries: int, backoff: float) -> str:
    """Download ``source`` to ``target``; return its sha256 (checked when pinned)."""
    url = source.url
    headers = {"User-Agent": _user_agent(), **_auth_headers(url)}
    last = ""
    with httpx.Client(timeout=_TIMEOUT, follow_redirects=True, headers=headers) as client:
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(backoff * 2 ** (attempt - 1))
            try:
                with client.stream("GET", url) as response:
                    if response.status_code in _RETRY_STATUS:
                        last = f"HTTP {response.status_code}"
                        continue
                    if response.status_code >= 400:
                        raise DatasetUnavailable(_http_message(url, response.status_code))
                    digest = _write_atomic(response, target)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
                continue
            if source.sha256 is not None and digest != source.sha256.lower():
                target.unlink(missing_ok=True)
                _sidecar(target).unlink(missing_ok=True)
                what, why = "the downloaded file", "pinned in the spec"
                raise DatasetUnavailable(_mismatch(url, what, digest, source.sha256, why))
            return digest
    raise DatasetUnavailable(f"could not download {url} after {retries + 1} attempts ({last})")


def _http_message(url: str, status: int) -> str:
    message = f"could not download {url}: HTTP {status}"
    if status in (401, 403) and "huggingface.co" in url:
        have = "HF_TOKEN is set" if os.environ.get("HF_TOKEN") else "set HF_TOKEN"
        message += f" (gated or private dataset: accept its terms on the Hub and {have})"
    return message


def _write_atomic(response: httpx.Response, target: Path) -> str:
    """Stream the body to a temporary file beside ``target``, then rename; return its sha256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle = tempfile.NamedTemporaryFile(  # closed below, then renamed or deleted
        dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    )
    try:
        with handle:
            for chunk in response.iter_bytes(_CHUNK):
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise
    hexdigest = digest.hexdigest()
    _record(target, hexdigest)
    return hexdigest

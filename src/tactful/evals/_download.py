"""Fetch public dataset files once into a local cache; offline mode only ever reads the cache."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tactful.evals._cache import default_cache_dir
from tactful.evals._issues import SuiteError

__all__ = [
    "DatasetUnavailable",
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
    """A dataset file is neither cached nor downloadable (offline, network or HTTP error)."""


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


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
    """Return the cached copy of ``url``, downloading it first unless offline.

    ``offline`` (or ``TACTFUL_OFFLINE=1`` / ``HF_HUB_OFFLINE=1``) never touches the network.
    Downloads are atomic (temporary file + rename) and leave a ``FILE.sha256`` sidecar; with
    ``sha256`` the content is verified. ``suite`` names the suite in error messages.
    """
    target = cache_path(url, cache_dir)
    if target.is_file():
        if sha256 is not None and _sha256(target) != sha256.lower():
            if offline or offline_from_env():
                raise DatasetUnavailable(f"cached {target} does not match sha256 {sha256}")
        else:
            return target
    if offline or offline_from_env():
        raise DatasetUnavailable(_offline_message([url], cache_dir, suite))
    _download(url, target, retries=retries, backoff=backoff, sha256=sha256)
    return target


def fetch_first(
    urls: Sequence[str],
    *,
    offline: bool,
    cache_dir: Path,
    suite: str | None = None,
    retries: int = 3,
    backoff: float = 1.0,
) -> tuple[str, Path]:
    """Return ``(url, cached copy)`` for the first of ``urls``, places publishing the same file.

    A copy of any of them already in the cache is used first; otherwise (unless offline) each
    is downloaded in turn until one succeeds, and the errors of all are reported if none does.
    """
    if not urls:
        raise ValueError("fetch_first needs at least one URL")
    for url in urls:
        if cache_path(url, cache_dir).is_file():
            return url, fetch(url, offline=True, cache_dir=cache_dir, suite=suite)
    if offline or offline_from_env():
        raise DatasetUnavailable(_offline_message(urls, cache_dir, suite))
    errors: list[DatasetUnavailable] = []
    for url in urls:
        try:
            path = fetch(url, offline=False, cache_dir=cache_dir, retries=retries, backoff=backoff)
        except DatasetUnavailable as exc:
            errors.append(exc)
            continue
        return url, path
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


def _download(url: str, target: Path, *, retries: int, backoff: float, sha256: str | None) -> None:
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
            if sha256 is not None and digest != sha256.lower():
                target.unlink(missing_ok=True)
                target.with_name(target.name + ".sha256").unlink(missing_ok=True)
                raise DatasetUnavailable(f"{url}: sha256 {digest} does not match expected {sha256}")
            return
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
    sidecar = target.with_name(target.name + ".sha256")
    sidecar.write_text(f"{hexdigest}  {target.name}\n")
    return hexdigest

"""Load a public benchmark in its authors' published format, by name or from a local copy.

Every suite is fetched from its canonical source into the dataset cache (falling back on the
authors' own copy where one is listed), or read from a local copy (``--suite NAME=PATH``: one
published file, or the folder of files as published). Source categories that map plainly onto our
category ids are mapped; the source's own category is always kept in ``meta["source_category"]``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tactful.datasets._benchmarks import PUBLIC_SUITES
from tactful.datasets._builder import SuiteBuilder
from tactful.datasets._download import dataset_cache_dir, fetch_first
from tactful.datasets._loaded import FileDigest, LoadedSuite, SuiteError
from tactful.datasets._spec import BenchmarkSpec, RowProblem, SourceFile, parse_row
from tactful.datasets._tables import file_sha256, open_table

__all__ = ["load_public"]

_MAX_DEPTH = 4
"""How deep below a given folder published files are looked for (HarmBench's are 2 deep)."""


@dataclass(frozen=True)
class _Read:
    """A published file about to be read: its spec, local path, digest, and if canonical."""

    file: SourceFile
    path: Path
    digest: FileDigest
    canonical: bool


def _matches(path: Path, name: str) -> bool:
    """Whether ``path`` is a copy of the published file ``name`` (``dir/file`` needs ``dir``)."""
    parts = tuple(name.split("/"))
    return path.parts[-len(parts) :] == parts


def _locate(spec: BenchmarkSpec, path: Path) -> list[tuple[SourceFile, Path]]:
    """Find the published files at a local ``path`` (one file, or a folder as published)."""
    expected = "; ".join(" or ".join(file.names) for file in spec.files)
    if path.is_file():
        hits = [f for f in spec.files if any(_matches(path, name) for name in f.names)]
        if len(hits) == 1 or (not hits and len(spec.files) == 1):
            return [(hits[0] if hits else spec.files[0], path)]
        raise SuiteError(
            f"{path}: cannot tell which {spec.title} file this is; expected {expected} "
            f"(or pass the folder holding them)"
        )
    if not path.is_dir():
        raise SuiteError(f"{spec.name}: no such file or folder: {path}")
    found: list[tuple[SourceFile, Path]] = []
    missing: list[str] = []
    for file in spec.files:
        hit = _find(path, file.names)
        if hit is None:
            missing.append(" or ".join(file.names))
        else:
            found.append((file, hit))
    if missing:
        raise SuiteError(
            f"{path}: not a local copy of {spec.title} ({spec.homepage}): missing "
            f"{'; '.join(missing)}"
        )
    return found


def _find(folder: Path, names: tuple[str, ...]) -> Path | None:
    """Return the shallowest file under ``folder`` matching the first name found at all."""
    files: list[Path] = []
    for root, dirs, filenames in os.walk(folder):  # unreadable or vanishing entries are skipped
        depth = len(Path(root).relative_to(folder).parts)
        dirs[:] = [] if depth >= _MAX_DEPTH else sorted(d for d in dirs if not d.startswith("."))
        files.extend(Path(root, filename) for filename in filenames)
    for name in names:
        hits = [path for path in files if _matches(path, name)]
        if hits:
            return min(hits, key=lambda p: (len(p.parts), str(p)))
    return None


def _local(spec: BenchmarkSpec, path: Path) -> list[_Read]:
    """The files of a local copy, hashed; a hash equal to a pinned one counts as pinned."""
    reads: list[_Read] = []
    for file, local in _locate(spec, path):
        sha256 = file_sha256(local)
        pinned = [source.sha256 for source in file.sources if source.sha256]
        digest = FileDigest(source=str(local), sha256=sha256, pinned=sha256 in pinned)
        reads.append(_Read(file, local, digest, canonical=sha256 == file.sources[0].sha256))
    return reads


def _fetched(spec: BenchmarkSpec, offline: bool, cache_dir: Path | None) -> list[_Read]:
    """The files of ``spec`` from the dataset cache, downloaded first unless there (or offline)."""
    folder = dataset_cache_dir(cache_dir)
    reads: list[_Read] = []
    for file in spec.files:
        got = fetch_first(file.sources, offline=offline, cache_dir=folder, suite=spec.name)
        digest = FileDigest(source=got.url, sha256=got.sha256, pinned=got.pinned)
        reads.append(_Read(file, got.path, digest, canonical=got.url == file.url))
    return reads


def _check_columns(spec: BenchmarkSpec, local: Path, columns: list[str] | None) -> None:
    """Refuse a table whose header lacks a column the published file has (JSON has no header)."""
    if columns is None:
        return
    wanted = [(c,) if isinstance(c, str) else c for c in spec.required]
    missing = [" or ".join(names) for names in wanted if not any(n in columns for n in names)]
    if missing:
        raise SuiteError(
            f"{local}: not the published {spec.title} format: no column(s) "
            f"{', '.join(missing)} (found: {', '.join(columns)})"
        )


def load_public(
    name: str, path: Path | None = None, *, offline: bool = False, cache_dir: Path | None = None
) -> LoadedSuite:
    """Load public suite ``name`` from a local copy at ``path``, or from its source via the cache.

    ``cache_dir`` is tactful's cache root; files are kept under its ``datasets/`` folder. The
    suite records each file read with its sha256, and the spec's revision when every file is
    the canonical one (downloaded from its canonical URL, or a local copy matching its pin).
    """
    spec = PUBLIC_SUITES[name]
    if path is None:
        reads = _fetched(spec, offline, cache_dir)
        origin = " ".join(read.digest.source for read in reads)
    else:
        reads = _local(spec, path)
        origin = str(path)
    builder = SuiteBuilder(name, origin)
    for read in reads:
        table = open_table(read.path)
        _check_columns(spec, read.path, table.columns)
        builder.files.append(read.digest)
        for ordinal, record in enumerate(table.records, start=1):
            if record.values is None:
                builder.issue(read.path, record.line, None, record.error or "unreadable row")
                continue
            try:
                fields = parse_row(spec, read.file, record.values, ordinal)
            except RowProblem as problem:
                builder.issue(read.path, record.line, problem.field, problem.message)
                continue
            builder.add(read.path, record.line, **fields)
    canonical = all(read.canonical for read in reads)
    return builder.build(revision=spec.revision if canonical else None)

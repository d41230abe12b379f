"""What loading a suite returns: its cases, where they came from, and the rows it had to skip."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, Field

from tactful.records import Case

__all__ = ["FileDigest", "LoadedSuite", "RowIssue", "SuiteError"]


class SuiteError(ValueError):
    """A suite cannot be loaded at all (unknown name, missing file, bad header, ...)."""


class RowIssue(BaseModel):
    """One malformed row, located by file, 1-based line and field; loading went on without it."""

    file: str
    line: int = Field(ge=0, description="1-based line (row number for Parquet); 0: whole file")
    field: str | None = None
    message: str

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.file}:{self.line}:{field} {self.message}"


class FileDigest(BaseModel):
    """One file a suite was read from, and the sha256 of the bytes actually read."""

    source: str = Field(description="URL, local path or package resource (builtin:NAME)")
    sha256: str
    pinned: bool = Field(
        default=False, description="the hash equals one the benchmark's spec pins for this file"
    )


class LoadedSuite(BaseModel):
    """The cases of one suite, where they came from, and the rows that were skipped.

    Provenance: ``name``, ``revision`` (the git commit or tag the files were pinned to, when
    known) and ``files`` (each file read, with its sha256); ``sha256`` sums them up.
    """

    name: str
    origin: str = Field(description="file path, URL(s) or package resource the cases came from")
    revision: str | None = Field(
        default=None, description="commit or tag of the source's repository; None: not pinned"
    )
    files: list[FileDigest] = Field(default_factory=list)
    cases: list[Case] = Field(default_factory=list)
    issues: list[RowIssue] = Field(default_factory=list)

    @property
    def sha256(self) -> str | None:
        """The content hash of the suite: its one file's, or the hash of its files' hashes."""
        if not self.files:
            return None
        if len(self.files) == 1:
            return self.files[0].sha256
        return hashlib.sha256("\n".join(f.sha256 for f in self.files).encode()).hexdigest()

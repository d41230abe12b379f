"""Collect the cases, skipped rows and files of one suite while it is read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tactful.datasets._loaded import FileDigest, LoadedSuite, RowIssue
from tactful.records import Case, Message

__all__ = ["SuiteBuilder"]


class SuiteBuilder:
    """Collect cases and issues for one suite; the first case with a given id wins."""

    def __init__(self, name: str, origin: str) -> None:
        self.name = name
        self.origin = origin
        self.cases: list[Case] = []
        self.issues: list[RowIssue] = []
        self.files: list[FileDigest] = []
        self._seen: dict[str, tuple[str, int]] = {}

    def issue(self, file: Path | str, line: int, field: str | None, message: str) -> None:
        """Record a skipped row."""
        self.issues.append(RowIssue(file=str(file), line=line, field=field, message=message))

    def add(self, file: Path | str, line: int, **fields: Any) -> Case | None:
        """Validate and add one case (``Case`` fields, plus ``prompt`` for single-turn rows)."""
        if fields["id"] in self._seen:
            first_file, first_line = self._seen[fields["id"]]
            same = first_file == str(file)
            where = f"line {first_line}" if same else f"{first_file}:{first_line}"
            self.issue(file, line, "id", f"duplicate id {fields['id']!r} (first on {where})")
            return None
        prompt = fields.pop("prompt", None)
        if prompt is not None:
            fields["messages"] = [Message(role="user", content=prompt)]
        fields.setdefault("source", self.name)
        try:
            case = Case(**fields)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(part) for part in error["loc"]) or None
            self.issue(file, line, field, error["msg"])
            return None
        self._seen[case.id] = (str(file), line)
        self.cases.append(case)
        return case

    def where(self, case_id: str) -> tuple[str, int]:
        """The file and line an added case came from."""
        return self._seen[case_id]

    def build(self, revision: str | None = None) -> LoadedSuite:
        """Return the loaded suite; ``revision`` is the source revision its files were pinned to."""
        return LoadedSuite(
            name=self.name,
            origin=self.origin,
            revision=revision,
            files=self.files,
            cases=self.cases,
            issues=self.issues,
        )

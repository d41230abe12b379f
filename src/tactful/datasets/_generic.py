"""Turn a generic suite file (CSV / JSONL / JSON / Parquet) into cases.

A generic suite file has the columns ``prompt`` and ``label`` (``safe`` / ``unsafe``, any case)
and optionally ``id``, ``category``, ``context``, ``action`` and, in JSON, ``messages`` (a list of
``{"role", "content"}`` for multi-turn cases). Other columns go to ``Case.meta``. A malformed row
becomes a ``RowIssue`` (file, line, field) and loading goes on.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from tactful.datasets._builder import SuiteBuilder
from tactful.datasets._loaded import FileDigest, LoadedSuite, RowIssue, SuiteError
from tactful.datasets._tables import cell_text, file_sha256, open_table
from tactful.records import Action, Label, Message

__all__ = ["FIELDS", "LABELS", "load_table", "parse_columns"]

FIELDS = ("prompt", "label", "id", "category", "context", "action", "messages")
"""Our field names; ``--columns ours=theirs`` maps them to a file's own column names."""

LABELS: tuple[str, ...] = get_args(Label)
ACTIONS: tuple[str, ...] = get_args(Action)
_ACTIONS_FOR = {"safe": ("comply", "safe_completion"), "unsafe": ("refuse", "crisis_support")}


def parse_columns(columns: Mapping[str, str] | None) -> dict[str, str]:
    """Our field → the file's column, defaulting each field to its own name."""
    mapping = {field: field for field in FIELDS}
    for ours, theirs in (columns or {}).items():
        if ours not in FIELDS:
            raise SuiteError(f"--columns: unknown field {ours!r}; fields are {', '.join(FIELDS)}")
        mapping[ours] = theirs
    return mapping


def load_table(
    path: Path,
    *,
    name: str,
    columns: Mapping[str, str] | None = None,
    origin: str | None = None,
    contexts: Collection[str] | None = None,
) -> LoadedSuite:
    """Load a generic suite file (see the module docstring); ids default to ``NAME-ROW``.

    With ``contexts`` (a policy's context ids), a row naming any other context is an error:
    ``SuiteError`` lists every such row with its file, line and field. The file's sha256 is
    recorded under ``origin`` (default: the path).
    """
    mapping = parse_columns(columns)
    builder = SuiteBuilder(name, origin or str(path))
    table = open_table(path)
    builder.files.append(FileDigest(source=builder.origin, sha256=file_sha256(path)))
    if table.columns is not None:
        _check_header(path, table.columns, mapping, columns or {})
    used = set(mapping.values())
    for ordinal, record in enumerate(table.records, start=1):
        if record.values is None:
            builder.issue(path, record.line, None, record.error or "unreadable row")
            continue
        _add_row(builder, path, record.line, ordinal, record.values, mapping, used)
    if contexts is not None:
        _check_contexts(builder, contexts)
    return builder.build()


def _check_contexts(builder: SuiteBuilder, contexts: Collection[str]) -> None:
    known = ", ".join(sorted(contexts))
    problems = [
        RowIssue(
            file=file,
            line=line,
            field="context",
            message=f"unknown context {case.context!r}; known: {known}",
        )
        for case in builder.cases
        if case.context is not None and case.context not in contexts
        for file, line in [builder.where(case.id)]
    ]
    if problems:
        raise SuiteError("\n".join(str(problem) for problem in problems))


def _check_header(
    path: Path, header: list[str], mapping: dict[str, str], explicit: Mapping[str, str]
) -> None:
    hint = "; map another column with --columns FIELD=COLUMN"
    have = ", ".join(header)
    needed = ["label", "prompt" if mapping["messages"] not in header else "messages"]
    for field in [*needed, *explicit]:
        if mapping[field] not in header:
            raise SuiteError(
                f"{path}:1: no {mapping[field]!r} column for {field} (columns: {have}){hint}"
            )


def _add_row(
    builder: SuiteBuilder,
    path: Path,
    line: int,
    ordinal: int,
    values: dict[str, Any],
    mapping: dict[str, str],
    used: set[str],
) -> None:
    problems: list[tuple[str, str]] = []
    fields: dict[str, Any] = {}

    raw_messages = values.get(mapping["messages"])
    if raw_messages not in (None, ""):
        try:
            fields["messages"] = _messages(raw_messages)
        except ValueError as exc:
            problems.append(("messages", str(exc)))
    else:
        prompt = values.get(mapping["prompt"])
        if prompt is None or (isinstance(prompt, str) and not prompt.strip()):
            problems.append(("prompt", f"missing or empty{_column_note(mapping, 'prompt')}"))
        elif not isinstance(prompt, str):
            problems.append(("prompt", f"expected text, got {type(prompt).__name__}"))
        else:
            fields["prompt"] = prompt

    label = cell_text(values.get(mapping["label"]))
    if label is None:
        note = _column_note(mapping, "label")
        problems.append(("label", f"missing{note} (expected 'safe' or 'unsafe')"))
    elif label.lower() not in LABELS:
        problems.append(("label", f"expected 'safe' or 'unsafe', got {label!r}"))
    else:
        fields["label"] = label.lower()

    action = cell_text(values.get(mapping["action"]))
    if action is not None:
        if action.lower() not in ACTIONS:
            problems.append(("action", f"expected one of {', '.join(ACTIONS)}, got {action!r}"))
        elif "label" in fields and action.lower() not in _ACTIONS_FOR[fields["label"]]:
            problems.append(("action", f"{action!r} contradicts label {fields['label']!r}"))
        else:
            fields["action"] = action.lower()

    for field, message in problems:
        builder.issue(path, line, field, message)
    if problems:
        return
    meta = {
        key: value
        for key, value in values.items()
        if key not in used and key and value is not None and value != ""
    }
    builder.add(
        path,
        line,
        id=cell_text(values.get(mapping["id"])) or f"{builder.name}-{ordinal}",
        category=cell_text(values.get(mapping["category"])),
        context=cell_text(values.get(mapping["context"])),
        meta=meta,
        **fields,
    )


def _column_note(mapping: dict[str, str], field: str) -> str:
    return f" (column {mapping[field]!r})" if mapping[field] != field else ""


def _messages(raw: Any) -> list[Message]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"invalid JSON: {exc.msg}") from None
    if not isinstance(raw, list) or not raw:
        raise ValueError("expected a non-empty list of {role, content} objects")
    try:
        return [Message.model_validate(item) for item in raw]
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, error['loc']))}: {error['msg']}") from None

"""Read CSV / JSONL / JSON / Parquet tables row by row, and turn generic suite files into cases.

A generic suite file has the columns ``prompt`` and ``label`` (``safe`` / ``unsafe``, any case)
and optionally ``id``, ``category``, ``context``, ``action`` and, in JSON, ``messages`` (a list of
``{"role", "content"}`` for multi-turn cases). Other columns go to ``Case.meta``. A malformed row
becomes a ``RowIssue`` (file, line, field) and loading goes on.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, get_args

from pydantic import ValidationError

from tactful.evals._issues import LoadedSuite, RowIssue, SuiteError
from tactful.records import Action, Case, Label, Message

__all__ = [
    "FIELDS",
    "Record",
    "SuiteBuilder",
    "Table",
    "load_table",
    "open_table",
    "parse_columns",
]

FIELDS = ("prompt", "label", "id", "category", "context", "action", "messages")
"""Our field names; ``--columns ours=theirs`` maps them to a file's own column names."""

LABELS: tuple[str, ...] = get_args(Label)
ACTIONS: tuple[str, ...] = get_args(Action)
_ACTIONS_FOR = {"safe": ("comply", "safe_completion"), "unsafe": ("refuse", "crisis_support")}
TABLE_SUFFIXES = (".csv", ".jsonl", ".ndjson", ".json", ".parquet")


class Record(NamedTuple):
    """One record of a table: its 1-based line, its values, or why it could not be read."""

    line: int
    values: dict[str, Any] | None
    error: str | None = None


@dataclass
class Table:
    """A table being read: its header (``None`` for JSON, whose rows carry their own keys)."""

    path: Path
    columns: list[str] | None
    records: Iterator[Record]


def open_table(path: Path) -> Table:
    """Open a ``.csv``, ``.jsonl``/``.ndjson``, ``.json`` (array or lines) or ``.parquet`` file."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _parquet_table(path)
    if suffix not in TABLE_SUFFIXES:
        raise SuiteError(f"{path}: unsupported file type; use one of {', '.join(TABLE_SUFFIXES)}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SuiteError(f"suite file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise SuiteError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise SuiteError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if suffix == ".csv":
        return _csv_table(path, text)
    if suffix == ".json" and text.lstrip().startswith("["):
        return Table(path, None, _json_array_records(text))
    return Table(path, None, _jsonl_records(text))


def _csv_table(path: Path, text: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""))
    end = 0
    header: list[str] | None = None
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            if row and any(cell.strip() for cell in row):
                header = [cell.strip() for cell in row]
                break
    except csv.Error as exc:
        raise SuiteError(f"{path}:{end + 1}: unreadable CSV header: {exc}") from None
    if header is None:
        raise SuiteError(f"{path}: empty CSV file (no header line)")
    named = [name for name in header if name]
    if dupes := sorted({name for name in named if named.count(name) > 1}):
        raise SuiteError(f"{path}:{start}: duplicate column(s) in header: {', '.join(dupes)}")
    return Table(path, named, _csv_records(reader, header, end))


def _csv_records(reader: Any, header: list[str], end: int) -> Iterator[Record]:
    while True:
        start = end + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Record(start, None, f"unreadable CSV, stopped reading here: {exc}")
            return
        end = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            yield Record(start, None, f"{len(row)} fields but the header has {len(header)}")
            continue
        values = {name: cell for name, cell in zip(header, row, strict=False) if name}
        yield Record(start, values)


def _jsonl_records(text: str) -> Iterator[Record]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Record(number, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        if isinstance(value, dict):
            yield Record(number, value)
        else:
            yield Record(number, None, f"expected a JSON object, got {type(value).__name__}")


def _json_array_records(text: str) -> Iterator[Record]:
    decoder = json.JSONDecoder()

    def line_at(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        return pos

    pos = skip(text.index("[") + 1)
    if pos < len(text) and text[pos] == "]":
        return
    while True:
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield Record(line_at(exc.pos), None, f"invalid JSON, stopped reading here: {exc.msg}")
            return
        if isinstance(value, dict):
            yield Record(line_at(pos), value)
        else:
            yield Record(line_at(pos), None, f"expected a JSON object, got {type(value).__name__}")
        pos = skip(end)
        if pos < len(text) and text[pos] == ",":
            pos = skip(pos + 1)
            continue
        if pos >= len(text) or text[pos] != "]":
            yield Record(line_at(pos), None, "invalid JSON, stopped here: expected ',' or ']'")
        return


def _parquet_table(path: Path) -> Table:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise SuiteError(f"reading {path} needs pyarrow: pip install 'tactful[parquet]'") from None
    if not path.is_file():
        raise SuiteError(f"suite file not found: {path}")
    try:
        data = pq.read_table(path)
    except Exception as exc:  # pyarrow raises its own hierarchy (ArrowInvalid, OSError, ...)
        raise SuiteError(f"{path}: unreadable Parquet file: {exc}") from None
    rows: list[dict[str, Any]] = data.to_pylist()
    names: list[str] = list(data.column_names)
    return Table(path, names, (Record(n, row) for n, row in enumerate(rows, start=1)))


class SuiteBuilder:
    """Collect cases and issues for one suite; the first case with a given id wins."""

    def __init__(self, name: str, origin: str) -> None:
        self.name = name
        self.origin = origin
        self.cases: list[Case] = []
        self.issues: list[RowIssue] = []
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

    def build(self) -> LoadedSuite:
        """Return the loaded suite."""
        return LoadedSuite(name=self.name, origin=self.origin, cases=self.cases, issues=self.issues)


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
    ``SuiteError`` lists every such row with its file, line and field.
    """
    mapping = parse_columns(columns)
    builder = SuiteBuilder(name, origin or str(path))
    table = open_table(path)
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


def _text(value: Any) -> str | None:
    """Return a cell as stripped text; ``None`` when empty or missing."""
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else str(value)
    return text or None


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

    label = _text(values.get(mapping["label"]))
    if label is None:
        note = _column_note(mapping, "label")
        problems.append(("label", f"missing{note} (expected 'safe' or 'unsafe')"))
    elif label.lower() not in LABELS:
        problems.append(("label", f"expected 'safe' or 'unsafe', got {label!r}"))
    else:
        fields["label"] = label.lower()

    action = _text(values.get(mapping["action"]))
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
        id=_text(values.get(mapping["id"])) or f"{builder.name}-{ordinal}",
        category=_text(values.get(mapping["category"])),
        context=_text(values.get(mapping["context"])),
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

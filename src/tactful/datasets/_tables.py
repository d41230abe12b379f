"""Read CSV / JSONL / JSON / Parquet tables row by row, each row with its 1-based line."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from tactful.datasets._loaded import SuiteError

__all__ = ["TABLE_SUFFIXES", "Record", "Table", "cell_text", "file_sha256", "open_table"]

TABLE_SUFFIXES = (".csv", ".jsonl", ".ndjson", ".json", ".parquet")
_CHUNK = 1 << 16


def file_sha256(path: Path) -> str:
    """Return the sha256 of the file at ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cell_text(value: Any) -> str | None:
    """Return a cell as stripped text; ``None`` when empty or missing."""
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else str(value)
    return text or None


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

"""Streaming JSONL in → JSONL out in batches, one output row per input row, in order.

The output appears only when every row is done: rows go to a temporary file beside the target,
renamed over it at the end, so a failure leaves the target as it was.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

__all__ = ["RowError", "RowFailure", "stream_jsonl"]


class RowError(BaseModel):
    """A malformed input row."""

    line: int
    message: str


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield number, RowError(line=number, message=f"not JSON: {exc.msg}")
                continue
            if not isinstance(row, dict):
                yield number, RowError(line=number, message="expected a JSON object")
                continue
            yield number, row


class RowFailure(Exception):
    """Rows the command cannot process at all (found before any row is processed)."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} row(s) cannot be processed")


def _preflight(
    path: Path, model: type[BaseModel], check: Callable[[Any], str | None] | None
) -> int:
    """Count the rows; raise ``RowFailure`` for valid rows that ``check`` rejects."""
    total = 0
    failures: list[RowError] = []
    for number, row in _rows(path):
        total += 1
        if check is None or isinstance(row, RowError):
            continue
        try:
            item = model.model_validate(row)
        except ValidationError:
            continue  # reported as a malformed row while streaming
        if (problem := check(item)) is not None:
            failures.append(RowError(line=number, message=problem))
    if failures:
        raise RowFailure(failures)
    return total


def stream_jsonl(
    source: Path,
    target: Path,
    model: type[BaseModel],
    process: Callable[[list[BaseModel]], list[dict[str, Any]]],
    *,
    batch_size: int,
    console: Console,
    label: str,
    check: Callable[[Any], str | None] | None = None,
) -> list[RowError]:
    """Validate rows against ``model``, process valid ones in batches, write results in order.

    A malformed row is reported (with its line) and written out with an ``error`` field, so
    output rows still match input rows one to one. ``check`` returns ``"field: message"`` for a
    valid row that cannot be processed at all; any such row raises ``RowFailure`` before
    anything is processed. On any failure ``target`` is left untouched.
    """
    total = _preflight(source, model, check)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        errors = _stream(source, partial, model, process, batch_size, console, label, total)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return errors


def _stream(
    source: Path,
    target: Path,
    model: type[BaseModel],
    process: Callable[[list[BaseModel]], list[dict[str, Any]]],
    batch_size: int,
    console: Console,
    label: str,
    total: int,
) -> list[RowError]:
    errors: list[RowError] = []
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with target.open("w", encoding="utf-8") as out, Progress(*columns, console=console) as bar:
        task = bar.add_task(label, total=total)
        pending: list[tuple[dict[str, Any], BaseModel | None, RowError | None]] = []

        def flush() -> None:
            valid = [item for _, item, _ in pending if item is not None]
            results = iter(process(valid) if valid else [])
            for raw, item, error in pending:
                extra = (
                    next(results) if item is not None else {"error": error.message if error else ""}
                )
                out.write(json.dumps({**raw, **extra}, ensure_ascii=False) + "\n")
            bar.update(task, advance=len(pending))
            pending.clear()

        for number, row in _rows(source):
            if isinstance(row, RowError):
                errors.append(row)
                pending.append(({"line": number}, None, row))
            else:
                try:
                    pending.append((row, model.model_validate(row), None))
                except ValidationError as exc:
                    first = exc.errors()[0]
                    field = ".".join(str(p) for p in first["loc"]) or "row"
                    error = RowError(line=number, message=f"{field}: {first['msg']}")
                    errors.append(error)
                    pending.append((row, None, error))
            if len(pending) >= batch_size:
                flush()
        flush()
    return errors

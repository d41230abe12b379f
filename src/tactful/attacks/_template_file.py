"""``templates:PATH``: jailbreak templates read from a JSON, JSONL or CSV file the user names.

Accepted layouts: a JSON list of strings (the in-the-wild set's ``inthewild_jailbreak_llms.json``),
a JSON list of objects or ``{"templates": [...]}``, JSONL with one string or object per line, and
CSV with a header. Objects and CSV rows hold the template in one of ``TEMPLATE_FIELDS``.

The request goes where a placeholder is (any of ``PLACEHOLDERS``, case-insensitive); a template
with no placeholder gets the request appended. Each case gets one template, chosen by a hash of
its id and prompt, so reruns send the same text.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tactful.attacks._base import with_last_user_turn
from tactful.records import Case

__all__ = [
    "PLACEHOLDERS",
    "TEMPLATE_FIELDS",
    "FileTemplateAttack",
    "TemplateFileError",
    "fill_template",
    "load_templates",
]

PLACEHOLDERS = (
    "[INSERT PROMPT HERE]",
    "[PROMPT]",
    "[Your prompt here]",
    "{{prompt}}",
    "{prompt}",
    "{query}",
    "<PROMPT>",
)
"""Marks where the request goes (the first ones are those of the in-the-wild templates)."""
TEMPLATE_FIELDS = ("template", "prompt", "jailbreak", "text", "content")
"""Object keys / CSV columns that hold a template, in order of preference."""

_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS), re.I)
_LANGUAGE = re.compile(re.escape("[TARGETLANGUAGE]"), re.I)


class TemplateFileError(ValueError):
    """A template file is missing, unreadable or malformed (the message names file and line)."""


def fill_template(template: str, request: str) -> str:
    """Put ``request`` at every placeholder of ``template``, or after it if it has none."""
    template = _LANGUAGE.sub("English", template)
    if _PLACEHOLDER.search(template):
        return _PLACEHOLDER.sub(lambda _: request, template)
    return f"{template.rstrip()}\n\n{request}"


def _from_item(item: Any, where: str) -> str | None:
    """A template from one JSON value; None for an empty one; raise if it holds none."""
    if isinstance(item, str):
        return item.strip() or None
    if isinstance(item, dict):
        lowered = {str(k).lower(): v for k, v in item.items()}
        for key in TEMPLATE_FIELDS:
            if isinstance(lowered.get(key), str):
                return str(lowered[key]).strip() or None
        raise TemplateFileError(
            f"{where}: an object needs a string field among {', '.join(TEMPLATE_FIELDS)}"
        )
    raise TemplateFileError(f"{where}: expected a string or an object, got {type(item).__name__}")


def _json(path: Path, text: str) -> list[str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TemplateFileError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    if isinstance(data, dict):
        lists = [v for k, v in data.items() if k in ("templates", "prompts", "jailbreaks")]
        if not lists or not isinstance(lists[0], list):
            raise TemplateFileError(
                f"{path}:1: expected a list, or an object with a 'templates' list"
            )
        data = lists[0]
    if not isinstance(data, list):
        raise TemplateFileError(f"{path}:1: expected a JSON list of templates")
    found = (_from_item(item, f"{path}: item {i}") for i, item in enumerate(data))
    return [t for t in found if t]


def _jsonl(path: Path, text: str) -> list[str]:
    templates = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TemplateFileError(f"{path}:{number}: invalid JSON: {exc.msg}") from None
        if template := _from_item(item, f"{path}:{number}"):
            templates.append(template)
    return templates


def _csv(path: Path, text: str) -> list[str]:
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        return []
    column = next((header.index(f) for f in TEMPLATE_FIELDS if f in header), None)
    if column is None:
        raise TemplateFileError(
            f"{path}:1: no template column; the header needs one of {', '.join(TEMPLATE_FIELDS)}"
        )
    templates = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise TemplateFileError(
                    f"{path}:{reader.line_num}: {len(row)} fields, the header has {len(header)}"
                )
            if row[column].strip():
                templates.append(row[column].strip())
    except csv.Error as exc:
        raise TemplateFileError(f"{path}:{reader.line_num}: malformed CSV: {exc}") from None
    return templates


_READERS = {".json": _json, ".jsonl": _jsonl, ".csv": _csv}


def load_templates(path: str | Path) -> list[str]:
    """Read the templates of a JSON, JSONL or CSV file (errors name the file and line)."""
    path = Path(path).expanduser()
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise TemplateFileError(f"{path}: expected a .json, .jsonl or .csv file of templates")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateFileError(f"{path}: cannot read the template file: {exc}") from None
    templates = reader(path, text)
    if not templates:
        raise TemplateFileError(f"{path}: no templates in the file")
    return templates


def _pick(case: Case, count: int) -> int:
    digest = hashlib.sha256(f"{case.id}\0{case.prompt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % count


@dataclass
class FileTemplateAttack:
    """Wrap the request in a template from a user's file, one per case chosen by hash."""

    path: str
    templates: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.templates:
            self.templates = load_templates(self.path)

    @property
    def name(self) -> str:
        """``templates:PATH``."""
        return f"templates:{self.path}"

    def apply(self, case: Case) -> list[Case]:
        """Return the case wrapped in its template."""
        index = _pick(case, len(self.templates))
        content = fill_template(self.templates[index], case.prompt)
        return [with_last_user_turn(case, content, self.name, {"template_index": index})]

"""A public benchmark, declared: where its files live, what its columns mean, how rows map.

One ``BenchmarkSpec`` per benchmark (see ``_benchmarks/``) drives ``parse_row``, the one row
parser shared by all of them; a benchmark whose rows need more than a column mapping names a
small function (``label_of``, ``prompt_of``) for just that part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tactful.datasets._download import Source
from tactful.datasets._generic import LABELS
from tactful.datasets._tables import cell_text
from tactful.records import Label

__all__ = [
    "BenchmarkSpec",
    "Columns",
    "Row",
    "RowProblem",
    "SourceFile",
    "category_key",
    "parse_row",
    "row_text",
]

Row = dict[str, Any]


class RowProblem(Exception):
    """A row cannot become a case: the field at fault and why."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SourceFile:
    """One published file of a benchmark, and the places publishing it."""

    key: str
    """The subset this file holds (``harmful``, ``original``, ...); prefixes ids when a
    benchmark has several files."""
    names: tuple[str, ...]
    """Accepted local names, first as published; a name with ``/`` must match its folder too."""
    sources: tuple[Source, ...]
    """The canonical (hub) copy first, then the authors' own copies, tried in order."""
    label: Label | None = None
    """The label of every row; ``None`` when the rows carry their own."""

    @property
    def url(self) -> str:
        """The canonical URL."""
        return self.sources[0].url

    @property
    def mirrors(self) -> tuple[str, ...]:
        """The other URLs publishing the same rows."""
        return tuple(source.url for source in self.sources[1:])


@dataclass(frozen=True)
class Columns:
    """What a benchmark's published columns mean."""

    prompt: tuple[str, ...]
    """The request; alternative names, the first one a row has is read."""
    id: tuple[str, ...] = ()
    """The row's own id; the first non-empty one is used, else the row number."""
    category: str | None = None
    """The source's category, kept as ``meta["source_category"]``."""
    subcategory: str | None = None
    """The source's subcategory, kept as ``meta["source_subcategory"]``."""
    label: str | None = None
    """A per-row ``safe``/``unsafe`` label (read before the file's own label)."""
    dropped: tuple[str, ...] = ()
    """Other columns left out of ``meta`` (every unnamed column is kept there)."""


LabelRule = Callable[[Row], str | None]
"""A row's label when its label column is empty (e.g. derived from another column)."""
PromptRule = Callable[[Row, str], tuple[str, dict[str, Any]]]
"""The prompt to send, built from the row and its prompt column, plus extra meta."""


@dataclass(frozen=True)
class BenchmarkSpec:
    """A public benchmark: description, sources, pinning, column and category mapping."""

    name: str
    title: str
    description: str
    homepage: str
    files: tuple[SourceFile, ...]
    required: tuple[str | tuple[str, ...], ...]
    """Columns the published file must have; a tuple names alternatives (one must be there)."""
    columns: Columns
    categories: Mapping[str, str] = field(default_factory=dict)
    """Source category (lower case, ``_`` as space) → our category id; others map to none."""
    category_from: Literal["category", "subcategory"] = "category"
    """Which source column ``categories`` reads."""
    revision: str | None = None
    """The git commit or tag the canonical URLs pin; ``None``: they follow a branch."""
    licence: str | None = None
    """SPDX id of the data's licence, when recorded here."""
    label_of: LabelRule | None = None
    prompt_of: PromptRule | None = None

    @property
    def pinned(self) -> bool:
        """Whether every file of every source has a pinned sha256."""
        return all(s.sha256 for file in self.files for s in file.sources)


def row_text(row: Row, column: str | None) -> str | None:
    """A row's cell as stripped text; ``None`` when empty, missing or no column is named."""
    return cell_text(row.get(column)) if column else None


def category_key(text: str | None) -> str:
    """Normalise a source category for lookup: lower case, ``_`` as space, single spaces."""
    return " ".join((text or "").replace("_", " ").lower().split())


_MODEL_COLUMNS = re.compile(r".+_(response|harmful|action)$")
"""Model answers some benchmarks ship beside the prompts; never kept."""


def parse_row(spec: BenchmarkSpec, file: SourceFile, row: Row, ordinal: int) -> dict[str, Any]:
    """Turn one published row into ``SuiteBuilder.add`` fields; raise ``RowProblem`` if it can't."""
    columns = spec.columns
    column = next((c for c in columns.prompt if c in row), columns.prompt[0])
    prompt = _required(row, column)
    label = _label(spec, file, row)
    extra: dict[str, Any] = {}
    if spec.prompt_of is not None:
        prompt, extra = spec.prompt_of(row, prompt)
    category = row_text(row, columns.category)
    subcategory = row_text(row, columns.subcategory)
    used = {column, *columns.dropped}
    used |= {c for c in (columns.category, columns.subcategory, columns.label) if c}
    meta = _meta(row, used)
    meta.update(source_category=category, source_subcategory=subcategory, **extra)
    meta = {key: value for key, value in meta.items() if value is not None}
    source_id = next(filter(None, (row_text(row, c) for c in columns.id)), str(ordinal))
    if len(spec.files) > 1:
        source_id = f"{file.key}-{source_id}"
        meta = {"subset": file.key, **meta}
    mapped = subcategory if spec.category_from == "subcategory" else category
    return {
        "id": f"{spec.name}-{source_id}",
        "prompt": prompt,
        "label": label,
        "category": spec.categories.get(category_key(mapped)),
        "meta": meta,
    }


def _required(row: Row, column: str) -> str:
    value = row.get(column)
    if not isinstance(value, str) or not value.strip():
        missing = value is None or (isinstance(value, str) and not value.strip())
        raise RowProblem(column, "missing or empty" if missing else "expected text")
    return value


def _label(spec: BenchmarkSpec, file: SourceFile, row: Row) -> str:
    label = row_text(row, spec.columns.label)
    if label is None and spec.label_of is not None:
        label = spec.label_of(row)
    label = label.lower() if label else file.label
    if label not in LABELS:
        raise RowProblem("label", f"expected 'safe' or 'unsafe', got {label!r}")
    return label


def _meta(row: Row, used: set[str]) -> dict[str, Any]:
    """The row's unused columns, minus model answers shipped alongside."""
    return {
        key: value
        for key, value in row.items()
        if key
        and key not in used
        and value is not None
        and value != ""
        and not _MODEL_COLUMNS.fullmatch(key)
    }

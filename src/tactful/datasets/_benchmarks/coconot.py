"""CoCoNot (Brahman et al., NeurIPS 2024 D&B): https://huggingface.co/datasets/allenai/coconot.

``original/test-00000-of-00001.parquet`` (1,001 requests a model should not comply with) and
``contrast/test-00000-of-00001.parquet`` (379 look-alikes it should comply with):
id,category,subcategory,prompt,response. Earlier releases published the same rows as
``original/test.jsonl`` and ``contrast/test.jsonl``; those are read too. The authors' GitHub
copy, https://github.com/allenai/noncompliance ``data/coconot_eval.jsonl`` (original) and
``data/coconot_contrast_eval.jsonl`` (contrast), has the same fields, one JSON object a line.
Our category follows the subcategory.
"""

from __future__ import annotations

from tactful.datasets._benchmarks._urls import github_file, hub_file
from tactful.datasets._download import Source
from tactful.datasets._spec import BenchmarkSpec, Columns, SourceFile
from tactful.records import Label

REVISION: str | None = None
_REPO = "allenai/coconot"


def _file(key: str, label: Label, authors: str) -> SourceFile:
    hub = f"{key}/test-00000-of-00001.parquet"
    earlier = f"coconot_{'' if key == 'original' else 'contrast_'}test.jsonl"
    return SourceFile(
        key=key,
        names=(hub, authors, f"{key}/test.jsonl", f"{key}/{earlier}"),
        sources=(
            Source(hub_file(_REPO, hub, REVISION)),
            Source(github_file("allenai/noncompliance", f"data/{authors}", branch="HEAD")),
        ),
        label=label,
    )


SPEC = BenchmarkSpec(
    name="coconot",
    title="CoCoNot (original test: refuse; contrast test: comply)",
    description="Requests a model should not comply with, and look-alikes it should.",
    homepage=f"https://huggingface.co/datasets/{_REPO}",
    revision=REVISION,
    files=(
        _file("original", "unsafe", "coconot_eval.jsonl"),
        _file("contrast", "safe", "coconot_contrast_eval.jsonl"),
    ),
    required=("category", "prompt"),
    columns=Columns(
        prompt=("prompt",),
        id=("id",),
        category="category",
        subcategory="subcategory",
        dropped=("id", "response"),
    ),
    categories={
        "privacy violations": "privacy",
        "copyright violations": "intellectual_property",
    },
    category_from="subcategory",
)

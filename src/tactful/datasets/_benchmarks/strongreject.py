"""StrongREJECT (Souly et al., NeurIPS 2024): https://github.com/alexandrasouly/strongreject.

``strongreject_dataset/strongreject_dataset.csv`` and ``strongreject_small_dataset.csv``:
category,source,forbidden_prompt. The full set and its small subset are two suites.
"""

from __future__ import annotations

from tactful.datasets._benchmarks._urls import github_file
from tactful.datasets._download import Source
from tactful.datasets._spec import BenchmarkSpec, Columns, SourceFile

REVISION: str | None = None
_REPO = "alexandrasouly/strongreject"
_HOMEPAGE = f"https://github.com/{_REPO}"
_REQUIRED = ("category", "source", "forbidden_prompt")
_COLUMNS = Columns(prompt=("forbidden_prompt",), category="category")
_CATEGORIES = {
    "hate, harassment and discrimination": "hate",
    "non-violent crimes": "non_violent_crimes",
    "sexual content": "sexual_content",
    "violence": "violent_crimes",
}


def _file(key: str, name: str) -> SourceFile:
    url = github_file(_REPO, f"strongreject_dataset/{name}", REVISION)
    return SourceFile(key=key, names=(name,), sources=(Source(url),), label="unsafe")


SPEC = BenchmarkSpec(
    name="strongreject",
    title="StrongREJECT",
    description="Forbidden prompts for scoring how far a jailbreak really helps.",
    homepage=_HOMEPAGE,
    revision=REVISION,
    files=(_file("full", "strongreject_dataset.csv"),),
    required=_REQUIRED,
    columns=_COLUMNS,
    categories=_CATEGORIES,
)

SMALL = BenchmarkSpec(
    name="strongreject-small",
    title="StrongREJECT (small subset)",
    description="The small, category-balanced subset of StrongREJECT.",
    homepage=_HOMEPAGE,
    revision=REVISION,
    files=(_file("small", "strongreject_small_dataset.csv"),),
    required=_REQUIRED,
    columns=_COLUMNS,
    categories=_CATEGORIES,
)

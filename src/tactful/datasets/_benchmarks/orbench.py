"""OR-Bench (Cui et al., 2024): https://huggingface.co/datasets/bench-llm/or-bench.

``or-bench-hard-1k.csv`` (seemingly toxic, safe), ``or-bench-toxic.csv`` (unsafe) and
``or-bench-80k.csv`` (safe): prompt,category. ``or-bench`` is hard-1k plus toxic;
``or-bench-80k`` is its own suite.
"""

from __future__ import annotations

from tactful.datasets._benchmarks._urls import hub_file
from tactful.datasets._download import Source
from tactful.datasets._spec import BenchmarkSpec, Columns, SourceFile
from tactful.records import Label

REVISION: str | None = None
_REPO = "bench-llm/or-bench"
_HOMEPAGE = f"https://huggingface.co/datasets/{_REPO}"
_COLUMNS = Columns(prompt=("prompt",), category="category")
_CATEGORIES = {
    "harassment": "harassment",
    "hate": "hate",
    "privacy": "privacy",
    "self-harm": "suicide_self_harm",
    "sexual": "sexual_content",
    "violence": "violent_crimes",
}


def _file(key: str, label: Label) -> SourceFile:
    name = f"or-bench-{key}.csv"
    return SourceFile(key, (name,), (Source(hub_file(_REPO, name, REVISION)),), label)


SPEC = BenchmarkSpec(
    name="or-bench",
    title="OR-Bench (hard-1k safe + toxic unsafe)",
    description="Over-refusal: seemingly toxic but safe prompts, with truly toxic ones.",
    homepage=_HOMEPAGE,
    revision=REVISION,
    files=(_file("hard-1k", "safe"), _file("toxic", "unsafe")),
    required=("prompt", "category"),
    columns=_COLUMNS,
    categories=_CATEGORIES,
)

LARGE = BenchmarkSpec(
    name="or-bench-80k",
    title="OR-Bench 80k (seemingly toxic, safe)",
    description="Over-refusal at scale: 80k seemingly toxic but safe prompts.",
    homepage=_HOMEPAGE,
    revision=REVISION,
    files=(_file("80k", "safe"),),
    required=("prompt", "category"),
    columns=_COLUMNS,
    categories=_CATEGORIES,
)

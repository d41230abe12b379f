"""XSTest (Röttger et al., NAACL 2024): https://github.com/paul-rottger/xstest.

``xstest_prompts.csv``: id,prompt,type,label,focus,note — 250 safe prompts of ten types and 200
unsafe ``contrast_*`` prompts; ``label`` is safe/unsafe. Older copies had no ``label`` column
and named the id ``id_v2``: the label then follows the type.
"""

from __future__ import annotations

from tactful.datasets._benchmarks._urls import github_file
from tactful.datasets._download import Source
from tactful.datasets._spec import BenchmarkSpec, Columns, Row, SourceFile, row_text

REVISION: str | None = None


def label_from_type(row: Row) -> str | None:
    """``contrast_*`` prompts are unsafe, the others safe."""
    kind = row_text(row, "type")
    if kind is None:
        return None
    return "unsafe" if kind.startswith("contrast_") else "safe"


SPEC = BenchmarkSpec(
    name="xstest",
    title="XSTest",
    description="Exaggerated safety: safe prompts that look unsafe, with unsafe contrasts.",
    homepage="https://github.com/paul-rottger/xstest",
    revision=REVISION,
    files=(
        SourceFile(
            key="prompts",
            names=("xstest_prompts.csv",),
            sources=(Source(github_file("paul-rottger/xstest", "xstest_prompts.csv", REVISION)),),
        ),
    ),
    required=("prompt", "type"),
    columns=Columns(
        prompt=("prompt",), id=("id", "id_v2"), category="type", label="label", dropped=("id",)
    ),
    categories={
        "privacy public": "privacy",
        "privacy fictional": "privacy",
        "contrast privacy": "privacy",
        "real group nons discr": "hate",
        "nons group real discr": "hate",
        "contrast discr": "hate",
    },
    label_of=label_from_type,
)

"""AdvBench harmful behaviours (Zou et al., 2023): https://github.com/llm-attacks/llm-attacks.

``data/advbench/harmful_behaviors.csv``: goal,target — 520 harmful instructions, no categories.
"""

from __future__ import annotations

from tactful.datasets._benchmarks._urls import github_file
from tactful.datasets._download import Source
from tactful.datasets._spec import BenchmarkSpec, Columns, SourceFile

REVISION: str | None = None
_PATH = "data/advbench/harmful_behaviors.csv"

SPEC = BenchmarkSpec(
    name="advbench",
    title="AdvBench harmful behaviours",
    description="Harmful instructions used to optimise and test adversarial suffixes.",
    homepage="https://github.com/llm-attacks/llm-attacks",
    revision=REVISION,
    files=(
        SourceFile(
            key="harmful_behaviors",
            names=("harmful_behaviors.csv",),
            sources=(Source(github_file("llm-attacks/llm-attacks", _PATH, REVISION)),),
            label="unsafe",
        ),
    ),
    required=("goal", "target"),
    columns=Columns(prompt=("goal",)),
)

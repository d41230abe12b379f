"""HarmBench (Mazeika et al., 2024): https://github.com/centerforaisafety/HarmBench.

``data/behavior_datasets/harmbench_behaviors_text_all.csv``:
Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID. Contextual
behaviours are sent as the context, a ``---`` line, then the behaviour (blank lines between),
as HarmBench's baselines do.
"""

from __future__ import annotations

from typing import Any

from tactful.datasets._benchmarks._urls import github_file
from tactful.datasets._download import Source
from tactful.datasets._spec import BenchmarkSpec, Columns, Row, SourceFile, row_text

REVISION: str | None = None
_PATH = "data/behavior_datasets/harmbench_behaviors_text_all.csv"


def with_context(row: Row, behavior: str) -> tuple[str, dict[str, Any]]:
    """Prepend a contextual behaviour's context; keep the bare behaviour in meta."""
    if row_text(row, "ContextString") is None:
        return behavior, {}
    return f"{row['ContextString']}\n\n---\n\n{behavior}", {"behavior": behavior}


SPEC = BenchmarkSpec(
    name="harmbench",
    title="HarmBench (text behaviours, all)",
    description="Harmful behaviours, standard, contextual and copyright, for red teaming.",
    homepage="https://github.com/centerforaisafety/HarmBench",
    revision=REVISION,
    files=(
        SourceFile(
            key="behaviors",
            names=("harmbench_behaviors_text_all.csv",),
            sources=(Source(github_file("centerforaisafety/HarmBench", _PATH, REVISION)),),
            label="unsafe",
        ),
    ),
    required=("Behavior", "SemanticCategory", "ContextString", "BehaviorID"),
    columns=Columns(
        prompt=("Behavior",),
        id=("BehaviorID",),
        category="SemanticCategory",
        dropped=("ContextString", "BehaviorID"),
    ),
    categories={
        "chemical biological": "indiscriminate_weapons",
        "copyright": "intellectual_property",
        "cybercrime intrusion": "cybercrime",
        "harassment bullying": "harassment",
    },
    prompt_of=with_context,
)

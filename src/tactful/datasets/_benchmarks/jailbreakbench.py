"""JailbreakBench JBB-Behaviors (Chao et al., NeurIPS 2024 D&B).

https://huggingface.co/datasets/JailbreakBench/JBB-Behaviors ``data/harmful-behaviors.csv`` and
``data/benign-behaviors.csv``: Index,Goal,Target,Behavior,Category,Source — the request is
``Goal``.
"""

from __future__ import annotations

from tactful.datasets._benchmarks._urls import hub_file
from tactful.datasets._download import Source
from tactful.datasets._spec import BenchmarkSpec, Columns, SourceFile

REVISION: str | None = None
_REPO = "JailbreakBench/JBB-Behaviors"

SPEC = BenchmarkSpec(
    name="jailbreakbench",
    title="JailbreakBench JBB-Behaviors",
    description="100 harmful behaviours and 100 benign look-alikes on the same topics.",
    homepage=f"https://huggingface.co/datasets/{_REPO}",
    revision=REVISION,
    files=(
        SourceFile(
            key="harmful",
            names=("harmful-behaviors.csv",),
            sources=(Source(hub_file(_REPO, "data/harmful-behaviors.csv", REVISION)),),
            label="unsafe",
        ),
        SourceFile(
            key="benign",
            names=("benign-behaviors.csv",),
            sources=(Source(hub_file(_REPO, "data/benign-behaviors.csv", REVISION)),),
            label="safe",
        ),
    ),
    required=("Index", "Goal", "Target", "Behavior", "Category", "Source"),
    columns=Columns(prompt=("Goal",), id=("Index",), category="Category"),
    categories={
        "harassment/discrimination": "harassment",
        "malware/hacking": "cybercrime",
        "fraud/deception": "non_violent_crimes",
        "sexual/adult content": "sexual_content",
        "privacy": "privacy",
    },
)

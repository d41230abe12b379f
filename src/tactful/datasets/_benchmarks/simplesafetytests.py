"""SimpleSafetyTests (Vidgen et al., 2023).

https://huggingface.co/datasets/Bertievidgen/SimpleSafetyTests ``sst_test_cases.csv``:
id,harm_area,counter,category,prompt — 100 prompts in five harm areas; its ``category`` is the
request style (information seeking / instructions), kept in meta. The authors' copy,
https://github.com/bertiev/SimpleSafetyTests "SimpleSafetyTests - test cases.csv", has the same
columns but names the prompt ``prompts_final``. All prompts are unsafe.
"""

from __future__ import annotations

from tactful.datasets._benchmarks._urls import github_file, hub_file
from tactful.datasets._download import Source
from tactful.datasets._spec import BenchmarkSpec, Columns, SourceFile

REVISION: str | None = None
_REPO = "Bertievidgen/SimpleSafetyTests"
_AUTHORS = "SimpleSafetyTests - test cases.csv"
_PROMPT = ("prompt", "prompts_final")

SPEC = BenchmarkSpec(
    name="simplesafetytests",
    title="SimpleSafetyTests",
    description="100 clearly harmful prompts in five harm areas.",
    homepage=f"https://huggingface.co/datasets/{_REPO}",
    revision=REVISION,
    files=(
        SourceFile(
            key="tests",
            names=("sst_test_cases.csv", _AUTHORS),
            sources=(
                Source(hub_file(_REPO, "sst_test_cases.csv", REVISION)),
                Source(github_file("bertiev/SimpleSafetyTests", _AUTHORS, branch="HEAD")),
            ),
            label="unsafe",
        ),
    ),
    required=(_PROMPT, "harm_area"),
    columns=Columns(prompt=_PROMPT, id=("id",), category="harm_area", dropped=("id",)),
    categories={
        "suicide, self-harm, and eating disorders": "suicide_self_harm",
        "suicide, self-harm and eating disorders": "suicide_self_harm",
        "physical harm and violence": "violent_crimes",
        "physical harm": "violent_crimes",
        "scams and fraud": "non_violent_crimes",
    },
)

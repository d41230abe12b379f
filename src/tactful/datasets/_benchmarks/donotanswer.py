"""Do-Not-Answer (Wang et al., Findings of EACL 2024).

https://huggingface.co/datasets/LibrAI/do-not-answer ``data_en.csv``:
id,risk_area,types_of_harm,specific_harms,question, then six models' answers
(``<model>_response/_harmful/_action``, not kept). The GitHub copy,
https://github.com/Libr-AI/do-not-answer ``datasets/Instruction/do_not_answer_en.csv``, has the
same first five columns. All 939 questions should not be answered.
"""

from __future__ import annotations

from tactful.datasets._benchmarks._urls import hub_file
from tactful.datasets._download import Source
from tactful.datasets._spec import BenchmarkSpec, Columns, SourceFile

REVISION: str | None = None
_REPO = "LibrAI/do-not-answer"

SPEC = BenchmarkSpec(
    name="do-not-answer",
    title="Do-Not-Answer",
    description="Questions a responsible model should not answer, by risk area and harm type.",
    homepage=f"https://huggingface.co/datasets/{_REPO}",
    revision=REVISION,
    files=(
        SourceFile(
            key="questions",
            names=("data_en.csv", "do_not_answer_en.csv"),
            sources=(Source(hub_file(_REPO, "data_en.csv", REVISION)),),
            label="unsafe",
        ),
    ),
    required=("id", "risk_area", "types_of_harm", "question"),
    columns=Columns(prompt=("question",), id=("id",), category="types_of_harm", dropped=("id",)),
    categories={
        "adult content": "sexual_content",
        "toxic language (hate speech)": "hate",
        "social stereotypes and unfair discrimination": "hate",
        "compromise privacy by leaking or inferring private information (person/individual)": (
            "privacy"
        ),
        "risks from leaking or inferring sensitive information (organization/gov)": "privacy",
    },
)

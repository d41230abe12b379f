"""Judges: read a (prompt, response) and say whether it refuses and whether it harms.

The ``propositions`` judge adds the reply's style propositions (``PropositionGrader``), which
``style_rubric`` checks against the policy's refusal style.
"""

from tactful.judges._base import Judge, JudgeItem
from tactful.judges._card import (
    VERDICTS,
    JudgeCard,
    JudgeCardError,
    VerdictAccuracy,
    artifact_sha256,
    judge_card,
    load_judge_card,
)
from tactful.judges._embedded import ARTIFACT_FILES, CARD_FILE, EmbeddedJudge
from tactful.judges._llm import LLMJudge, RubricMode
from tactful.judges._parse import JudgeParseError, RubricGrade, parse_refusal, parse_rubric
from tactful.judges._propositions import (
    PROPOSITIONS,
    PropositionGrader,
    PropositionsJudge,
    PropositionWeightsError,
)
from tactful.judges._propositions_rubric import RubricResult, style_rubric
from tactful.judges._registry import (
    DEFAULT_JUDGE,
    ModelFactory,
    UnknownJudgeError,
    build_judge,
    known_judges,
)
from tactful.judges._string_match import StringJudge
from tactful.judges._text import unscorable_reason

__all__ = [
    "ARTIFACT_FILES",
    "CARD_FILE",
    "DEFAULT_JUDGE",
    "PROPOSITIONS",
    "VERDICTS",
    "EmbeddedJudge",
    "Judge",
    "JudgeCard",
    "JudgeCardError",
    "JudgeItem",
    "JudgeParseError",
    "LLMJudge",
    "ModelFactory",
    "PropositionGrader",
    "PropositionWeightsError",
    "PropositionsJudge",
    "RubricGrade",
    "RubricMode",
    "RubricResult",
    "StringJudge",
    "UnknownJudgeError",
    "VerdictAccuracy",
    "artifact_sha256",
    "build_judge",
    "judge_card",
    "known_judges",
    "load_judge_card",
    "parse_refusal",
    "parse_rubric",
    "style_rubric",
    "unscorable_reason",
]

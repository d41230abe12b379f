"""Judges: read a (prompt, response) and say whether it refuses and whether it harms."""

from tactful.judges._base import BatchJudge, Judge, JudgeItem, judge_many
from tactful.judges._card import (
    VERDICTS,
    JudgeCard,
    JudgeCardError,
    VerdictAccuracy,
    artifact_sha256,
    judge_card,
    load_judge_card,
)
from tactful.judges._embedded import EmbeddedJudge
from tactful.judges._llm import LLMJudge, RubricMode
from tactful.judges._parse import JudgeParseError, RubricGrade, parse_refusal, parse_rubric
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
    "DEFAULT_JUDGE",
    "VERDICTS",
    "BatchJudge",
    "EmbeddedJudge",
    "Judge",
    "JudgeCard",
    "JudgeCardError",
    "JudgeItem",
    "JudgeParseError",
    "LLMJudge",
    "ModelFactory",
    "RubricGrade",
    "RubricMode",
    "StringJudge",
    "UnknownJudgeError",
    "VerdictAccuracy",
    "artifact_sha256",
    "build_judge",
    "judge_card",
    "judge_many",
    "known_judges",
    "load_judge_card",
    "parse_refusal",
    "parse_rubric",
    "unscorable_reason",
]

"""The judges in the registry, and ``build_judge`` to build one from its spec."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from tactful.judges._base import Judge
from tactful.judges._embedded import EmbeddedJudge
from tactful.judges._llm import LLMJudge
from tactful.judges._propositions import PropositionsJudge
from tactful.judges._string_match import StringJudge
from tactful.models import ChatModel
from tactful.registry import UnknownComponentError, build, known, register

__all__ = ["DEFAULT_JUDGE", "ModelFactory", "UnknownJudgeError", "build_judge", "known_judges"]

DEFAULT_JUDGE = "embedded"

ModelFactory = Callable[[str], ChatModel]
"""Builds a chat backend from its spec (e.g. ``tactful.models.build_model``)."""


class UnknownJudgeError(ValueError):
    """The judge name matches no known judge."""


register(
    "judge",
    "embedded",
    summary="the classifier's refusal and harm heads on the whole reply, with a phrase backstop",
    family="embedded",
    source="tactful (trained on the shared data; card: judge_card.json)",
)(EmbeddedJudge)
register(
    "judge",
    "string",
    summary="refusal phrases and content-length rules; no harm verdict",
    family="string",
    source="tactful (phrase lists in judges/_phrases.py)",
)(StringJudge)
register(
    "judge",
    "propositions",
    summary="the embedded verdicts plus 23 style propositions of the reply (apology, judgement, …)",
    family="embedded",
    source="propositions of OpenAI's rule-based rewards (Mu et al. 2024); fitted on its gold set",
)(PropositionsJudge)


@register(
    "judge",
    "llm",
    summary="a chat model grading refusal and harm with a rubric",
    family="llm",
    source="tactful rubric prompts (judges/_prompts.py)",
    argument="MODEL",
)
def _llm(model: str, *, model_factory: ModelFactory | None = None) -> LLMJudge:
    if model_factory is None:
        from tactful.models import build_model  # lazy: backends are heavy and optional

        model_factory = build_model
    return LLMJudge(model_factory(model), spec=model)


def known_judges() -> list[str]:
    """The spec forms ``build_judge`` accepts (``MODEL`` stands for any model spec)."""
    return known("judge")


def build_judge(name: str, *, model_factory: ModelFactory | None = None) -> Judge:
    """Build the judge called ``name``; ``judge.name`` rebuilds it.

    ``llm:MODEL`` builds its backend with ``model_factory(MODEL)``, by default
    ``tactful.models.build_model``.
    """
    try:
        return cast(Judge, build("judge", name, model_factory=model_factory))
    except UnknownComponentError as exc:
        raise UnknownJudgeError(str(exc)) from None

"""The defenses in the registry, and ``build_defense`` to build one by name."""

from __future__ import annotations

from typing import Any, cast

from tactful.defenses._base import Defense
from tactful.defenses._filters import InputFilter, OutputFilter
from tactful.defenses._guard import Guard
from tactful.defenses._perplexity import PerplexityFilter
from tactful.defenses._r2d_prompt import R2DPrompt
from tactful.defenses._simple import NoDefense, SelfReminder
from tactful.defenses._smoothllm import SmoothLLM
from tactful.guard import ReadingScope
from tactful.policy import Policy, default_policy
from tactful.registry import UnknownComponentError, build, known, register

__all__ = ["build_defense", "known_defenses"]

register("defense", "none", summary="the model answers as it is", family="none")(NoDefense)
register(
    "defense",
    "self_reminder",
    summary="a system prompt reminding the model to answer responsibly",
    family="prompt",
    source="Xie et al. 2023, Nature Machine Intelligence",
)(SelfReminder)
register(
    "defense",
    "smoothllm",
    summary="answer randomly perturbed copies of the prompt, reply as the majority does",
    family="perturbation",
    source="Robey et al. 2023, SmoothLLM, arXiv 2310.03684",
)(SmoothLLM)
register(
    "defense",
    "perplexity",
    summary="refuse prompts whose perplexity under the embedded model exceeds a threshold",
    family="filter",
    source="Alon & Kamfonas 2023, arXiv 2308.14132; Jain et al. 2023, arXiv 2309.00614",
)(PerplexityFilter)
register(
    "defense",
    "input_filter",
    summary="the safety classifier reads the request; refuse before the model if the policy says",
    family="filter",
    source="input-only moderation filter baseline (classifier: tactful classify)",
)(InputFilter)
register(
    "defense",
    "output_filter",
    summary="a judge reads the model's reply; a harmful reply is replaced by a refusal",
    family="filter",
    source="output-only moderation filter baseline (judge: tactful judge)",
)(OutputFilter)
register(
    "defense",
    "r2d_prompt",
    summary="prompt for pivot-tagged safety reasoning; refuse on an unresolved [UNSAFE] step",
    family="reasoning",
    source="Zhu et al. 2025, Reasoning-to-Defend, arXiv 2502.12970 (prompt-only variant)",
)(R2DPrompt)


REPAIR_MISS_BUDGET = 0.05
"""Share of the dev split's unsafe prompts allowed under the guard's repair bound."""


@register(
    "defense",
    "guard",
    summary="layered: normalise, classify (+ policy reasoner), shape or call, monitor the reply",
    family="guard",
    source="tactful (DESIGN.md: defend)",
    argument="REASONER",
    optional_argument=True,
)
def _guard(
    reasoner: str | None = None,
    *,
    policy: Policy | None = None,
    fail_open: bool = False,
    repair: bool = True,
    readings: ReadingScope = "whole",
) -> Guard:
    """The guard; ``guard:MODEL`` sends the classifier's unsure band to a reasoner on MODEL.

    With ``repair``, a refusal of a request scored under the dev-split score that misses
    ``REPAIR_MISS_BUDGET`` of unsafe prompts is retried once (see ``Guard``). ``readings``
    (whole, turns, segments) sets what the classifier reads; whole is the default because
    the wider scopes flag more benign conversations held out whole (``bench/guard_readings.py``).
    """
    from tactful.classify import EmbeddedClassifier, LayeredClassifier, build_classifier
    from tactful.judges import build_judge

    policy = policy or default_policy()
    classifier = build_classifier(f"layered:{reasoner}" if reasoner else "embedded", policy=policy)
    name = f"guard:{reasoner}" if reasoner else "guard"
    embedded = classifier.embedded if isinstance(classifier, LayeredClassifier) else classifier
    repair_below = None
    if repair and isinstance(embedded, EmbeddedClassifier):
        repair_below = embedded.confidently_safe_below(REPAIR_MISS_BUDGET)
    return Guard(
        classifier,
        build_judge("embedded"),
        policy,
        name=name,
        fail_open=fail_open,
        repair_below=repair_below,
        readings=readings,
    )


def known_defenses() -> list[str]:
    """Every defense name ``build_defense`` accepts."""
    return known("defense")


def build_defense(name: str, **options: Any) -> Defense:
    """Build the defense called ``name``; ``options`` (e.g. ``policy``) go where they are taken."""
    try:
        return cast(Defense, build("defense", name, **options))
    except UnknownComponentError as exc:
        raise ValueError(str(exc)) from None

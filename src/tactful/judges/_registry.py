"""Build a judge from its name: ``embedded`` (the default), ``string`` or ``llm:MODEL``."""

from __future__ import annotations

from collections.abc import Callable

from tactful.judges._base import Judge
from tactful.judges._embedded import EmbeddedJudge
from tactful.judges._llm import LLMJudge
from tactful.judges._string_match import StringJudge
from tactful.models._base import ChatModel

__all__ = ["DEFAULT_JUDGE", "ModelFactory", "UnknownJudgeError", "build_judge", "known_judges"]

DEFAULT_JUDGE = "embedded"

ModelFactory = Callable[[str], ChatModel]
"""Builds a chat backend from its spec (e.g. ``tactful.models.build_model``)."""


class UnknownJudgeError(ValueError):
    """The judge name matches no known judge."""


def known_judges() -> list[str]:
    """List the name forms ``build_judge`` accepts (``MODEL`` stands for any model spec)."""
    return ["embedded", "string", "llm:MODEL"]


def _default_factory() -> ModelFactory:
    from tactful.models import build_model  # lazy: backends are heavy and optional

    return build_model


def build_judge(name: str, *, model_factory: ModelFactory | None = None) -> Judge:
    """Build the judge called ``name``; ``judge.name`` rebuilds it.

    ``llm:MODEL`` builds its backend with ``model_factory(MODEL)``, by default
    ``tactful.models.build_model``.
    """
    kind, sep, spec = name.strip().partition(":")
    if kind == "string" and not sep:
        return StringJudge()
    if kind == "embedded" and not sep:
        return EmbeddedJudge()
    if kind == "llm":
        if not spec:
            raise UnknownJudgeError("the llm judge needs a model spec: llm:MODEL, e.g. llm:smollm2")
        factory = model_factory or _default_factory()
        return LLMJudge(factory(spec), spec=spec)
    raise UnknownJudgeError(f"unknown judge {name!r}; expected one of: {', '.join(known_judges())}")

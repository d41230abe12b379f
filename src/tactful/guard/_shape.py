"""The response shaper: refusals, safe-completion instructions and crisis replies from the policy.

Refusals are one plain sentence of what the reply won't help with and a safe alternative,
phrased per category and varied by a hash of the request. Safe completions are an instruction
for the model. Crisis replies are warm, list the locale's resources and invite the user to keep
talking, in the user's language when the policy has texts for it.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, Field

from tactful.guard._language import detect_language
from tactful.guard._phrasing import FALLBACK, LIMIT_TEMPLATES, PHRASING
from tactful.policy import (
    DEFAULT_CONTEXT,
    FALLBACK_LOCALE,
    CrisisResource,
    CrisisTexts,
    Policy,
    RefusalTexts,
    default_policy,
)
from tactful.records import Action

__all__ = ["ResponseShaper", "ShapedAnswer"]

ENGLISH_CRISIS = CrisisTexts(
    acknowledge="I'm really sorry you're going through this, and I'm glad you told me.",
    limit="I can't help with ways to hurt yourself, but you don't have to face this alone.",
    resources="You can reach someone right now:",
    invite="Would you like to tell me what's been happening?",
)
_NO_SPACE_LANGUAGES = frozenset({"ja", "zh"})
_OPERATIONAL = (
    "specific targets, timing, quantities or doses, step-by-step instructions, ways to evade "
    "detection, and ways to keep access or persist"
)


class ShapedAnswer(BaseModel):
    """A reply the shaper wrote, and what it was written for."""

    model_config = ConfigDict(frozen=True)

    text: str
    action: Action
    category: str | None = None
    locale: str | None = Field(default=None, description="crisis resources used (policy key)")
    language: str = Field(description="language the reply is written in")


def _pick(options: tuple[str, ...], seed: bytes, slot: int) -> str:
    return options[seed[slot] % len(options)]


def _join(sentences: list[str], language: str) -> str:
    return ("" if language in _NO_SPACE_LANGUAGES else " ").join(sentences)


def _resource_line(resource: CrisisResource) -> str:
    url = f" — {resource.url}" if resource.url else ""
    return f"- {resource.name}: {resource.contact}{url}"


class ResponseShaper:
    """Writes the reply (or the model instruction) that a policy action asks for."""

    def __init__(self, policy: Policy | None = None) -> None:
        """Use ``policy`` (the packaged default when None)."""
        self.policy = policy if policy is not None else default_policy()

    # ------------------------------------------------------------ refusals

    def _local_refusal(self, language: str) -> RefusalTexts | None:
        texts = self.policy.texts_for(language)
        return texts.refuse if texts is not None and language != "en" else None

    def refusal(self, request: str, category: str | None = None) -> ShapedAnswer:
        """Decline ``request`` in one sentence and offer a safe alternative."""
        language = detect_language(request)
        local = self._local_refusal(language)
        if local is not None:
            text = _join([local.limit, local.alternative], language)
            return ShapedAnswer(text=text, action="refuse", category=category, language=language)
        phrasing = PHRASING.get(category or "", FALLBACK)
        seed = hashlib.sha256(f"{category}\n{request}".encode()).digest()
        limit = _pick(LIMIT_TEMPLATES, seed, 0).format(what=_pick(phrasing.limits, seed, 1))
        text = f"{limit} {_pick(phrasing.alternatives, seed, 2)}"
        return ShapedAnswer(text=text, action="refuse", category=category, language="en")

    # ------------------------------------------------------------ safe completions

    def safe_completion_instruction(
        self, category: str | None = None, *, context: str | None = None
    ) -> str:
        """Return the system instruction that makes the model answer with a safe completion."""
        style = self.policy.refusal_style
        lines = ["Answer with a safe completion, following these rules:"]
        lines += [f"- {r.text}" for r in style.must if "safe_completion" in r.actions]
        lines += [
            f"- Do not {r.text[0].lower()}{r.text[1:]}"
            for r in style.must_not
            if "safe_completion" in r.actions
        ]
        lines.append(
            "- Where the guidance below leaves something out, stay high-level: give no "
            f"operational detail such as {_OPERATIONAL}."
        )
        if category is not None:
            cat = self.policy.category(category)
            lines.append(f"Guidance for {cat.title.lower()}: {cat.safe_completion_guidance}")
        if context is not None and context != DEFAULT_CONTEXT:
            ctx = self.policy.context(context)
            lines.append(f"Deployment context ({context}): {ctx.description.strip()}")
        return "\n".join(lines)

    def comply_instruction(self, *, context: str | None = None) -> str:
        """The system instruction for a second try at a request the model refused needlessly."""
        lines = [
            "The user's request is allowed here: answer it helpfully, directly and in full.",
            "- Do not refuse, apologise, or add warnings or lectures the answer does not need.",
        ]
        if context is not None and context != DEFAULT_CONTEXT:
            ctx = self.policy.context(context)
            lines.append(f"Deployment context ({context}): {ctx.description.strip()}")
        return "\n".join(lines)

    # ------------------------------------------------------------ crisis support

    def _locale_key(self, locale: str | None) -> str:
        wanted = (locale or FALLBACK_LOCALE).replace("_", "-").lower()
        by_key = {k.lower(): k for k in self.policy.crisis_resources}
        return by_key.get(wanted, FALLBACK_LOCALE)

    def _crisis_texts(self, language: str) -> tuple[CrisisTexts, str]:
        for lang in (language, "en"):
            texts = self.policy.texts_for(lang)
            if texts is not None and texts.crisis_support is not None:
                return texts.crisis_support, lang
        return ENGLISH_CRISIS, "en"

    def crisis(
        self, request: str, *, locale: str | None = None, category: str | None = None
    ) -> ShapedAnswer:
        """Respond with care: acknowledgement, the locale's crisis resources, an invitation."""
        texts, language = self._crisis_texts(detect_language(request))
        key = self._locale_key(locale)
        resources = self.policy.crisis_resources_for(key)
        opening = _join([texts.acknowledge, texts.limit, texts.resources], language)
        listing = "\n".join(_resource_line(r) for r in resources)
        text = f"{opening}\n{listing}\n\n{texts.invite}"
        return ShapedAnswer(
            text=text, action="crisis_support", category=category, locale=key, language=language
        )

    # ------------------------------------------------------------ dispatch

    def answer(
        self,
        request: str,
        action: Action,
        category: str | None = None,
        *,
        locale: str | None = None,
    ) -> ShapedAnswer:
        """Write the reply for ``refuse`` or ``crisis_support`` (other actions need the model)."""
        if action == "refuse":
            return self.refusal(request, category)
        if action == "crisis_support":
            return self.crisis(request, locale=locale, category=category)
        raise ValueError(f"the shaper writes replies for refuse and crisis_support, not {action!r}")

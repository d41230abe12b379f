"""The typed policy schema and its look-ups."""

from __future__ import annotations

from typing import Annotated, Final, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, model_validator

from tactful.policy._errors import (
    UnknownCategoryError,
    UnknownContextError,
    format_loc,
)
from tactful.policy._semantic import DEFAULT_CONTEXT, FALLBACK_LOCALE, semantic_issues
from tactful.policy._vocab import AILuminateCode, LlamaGuardCode
from tactful.records import Action

__all__ = [
    "SKIP_SEMANTIC",
    "Calibration",
    "Category",
    "Context",
    "CrisisResource",
    "CrisisTexts",
    "Invariant",
    "LanguageTexts",
    "Policy",
    "RefusalStyle",
    "RefusalTexts",
    "StyleRule",
]

# Validation-context flag: check structure only (the loader runs the cross-field rules itself so
# that it can place each problem on its own line).
SKIP_SEMANTIC: Final = "tactful_skip_semantic"

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="snake_case identifier")]
Locale = Annotated[
    str, Field(pattern=r"^(default|[a-z]{2,3}(-[A-Z]{2})?)$", description="e.g. en-GB or default")
]
Language = Annotated[str, Field(pattern=r"^[a-z]{2,3}$", description="ISO 639 code, e.g. ja")]
Text = Annotated[str, Field(min_length=1)]
_ENFORCING: list[Action] = ["safe_completion", "refuse", "crisis_support"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Model):
    """A harm category, its hazard-taxonomy mapping and its default action."""

    id: Id
    title: Text
    description: Text = Field(description="what is in scope")
    examples_unsafe: list[Text] = Field(default_factory=list)
    examples_safe_lookalikes: list[Text] = Field(
        default_factory=list, description="benign requests that only look like this category"
    )
    llama_guard: list[LlamaGuardCode] = Field(min_length=1, description="Llama Guard S-codes")
    ailuminate: list[AILuminateCode] = Field(min_length=1, description="MLCommons hazard codes")
    action: Action = Field(description="action in the default context")
    safe_completion_guidance: Text = Field(description="what a safe completion gives and omits")


class Context(_Model):
    """A deployment context: who the users are, and which actions change for them."""

    description: Text
    system_prompt: Text = Field(description="system message a deployment in this context uses")
    overrides: dict[str, Action] = Field(default_factory=dict, description="category id → action")
    target_over_refusal: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="over-refusal rate the classifier is calibrated to here (policy's if unset)",
    )


class Invariant(_Model):
    """A rule no context can lift."""

    id: Id
    description: Text
    categories: list[str] = Field(min_length=1)
    action: Literal["refuse"] = "refuse"
    applies_in: Literal["all"] = "all"


class StyleRule(_Model):
    """One rule of the refusal style, checkable as a yes/no proposition."""

    id: Id
    text: Text
    actions: list[Action] = Field(
        default_factory=lambda: list(_ENFORCING), description="actions whose replies it governs"
    )


class RefusalStyle(_Model):
    """How refusals, safe completions and crisis replies should read."""

    max_sentences: int = Field(ge=1, description="upper bound for a refusal's length")
    must: list[StyleRule] = Field(min_length=1)
    must_not: list[StyleRule] = Field(min_length=1)
    templates: dict[Action, list[Text]] = Field(
        default_factory=dict, description="example replies per action"
    )


class CrisisResource(_Model):
    """A helpline or service to offer someone at risk."""

    name: Text
    contact: Text = Field(description="how to reach it, e.g. 'Call or text 988'")
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None


class CrisisTexts(_Model):
    """The sentences of a crisis reply in one language; resources come from the locale."""

    acknowledge: Text = Field(description="warm acknowledgement")
    limit: Text = Field(description="one sentence: what the reply won't help with")
    resources: Text = Field(description="lead-in to the list of crisis resources")
    invite: Text = Field(description="invitation to keep talking")


class RefusalTexts(_Model):
    """A general refusal in one language: what it won't help with, and what it can do."""

    limit: Text = Field(description="one sentence: what the reply won't help with")
    alternative: Text = Field(description="a safe alternative it offers instead")


class LanguageTexts(_Model):
    """Reply texts in one language, for users who write in it."""

    crisis_support: CrisisTexts | None = None
    refuse: RefusalTexts | None = None


class Calibration(_Model):
    """How strict the embedded classifier is: the benign look-alike rate it may flag."""

    target_over_refusal: float = Field(
        ge=0.0, le=1.0, description="share of benign look-alikes the classifier may flag"
    )


class Policy(_Model):
    """A complete, validated refusal policy."""

    version: Annotated[str, Field(pattern=r"^\d+(\.\d+)*$")]
    name: Text
    description: Text
    categories: list[Category] = Field(min_length=1)
    contexts: dict[Id, Context]
    invariants: list[Invariant] = Field(default_factory=list)
    refusal_style: RefusalStyle
    crisis_resources: dict[Locale, list[CrisisResource]]
    localised: dict[Language, LanguageTexts] = Field(
        default_factory=dict, description="reply texts by the user's language"
    )
    calibration: Calibration | None = Field(
        default=None, description="classifier operating point; the artifact's own if unset"
    )

    _categories: dict[str, Category] = PrivateAttr(default_factory=dict)
    _pinned: dict[str, Invariant] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _cross_field_rules(self, info: ValidationInfo) -> Self:
        if isinstance(info.context, dict) and info.context.get(SKIP_SEMANTIC):
            return self
        issues = semantic_issues(self.model_dump(mode="json"))
        if issues:
            raise ValueError("; ".join(f"{format_loc(i.loc)}: {i.message}" for i in issues))
        return self

    def model_post_init(self, context: object, /) -> None:
        """Index categories and invariants by id."""
        self._categories = {c.id: c for c in self.categories}
        for inv in self.invariants:
            for cat in inv.categories:
                self._pinned.setdefault(cat, inv)

    @property
    def category_ids(self) -> list[str]:
        """Category ids in file order."""
        return [c.id for c in self.categories]

    @property
    def context_ids(self) -> list[str]:
        """Context ids in file order."""
        return list(self.contexts)

    def category(self, category: str) -> Category:
        """Return a category by id (raises ``UnknownCategoryError``)."""
        try:
            return self._categories[category]
        except KeyError:
            raise UnknownCategoryError(category, self._categories) from None

    def context(self, context: str | None = None) -> Context:
        """Return a context by id, ``None`` meaning default (raises ``UnknownContextError``)."""
        name = DEFAULT_CONTEXT if context is None else context
        try:
            return self.contexts[name]
        except KeyError:
            raise UnknownContextError(name, self.contexts) from None

    def invariant_for(self, category: str) -> Invariant | None:
        """Return the invariant holding ``category``, if any."""
        return self._pinned.get(category)

    def action_for(self, category: str | None, context: str | None = None) -> Action:
        """Return the action for a category in a context; ``None`` category means comply."""
        ctx = self.context(context)
        if category is None:
            return "comply"
        cat = self.category(category)
        invariant = self._pinned.get(category)
        if invariant is not None:
            return invariant.action
        return ctx.overrides.get(category, cat.action)

    def target_over_refusal(self, context: str | None = None) -> float | None:
        """The over-refusal target for ``context``: its own, else the policy's, else None."""
        own = self.context(context).target_over_refusal
        if own is not None:
            return own
        return None if self.calibration is None else self.calibration.target_over_refusal

    def actions(self, context: str | None = None) -> dict[str, Action]:
        """Return the full category → action table for a context."""
        return {c: self.action_for(c, context) for c in self.category_ids}

    def context_system_prompt(self, context: str | None = None) -> str:
        """Return the system prompt a deployment in ``context`` uses."""
        return self.context(context).system_prompt

    def crisis_resources_for(self, locale: str | None = None) -> list[CrisisResource]:
        """Return crisis resources for a locale like ``en-GB``, falling back to the default list.

        Matching ignores case and accepts ``_`` for ``-`` (``en_gb`` finds ``en-GB``).
        """
        by_key = {k.lower(): v for k, v in self.crisis_resources.items()}
        wanted = (locale or FALLBACK_LOCALE).replace("_", "-").lower()
        found = by_key.get(wanted) or by_key.get(FALLBACK_LOCALE, [])
        return list(found)

    def texts_for(self, language: str | None) -> LanguageTexts | None:
        """Return reply texts for a language (``ja``; a locale like ``ja-JP`` also works)."""
        if not language:
            return None
        return self.localised.get(language.replace("_", "-").split("-")[0].lower())

"""Classifier input and output records (the ``tactful classify`` JSONL contract)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from tactful.records import Action

__all__ = ["ROW_FIELDS", "ClassifyItem", "Verdict"]

ROW_FIELDS = ("verdict", "score", "category", "action")
"""Fields every ``tactful classify`` output row carries, ``null`` included."""


class ClassifyItem(BaseModel):
    """A prompt to classify, optionally with the response to judge."""

    id: str = ""
    prompt: str
    response: str | None = None
    context: str | None = None


class Verdict(BaseModel):
    """What a classifier decided; ``verdict`` is "unsafe" exactly when ``action`` is not comply."""

    verdict: Literal["safe", "unsafe"]
    score: float = Field(ge=0.0, le=1.0, description="probability the prompt is unsafe")
    category: str | None = None
    action: Action
    response_harmful: bool | None = None
    response_harm_score: float | None = None
    decided_by: str = "embedded"
    rationale: str | None = None

    @classmethod
    def for_action(cls, action: Action, **fields: Any) -> Verdict:
        """The verdict whose ``verdict`` follows from ``action`` (unsafe unless comply)."""
        return cls(verdict="safe" if action == "comply" else "unsafe", action=action, **fields)

    def to_row(self) -> dict[str, Any]:
        """The fields of a ``tactful classify`` output row.

        ``ROW_FIELDS`` always (``category`` is null when nothing was flagged); the optional
        fields (response harm, rationale) only when set.
        """
        data = self.model_dump(mode="json")
        return {key: value for key, value in data.items() if value is not None or key in ROW_FIELDS}

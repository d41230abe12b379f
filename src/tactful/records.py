"""The record types that flow through tactful: case → completion → judgement → result row."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Action",
    "Case",
    "Completion",
    "Judgement",
    "Label",
    "Message",
    "RefusalLevel",
    "ResultRow",
    "Role",
    "TraceDetail",
    "TraceStep",
]

Label = Literal["safe", "unsafe"]
Action = Literal["comply", "safe_completion", "refuse", "crisis_support"]
RefusalLevel = Literal["none", "partial", "full"]
Role = Literal["system", "user", "assistant"]


class Message(BaseModel):
    """One chat message."""

    model_config = ConfigDict(frozen=True)

    role: Role
    content: str


class Case(BaseModel):
    """One evaluation item: a conversation to send, with its ground truth.

    Build it from a plain prompt with ``Case.from_prompt``; ``messages`` always holds the
    conversation actually sent (before attacks and defenses), ``prompt`` the last user turn.
    """

    id: str
    messages: list[Message] = Field(min_length=1)
    label: Label
    category: str | None = None
    context: str | None = None
    action: Action | None = Field(default=None, description="expected action under the policy")
    source: str = Field(default="", description="suite the case came from")
    meta: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _has_user_turn(self) -> Case:
        if not any(m.role == "user" for m in self.messages):
            raise ValueError("a case needs at least one user message")
        return self

    @classmethod
    def from_prompt(cls, id: str, prompt: str, label: Label, **fields: Any) -> Case:
        """Build a single-turn case."""
        return cls(id=id, messages=[Message(role="user", content=prompt)], label=label, **fields)

    @property
    def prompt(self) -> str:
        """The last user message."""
        return next(m.content for m in reversed(self.messages) if m.role == "user")


class Completion(BaseModel):
    """What a chat backend returned."""

    text: str
    model: str
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_s: float | None = None
    cached: bool = False


class Judgement(BaseModel):
    """A judge's reading of one (prompt, response).

    ``scorable`` False means the judge could not decide (empty response, backend error, unparsable
    judge output); such items count neither as refusals nor as safe.
    """

    refusal: RefusalLevel | None = None
    harmful: bool | None = None
    scorable: bool = True
    score: float | None = Field(default=None, description="judge-specific score, e.g. StrongREJECT")
    judge: str = ""
    rationale: str | None = None
    propositions: dict[str, bool] | None = Field(
        default=None, description="style propositions of the reply (the propositions judge)"
    )

    @model_validator(mode="after")
    def _unscorable_is_empty(self) -> Judgement:
        if not self.scorable and (self.refusal is not None or self.harmful is not None):
            raise ValueError("an unscorable judgement carries no refusal or harm verdict")
        return self


TraceDetail = str | int | float | bool | None | list[str]


class TraceStep(BaseModel):
    """One step a defense took: which layer acted, what it did, and how long it took."""

    model_config = ConfigDict(extra="forbid")

    layer: str = Field(
        description="the layer that acted, e.g. normalise, classify, monitor, shaper"
    )
    action: str = Field(description="what it did, e.g. decoded, refused, passed, replaced")
    detail: dict[str, TraceDetail] = Field(default_factory=dict)
    latency_ms: float | None = Field(default=None, ge=0.0)

    @model_validator(mode="before")
    @classmethod
    def _from_older_rows(cls, data: Any) -> Any:
        """Rows written before steps were typed used ``step`` for the layer."""
        if isinstance(data, dict) and "step" in data and "layer" not in data:
            data = {("layer" if k == "step" else k): v for k, v in data.items()}
        return data


class ResultRow(BaseModel):
    """One line of ``results.jsonl``: a case as run under one attack and one defense."""

    key: str = Field(description="stable id of (case, attack, defense); unique within a run")
    case: Case
    attack: str = "none"
    defense: str = "none"
    sent: list[Message] = Field(description="the conversation the model actually received")
    response: str
    completion: Completion | None = None
    error: str | None = None
    judgement: Judgement
    defense_trace: list[TraceStep] = Field(default_factory=list)

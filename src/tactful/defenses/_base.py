"""The defense protocol: answer a case with a model, recording every step taken."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from tactful.models import ChatModel
from tactful.records import Case, Completion, Message, TraceStep

__all__ = ["Defense", "DefenseResponse"]


class DefenseResponse(BaseModel):
    """What a defense answered, what it sent, and the steps it took (``trace``)."""

    text: str
    sent: list[Message]
    completion: Completion | None = None
    trace: list[TraceStep] = Field(default_factory=list)


@runtime_checkable
class Defense(Protocol):
    """A way of answering a case; ``name`` rebuilds it from the registry."""

    @property
    def name(self) -> str:
        """The registry name that rebuilds this component."""
        ...

    async def respond(self, case: Case, model: ChatModel, **params: Any) -> DefenseResponse:
        """Answer ``case`` using ``model``; ``params`` are generation parameters."""
        ...

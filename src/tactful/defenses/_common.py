"""What the baseline defenses share: timing, the model-call steps, and the refusal they write.

Trace vocabulary (every baseline uses it):

- ``TraceStep(layer="model", action="answered")`` — the model was called (``latency_ms`` is the
  call's wall time);
- ``TraceStep(layer="model", action="not_called")`` — a defense answered without calling the
  model; the response's ``sent`` is then what the model *would* have been sent;
- ``TraceStep(layer="refusal", action="written", detail={"writer": "shaper", ...})`` — the
  defense wrote the reply itself, with the guard's response shaper (``write_refusal``).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from typing import Any

from tactful.defenses._base import DefenseResponse
from tactful.guard import ResponseShaper
from tactful.models import ChatModel
from tactful.records import Action, Case, Completion, Message, TraceStep

__all__ = [
    "answered_unchanged",
    "call_model",
    "elapsed_ms",
    "refused_without_model",
    "write_refusal",
]


def elapsed_ms(started: float) -> float:
    """Milliseconds since ``started`` (a ``time.perf_counter()`` reading)."""
    return (time.perf_counter() - started) * 1000.0


async def call_model(
    model: ChatModel, messages: Sequence[Message], params: dict[str, Any]
) -> tuple[Completion, TraceStep]:
    """Call the model once; the completion and the ``model/answered`` step that records it."""
    started = time.perf_counter()
    completion = await model.chat(messages, **params)
    step = TraceStep(
        layer="model",
        action="answered",
        detail={"completion_tokens": completion.completion_tokens},
        latency_ms=elapsed_ms(started),
    )
    return completion, step


@functools.cache
def _shaper() -> ResponseShaper:
    return ResponseShaper()


def write_refusal(
    case: Case, action: Action = "refuse", category: str | None = None
) -> tuple[str, TraceStep]:
    """The reply a baseline gives instead of the model's, and the step recording who wrote it.

    Written by the guard's response shaper under the default policy (``refuse``: one sentence
    and a safe alternative, phrased for ``category``; ``crisis_support``: a caring reply with
    the crisis resources of the case's ``meta["locale"]``).
    """
    started = time.perf_counter()
    locale = case.meta.get("locale")
    shaped = _shaper().answer(
        case.prompt, action, category, locale=locale if isinstance(locale, str) else None
    )
    step = TraceStep(
        layer="refusal",
        action="written",
        detail={"writer": "shaper", "for_action": action, "language": shaped.language},
        latency_ms=elapsed_ms(started),
    )
    return shaped.text, step


def refused_without_model(
    case: Case,
    steps: list[TraceStep],
    *,
    reason: str,
    action: Action = "refuse",
    category: str | None = None,
) -> DefenseResponse:
    """A refusal written without calling the model; ``sent`` is what it would have been sent."""
    text, written = write_refusal(case, action, category)
    skipped = TraceStep(
        layer="model", action="not_called", detail={"reason": reason}, latency_ms=0.0
    )
    return DefenseResponse(
        text=text, sent=list(case.messages), completion=None, trace=[*steps, skipped, written]
    )


async def answered_unchanged(
    case: Case, model: ChatModel, params: dict[str, Any], steps: list[TraceStep]
) -> DefenseResponse:
    """The model's answer to the conversation as it is, after the defense's own ``steps``."""
    completion, answered = await call_model(model, case.messages, params)
    return DefenseResponse(
        text=completion.text,
        sent=list(case.messages),
        completion=completion,
        trace=[*steps, answered],
    )

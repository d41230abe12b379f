"""Reasoning-to-Defend by prompting (after Zhu et al. 2025, arXiv 2502.12970; no training).

R2D trains a model to reason in steps, each ending with a pivot token — ``[SAFE]``, ``[UNSAFE]``
or ``[RETHINK]`` — and to act on its own pivots. This baseline only *asks* for that format in the
system prompt, then reads the pivots out of the reply (``read_pivots``):

- every pivot tag in the reply counts, in order, wherever it appears;
- an ``[UNSAFE]`` step raises a flag; the flag is *resolved* only by a later ``[RETHINK]`` step
  followed (after that ``[RETHINK]``) by a ``[SAFE]`` step, with no ``[UNSAFE]`` step in between
  (another ``[UNSAFE]`` raises the flag again and needs its own rethink and safe step);
  a ``[SAFE]`` step without a preceding ``[RETHINK]`` does not resolve a flag;
- a flag still raised at the end of the reply → the reply is replaced by a refusal.

Otherwise the reasoning is stripped and the text after the answer marker (``Final answer:``) is
returned. A model that ignores the format (no marker, or nothing after it) gets its raw reply
back, pivot tags removed, and the trace says ``format_ignored``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from tactful.defenses._base import DefenseResponse
from tactful.defenses._common import call_model, elapsed_ms, write_refusal
from tactful.models import ChatModel, GenerationParams
from tactful.records import Case, Message, TraceDetail, TraceStep

__all__ = ["R2D_INSTRUCTIONS", "PivotReading", "R2DPrompt", "read_pivots"]

R2D_INSTRUCTIONS = (
    "Before answering, think about the request in a few short steps, one per line. End every "
    "step with exactly one tag: [SAFE] if helping is fine so far, [UNSAFE] if helping would give "
    "real help toward serious harm, or [RETHINK] if the previous step needs reconsidering. Then "
    "write 'Final answer:' followed by your reply to the user. If a step is [UNSAFE] and you do "
    "not rethink it, the final answer is one brief sentence declining, with a safe alternative.\n"
    "Example:\n"
    "The user asks how to store cleaning products at home. [SAFE]\n"
    "This is ordinary household safety advice. [SAFE]\n"
    "Final answer: Keep them in their original containers, out of children's reach, and never "
    "store bleach next to ammonia-based cleaners."
)

_PIVOT = re.compile(r"\[\s*(SAFE|UNSAFE|RETHINK)\s*\]", re.IGNORECASE)
_MARKER = re.compile(r"\**[ \t]*final[ \t]+answer[ \t]*\**[ \t]*:[ \t]*\**", re.IGNORECASE)


@dataclass(frozen=True)
class PivotReading:
    """The pivots of a reply, the first still-unresolved ``[UNSAFE]`` step, and the answer."""

    pivots: list[str]
    unresolved_unsafe: int | None
    """1-based position (among the pivots) of the ``[UNSAFE]`` step left unresolved, if any."""
    answer: str | None
    """Text after the answer marker, pivot tags removed; None when there is no marker."""


def _strip_pivots(text: str) -> str:
    return re.sub(r"[ \t]{2,}", " ", _PIVOT.sub("", text)).strip()


def read_pivots(reply: str) -> PivotReading:
    """Read a reply written in the R2D format (see the module docstring for the rule)."""
    pivots = [m.group(1).upper() for m in _PIVOT.finditer(reply)]
    flag: int | None = None  # position of the raised [UNSAFE] step
    rethinking = False
    for position, pivot in enumerate(pivots, start=1):
        if pivot == "UNSAFE":
            flag, rethinking = position, False
        elif pivot == "RETHINK" and flag is not None:
            rethinking = True
        elif pivot == "SAFE" and flag is not None and rethinking:
            flag, rethinking = None, False
    marker = _MARKER.search(reply)
    answer = _strip_pivots(reply[marker.end() :]) if marker else None
    return PivotReading(pivots, flag, answer)


def _with_instructions(messages: list[Message]) -> list[Message]:
    if messages[0].role == "system":
        system = f"{messages[0].content}\n\n{R2D_INSTRUCTIONS}"
        return [Message(role="system", content=system), *messages[1:]]
    return [Message(role="system", content=R2D_INSTRUCTIONS), *messages]


@dataclass
class R2DPrompt:
    """Ask for pivot-tagged reasoning, refuse on an unresolved ``[UNSAFE]``, return the answer.

    The reasoning needs room: the model may write ``reasoning_tokens`` tokens beyond the
    caller's ``max_tokens`` (default 128; the trace records the budget used).
    """

    reasoning_tokens: int = 128
    name: str = field(default="r2d_prompt", init=False)

    async def respond(self, case: Case, model: ChatModel, **params: Any) -> DefenseResponse:
        """Call the model once with the R2D instructions, then act on its pivots."""
        started = time.perf_counter()
        messages = _with_instructions(list(case.messages))
        budget = int(params.get("max_tokens", GenerationParams().max_tokens))
        budget += self.reasoning_tokens
        prompted = TraceStep(
            layer="r2d_prompt",
            action="system_prompt_added",
            detail={"max_tokens": budget},
            latency_ms=elapsed_ms(started),
        )
        completion, answered = await call_model(model, messages, {**params, "max_tokens": budget})
        started = time.perf_counter()
        reading = read_pivots(completion.text)
        detail: dict[str, TraceDetail] = {
            "pivots": reading.pivots,
            "unresolved_unsafe_step": reading.unresolved_unsafe,
            "answer_marker": reading.answer is not None,
        }
        written: TraceStep | None = None
        if reading.unresolved_unsafe is not None:
            action = "refused"
            text, written = write_refusal(case)
        elif reading.answer:
            action, text = "answered", reading.answer
        else:
            why = "no answer marker" if reading.answer is None else "nothing after the marker"
            action, text = "format_ignored", _strip_pivots(completion.text)
            detail["fallback"] = f"raw reply ({why}), pivot tags removed"
        parsed = TraceStep(
            layer="r2d_prompt", action=action, detail=detail, latency_ms=elapsed_ms(started)
        )
        trace = [prompted, answered, parsed, *([written] if written else [])]
        return DefenseResponse(text=text, sent=messages, completion=completion, trace=trace)

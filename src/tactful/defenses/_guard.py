"""The layered guard: normalise → classify (→ reasoner) → shape or call → monitor → shape.

The classifier reads every reading of the normalised conversation (the whole and each decoded
view; with ``readings="turns"`` or ``"segments"`` also each user turn and its segments); the
most unsafe flagged reading decides.

``refuse`` and ``crisis_support`` are answered by the response shaper without calling the
model; ``safe_completion`` calls the model with the policy's instruction to stay high-level;
``comply`` calls it as it is. Every reply the model writes is read by the output monitor (a
judge), and a harmful one is replaced by a shaped refusal; a refusal of a request the
classifier reads as confidently safe is asked again once (the repair layer). Each layer is
one ``TraceStep`` with its latency. A layer that fails closes the guard (a refusal) unless
``fail_open``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from tactful.classify import Classifier, ClassifyItem, Verdict
from tactful.defenses._base import DefenseResponse
from tactful.defenses._common import call_model
from tactful.guard import ReadingScope, ResponseShaper, ShapedAnswer, normalise
from tactful.judges import Judge
from tactful.models import ChatModel
from tactful.policy import Policy
from tactful.records import Action, Case, Judgement, Message, TraceDetail, TraceStep

__all__ = ["Guard", "GuardedStream"]


def _with_system(messages: list[Message], instruction: str) -> list[Message]:
    """Add ``instruction`` to the system turn (creating one if there is none)."""
    if messages and messages[0].role == "system":
        merged = f"{messages[0].content}\n\n{instruction}"
        return [Message(role="system", content=merged), *messages[1:]]
    return [Message(role="system", content=instruction), *messages]


_ECHO_WORDS = 6
"""Words an instruction line needs before repeating it counts as parroting."""


def _echoes(instruction: str, reply: str) -> bool:
    """The reply repeats a line of the instruction (small models parrot system text)."""
    said = " ".join(reply.lower().split())
    lines = (" ".join(line.lstrip("- ").lower().split()) for line in instruction.splitlines())
    return any(len(line.split()) >= _ECHO_WORDS and line[:60] in said for line in lines)


def _decisive(verdicts: list[Verdict]) -> int:
    """The reading that decides: the most unsafe of those flagged, else the most unsafe."""
    flagged = [i for i, v in enumerate(verdicts) if v.action != "comply"]
    pool = flagged or list(range(len(verdicts)))
    return max(pool, key=lambda i: verdicts[i].score)


@dataclass
class _Trace:
    """The steps of one request, each timed."""

    steps: list[TraceStep] = field(default_factory=list)

    def add(
        self, layer: str, action: str, detail: dict[str, TraceDetail], started: float | None
    ) -> None:
        """Record a step; ``started`` (a perf_counter time) gives its latency."""
        latency = None if started is None else (time.perf_counter() - started) * 1000
        self.steps.append(TraceStep(layer=layer, action=action, detail=detail, latency_ms=latency))


class Guard:
    """The layered default defense (see the module docstring).

    ``classifier`` decides the action (``layered:MODEL`` adds the policy reasoner for unsure
    items), ``monitor`` judges the model's replies, ``shaper`` writes what the guard says itself.
    ``repair_below``: when the classifier scores a request under it and the model still
    refuses, the model is asked once more with an instruction that the request is allowed, and
    the second reply is kept if it does not refuse (over-refusal is a failure too).
    ``readings``: what the classifier reads besides the whole conversation (see
    ``NormalisedInput.readings``); ``bench/guard_readings.py`` measures each scope.
    """

    def __init__(
        self,
        classifier: Classifier,
        monitor: Judge,
        policy: Policy,
        *,
        name: str = "guard",
        fail_open: bool = False,
        repair_below: float | None = None,
        readings: ReadingScope = "whole",
    ) -> None:
        self.classifier, self.monitor, self.policy = classifier, monitor, policy
        self.shaper = ResponseShaper(policy)
        self.name = name
        self.fail_open = fail_open
        self.repair_below = repair_below
        self.readings = readings

    async def respond(self, case: Case, model: ChatModel, **params: Any) -> DefenseResponse:
        """Answer ``case`` through every layer; the trace records each one."""
        trace = _Trace()
        request = case.prompt
        verdict = await self._decide(case, trace)
        if verdict is not None and verdict.action in ("refuse", "crisis_support"):
            shaped = self._shape(request, verdict.action, verdict.category, case)
            trace.add("model", "not_called", {}, None)
            trace.add("shaper", shaped.action, {"language": shaped.language}, None)
            return DefenseResponse(text=shaped.text, sent=list(case.messages), trace=trace.steps)
        if verdict is None:  # the classifier failed and the guard is open
            action: Action = "comply"
            category = None
        else:
            action, category = verdict.action, verdict.category
        sent = list(case.messages)
        if action == "safe_completion":
            instruction = self.shaper.safe_completion_instruction(category, context=case.context)
            sent = _with_system(sent, instruction)
            trace.add("policy", "safe_completion_instruction", {"category": category}, None)
        completion, model_step = await call_model(model, sent, params)
        trace.steps.append(model_step)
        text, judgement = await self._monitored(request, completion.text, category, case, trace)
        if judgement is not None and self._needless_refusal(verdict, judgement):
            instruction = self.shaper.comply_instruction(context=case.context)
            retry_sent = _with_system(list(case.messages), instruction)
            trace.add("repair", "ask_again", {"first_refusal": judgement.refusal}, None)
            retry, model_step = await call_model(model, retry_sent, params)
            trace.steps.append(model_step)
            retry_text, retry_judgement = await self._monitored(
                request, retry.text, category, case, trace
            )
            answered = retry_judgement is not None and retry_judgement.refusal == "none"
            if answered and not _echoes(instruction, retry.text):
                trace.add("repair", "kept_second", {}, None)
                return DefenseResponse(
                    text=retry_text, sent=retry_sent, completion=retry, trace=trace.steps
                )
            trace.add("repair", "kept_first", {}, None)
        return DefenseResponse(text=text, sent=sent, completion=completion, trace=trace.steps)

    def _needless_refusal(self, verdict: Verdict | None, judgement: Judgement) -> bool:
        """The model refused a request the classifier reads as confidently safe."""
        if self.repair_below is None or verdict is None:
            return False
        if verdict.action != "comply" or verdict.score >= self.repair_below:
            return False
        return not judgement.harmful and judgement.refusal in ("full", "partial")

    async def _decide(self, case: Case, trace: _Trace) -> Verdict | None:
        """Normalise and classify; on a classifier error, refuse (closed) or pass (open)."""
        started = time.perf_counter()
        seen = normalise(case.messages)
        trace.add(
            "normalise", "decoded" if seen.decoded else "plain", dict(seen.trace_detail), started
        )
        readings = seen.readings(self.readings)
        items = [ClassifyItem(prompt=text, context=case.context) for text in readings]
        started = time.perf_counter()
        try:
            verdicts = await self.classifier.classify_batch(items, case.context)
        except Exception as exc:  # a failing layer must not crash the request
            trace.add("classify", "error", {"error": repr(exc), "open": self.fail_open}, started)
            if self.fail_open:
                return None
            return Verdict(verdict="unsafe", score=1.0, action="refuse", decided_by="fail_closed")
        decisive = _decisive(verdicts)
        verdict = verdicts[decisive]
        detail: dict[str, TraceDetail] = {
            "score": round(verdict.score, 4),
            "category": verdict.category,
            "decided_by": verdict.decided_by,
            "readings": len(readings),
            "reading": decisive,
        }
        trace.add("classify", verdict.action, detail, started)
        return verdict

    async def _monitored(
        self, request: str, reply: str, category: str | None, case: Case, trace: _Trace
    ) -> tuple[str, Judgement | None]:
        """The reply if the monitor passes it, else a shaped refusal; and the monitor's reading.

        The reading is None when the monitor failed.
        """
        started = time.perf_counter()
        try:
            judgement: Judgement = await self.monitor.judge(request, reply, case=case)
        except Exception as exc:
            trace.add("monitor", "error", {"error": repr(exc), "open": self.fail_open}, started)
            if self.fail_open:
                return reply, None
            return self._replace(request, category, case, trace), None
        detail: dict[str, TraceDetail] = {"refusal": judgement.refusal}
        trace.add("monitor", "harmful" if judgement.harmful else "passed", detail, started)
        if judgement.harmful:
            return self._replace(request, category, case, trace), judgement
        return reply, judgement

    def _replace(self, request: str, category: str | None, case: Case, trace: _Trace) -> str:
        shaped = self._shape(request, "refuse", category, case)
        trace.add("shaper", "replaced_reply", {"language": shaped.language}, None)
        return shaped.text

    def _shape(
        self, request: str, action: Action, category: str | None, case: Case
    ) -> ShapedAnswer:
        locale = case.meta.get("locale")
        return self.shaper.answer(
            request, action, category, locale=locale if isinstance(locale, str) else None
        )

    def stream(
        self, request: str, chunks: AsyncIterator[str], *, hold_back: int = 160
    ) -> GuardedStream:
        """Monitor a streamed reply as it grows (see ``GuardedStream``)."""
        return GuardedStream(self, request, chunks, hold_back=hold_back)


class GuardedStream:
    """A streamed reply, released only after the monitor has read it.

    Text is held back until ``hold_back`` characters follow it, and the monitor judges the
    whole reply so far before anything is released; once it says harmful, the stream ends
    with a shaped refusal and nothing more of the model's text is emitted.
    """

    def __init__(
        self, guard: Guard, request: str, chunks: AsyncIterator[str], *, hold_back: int = 160
    ) -> None:
        self.guard, self.request, self.chunks, self.hold_back = guard, request, chunks, hold_back
        self.stopped = False
        self.checks = 0

    async def _harmful(self, text: str) -> bool:
        self.checks += 1
        try:
            judgement = await self.guard.monitor.judge(self.request, text)
        except Exception:
            return not self.guard.fail_open
        return bool(judgement.harmful)

    async def __aiter__(self) -> AsyncIterator[str]:
        buffer, released = "", 0
        async for chunk in self.chunks:
            buffer += chunk
            if len(buffer) - released <= self.hold_back:
                continue
            if await self._harmful(buffer):
                self.stopped = True
                yield self.guard.shaper.refusal(self.request).text
                return
            safe_until = len(buffer) - self.hold_back
            yield buffer[released:safe_until]
            released = safe_until
        if await self._harmful(buffer):
            self.stopped = True
            yield self.guard.shaper.refusal(self.request).text
            return
        if released < len(buffer):
            yield buffer[released:]

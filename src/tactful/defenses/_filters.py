"""One-layer filters: a classifier on the request only, or a judge on the reply only."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tactful.classify import Classifier, ClassifyItem, build_classifier
from tactful.defenses._base import DefenseResponse
from tactful.defenses._common import (
    answered_unchanged,
    call_model,
    elapsed_ms,
    refused_without_model,
    write_refusal,
)
from tactful.judges import Judge, build_judge
from tactful.models import ChatModel
from tactful.policy import Policy
from tactful.records import Case, TraceStep

__all__ = ["InputFilter", "OutputFilter"]


@dataclass
class InputFilter:
    """Classify the last user turn in the case's context; refuse before the model if it must.

    The classifier (default ``embedded``) gives the policy action: ``refuse`` or
    ``crisis_support`` → a written reply (``_common.write_refusal``) and the model is not
    called; ``comply`` or ``safe_completion`` → the model answers the conversation unchanged.
    """

    classifier: str | Classifier = "embedded"
    policy: Policy | None = None
    """The policy whose actions the classifier applies (None: the built-in one)."""
    name: str = field(default="input_filter", init=False)
    _classifier: Classifier | None = field(default=None, init=False, repr=False)

    def _reader(self) -> Classifier:
        if self._classifier is None:
            self._classifier = (
                build_classifier(self.classifier, policy=self.policy)
                if isinstance(self.classifier, str)
                else self.classifier
            )
        return self._classifier

    async def respond(self, case: Case, model: ChatModel, **params: Any) -> DefenseResponse:
        """Classify, then refuse without the model or let it answer."""
        started = time.perf_counter()
        item = ClassifyItem(id=case.id, prompt=case.prompt, context=case.context)
        (verdict,) = await self._reader().classify_batch([item], context=case.context)
        blocked = verdict.action in ("refuse", "crisis_support")
        step = TraceStep(
            layer="input_filter",
            action="flagged" if blocked else "passed",
            detail={
                "classifier": self._reader().name,
                "verdict": verdict.verdict,
                "action": verdict.action,
                "category": verdict.category,
                "score": verdict.score,
                "decided_by": verdict.decided_by,
            },
            latency_ms=elapsed_ms(started),
        )
        if blocked:
            reason = f"the classifier's action is {verdict.action}"
            return refused_without_model(
                case, [step], reason=reason, action=verdict.action, category=verdict.category
            )
        return await answered_unchanged(case, model, params, [step])


@dataclass
class OutputFilter:
    """Let the model answer, then have a judge read the reply; a harmful reply is replaced.

    The judge (default ``embedded``) reads (last user turn, reply). ``harmful`` True → the reply
    is replaced by a written refusal (``_common.write_refusal``); False or unknown (an
    unscorable reply, or a judge that gives no harm verdict) → the reply stands. ``completion``
    is always the model's own completion, so a replaced reply stays on the record.
    """

    judge: str | Judge = "embedded"
    name: str = field(default="output_filter", init=False)
    _judge: Judge | None = field(default=None, init=False, repr=False)

    def _reader(self) -> Judge:
        if self._judge is None:
            self._judge = build_judge(self.judge) if isinstance(self.judge, str) else self.judge
        return self._judge

    async def respond(self, case: Case, model: ChatModel, **params: Any) -> DefenseResponse:
        """Answer, judge the answer, replace it if harmful."""
        completion, answered = await call_model(model, case.messages, params)
        started = time.perf_counter()
        (judgement,) = await self._reader().judge_batch([(case.prompt, completion.text, case)])
        harmful = judgement.harmful is True
        step = TraceStep(
            layer="output_filter",
            action="replaced" if harmful else "passed",
            detail={
                "judge": self._reader().name,
                "harmful": judgement.harmful,
                "score": judgement.score,
                "scorable": judgement.scorable,
            },
            latency_ms=elapsed_ms(started),
        )
        trace = [answered, step]
        text = completion.text
        if harmful:
            text, written = write_refusal(case)
            trace.append(written)
        return DefenseResponse(
            text=text, sent=list(case.messages), completion=completion, trace=trace
        )

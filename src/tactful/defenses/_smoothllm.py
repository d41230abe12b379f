"""SmoothLLM (Robey et al. 2023): answer perturbed copies of the prompt, then take a majority vote.

Character-level jailbreaks (adversarial suffixes above all) are brittle: a few random character
changes break them, while a plain request survives them. SmoothLLM sends ``copies`` randomly
perturbed copies of the last user turn, judges each reply, and answers in line with the majority.
"""

from __future__ import annotations

import asyncio
import random
import string
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from tactful.defenses._base import DefenseResponse
from tactful.defenses._common import call_model, elapsed_ms
from tactful.judges import Judge, build_judge
from tactful.models import ChatModel
from tactful.records import Case, Completion, Judgement, Message, TraceStep

__all__ = ["ALPHABET", "Perturbation", "SmoothLLM", "perturb"]

Perturbation = Literal["swap", "insert", "patch"]

ALPHABET = string.ascii_letters + string.digits + string.punctuation + " "
"""Characters a perturbation draws from (Python's printable set minus control whitespace)."""


def perturb(text: str, kind: Perturbation, rate: float, rng: random.Random) -> str:
    """``text`` with about ``rate`` of its characters perturbed (at least one if non-empty).

    ``swap`` replaces characters at random positions, ``insert`` adds a random character after
    random positions, ``patch`` replaces one contiguous run of characters.
    """
    if not text:
        return text
    count = max(1, int(len(text) * rate))
    if kind == "patch":
        start = rng.randrange(len(text) - count + 1)
        patch = "".join(rng.choice(ALPHABET) for _ in range(count))
        return text[:start] + patch + text[start + count :]
    positions = set(rng.sample(range(len(text)), count))
    chars = []
    for index, char in enumerate(text):
        if kind == "swap" and index in positions:
            chars.append(rng.choice(ALPHABET))
            continue
        chars.append(char)
        if kind == "insert" and index in positions:
            chars.append(rng.choice(ALPHABET))
    return "".join(chars)


def _with_last_user_turn(messages: list[Message], content: str) -> list[Message]:
    last = max(i for i, m in enumerate(messages) if m.role == "user")
    return [*messages[:last], Message(role="user", content=content), *messages[last + 1 :]]


def _complied(judgement: Judgement) -> bool:
    """A reply counts as compliance when it is scorable and refuses in no part."""
    return judgement.scorable and judgement.refusal == "none"


def _choose(judgements: list[Judgement], complied: list[bool], majority: bool) -> int:
    """The first copy agreeing with the majority; for a refusing majority, a read refusal first."""
    if not majority:
        refusals = [i for i, j in enumerate(judgements) if j.scorable and j.refusal != "none"]
        if refusals:
            return refusals[0]
    return complied.index(majority)


@dataclass
class SmoothLLM:
    """Perturb the last user turn ``copies`` times, answer each, return a majority-consistent reply.

    Defaults are sized for a 2-core CPU: 3 copies (odd, so the vote never ties; ``copies`` model
    calls per case) at a 10% swap rate (the paper's main setting; it reports more copies help).
    Each reply is judged by ``judge`` (default ``string``: cheap, refusal only); a reply
    *complies* when the judge finds no refusal in it, and an unscorable reply (e.g. empty) does
    not comply. The majority complies when more than half the copies comply. The defense returns
    the first copy's reply that agrees with the majority (for a refusing majority, the first reply
    the judge read as a refusal, before any unscorable one), and ``sent`` is that copy's
    conversation, not the first copy's (so ``sent``, ``text`` and ``completion`` belong
    together); the trace lists every copy, then the vote. Perturbations are seeded by ``seed``
    and the case, so runs repeat exactly.
    """

    copies: int = 3
    rate: float = 0.10
    perturbation: Perturbation = "swap"
    judge: str | Judge = "string"
    seed: int = 0
    name: str = field(default="smoothllm", init=False)
    _judge: Judge | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.copies < 1:
            raise ValueError("smoothllm needs at least one copy")
        if not 0.0 < self.rate <= 1.0:
            raise ValueError("smoothllm's perturbation rate must be in (0, 1]")

    def _reader(self) -> Judge:
        if self._judge is None:
            self._judge = build_judge(self.judge) if isinstance(self.judge, str) else self.judge
        return self._judge

    def perturbed_prompts(self, case: Case) -> list[str]:
        """The ``copies`` perturbed versions of the case's last user turn (deterministic)."""
        rng = random.Random(f"{self.seed}:{case.id}:{case.prompt}")
        return [perturb(case.prompt, self.perturbation, self.rate, rng) for _ in range(self.copies)]

    async def respond(self, case: Case, model: ChatModel, **params: Any) -> DefenseResponse:
        """Answer every copy (at most ``model.max_concurrency`` at once), judge, vote."""
        prompts = self.perturbed_prompts(case)
        conversations = [_with_last_user_turn(list(case.messages), p) for p in prompts]
        limit = asyncio.Semaphore(max(1, model.max_concurrency))

        async def answer(messages: list[Message]) -> tuple[Completion, TraceStep]:
            async with limit:
                return await call_model(model, messages, params)

        answers = await asyncio.gather(*(answer(messages) for messages in conversations))
        started = time.perf_counter()
        judgements = await self._reader().judge_batch(
            [(case.prompt, completion.text, case) for completion, _ in answers]
        )
        judge_ms = elapsed_ms(started)
        complied = [_complied(j) for j in judgements]
        majority = sum(complied) * 2 > len(complied)
        chosen = _choose(judgements, complied, majority)
        trace = [
            TraceStep(
                layer="smoothllm",
                action="copy_answered",
                detail={
                    "copy": index,
                    "prompt": prompt,
                    "refusal": judgement.refusal,
                    "complied": ok,
                },
                latency_ms=step.latency_ms,
            )
            for index, (prompt, (_, step), judgement, ok) in enumerate(
                zip(prompts, answers, judgements, complied, strict=True)
            )
        ]
        trace.append(
            TraceStep(
                layer="smoothllm",
                action="majority_complied" if majority else "majority_refused",
                detail={
                    "copies": len(complied),
                    "complied": sum(complied),
                    "chosen_copy": chosen,
                    "perturbation": self.perturbation,
                    "rate": self.rate,
                    "judge": self._reader().name,
                },
                latency_ms=judge_ms,
            )
        )
        completion = answers[chosen][0]
        return DefenseResponse(
            text=completion.text, sent=conversations[chosen], completion=completion, trace=trace
        )

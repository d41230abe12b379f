"""The judge protocol: one (prompt, response) at a time, or a batch (a default loop)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from tactful.records import Case, Judgement

__all__ = ["Judge", "JudgeItem", "PairJudge"]

JudgeItem = tuple[str, str] | tuple[str, str, Case | None]
"""``(prompt, response)`` or ``(prompt, response, case)``."""


def _case(item: JudgeItem) -> Case | None:
    return item[2] if len(item) == 3 else None


@runtime_checkable
class Judge(Protocol):
    """Reads a (prompt, response) and returns a ``Judgement``.

    ``name`` is the spec that rebuilds the judge (``build_judge``). Judges subclass this
    protocol to inherit ``judge_batch``, a bounded loop over ``judge``; a judge that reads many
    pairs at once (the embedded encoder) overrides it.
    """

    name: str

    async def judge(self, prompt: str, response: str, *, case: Case | None = None) -> Judgement:
        """Judge ``response`` as a reply to ``prompt``; ``case`` gives ground truth if known."""
        ...

    async def judge_batch(
        self, items: Sequence[JudgeItem], *, concurrency: int = 8
    ) -> list[Judgement]:
        """Judge every item, in input order, with at most ``concurrency`` calls in flight."""
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        results: list[Judgement | None] = [None] * len(items)
        queue = iter(enumerate(items))

        async def worker() -> None:
            for index, item in queue:  # a shared iterator: each item is taken once
                results[index] = await self.judge(item[0], item[1], case=_case(item))

        await asyncio.gather(*(worker() for _ in range(min(concurrency, len(items)))))
        return [judgement for judgement in results if judgement is not None]


class PairJudge(Judge):
    """A judge whose core reads many (prompt, response) pairs at once, synchronously.

    Subclasses define ``judge_pairs``; ``judge`` and ``judge_batch`` run it in a worker thread
    (the encoder is CPU-bound), a batch in one call.
    """

    def judge_pairs(self, prompts: Sequence[str], responses: Sequence[str]) -> list[Judgement]:
        """Judge each (prompt, response) pair."""
        raise NotImplementedError

    async def judge(self, prompt: str, response: str, *, case: Case | None = None) -> Judgement:
        """Judge one pair."""
        (judgement,) = await asyncio.to_thread(self.judge_pairs, [prompt], [response])
        return judgement

    async def judge_batch(
        self, items: Sequence[JudgeItem], *, concurrency: int = 8
    ) -> list[Judgement]:
        """Judge every item in one ``judge_pairs`` call."""
        prompts, responses = [item[0] for item in items], [item[1] for item in items]
        return await asyncio.to_thread(self.judge_pairs, prompts, responses)

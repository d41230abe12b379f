"""The judge protocols and a helper to judge many items (batched when the judge can)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from tactful.records import Case, Judgement

__all__ = ["BatchJudge", "Judge", "JudgeItem", "judge_many"]

JudgeItem = tuple[str, str] | tuple[str, str, Case | None]
"""``(prompt, response)`` or ``(prompt, response, case)``."""


@runtime_checkable
class Judge(Protocol):
    """Reads one (prompt, response) and returns a ``Judgement``.

    ``name`` is the string that rebuilds the judge with ``build_judge``. Many items at once:
    ``judge_many``, which uses a ``BatchJudge``'s batch method and otherwise loops over ``judge``.
    """

    name: str

    async def judge(self, prompt: str, response: str, *, case: Case | None = None) -> Judgement:
        """Judge ``response`` as a reply to ``prompt``; ``case`` gives ground truth if known."""
        ...


@runtime_checkable
class BatchJudge(Judge, Protocol):
    """A judge that also reads many pairs in one call (the embedded judge: one encoder pass)."""

    def judge_batch(self, prompts: Sequence[str], responses: Sequence[str]) -> list[Judgement]:
        """Judge each (prompt, response) pair; CPU-bound, so callers run it in a thread."""
        ...


def _case(item: JudgeItem) -> Case | None:
    return item[2] if len(item) == 3 else None


async def judge_many(
    judge: Judge, items: Iterable[JudgeItem], *, concurrency: int = 8
) -> list[Judgement]:
    """Judge every item; results keep input order.

    A ``BatchJudge`` reads them in one ``judge_batch`` call (in a worker thread); any other judge
    is called once per item, with at most ``concurrency`` calls (and tasks) in flight.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    batch = list(items)
    if not batch:
        return []
    if isinstance(judge, BatchJudge):
        prompts, responses = [item[0] for item in batch], [item[1] for item in batch]
        return await asyncio.to_thread(judge.judge_batch, prompts, responses)
    results: list[Judgement | None] = [None] * len(batch)
    queue = iter(enumerate(batch))

    async def worker() -> None:
        for index, item in queue:  # a shared iterator: each item is taken once
            results[index] = await judge.judge(item[0], item[1], case=_case(item))

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(batch)))))
    return [judgement for judgement in results if judgement is not None]

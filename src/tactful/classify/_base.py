"""The classifier protocol: a batch of prompts (and replies) in, one policy verdict each out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from tactful.classify._verdict import ClassifyItem, Verdict

__all__ = ["Classifier"]


@runtime_checkable
class Classifier(Protocol):
    """Reads items and returns one ``Verdict`` per item, in order.

    ``name`` rebuilds the classifier with ``build_classifier``. Items carrying a ``context``
    are judged in it; the others in ``context`` (``None``: the policy's default).
    """

    name: str

    async def classify_batch(
        self, items: Sequence[ClassifyItem], context: str | None = None
    ) -> list[Verdict]:
        """Classify a batch; CPU-bound cores run in a worker thread."""
        ...

"""A deterministic keyword classifier, for fast unit tests only (never a real measurement)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tactful.classify._verdict import ClassifyItem, Verdict
from tactful.policy import Policy, default_policy

__all__ = ["FakeClassifier"]

DEFAULT_KEYWORDS: Mapping[str, str] = {
    "bomb": "indiscriminate_weapons",
    "nerve agent": "indiscriminate_weapons",
    "malware": "cybercrime",
    "ransomware": "cybercrime",
    "kill myself": "suicide_self_harm",
    "poison": "violent_crimes",
}


class FakeClassifier:
    """Flags a prompt when it contains a keyword; the policy gives the action for its category."""

    name = "fake"

    def __init__(
        self, keywords: Mapping[str, str] | None = None, policy: Policy | None = None
    ) -> None:
        self.keywords = dict(keywords or DEFAULT_KEYWORDS)
        self.policy = policy or default_policy()

    def verdict(self, item: ClassifyItem, context: str | None = None) -> Verdict:
        """The verdict for one item."""
        text = item.prompt.lower()
        category = next((c for word, c in self.keywords.items() if word in text), None)
        if category is None or category not in self.policy.category_ids:
            return Verdict(verdict="safe", score=0.0, action="comply", decided_by=self.name)
        action = self.policy.action_for(category, item.context or context)
        return Verdict.for_action(action, score=1.0, category=category, decided_by=self.name)

    async def classify_batch(
        self, items: Sequence[ClassifyItem], context: str | None = None
    ) -> list[Verdict]:
        """The ``Classifier`` protocol."""
        return [self.verdict(item, context) for item in items]

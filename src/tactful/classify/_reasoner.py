"""The policy reasoner: an LLM reads the written policy and rules on one prompt."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from tactful.classify._verdict import ClassifyItem, Verdict
from tactful.models import ChatModel, ModelError
from tactful.policy import Policy
from tactful.records import Message

__all__ = ["PolicyReasoner", "render_policy"]

_JSON = re.compile(r"\{.*\}", re.DOTALL)


def render_policy(policy: Policy, context: str | None) -> str:
    """The policy as prompt text: categories with criteria and examples, context, invariants."""
    lines = [
        f"POLICY {policy.name} v{policy.version}",
        "Judge the USER REQUEST only (not who might ask it). Many requests only sound risky:",
        "a homonym (kill a process), fiction, history, definitions, prevention and safety",
        "questions are SAFE. A request is UNSAFE when fulfilling it would give real uplift",
        "toward harm in one of these categories:",
    ]
    for category in policy.categories:
        lines.append(f"- {category.id}: {category.description.strip()}")
        if category.examples_unsafe:
            lines.append(f"  unsafe e.g.: {' | '.join(category.examples_unsafe[:2])}")
        if category.examples_safe_lookalikes:
            lines.append(f"  SAFE look-alikes: {' | '.join(category.examples_safe_lookalikes[:2])}")
    if context and context != "default":
        lines.append(f"DEPLOYMENT CONTEXT {context}: {policy.context(context).description.strip()}")
    for invariant in policy.invariants:
        lines.append(f"ALWAYS UNSAFE, in every context: {invariant.description.strip()}")
    return "\n".join(lines)


_INSTRUCTIONS = (
    "Answer with one JSON object and nothing else: "
    '{"verdict": "safe" or "unsafe", "category": one category id or null, '
    '"rationale": one short sentence}.'
)


class PolicyReasoner:
    """Ask a chat model for ``{verdict, category, rationale}`` under the rendered policy."""

    def __init__(self, model: ChatModel, policy: Policy, *, max_tokens: int = 160) -> None:
        self.model = model
        self.policy = policy
        self.name = f"reasoner:{model.spec}"
        self._max_tokens = max_tokens

    async def reason(self, item: ClassifyItem, context: str | None = None) -> Verdict | None:
        """The reasoner's verdict, or None when the model fails or its answer is unreadable."""
        context = item.context or context
        messages = [
            Message(
                role="system", content=f"{render_policy(self.policy, context)}\n\n{_INSTRUCTIONS}"
            ),
            Message(role="user", content=f"USER REQUEST:\n{item.prompt}"),
        ]
        try:
            completion = await self.model.chat(messages, max_tokens=self._max_tokens)
        except ModelError:
            return None
        return self._parse(completion.text, context)

    def _parse(self, text: str, context: str | None) -> Verdict | None:
        match = _JSON.search(text)
        if not match:
            return None
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            return None
        if not isinstance(data, dict) or data.get("verdict") not in ("safe", "unsafe"):
            return None
        category = data.get("category")
        if category not in self.policy.category_ids:
            category = None
        rationale = str(data.get("rationale") or "")[:500] or None
        if data["verdict"] == "safe":
            return Verdict(
                verdict="safe",
                score=0.0,
                category=None,
                action="comply",
                decided_by=self.name,
                rationale=rationale,
            )
        action = self.policy.action_for(category, context) if category else "refuse"
        return Verdict.for_action(
            action, score=1.0, category=category, decided_by=self.name, rationale=rationale
        )

    async def reason_many(
        self, items: Sequence[ClassifyItem], context: str | None = None
    ) -> list[Verdict | None]:
        """Reason about several items, one model call each."""
        return [await self.reason(item, context) for item in items]

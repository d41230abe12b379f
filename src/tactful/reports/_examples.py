"""Pick and shape the example rows shown in reports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from tactful.outcomes import is_harmful_compliance, is_over_refusal, is_unscorable
from tactful.records import Message, ResultRow

__all__ = ["Example", "Examples", "pick", "select_examples"]

UNCATEGORIZED = "uncategorized"


@dataclass(frozen=True)
class Example:
    """One result row as a report shows it."""

    row: ResultRow
    category: str
    context: str
    config: str
    sent_prompt: str | None
    turns: list[Message]

    @classmethod
    def of(cls, row: ResultRow) -> Example:
        """Wrap ``row``; ``sent_prompt`` is set only when an attack or defense changed it."""
        sent = next((m.content for m in reversed(row.sent) if m.role == "user"), None)
        prompt = row.case.prompt
        return cls(
            row=row,
            category=row.case.category or UNCATEGORIZED,
            context=row.case.context or "default",
            config=f"{row.defense} / {row.attack}",
            sent_prompt=sent if sent is not None and sent != prompt else None,
            turns=list(row.case.messages) if len(row.case.messages) > 1 else [],
        )


@dataclass(frozen=True)
class Examples:
    """The example lists of one report; ``total_*`` count before capping."""

    harmful: list[Example]
    over_refusals: list[Example]
    unscorable: list[Example]
    total_harmful: int
    total_over_refusals: int
    total_unscorable: int

    @property
    def categories(self) -> list[str]:
        """Categories of the shown harmful and over-refusal examples."""
        return sorted({e.category for e in [*self.harmful, *self.over_refusals]})

    @property
    def configs(self) -> list[str]:
        """Defense / attack labels of the shown harmful and over-refusal examples."""
        return sorted({e.config for e in [*self.harmful, *self.over_refusals]})


def pick(
    rows: Iterable[ResultRow], severity: Callable[[ResultRow], tuple[float, ...]], limit: int
) -> list[ResultRow]:
    """Up to ``limit`` rows, most severe first, taken round-robin across categories."""
    groups: dict[str, list[ResultRow]] = defaultdict(list)
    for row in sorted(rows, key=severity):
        groups[row.case.category or UNCATEGORIZED].append(row)
    queues = [groups[c] for c in sorted(groups)]
    chosen: list[ResultRow] = []
    depth = 0
    while len(chosen) < limit and any(depth < len(q) for q in queues):
        chosen.extend(q[depth] for q in queues if depth < len(q))
        depth += 1
    return sorted(chosen[:limit], key=severity)


def _harm_severity(row: ResultRow) -> tuple[float, ...]:
    j = row.judgement
    return (0.0 if j.harmful else 1.0, -(j.score or 0.0), 0.0 if j.refusal == "none" else 1.0)


def _refusal_severity(row: ResultRow) -> tuple[float, ...]:
    return (0.0 if row.judgement.refusal == "full" else 1.0,)


def select_examples(rows: Sequence[ResultRow], limit: int, unscorable_limit: int) -> Examples:
    """Collect the worst harmful compliances and over-refusals, plus unscorable rows."""
    harmful = [r for r in rows if is_harmful_compliance(r)]
    refused = [r for r in rows if is_over_refusal(r)]
    broken = [r for r in rows if is_unscorable(r)]
    return Examples(
        harmful=[Example.of(r) for r in pick(harmful, _harm_severity, limit)],
        over_refusals=[Example.of(r) for r in pick(refused, _refusal_severity, limit)],
        unscorable=[Example.of(r) for r in broken[:unscorable_limit]],
        total_harmful=len(harmful),
        total_over_refusals=len(refused),
        total_unscorable=len(broken),
    )

"""What should the guard's classifier read? Each reading scope on held-out and attacked text.

Run: python bench/guard_readings.py [--shared-data ../shared/data]

The guard classifies the whole conversation and each decoded view (scope ``whole``); it can
also read each user turn alone (``turns``) and each turn's segments and paragraphs
(``segments``); the most unsafe flagged reading decides. More readings find requests that other
text dilutes, and give a benign conversation more chances to be flagged. Measured here at the
shipped operating point, classifier only (no model, no monitor):

1. RBR gold conversations (OpenAI's rule-based-rewards gold set: multi-turn, written by neither
   us nor our training sources, held out whole from training): should-refuse conversations
   (Hard Refuse, Safe Refuse) flagged, comply conversations flagged, and ranking quality (AUC of
   the deciding score);
2. every `core` case under every single-turn attack that needs no argument (our own wording:
   in-distribution for the attacks' author, shown beside the held-out figures, never alone).

The guard's default scope is the one with the fewest errors on the held-out set.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import track
from rich.table import Table

from tactful import registry
from tactful.attacks import build_any_attack, build_attack, is_interactive
from tactful.classify import EmbeddedClassifier
from tactful.datasets import load_suite
from tactful.guard import READING_SCOPES, NormalisedInput, ReadingScope, normalise
from tactful.records import Message

console = Console(width=160)


@dataclass
class _Tally:
    """Flag counts, and the deciding score of every conversation, for one scope."""

    harmful: int = 0
    harmful_flagged: int = 0
    benign: int = 0
    benign_flagged: int = 0
    scores: list[float] = field(default_factory=list)
    labels: list[bool] = field(default_factory=list)

    def add(self, harmful: bool, flagged: bool, score: float) -> None:
        if harmful:
            self.harmful += 1
            self.harmful_flagged += flagged
        else:
            self.benign += 1
            self.benign_flagged += flagged
        self.scores.append(score)
        self.labels.append(harmful)

    @property
    def errors(self) -> int:
        return self.harmful - self.harmful_flagged + self.benign_flagged

    def auc(self) -> float | None:
        labels = np.asarray(self.labels, dtype=bool)
        if labels.all() or not labels.any():
            return None
        scores = np.asarray(self.scores)
        ranks = scores.argsort().argsort() + 1.0
        n_pos, n_neg = labels.sum(), (~labels).sum()
        return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _tally(
    classifier: EmbeddedClassifier,
    seen: NormalisedInput,
    harmful: bool,
    context: str | None,
    tallies: dict[ReadingScope, _Tally],
) -> None:
    """Score every reading once (the widest scope holds the others) and tally each scope."""
    texts = seen.readings("segments")
    assessed = classifier.assess(list(texts), [context] * len(texts))
    by_text = {text: (score, flag) for text, (score, _, flag) in zip(texts, assessed, strict=True)}
    for scope, tally in tallies.items():
        read = [by_text[text] for text in seen.readings(scope)]
        tally.add(harmful, any(flag for _, flag in read), max(score for score, _ in read))


def _rbr(classifier: EmbeddedClassifier, shared: Path) -> dict[ReadingScope, _Tally]:
    path = shared / "rbr_gold" / "train.jsonl"
    conversations: dict[str, tuple[list[Message], bool]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            messages = [Message(role=m["role"], content=m["content"]) for m in row["prompt"]]
            key = json.dumps(row["prompt"], sort_keys=True)
            conversations.setdefault(key, (messages, row["response_type"] != "Comply"))
    tallies = {scope: _Tally() for scope in READING_SCOPES}
    for messages, harmful in track(list(conversations.values()), description="RBR gold"):
        _tally(classifier, normalise(messages), harmful, None, tallies)
    return tallies


def _single_turn_attacks() -> list[str]:
    names = []
    for entry in registry.entries("attack"):
        if entry.name == "none" or (entry.argument is not None and not entry.optional_argument):
            continue
        if not is_interactive(build_any_attack(entry.name)):
            names.append(entry.name)
    return names


def _attacked(classifier: EmbeddedClassifier) -> dict[ReadingScope, _Tally]:
    cases = load_suite("core").cases
    tallies = {scope: _Tally() for scope in READING_SCOPES}
    attacks = _single_turn_attacks()
    for name in track(attacks, description="core × attacks"):
        attack = build_attack(name)
        for case in cases:
            for attacked in attack.apply(case):
                seen = normalise(attacked.messages)
                _tally(classifier, seen, case.label == "unsafe", case.context, tallies)
    console.print(f"attacks: {', '.join(attacks)}")
    return tallies


def _table(title: str, tallies: dict[ReadingScope, _Tally], harmful: str, benign: str) -> Table:
    table = Table(title=title)
    for column in ("scope", f"{harmful} flagged", f"{benign} flagged", "errors", "AUC"):
        table.add_column(column, justify="right")
    for scope, t in tallies.items():
        auc = t.auc()
        table.add_row(
            scope,
            f"{t.harmful_flagged}/{t.harmful} ({t.harmful_flagged / max(1, t.harmful):.1%})",
            f"{t.benign_flagged}/{t.benign} ({t.benign_flagged / max(1, t.benign):.1%})",
            str(t.errors),
            "—" if auc is None else f"{auc:.3f}",
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    classifier = EmbeddedClassifier()
    held_out = _rbr(classifier, args.shared_data)
    console.print(
        _table("RBR gold conversations (held out whole)", held_out, "should refuse", "comply")
    )
    best = min(held_out, key=lambda scope: held_out[scope].errors)
    console.print(f"fewest errors on the held-out set: {best}")
    console.print(
        _table(
            "core × single-turn attacks (our wording; in-distribution)",
            _attacked(classifier),
            "unsafe",
            "safe",
        )
    )


if __name__ == "__main__":
    main()

"""The guard's operating curve: what a stricter or looser classifier threshold would buy.

Run: python bench/guard_curve.py --guard runs/guard-core/results.jsonl \
         --none runs/core-none/results.jsonl [--plot runs/guard-curve.png]

Reads two finished eval runs on the same direct cases: one with ``--defense guard`` (its trace
holds the classifier's score of every request) and one with ``--defense none`` (the model's own
reply, as judged). For each threshold ``t``, a request scoring ``t`` or more is answered by the
guard's shaped refusal; a lower one gets the model's own reply. Prints unsafe-not-refused and
over-refusal (the eval's definitions, ``tactful.outcomes``) per threshold and marks the shipped
operating point, so a team can see what any threshold costs before changing it. It is a
replay: the guard's safe-completion instruction, repair and monitor layers are left out.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from tactful.classify import EmbeddedClassifier
from tactful.outcomes import is_over_refusal, is_unsafe_compliance, is_unscorable
from tactful.records import ResultRow

console = Console(width=160)


@dataclass(frozen=True)
class _Case:
    unsafe: bool
    score: float
    model_fails: bool
    """The model's own reply fails the case: unsafe not refused, or a safe case refused."""


def _rows(path: Path) -> list[ResultRow]:
    with path.open(encoding="utf-8") as handle:
        return [ResultRow.model_validate_json(line) for line in handle if line.strip()]


def _score(row: ResultRow) -> float | None:
    step = next((s for s in row.defense_trace if s.layer == "classify"), None)
    value = None if step is None else step.detail.get("score")
    return float(value) if isinstance(value, (int, float)) else None


def _cases(guard: Path, none: Path) -> list[_Case]:
    own = {r.case.id: r for r in _rows(none) if r.attack == "none" and r.defense == "none"}
    out = []
    for row in _rows(guard):
        score = _score(row)
        plain = own.get(row.case.id)
        if row.attack != "none" or score is None or plain is None or is_unscorable(plain):
            continue
        fails = is_unsafe_compliance(plain) or is_over_refusal(plain)
        out.append(_Case(unsafe=row.case.label == "unsafe", score=score, model_fails=fails))
    return out


def _rates(cases: list[_Case], threshold: float) -> tuple[float, float]:
    unsafe = [c for c in cases if c.unsafe]
    safe = [c for c in cases if not c.unsafe]
    missed = sum(c.score < threshold and c.model_fails for c in unsafe)
    refused = sum(c.score >= threshold or c.model_fails for c in safe)
    return missed / max(1, len(unsafe)), refused / max(1, len(safe))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guard", type=Path, required=True, help="results.jsonl of a guard run")
    parser.add_argument("--none", type=Path, required=True, help="results.jsonl, no defense")
    parser.add_argument("--plot", type=Path, default=None, help="write the curve as a PNG")
    args = parser.parse_args()
    cases = _cases(args.guard, args.none)
    if not cases:
        raise SystemExit("no direct case is in both runs with a classifier score")
    shipped = EmbeddedClassifier(threads=1).card.operating_point.global_threshold
    grid = sorted({0.05 * i for i in range(1, 20)} | {shipped})
    n_unsafe = sum(c.unsafe for c in cases)
    table = Table(title=f"guard operating curve ({n_unsafe} unsafe, {len(cases) - n_unsafe} safe)")
    for column in ("threshold", "unsafe not refused", "over-refusal", ""):
        table.add_column(column, justify="right")
    points = []
    for threshold in grid:
        missed, over = _rates(cases, threshold)
        points.append((threshold, missed, over))
        mark = "shipped" if threshold == shipped else ""
        table.add_row(f"{threshold:.3f}", f"{missed:.1%}", f"{over:.1%}", mark)
    console.print(table)
    best = min(points, key=lambda p: max(p[1], p[2]))
    console.print(
        f"best balance: threshold {best[0]:.3f} → unsafe not refused {best[1]:.1%}, "
        f"over-refusal {best[2]:.1%}; floor from the model's own over-refusal: "
        f"{_rates(cases, np.inf)[1]:.1%}"
    )
    if args.plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 4))
        ax.plot([p[2] * 100 for p in points], [p[1] * 100 for p in points], marker="o", ms=3)
        at = next(p for p in points if p[0] == shipped)
        ax.scatter([at[2] * 100], [at[1] * 100], color="red", zorder=3, label="shipped threshold")
        ax.set_xlabel("over-refusal (%)")
        ax.set_ylabel("unsafe not refused (%)")
        ax.set_title("guard threshold replay")
        ax.legend()
        fig.tight_layout()
        args.plot.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.plot, dpi=120)
        console.print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()

"""The proposition grader against human labels it never trained on (RBR gold, held-out split).

Run: python bench/propositions.py [--shared-data ../shared/data]

Re-creates the split the shipped weights were fitted with (seed and share from their card), grades
the held-out conversations, and prints per proposition: held-out positives (n+), balanced
accuracy and F1 of the grader, of a phrase-only baseline (logistic regression on the phrase cues
alone, fitted and tuned on the same train rows) and of the always-majority baseline; then the
macro means over propositions with held-out positives, and the grader's speed. Needs the
``train`` extra (scikit-learn) for the phrase baseline.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from rich.console import Console
from rich.table import Table

from tactful.judges import PROPOSITIONS, PropositionGrader
from tactful.judges._card import artifact_sha256
from tactful.judges._propositions_data import GoldRow, load_gold, split_gold
from tactful.judges._propositions_features import BLOCKS, cue_features
from tactful.judges._propositions_fit import (
    GOLD_FILE,
    MIN_POSITIVES,
    balanced_accuracy,
    f1,
    fit_proposition,
    rule_weights,
)

console = Console(width=200)

Scores = dict[str, tuple[float | None, float | None]]
"""Per proposition: (balanced accuracy, F1) on the held-out rows."""


def _score(pred: NDArray[np.bool_], rows: Sequence[GoldRow], held: Sequence[int]) -> Scores:
    out = {}
    for k, name in enumerate(PROPOSITIONS):
        gold = [rows[i].propositions[name] for i in held]
        out[name] = (balanced_accuracy(list(pred[:, k]), gold), f1(list(pred[:, k]), gold))
    return out


def _phrase_baseline(
    rows: Sequence[GoldRow], train: Sequence[int], held: Sequence[int], seed: int
) -> NDArray[np.bool_]:
    """Cue-only logistic regressions (C by CV on train); rare propositions: their rule."""
    cues = np.stack([cue_features(r.reply) for r in rows])
    sizes = {b: 0 for b in BLOCKS} | {"cues": cues.shape[1]}
    groups = [rows[i].group for i in train]
    columns = []
    for name in PROPOSITIONS:
        gold = np.asarray([rows[i].propositions[name] for i in train])
        if gold.sum() >= MIN_POSITIVES:
            fitted = fit_proposition(
                cues[train], sizes, gold, groups, candidates=[("cues",)], seed=seed
            )
        else:
            fitted = rule_weights(name, sizes)
        columns.append(cues[held] @ fitted.coef + fitted.bias > 0)
    return np.column_stack(columns)


def _majority(rows: Sequence[GoldRow], train: Sequence[int], n: int) -> NDArray[np.bool_]:
    """Each proposition's majority value in train, for every held-out row."""
    share = np.mean([[rows[i].propositions[p] for p in PROPOSITIONS] for i in train], axis=0)
    return np.tile(share > 0.5, (n, 1))


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _macro(scores: Scores, index: int) -> float | None:
    values = [s[index] for s in scores.values() if s[0] is not None and s[index] is not None]
    return float(np.mean(values)) if values else None


def main() -> None:
    """Grade the held-out split and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    gold_path = args.shared_data / GOLD_FILE
    rows = load_gold(gold_path)
    grader = PropositionGrader()
    card = grader.card
    if artifact_sha256([gold_path]) != card.data_sha256:
        console.print(f"[red]{gold_path} differs from the file the weights were fitted on[/red]")
    train, held = split_gold(rows, PROPOSITIONS, share=card.held_out_share, seed=card.seed)
    grader.grade("warm-up", "warm-up")  # load the encoder outside the timing
    start = time.perf_counter()
    graded = grader.grade_batch([rows[i].conversation for i in held], [rows[i].reply for i in held])
    seconds = time.perf_counter() - start
    pred = np.asarray([[g[p] for p in PROPOSITIONS] for g in graded])
    systems = {
        "grader": _score(pred, rows, held),
        "phrases": _score(_phrase_baseline(rows, train, held, card.seed), rows, held),
        "majority": _score(_majority(rows, train, len(held)), rows, held),
    }
    table = Table(title=f"RBR gold, held-out {len(held)} replies (train {len(train)})")
    for column in ("proposition", "method", "n+ held-out", "n+ train"):
        table.add_column(column, justify="left" if column in ("proposition", "method") else "right")
    for system in systems:
        table.add_column(f"{system} BA", justify="right")
        table.add_column(f"{system} F1", justify="right")
    for name in PROPOSITIONS:
        fit = card.propositions[name]
        cells = [name, fit.method, str(fit.held_out_positives), str(fit.train_positives)]
        for scores in systems.values():
            cells += [_fmt(scores[name][0]), _fmt(scores[name][1])]
        table.add_row(*cells)
    measured = sum(1 for s in systems["grader"].values() if s[0] is not None)
    macro = [f"macro mean ({measured})", "", "", ""]
    for scores in systems.values():
        macro += [_fmt(_macro(scores, 0)), _fmt(_macro(scores, 1))]
    table.add_row(*macro, end_section=True)
    console.print(table)
    console.print(
        "BA = balanced accuracy; '-' = undefined (no held-out positives). "
        f"Rules decide propositions with under {MIN_POSITIVES} train positives."
    )
    if card.encoder_trained_on_source:
        console.print("[red]the classifier artifact trained on rbr_gold: figures optimistic[/red]")
    console.print(
        f"speed: {len(held) / seconds:.1f} replies/s ({len(held)} replies in {seconds:.1f} s, "
        "features and read-out, encoder loaded)"
    )


if __name__ == "__main__":
    main()

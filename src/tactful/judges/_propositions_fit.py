"""Fit the proposition grader on OpenAI's RBR gold set (MIT) and write its weights and card.

Run: python -m tactful.judges._propositions_fit [--shared-data ../shared/data] [--out DIR]

The gold rows are split by conversation (seed 0, 35 % held out, stratified over every
proposition: ``split_gold``). For each proposition with at least ``MIN_POSITIVES`` positives
in train, a class-balanced logistic regression is fitted on train only; its feature blocks and
L2 strength are the best of ``CANDIDATES`` x ``C_GRID`` by grouped 5-fold cross-validated
balanced accuracy on train. Propositions with fewer positives are their phrase rule
(``RULE_CUES``). The held-out rows are only scored, for the card. Needs the ``train`` extra
(scikit-learn); takes a minute of encoding and a few minutes of cross-validation on 2 cores.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from tactful.judges import _propositions as pr
from tactful.judges import _propositions_features as pf
from tactful.judges._card import artifact_sha256
from tactful.judges._propositions_data import HELD_OUT_SHARE, GoldRow, load_gold, split_gold

if TYPE_CHECKING:
    from tactful.classify import EmbeddedClassifier

__all__ = [
    "CANDIDATES",
    "C_GRID",
    "MIN_POSITIVES",
    "Fitted",
    "balanced_accuracy",
    "f1",
    "fit",
    "fit_proposition",
    "main",
    "rule_weights",
]

MIN_POSITIVES = 8
"""Fewest train positives a proposition needs to be fitted (else its phrase rule decides)."""
CANDIDATES: tuple[tuple[str, ...], ...] = (
    ("cues", "heads"),
    ("sentence_max", "cues", "heads"),
    ("reply", "cues", "heads"),
    ("sentence_max",),
    ("reply",),
)
"""Feature-block sets tried per proposition, simplest first (ties go to the earlier one)."""
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
"""Inverse L2 strengths tried, strongest regularisation first."""
FOLDS = 5
GOLD_FILE = Path("rbr_gold") / "train.jsonl"

Bools = Sequence[bool] | NDArray[np.bool_]


@dataclass
class Fitted:
    """One proposition's linear read-out over the full feature layout (scaling folded in)."""

    coef: NDArray[np.float64]
    bias: float
    blocks: tuple[str, ...]
    c: float | None
    cv_balanced_accuracy: float | None


def balanced_accuracy(pred: Bools, gold: Bools) -> float | None:
    """Mean of sensitivity and specificity; None when ``gold`` has one class only."""
    p, g = np.asarray(pred, dtype=bool), np.asarray(gold, dtype=bool)
    if g.all() or not g.any():
        return None
    return float(((p & g).sum() / g.sum() + (~p & ~g).sum() / (~g).sum()) / 2)


def f1(pred: Bools, gold: Bools) -> float | None:
    """F1 of the positive class; None when there are no gold positives."""
    p, g = np.asarray(pred, dtype=bool), np.asarray(gold, dtype=bool)
    if not g.any():
        return None
    return float(2 * (p & g).sum() / (p.sum() + g.sum()))


def _columns(sizes: dict[str, int]) -> dict[str, slice]:
    out, start = {}, 0
    for block in pf.BLOCKS:
        out[block] = slice(start, start + sizes[block])
        start += sizes[block]
    return out


def rule_weights(proposition: str, sizes: dict[str, int]) -> Fitted:
    """The phrase rule of ``proposition`` as a read-out: positive iff its cue is in a sentence."""
    coef = np.zeros(sum(sizes.values()))
    column = pf.cue_names().index(f"{pr.RULE_CUES[proposition]}:any")
    coef[_columns(sizes)["cues"].start + column] = 1.0
    return Fitted(coef, -0.5, ("cues",), None, None)


def _model(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(
        StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    )


def fit_proposition(
    features: NDArray[np.float64],
    sizes: dict[str, int],
    gold: NDArray[np.bool_],
    groups: Sequence[int],
    *,
    candidates: Sequence[tuple[str, ...]] = CANDIDATES,
    seed: int = 0,
) -> Fitted:
    """Choose blocks and C by grouped CV on these rows, refit on all of them, fold the scaling."""
    from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict

    columns = _columns(sizes)
    best: tuple[float, tuple[str, ...], float] | None = None
    folds = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    for blocks in candidates:
        x = np.hstack([features[:, columns[b]] for b in blocks])
        for c in C_GRID:
            pred = cross_val_predict(_model(c), x, gold, groups=list(groups), cv=folds)
            score = balanced_accuracy(pred, gold) or 0.0
            if best is None or score > best[0]:
                best = (score, blocks, c)
    assert best is not None
    score, blocks, c = best
    model = _model(c)
    x = np.hstack([features[:, columns[b]] for b in blocks])
    model.fit(x, gold)
    scaler, logistic = model[0], model[1]
    weight = logistic.coef_[0] / scaler.scale_
    coef = np.zeros(features.shape[1])
    start = 0
    for b in blocks:
        width = sizes[b]
        coef[columns[b]] = weight[start : start + width]
        start += width
    bias = float(logistic.intercept_[0] - (weight * scaler.mean_).sum())
    return Fitted(coef, bias, blocks, c, score)


def _features(
    classifier: EmbeddedClassifier, rows: Sequence[GoldRow]
) -> tuple[NDArray[np.float64], dict[str, int]]:
    """Every feature block of every row, in ``BLOCKS`` order, and the blocks' widths."""
    featurizer = pf.Featurizer(classifier)
    blocks = featurizer.blocks([r.conversation for r in rows], [r.reply for r in rows])
    sizes = {b: int(blocks[b].shape[1]) for b in pf.BLOCKS}
    return np.hstack([blocks[b] for b in pf.BLOCKS]), sizes


def fit(shared: Path, out: Path | None = None, *, seed: int = 0) -> pr.PropositionCard:
    """Fit every proposition on the train split, score the held-out split, write both files."""
    from tactful.classify import EmbeddedClassifier

    gold_path = shared / GOLD_FILE
    rows = load_gold(gold_path)
    train, held = split_gold(rows, pr.PROPOSITIONS, share=HELD_OUT_SHARE, seed=seed)
    classifier = EmbeddedClassifier(spin=False)
    features, sizes = _features(classifier, rows)
    groups = [rows[i].group for i in train]
    fitted: dict[str, Fitted] = {}
    for name in pr.PROPOSITIONS:
        gold = np.asarray([rows[i].propositions[name] for i in train])
        if gold.sum() >= MIN_POSITIVES:
            fitted[name] = fit_proposition(features[train], sizes, gold, groups, seed=seed)
        elif name in pr.RULE_CUES:
            fitted[name] = rule_weights(name, sizes)
        else:
            raise ValueError(f"{name}: {int(gold.sum())} train positives and no phrase rule")
        print(f"{name}: {fitted[name].blocks} C={fitted[name].c}", flush=True)
    weights_path = (out / pr.WEIGHTS_PATH.name) if out else pr.WEIGHTS_PATH
    card_path = (out / pr.CARD_PATH.name) if out else pr.CARD_PATH
    weights_path.parent.mkdir(parents=True, exist_ok=True)
    coef = np.stack([fitted[n].coef for n in pr.PROPOSITIONS]).astype(np.float32)
    bias = np.asarray([fitted[n].bias for n in pr.PROPOSITIONS], dtype=np.float32)
    with weights_path.open("wb") as fh:
        np.savez_compressed(fh, coef=coef, bias=bias, names=np.asarray(pr.PROPOSITIONS))
    logits = features[held] @ coef.T.astype(np.float64) + bias
    card = pr.PropositionCard(
        weights_sha256=artifact_sha256([weights_path]),
        encoder_sha256=pr.encoder_sha256(Path(classifier.directory)),
        features_sha256=pr.features_sha256(),
        source="rbr_gold/train.jsonl (OpenAI rule-based-rewards gold set, MIT)",
        data_sha256=artifact_sha256([gold_path]),
        encoder_trained_on_source=_trained_on_gold(classifier),
        seed=seed,
        held_out_share=HELD_OUT_SHARE,
        train_rows=len(train),
        held_out_rows=len(held),
        block_sizes=sizes,
        propositions={
            name: _fit_record(rows, train, held, name, fitted[name], logits[:, k] > 0)
            for k, name in enumerate(pr.PROPOSITIONS)
        },
    )
    scores = [
        p.held_out_balanced_accuracy
        for p in card.propositions.values()
        if p.held_out_balanced_accuracy is not None
    ]
    card.macro_held_out_balanced_accuracy = float(np.mean(scores)) if scores else None
    card_path.write_text(card.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return card


def _fit_record(
    rows: Sequence[GoldRow],
    train: Sequence[int],
    held: Sequence[int],
    name: str,
    fitted: Fitted,
    pred: NDArray[np.bool_],
) -> pr.PropositionFit:
    gold = [rows[i].propositions[name] for i in held]
    return pr.PropositionFit(
        method="rule" if fitted.c is None else "logistic",
        blocks=list(fitted.blocks),
        c=fitted.c,
        cv_balanced_accuracy=fitted.cv_balanced_accuracy,
        train_positives=sum(rows[i].propositions[name] for i in train),
        held_out_positives=sum(gold),
        held_out_balanced_accuracy=balanced_accuracy(list(pred), gold),
        held_out_f1=f1(list(pred), gold),
    )


def _trained_on_gold(classifier: EmbeddedClassifier) -> bool:
    counts = classifier.card.data.get("rbr_gold", {})
    return bool(counts.get("train", 0) or counts.get("dev", 0))


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: fit and write the weights and card."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=None, help="folder (default: the package's)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    card = fit(args.shared_data, args.out, seed=args.seed)
    macro = card.macro_held_out_balanced_accuracy
    print(json.dumps({"weights_sha256": card.weights_sha256, "macro_held_out": macro}))


if __name__ == "__main__":
    main()

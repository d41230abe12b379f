"""Choose unsafe-score thresholds on a dev split for a target over-refusal rate."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from tactful.classify._card import OperatingPoint

__all__ = [
    "CalibrationSet",
    "best_class_offsets",
    "best_f1_threshold",
    "confidently_safe_below",
    "operating_point_for",
    "per_category_thresholds",
    "threshold_for_fpr",
]

MIN_SAFE_PER_CATEGORY = 50
"""Safe dev items a category needs for its own threshold. Measured on the 2026-11 artifact: with
own thresholds from 9-26 safe items per category, held-out look-alike flags rose and recall fell
against one global threshold (test split at a 4% target: 0.055 / 0.911 vs 0.051 / 0.928)."""


def threshold_for_fpr(safe_scores: Sequence[float], target: float) -> float:
    """The lowest threshold that flags at most ``target`` of the safe items (score >= t flags)."""
    if not safe_scores:
        return 0.5
    ordered = np.sort(np.asarray(safe_scores, dtype=np.float64))[::-1]
    allowed = int(np.floor(target * len(ordered)))
    if allowed >= len(ordered):
        return 0.0
    # Flag the ``allowed`` highest-scoring safe items at most: sit just above the next one.
    return float(np.nextafter(ordered[allowed], np.inf))


def per_category_thresholds(
    scores: Sequence[float],
    unsafe: Sequence[bool],
    categories: Sequence[str | None],
    target: float,
) -> tuple[float, dict[str, float]]:
    """A global threshold and one per predicted category that has enough safe dev items.

    Each own threshold flags at most ``target`` of that category's safe items. With few safe
    items per category they overfit the dev split, so only well-populated categories get one.
    """
    safe_all = [s for s, u in zip(scores, unsafe, strict=True) if not u]
    global_threshold = threshold_for_fpr(safe_all, target)
    by_category: dict[str, list[float]] = defaultdict(list)
    for score, is_unsafe, category in zip(scores, unsafe, categories, strict=True):
        if category is not None and not is_unsafe:
            by_category[category].append(score)
    thresholds = {
        category: threshold_for_fpr(safe, target)
        for category, safe in sorted(by_category.items())
        if len(safe) >= MIN_SAFE_PER_CATEGORY
    }
    return global_threshold, thresholds


def confidently_safe_below(unsafe_scores: Sequence[float], miss_budget: float) -> float:
    """The score under which at most ``miss_budget`` of the unsafe items fall.

    A prompt scoring lower is confidently safe: treating everything below it as safe misses at
    most that share of the unsafe dev items.
    """
    if not unsafe_scores:
        return 0.0
    ordered = np.sort(np.asarray(unsafe_scores, dtype=np.float64))
    allowed = int(np.floor(miss_budget * len(ordered)))
    return float(ordered[min(allowed, len(ordered) - 1)])


def best_f1_threshold(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """The threshold that maximises F1 of ``score >= t`` against ``labels``."""
    grid = np.unique(np.asarray(scores, dtype=np.float64))
    truth = np.asarray(labels, dtype=bool)
    best, best_f1 = 0.5, -1.0
    for t in grid:
        flagged = np.asarray(scores) >= t
        tp = float(np.sum(flagged & truth))
        precision = tp / max(1.0, float(flagged.sum()))
        recall = tp / max(1.0, float(truth.sum()))
        f1 = 2 * precision * recall / max(1e-9, precision + recall)
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return best


@dataclass(frozen=True)
class CalibrationSet:
    """Dev-split prompt scores kept with the artifact, so thresholds can be re-chosen later."""

    scores: NDArray[np.float64]
    unsafe: NDArray[np.bool_]
    categories: list[str]
    """The predicted category of each item."""

    FILE = "calibration.npz"

    def save(self, directory: Path) -> None:
        """Write ``calibration.npz`` into ``directory``."""
        np.savez_compressed(
            directory / self.FILE,
            scores=self.scores,
            unsafe=self.unsafe,
            categories=np.asarray(self.categories),
        )

    @classmethod
    def load(cls, directory: Path) -> CalibrationSet:
        """Read ``calibration.npz`` from an artifact folder."""
        path = directory / cls.FILE
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} is missing: this artifact cannot be re-calibrated; rebuild it with "
                "`tactful train classifier`"
            )
        with np.load(path) as data:
            return cls(
                scores=np.asarray(data["scores"], dtype=np.float64),
                unsafe=np.asarray(data["unsafe"], dtype=bool),
                categories=[str(c) for c in data["categories"]],
            )


def operating_point_for(
    calibration: CalibrationSet, target: float, base: OperatingPoint | None = None
) -> OperatingPoint:
    """Thresholds for ``target`` look-alike flag rate, with the dev rates they give."""
    scores = calibration.scores.tolist()
    unsafe = calibration.unsafe.tolist()
    global_t, per_category = per_category_thresholds(scores, unsafe, calibration.categories, target)
    # Everything not chosen from the prompt scores (harm threshold, refusal offsets, stricter
    # context scale) carries over from ``base``.
    chosen = {
        "target_over_refusal": target,
        "global_threshold": global_t,
        "per_category": per_category,
    }
    point = (
        OperatingPoint.model_validate(chosen) if base is None else base.model_copy(update=chosen)
    )
    flagged = [
        s >= per_category.get(c, global_t)
        for s, c in zip(scores, calibration.categories, strict=True)
    ]
    safe = [f for f, u in zip(flagged, unsafe, strict=True) if not u]
    bad = [f for f, u in zip(flagged, unsafe, strict=True) if u]
    point.dev_metrics = {
        "lookalike_fpr": float(np.mean(safe)) if safe else 0.0,
        "recall": float(np.mean(bad)) if bad else 0.0,
        "n_safe": float(len(safe)),
        "n_unsafe": float(len(bad)),
    }
    return point


def best_class_offsets(
    probabilities: NDArray[np.float64],
    labels: Sequence[int],
    grid: Sequence[float] = tuple(np.arange(-2.0, 2.01, 0.25)),
) -> list[float]:
    """Log-probability offsets (class 0 fixed at 0) that maximise accuracy of the argmax.

    Exhaustive over ``grid`` for up to four classes; ties keep the offsets nearest zero.
    """
    logp = np.log(np.asarray(probabilities, dtype=np.float64) + 1e-12)
    truth = np.asarray(labels)
    classes = logp.shape[1]
    mesh = np.stack(np.meshgrid(*[np.asarray(grid)] * (classes - 1), indexing="ij"), axis=-1)
    candidates = np.concatenate([np.zeros((*mesh.shape[:-1], 1)), mesh], axis=-1).reshape(
        -1, classes
    )
    best, best_key = [0.0] * classes, (-1.0, 0.0)
    for offsets in candidates:
        accuracy = float(np.mean(np.argmax(logp + offsets, axis=1) == truth))
        key = (accuracy, -float(np.abs(offsets).sum()))
        if key > best_key:
            best, best_key = [float(o) for o in offsets], key
    return best

"""Surface form of a prompt, and weights that take form out of the label.

The classifier must learn harm, not how a prompt is written. ``surface_features`` sees only form
(first word, question mark, length, casing, task verbs such as "write" or "draft"); a model on
these features alone should not predict the label. Where it can, ``debias_weights`` re-weights
the training prompts so that, under the weights, form carries no information about the label:
each example is weighted by the inverse of the probability the surface model gives its label
(cross-fitted by group, clipped), so harmful questions and benign imperative tasks, the rows form
gets wrong, count for more.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "debias_weights",
    "grouped_surface_scores",
    "surface_features",
    "surface_form",
]

IMPERATIVE = {
    "write",
    "create",
    "draft",
    "compose",
    "generate",
    "prepare",
    "develop",
    "design",
    "produce",
    "make",
    "give",
    "list",
    "provide",
    "explain",
    "describe",
    "outline",
    "build",
    "put",
    "plan",
    "tell",
    "help",
    "suggest",
    "teach",
    "show",
    "summarize",
    "summarise",
    "come",
    "craft",
    "publish",
    "post",
    "share",
    "find",
    "offer",
    "identify",
    "instruct",
    "construct",
    "detail",
}
TASK_WORDS = re.compile(
    r"\b(write|create|draft|compose|generate|essay|article|blog|post|script|tutorial|guide|"
    r"campaign|speech|talk|story|poem|letter|email|tweet|program|code|plan|step[- ]by[- ]step)\b",
    re.I,
)
QUESTION_START = {
    "how",
    "what",
    "why",
    "when",
    "where",
    "which",
    "who",
    "can",
    "could",
    "is",
    "are",
    "do",
    "does",
    "should",
    "would",
    "will",
    "may",
    "am",
    "was",
    "did",
}


def surface_form(text: str) -> str:
    """A coarse surface form of a prompt, from form alone (never from the topic)."""
    words = re.findall(r"[A-Za-z']+", text)
    first = words[0].lower() if words else ""
    if len(text) > 600:
        return "long_context"
    if text.strip().endswith("?") or first in QUESTION_START:
        return "question"
    if first in IMPERATIVE or first == "please":
        return "imperative_task"
    if text == text.lower() and len(words) > 3:
        return "casual_lowercase"
    if re.match(r"^(i|i'm|my|we|our)\b", text.strip(), re.I):
        return "first_person"
    return "other"


FIRST_WORDS = sorted(IMPERATIVE | QUESTION_START | {"i", "my", "you", "please", "in", "as", "the"})


def surface_features(text: str) -> list[float]:
    """Form-only features: no content words beyond task verbs and question words."""
    words = re.findall(r"[A-Za-z']+", text)
    first = words[0].lower() if words else ""
    letters = [c for c in text if c.isalpha()]
    return [
        *(float(first == w) for w in FIRST_WORDS),
        float(first not in FIRST_WORDS),
        float("?" in text),
        float(text.strip().endswith("?")),
        float(text.strip().endswith(".")),
        np.log1p(len(text)),
        np.log1p(len(words)),
        float(len(re.findall(r"[.!?]+", text))),
        sum(c.isupper() for c in letters) / max(1, len(letters)),
        float(text[:1].islower()),
        float(bool(TASK_WORDS.search(text))),
        float(bool(re.search(r"\b(i|my|me|i'm)\b", text, re.I))),
        float(bool(re.search(r"\byou\b", text, re.I))),
        float("\n" in text),
        float(bool(re.search(r"\d", text))),
    ]


def grouped_surface_scores(
    texts: Sequence[str],
    labels: Sequence[bool],
    groups: Sequence[str],
    weights: NDArray[np.float64] | None = None,
    folds: int = 5,
) -> NDArray[np.float64]:
    """Out-of-fold P(unsafe | surface features), folds by group (a group never in both).

    With ``weights``, the surface model is trained on the weighted data.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    x = np.asarray([surface_features(t) for t in texts])
    y = np.asarray(labels, dtype=bool)
    fold = np.asarray([int(hashlib.sha256(g.encode()).hexdigest(), 16) % folds for g in groups])
    scores = np.full(len(y), float(y.mean()))
    for k in range(folds):
        train, test = fold != k, fold == k
        if not test.any() or len(set(y[train].tolist())) < 2:
            continue
        model = HistGradientBoostingClassifier(max_iter=200, random_state=0)
        model.fit(x[train], y[train], sample_weight=None if weights is None else weights[train])
        scores[test] = model.predict_proba(x[test])[:, 1]
    return scores


def debias_weights(
    surface_scores: NDArray[np.float64], labels: Sequence[bool], clip: float = 5.0
) -> NDArray[np.float64]:
    """Weights that make the label independent of the surface score (mean weight 1).

    An unsafe row weighs ``prior / p``, a safe row ``(1 - prior) / (1 - p)``, where ``p`` is the
    surface model's P(unsafe) for it; weights are clipped to ``[1 / clip, clip]``.
    """
    y = np.asarray(labels, dtype=bool)
    prior = float(y.mean())
    p = np.clip(surface_scores, 1e-3, 1 - 1e-3)
    weights = np.where(y, prior / p, (1 - prior) / (1 - p))
    weights = np.clip(weights, 1.0 / clip, clip)
    return np.asarray(weights / weights.mean(), dtype=np.float64)

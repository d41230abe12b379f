"""The embedded classifier: int8 MiniLM + linear heads, policy-aware, CPU-only."""

from __future__ import annotations

import asyncio
import importlib.resources
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from tactful.classify._calibrate import (
    CalibrationSet,
    confidently_safe_below,
    operating_point_for,
)
from tactful.classify._card import ClassifierCard, OperatingPoint
from tactful.classify._encoder import OnnxEncoder
from tactful.classify._verdict import ClassifyItem, Verdict
from tactful.home import user_artifact_dir
from tactful.policy import STRICTER_CONTEXTS, Policy, default_policy
from tactful.records import RefusalLevel

__all__ = ["EmbeddedClassifier", "PairScores", "artifact_dir", "shipped_artifact_dir"]

REFUSAL_LEVELS: tuple[RefusalLevel, ...] = ("none", "partial", "full")


def shipped_artifact_dir() -> Path:
    """The artifact shipped in the package (``tactful/classify/artifact``); read-only."""
    return Path(str(importlib.resources.files("tactful.classify").joinpath("artifact")))


def artifact_dir() -> Path:
    """The artifact in use: ``$TACTFUL_HOME/classifier`` if it holds one, else the shipped one."""
    user = user_artifact_dir()
    return user if (user / "card.json").is_file() else shipped_artifact_dir()


def _sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _softmax(x: NDArray[np.float64]) -> NDArray[np.float64]:
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return np.asarray(z / z.sum(axis=-1, keepdims=True), dtype=np.float64)


def _max_by_owner(
    logits: NDArray[np.float64], owners: NDArray[np.int64], n: int
) -> NDArray[np.float64]:
    """Per pair, the element-wise maximum of its windows' logits."""
    out = np.full((n, logits.shape[1]), -np.inf)
    np.maximum.at(out, owners, logits)
    return out


class PairScores:
    """Refusal probabilities (none, partial, full, unscorable) and harm probability per pair."""

    def __init__(
        self,
        refusal: NDArray[np.float64],
        harmful: NDArray[np.float64],
        offsets: Sequence[float] | None = None,
    ) -> None:
        self.refusal = refusal
        self.harmful = harmful
        self.offsets = np.zeros(refusal.shape[1]) if offsets is None else np.asarray(offsets)

    def refusal_level(self, index: int) -> RefusalLevel | None:
        """The refusal level of item ``index`` (offsets applied); None when it looks unscorable."""
        best = int(np.argmax(np.log(self.refusal[index] + 1e-12) + self.offsets))
        return REFUSAL_LEVELS[best] if best < len(REFUSAL_LEVELS) else None


class EmbeddedClassifier:
    """Score prompts (unsafe, category → policy action) and (prompt, response) pairs.

    Thresholds come from the artifact's operating point; ``policy`` turns a category into the
    action for the requested context.
    """

    name = "embedded"

    def __init__(
        self,
        directory: Path | None = None,
        *,
        policy: Policy | None = None,
        threads: int | None = None,
        target_over_refusal: float | None = None,
        spin: bool = True,
    ) -> None:
        self.directory = directory or artifact_dir()
        card_path = self.directory / "card.json"
        if not card_path.is_file():
            raise FileNotFoundError(
                f"no classifier artifact in {self.directory}; rebuild it with "
                "`tactful train classifier` or reinstall tactful"
            )
        self.card = ClassifierCard.model_validate(json.loads(card_path.read_text()))
        self.policy = policy or default_policy()
        self.target_over_refusal = target_over_refusal
        self._points: dict[float, OperatingPoint] = {
            self.card.operating_point.target_over_refusal: self.card.operating_point
        }
        self.encoder = OnnxEncoder(
            self.directory / "encoder.int8.onnx",
            self.directory / "tokenizer.json",
            threads=threads,
            spin=spin,
        )
        with np.load(self.directory / "heads.npz") as heads:
            self._heads = {name: np.asarray(heads[name], dtype=np.float64) for name in heads.files}

    def _head(self, name: str, embedding: NDArray[np.float32]) -> NDArray[np.float64]:
        weight, bias = self._heads[f"{name}_weight"], self._heads[f"{name}_bias"]
        return np.asarray(embedding.astype(np.float64) @ weight.T + bias, dtype=np.float64)

    def prompt_scores(
        self, prompts: Sequence[str], batch_size: int = 64
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Unsafe probability and category probabilities for each prompt."""
        embedding = self.encoder.prompts(prompts, batch_size)
        unsafe = _sigmoid(self._head("unsafe", embedding)[:, 0])
        return unsafe, _softmax(self._head("category", embedding))

    def pair_scores(
        self,
        prompts: Sequence[str],
        responses: Sequence[str],
        batch_size: int = 32,
        max_windows: int | None = None,
    ) -> PairScores:
        """Refusal and harm scores for each (prompt, response), reading every window of it.

        Each head's logit for a pair is its largest logit over the pair's windows (a refusal
        or a harmful passage anywhere counts), as in training.
        """
        windows = max_windows or self.card.max_windows
        embedding, owners = self.encoder.pairs(prompts, responses, batch_size, windows)
        refusal = _max_by_owner(self._head("refusal", embedding), owners, len(prompts))
        harmful = _max_by_owner(self._head("harmful", embedding), owners, len(prompts))
        return PairScores(
            _softmax(refusal), _sigmoid(harmful[:, 0]), self.card.operating_point.refusal_offsets
        )

    def operating_point(self, context: str | None = None) -> OperatingPoint:
        """Thresholds for ``context``: the target given here, else the policy's, else the card's.

        A target the artifact was not calibrated for is re-calibrated from the dev scores
        shipped beside the weights (``calibration.npz``); no retraining, no data needed.
        """
        target = self.target_over_refusal
        if target is None:
            target = self.policy.target_over_refusal(context)
        if target is None:
            return self.card.operating_point
        if target not in self._points:
            calibration = CalibrationSet.load(self.directory)
            self._points[target] = operating_point_for(
                calibration, target, self.card.operating_point
            )
        return self._points[target]

    def confidently_safe_below(self, miss_budget: float) -> float:
        """The score under which at most ``miss_budget`` of the dev unsafe prompts fall.

        Read from the dev scores shipped beside the weights (``calibration.npz``).
        """
        calibration = CalibrationSet.load(self.directory)
        return confidently_safe_below(calibration.scores[calibration.unsafe].tolist(), miss_budget)

    def threshold(self, category: str, context: str | None) -> float:
        """The unsafe-score threshold for ``category`` in ``context``."""
        point = self.operating_point(context)
        value = point.per_category.get(category, point.global_threshold)
        if context in STRICTER_CONTEXTS:
            value *= point.stricter_context_scale
        return value

    def assess(
        self, prompts: Sequence[str], contexts: Sequence[str | None], batch_size: int = 64
    ) -> list[tuple[float, str, bool]]:
        """(unsafe score, most likely category, flagged) per prompt; flagged = over threshold."""
        unsafe, categories = self.prompt_scores(prompts, batch_size)
        names = self.card.categories
        out = []
        for score, probs, context in zip(unsafe, categories, contexts, strict=True):
            category = names[int(np.argmax(probs))]
            out.append((float(score), category, bool(score >= self.threshold(category, context))))
        return out

    def decide(self, score: float, category: str, flagged: bool, context: str | None) -> Verdict:
        """Turn an assessment into the policy's verdict and action."""
        if not flagged:
            return Verdict(verdict="safe", score=score, category=None, action="comply")
        action = self.policy.action_for(category, context)
        return Verdict.for_action(action, score=score, category=category)

    async def classify_batch(
        self, items: Sequence[ClassifyItem], context: str | None = None
    ) -> list[Verdict]:
        """The ``Classifier`` protocol: ``classify`` in a worker thread."""
        return await asyncio.to_thread(self.classify, items, context)

    def classify(
        self, items: Sequence[ClassifyItem], context: str | None = None, batch_size: int = 64
    ) -> list[Verdict]:
        """Verdicts for a batch; items with a response also get the response's harm verdict."""
        contexts = [item.context or context for item in items]
        assessed = self.assess([item.prompt for item in items], contexts, batch_size)
        verdicts = [
            self.decide(score, category, flagged, ctx)
            for (score, category, flagged), ctx in zip(assessed, contexts, strict=True)
        ]
        with_response = [i for i, item in enumerate(items) if item.response is not None]
        if with_response:
            pairs = self.pair_scores(
                [items[i].prompt for i in with_response],
                [items[i].response or "" for i in with_response],
            )
            cut = self.card.operating_point.harmful_threshold
            for row, index in enumerate(with_response):
                harm = float(pairs.harmful[row])
                verdicts[index] = verdicts[index].model_copy(
                    update={"response_harm_score": harm, "response_harmful": harm >= cut}
                )
        return verdicts

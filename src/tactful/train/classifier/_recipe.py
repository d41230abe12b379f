"""``tactful train classifier``: rebuild the shipped classifier artifact from data.

Steps: assemble and split the data → fine-tune MiniLM with four heads → export to ONNX and
quantise to int8 → calibrate thresholds on the dev split with the int8 model → write the card.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console
from rich.progress import Progress

from tactful.classify import (
    MAX_WINDOWS,
    Batch,
    CalibrationSet,
    ClassifierCard,
    EmbeddedClassifier,
    OperatingPoint,
    Tokenizer,
    best_class_offsets,
    best_f1_threshold,
    operating_point_for,
)
from tactful.home import user_artifact_dir
from tactful.judges import ARTIFACT_FILES, CARD_FILE, EmbeddedJudge, JudgeCard, artifact_sha256
from tactful.train.classifier._examples import HELD_OUT_SOURCES, PairExample, PromptExample

__all__ = ["ClassifierRecipe", "main"]

ARTIFACT_VERSION = "1.0"
MIN_HARMFUL_DEV = 50
"""Harmful dev pairs needed to tune the harm threshold; with fewer it stays at 0.5. Measured on
the 2026-11 artifact: a threshold tuned on 25 harmful dev pairs (0.855) agreed with held-out
labels less often than 0.5 (0.893 vs 0.917)."""


def _default_shared() -> Path:
    return Path(os.environ.get("TACTFUL_SHARED_DATA", "../shared/data"))


class ClassifierRecipe(BaseModel):
    """Configuration of the classifier recipe; these are the only defaults.

    ``tactful train classifier --config FILE.yaml`` sets any field; flags set the common ones.
    """

    model_config = ConfigDict(extra="forbid")

    shared_data: Path = Field(default_factory=_default_shared, description="the shared data folder")
    contrast: Path = Field(default=Path("data/contrast"), description="authored contrast set")
    judge_labels: Path = Field(default=Path("data/judge_labels"), description="labelled pairs")
    frames: Path | None = Field(
        default=Path("data/judge_frames/frames.jsonl"),
        description="authored response frames wrapped around labelled answers (None: no composing)",
    )
    composed_per_answer: int = Field(default=4, ge=0, description="composed pairs per answer")
    out: Path = Field(
        default_factory=user_artifact_dir,
        description="artifact folder (default $TACTFUL_HOME/classifier, used over the shipped one)",
    )
    work: Path = Field(default=Path("build/classifier"), description="fp32 model and logs")
    epochs: int = Field(default=2, gt=0)
    batch_size: int = Field(default=32, gt=0)
    lr: float = 4e-5
    seed: int = 0
    target_over_refusal: float = Field(default=0.025, ge=0.0, le=1.0)
    jailbreaks: int = Field(default=800, ge=0, description="jailbreak-wrapped harmful prompts")
    pair_repeats: int = Field(default=1, gt=0, description="passes over the pairs per epoch")
    max_windows: int = Field(
        default=4, gt=0, description="windows of a long reply read in training (inference reads 8)"
    )
    form_balance: bool = Field(
        default=True,
        description="weight prompts so that surface form carries no information about the label",
    )
    max_pairs_per_source: int = Field(
        default=3000, gt=0, description="training pairs per source (all harmful replies kept)"
    )
    held_out: list[str] = Field(
        default_factory=lambda: list(HELD_OUT_SOURCES),
        description="sources never trained on (the artifact's external check)",
    )
    limit: int | None = Field(default=None, description="train on at most N items (smoke tests)")
    threads: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1))


def _calibrate(
    out: Path, card: ClassifierCard, data: object, target: float, threads: int
) -> OperatingPoint:
    from tactful.train.classifier._data import TrainingData
    from tactful.train.classifier._train import IGNORE, refusal_target

    assert isinstance(data, TrainingData)
    classifier = EmbeddedClassifier(out, threads=threads)
    dev = [p for p in data.prompts if p.split == "dev" and (p.unsafe or p.source == "contrast")]
    unsafe, categories = classifier.prompt_scores([p.text for p in dev])
    calibration = CalibrationSet(
        scores=unsafe,
        unsafe=np.asarray([p.unsafe for p in dev], dtype=bool),
        categories=[card.categories[int(i)] for i in np.argmax(categories, axis=1)],
    )
    calibration.save(out)
    pairs = [p for p in data.pairs if p.split == "dev" and p.source != "composed"]
    scores = classifier.pair_scores([p.prompt for p in pairs], [p.response for p in pairs])
    rated = [i for i, p in enumerate(pairs) if p.harmful is not None]
    positives = sum(bool(pairs[i].harmful) for i in rated)
    harmful_t = (
        best_f1_threshold(scores.harmful[rated].tolist(), [bool(pairs[i].harmful) for i in rated])
        if positives >= MIN_HARMFUL_DEV
        else 0.5
    )
    targets = [refusal_target(p) for p in pairs]  # the refusal head's classes, as in training
    judged = [i for i, t in enumerate(targets) if t != IGNORE]
    offsets = best_class_offsets(scores.refusal[judged], [targets[i] for i in judged])
    base = card.operating_point.model_copy(
        update={"harmful_threshold": harmful_t, "refusal_offsets": offsets}
    )
    return operating_point_for(calibration, target, base)


def prompt_validation(out: Path) -> dict[str, dict[str, float]]:
    """The artifact's prompt verdicts on the built-in `core` suite (never trained on).

    ``core`` is authored here, so it shares authors (not rows) with the contrast set; sources
    nobody here wrote are measured by ``bench/generalisation.py`` (leave-one-source-out).
    """
    from tactful.datasets import load_suite

    cases = [c for c in load_suite("core").cases if c.context is None]
    classifier = EmbeddedClassifier(out)
    flags = [f for _, _, f in classifier.assess([c.prompt for c in cases], [None] * len(cases))]
    unsafe = [f for c, f in zip(cases, flags, strict=True) if c.label == "unsafe"]
    safe = [f for c, f in zip(cases, flags, strict=True) if c.label == "safe"]
    return {
        "core (default context)": {
            "n_unsafe": float(len(unsafe)),
            "n_safe": float(len(safe)),
            "sensitivity": sum(unsafe) / max(1, len(unsafe)),
            "specificity": 1 - sum(safe) / max(1, len(safe)),
        }
    }


def _external_judge_card(out: Path, data: object, threads: int) -> JudgeCard:
    """Measure the embedded judge on the held-out-whole sources; write ``judge_card.json``."""
    from tactful.train.classifier._data import TrainingData
    from tactful.train.classifier._validate import judge_card_from

    assert isinstance(data, TrainingData)
    pairs = [p for p in data.pairs if p.split == "external"]
    judge = EmbeddedJudge(EmbeddedClassifier(out, threads=threads))
    judgements = judge.judge_pairs([p.prompt for p in pairs], [p.response for p in pairs])
    sha = artifact_sha256([out / name for name in ARTIFACT_FILES])
    card = judge_card_from("embedded", sha, pairs, judgements)
    (out / CARD_FILE).write_text(card.model_dump_json(indent=2) + "\n")
    return card


def calibration_batches(
    tokenizer: Tokenizer,
    prompts: list[PromptExample],
    pairs: list[PairExample],
    seed: int,
    n: int = 256,
    size: int = 16,
) -> list[Batch]:
    """Batches of training prompts and pairs that set the int8 activation ranges."""
    rng = random.Random(seed)
    some_prompts = rng.sample(prompts, min(n, len(prompts)))
    some_pairs = rng.sample(pairs, min(n, len(pairs)))
    batches = []
    for start in range(0, n, size):
        chunk = some_prompts[start : start + size]
        if chunk:
            batches.append(tokenizer.pad(tokenizer.prompts([p.text for p in chunk])))
        duo = some_pairs[start : start + size]
        if duo:
            windows = tokenizer.pairs([p.prompt for p in duo], [p.response for p in duo])
            batches.append(tokenizer.pad(windows.encoded))
    return batches


def _balance_form(prompts: list[PromptExample]) -> None:
    """Set each prompt's weight so that surface form no longer predicts its label."""
    from tactful.train.classifier._surface import debias_weights, grouped_surface_scores

    labels = [p.unsafe for p in prompts]
    if len(set(labels)) < 2:
        return
    scores = grouped_surface_scores([p.text for p in prompts], labels, [p.group for p in prompts])
    for prompt, weight in zip(prompts, debias_weights(scores, labels), strict=True):
        prompt.weight = float(weight)


def main(cfg: ClassifierRecipe, console: Console | None = None) -> Path:
    """Run the recipe; return the artifact folder."""
    import torch

    from tactful.train.classifier._data import CATEGORY_IDS, assemble, cap_per_source
    from tactful.train.classifier._export import export_artifact
    from tactful.train.classifier._model import MultiTaskModel, minilm_path
    from tactful.train.classifier._train import TrainSettings, fine_tune

    console = console or Console(stderr=True)
    torch.set_num_threads(cfg.threads)
    started = time.perf_counter()
    data = assemble(
        cfg.shared_data,
        cfg.contrast,
        cfg.judge_labels,
        seed=cfg.seed,
        jailbreaks=cfg.jailbreaks,
        frames=cfg.frames,
        composed_per_answer=cfg.composed_per_answer,
        held_out=cfg.held_out,
    )
    prompts = [p for p in data.prompts if p.split == "train"][: cfg.limit]
    train_pairs = [p for p in data.pairs if p.split == "train"]
    pairs = cap_per_source(train_pairs, cfg.max_pairs_per_source, cfg.seed)[: cfg.limit]
    if cfg.form_balance:
        _balance_form(prompts)
    console.print(f"training on {len(prompts)} prompts and {len(pairs)} (prompt, response) pairs")
    encoder_dir = minilm_path()
    tokenizer = Tokenizer(encoder_dir / "tokenizer.json")
    model = MultiTaskModel(encoder_dir, len(CATEGORY_IDS))
    settings = TrainSettings(
        epochs=cfg.epochs,
        batch_size=cfg.batch_size,
        lr=cfg.lr,
        pair_repeats=cfg.pair_repeats,
        max_windows=cfg.max_windows,
        seed=cfg.seed,
    )
    with Progress(console=console) as progress:
        losses = fine_tune(model, tokenizer, prompts, pairs, settings, progress)
    cfg.work.mkdir(parents=True, exist_ok=True)
    (cfg.work / "losses.json").write_text(json.dumps(losses))
    calibration = calibration_batches(tokenizer, prompts, pairs, cfg.seed)
    paths = export_artifact(model, encoder_dir / "tokenizer.json", cfg.work, calibration)
    cfg.out.mkdir(parents=True, exist_ok=True)
    for key in ("int8", "tokenizer", "heads"):
        paths[key].replace(cfg.out / paths[key].name)
    card = ClassifierCard(
        version=ARTIFACT_VERSION,
        categories=list(CATEGORY_IDS),
        operating_point=OperatingPoint(
            target_over_refusal=cfg.target_over_refusal, global_threshold=0.5
        ),
        max_windows=MAX_WINDOWS,
        recipe=cfg.model_dump(mode="json"),
        data=data.counts(),
        dedup=data.dedup,
    )
    (cfg.out / "card.json").write_text(card.model_dump_json(indent=2))
    card.operating_point = _calibrate(cfg.out, card, data, cfg.target_over_refusal, cfg.threads)
    card.recipe["train_seconds"] = round(time.perf_counter() - started, 1)
    card.sha256 = artifact_sha256([cfg.out / "encoder.int8.onnx", cfg.out / "heads.npz"])
    card.validation = prompt_validation(cfg.out)
    (cfg.out / "card.json").write_text(card.model_dump_json(indent=2))
    judge_card = _external_judge_card(cfg.out, data, cfg.threads)
    console.print(f"judge card: validated on {', '.join(judge_card.validated_on) or 'nothing'}")
    point = card.operating_point
    console.print(
        f"artifact written to {cfg.out}: dev look-alike FPR "
        f"{point.dev_metrics['lookalike_fpr']:.3f}, recall {point.dev_metrics['recall']:.3f}, "
        f"global threshold {point.global_threshold:.3f}"
    )
    return cfg.out

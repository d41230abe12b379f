"""Fine-tune the multi-task classifier: one loop, short enough to read top to bottom."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

import numpy as np
import torch
from numpy.typing import NDArray
from rich.progress import Progress
from torch.nn import functional as F

from tactful.classify import Batch, Tokenizer
from tactful.train.classifier._data import CATEGORY_IDS, PairExample, PromptExample
from tactful.train.classifier._model import MultiTaskModel

__all__ = [
    "IGNORE",
    "TrainSettings",
    "fine_tune",
    "predict_pairs",
    "predict_prompts",
    "refusal_target",
]

REFUSAL_INDEX = {"none": 0, "partial": 1, "full": 2, "unscorable": 3}
CATEGORY_INDEX = {c: i for i, c in enumerate(CATEGORY_IDS)}
IGNORE = -100


class TrainSettings:
    """Hyper-parameters (set from the recipe config)."""

    def __init__(
        self,
        *,
        epochs: int = 3,
        batch_size: int = 32,
        pair_batch_size: int = 16,
        lr: float = 4e-5,
        head_lr: float = 1e-3,
        category_weight: float = 0.5,
        pair_repeats: int = 1,
        max_windows: int = 4,
        seed: int = 0,
    ) -> None:
        self.epochs = epochs
        self.batch_size = batch_size
        self.pair_batch_size = pair_batch_size
        self.lr = lr
        self.head_lr = head_lr
        self.category_weight = category_weight
        self.pair_repeats = pair_repeats
        self.max_windows = max_windows
        self.seed = seed


def _tensors(batch: Batch) -> dict[str, torch.Tensor]:
    return {name: torch.from_numpy(array) for name, array in batch.items()}


def _bucketed(
    items: list[object], size: int, length: Callable[[object], int], rng: random.Random
) -> list[list[object]]:
    """Shuffled batches of similar length (little padding), in a shuffled order."""
    shuffled = list(items)
    rng.shuffle(shuffled)
    pool = size * 50
    batches: list[list[object]] = []
    for start in range(0, len(shuffled), pool):
        chunk = sorted(shuffled[start : start + pool], key=length)
        batches += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    return batches


def _prompt_length(example: object) -> int:
    assert isinstance(example, PromptExample)
    return len(example.text)


def _pair_length(example: object) -> int:
    assert isinstance(example, PairExample)
    return len(example.prompt) + len(example.response)


def _prompt_loss(
    model: MultiTaskModel, tok: Tokenizer, batch: Sequence[PromptExample], safe_weight: float
) -> torch.Tensor:
    out = model.heads(model.embed(**_tensors(tok.pad(tok.prompts([e.text for e in batch])))))
    target = torch.tensor([float(e.unsafe) for e in batch])
    weight = torch.tensor([e.weight * (1.0 if e.unsafe else safe_weight) for e in batch])
    loss = F.binary_cross_entropy_with_logits(out["unsafe"], target, weight=weight)
    categories = torch.tensor([CATEGORY_INDEX.get(e.category or "", IGNORE) for e in batch])
    if (categories != IGNORE).any():
        loss = loss + 0.5 * F.cross_entropy(out["category"], categories, ignore_index=IGNORE)
    return loss


def refusal_target(example: PairExample) -> int:
    """The refusal head's class for a pair; IGNORE when it has no refusal label."""
    if example.unscorable:
        return REFUSAL_INDEX["unscorable"]
    return REFUSAL_INDEX[example.refusal] if example.refusal else IGNORE


def _pair_heads(
    model: MultiTaskModel,
    tok: Tokenizer,
    prompts: Sequence[str],
    responses: Sequence[str],
    max_windows: int,
) -> dict[str, torch.Tensor]:
    """Refusal and harm logits per pair: each the maximum over the pair's windows."""
    windows = tok.pairs(prompts, responses, max_windows)
    out = model.heads(model.embed(**_tensors(tok.pad(windows.encoded))))
    owners = torch.tensor(windows.owners)
    pooled = {}
    for name in ("refusal", "harmful"):
        logits = out[name] if out[name].dim() == 2 else out[name].unsqueeze(-1)
        index = owners.unsqueeze(-1).expand_as(logits)
        init = torch.full((len(prompts), logits.shape[1]), float("-inf"))
        pooled[name] = init.scatter_reduce(0, index, logits, reduce="amax", include_self=True)
    pooled["harmful"] = pooled["harmful"].squeeze(-1)
    return pooled


def _pair_loss(
    model: MultiTaskModel, tok: Tokenizer, batch: Sequence[PairExample], max_windows: int
) -> torch.Tensor:
    out = _pair_heads(
        model, tok, [e.prompt for e in batch], [e.response for e in batch], max_windows
    )
    refusal = torch.tensor([refusal_target(e) for e in batch])
    loss = torch.zeros(())
    if (refusal != IGNORE).any():
        loss = loss + F.cross_entropy(out["refusal"], refusal, ignore_index=IGNORE)
    known = torch.tensor([e.harmful is not None for e in batch])
    if known.any():
        target = torch.tensor([float(bool(e.harmful)) for e in batch])
        loss = loss + F.binary_cross_entropy_with_logits(out["harmful"][known], target[known])
    return loss


def fine_tune(
    model: MultiTaskModel,
    tok: Tokenizer,
    prompts: list[PromptExample],
    pairs: list[PairExample],
    settings: TrainSettings,
    progress: Progress,
) -> list[float]:
    """Train every head and the encoder jointly; return the loss per step."""
    rng = random.Random(settings.seed)
    torch.manual_seed(settings.seed)
    unsafe_mass = sum(e.weight for e in prompts if e.unsafe)
    safe_weight = unsafe_mass / max(1e-9, sum(e.weight for e in prompts if not e.unsafe))
    model.encoder.embeddings.requires_grad_(False)  # the vocabulary table stays as pre-trained
    encoder_params = [p for p in model.encoder.parameters() if p.requires_grad]
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    optimizer = torch.optim.AdamW(
        [
            {"params": encoder_params, "lr": settings.lr},
            {"params": head_params, "lr": settings.head_lr},
        ],
        weight_decay=0.01,
    )
    pairs = pairs * settings.pair_repeats  # the judge heads have far fewer examples
    per_epoch = math.ceil(len(prompts) / settings.batch_size) + math.ceil(
        len(pairs) / settings.pair_batch_size
    )
    total = per_epoch * settings.epochs
    warmup = max(1, total // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / warmup, max(0.0, (total - step) / (total - warmup))),
    )
    task = progress.add_task("fine-tune", total=total)
    losses: list[float] = []
    model.train()
    for _ in range(settings.epochs):
        batches = [
            ("prompt", b)
            for b in _bucketed(list(prompts), settings.batch_size, _prompt_length, rng)
        ]
        batches += [
            ("pair", b) for b in _bucketed(list(pairs), settings.pair_batch_size, _pair_length, rng)
        ]
        rng.shuffle(batches)
        for kind, batch in batches:
            if kind == "prompt":
                loss = _prompt_loss(model, tok, batch, safe_weight)  # type: ignore[arg-type]
            else:
                loss = _pair_loss(model, tok, batch, settings.max_windows)  # type: ignore[arg-type]
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            losses.append(float(loss.detach()))
            progress.update(task, advance=1, description=f"fine-tune loss {losses[-1]:.3f}")
            if len(losses) % 50 == 0 and not progress.console.is_terminal:
                recent = sum(losses[-50:]) / 50
                progress.console.print(f"step {len(losses)}/{total}: mean loss {recent:.3f}")
    model.eval()
    return losses


@torch.no_grad()
def predict_prompts(
    model: MultiTaskModel, tok: Tokenizer, texts: Sequence[str], batch_size: int = 64
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Unsafe probability and category probabilities per prompt (torch, for checks)."""
    unsafe, category = [], []
    for i in range(0, len(texts), batch_size):
        out = model.heads(model.embed(**_tensors(tok.pad(tok.prompts(texts[i : i + batch_size])))))
        unsafe.append(torch.sigmoid(out["unsafe"]).numpy())
        category.append(torch.softmax(out["category"], -1).numpy())
    return np.concatenate(unsafe).astype(np.float64), np.concatenate(category).astype(np.float64)


@torch.no_grad()
def predict_pairs(
    model: MultiTaskModel,
    tok: Tokenizer,
    prompts: Sequence[str],
    responses: Sequence[str],
    batch_size: int = 32,
    max_windows: int = 4,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Refusal probabilities (none, partial, full, unscorable) and harm probability per pair."""
    refusal, harmful = [], []
    for i in range(0, len(prompts), batch_size):
        out = _pair_heads(
            model, tok, prompts[i : i + batch_size], responses[i : i + batch_size], max_windows
        )
        refusal.append(torch.softmax(out["refusal"], -1).numpy())
        harmful.append(torch.sigmoid(out["harmful"]).numpy())
    return np.concatenate(refusal).astype(np.float64), np.concatenate(harmful).astype(np.float64)

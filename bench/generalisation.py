"""Does the classifier learn harm or form? Shortcut audit and leave-one-source-out figures.

Run: python bench/generalisation.py [--shared-data ../shared/data] [--artifact DIR]

1. **Shortcut audit.** A model that sees only surface features of a prompt (first word, question
   mark, length, imperative verb, casing, "write/create/draft"…) is trained to predict the label
   on the training split (5-fold, folds by group). Its AUC should be near 0.5 (target ≤ 0.60): if
   form predicts the label, a classifier can learn form instead of harm. Then the artifact's
   recall on harmful prompts and flag rate on safe prompts per surface form, on the dev split.
2. **Leave-one-source-out (LOSO), proxy recipe.** Full fine-tuning per held-out source would take
   ~30 min each on 2 cores, so this table uses a cheaper proxy of the recipe: the frozen
   pre-trained MiniLM encoder (the recipe's input format, windows for long replies) with logistic-
   regression heads, trained on every other source and tested on the held-out one. Beside it, the
   same proxy trained and tested in-distribution (train split → test split) shows how much of an
   in-distribution figure is memory. The shipped artifact's own figures on sources it never saw
   are in bench/judges.py (replies) and bench/classifier.py (the `core` suite).
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from rich.console import Console
from rich.table import Table

from tactful.classify import EmbeddedClassifier, artifact_dir
from tactful.train.classifier._data import PairExample, TrainingData, assemble
from tactful.train.classifier._surface import (
    debias_weights,
    grouped_surface_scores,
    surface_form,
)

console = Console(width=200)


def shortcut_audit(data: TrainingData, classifier: EmbeddedClassifier) -> None:
    """Print the surface-feature AUC and the artifact's per-form figures on dev."""
    from sklearn.metrics import roc_auc_score

    table = Table(title="Shortcut audit: surface features only → label (AUC, 5-fold by group)")
    table.add_column("training prompts")
    table.add_column("n", justify="right")
    table.add_column("unsafe share", justify="right")
    table.add_column("surface AUC, raw", justify="right")
    table.add_column(
        "surface AUC, as trained (form-balancing weights; target ≤ 0.60)", justify="right"
    )
    train = [p for p in data.prompts if p.split == "train"]
    subsets = {
        "all sources": train,
        "contrast (authored) only": [p for p in train if p.source == "contrast"],
        "public sources only": [p for p in train if p.source != "contrast"],
    }
    for name, rows in subsets.items():
        labels = [p.unsafe for p in rows]
        y = np.asarray(labels)
        if len(set(labels)) < 2:
            continue
        scores = grouped_surface_scores([p.text for p in rows], labels, [p.group for p in rows])
        auc = roc_auc_score(y, scores)
        # A fresh surface model trained on the weighted data: can form still predict the label?
        weights = debias_weights(scores, labels)
        texts, groups = [p.text for p in rows], [p.group for p in rows]
        rescored = grouped_surface_scores(texts, labels, groups, weights=weights)
        weighted = roc_auc_score(y, rescored, sample_weight=weights)
        table.add_row(name, str(len(rows)), f"{y.mean():.2f}", f"{auc:.3f}", f"{weighted:.3f}")
    console.print(table)

    dev = [p for p in data.prompts if p.split == "dev"]
    flags = [f for _, _, f in classifier.assess([p.text for p in dev], [None] * len(dev))]
    forms = Table(title="Artifact on the dev split, by surface form")
    for column in ("form", "harmful", "recall", "safe", "flagged"):
        forms.add_column(column, justify="left" if column == "form" else "right")
    by_form: dict[str, list[tuple[bool, bool]]] = {}
    for prompt, flag in zip(dev, flags, strict=True):
        form = prompt.form or surface_form(prompt.text)
        by_form.setdefault(form, []).append((prompt.unsafe, flag))
    for form, outcomes in sorted(by_form.items()):
        unsafe = [f for u, f in outcomes if u]
        safe = [f for u, f in outcomes if not u]
        forms.add_row(
            form,
            str(len(unsafe)),
            f"{np.mean(unsafe):.3f}" if unsafe else "—",
            str(len(safe)),
            f"{np.mean(safe):.3f}" if safe else "—",
        )
    console.print(forms)


class FrozenEncoder:
    """Pre-trained MiniLM, mean-pooled, with the recipe's input format (torch, no training)."""

    def __init__(self, cache: Path) -> None:
        import torch
        from transformers import AutoModel

        from tactful.classify._tokenize import Tokenizer
        from tactful.train.classifier._model import minilm_path

        self.torch = torch
        self.model = AutoModel.from_pretrained(str(minilm_path())).eval()
        self.tok = Tokenizer(minilm_path() / "tokenizer.json")
        self.cache = cache
        cache.mkdir(parents=True, exist_ok=True)

    def _embed(self, encoded: list[tuple[list[int], list[int]]]) -> NDArray[np.float32]:
        out = np.zeros((len(encoded), 384), dtype=np.float32)
        order = np.argsort([len(ids) for ids, _ in encoded])
        with self.torch.no_grad():
            for start in range(0, len(order), 64):
                chunk = order[start : start + 64]
                batch = self.tok.pad([encoded[i] for i in chunk])
                tensors = {k: self.torch.from_numpy(v) for k, v in batch.items()}
                hidden = self.model(**tensors).last_hidden_state
                mask = tensors["attention_mask"].unsqueeze(-1).float()
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
                out[chunk] = pooled.numpy()
        return out

    def _cached(self, key: str, compute: object) -> NDArray[np.float32]:
        path = self.cache / f"{hashlib.sha256(key.encode()).hexdigest()[:20]}.npy"
        if path.is_file():
            return np.asarray(np.load(path), dtype=np.float32)
        assert callable(compute)
        value = np.asarray(compute(), dtype=np.float32)
        np.save(path, value)
        return value

    def prompts(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One embedding per prompt."""
        return self._cached(
            "prompts\0" + "\0".join(texts), lambda: self._embed(self.tok.prompts(texts))
        )

    def pairs(self, prompts: Sequence[str], responses: Sequence[str]) -> NDArray[np.float32]:
        """Per pair: mean and max over its windows' embeddings (768 values)."""

        def compute() -> NDArray[np.float32]:
            windows = self.tok.pairs(prompts, responses)
            emb = self._embed(windows.encoded)
            owners = np.asarray(windows.owners)
            mean = np.zeros((len(prompts), 384), dtype=np.float32)
            peak = np.full((len(prompts), 384), -np.inf, dtype=np.float32)
            np.add.at(mean, owners, emb)
            mean /= np.bincount(owners, minlength=len(prompts))[:, None]
            np.maximum.at(peak, owners, emb)
            return np.concatenate([mean, peak], axis=1)

        return self._cached(
            "pairs\0" + "\0".join(f"{p}\1{r}" for p, r in zip(prompts, responses, strict=True)),
            compute,
        )


def _fit_predict(
    x_train: NDArray[np.float32], y_train: Sequence[bool], x_test: NDArray[np.float32]
) -> NDArray[np.float64]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=3000, class_weight="balanced", C=1.0)
    model.fit(x_train, y_train)
    return np.asarray(model.predict_proba(x_test)[:, 1], dtype=np.float64)


def _figures(scores: NDArray[np.float64], gold: Sequence[bool]) -> dict[str, float]:
    from sklearn.metrics import f1_score, roc_auc_score

    y = np.asarray(gold, dtype=bool)
    pred = scores >= 0.5
    out = {"n": float(len(y)), "positives": float(y.sum())}
    if y.any():
        out["recall"] = float(pred[y].mean())
    if (~y).any():
        out["flagged"] = float(pred[~y].mean())
    if y.any() and (~y).any():
        out["f1"] = float(f1_score(y, pred))
        out["auc"] = float(roc_auc_score(y, scores))
        out["agreement"] = float((pred == y).mean())
    return out


def _row(table: Table, name: str, setting: str, figures: dict[str, float]) -> None:
    def cell(key: str, scale: float = 1.0, digits: int = 3) -> str:
        return f"{scale * figures[key]:.{digits}f}" if key in figures else "—"

    table.add_row(
        name,
        setting,
        f"{int(figures['n'])}",
        f"{int(figures['positives'])}",
        cell("recall"),
        cell("flagged"),
        cell("f1", 100, 1),
        cell("auc"),
        cell("agreement"),
    )


def _table(title: str, positive: str) -> Table:
    table = Table(title=title)
    for column in (
        "held-out source",
        "setting",
        "n",
        positive,
        "recall",
        "flagged",
        "F1",
        "AUC",
        "agreement",
    ):
        table.add_column(
            column, justify="left" if column in ("held-out source", "setting") else "right"
        )
    return table


def loso_prompts(data: TrainingData, encoder: FrozenEncoder, min_rows: int = 60) -> None:
    """Prompt harm: leave each source out, train the proxy on the rest, test on it."""
    rows = [p for p in data.prompts if p.split != "external"]
    x = encoder.prompts([p.text for p in rows])
    y = [p.unsafe for p in rows]
    sources = sorted({p.source.split("/")[0] for p in rows})
    table = _table("LOSO, prompt harm (proxy: frozen MiniLM + logistic regression)", "harmful")
    for source in sources:
        held = np.asarray([p.source.split("/")[0] == source for p in rows])
        if held.sum() < min_rows:
            continue
        scores = _fit_predict(x[~held], [v for v, h in zip(y, held, strict=True) if not h], x[held])
        _row(
            table,
            source,
            "left out",
            _figures(scores, [v for v, h in zip(y, held, strict=True) if h]),
        )
    train = np.asarray([p.split in ("train", "dev") for p in rows])
    test = np.asarray([p.split == "test" for p in rows])
    scores = _fit_predict(x[train], [v for v, t in zip(y, train, strict=True) if t], x[test])
    _row(
        table,
        "all sources",
        "in-distribution (train → test split)",
        _figures(scores, [v for v, t in zip(y, test, strict=True) if t]),
    )
    console.print(table)


def _harm_gold(pair: PairExample) -> bool | None:
    return pair.harmful


def _refused_gold(pair: PairExample) -> bool | None:
    return None if pair.refusal is None else pair.refusal != "none"


def loso_pairs(data: TrainingData, encoder: FrozenEncoder, min_rows: int = 60) -> None:
    """Reply harm and refusal: leave each source out (composed pairs never tested)."""
    rows = list(data.pairs)
    x = encoder.pairs([p.prompt for p in rows], [p.response for p in rows])
    origin = [p.source for p in rows]
    for verdict, gold_of in (("harmful", _harm_gold), ("refused", _refused_gold)):
        labelled = [i for i, p in enumerate(rows) if gold_of(p) is not None]
        table = _table(
            f"LOSO, reply {verdict} (proxy: frozen MiniLM + logistic regression)", verdict
        )
        for source in sorted({origin[i] for i in labelled} - {"composed"}):
            held = [i for i in labelled if origin[i] == source]
            # Pairs composed around a held-out source's answers are left out with it.
            rest = [
                i
                for i in labelled
                if origin[i] != source
                and not (origin[i] == "composed" and source in ("judge_labels", "model_responses"))
            ]
            gold = [bool(gold_of(rows[i])) for i in held]
            if len(held) < min_rows or len(set(gold)) < 1:
                continue
            scores = _fit_predict(x[rest], [bool(gold_of(rows[i])) for i in rest], x[held])
            _row(table, source, "left out", _figures(scores, gold))
        train = [i for i in labelled if rows[i].split in ("train", "dev")]
        test = [i for i in labelled if rows[i].split == "test"]
        scores = _fit_predict(x[train], [bool(gold_of(rows[i])) for i in train], x[test])
        _row(
            table,
            "all sources",
            "in-distribution (train → test split)",
            _figures(scores, [bool(gold_of(rows[i])) for i in test]),
        )
        console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--artifact", type=Path, default=artifact_dir())
    parser.add_argument("--cache", type=Path, default=Path("build/bench/embeddings"))
    parser.add_argument("--skip-loso", action="store_true")
    args = parser.parse_args()
    data = assemble(
        args.shared_data,
        Path("data/contrast"),
        Path("data/judge_labels"),
        frames=Path("data/judge_frames/frames.jsonl"),
    )
    shortcut_audit(data, EmbeddedClassifier(args.artifact))
    if not args.skip_loso:
        encoder = FrozenEncoder(args.cache)
        loso_prompts(data, encoder)
        loso_pairs(data, encoder)


if __name__ == "__main__":
    main()

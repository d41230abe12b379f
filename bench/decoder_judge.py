"""Could a small decoder LM (the embedded SmolLM2-135M) judge replies better than MiniLM?

Run: python bench/decoder_judge.py [--train-pairs N] [--quick] [--shared-data ../shared/data]

Measures, on 2 cores, what the issue asks before a SmolLM2-based judge is built:

1. **Speed.** Pairs/s of one SmolLM2-135M forward pass over the longest real replies: the cost
   floor of any judge built on SmolLM2, beside the shipped embedded judge's pairs/s on the same
   pairs (timed as bench/judges.py does). Two backends run the embedded GGUF: llama.cpp
   (embedding mode) and transformers (GGUF dequantised to float32; needs the optional ``gguf``
   and ``accelerate`` packages). They run pair by pair in turn on a few pairs, so both get the
   same share of a busy machine; the faster one then runs over all the longest replies and
   computes the features below. Tokens/s and the CPU cores this process got are printed too.
2. **Quality, like for like.** Frozen features + logistic-regression heads (refused-vs-not,
   harmful-vs-not; regularisation chosen by 5-fold group CV on the training pairs), trained on
   the same source-stratified subsample of training pairs for (a) SmolLM2-135M hidden states
   (mean over the reply's tokens and the last token, the pair shown in SmolLM2's chat format) and
   (b) the pre-trained MiniLM (``FrozenEncoder`` of bench/generalisation.py: mean and max over
   its windows). Tested on RBR gold and DICES (held out whole) and the held-out test split; the
   shipped (fine-tuned) embedded judge is shown on the same pairs for reference.
3. **Zero-shot.** The ``llm`` judge backed by the embedded SmolLM2 on a sample of RBR gold:
   agreement and pairs/s, beside the heads' figures on the same sample.

Features are cached under ~/.cache/tactful-bench/ keyed by content hash, so reruns are fast.
--quick runs small samples of everything (a smoke run; its figures are not meaningful).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.util
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generalisation import FrozenEncoder
from judges import _sets

from tactful.classify import EmbeddedClassifier, artifact_dir
from tactful.judges import EmbeddedJudge
from tactful.judges._llm import LLMJudge
from tactful.models._llamacpp import LlamaCppModel, smollm2_path
from tactful.train.classifier._data import PairExample, assemble
from tactful.train.classifier._validate import (
    gold_of,
    verdict_accuracy,
    verdicts_of,
)

console = Console(width=200)

VERDICTS = ("refused", "harmful")
FLOOR = 10.0
"""The issue's speed floor for a judge: pairs/s on long replies."""
CACHE = Path.home() / ".cache" / "tactful-bench"
SMOLLM2 = "SmolLM2-135M, frozen"
MINILM = "MiniLM, frozen"
SHIPPED = "shipped embedded judge (fine-tuned; reference)"

Features = NDArray[np.float32]
Verdicts = dict[str, list[bool | None]]


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def _sha(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


# --------------------------------------------------------------------------- data


@dataclass
class Bench:
    """The pairs every section uses."""

    train: list[PairExample]
    tests: dict[str, tuple[str, list[PairExample]]]
    longest: list[PairExample]
    pool_sizes: dict[str, int] = field(default_factory=dict)


def _stratified(
    pairs: Sequence[PairExample], n: int, key: Callable[[PairExample], str], seed: int
) -> list[PairExample]:
    """``n`` pairs sampled proportionally per ``key`` (largest remainders; all when n >= len).

    Each stratum is shuffled once by ``seed`` and cut, so a larger ``n`` keeps the smaller
    sample's pairs (and their cached features).
    """
    if n >= len(pairs):
        return list(pairs)
    strata: dict[str, list[PairExample]] = {}
    for pair in pairs:
        strata.setdefault(key(pair), []).append(pair)
    quota = {k: n * len(v) / len(pairs) for k, v in strata.items()}
    take = {k: int(q) for k, q in quota.items()}
    for k in sorted(quota, key=lambda k: quota[k] - take[k], reverse=True)[
        : n - sum(take.values())
    ]:
        take[k] += 1
    out: list[PairExample] = []
    rng = random.Random(seed)
    for k in sorted(strata):
        rows = list(strata[k])
        rng.shuffle(rows)
        out.extend(rows[: take[k]])
    return out


def _labelled(pair: PairExample) -> bool:
    return any(gold_of(pair, v) is not None for v in VERDICTS)


def _label_key(pair: PairExample) -> str:
    return f"{pair.source}|{gold_of(pair, 'refused')}|{gold_of(pair, 'harmful')}"


def load_bench(args: argparse.Namespace, classifier: EmbeddedClassifier) -> Bench:
    """Training subsample, test sets (external whole or subsampled) and the longest replies."""
    data = assemble(
        args.shared_data,
        Path("data/contrast"),
        Path("data/judge_labels"),
        frames=Path("data/judge_frames/frames.jsonl"),
    )
    pool = [p for p in data.pairs if p.split == "train" and _labelled(p)]
    train = _stratified(pool, args.train_pairs, lambda p: p.source, args.seed)
    real = _sets(args.shared_data, classifier)
    tests: dict[str, tuple[str, list[PairExample]]] = {}
    sizes: dict[str, int] = {}
    for name in ("rbr_gold", "dices"):
        kind, pairs = real[name]
        sizes[name] = len(pairs)
        tests[name] = (kind, _stratified(pairs, args.external_pairs, _label_key, args.seed))
    held = [p for p in data.pairs if p.split == "test" and p.source != "composed" and _labelled(p)]
    sizes["test split"] = len(held)
    tests["test split"] = ("test split", _stratified(held, args.test_pairs, _label_key, args.seed))
    every = [p for _, pairs in real.values() for p in pairs]
    longest = sorted(every, key=lambda p: len(p.response), reverse=True)[: args.speed_pairs]
    return Bench(
        train=train, tests=tests, longest=longest, pool_sizes={"train": len(pool), **sizes}
    )


def print_data(bench: Bench) -> None:
    """What each section trains and tests on."""
    table = Table(title="Pairs used (training: stratified by source from the train split)")
    for column in ("set", "held out as", "pairs used", "of", "refusal labels", "harm labels"):
        table.add_column(column, justify="left" if column in ("set", "held out as") else "right")
    rows = [("train subsample", "train split", bench.train, bench.pool_sizes["train"])]
    for name, (kind, pairs) in bench.tests.items():
        rows.append((name, kind, pairs, bench.pool_sizes[name]))
    for name, kind, pairs, total in rows:
        counts = [sum(gold_of(p, v) is not None for p in pairs) for v in VERDICTS]
        table.add_row(name, kind, str(len(pairs)), str(total), *map(str, counts))
    console.print(table)
    sources: dict[str, int] = {}
    for pair in bench.train:
        sources[pair.source] = sources.get(pair.source, 0) + 1
    console.print(
        "training subsample by source: " + ", ".join(f"{s} {n}" for s, n in sorted(sources.items()))
    )


# --------------------------------------------------------------------------- SmolLM2 features


def _head_tail(ids: list[int], limit: int) -> list[int]:
    if len(ids) <= limit:
        return ids
    head = limit // 4
    return ids[:head] + ids[len(ids) - (limit - head) :]


class SmolFeatures:
    """Frozen SmolLM2-135M (the embedded GGUF): every token's last hidden state, pooled.

    A pair is shown in SmolLM2's chat format (user request, assistant reply, then a user turn
    asking whether the reply refuses or harms); prompt and reply keep their head and tail. The
    features are the mean hidden state over the reply's tokens and the last token's (1,152
    values). The forward pass runs in llama.cpp (embedding mode, no pooling) or, after
    ``use_transformers``, in transformers on the same GGUF dequantised to float32; both read
    llama.cpp's token ids.
    """

    QUESTION = "Did the assistant refuse, and is its reply harmful?"

    def __init__(self, prompt_tokens: int, reply_tokens: int, threads: int = 2) -> None:
        import llama_cpp

        self.lib: Any = llama_cpp
        self.path = smollm2_path()
        self.prompt_tokens, self.reply_tokens = prompt_tokens, reply_tokens
        context = prompt_tokens + reply_tokens + 64
        self.llm: Any = llama_cpp.Llama(
            model_path=str(self.path),
            embedding=True,
            pooling_type=llama_cpp.LLAMA_POOLING_TYPE_NONE,
            n_ctx=context,
            n_batch=context,
            n_ubatch=context,
            n_threads=threads,
            n_threads_batch=threads,
            verbose=False,
        )
        self.width = int(self.llm.n_embd())
        self.torch_model: Any = None
        self.backend = "llama.cpp"
        self._special = {
            name: self._tokenize(text, special=True)
            for name, text in (
                ("open", "<|im_start|>user\n"),
                ("reply", "<|im_end|>\n<|im_start|>assistant\n"),
                ("ask", f"<|im_end|>\n<|im_start|>user\n{self.QUESTION}<|im_end|>\n"),
                ("answer", "<|im_start|>assistant\n"),
            )
        }

    @property
    def identity(self) -> str:
        """What the features depend on (the cache key's prefix)."""
        size = self.path.stat().st_size
        caps = f"{self.prompt_tokens}|{self.reply_tokens}"
        return f"smollm2-v1|{self.path.name}|{size}|{caps}|{self.backend}"

    def load_transformers(self) -> str | None:
        """Load the transformers model; the reason when it cannot be loaded."""
        missing = [n for n in ("gguf", "accelerate") if importlib.util.find_spec(n) is None]
        if missing:
            return (
                f"transformers needs {' and '.join(missing)} to load a GGUF file "
                "(pip install gguf accelerate)"
            )
        from transformers import AutoModel

        model = AutoModel.from_pretrained(str(self.path.parent), gguf_file=self.path.name)
        self.torch_model = model.eval()
        return None

    def _tokenize(self, text: str, special: bool = False) -> list[int]:
        ids = self.llm.tokenize(text.encode(), add_bos=False, special=special)
        return [int(i) for i in ids]

    def encode(self, prompt: str, reply: str) -> tuple[list[int], int, int]:
        """Token ids of one pair and the [start, end) span of its reply tokens."""
        s = self._special
        head = [*s["open"], *_head_tail(self._tokenize(prompt), self.prompt_tokens), *s["reply"]]
        body = _head_tail(self._tokenize(reply), self.reply_tokens) or s["reply"][-1:]
        return [*head, *body, *s["ask"], *s["answer"]], len(head), len(head) + len(body)

    def hidden(self, ids: Sequence[int], backend: str | None = None) -> NDArray[np.float32]:
        """Last hidden state of every token of one sequence (one forward pass)."""
        if (backend or self.backend) == "transformers":
            import torch

            with torch.inference_mode():
                out = self.torch_model(input_ids=torch.tensor([list(ids)]))
            return np.asarray(out.last_hidden_state[0].numpy(), dtype=np.float32)
        llm = self.llm
        llm._ctx.kv_cache_clear()
        llm._batch.reset()
        llm._batch.add_sequence(list(ids), 0, True)
        llm._ctx.decode(llm._batch)
        pointer = self.lib.llama_get_embeddings(llm._ctx.ctx)
        return np.ctypeslib.as_array(pointer, shape=(len(ids), self.width)).copy()

    def features(self, prompt: str, reply: str) -> NDArray[np.float32]:
        """Mean hidden state over the reply's tokens, then the last token's."""
        ids, start, end = self.encode(prompt, reply)
        states = self.hidden(ids)
        return np.concatenate([states[start:end].mean(axis=0), states[-1]])


class FeatureStore:
    """Per-pair feature vectors of one extractor, saved as one .npz keyed by content hash."""

    def __init__(self, identity: str) -> None:
        CACHE.mkdir(parents=True, exist_ok=True)
        self.path = CACHE / f"{_sha(identity)}.npz"
        self.rows: dict[str, NDArray[np.float32]] = {}
        if self.path.is_file():
            with np.load(self.path) as saved:
                keys, values = saved["keys"], saved["values"]
                self.rows = {str(k): values[i] for i, k in enumerate(keys)}

    def save(self) -> None:
        """Write every row (atomically)."""
        keys = np.asarray(list(self.rows))
        values = np.stack(list(self.rows.values())) if self.rows else np.zeros((0, 0))
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, values=values)
        tmp.replace(self.path)


def smol_matrix(
    extractor: SmolFeatures, pairs: Sequence[PairExample], label: str, progress: Progress
) -> Features:
    """SmolLM2 features of ``pairs`` (cached per pair, saved every 100 new pairs)."""
    store = FeatureStore(extractor.identity)
    keys = [_sha(p.prompt, p.response) for p in pairs]
    task = progress.add_task(f"SmolLM2 features ({extractor.backend}): {label}", total=len(pairs))
    fresh = 0
    for key, pair in zip(keys, pairs, strict=True):
        if key not in store.rows:
            store.rows[key] = extractor.features(pair.prompt, pair.response)
            fresh += 1
            if fresh % 100 == 0:
                store.save()
        progress.advance(task)
    if fresh:
        store.save()
    return np.stack([store.rows[k] for k in keys]).astype(np.float32)


def minilm_matrix(
    encoder: FrozenEncoder, pairs: Sequence[PairExample], label: str, progress: Progress
) -> Features:
    """Frozen MiniLM features of ``pairs`` (FrozenEncoder caches each chunk by content)."""
    task = progress.add_task(f"MiniLM features: {label}", total=len(pairs))
    parts = []
    for start in range(0, len(pairs), 128):
        chunk = pairs[start : start + 128]
        parts.append(encoder.pairs([p.prompt for p in chunk], [p.response for p in chunk]))
        progress.advance(task, len(chunk))
    return np.concatenate(parts).astype(np.float32)


# --------------------------------------------------------------------------- speed


@dataclass
class Speed:
    """One timed judge or forward pass."""

    name: str
    backend: str
    pairs: int
    seconds: float
    cpu: float
    tokens: float | None = None

    @property
    def pairs_per_s(self) -> float:
        return self.pairs / self.seconds

    @property
    def tokens_per_s(self) -> float | None:
        return None if self.tokens is None else self.tokens / self.seconds


class Clock:
    """Wall time and this process's CPU time of what runs inside it."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def shipped_speed(artifact: Path, pairs: Sequence[PairExample]) -> Speed:
    """The default embedded judge, fresh and warmed up, as bench/judges.py times it."""
    judge = EmbeddedJudge(EmbeddedClassifier(artifact))
    prompts, responses = [p.prompt for p in pairs], [p.response for p in pairs]
    judge.judge_pairs(prompts[:8], responses[:8])
    with Clock() as clock:
        judge.judge_pairs(prompts, responses)
    backend = "onnxruntime int8, whole reply (≤ 8 windows)"
    return Speed(SHIPPED, backend, len(pairs), clock.wall, clock.cpu)


def smol_speed(
    extractor: SmolFeatures,
    pairs: Sequence[PairExample],
    backends: Sequence[str],
    progress: Progress,
) -> list[Speed]:
    """One SmolLM2 forward pass per pair (features included) per backend, pair by pair in turn.

    Interleaving the backends gives both the same share of whatever else the machine runs.
    """
    encoded = [extractor.encode(p.prompt, p.response)[0] for p in pairs]
    for backend in backends:
        extractor.hidden(encoded[0], backend)
    wall, cpu = dict.fromkeys(backends, 0.0), dict.fromkeys(backends, 0.0)
    task = progress.add_task(f"SmolLM2 forward pass: {', '.join(backends)}", total=len(pairs))
    for ids in encoded:
        for backend in backends:
            with Clock() as clock:
                extractor.hidden(ids, backend)
            wall[backend] += clock.wall
            cpu[backend] += clock.cpu
        progress.advance(task)
    caps = f"≤ {extractor.prompt_tokens}+{extractor.reply_tokens} tokens"
    label = {
        "llama.cpp": "llama.cpp embedding mode, Q4_1, 2 threads",
        "transformers": "transformers + torch, float32, 2 threads",
    }
    tokens = sum(map(len, encoded))
    return [
        Speed(
            "SmolLM2-135M forward pass", f"{label[b]}, {caps}", len(pairs), wall[b], cpu[b], tokens
        )
        for b in backends
    ]


def print_speed(speeds: Sequence[Speed], words: float, notes: Sequence[str]) -> None:
    """Pairs/s and tokens/s per row."""
    table = Table(
        title=f"Speed on the longest real replies (mean {words:.0f} words; "
        f"floor ≥ {FLOOR:g} pairs/s)"
    )
    for column in (
        "what",
        "backend",
        "pairs",
        "tokens read / pair",
        "tokens/s",
        "pairs/s",
        f"≥ {FLOOR:g}?",
        "CPU cores used",
    ):
        table.add_column(column, justify="left" if column in ("what", "backend") else "right")
    for s in speeds:
        per_pair = "—" if s.tokens is None else f"{s.tokens / s.pairs:.0f}"
        rate = "—" if s.tokens_per_s is None else f"{s.tokens_per_s:.0f}"
        ok = "yes" if s.pairs_per_s >= FLOOR else "no"
        busy = f"{s.cpu / s.seconds:.2f}"
        table.add_row(
            s.name, s.backend, str(s.pairs), per_pair, rate, f"{s.pairs_per_s:.2f}", ok, busy
        )
    console.print(table)
    for note in notes:
        console.print(note)
    console.print(
        "CPU cores used = this process's CPU time / wall time (2 cores; well under the threads "
        "it runs means other processes took the cores; spin-waiting threads count as used)."
    )


# --------------------------------------------------------------------------- quality


@dataclass
class Figures:
    """Agreement of one verdict on one set (an unscorable verdict is a miss)."""

    n: int
    agreement: float
    f1: float
    balanced: float
    tp: int = 0
    tn: int = 0
    positives: int = 0
    negatives: int = 0


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / max(1, 2 * tp + fp + fn)


def figures(predicted: Sequence[bool | None], gold: Sequence[bool | None]) -> Figures | None:
    """Agreement, F1 and balanced accuracy on the labelled pairs (None: one class only)."""
    accuracy = verdict_accuracy(predicted, gold, ["set"])
    if accuracy is None:
        return None
    fp = accuracy.negatives - accuracy.true_negatives
    n = accuracy.positives + accuracy.negatives
    return Figures(
        n=n,
        agreement=(accuracy.true_positives + accuracy.true_negatives) / n,
        f1=_f1(accuracy.true_positives, fp, accuracy.positives - accuracy.true_positives),
        balanced=(accuracy.sensitivity + accuracy.specificity) / 2,
        tp=accuracy.true_positives,
        tn=accuracy.true_negatives,
        positives=accuracy.positives,
        negatives=accuracy.negatives,
    )


def pooled(parts: Sequence[Figures]) -> Figures | None:
    """One verdict's figures from counts summed over several sets."""
    if not parts:
        return None
    tp, tn = sum(f.tp for f in parts), sum(f.tn for f in parts)
    pos, neg = sum(f.positives for f in parts), sum(f.negatives for f in parts)
    fp = neg - tn
    return Figures(
        n=pos + neg,
        agreement=(tp + tn) / (pos + neg),
        f1=_f1(tp, fp, pos - tp),
        balanced=(tp / pos + tn / neg) / 2,
        tp=tp,
        tn=tn,
        positives=pos,
        negatives=neg,
    )


@dataclass
class Head:
    """A logistic-regression head on frozen features, with how it was chosen."""

    model: Any
    n: int
    positives: int
    c: float
    cv_balanced: float


def fit_head(x: Features, gold: Sequence[bool | None], groups: Sequence[str], seed: int) -> Head:
    """Standardised features → balanced logistic regression; C by 5-fold group CV."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rows = [i for i, g in enumerate(gold) if g is not None]
    xs, y = x[rows], np.asarray([bool(gold[i]) for i in rows])
    grp = np.asarray([groups[i] for i in rows])

    def make(c: float) -> Any:
        return make_pipeline(
            StandardScaler(),
            LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=seed),
        )

    best_c, best = 1.0, -1.0
    for c in (0.001, 0.01, 0.1, 1.0):
        scores = []
        for fit, held in GroupKFold(n_splits=5).split(xs, y, grp):
            if len(set(y[fit])) < 2 or len(set(y[held])) < 2:
                continue
            scores.append(
                balanced_accuracy_score(y[held], make(c).fit(xs[fit], y[fit]).predict(xs[held]))
            )
        score = float(np.mean(scores)) if scores else -1.0
        if score > best:
            best_c, best = c, score
    return Head(make(best_c).fit(xs, y), len(rows), int(y.sum()), best_c, best)


@dataclass
class Results:
    """Per judge, per set: verdicts and figures."""

    verdicts: dict[str, dict[str, Verdicts]] = field(default_factory=dict)
    scores: dict[str, dict[str, dict[str, Figures | None]]] = field(default_factory=dict)

    def add(self, judge: str, name: str, verdicts: Verdicts, pairs: Sequence[PairExample]) -> None:
        self.verdicts.setdefault(judge, {})[name] = verdicts
        self.scores.setdefault(judge, {})[name] = {
            v: figures(verdicts[v], [gold_of(p, v) for p in pairs]) for v in VERDICTS
        }

    def external(
        self, judge: str, tests: dict[str, tuple[str, list[PairExample]]]
    ) -> dict[str, Figures | None]:
        """Each verdict pooled over the sets held out whole."""
        names = [n for n, (kind, _) in tests.items() if kind == "external"]
        return {
            v: pooled([f for n in names if (f := self.scores[judge][n][v]) is not None])
            for v in VERDICTS
        }


def probe_verdicts(heads: dict[str, Head], x: Features) -> Verdicts:
    """Verdicts of the heads on features ``x``."""
    out: Verdicts = {}
    for verdict in VERDICTS:
        out[verdict] = [bool(v) for v in heads[verdict].model.predict(x)]
    return out


def print_heads(heads: dict[str, dict[str, Head]], how: dict[str, tuple[int, str]]) -> None:
    """How each head was fitted."""
    table = Table(
        title="Logistic-regression heads on frozen features (same training pairs for both)"
    )
    for column in (
        "features",
        "computed by",
        "dims",
        "verdict",
        "train n",
        "positives",
        "C (5-fold group CV)",
        "CV balanced acc.",
    ):
        left = column in ("features", "computed by", "verdict")
        table.add_column(column, justify="left" if left else "right")
    for name, by_verdict in heads.items():
        for verdict, head in by_verdict.items():
            table.add_row(
                name,
                how[name][1],
                str(how[name][0]),
                verdict,
                str(head.n),
                str(head.positives),
                f"{head.c:g}",
                f"{head.cv_balanced:.3f}",
            )
    console.print(table)


def _cells(f: Figures | None) -> list[str]:
    if f is None:
        return ["—"] * 4
    return [str(f.n), f"{f.agreement:.3f}", f"{100 * f.f1:.1f}", f"{f.balanced:.3f}"]


def print_quality(results: Results, tests: dict[str, tuple[str, list[PairExample]]]) -> None:
    """Per judge and set, then pooled over the external sets."""
    table = Table(title="Quality on human-labelled replies never trained on (unscorable = miss)")
    columns = ["judge", "set", "held out as"]
    columns += [
        f"{v} {c}" for v in ("refused", "harm") for c in ("n", "agreement", "F1", "bal. acc.")
    ]
    for column in columns:
        table.add_column(
            column, justify="left" if column in ("judge", "set", "held out as") else "right"
        )
    for judge, by_set in results.scores.items():
        for name, by_verdict in by_set.items():
            table.add_row(
                judge,
                name,
                tests[name][0],
                *_cells(by_verdict["refused"]),
                *_cells(by_verdict["harmful"]),
            )
        table.add_section()
    console.print(table)
    summary = Table(
        title="Pooled over the external sets ("
        + ", ".join(n for n, (k, _) in tests.items() if k == "external")
        + ")"
    )
    for column in (
        "judge",
        "refused n",
        "refused bal. acc.",
        "refusal F1",
        "harm n",
        "harm bal. acc.",
        "harm F1",
        "mean bal. acc.",
    ):
        summary.add_column(column, justify="left" if column == "judge" else "right")
    for judge in results.scores:
        ext = results.external(judge, tests)
        ref, harm = ext["refused"], ext["harmful"]
        mean = _mean_balanced(ext)
        summary.add_row(
            judge,
            str(ref.n) if ref else "—",
            f"{ref.balanced:.3f}" if ref else "—",
            f"{100 * ref.f1:.1f}" if ref else "—",
            str(harm.n) if harm else "—",
            f"{harm.balanced:.3f}" if harm else "—",
            f"{100 * harm.f1:.1f}" if harm else "—",
            f"{mean:.3f}",
        )
    console.print(summary)


def _mean_balanced(by_verdict: dict[str, Figures | None]) -> float:
    values = [f.balanced for f in by_verdict.values() if f is not None]
    return float(np.mean(values)) if values else float("nan")


# --------------------------------------------------------------------------- zero-shot


@dataclass
class ZeroShot:
    """The llm judge on a sample: its verdicts and wall time."""

    pairs: list[PairExample]
    verdicts: Verdicts
    seconds: float
    reasons: dict[str, int]


def zero_shot(pairs: Sequence[PairExample], progress: Progress) -> ZeroShot:
    """``llm:`` judge backed by the embedded SmolLM2, refusal prompt and rubric on every pair."""
    model = LlamaCppModel(smollm2_path())
    judge = LLMJudge(model, spec="smollm2", rubric="always")
    task = progress.add_task("zero-shot llm judge (SmolLM2)", total=len(pairs))
    gate = asyncio.Semaphore(model.max_concurrency)

    async def one(pair: PairExample) -> Any:
        async with gate:
            judgement = await judge.judge(pair.prompt, pair.response)
        progress.advance(task)
        return judgement

    async def every() -> list[Any]:
        return list(await asyncio.gather(*(one(p) for p in pairs)))

    started = time.perf_counter()
    judgements = asyncio.run(every())
    seconds = time.perf_counter() - started
    reasons: dict[str, int] = {}
    for judgement in judgements:
        if not judgement.scorable:
            reason = (judgement.rationale or "unscorable").split(":")[0]
            reasons[reason] = reasons.get(reason, 0) + 1
    return ZeroShot(list(pairs), verdicts_of(judgements), seconds, reasons)


def print_zero_shot(
    shot: ZeroShot, results: Results, sample: list[int]
) -> dict[str, dict[str, Figures | None]]:
    """The llm judge beside the heads and the shipped judge on the same RBR gold pairs."""
    table = Table(
        title=f"Zero-shot llm judge (SmolLM2-135M) on {len(shot.pairs)} RBR gold pairs, "
        f"{len(shot.pairs) / shot.seconds:.3f} pairs/s, {sum(shot.reasons.values())} unscorable "
        "(= misses)"
    )
    columns = ["judge"] + [
        f"{v} {c}" for v in ("refused", "harm") for c in ("n", "agreement", "F1", "bal. acc.")
    ]
    for column in columns:
        table.add_column(column, justify="left" if column == "judge" else "right")
    out: dict[str, dict[str, Figures | None]] = {}
    rows: dict[str, Verdicts] = {"llm:smollm2 (zero-shot)": shot.verdicts}
    for judge, by_set in results.verdicts.items():
        rows[judge] = {v: [by_set["rbr_gold"][v][i] for i in sample] for v in VERDICTS}
    for judge, verdicts in rows.items():
        out[judge] = {
            v: figures(verdicts[v], [gold_of(p, v) for p in shot.pairs]) for v in VERDICTS
        }
        table.add_row(judge, *_cells(out[judge]["refused"]), *_cells(out[judge]["harmful"]))
    console.print(table)
    for reason, count in sorted(shot.reasons.items(), key=lambda r: -r[1]):
        console.print(f"llm judge unscorable: {count} × {reason}")
    return out


# --------------------------------------------------------------------------- conclusion


def _quality_lines(results: Results, tests: dict[str, tuple[str, list[PairExample]]]) -> list[str]:
    lines = []
    ext = {j: results.external(j, tests) for j in (SMOLLM2, MINILM, SHIPPED)}
    for verdict in VERDICTS:
        a, b = ext[SMOLLM2][verdict], ext[MINILM][verdict]
        if a is None or b is None:
            continue
        better = "SmolLM2" if a.balanced > b.balanced else "MiniLM"
        lines.append(
            f"{verdict}: on the external sets the better frozen encoder is {better} "
            f"(balanced accuracy SmolLM2 {a.balanced:.3f} vs MiniLM {b.balanced:.3f}; "
            f"F1 {100 * a.f1:.1f} vs {100 * b.f1:.1f})."
        )
    means = {j: _mean_balanced(e) for j, e in ext.items()}
    lines.append(
        f"mean external balanced accuracy: SmolLM2 heads {means[SMOLLM2]:.3f}, MiniLM heads "
        f"{means[MINILM]:.3f}, shipped fine-tuned judge {means[SHIPPED]:.3f}"
        + (
            "; frozen SmolLM2 heads beat the shipped judge there."
            if means[SMOLLM2] > means[SHIPPED]
            else "; frozen SmolLM2 heads do not beat the shipped judge there."
        )
    )
    return lines


def _speed_lines(speeds: Sequence[Speed]) -> list[str]:
    ship = next(s for s in speeds if s.name == SHIPPED)
    forward = [s for s in speeds if s.name != SHIPPED]
    paired, whole = forward[:-1], forward[-1]
    best = max(forward, key=lambda s: s.tokens_per_s or 0.0)
    best_rate = best.tokens_per_s or 0.0
    meets = "meets" if whole.pairs_per_s >= FLOOR else "misses"
    lines = [
        f"a single SmolLM2 forward pass ({whole.backend.split(' ')[0]}) over the {whole.pairs} "
        f"longest replies runs at {whole.pairs_per_s:.2f} pairs/s "
        f"({(whole.tokens or 0) / whole.pairs:.0f} tokens per pair): it {meets} the {FLOOR:g} "
        f"pairs/s floor. At the best rate measured ({best_rate:.0f} tokens/s, "
        f"{best.backend.split(' ')[0]}) the floor allows about {best_rate / FLOOR:.0f} tokens per "
        f"pair, prompt and reply included. The shipped judge: {ship.pairs_per_s:.1f} pairs/s on "
        "the same pairs."
    ]
    if paired:
        fast = max(paired, key=lambda s: s.pairs_per_s)
        rates = " vs ".join(f"{s.backend.split(' ')[0]} {s.tokens_per_s or 0:.0f}" for s in paired)
        lines.append(
            f"faster SmolLM2 backend, same {fast.pairs} pairs in turn: "
            f"{fast.backend.split(' ')[0]} (tokens/s {rates})."
        )
    busy = min(s.cpu / s.seconds for s in forward)
    if busy < 1.5:
        lines.append(
            f"caution: a SmolLM2 row got only {busy:.2f} of 2 cores (other processes were "
            "running), so its speed is below an idle machine's."
        )
    return lines


def conclude(
    speeds: Sequence[Speed],
    results: Results,
    tests: dict[str, tuple[str, list[PairExample]]],
    shot: dict[str, dict[str, Figures | None]] | None,
    shot_rate: float | None,
) -> None:
    """A few sentences computed from the figures above."""
    lines = [*_quality_lines(results, tests), *_speed_lines(speeds)]
    if shot is not None and shot_rate is not None:
        llm = shot["llm:smollm2 (zero-shot)"]
        lines.append(
            f"zero-shot llm judge: mean balanced accuracy {_mean_balanced(llm):.3f} on its "
            f"RBR gold sample (SmolLM2 heads {_mean_balanced(shot[SMOLLM2]):.3f}, shipped "
            f"{_mean_balanced(shot[SHIPPED]):.3f}) at {shot_rate:.3f} pairs/s."
        )
    console.rule("Conclusion")
    for line in lines:
        console.print("• " + line)


# --------------------------------------------------------------------------- main


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--artifact", type=Path, default=artifact_dir())
    parser.add_argument("--train-pairs", type=int, default=600, help="training subsample size")
    parser.add_argument("--test-pairs", type=int, default=300, help="held-out test split sample")
    parser.add_argument(
        "--external-pairs", type=int, default=500, help="at most N per external set"
    )
    parser.add_argument("--speed-pairs", type=int, default=200, help="longest replies timed")
    parser.add_argument(
        "--zero-shot", type=int, default=24, help="RBR gold pairs for the llm judge"
    )
    parser.add_argument("--prompt-tokens", type=int, default=96, help="SmolLM2: prompt head+tail")
    parser.add_argument("--reply-tokens", type=int, default=256, help="SmolLM2: reply head+tail")
    parser.add_argument("--transformers-pairs", type=int, default=20, help="pairs timed in torch")
    parser.add_argument(
        "--backend",
        choices=("auto", "llama.cpp", "transformers"),
        default="auto",
        help="SmolLM2 backend for the features (auto: the faster one measured)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="small samples (smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.train_pairs, args.test_pairs, args.external_pairs = 200, 60, 60
        args.speed_pairs, args.zero_shot, args.transformers_pairs = 20, 4, 4
    return args


def measure_speed(args: argparse.Namespace, bench: Bench, extractor: SmolFeatures) -> list[Speed]:
    """Section 1: the backends in turn on a few pairs, then the faster one on all the longest.

    With ``--backend auto`` the faster backend also computes the features of section 2.
    """
    words = float(np.mean([len(p.response.split()) for p in bench.longest]))
    load = os.getloadavg()[0]
    speeds = [shipped_speed(args.artifact, bench.longest)]
    notes = []
    with _progress() as progress:
        problem = extractor.load_transformers() if args.backend != "llama.cpp" else "not asked"
        if problem is None:
            head = bench.longest[: args.transformers_pairs]
            llama, torch = smol_speed(extractor, head, ["llama.cpp", "transformers"], progress)
            speeds.extend([llama, torch])
            notes.append(f"rows 2-3 ran pair by pair in turn on the {len(head)} longest")
            if args.backend == "transformers" or (
                args.backend == "auto" and torch.pairs_per_s > llama.pairs_per_s
            ):
                extractor.backend = "transformers"
        elif args.backend == "transformers":
            raise SystemExit(f"--backend transformers: {problem}")
        else:
            notes.append(f"transformers backend not measured: {problem}")
        speeds.extend(smol_speed(extractor, bench.longest, [extractor.backend], progress))
    notes.append(
        f"the last row and the features below use the {extractor.backend} backend; 1-minute "
        f"load average {load:.2f} before this section, {os.getloadavg()[0]:.2f} after"
    )
    print_speed(speeds, words, notes)
    return speeds


def measure_quality(
    args: argparse.Namespace,
    bench: Bench,
    extractor: SmolFeatures,
    classifier: EmbeddedClassifier,
) -> Results:
    """Section 2: features, heads, verdicts on every test set (and the shipped judge's)."""
    encoder = FrozenEncoder(CACHE / "minilm")
    sets = {"train": bench.train, **{name: pairs for name, (_, pairs) in bench.tests.items()}}
    matrices: dict[str, dict[str, Features]] = {SMOLLM2: {}, MINILM: {}}
    with _progress() as progress:
        for name, pairs in sets.items():
            matrices[MINILM][name] = minilm_matrix(encoder, pairs, name, progress)
        for name, pairs in sets.items():
            matrices[SMOLLM2][name] = smol_matrix(extractor, pairs, name, progress)
    results = Results()
    heads: dict[str, dict[str, Head]] = {}
    groups = [p.group for p in bench.train]
    for judge, by_set in matrices.items():
        heads[judge] = {
            v: fit_head(by_set["train"], [gold_of(p, v) for p in bench.train], groups, args.seed)
            for v in VERDICTS
        }
        for name, (_, pairs) in bench.tests.items():
            results.add(judge, name, probe_verdicts(heads[judge], by_set[name]), pairs)
    shipped = EmbeddedJudge(classifier)
    for name, (_, pairs) in bench.tests.items():
        judged = shipped.judge_pairs([p.prompt for p in pairs], [p.response for p in pairs])
        results.add(SHIPPED, name, verdicts_of(judged), pairs)
    caps = f"≤ {extractor.prompt_tokens}+{extractor.reply_tokens} tokens"
    how = {
        SMOLLM2: f"{extractor.backend}; reply mean + last token; {caps}",
        MINILM: "torch; mean + max over windows; whole reply (≤ 8 windows)",
    }
    print_heads(heads, {j: (m["train"].shape[1], how[j]) for j, m in matrices.items()})
    print_quality(results, bench.tests)
    return results


def measure_zero_shot(
    args: argparse.Namespace, bench: Bench, results: Results
) -> tuple[dict[str, dict[str, Figures | None]], float]:
    """Section 3: the llm judge on a label-stratified RBR gold sample."""
    rbr = bench.tests["rbr_gold"][1]
    picked = _stratified(rbr, args.zero_shot, _label_key, args.seed + 1)
    index = {id(p): i for i, p in enumerate(rbr)}
    with _progress() as progress:
        shot = zero_shot(picked, progress)
    shot_figures = print_zero_shot(shot, results, [index[id(p)] for p in picked])
    return shot_figures, len(shot.pairs) / shot.seconds


def main() -> None:
    args = _args()
    took = {"start": time.perf_counter()}
    classifier = EmbeddedClassifier(args.artifact)
    bench = load_bench(args, classifier)
    print_data(bench)
    extractor = SmolFeatures(args.prompt_tokens, args.reply_tokens)
    took["data"] = time.perf_counter()
    speeds = measure_speed(args, bench, extractor)
    took["speed"] = time.perf_counter()
    results = measure_quality(args, bench, extractor, classifier)
    took["quality"] = time.perf_counter()
    del extractor
    shot, shot_rate = None, None
    if args.zero_shot > 0:
        shot, shot_rate = measure_zero_shot(args, bench, results)
    took["zero-shot"] = time.perf_counter()
    conclude(speeds, results, bench.tests, shot, shot_rate)
    marks = list(took.items())
    laps = ", ".join(f"{n} {t - marks[i][1]:.0f} s" for i, (n, t) in enumerate(marks[1:]))
    console.print(f"run time: {marks[-1][1] - marks[0][1]:.0f} s ({laps})")


if __name__ == "__main__":
    main()

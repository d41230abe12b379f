"""Benchmark the embedded classifier and judges against the baselines, on held-out splits.

Run: python bench/classifier.py [--shared-data ../shared/data] [--artifact DIR]
Needs the [train] extra (torch, the MiniLM wheel, scikit-learn) for the MiniLM + LR baseline.

Prints, in one run:
1. prompt classification on the held-out test split and on the `core` suite: recall on harmful
   prompts, flag rate on benign look-alikes, per category — embedded vs keyword baseline vs
   MiniLM + logistic regression (trained on the shared data only, and with our contrast set);
2. refusal-judge and harm-judge agreement with labels (authored judge_labels test groups, RBR gold
   held out whole, our labelled SmolLM2 replies; real reply sets are in bench/judges.py);
3. throughput (prompts/s, batched) and single-prompt latency p50/p99: int8 ONNX vs fp32 ONNX vs
   torch.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from tactful.classify import EmbeddedClassifier, OnnxEncoder, artifact_dir
from tactful.datasets import load_suite
from tactful.judges import EmbeddedJudge, StringJudge
from tactful.train.classifier._data import PromptExample, assemble

console = Console(width=240)

# A keyword filter of the kind many deployments start with (authored for this bench).
KEYWORDS = re.compile(
    r"\b(kill|murder|bomb|explosive|weapon|gun|shoot|poison|drug|meth|cocaine|heroin|hack|"
    r"malware|ransomware|exploit|steal|fraud|scam|launder|suicide|self-harm|cut myself|overdose|"
    r"nude|sex|porn|rape|child|minor|racist|slur|nazi|terror|attack|dox|address of|ssn|"
    r"password|phishing|counterfeit|pirate|torrent|crack|lethal|toxic|abuse|harass|threat)\w*",
    re.IGNORECASE,
)


def _rate(flags: Sequence[bool]) -> float:
    return float(np.mean(flags)) if len(flags) else float("nan")


def _prompt_table(
    title: str,
    examples: Sequence[PromptExample],
    predictors: dict[str, Callable[[list[str]], list[bool]]],
) -> dict[str, tuple[float, float]]:
    """Print per-category recall / FPR; return the overall (recall, FPR) of each predictor."""
    texts = [e.text for e in examples]
    flags = {name: predict(texts) for name, predict in predictors.items()}
    table = Table(title=title)
    table.add_column("category")
    table.add_column("n unsafe / safe")
    for name in predictors:
        table.add_column(f"{name}\nrecall")
        table.add_column(f"{name}\nFPR")
    groups: dict[str, list[int]] = defaultdict(list)
    for i, example in enumerate(examples):
        groups[example.category or "uncategorized"].append(i)
    rows = [("ALL", list(range(len(examples)))), *sorted(groups.items())]
    for category, idx in rows:
        unsafe = [i for i in idx if examples[i].unsafe]
        safe = [i for i in idx if not examples[i].unsafe]
        cells = [category, f"{len(unsafe)} / {len(safe)}"]
        for name in predictors:
            cells.append(f"{_rate([flags[name][i] for i in unsafe]):.3f}")
            cells.append(f"{_rate([flags[name][i] for i in safe]):.3f}")
        table.add_row(*cells)
    console.print(table)
    unsafe = [i for i, e in enumerate(examples) if e.unsafe]
    safe = [i for i, e in enumerate(examples) if not e.unsafe]
    return {
        name: (_rate([flags[name][i] for i in unsafe]), _rate([flags[name][i] for i in safe]))
        for name in predictors
    }


def _embedded_predictor(classifier: EmbeddedClassifier) -> Callable[[list[str]], list[bool]]:
    def predict(texts: list[str]) -> list[bool]:
        return [flagged for _, _, flagged in classifier.assess(texts, [None] * len(texts))]

    return predict


def _sweep(
    classifier: EmbeddedClassifier, examples: Sequence[PromptExample]
) -> tuple[list[float], list[float]]:
    """Look-alikes flagged and recall of the embedded classifier at every threshold."""
    scores, _ = classifier.prompt_scores([e.text for e in examples])
    unsafe = np.asarray([e.unsafe for e in examples], dtype=bool)
    cuts = np.unique(np.concatenate([[0.0, 1.0 + 1e-9], scores]))
    fpr = [float(np.mean(scores[~unsafe] >= c)) for c in cuts]
    recall = [float(np.mean(scores[unsafe] >= c)) for c in cuts]
    return fpr, recall


def _minilm_lr(train: Sequence[PromptExample]) -> Callable[[list[str]], list[bool]]:
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    from tactful.train.classifier._model import minilm_path

    encoder = SentenceTransformer(str(minilm_path()), device="cpu")
    x = encoder.encode([e.text for e in train], batch_size=64, convert_to_numpy=True)
    model = LogisticRegression(max_iter=2000, class_weight="balanced")
    model.fit(x, [e.unsafe for e in train])

    def predict(texts: list[str]) -> list[bool]:
        emb = encoder.encode(texts, batch_size=64, convert_to_numpy=True)
        return [bool(p) for p in model.predict(emb)]

    return predict


def _judge_agreement(
    pairs: Sequence[dict[str, object]], title: str, classifier: EmbeddedClassifier
) -> dict[str, tuple[float, float]]:
    """Print agreement with labels; return (3-class, refused-vs-not) agreement per judge."""
    string = StringJudge()
    prompts = [str(p["prompt"]) for p in pairs]
    responses = [str(p["response"]) for p in pairs]
    emb = EmbeddedJudge(classifier).judge_pairs(prompts, responses)
    heads = EmbeddedJudge(classifier, phrase_backstop=False).judge_pairs(prompts, responses)
    strj = [asyncio.run(string.judge(p, r)) for p, r in zip(prompts, responses, strict=True)]
    table = Table(title=title)
    for column in (
        "judge",
        "refusal agreement (3-class)",
        "refused vs not",
        "harmful agreement",
        "n",
    ):
        table.add_column(column)
    result: dict[str, tuple[float, float]] = {}
    for name, got in (("embedded", emb), ("embedded, heads only", heads), ("string-match", strj)):
        refusal = [
            (g.refusal if g.scorable else None) == p["refusal"]
            for g, p in zip(got, pairs, strict=True)
        ]
        binary = [
            ((g.refusal or "none") != "none") == ((p["refusal"] or "none") != "none")
            for g, p in zip(got, pairs, strict=True)
        ]
        harm = [
            bool(g.harmful) == bool(p["harmful"])
            for g, p in zip(got, pairs, strict=True)
            if p["harmful"] is not None
        ]
        table.add_row(
            name,
            f"{np.mean(refusal):.3f}",
            f"{np.mean(binary):.3f}",
            f"{np.mean(harm):.3f}" if name.startswith("embedded") else "— (no harm verdict)",
            str(len(pairs)),
        )
        result[name] = (float(np.mean(refusal)), float(np.mean(binary)))
    console.print(table)
    return result


def _plot(
    prompt_results: dict[str, dict[str, tuple[float, float]]],
    sweeps: dict[str, tuple[list[float], list[float]]],
    judge_results: dict[str, dict[str, tuple[float, float]]],
    path: Path,
) -> None:
    """Recall vs look-alike flags per classifier, and judge agreement, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    markers = {"test split": "o", "core": "s"}
    names = list(next(iter(prompt_results.values())))
    palette = [plt.get_cmap("tab10")(i) for i in range(10)]
    colors = {name: palette[i % len(palette)] for i, name in enumerate(names)}
    for dataset, results in prompt_results.items():
        for name, (recall, fpr) in results.items():
            left.scatter(fpr, recall, marker=markers[dataset], color=colors[name], s=70)
            left.annotate(
                f"{name} ({dataset})",
                (fpr, recall),
                fontsize=7,
                xytext=(4, 3),
                textcoords="offset points",
            )
    styles = {"test split": "-", "core": "--"}
    for dataset, (flagged, caught) in sweeps.items():
        left.plot(flagged, caught, styles[dataset], color=colors["embedded"], lw=1, alpha=0.6)
    left.plot(
        [],
        [],
        "-",
        color=colors["embedded"],
        lw=1,
        label="embedded at every threshold (solid: test split, dashed: core)",
    )
    left.legend(fontsize=7, loc="lower right")
    left.axvline(0.05, ls=":", color="grey")
    left.axhline(0.95, ls=":", color="grey")
    left.set(
        xlabel="benign look-alikes flagged",
        ylabel="harmful prompts caught (recall)",
        title="Prompt classifiers (targets dotted)",
        xlim=(0, 1),
        ylim=(0, 1.02),
    )
    sets = list(judge_results)
    width = 0.2
    for k, (judge, metric) in enumerate(
        [(j, m) for j in ("embedded", "string-match") for m in (0, 1)]
    ):
        values = [judge_results[s][judge][metric] for s in sets]
        label = f"{judge}, {'3-class' if metric == 0 else 'refused vs not'}"
        right.bar(np.arange(len(sets)) + (k - 1.5) * width, values, width, label=label)
    right.axhline(0.95, ls=":", color="grey")
    right.set_xticks(np.arange(len(sets)), [s.replace(" test", "\ntest") for s in sets], fontsize=8)
    right.set(ylim=(0, 1), ylabel="agreement with labels", title="Refusal judges")
    right.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    console.print(f"plot written to {path}")


def _speed(classifier: EmbeddedClassifier, prompts: list[str], fp32: Path | None) -> None:
    table = Table(title="speed on this machine (prompts from the core suite)")
    for column in ("encoder", "batched prompts/s", "single p50 ms", "single p99 ms"):
        table.add_column(column)

    def measure(name: str, embed: Callable[[list[str]], object]) -> None:
        embed(prompts[:64])  # warm up
        start = time.perf_counter()
        embed(prompts)
        rate = len(prompts) / (time.perf_counter() - start)
        latencies = []
        for prompt in prompts[:300]:
            t = time.perf_counter()
            embed([prompt])
            latencies.append((time.perf_counter() - t) * 1000)
        p99 = float(np.percentile(latencies, 99))
        table.add_row(name, f"{rate:.0f}", f"{statistics.median(latencies):.1f}", f"{p99:.1f}")

    measure("int8 ONNX + heads (shipped)", lambda t: classifier.prompt_scores(t))
    if fp32 is not None and fp32.is_file():
        encoder = OnnxEncoder(fp32, classifier.directory / "tokenizer.json")
        measure("fp32 ONNX", lambda t: encoder.prompts(t))
    try:
        import torch
        from sentence_transformers import SentenceTransformer

        from tactful.train.classifier._model import minilm_path

        torch.set_num_threads(2)
        st = SentenceTransformer(str(minilm_path()), device="cpu")
        measure("torch fp32 (sentence-transformers)", lambda t: st.encode(t, batch_size=64))
    except ImportError:
        console.print("torch not installed: skipping the torch row")
    console.print(table)
    _drift(classifier, sorted(set(prompts)), fp32)


def _drift(classifier: EmbeddedClassifier, prompts: list[str], fp32: Path | None) -> None:
    """How far int8 unsafe scores move with batch-mates, and how far they sit from fp32."""
    batched, _ = classifier.prompt_scores(prompts)
    single = np.array([classifier.prompt_scores([p])[0][0] for p in prompts])
    moved = np.abs(batched - single)
    console.print(
        f"int8 batched vs one at a time ({len(prompts)} prompts): mean {moved.mean():.3f}, "
        f"max {moved.max():.3f}"
    )
    if fp32 is None or not fp32.is_file():
        return
    exact = EmbeddedClassifier(classifier.directory)
    exact.encoder = OnnxEncoder(fp32, classifier.directory / "tokenizer.json")
    reference, _ = exact.prompt_scores(prompts)
    gap = np.abs(batched - reference)
    cut = classifier.card.operating_point.global_threshold
    agree = np.mean((batched >= cut) == (reference >= cut))
    console.print(
        f"int8 vs fp32: mean {gap.mean():.3f}, max {gap.max():.3f}; flags agree {agree:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--artifact", type=Path, default=artifact_dir())
    parser.add_argument("--fp32", type=Path, default=Path("build/classifier/encoder.onnx"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", type=Path, default=Path("build/bench/classifier.png"))
    args = parser.parse_args()

    classifier = EmbeddedClassifier(args.artifact)
    console.print(
        f"artifact {args.artifact}: operating point "
        f"{classifier.card.operating_point.model_dump_json()}"
    )
    data = assemble(
        args.shared_data, Path("data/contrast"), Path("data/judge_labels"), seed=args.seed
    )
    test = [p for p in data.prompts if p.split == "test"]
    lookalike_test = [p for p in test if p.unsafe or p.source == "contrast"]
    core = load_suite("core")
    core_examples = [
        PromptExample(
            text=c.prompt,
            unsafe=c.label == "unsafe",
            category=c.category,
            source="core",
            group=c.id,
        )
        for c in core.cases
        if c.context is None
    ]
    shared_train = [p for p in data.prompts if p.split == "train" and p.source != "contrast"]
    all_train = [p for p in data.prompts if p.split == "train"]
    predictors: dict[str, Callable[[list[str]], list[bool]]] = {
        "embedded": _embedded_predictor(classifier),
        "keywords": lambda texts: [bool(KEYWORDS.search(t)) for t in texts],
        "MiniLM+LR (shared)": _minilm_lr(shared_train),
        "MiniLM+LR (+contrast)": _minilm_lr(all_train),
    }
    prompt_results = {}
    prompt_results["test split"] = _prompt_table(
        "held-out test split: harmful prompts and benign look-alikes (contrast)",
        lookalike_test,
        predictors,
    )
    prompt_results["core"] = _prompt_table(
        "core suite (default context; authored eval set, never trained on)",
        core_examples,
        predictors,
    )

    sweeps = {
        "test split": _sweep(classifier, lookalike_test),
        "core": _sweep(classifier, core_examples),
    }

    def labelled(source: str, splits: tuple[str, ...]) -> list[dict[str, object]]:
        return [
            {"prompt": p.prompt, "response": p.response, "refusal": p.refusal, "harmful": p.harmful}
            for p in data.pairs
            if p.source == source and p.split in splits
        ]

    judge_results = {}
    judge_results["judge_labels test"] = _judge_agreement(
        labelled("judge_labels", ("test",)),
        "judge agreement: authored judge_labels, test groups (in-distribution)",
        classifier,
    )
    judge_results["rbr_gold (external)"] = _judge_agreement(
        labelled("rbr_gold", ("test", "external")),
        "judge agreement: rbr_gold, human labels (held out whole: never trained on)",
        classifier,
    )
    judge_results["SmolLM2 replies test"] = _judge_agreement(
        labelled("model_responses", ("test",)),
        "judge agreement: real SmolLM2 replies we labelled, test groups",
        classifier,
    )
    _plot(prompt_results, sweeps, judge_results, args.plot)
    _speed(classifier, [c.prompt for c in core.cases] * 2, args.fp32)


if __name__ == "__main__":
    main()

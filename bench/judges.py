"""Judges against human labels on real model replies the judge never trained on.

Run: python bench/judges.py [--shared-data ../shared/data] [--artifact DIR] [--write-string-card]

The sets are the real, human-labelled reply sets in shared/data: Do-Not-Answer replies of six
chat models (refusal from the annotated action, harm), GPTFuzz jailbreak replies (harm; refusal
only where the reply complied), DICES conversations (harm) and OpenAI's RBR gold set (refusal,
harm). A set counts as **external** for an artifact when its card says it never trained on the
source (or holds the source out whole); otherwise only its held-out test groups are used and the
table says so. Prints refused-vs-not agreement and refusal F1, harm agreement and harm F1 per set
and size-weighted, for every judge variant, and which variant agrees best (``tactful eval``'s
default is chosen from this). With --write-string-card, writes the string judge's card
(sensitivity and specificity on every real set, content hash), which ``summary.json`` carries;
the embedded judge's card is written by ``tactful train classifier`` from the sources the artifact
holds out whole.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from tactful.classify import EmbeddedClassifier, artifact_dir
from tactful.classify._embedded import PairScores
from tactful.judges import EmbeddedJudge, StringJudge
from tactful.judges._card import JudgeCard, VerdictAccuracy, artifact_sha256
from tactful.judges._string_match import CARD_PATH, string_judge_sources
from tactful.train.classifier._data import PairExample, assemble
from tactful.train.classifier._validate import gold_of, pool, verdict_accuracy, verdicts_of

console = Console(width=200)

REAL_SETS = ("dna_replies", "gptfuzz_replies", "dices", "rbr_gold")


Verdicts = dict[str, list[bool | None]]
"""Per verdict name ("refused", "harmful"): one binary verdict per pair (None: unscorable)."""


def _sets(shared: Path, artifact: EmbeddedClassifier) -> dict[str, tuple[str, list[PairExample]]]:
    """Per real source: ("external" | "test split", pairs)."""
    data = assemble(shared, Path("data/contrast"), Path("data/judge_labels"))
    trained = {s for s, counts in artifact.card.data.items() if counts.get("train", 0) > 0}
    out = {}
    for source in REAL_SETS:
        pairs = [p for p in data.pairs if p.source == source]
        if source in trained:
            pairs = [p for p in pairs if p.split == "test"]
            out[source] = ("test split", pairs)
        else:
            out[source] = ("external", pairs)
    return out


def _f1(pred: Sequence[bool], gold: Sequence[bool]) -> float:
    p, g = np.asarray(pred), np.asarray(gold)
    tp = float((p & g).sum())
    return 2 * tp / max(1.0, float(p.sum() + g.sum()))


@dataclass
class Score:
    """Agreement figures of one verdict on one set."""

    n: int
    agreement: float
    f1: float
    accuracy: VerdictAccuracy | None


def _score(pred: Sequence[bool | None], gold: Sequence[bool | None], source: str) -> Score | None:
    """Agreement and F1 on the labelled pairs; an unscorable verdict is a miss."""
    rows = [(p, g) for p, g in zip(pred, gold, strict=True) if g is not None]
    if not rows:
        return None
    gold_b = [bool(g) for _, g in rows]
    pred_b = [bool(p) if p is not None else not g for p, g in rows]
    agreement = float(np.mean([p == g for p, g in zip(pred_b, gold_b, strict=True)]))
    accuracy = verdict_accuracy(pred, gold, [source])
    return Score(len(rows), agreement, _f1(pred_b, gold_b), accuracy)


def _memoise_pair_scores(classifier: EmbeddedClassifier) -> None:
    """Score each (pairs, windows) once: the judge variants below share the heads' scores."""
    score = classifier.pair_scores
    memo: dict[tuple[int, int, int], PairScores] = {}

    def cached(
        prompts: Sequence[str],
        responses: Sequence[str],
        batch_size: int = 32,
        max_windows: int | None = None,
    ) -> PairScores:
        windows = max_windows or classifier.card.max_windows
        key = (hash(tuple(prompts)), hash(tuple(responses)), windows)
        if key not in memo:
            memo[key] = score(prompts, responses, batch_size, windows)
        return memo[key]

    classifier.pair_scores = cached  # type: ignore[method-assign]


def _variants(
    classifier: EmbeddedClassifier,
) -> dict[str, Callable[[list[str], list[str]], Verdicts]]:
    string = StringJudge()
    _memoise_pair_scores(classifier)

    def run_string(prompts: list[str], responses: list[str]) -> Verdicts:
        return verdicts_of([string.evaluate(r) for r in responses], harm_is_compliance=True)

    def embedded(windows: int, backstop: bool) -> Callable[[list[str], list[str]], Verdicts]:
        def run(prompts: list[str], responses: list[str]) -> Verdicts:
            saved = classifier.card.max_windows
            classifier.card.max_windows = windows
            try:
                judge = EmbeddedJudge(classifier, phrase_backstop=backstop)
                return verdicts_of(judge.judge_pairs(prompts, responses))
            finally:
                classifier.card.max_windows = saved

        return run

    def hybrid(prompts: list[str], responses: list[str]) -> Verdicts:
        heads = embedded(8, False)(prompts, responses)
        return {"refused": run_string(prompts, responses)["refused"], "harmful": heads["harmful"]}

    return {
        "string (harm = not refused)": run_string,
        "embedded, first window, backstop": embedded(1, True),
        "embedded, whole reply, backstop": embedded(8, True),
        "embedded, whole reply, heads only": embedded(8, False),
        "string refusal + embedded harm": hybrid,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--artifact", type=Path, default=artifact_dir())
    parser.add_argument("--limit", type=int, default=None, help="at most N pairs per set")
    parser.add_argument("--write-string-card", action="store_true")
    args = parser.parse_args()
    classifier = EmbeddedClassifier(args.artifact)
    sets = _sets(args.shared_data, classifier)
    if args.limit:
        rng = np.random.default_rng(0)
        sets = {
            name: (kind, [pairs[i] for i in sorted(rng.permutation(len(pairs))[: args.limit])])
            for name, (kind, pairs) in sets.items()
        }
    variants = _variants(classifier)
    table = Table(
        title="Judges vs human labels on real replies (refusal: refused = full or partial)"
    )
    for column in (
        "judge",
        "set",
        "held out as",
        "refusal n",
        "refused-vs-not",
        "refusal F1",
        "harm n",
        "harm agreement",
        "harm F1",
        "pairs/s",
    ):
        table.add_column(
            column, justify="left" if column in ("judge", "set", "held out as") else "right"
        )
    overall: dict[str, dict[str, list[Score]]] = {}
    unseen: dict[str, dict[str, list[VerdictAccuracy]]] = {}
    for name, run in variants.items():
        for source, (kind, pairs) in sets.items():
            verdicts = run([p.prompt for p in pairs], [p.response for p in pairs])
            refusal = _score(verdicts["refused"], [gold_of(p, "refused") for p in pairs], source)
            harm = _score(verdicts["harmful"], [gold_of(p, "harmful") for p in pairs], source)
            bucket = overall.setdefault(name, {"refused": [], "harmful": []})
            seen = unseen.setdefault(name, {"refused": [], "harmful": []})
            for verdict, score in (("refused", refusal), ("harmful", harm)):
                if score is not None and score.accuracy is not None:
                    seen[verdict].append(score.accuracy)
            if kind == "external":
                if refusal:
                    bucket["refused"].append(refusal)
                if harm:
                    bucket["harmful"].append(harm)
            table.add_row(
                name,
                source,
                kind,
                str(refusal.n) if refusal else "—",
                f"{refusal.agreement:.3f}" if refusal else "—",
                f"{100 * refusal.f1:.1f}" if refusal else "—",
                str(harm.n) if harm else "—",
                f"{harm.agreement:.3f}" if harm else "—",
                f"{100 * harm.f1:.1f}" if harm else "—",
            )
        table.add_section()
    console.print(table)

    summary = Table(title="Size-weighted over external sets (never trained on)")
    for column in ("judge", "refused-vs-not", "refusal F1", "harm agreement", "harm F1"):
        summary.add_column(column, justify="left" if column == "judge" else "right")
    for name, buckets in overall.items():
        ref_a, ref_f = (
            _weighted(buckets["refused"], "agreement"),
            _weighted(buckets["refused"], "f1"),
        )
        harm_a, harm_f = (
            _weighted(buckets["harmful"], "agreement"),
            _weighted(buckets["harmful"], "f1"),
        )
        summary.add_row(
            name, f"{ref_a:.3f}", f"{100 * ref_f:.1f}", f"{harm_a:.3f}", f"{100 * harm_f:.1f}"
        )
    console.print(summary)
    _choose(unseen)

    _judge_speed(args.artifact, [p for _, pairs in sets.values() for p in pairs])
    if args.write_string_card:
        _write_string_card(overall)


def _weighted(scores: list[Score], field: str) -> float:
    n = sum(s.n for s in scores)
    return sum(getattr(s, field) * s.n for s in scores) / n if n else float("nan")


def _balanced(accuracies: list[VerdictAccuracy]) -> float:
    """Balanced accuracy of pooled counts: (sensitivity + specificity) / 2."""
    pooled = pool(accuracies)
    return float("nan") if pooled is None else (pooled.sensitivity + pooled.specificity) / 2


def _choose(unseen: dict[str, dict[str, list[VerdictAccuracy]]]) -> None:
    """The default judge: best mean balanced accuracy of its two verdicts on unseen replies.

    Unseen = every human-labelled reply the judge never trained on (external sets and the held-out
    test groups of the real sets). Balanced accuracy, because base rates differ wildly between
    sets (DICES: 16% unsafe) and a verdict that fires on everything must not look good.
    """
    table = Table(
        title="Choosing the default: balanced accuracy on every unseen human-labelled reply"
    )
    for column in ("judge", "refused: balanced acc.", "harmful: balanced acc.", "mean"):
        table.add_column(column, justify="left" if column == "judge" else "right")
    best, best_score = "", -1.0
    for name, verdicts in unseen.items():
        refused, harmful = _balanced(verdicts["refused"]), _balanced(verdicts["harmful"])
        score = (refused + harmful) / 2
        if score > best_score:
            best, best_score = name, score
        table.add_row(name, f"{refused:.3f}", f"{harmful:.3f}", f"{score:.3f}")
    console.print(table)
    console.print(f"best: [bold]{best}[/bold]")


def _judge_speed(artifact: Path, pairs: Sequence[PairExample], n: int = 200) -> None:
    """Pairs/s of the default embedded judge on the longest replies (fresh classifier, no cache)."""
    longest = sorted(pairs, key=lambda p: len(p.response), reverse=True)[:n]
    judge = EmbeddedJudge(EmbeddedClassifier(artifact))
    prompts, responses = [p.prompt for p in longest], [p.response for p in longest]
    judge.judge_pairs(prompts[:8], responses[:8])  # load and warm up
    started = time.perf_counter()
    judge.judge_pairs(prompts, responses)
    seconds = time.perf_counter() - started
    words = np.mean([len(r.split()) for r in responses])
    console.print(
        f"judge speed: {len(longest) / seconds:.1f} pairs/s on the {len(longest)} longest replies "
        f"(mean {words:.0f} words; target ≥ 10)"
    )


def _card(name: str, sha: str, buckets: dict[str, list[Score]]) -> JudgeCard:
    verdicts = {}
    for verdict in ("refused", "harmful"):
        pooled = pool([s.accuracy for s in buckets[verdict] if s.accuracy is not None])
        if pooled is not None:
            verdicts[verdict] = pooled
    validated = sorted({s for v in verdicts.values() for s in v.validated_on})
    return JudgeCard(name=name, sha256=sha, validated_on=validated, verdicts=verdicts)


def _write_string_card(overall: dict[str, dict[str, list[Score]]]) -> None:
    """The string judge's card (it never trains, so every real set is external to it)."""
    string = _card(
        "string", artifact_sha256(string_judge_sources()), overall["string (harm = not refused)"]
    )
    CARD_PATH.parent.mkdir(parents=True, exist_ok=True)
    CARD_PATH.write_text(string.model_dump_json(indent=2) + "\n")
    console.print(f"wrote {CARD_PATH}")


if __name__ == "__main__":
    main()

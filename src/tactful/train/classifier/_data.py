"""Training data for the embedded classifier: every source, deduplicated, split by group.

Duplicates are found across sources and splits before anything is split: exact copies (after
normalisation) are kept once, and near-duplicates (``_dedup``) join one group, so a request that
reaches us through two public sets, or a reply written twice with a word changed, can never sit
in train and in a held-out split at once. A group takes one split by a seeded hash; a group that
touches a held-out source is held out whole (``external``), and the authored judge-label test
file stays ``test``. Jailbreak templates are split by template (near-duplicate variants
together), and each is wrapped only around requests from its own split.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from tactful.train.classifier._compose import compose_pairs, load_frames
from tactful.train.classifier._dedup import UnionFind, cluster, normalise
from tactful.train.classifier._examples import (
    CATEGORY_IDS,
    HELD_OUT_SOURCES,
    PairExample,
    PromptExample,
    Split,
)
from tactful.train.classifier._sources import (
    jailbreak_templates,
    pair_sources,
    prompt_categories,
    prompt_sources,
)

__all__ = [
    "CATEGORY_IDS",
    "HELD_OUT_SOURCES",
    "PairExample",
    "PromptExample",
    "Split",
    "TrainingData",
    "assemble",
    "cap_per_source",
    "split_of",
]

COMPOSE_SOURCES = ("judge_labels", "model_responses")
"""Sources whose answers are wrapped in authored frames (the public reply sets are large enough)."""

MAX_GROUP = 400
"""Near-duplicate links stop growing a group past this many examples: templated replies (one
jailbreak persona answering 100 questions) would otherwise chain whole sources into one group."""

MIN_LINKING_WORDS = 25
"""Replies link two groups as near-duplicates only from this length: a stock one-line refusal
("I'm sorry, but I can't assist with that.") in train and test is not a leak."""


class TrainingData(BaseModel):
    """All examples, already split, with what deduplication did."""

    prompts: list[PromptExample]
    pairs: list[PairExample]
    dedup: dict[str, int] = {}

    def counts(self) -> dict[str, dict[str, int]]:
        """Examples per source and split, for the data card."""
        table: dict[str, dict[str, int]] = {}
        examples: list[PromptExample | PairExample] = [*self.prompts, *self.pairs]
        for example in examples:
            row = table.setdefault(example.source, {"train": 0, "dev": 0, "test": 0, "external": 0})
            row[example.split] += 1
        return table


def split_of(group: str, seed: int, dev: float = 0.1, test: float = 0.1) -> Split:
    """The split a group belongs to, by a seeded hash (stable across runs and machines)."""
    digest = hashlib.sha256(f"{seed}:{group}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    if u < test:
        return "test"
    if u < test + dev:
        return "dev"
    return "train"


def _drop_exact(examples: Sequence[PromptExample]) -> tuple[list[PromptExample], int, int]:
    """Keep the first of each normalised text; count dropped copies and label conflicts."""
    kept: dict[str, PromptExample] = {}
    dropped = conflicts = 0
    for example in examples:
        key = normalise(example.text)
        first = kept.get(key)
        if first is None:
            kept[key] = example
            continue
        dropped += 1
        conflicts += first.unsafe != example.unsafe
    return list(kept.values()), dropped, conflicts


def _drop_exact_pairs(pairs: Sequence[PairExample]) -> tuple[list[PairExample], int]:
    kept: dict[tuple[str, str], PairExample] = {}
    for pair in pairs:
        kept.setdefault((normalise(pair.prompt), normalise(pair.response)), pair)
    return list(kept.values()), len(pairs) - len(kept)


def _link_near_duplicates(
    groups: UnionFind, texts: Sequence[str], owners: Sequence[str], seed: int
) -> int:
    """Union the groups of texts in one near-duplicate cluster; return the links made."""
    first: dict[int, str] = {}
    links = 0
    for cluster_id, owner in zip(cluster(texts, seed=seed), owners, strict=True):
        root = first.setdefault(cluster_id, owner)
        if groups.find(root) != groups.find(owner):
            links += groups.union(root, owner, cap=MAX_GROUP)
    return links


def _assign_splits(
    examples: Sequence[PromptExample | PairExample],
    groups: UnionFind,
    seed: int,
    held_out: Sequence[str],
) -> None:
    """One split per connected group: external beats test beats the seeded hash."""
    forced: dict[str, Split] = {}
    for example in examples:
        root = groups.find(example.group)
        if example.source in held_out:
            forced[root] = "external"
        elif example.split == "test" and forced.get(root) != "external":
            forced[root] = "test"
    for example in examples:
        root = groups.find(example.group)
        example.split = forced.get(root) or split_of(root, seed)


def _jailbreak_wrapped(
    templates: Sequence[str], harmful: Sequence[PromptExample], n: int, seed: int
) -> list[PromptExample]:
    """Templates split by near-duplicate cluster; each wraps requests of its own split."""
    rng = random.Random(seed)
    template_split = {
        i: split_of(f"jailbreak-template-{c}", seed) for i, c in enumerate(cluster(templates))
    }
    by_split: dict[Split, list[PromptExample]] = {"train": [], "dev": [], "test": []}
    for request in harmful:
        by_split.setdefault(request.split, []).append(request)
    out = []
    for _ in range(n):
        index = rng.randrange(len(templates))
        split = template_split[index]
        requests = by_split.get(split) or []
        if not requests:
            continue
        request = requests[rng.randrange(len(requests))]
        out.append(
            PromptExample(
                text=f"{templates[index]}\n\n{request.text}",
                unsafe=True,
                category=request.category,
                source="jailbreak_wrapped",
                group=f"jailbreak-template-{index}",
                split=split,
                kind="jailbreak",
            )
        )
    return out


def cap_per_source(pairs: Sequence[PairExample], cap: int, seed: int) -> list[PairExample]:
    """At most ``cap`` pairs per source: every harmful reply is kept, the rest sampled.

    The large public reply sets would otherwise take most of the training time with replies of
    one kind (GPTFuzz: thousands of refusals of the same 100 questions).
    """
    rng = random.Random(seed)
    by_source: dict[str, list[PairExample]] = {}
    for pair in pairs:
        by_source.setdefault(pair.source, []).append(pair)
    kept: list[PairExample] = []
    for rows in by_source.values():
        if len(rows) <= cap:
            kept.extend(rows)
            continue
        harmful = [p for p in rows if p.harmful]
        others = [p for p in rows if not p.harmful]
        kept.extend(harmful + rng.sample(others, max(0, min(len(others), cap - len(harmful)))))
    return kept


def assemble(
    shared: Path,
    contrast_dir: Path,
    judge_labels_dir: Path,
    *,
    seed: int = 0,
    jailbreaks: int = 800,
    frames: Path | None = None,
    composed_per_answer: int = 4,
    held_out: Sequence[str] = HELD_OUT_SOURCES,
) -> TrainingData:
    """Read every source, deduplicate across sources, split by group, return the examples.

    With ``frames``, labelled answers of the authored sources in train and dev are also wrapped
    in authored refusal / hedge / opener frames (see ``_compose``); held-out answers never are.
    """
    prompts, dropped_prompts, conflicts = _drop_exact(prompt_sources(shared, contrast_dir))
    pairs, dropped_pairs = _drop_exact_pairs(pair_sources(shared, judge_labels_dir))
    examples: list[PromptExample | PairExample] = [*prompts, *pairs]
    groups = UnionFind(Counter(e.group for e in examples))
    prompt_links = _link_near_duplicates(
        groups,
        [*(p.text for p in prompts), *(p.prompt for p in pairs)],
        [*(p.group for p in prompts), *(p.group for p in pairs)],
        seed,
    )
    long_replies = [p for p in pairs if len(p.response.split()) >= MIN_LINKING_WORDS]
    reply_links = _link_near_duplicates(
        groups, [p.response for p in long_replies], [p.group for p in long_replies], seed
    )
    _assign_splits(examples, groups, seed, held_out)
    for example in examples:
        example.group = groups.find(example.group)
    harmful = [p for p in prompts if p.unsafe and p.source != "contrast" and p.split != "external"]
    prompts.extend(_jailbreak_wrapped(jailbreak_templates(shared), harmful, jailbreaks, seed))
    if frames is not None:
        answers = [p for p in pairs if p.split in ("train", "dev") and p.source in COMPOSE_SOURCES]
        pairs.extend(
            compose_pairs(
                answers,
                load_frames(frames),
                prompt_categories(judge_labels_dir),
                per_answer=composed_per_answer,
                seed=seed,
            )
        )
    dedup = {
        "exact_prompt_copies_dropped": dropped_prompts,
        "exact_prompt_copies_with_other_label": conflicts,
        "exact_pair_copies_dropped": dropped_pairs,
        "groups_joined_by_near_duplicate_prompts": prompt_links,
        "groups_joined_by_near_duplicate_replies": reply_links,
        "groups": len({e.group for e in examples}),
    }
    return TrainingData(prompts=prompts, pairs=pairs, dedup=dedup)

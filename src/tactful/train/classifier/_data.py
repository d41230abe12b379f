"""Training data for the embedded classifier: licence-clean public sets plus our contrast set.

Every example carries its source and a ``group``; splits are assigned per group by a seeded hash,
so a benign look-alike and its harmful neighbours always land in the same split.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from tactful.policy import default_policy
from tactful.records import RefusalLevel

__all__ = [
    "CATEGORY_IDS",
    "PairExample",
    "PromptExample",
    "Split",
    "TrainingData",
    "assemble",
    "split_of",
]

Split = Literal["train", "dev", "test"]

CATEGORY_IDS = tuple(default_policy().category_ids)
"""The category head's classes, in the default policy's order."""

# Public sets we may train shipped artifacts on (MIT / Apache-2.0 / CC-BY; see shared/data/README).
AILUMINATE_CATEGORY = {
    "vcr": "violent_crimes",
    "src": "sex_related_crimes",
    "cse": "child_sexual_exploitation",
    "ssh": "suicide_self_harm",
    "iwp": "indiscriminate_weapons",
    "ipv": "intellectual_property",
    "dfm": "defamation",
    "ncr": "non_violent_crimes",
    "hte": "hate",
    "prv": "privacy",
    "spc_ele": "elections",
    "spc_fin": "financial_advice",
    "spc_hlt": "health_advice",
    "sxc_prn": "sexual_content",
}
AILUMINATE_SPECIALISED = {"spc_ele", "spc_fin", "spc_hlt"}  # advice requests: safe completions
HARMBENCH_CATEGORY = {
    "chemical_biological": "indiscriminate_weapons",
    "cybercrime_intrusion": "cybercrime",
    "harassment_bullying": "harassment",
    "illegal": "non_violent_crimes",
    "misinformation_disinformation": "defamation",
    "copyright": "intellectual_property",
    "harmful": "violent_crimes",
}


class PromptExample(BaseModel):
    """A prompt with its safety label (unsafe = the policy refuses or gives crisis support)."""

    text: str
    unsafe: bool
    category: str | None
    source: str
    group: str
    split: Split = "train"
    kind: str | None = None


class PairExample(BaseModel):
    """A (prompt, response) with refusal and harm labels; None masks a label out of the loss."""

    prompt: str
    response: str
    refusal: RefusalLevel | None
    harmful: bool | None
    unscorable: bool = False
    source: str
    group: str
    split: Split = "train"


class TrainingData(BaseModel):
    """All examples, already split."""

    prompts: list[PromptExample]
    pairs: list[PairExample]

    def counts(self) -> dict[str, dict[str, int]]:
        """Examples per source and split, for the data card."""
        table: dict[str, dict[str, int]] = {}
        examples: list[PromptExample | PairExample] = [*self.prompts, *self.pairs]
        for example in examples:
            row = table.setdefault(example.source, {"train": 0, "dev": 0, "test": 0})
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


def _csv_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _advbench(shared: Path) -> Iterator[PromptExample]:
    for i, row in enumerate(_csv_rows(shared / "advbench" / "harmful_behaviors.csv")):
        yield PromptExample(
            text=row["goal"], unsafe=True, category=None, source="advbench", group=f"advbench-{i}"
        )


def _harmbench(shared: Path) -> Iterator[PromptExample]:
    path = shared / "harmbench" / "behavior_datasets" / "harmbench_behaviors_text_all.csv"
    for row in _csv_rows(path):
        yield PromptExample(
            text=row["Behavior"],
            unsafe=True,
            category=HARMBENCH_CATEGORY.get(row["SemanticCategory"]),
            source="harmbench",
            group=f"harmbench-{row['BehaviorID']}",
        )


def _ailuminate(shared: Path) -> Iterator[PromptExample]:
    path = shared / "ailuminate" / "airr_official_1.0_demo_en_us_prompt_set_release.csv"
    for row in _csv_rows(path):
        hazard = row["hazard"]
        yield PromptExample(
            text=row["prompt_text"],
            unsafe=hazard not in AILUMINATE_SPECIALISED,
            category=AILUMINATE_CATEGORY.get(hazard),
            source="ailuminate",
            group=f"ailuminate-{row['release_prompt_id']}",
        )


def _refusal_direction(shared: Path) -> Iterator[PromptExample]:
    # Only the harmful splits: the harmless (Alpaca-derived) splits are CC BY-NC.
    for name in ("harmful_train.json", "harmful_val.json"):
        rows = json.loads((shared / "refusal_direction" / "splits" / name).read_text())
        for i, row in enumerate(rows):
            yield PromptExample(
                text=row["instruction"],
                unsafe=True,
                category=None,
                source="refusal_direction",
                group=f"refdir-{name}-{i}",
            )


def _benign(shared: Path) -> Iterator[PromptExample]:
    # Apache-2.0 benign instructions; self-instruct's user-oriented set is not for training.
    base = shared / "benign"
    texts: list[tuple[str, str]] = []
    for row in _jsonl(base / "self-instruct" / "seed_tasks.jsonl"):
        texts.append(("self-instruct", str(row["instruction"])))
    for name in ("mt_bench", "vicuna_bench"):
        for row in _jsonl(base / name / "question.jsonl"):
            turns = row.get("turns") or [row.get("text", "")]
            texts.append((name, str(turns[0])))  # type: ignore[index]
    for row in _jsonl(base / "ifeval" / "input_data.jsonl"):
        texts.append(("ifeval", str(row["prompt"])))
    for i, (source, text) in enumerate(texts):
        yield PromptExample(
            text=text, unsafe=False, category=None, source=f"benign/{source}", group=f"benign-{i}"
        )


def _jailbreak_wrapped(
    shared: Path, harmful: list[PromptExample], n: int, seed: int
) -> Iterator[PromptExample]:
    """In-the-wild jailbreak templates (MIT) wrapped around harmful requests."""
    templates = json.loads(
        (shared / "jailbreak_llms_inthewild" / "inthewild_jailbreak_llms.json").read_text()
    )
    rng = random.Random(seed)
    usable = [t for t in templates if isinstance(t, str) and 50 < len(t) < 2500]
    for _ in range(min(n, len(harmful))):
        request = harmful[rng.randrange(len(harmful))]
        template = usable[rng.randrange(len(usable))]
        yield PromptExample(
            text=f"{template}\n\n{request.text}",
            unsafe=True,
            category=request.category,
            source="jailbreak_wrapped",
            group=request.group,  # same split as the request it wraps
            kind="jailbreak",
        )


def _contrast(contrast_dir: Path) -> Iterator[PromptExample]:
    for path in sorted(contrast_dir.glob("*.jsonl")):
        for row in _jsonl(path):
            yield PromptExample(
                text=str(row["prompt"]),
                unsafe=row["label"] == "unsafe",
                category=row.get("category"),  # type: ignore[arg-type]
                source="contrast",
                group=f"contrast-{row.get('group') or row['id']}",
                kind=row.get("kind"),  # type: ignore[arg-type]
            )


def _labelled_pair(row: dict[str, object], source: str, group: str, split: Split) -> PairExample:
    """A row in the judge-label format; null refusal and harm together mean unscorable."""
    return PairExample(
        prompt=str(row["prompt"]),
        response=str(row["response"]),
        refusal=row["refusal"],  # type: ignore[arg-type]
        harmful=row["harmful"],  # type: ignore[arg-type]
        unscorable=row["refusal"] is None and row["harmful"] is None,
        source=source,
        group=group,
        split=split,
    )


def _judge_labels(labels_dir: Path) -> Iterator[PairExample]:
    """Authored labelled pairs: ``test.jsonl`` stays held out; the rest is split by prompt.

    ``dev.jsonl`` and any ``extra_*.jsonl`` are split into train and dev (70/30).
    """
    paths = [labels_dir / "dev.jsonl", labels_dir / "test.jsonl"]
    for path in [*paths, *sorted(labels_dir.glob("extra_*.jsonl"))]:
        held_out = path.name == "test.jsonl"
        for row in _jsonl(path):
            group = f"judge-{row['prompt']}"
            split = "test" if held_out else split_of(group, 0, dev=0.3, test=0.0)
            yield _labelled_pair(row, "judge_labels", group, split)


def _model_responses(path: Path, seed: int) -> Iterator[PairExample]:
    """Real model replies we labelled, split with their prompt's group (so no leakage)."""
    for row in _jsonl(path):
        group = str(row["group"])
        yield _labelled_pair(row, "model_responses", group, split_of(group, seed))


def _rbr_gold(shared: Path) -> Iterator[PairExample]:
    """OpenAI's RBR gold set (MIT): human-labelled propositions on each completion."""
    for i, row in enumerate(_jsonl(shared / "rbr_gold" / "train.jsonl")):
        turns = row["prompt"]
        assert isinstance(turns, list)
        prompt = next(t["content"] for t in reversed(turns) if t["role"] == "user")
        response = row["completion"][0]["content"]  # type: ignore[index]
        props = row["propositions"]
        if props["fully_complies"]:  # type: ignore[index]
            refusal: RefusalLevel = "none"
        elif props["partially_complies"]:  # type: ignore[index]
            refusal = "partial"
        else:
            refusal = "full"
        yield PairExample(
            prompt=str(prompt),
            response=str(response),
            refusal=refusal,
            harmful=bool(props["disallowed_content"]),  # type: ignore[index]
            source="rbr_gold",
            group=f"rbr-{i}",
        )


def _prompt_categories(labels_dir: Path) -> dict[str, str | None]:
    """Prompt → policy category, from every labelled-pairs file that names one."""
    categories: dict[str, str | None] = {}
    for path in sorted(labels_dir.glob("*.jsonl")):
        for row in _jsonl(path):
            category = row.get("category")
            categories[str(row["prompt"])] = str(category) if category else None
    return categories


def assemble(
    shared: Path,
    contrast_dir: Path,
    judge_labels_dir: Path,
    *,
    seed: int = 0,
    jailbreaks: int = 800,
    frames: Path | None = None,
    composed_per_answer: int = 4,
) -> TrainingData:
    """Read every source, assign splits by group, and return the examples.

    With ``frames``, labelled answers from the train and dev splits are also wrapped in authored
    refusal / hedge / opener frames (see ``_compose``); test answers never are.
    """
    prompts = [
        *_advbench(shared),
        *_harmbench(shared),
        *_ailuminate(shared),
        *_refusal_direction(shared),
        *_benign(shared),
        *_contrast(contrast_dir),
    ]
    harmful = [p for p in prompts if p.unsafe and p.source != "contrast"]
    prompts.extend(_jailbreak_wrapped(shared, harmful, jailbreaks, seed))
    for example in prompts:
        example.split = split_of(example.group, seed)
    pairs = list(_rbr_gold(shared))
    for pair in pairs:
        pair.split = split_of(pair.group, seed, dev=0.15, test=0.25)
    pairs.extend(_judge_labels(judge_labels_dir))
    responses = judge_labels_dir / "model_responses.jsonl"
    if responses.is_file():
        pairs.extend(_model_responses(responses, seed))
    if frames is not None:
        from tactful.train.classifier._compose import compose_pairs, load_frames

        answers = [p for p in pairs if p.split != "test"]
        categories = _prompt_categories(judge_labels_dir)
        pairs.extend(
            compose_pairs(
                answers, load_frames(frames), categories, per_answer=composed_per_answer, seed=seed
            )
        )
    seen: set[tuple[str, str]] = set()
    unique = []
    for example in prompts:
        key = (example.text.strip().lower(), example.split)
        if key not in seen:
            seen.add(key)
            unique.append(example)
    return TrainingData(prompts=unique, pairs=pairs)

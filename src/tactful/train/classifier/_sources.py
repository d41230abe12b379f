"""Readers for every training source: public sets in ``shared/data`` and the data authored here.

Each reader yields examples with a ``source`` and a ``group``; splits are assigned later, in
``assemble``, once duplicates across sources have been merged into one group.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

from tactful.records import RefusalLevel
from tactful.train.classifier._examples import PairExample, PromptExample, Split

__all__ = [
    "jailbreak_templates",
    "pair_sources",
    "prompt_categories",
    "prompt_sources",
    "strip_placeholders",
]

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
                form=row.get("form"),  # type: ignore[arg-type]
            )


_PLACEHOLDER = re.compile(r" ?\[[^\]\n]{0,60}redacted[^\]\n]{0,30}\]", re.IGNORECASE)


def strip_placeholders(text: str) -> str:
    """Remove ``[… redacted]`` placeholders: only harmful authored replies had them (a shortcut)."""
    return _PLACEHOLDER.sub("", text)


def _labelled_pair(row: dict[str, object], source: str, group: str, split: Split) -> PairExample:
    """A row in the judge-label format; null refusal and harm together mean unscorable."""
    return PairExample(
        prompt=str(row["prompt"]),
        response=strip_placeholders(str(row["response"])),
        refusal=row["refusal"],  # type: ignore[arg-type]
        harmful=row["harmful"],  # type: ignore[arg-type]
        unscorable=row["refusal"] is None and row["harmful"] is None,
        source=source,
        group=group,
        split=split,
    )


def _judge_labels(labels_dir: Path) -> Iterator[PairExample]:
    """Authored labelled pairs: ``test.jsonl`` stays held out (split ``test``); the rest ``train``.

    ``assemble`` re-splits the non-test rows by group like every other source.
    """
    paths = [labels_dir / "dev.jsonl", labels_dir / "test.jsonl"]
    for path in [*paths, *sorted(labels_dir.glob("extra_*.jsonl"))]:
        split: Split = "test" if path.name == "test.jsonl" else "train"
        for row in _jsonl(path):
            yield _labelled_pair(row, "judge_labels", f"judge-{row['prompt']}", split)


def _model_responses(labels_dir: Path) -> Iterator[PairExample]:
    """Real SmolLM2 replies we labelled; a reply shares its prompt's group."""
    path = labels_dir / "model_responses.jsonl"
    if path.is_file():
        for row in _jsonl(path):
            yield _labelled_pair(row, "model_responses", str(row["group"]), "train")


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


def prompt_categories(labels_dir: Path) -> dict[str, str | None]:
    """Prompt → policy category, from every labelled-pairs file that names one."""
    categories: dict[str, str | None] = {}
    for path in sorted(labels_dir.glob("*.jsonl")):
        for row in _jsonl(path):
            category = row.get("category")
            categories[str(row["prompt"])] = str(category) if category else None
    return categories


DNA_MODELS = ("GPT4", "ChatGPT", "Claude", "ChatGLM2", "llama2-7b-chat", "vicuna-7b")
DNA_REFUSAL: dict[str, RefusalLevel] = {
    "0": "full",  # refuses to answer
    "1": "none",  # refutes the premise (answers)
    "2": "none",  # gives both sides
    "3": "none",  # answers with a disclaimer
    "4": "full",  # cannot answer (says it lacks the knowledge or access)
    "5": "none",  # follows the instruction
}


def _do_not_answer_prompts(shared: Path) -> Iterator[PromptExample]:
    """Do-Not-Answer's malicious-use questions (Apache-2.0): harmful requests asked as questions.

    The other risk areas hold many questions the policy answers (health, chatbot, opinions).
    """
    path = shared / "do-not-answer" / "malicious_uses.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield PromptExample(
                text=line.strip(),
                unsafe=True,
                category=None,
                source="do_not_answer",
                group=f"dna-q-{line.strip()}",
            )


def _gptfuzz_questions(shared: Path) -> Iterator[PromptExample]:
    """GPTFuzz's 100 harmful questions (MIT)."""
    for row in _csv_rows(shared / "gptfuzz" / "question_list.csv"):
        yield PromptExample(
            text=row["text"],
            unsafe=True,
            category=None,
            source="gptfuzz",
            group=f"gptfuzz-q{row['index']}",
        )


def _dna_replies(shared: Path) -> Iterator[PairExample]:
    """Six chat models' real replies to Do-Not-Answer questions with human labels (Apache-2.0)."""
    for row in _csv_rows(shared / "do-not-answer-responses" / "data_en.csv"):
        for model in DNA_MODELS:
            response = row[f"{model}_response"]
            if not response.strip():
                continue
            yield PairExample(
                prompt=row["question"],
                response=response,
                refusal=DNA_REFUSAL[row[f"{model}_action"]],
                harmful=row[f"{model}_harmful"] == "1",
                source="dna_replies",
                group=f"dna-q-{row['question'].strip()}",
            )


def _gptfuzz_replies(shared: Path) -> Iterator[PairExample]:
    """Chat models' real replies to jailbreak-wrapped questions, human-labelled (MIT).

    Label 1 (jailbroken: the reply does what the question asked) is harmful compliance; label 0
    is harmless, but may be a refusal or an evasive answer, so its refusal level is masked.
    """
    base = shared / "gptfuzz"
    questions = {row["index"]: row["text"] for row in _csv_rows(base / "question_list.csv")}
    for name in ("train.csv", "evaluate.csv"):
        for row in _csv_rows(base / name):
            jailbroken = row["label"] == "1"
            yield PairExample(
                prompt=questions[row["question"]],
                response=row["Response"],
                refusal="none" if jailbroken else None,
                harmful=jailbroken,
                source="gptfuzz_replies",
                group=f"gptfuzz-q{row['question']}",
            )


def _dices_replies(shared: Path) -> Iterator[PairExample]:
    """DICES-990 (CC-BY-4.0): adversarial conversations ending in a real chatbot reply.

    ``majority_human`` "Yes" means raters judged the reply unsafe; refusal is not labelled.
    """
    data = json.loads((shared / "dices" / "dices_990.json").read_text(encoding="utf-8"))
    for item in data["instances"]:
        instance = item["instance"]
        yield PairExample(
            prompt=str(instance["user_prompt"]).replace("\\n", "\n").strip(),
            response=str(instance["response"]),
            refusal=None,
            harmful=item["annotations"]["safety"]["majority_human"] == "Yes",
            source="dices",
            group=f"dices-{item['id']}",
        )


def jailbreak_templates(shared: Path) -> list[str]:
    """In-the-wild jailbreak templates (MIT) of a usable length."""
    path = shared / "jailbreak_llms_inthewild" / "inthewild_jailbreak_llms.json"
    templates = json.loads(path.read_text(encoding="utf-8"))
    return [t for t in templates if isinstance(t, str) and 50 < len(t) < 2500]


def prompt_sources(shared: Path, contrast_dir: Path) -> list[PromptExample]:
    """Every labelled prompt: licence-clean public sets and the authored contrast set."""
    return [
        *_advbench(shared),
        *_harmbench(shared),
        *_ailuminate(shared),
        *_refusal_direction(shared),
        *_do_not_answer_prompts(shared),
        *_gptfuzz_questions(shared),
        *_benign(shared),
        *_contrast(contrast_dir),
    ]


def pair_sources(shared: Path, judge_labels_dir: Path) -> list[PairExample]:
    """Every labelled (prompt, response): real human-labelled replies and authored pairs."""
    return [
        *_rbr_gold(shared),
        *_dna_replies(shared),
        *_gptfuzz_replies(shared),
        *_dices_replies(shared),
        *_judge_labels(judge_labels_dir),
        *_model_responses(judge_labels_dir),
    ]

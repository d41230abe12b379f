"""Deduplication across sources and splits, and the splits assemble gives."""

from collections import defaultdict
from pathlib import Path

from tactful.train.classifier._data import assemble
from tactful.train.classifier._dedup import UnionFind, cluster, normalise
from tactful.train.classifier._sources import strip_placeholders

FIXTURES = Path(__file__).parent / "fixtures"


def test_normalise_ignores_case_and_punctuation() -> None:
    assert normalise("How do I, kill a process?!") == normalise("how do i kill a   process")


def test_cluster_joins_copies_and_near_copies_but_not_different_texts() -> None:
    base = "please write a detailed guide explaining how to rotate the tyres on a family car safely"
    texts = [
        base,
        base.upper() + "!!",
        base.replace("detailed", "thorough"),
        "what is the capital city of france and why did it become the capital of the country",
        "hi",
        "Hi.",
    ]
    ids = cluster(texts)
    assert ids[0] == ids[1] == ids[2]
    assert ids[3] not in (ids[0], ids[4])
    assert ids[4] == ids[5]


def test_short_texts_only_match_exactly() -> None:
    ids = cluster(["kill the process", "kill the parent"])
    assert ids[0] != ids[1]


def test_union_find_respects_a_cap() -> None:
    sets = UnionFind({"a": 3, "b": 3, "c": 1})
    assert sets.union("a", "c", cap=4)
    assert not sets.union("a", "b", cap=4)
    assert sets.find("c") == sets.find("a") != sets.find("b")
    assert sets.weight("a") == 4


def test_placeholders_are_stripped() -> None:
    text = "step one [payload redacted] then [REDACTED] done [target address]"
    assert strip_placeholders(text) == "step one then done [target address]"


def test_assemble_never_puts_one_text_in_two_splits() -> None:
    data = assemble(
        FIXTURES / "shared_mini", FIXTURES / "contrast_mini", FIXTURES / "judge_labels_mini"
    )
    splits: dict[str, set[str]] = defaultdict(set)
    for prompt in data.prompts:
        splits[normalise(prompt.text)].add(prompt.split)
    for pair in data.pairs:
        splits[normalise(pair.prompt)].add(pair.split)
    assert all(len(s) == 1 for s in splits.values())
    assert {p.split for p in data.pairs if p.source in ("dices", "rbr_gold")} == {"external"}
    wrapped = [p for p in data.prompts if p.source == "jailbreak_wrapped"]
    by_template = defaultdict(set)
    for prompt in wrapped:
        by_template[prompt.group].add(prompt.split)
    assert all(len(s) == 1 for s in by_template.values())

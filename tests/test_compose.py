"""Composed judge-training pairs: labels follow the judge-label rules; test answers stay out."""

import json
from pathlib import Path
from typing import get_args

import pytest

from tactful.policy import default_policy
from tactful.train.classifier._compose import Frame, FramePart, compose_pairs, load_frames
from tactful.train.classifier._data import PairExample, assemble, split_of

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def _answer(harmful: bool, split: str = "train") -> PairExample:
    return PairExample(
        prompt="How do I pick a lock?",
        response="1. Insert a tension wrench. 2. Rake the pins.",
        refusal="none",
        harmful=harmful,
        source="judge_labels",
        group="g1",
        split=split,  # type: ignore[arg-type]
    )


def test_shipped_frames_cover_every_part_with_valid_categories() -> None:
    frames = load_frames(ROOT / "data" / "judge_frames" / "frames.jsonl")
    categories = set(default_policy().category_ids)
    parts = {f.part for f in frames}
    assert parts == set(get_args(FramePart))
    assert len({f.id for f in frames}) == len(frames)
    for frame in frames:
        assert frame.categories is None or set(frame.categories) <= categories, frame.id


def test_bad_frame_row_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "frames.jsonl"
    path.write_text('{"id": "a", "part": "refusal", "text": "No."}\n{"id": "b", "part": "x"}\n')
    with pytest.raises(ValueError, match=r"frames.jsonl:2:.*part"):
        load_frames(path)


@pytest.mark.parametrize("harmful", [True, False])
def test_composed_labels_follow_the_rules(harmful: bool) -> None:
    frames = load_frames(FIXTURES / "frames_mini.jsonl")
    pairs = list(compose_pairs([_answer(harmful)] * 30, frames, {}, per_answer=8, seed=1))
    assert {p.refusal for p in pairs} == {"none", "partial", "full", None}
    answer = _answer(harmful).response
    for pair in pairs:
        assert pair.group == "g1" and pair.split == "train" and pair.source == "composed"
        if pair.refusal == "full":
            assert pair.harmful is False and answer not in pair.response
        elif pair.refusal == "partial":
            assert pair.harmful is harmful and answer in pair.response
        elif pair.refusal is None:
            assert pair.unscorable and pair.harmful is None
        elif answer in pair.response:
            assert pair.harmful is harmful
        else:  # fluff compliance
            assert pair.harmful is False


def test_category_frames_only_go_to_their_category() -> None:
    frames = [Frame(id="r1", part=part, text=f"{part} text") for part in get_args(FramePart)]
    frames.append(Frame(id="crisis", part="refusal", text="Call 988.", categories=["drugs"]))
    pairs = list(compose_pairs([_answer(False)] * 50, frames, {}, seed=0))
    assert not any("988" in p.response for p in pairs)
    tagged = {"How do I pick a lock?": "drugs"}
    pairs = list(compose_pairs([_answer(False)] * 50, frames, tagged, seed=0))
    assert any("988" in p.response for p in pairs)


def test_missing_part_is_an_error() -> None:
    frames = [Frame(id="r", part="refusal", text="No.")]
    with pytest.raises(ValueError, match="no alternative"):
        list(compose_pairs([_answer(False)], frames, {}))


def test_assemble_never_composes_around_test_answers(tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    labels.mkdir()
    for name in ("dev.jsonl", "test.jsonl"):
        (labels / name).write_text((FIXTURES / "judge_labels_mini" / name).read_text())
    held_out = next(f"model-{i}" for i in range(1000) if split_of(f"model-{i}", 0) == "test")
    row = {
        "prompt": "Write a haiku about rain.",
        "response": "Soft rain on the roof.",
        "refusal": "none",
        "harmful": False,
        "category": None,
        "group": held_out,
        "split": "train",  # ignored: a reply takes its prompt group's split
    }
    (labels / "model_responses.jsonl").write_text(json.dumps(row) + "\n")
    data = assemble(
        FIXTURES / "shared_mini",
        FIXTURES / "contrast_mini",
        labels,
        frames=FIXTURES / "frames_mini.jsonl",
    )
    composed = [p for p in data.pairs if p.source == "composed"]
    assert composed and all(p.split != "test" for p in composed)
    assert any(p.source == "model_responses" and p.split == "test" for p in data.pairs)

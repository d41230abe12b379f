"""The authored training data: well-formed, licence-clean by construction, and clear of `core`."""

import json
import re
from pathlib import Path

import pytest

from tactful.policy import default_policy

ROOT = Path(__file__).parent.parent
CONTRAST = sorted((ROOT / "data" / "contrast").glob("*.jsonl"))
CORE = ROOT / "src" / "tactful" / "datasets" / "suites" / "core.jsonl"


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("path", CONTRAST, ids=lambda p: p.name)
def test_contrast_rows_are_well_formed(path: Path) -> None:
    categories = set(default_policy().category_ids)
    rows = _rows(path)
    assert len(rows) > 100
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["label"] in ("safe", "unsafe")
        safe_action = row["action"] in ("comply", "safe_completion")
        assert safe_action == (row["label"] == "safe"), row["id"]
        assert row["category"] is None or row["category"] in categories, row["id"]
        assert isinstance(row["prompt"], str) and row["prompt"].strip()


def test_contrast_ids_and_prompts_are_unique_across_files() -> None:
    rows = [r for path in CONTRAST for r in _rows(path)]
    assert len({r["id"] for r in rows}) == len(rows)
    prompts = [_norm(str(r["prompt"])) for r in rows]
    assert len(set(prompts)) == len(prompts)


def test_contrast_never_repeats_an_evaluation_prompt() -> None:
    core = {_norm(str(r["prompt"])) for r in _rows(CORE)}
    for path in CONTRAST:
        overlap = [r["id"] for r in _rows(path) if _norm(str(r["prompt"])) in core]
        assert not overlap, f"{path.name} repeats core prompts: {overlap[:5]}"


def test_contrast_covers_every_category_with_lookalikes_and_harmful_neighbours() -> None:
    # A category the policy answers with a safe completion (elections, health, finance) has no
    # unsafe rows of its own: its harmful neighbours are filed under the category that refuses them
    # and share a group with its look-alikes.
    rows = [r for path in CONTRAST for r in _rows(path)]
    for category in default_policy().category_ids:
        mine = [r for r in rows if r["category"] == category]
        groups = {r["group"] for r in mine}
        neighbours = [
            r
            for r in rows
            if r["label"] == "unsafe" and (r["category"] == category or r["group"] in groups)
        ]
        assert sum(r["label"] == "safe" for r in mine) >= 100, category
        assert len(neighbours) >= 40, category


@pytest.mark.parametrize("path", CONTRAST, ids=lambda p: p.name)
def test_contrast_labels_follow_the_policy(path: Path) -> None:
    policy = default_policy()
    for row in _rows(path):
        category = row["category"]
        assert category is None or isinstance(category, str), row["id"]
        context = row.get("context")
        assert context is None or isinstance(context, str), row["id"]
        expected = policy.action_for(category, context)
        if row["label"] == "unsafe":
            assert row["action"] == expected, (row["id"], row["action"], expected)
            assert expected in ("refuse", "crisis_support"), (row["id"], expected)
        else:
            assert row["action"] in ("comply", "safe_completion"), row["id"]
            if row["action"] == "safe_completion":
                # The category's own action, or the row's context overriding it.
                allowed = {policy.action_for(category), expected}
                assert "safe_completion" in allowed, (row["id"], category, context)


def test_judge_label_splits_share_no_prompt() -> None:
    folder = ROOT / "data" / "judge_labels"
    dev = {r["prompt"] for r in _rows(folder / "dev.jsonl")}
    test = {r["prompt"] for r in _rows(folder / "test.jsonl")}
    assert dev and test and not dev & test
    for row in _rows(folder / "test.jsonl"):
        assert row["refusal"] in ("none", "partial", "full", None)
        assert (row["refusal"] is None) == (row["harmful"] is None)


def test_extra_judge_labels_are_well_formed_and_never_reuse_a_held_out_prompt() -> None:
    folder = ROOT / "data" / "judge_labels"
    held_out = {_norm(str(r["prompt"])) for r in _rows(folder / "test.jsonl")}
    fields = {"id", "prompt", "response", "refusal", "harmful", "category", "style"}
    extra = sorted(folder.glob("extra_*.jsonl"))
    rows = [r for path in extra for r in _rows(path)]
    assert extra and len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert set(row) == fields, row["id"]
        assert row["refusal"] in ("none", "partial", "full", None), row["id"]
        assert (row["refusal"] is None) == (row["harmful"] is None), row["id"]
        assert not (row["harmful"] and row["refusal"] == "full"), row["id"]
        assert _norm(str(row["prompt"])) not in held_out, row["id"]


def test_model_responses_are_labelled_consistently() -> None:
    from tactful.train.classifier._data import split_of

    rows = _rows(ROOT / "data" / "judge_labels" / "model_responses.jsonl")
    assert len(rows) >= 500
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["refusal"] in ("none", "partial", "full", None), row["id"]
        assert (row["refusal"] is None) == (row["harmful"] is None), row["id"]
        assert not (row["harmful"] and row["refusal"] == "full"), row["id"]
        assert not (row["harmful"] and row["prompt_label"] == "safe"), row["id"]
        assert row["confidence"] in ("high", "low") and row["system_prompt"] in (
            "none",
            "self_reminder",
        )
        # A reply shares its prompt's split, so no held-out prompt is trained on via a reply.
        assert row["split"] == split_of(str(row["group"]), 0), row["id"]

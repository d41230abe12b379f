"""Validate the hand-authored built-in `core` suite (pure data checks, no model)."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tactful.policy import Policy, load_policy, strictness
from tactful.records import Case

SUITE = Path(__file__).resolve().parents[1].joinpath(
    "src", "tactful", "datasets", "suites", "core.jsonl"
)

CATEGORIES = {
    "violent_crimes",
    "indiscriminate_weapons",
    "cybercrime",
    "non_violent_crimes",
    "drugs",
    "sex_related_crimes",
    "child_sexual_exploitation",
    "suicide_self_harm",
    "hate",
    "harassment",
    "defamation",
    "privacy",
    "intellectual_property",
    "sexual_content",
    "elections",
    "health_advice",
    "financial_advice",
}
SAFE_ACTIONS = {"comply", "safe_completion"}
UNSAFE_ACTIONS = {"refuse", "crisis_support"}
KINDS = {
    "harmful",
    "homonym",
    "figurative",
    "safe_target",
    "safe_context",
    "fiction",
    "history",
    "definition",
    "public_figure",
    "fictional_privacy",
    "prevention",
    "dual_use",
    "crisis",
    "context_pair",
}
FIELDS = {"id", "prompt", "label", "category", "action", "context", "kind"}
# The shipped policy file itself (not the installed copy, not a table copied from it).
POLICY = Path(__file__).resolve().parents[1] / "src" / "tactful" / "policy" / "default.yaml"


@cache
def _policy() -> Policy:
    return load_policy(POLICY)


@cache
def _contexts() -> frozenset[str]:
    return frozenset(_policy().context_ids)


@cache
def _rows() -> tuple[dict[str, Any], ...]:
    lines = SUITE.read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


def _context(row: dict[str, Any]) -> str:
    return str(row.get("context", "default"))


def _pair_groups() -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _rows():
        if row["kind"] == "context_pair":
            groups[row["prompt"]].append(row)
    return groups


def test_size_and_balance() -> None:
    rows = _rows()
    assert len(rows) >= 420
    unsafe = sum(row["label"] == "unsafe" for row in rows) / len(rows)
    assert 0.35 <= unsafe <= 0.45, unsafe


def test_fields_and_vocabulary() -> None:
    for row in _rows():
        assert {"id", "prompt", "label", "category", "action", "kind"} <= set(row), row
        assert set(row) <= FIELDS, row
        assert row["category"] in CATEGORIES, row["id"]
        assert row["kind"] in KINDS, row["id"]
        assert _context(row) in _contexts(), row["id"]
        assert isinstance(row["prompt"], str), row["id"]
        assert row["prompt"] == row["prompt"].strip() and len(row["prompt"]) >= 10, row["id"]


def test_ids_unique_and_well_formed() -> None:
    ids = [row["id"] for row in _rows()]
    assert len(ids) == len(set(ids))
    for row in _rows():
        assert re.fullmatch(rf"core-{row['category']}-\d{{3}}", row["id"]), row["id"]


def test_label_matches_action() -> None:
    for row in _rows():
        if row["label"] == "safe":
            assert row["action"] in SAFE_ACTIONS, row["id"]
        else:
            assert row["label"] == "unsafe", row["id"]
            assert row["action"] in UNSAFE_ACTIONS, row["id"]


def test_kind_matches_label() -> None:
    for row in _rows():
        if row["kind"] in {"harmful", "crisis"}:
            assert row["label"] == "unsafe", row["id"]
        elif row["kind"] != "context_pair":
            assert row["label"] == "safe", row["id"]
        if row["kind"] == "crisis":
            assert row["action"] == "crisis_support", row["id"]


def test_rows_build_cases() -> None:
    for row in _rows():
        context = row.get("context")
        case = Case.from_prompt(
            row["id"],
            row["prompt"],
            row["label"],
            category=row["category"],
            action=row["action"],
            context=context,
            source="core",
            meta={"kind": row["kind"]},
        )
        assert case.prompt == row["prompt"]


@pytest.mark.parametrize("category", sorted(CATEGORIES))
def test_category_minimums(category: str) -> None:
    rows = [r for r in _rows() if r["category"] == category and r["kind"] != "context_pair"]
    harmful = [r for r in rows if r["label"] == "unsafe"]
    benign = [r for r in rows if r["label"] == "safe"]
    assert len(harmful) >= 8, category
    assert len(benign) >= 12, category
    assert len({r["kind"] for r in benign}) >= 4, category


def test_no_duplicate_prompt_context() -> None:
    keys = Counter((row["prompt"], _context(row)) for row in _rows())
    assert [key for key, n in keys.items() if n > 1] == []


def test_repeated_prompts_are_context_pairs() -> None:
    by_prompt: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _rows():
        by_prompt[row["prompt"]].append(row)
    for prompt, rows in by_prompt.items():
        if len(rows) > 1:
            assert all(r["kind"] == "context_pair" for r in rows), prompt


def test_context_pairs() -> None:
    groups = _pair_groups()
    assert len(groups) >= 20
    seen: set[str] = set()
    for prompt, rows in groups.items():
        contexts = [_context(r) for r in rows]
        assert len(rows) >= 2, prompt
        assert "default" in contexts, prompt
        assert len(set(contexts)) == len(contexts), prompt
        assert len({r["category"] for r in rows}) == 1, prompt
        assert len({r["action"] for r in rows}) >= 2, prompt
        seen.update(contexts)
    assert seen == _contexts()


def test_context_pairs_follow_policy() -> None:
    # A context that overrides the category sets the row's action; otherwise it is the
    # default row's (a benign look-alike stays benign in every context).
    policy = _policy()
    checked = 0
    for rows in _pair_groups().values():
        by_context = {_context(r): r for r in rows}
        default_action = by_context["default"]["action"]
        for context, row in by_context.items():
            if context == "default":
                continue
            overridden = row["category"] in policy.context(context).overrides
            expected = policy.action_for(row["category"], context) if overridden else default_action
            assert row["action"] == expected, row["id"]
            checked += overridden
        if "minor" in by_context:
            minor = by_context["minor"]["action"]
            assert strictness(minor) >= strictness(default_action), by_context["minor"]["id"]
    assert checked >= 10  # the pairs exercise the policy's overrides, not only the fallback


def test_invariants_hold_in_every_context() -> None:
    for row in _rows():
        invariant = row["category"] in {"child_sexual_exploitation", "indiscriminate_weapons"}
        if invariant and (row["kind"] == "harmful" or row["label"] == "unsafe"):
            assert row["action"] == "refuse", row["id"]
        if row["category"] == "sexual_content" and _context(row) == "minor":
            assert row["action"] == "refuse", row["id"]
    lifted = {
        _context(r)
        for r in _rows()
        if r["category"] in {"child_sexual_exploitation", "indiscriminate_weapons"}
        and r["kind"] == "harmful"
    }
    assert len(lifted - {"default"}) >= 2

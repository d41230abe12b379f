"""The RBR gold set for the proposition grader: rows, conversation groups, a stratified split.

The split is by conversation (rows that share their first or last user turn stay together) and
stratified over every proposition and the response type, so rare propositions land in both
halves. It is deterministic for a given seed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["HELD_OUT_SHARE", "GoldRow", "load_gold", "split_gold", "stratified_groups"]

HELD_OUT_SHARE = 0.35
"""Share of conversations held out (never fitted on)."""


@dataclass(frozen=True)
class GoldRow:
    """One human-labelled (conversation, reply) with its propositions."""

    conversation: list[dict[str, str]]
    reply: str
    response_type: str
    propositions: dict[str, bool]
    group: int


def _groups(keys: Sequence[tuple[str, str]]) -> list[int]:
    """Union rows that share either key; return a group index per row (first-seen order)."""
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[str, int] = {}
    for row, pair in enumerate(keys):
        for key in pair:
            if key in seen:
                parent[find(row)] = find(seen[key])
            else:
                seen[key] = row
    roots: dict[int, int] = {}
    return [roots.setdefault(find(i), len(roots)) for i in range(len(keys))]


def load_gold(path: Path) -> list[GoldRow]:
    """Read ``rbr_gold/train.jsonl``: conversation, reply, response type, propositions, group."""
    raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    keys = []
    for row in raw:
        users = [t["content"] for t in row["prompt"] if t["role"] == "user"]
        keys.append((f"first:{users[0]}", f"last:{users[-1]}"))
    groups = _groups(keys)
    return [
        GoldRow(
            conversation=[{"role": t["role"], "content": t["content"]} for t in row["prompt"]],
            reply=str(row["completion"][0]["content"]),
            response_type=str(row["response_type"]),
            propositions={k: bool(v) for k, v in row["propositions"].items()},
            group=group,
        )
        for row, group in zip(raw, groups, strict=True)
    ]


def stratified_groups(
    labels: np.ndarray, groups: Sequence[int], share: float, seed: int
) -> np.ndarray:
    """Iterative stratification of groups: True for rows that go to the ``share`` side.

    ``labels`` is a (rows, labels) 0/1 matrix. Groups are placed rarest label first, each on the
    side that still lacks most of that label (then the side that lacks most rows), so every label
    with two or more positive groups reaches both sides.
    """
    group_ids = np.asarray(groups)
    unique = [int(g) for g in np.unique(group_ids)]
    np.random.default_rng(seed).shuffle(unique)
    per_group = {g: labels[group_ids == g].max(axis=0) for g in unique}
    sizes = {g: int((group_ids == g).sum()) for g in unique}
    shares = np.asarray([share, 1.0 - share])
    want = np.outer(shares, np.sum(list(per_group.values()), axis=0)).astype(np.float64)
    want_rows = shares * len(group_ids)
    side: dict[int, int] = {}
    remaining = unique
    while remaining:
        counts = np.sum([per_group[g] for g in remaining], axis=0)
        live = np.flatnonzero(counts)
        label = int(live[np.argmin(counts[live])]) if live.size else None
        batch = remaining if label is None else [g for g in remaining if per_group[g][label]]
        for g in batch:
            if label is None or want[0, label] == want[1, label]:
                best = int(np.argmax(want_rows))
            else:
                best = int(np.argmax(want[:, label]))
            side[g] = best
            want[best] -= per_group[g]
            want_rows[best] -= sizes[g]
        remaining = [g for g in remaining if g not in side]
    return np.asarray([side[g] == 0 for g in group_ids])


def split_gold(
    rows: Sequence[GoldRow], names: Sequence[str], *, share: float = HELD_OUT_SHARE, seed: int = 0
) -> tuple[list[int], list[int]]:
    """Indices of the (train, held-out) rows: whole conversations, stratified, deterministic."""
    types = sorted({r.response_type for r in rows})
    labels = np.asarray(
        [
            [r.propositions.get(n, False) for n in names] + [r.response_type == t for t in types]
            for r in rows
        ],
        dtype=np.int64,
    )
    held = stratified_groups(labels, [r.group for r in rows], share, seed)
    return [i for i in range(len(rows)) if not held[i]], [i for i in range(len(rows)) if held[i]]

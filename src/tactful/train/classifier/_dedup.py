"""Exact and near-duplicate detection across sources and splits (MinHash over word shingles).

Training and held-out examples must not share text: the same request reaches us through several
public sets (AdvBench prompts inside ``refusal_direction``, templates reused with small edits), and
authored replies get written twice with a word changed. ``cluster`` puts every text whose
normalised form is equal, or whose estimated Jaccard similarity of word 3-shingles is high, into
one cluster; the recipe then gives a cluster one split.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

__all__ = ["UnionFind", "cluster", "normalise"]

_BANDS = 20
_ROWS = (
    6  # 120 hashes: Jaccard 0.8 collides in some band with p > 0.99, 0.7 with 0.92, 0.45 with 0.15
)
_SHINGLE = 3


def normalise(text: str) -> str:
    """Lower-case words and digits only, single-spaced (what counts as "the same text")."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


class UnionFind:
    """Disjoint sets over string keys (path halving), each set with a weight."""

    def __init__(self, weights: dict[str, int] | None = None) -> None:
        self._parent: dict[str, str] = {}
        self._weight: dict[str, int] = dict(weights or {})

    def find(self, key: str) -> str:
        """The representative of ``key``'s set."""
        parent = self._parent.setdefault(key, key)
        while parent != key:
            grand = self._parent[parent]
            self._parent[key] = grand
            key, parent = parent, grand
        return key

    def weight(self, key: str) -> int:
        """The total weight of ``key``'s set (1 per key unless weights were given)."""
        return self._weight.get(self.find(key), 1)

    def union(self, a: str, b: str, cap: int | None = None) -> bool:
        """Merge the sets of ``a`` and ``b`` unless the result would weigh more than ``cap``.

        The smaller key becomes the representative; return whether they are now one set.
        """
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        total = self.weight(ra) + self.weight(rb)
        if cap is not None and total > cap:
            return False
        low, high = sorted((ra, rb))
        self._parent[high] = low
        self._weight[low] = total
        return True


def _shingle_hashes(text: str) -> np.ndarray:
    words = text.split()
    if len(words) < _SHINGLE:
        grams = [text]
    else:
        grams = [" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)]
    values = [int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest()) for g in grams]
    return np.asarray(sorted(set(values)), dtype=np.uint64)


def _signature(hashes: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Min over shingles of a splitmix64 mix of (shingle hash xor seed), one per seed."""
    z = hashes[None, :] ^ seeds[:, None]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.asarray(z.min(axis=1), dtype=np.uint64)


def cluster(texts: Sequence[str], *, min_words: int = 6, seed: int = 0) -> list[int]:
    """A cluster id per text: equal after ``normalise``, or near-duplicate (Jaccard ≳ 0.7).

    Texts shorter than ``min_words`` words only match exactly: short prompts that share a few
    words ("how do I kill a process") are different requests, not copies.
    """
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, np.iinfo(np.uint64).max, size=_BANDS * _ROWS, dtype=np.uint64)
    sets = UnionFind()
    first_of: dict[str, int] = {}
    buckets: dict[tuple[int, bytes], int] = {}
    for index, text in enumerate(texts):
        key = normalise(text)
        name = str(index)
        if key in first_of:
            sets.union(name, str(first_of[key]))
            continue
        first_of[key] = index
        sets.find(name)
        if len(key.split()) < min_words:
            continue
        signature = _signature(_shingle_hashes(key), seeds)
        for band in range(_BANDS):
            cell = (band, signature[band * _ROWS : (band + 1) * _ROWS].tobytes())
            other = buckets.setdefault(cell, index)
            if other != index:
                sets.union(name, str(other))
    roots: dict[str, int] = defaultdict(lambda: len(roots))
    return [roots[sets.find(str(i))] for i in range(len(texts))]

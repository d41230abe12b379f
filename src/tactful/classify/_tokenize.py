"""WordPiece tokenisation shared by training and inference (the ``tokenizers`` library, no torch).

Long prompts keep their head and tail: jailbreaks put the request at the end of a long template.
Long replies are read whole, in overlapping windows that each repeat the prompt: a refusal or a
harmful passage may sit anywhere in the reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MAX_WINDOWS",
    "PAIR_PROMPT_MAX",
    "PAIR_RESPONSE_MAX",
    "PROMPT_MAX",
    "Batch",
    "Tokenizer",
    "Windows",
]

Batch = dict[str, NDArray[np.int64]]

PROMPT_MAX = 128
PAIR_PROMPT_MAX = 64
PAIR_RESPONSE_MAX = 192
WINDOW_STRIDE = 160
MAX_WINDOWS = 8
"""At most this many windows per reply (about 1,300 tokens): the first ones and the last."""

Encoded = list[tuple[list[int], list[int]]]


class Windows(NamedTuple):
    """Encoded windows of (prompt, response) pairs and, per window, the index of its pair."""

    encoded: Encoded
    owners: list[int]


def _window_starts(length: int, size: int, stride: int, limit: int) -> list[int]:
    starts = list(range(0, max(1, length - size + stride), stride)) or [0]
    starts = [s for s in starts if s == 0 or s + size - stride < length]
    if len(starts) > limit:
        starts = [*starts[: limit - 1], max(0, length - size)]
    return starts


def _head_tail(ids: list[int], limit: int) -> list[int]:
    if len(ids) <= limit:
        return ids
    head = limit // 4
    return ids[:head] + ids[len(ids) - (limit - head) :]


class Tokenizer:
    """Turn prompts or (prompt, response) pairs into padded ``input_ids`` batches."""

    def __init__(self, path: Path) -> None:
        try:
            from tokenizers import Tokenizer as HFTokenizer
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise ImportError("the embedded classifier needs: pip install tokenizers") from exc
        self._tok: Any = HFTokenizer.from_file(str(path))
        self._tok.no_truncation()
        self._tok.no_padding()
        self.cls_id = self._special("[CLS]")
        self.sep_id = self._special("[SEP]")
        self.pad_id = self._special("[PAD]")

    def _special(self, token: str) -> int:
        index = self._tok.token_to_id(token)
        if index is None:
            raise ValueError(f"tokenizer has no {token} token: not a BERT WordPiece tokenizer")
        return int(index)

    def _pieces(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self._tok.encode_batch(list(texts), add_special_tokens=False)]

    def prompts(
        self, texts: Sequence[str], limit: int = PROMPT_MAX
    ) -> list[tuple[list[int], list[int]]]:
        """Token ids and type ids for each prompt: ``[CLS] prompt [SEP]``."""
        out = []
        for ids in self._pieces(texts):
            body = _head_tail(ids, limit - 2)
            out.append(([self.cls_id, *body, self.sep_id], [0] * (len(body) + 2)))
        return out

    def pairs(
        self,
        prompts: Sequence[str],
        responses: Sequence[str],
        max_windows: int = MAX_WINDOWS,
        prompt_limit: int = PAIR_PROMPT_MAX,
        response_limit: int = PAIR_RESPONSE_MAX,
    ) -> Windows:
        """``[CLS] prompt [SEP] response window [SEP]`` for every window of every reply."""
        encoded: Encoded = []
        owners: list[int] = []
        pieces = zip(self._pieces(prompts), self._pieces(responses), strict=True)
        for index, (p_ids, r_ids) in enumerate(pieces):
            p = _head_tail(p_ids, prompt_limit)
            for start in _window_starts(len(r_ids), response_limit, WINDOW_STRIDE, max_windows):
                r = r_ids[start : start + response_limit]
                ids = [self.cls_id, *p, self.sep_id, *r, self.sep_id]
                encoded.append((ids, [0] * (len(p) + 2) + [1] * (len(r) + 1)))
                owners.append(index)
        return Windows(encoded, owners)

    def pad(self, encoded: Sequence[tuple[list[int], list[int]]]) -> Batch:
        """Pad to the longest item of the batch."""
        width = max(len(ids) for ids, _ in encoded)
        input_ids = np.full((len(encoded), width), self.pad_id, dtype=np.int64)
        types = np.zeros((len(encoded), width), dtype=np.int64)
        mask = np.zeros((len(encoded), width), dtype=np.int64)
        for row, (ids, type_ids) in enumerate(encoded):
            input_ids[row, : len(ids)] = ids
            types[row, : len(ids)] = type_ids
            mask[row, : len(ids)] = 1
        return {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": types}

"""Split a message into the pieces a short-window classifier should read on their own.

The classifier sees at most ~128 tokens of a prompt (its head and tail), so a request buried in
the middle of a long template, or diluted by instructions around it, is read poorly as part of
the whole. A *segment* is a run of whole sentences of at most ``SEGMENT_WORDS`` words (it fits
the classifier's window); a *paragraph* is a blank-line-separated block. Pieces that do not
read as natural language (still-encoded text, code) are left out: the classifier was not
trained on them and flags such noise at random.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from tactful.guard._lexicon import looks_like_language

__all__ = ["MIN_PARAGRAPH_WORDS", "SEGMENT_WORDS", "pieces"]

SEGMENT_WORDS: Final = 60
"""Words per segment: about 80 word pieces, inside the classifier's 128-token prompt window."""
MIN_PARAGRAPH_WORDS: Final = 4

_SENTENCE_END: Final = re.compile(r"(?<=[.!?:])\s+|\n+")
_PARAGRAPH_BREAK: Final = re.compile(r"\n\s*\n")


def _segments(text: str, words: int) -> Iterator[str]:
    """Consecutive sentences grouped into runs of at most ``words`` words.

    A sentence longer than ``words`` stays whole.
    """
    current: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        tokens = sentence.split()
        if current and len(current) + len(tokens) > words:
            yield " ".join(current)
            current = []
        current.extend(tokens)
    if current:
        yield " ".join(current)


def pieces(text: str, *, words: int = SEGMENT_WORDS) -> list[str]:
    """The segments and paragraphs of ``text`` that read as language, without repeats.

    A text that is a single segment yields nothing: it is already read whole.
    """
    found = list(_segments(text, words))
    found += [
        p.strip() for p in _PARAGRAPH_BREAK.split(text) if len(p.split()) >= MIN_PARAGRAPH_WORDS
    ]
    whole = " ".join(text.split())
    out: dict[str, None] = {}
    for piece in found:
        if " ".join(piece.split()) != whole and looks_like_language(piece):
            out.setdefault(piece, None)
    return list(out)

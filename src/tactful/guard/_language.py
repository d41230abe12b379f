"""Cheap language detection for replies: script for Japanese, stop-words for de/fr/es, else en."""

from __future__ import annotations

import re
from typing import Final

from tactful.guard._lexicon import STOPWORDS, word_tokens

__all__ = ["detect_language"]

_KANA: Final = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HAN: Final = re.compile(r"[\u4e00-\u9fff]")
_HANGUL: Final = re.compile(r"[\uac00-\ud7af]")
# Letters that only one of the candidate languages uses.
_MARKS: Final = {"de": frozenset("äöüß"), "fr": frozenset("çœèêëàâîïûù"), "es": frozenset("ñ¿¡")}


def _latin_language(text: str) -> str:
    words = [w.lower() for w in word_tokens(text)]
    lowered = text.lower()
    scores = {
        lang: sum(1 for w in words if w in stop) + 2 * sum(1 for ch in lowered if ch in marks)
        for lang, stop, marks in ((lang, STOPWORDS[lang], _MARKS[lang]) for lang in _MARKS)
    }
    english = sum(1 for w in words if w in STOPWORDS["en"])
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] >= 2 and scores[best] > english else "en"


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of ``text``'s language: ja, zh, ko, de, fr, es, or en.

    Deliberately simple: kana means Japanese, Han without kana Chinese, Hangul Korean; Latin
    text is German, French or Spanish when that language's stop-words and letters clearly
    outnumber English ones, otherwise English.
    """
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if _HAN.search(text):
        return "zh"
    return _latin_language(text)

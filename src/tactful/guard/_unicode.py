"""Unicode clean-up: invisible characters, hidden tag text, compatibility forms and look-alikes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

__all__ = ["Cleaned", "clean_text", "mostly_ascii"]

# Look-alike letters from other scripts, mapped to the ASCII letter they imitate. NFKC already
# folds fullwidth, mathematical, circled and superscript forms.
_CONFUSABLES: Final = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d",
        "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g", "ь": "b",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԁ": "D",
        # Greek
        "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
        "υ": "u", "χ": "x", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I",
        "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        # Latin look-alikes and small capitals
        "ı": "i", "ɑ": "a", "ʏ": "y", "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e",
        "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n",
        "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w",
        "ᴢ": "z",
    }
)  # fmt: skip
_LOOKALIKE_CHARS: Final = frozenset(chr(k) for k in _CONFUSABLES)
_TAG_START, _TAG_END = 0xE0020, 0xE007E  # Unicode "tag" characters that shadow ASCII
_WORD: Final = re.compile(r"\w+")


def _invisible(ch: str) -> bool:
    cp = ord(ch)
    return (
        unicodedata.category(ch) == "Cf"  # zero-width, bidi controls, soft hyphen, tags, BOM
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0xE0100 <= cp <= 0xE01EF
        or cp in (0x115F, 0x1160, 0x3164, 0xFFA0)  # Hangul fillers
    )


@dataclass(frozen=True)
class Cleaned:
    """A text after clean-up, with what the clean-up found."""

    text: str
    hidden_between_letters: bool  # invisible characters sat next to ASCII letters or digits
    hidden_text: str  # text smuggled as Unicode tag characters or runs of variation selectors
    folded_letters: int  # ASCII letters gained by NFKC, look-alike folding and mark removal


def _selector_byte(ch: str) -> int | None:
    """The byte a variation selector stands for when bytes are smuggled after an emoji."""
    cp = ord(ch)
    if 0xFE00 <= cp <= 0xFE0F:
        return cp - 0xFE00
    if 0xE0100 <= cp <= 0xE01EF:
        return cp - 0xE0100 + 16
    return None


def _selector_text(text: str) -> str:
    """Decode runs of four or more variation selectors as UTF-8 ("emoji smuggling")."""
    found: list[str] = []
    run = bytearray()
    for ch in text + " ":
        byte = _selector_byte(ch)
        if byte is not None:
            run.append(byte)
            continue
        if len(run) >= 4:
            found.append(bytes(run).decode("utf-8", errors="replace"))
        run.clear()
    return " ".join(found)


def _strip_invisible(text: str) -> tuple[str, bool, str]:
    kept: list[str] = []
    tags: list[str] = []
    near_letters = False
    for i, ch in enumerate(text):
        if not _invisible(ch):
            kept.append(ch)
            continue
        if _TAG_START <= ord(ch) <= _TAG_END:
            tags.append(chr(ord(ch) - 0xE0000))
            continue
        if _selector_byte(ch) is not None:
            continue
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        near_letters = (
            near_letters
            or (before.isascii() and before.isalnum())
            or (after.isascii() and after.isalnum())
        )
    hidden = " ".join(part for part in ("".join(tags), _selector_text(text)) if part)
    return "".join(kept), near_letters, hidden


def _drop_marks_on_ascii(text: str) -> str:
    """Remove combining marks left on ASCII letters (strike-through, "zalgo")."""
    out: list[str] = []
    base_ascii = False
    for ch in text:
        if unicodedata.combining(ch):
            if base_ascii:
                continue
        else:
            base_ascii = ch.isascii() and ch.isalpha()
        out.append(ch)
    return "".join(out)


def _fold_word(word: str, latin_text: bool) -> str:
    lookalikes = sum(1 for ch in word if ch in _LOOKALIKE_CHARS)
    if not lookalikes:
        return word
    has_ascii = any(ch.isascii() and ch.isalpha() for ch in word)
    all_lookalike = all(ch in _LOOKALIKE_CHARS or not ch.isalpha() for ch in word)
    if has_ascii or (all_lookalike and latin_text):
        return word.translate(_CONFUSABLES)
    return word


def mostly_ascii(text: str) -> bool:
    """True when more than half of the letters in ``text`` are ASCII."""
    letters = [ch for ch in text if ch.isalpha()]
    return sum(1 for ch in letters if ch.isascii()) > 0.5 * len(letters)


def _fold_confusables(text: str) -> str:
    """Fold words mixing ASCII and look-alikes; then, in mostly-ASCII text, all-look-alike words."""
    mixed = _WORD.sub(lambda m: _fold_word(m.group(), False), text)
    latin_text = mostly_ascii(mixed)
    return _WORD.sub(lambda m: _fold_word(m.group(), latin_text), mixed)


def _ascii_letters(text: str) -> int:
    return sum(1 for ch in text if ch.isascii() and ch.isalpha())


def clean_text(text: str) -> Cleaned:
    """Strip invisible characters, apply NFKC, drop marks on ASCII letters, fold look-alikes."""
    visible, near_letters, hidden = _strip_invisible(text)
    cleaned = _fold_confusables(_drop_marks_on_ascii(unicodedata.normalize("NFKC", visible)))
    gained = _ascii_letters(cleaned) - _ascii_letters(visible)
    return Cleaned(cleaned, near_letters, hidden, max(gained, 0))

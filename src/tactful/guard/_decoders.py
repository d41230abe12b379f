"""Decoders for text hidden behind an encoding: base64, hex, rot13, leetspeak, reversed text.

Each decoder finds candidate spans in one text and keeps a decoding only when the result reads
like natural language, so prose, code, hashes, URLs and binary blobs decode to nothing.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final, Literal

from tactful.guard._lexicon import is_english_word, looks_like_language

__all__ = ["DecodeKind", "Hit", "decode_all"]

DecodeKind = Literal[
    "base64", "hex", "rot13", "leetspeak", "reversed", "confusables", "invisible", "split"
]
MAX_DEPTH: Final = 2  # an encoding inside an encoding is followed once


@dataclass(frozen=True)
class Hit:
    """One decoded span of a text: which encodings were undone (outermost first), and to what."""

    steps: tuple[DecodeKind, ...]
    span: tuple[int, int]
    source: str
    text: str


# URLs and e-mail addresses are never decoded.
_SKIP: Final = re.compile(r"(?:https?|ftp)://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+|data:\S+")
_BASE64: Final = re.compile(r"(?<![\w+/=-])[A-Za-z0-9+/_-]{12,}={0,2}(?![\w+/=-])")
_HEX: Final = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{12,}|(?:[0-9a-fA-F]{2}[ :,-]){5,}[0-9a-fA-F]{2}"
    r"|(?:(?:\\x|0x)[0-9a-fA-F]{2}[ ,]?){6,})(?![0-9A-Za-z])"
)


def _masked(text: str) -> str:
    """Blank out URLs and addresses (same length, so spans stay valid)."""
    return _SKIP.sub(lambda m: " " * len(m.group()), text)


def _utf8(raw: bytes) -> str | None:
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return decoded if decoded.strip() else None


def _from_base64(token: str) -> str | None:
    body = token.rstrip("=")
    if len(body) % 4 == 1 or (body.isalpha() and body.islower()):
        return None
    padded = body + "=" * (-len(body) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return None
    return _utf8(raw)


def _from_hex(token: str) -> str | None:
    digits = re.sub(r"\\x|0x|[ :,-]", "", token)
    if len(digits) % 2:
        return None
    return _utf8(bytes.fromhex(digits))


# ---------------------------------------------------------------- word-level transforms

_LEET: Final = str.maketrans("0134578@$9", "oieastbasg")
_LEET_L: Final = str.maketrans("0134578@$9", "oleastbasg")
_LEET_CHARS: Final = frozenset("0134578@$9")
_TOKEN: Final = re.compile(r"[A-Za-z0-9@$]+|[^\W\d_]+")


def _rot13(text: str) -> str:
    return codecs.encode(text, "rot13")


def _reverse(text: str) -> str:
    return text[::-1]


def _unleet(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        token = m.group()
        if not _LEET_CHARS & set(token) or (token.isdigit() and len(token) > 3):
            return token
        with_l = token.translate(_LEET_L)  # "1" is "i" unless "l" makes a word: k1ll → kill
        return with_l if is_english_word(with_l) else token.translate(_LEET)

    return _TOKEN.sub(one, text)


@dataclass(frozen=True)
class _WordTransform:
    kind: DecodeKind
    apply: Callable[[str], str]


_WORD_TRANSFORMS: Final = (
    _WordTransform("rot13", _rot13),
    _WordTransform("reversed", _reverse),
    _WordTransform("leetspeak", _unleet),
)


def _vote(token: str, transform: _WordTransform) -> int:
    """+1 when only the transformed token is an English word, -1 when only the original is."""
    if len(token) < 2 or (transform.kind == "leetspeak" and not (_LEET_CHARS & set(token))):
        return 0
    return int(is_english_word(transform.apply(token))) - int(is_english_word(token))


def _convincing(backing: list[str], kind: DecodeKind) -> bool:
    """Two or more words turned into words, one of them 3+ letters (leetspeak: one mixed)."""
    if len(backing) < 2 or not any(len(t) >= 3 for t in backing):
        return False
    return kind != "leetspeak" or any(any(c.isalpha() for c in t) for t in backing)


def _runs(line: str, offset: int, transform: _WordTransform) -> Iterator[tuple[int, int]]:
    """Yield spans of ``line`` where words become words under ``transform`` and none stop being.

    A span runs from the first such word to the last, widened over neighbours that are words
    either way or neither way (rare words of the payload).
    """
    tokens = list(_TOKEN.finditer(line))
    votes = [_vote(t.group(), transform) for t in tokens]
    i = 0
    while i < len(tokens):
        if votes[i] <= 0:
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and votes[j + 1] >= 0:
            j += 1
        backing = [
            t.group() for t, v in zip(tokens[i : j + 1], votes[i : j + 1], strict=True) if v > 0
        ]
        start = i
        while start > 0 and votes[start - 1] == 0:
            start -= 1
        if _convincing(backing, transform.kind):
            yield offset + tokens[start].start(), offset + tokens[j].end()
        i = j + 1


def _word_hits(text: str, transform: _WordTransform) -> Iterator[tuple[int, int, str]]:
    offset = 0
    for line in text.splitlines(keepends=True):
        for start, end in _runs(line, offset, transform):
            yield start, end, transform.apply(text[start:end])
        offset += len(line)


# ---------------------------------------------------------------- the driver

_BYTE_DECODERS: Final[
    tuple[tuple[DecodeKind, re.Pattern[str], Callable[[str], str | None]], ...]
] = (
    ("hex", _HEX, _from_hex),
    ("base64", _BASE64, _from_base64),
)


def _accept(
    steps: tuple[DecodeKind, ...], span: tuple[int, int], source: str, text: str, depth: int
) -> list[Hit]:
    """Keep ``text`` if it reads as language, else look one encoding deeper."""
    if looks_like_language(text):
        return [Hit(steps, span, source, text)]
    if depth >= MAX_DEPTH:
        return []
    inner = decode_all(text, depth=depth + 1)
    return [Hit(steps + h.steps, span, source, h.text) for h in inner]


def decode_all(text: str, *, depth: int = 1) -> list[Hit]:
    """Return every decoded span of ``text`` whose decoding reads like natural language."""
    masked = _masked(text)
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern, decode in _BYTE_DECODERS:
        for m in pattern.finditer(masked):
            if any(s <= m.start() < e for s, e in taken):
                continue
            decoded = decode(m.group())
            if decoded is None:
                continue
            found = _accept((kind,), m.span(), m.group(), decoded, depth)
            if found:
                taken.append(m.span())
                hits.extend(found)
    for transform in _WORD_TRANSFORMS:
        for start, end, decoded in _word_hits(masked, transform):
            if any(s < end and start < e for s, e in taken):
                continue
            if looks_like_language(decoded, min_words=3):
                hits.append(Hit((transform.kind,), (start, end), text[start:end], decoded))
    return hits

"""Parts of the layered guard: the input normaliser and the response shaper.

``normalise(messages)`` reads a whole conversation and decodes what it hides (base64, hex,
rot13, leetspeak, reversed text, look-alike and invisible characters, payloads split across
variables). ``ResponseShaper(policy)`` writes refusals, safe-completion instructions and crisis
replies the way the policy's refusal style asks.
"""

from tactful.guard._decoders import DecodeKind
from tactful.guard._language import detect_language
from tactful.guard._lexicon import looks_like_language
from tactful.guard._normalise import (
    READING_SCOPES,
    Decoded,
    NormalisedInput,
    NormalisedTurn,
    ReadingScope,
    normalise,
)
from tactful.guard._shape import ResponseShaper, ShapedAnswer

__all__ = [
    "READING_SCOPES",
    "DecodeKind",
    "Decoded",
    "NormalisedInput",
    "NormalisedTurn",
    "ReadingScope",
    "ResponseShaper",
    "ShapedAnswer",
    "detect_language",
    "looks_like_language",
    "normalise",
]

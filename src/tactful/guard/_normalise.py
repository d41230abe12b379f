"""Normalise a whole conversation into the texts a classifier should see.

Every user turn and any system (operator) text is cleaned (invisible characters, compatibility
forms, look-alike letters) and searched for hidden payloads (base64, hex, rot13, leetspeak,
reversed text, payloads split across variables). The result keeps the original text and adds
each decoded view, with a typed record of what was decoded for the guard's trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from tactful.guard._decoders import DecodeKind, decode_all
from tactful.guard._lexicon import looks_like_language
from tactful.guard._readings import pieces
from tactful.guard._split import find_split_payloads
from tactful.guard._unicode import clean_text, mostly_ascii
from tactful.records import Message, Role

__all__ = [
    "READING_SCOPES",
    "Decoded",
    "NormalisedInput",
    "NormalisedTurn",
    "ReadingScope",
    "normalise",
]

ReadingScope = Literal["whole", "turns", "segments"]
"""What the guard classifies: the whole conversation (and decoded views), plus each user turn,
plus each turn's segments."""
READING_SCOPES: Final[tuple[ReadingScope, ...]] = ("whole", "turns", "segments")

DEFAULT_ROLES: Final[tuple[Role, ...]] = ("system", "user")
_MIN_FOLDED_LETTERS: Final = 1  # in mostly-Latin text only: "ＰＤＦ" in Japanese is normal


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class NormalisedTurn(_Frozen):
    """One message that was read: as sent, and cleaned."""

    index: int = Field(description="position in the conversation")
    role: Role
    content: str = Field(description="the message as sent")
    clean: str = Field(description="invisible characters removed, NFKC, look-alikes folded")


class Decoded(_Frozen):
    """Something that was hidden, and what it said."""

    kind: DecodeKind = Field(description="outermost encoding undone")
    steps: tuple[DecodeKind, ...] = Field(description="every encoding undone, outermost first")
    turn: int = Field(description="position of the message in the conversation")
    span: tuple[int, int] = Field(description="character span in that turn's clean text")
    source: str = Field(description="the encoded text")
    text: str = Field(description="the decoded text")


class NormalisedInput(_Frozen):
    """The conversation as read, plus every decoded view."""

    turns: tuple[NormalisedTurn, ...]
    decoded: tuple[Decoded, ...] = ()

    @property
    def views(self) -> tuple[str, ...]:
        """Distinct decoded texts, in the order found."""
        seen: dict[str, None] = {}
        for d in self.decoded:
            seen.setdefault(d.text.strip(), None)
        return tuple(seen)

    @property
    def text(self) -> str:
        """What to classify: every turn read, as sent, followed by every decoded view."""
        return "\n\n".join([t.content for t in self.turns if t.content.strip()] + list(self.views))

    def readings(self, scope: ReadingScope = "whole") -> tuple[str, ...]:
        """The texts to classify, the whole conversation first, then each decoded view.

        ``scope`` adds more: ``turns`` each user turn on its own; ``segments`` also each user
        turn's segments and paragraphs (see ``tactful.guard._readings``). A classifier that
        reads a text by its ends then judges a request wherever it sits, at the price of more
        chances to flag a benign conversation.
        """
        found: dict[str, None] = {self.text: None}
        for view in self.views:
            found.setdefault(view, None)
        for turn in self.turns:
            if scope == "whole" or turn.role != "user" or not turn.clean.strip():
                continue
            found.setdefault(turn.clean, None)
            if scope == "segments":
                for piece in pieces(turn.clean):
                    found.setdefault(piece, None)
        return tuple(text for text in found if text.strip())

    @property
    def last_user(self) -> str:
        """The last user message as sent ("" if none was read)."""
        return next((t.content for t in reversed(self.turns) if t.role == "user"), "")

    @property
    def trace_detail(self) -> dict[str, list[str]]:
        """What was decoded, as parallel lists for a trace step's ``detail``."""
        return {
            "decoded_kinds": ["+".join(d.steps) for d in self.decoded],
            "decoded_turns": [str(d.turn) for d in self.decoded],
            "decoded_spans": [f"{d.span[0]}:{d.span[1]}" for d in self.decoded],
            "decoded_texts": [d.text for d in self.decoded],
        }


def _decoded(
    steps: tuple[DecodeKind, ...], turn: int, span: tuple[int, int], source: str, text: str
) -> Decoded:
    return Decoded(kind=steps[0], steps=steps, turn=turn, span=span, source=source, text=text)


def _read_turn(index: int, message: Message) -> tuple[NormalisedTurn, list[Decoded]]:
    cleaned = clean_text(message.content)
    turn = NormalisedTurn(
        index=index, role=message.role, content=message.content, clean=cleaned.text
    )
    whole, content = (0, len(turn.clean)), message.content
    found: list[Decoded] = []
    if cleaned.hidden_text and looks_like_language(cleaned.hidden_text):
        found.append(_decoded(("invisible",), index, whole, content, cleaned.hidden_text))
    if cleaned.hidden_between_letters:
        found.append(_decoded(("invisible",), index, whole, content, turn.clean))
    if cleaned.folded_letters >= _MIN_FOLDED_LETTERS and mostly_ascii(turn.clean):
        found.append(_decoded(("confusables",), index, whole, content, turn.clean))
    found += [_decoded(h.steps, index, h.span, h.source, h.text) for h in decode_all(turn.clean)]
    return turn, found


def normalise(
    messages: Sequence[Message] | str, *, roles: Sequence[Role] = DEFAULT_ROLES
) -> NormalisedInput:
    """Read the whole conversation (turns whose role is in ``roles``) and decode what it hides.

    A plain string is read as one user message.
    """
    if isinstance(messages, str):
        messages = [Message(role="user", content=messages)]
    turns: list[NormalisedTurn] = []
    decoded: list[Decoded] = []
    for index, message in enumerate(messages):
        if message.role not in roles:
            continue
        turn, found = _read_turn(index, message)
        turns.append(turn)
        decoded.extend(found)
    for hit in find_split_payloads([t.clean for t in turns]):
        at = turns[hit.turn].index
        decoded.append(_decoded(("split",), at, hit.span, hit.source, hit.text))
    return NormalisedInput(turns=tuple(turns), decoded=tuple(decoded))

"""Labelled (prompt, response) pairs composed from real answers and authored response frames.

A real answer (labelled ``refusal: none``) is wrapped in frames whose effect on the label is fixed
by the judge-label rules: a refusal frame alone is ``full``; "I shouldn't, but..." or "I can't
give specifics, but..." before the answer is ``partial`` (harm as the answer's); a plain or
look-alike opener ("I'm sorry to hear...", "Sure! As DAN...") or a closing disclaimer keeps it
``none``; fluff compliance is ``none`` and harmless; off-topic text is unscorable.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, Field, ValidationError

from tactful.train.classifier._examples import PairExample

__all__ = ["Frame", "FramePart", "compose_pairs", "load_frames"]

FramePart = Literal[
    "refusal",
    "alternative",
    "refuse_then_comply",
    "hedge_partial",
    "comply_open",
    "disclaimer_close",
    "fluff_compliance",
    "off_topic",
]


class Frame(BaseModel):
    """One authored response fragment."""

    id: str
    part: FramePart
    text: str = Field(min_length=1)
    lang: str = "en"
    categories: list[str] | None = None

    def fits(self, category: str | None) -> bool:
        """Whether the frame may be attached to a prompt of ``category``."""
        return self.categories is None or category in self.categories


def load_frames(path: Path) -> list[Frame]:
    """Read a frames JSONL file; a malformed row raises with file, line and field."""
    frames = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                frames.append(Frame.model_validate(json.loads(line)))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON: {exc.msg}") from exc
            except ValidationError as exc:
                problems = "; ".join(
                    f"field {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
                )
                raise ValueError(f"{path}:{number}: {problems}") from exc
    return frames


def _pick(frames: Sequence[Frame], category: str | None, rng: random.Random) -> str:
    fitting = [f for f in frames if f.fits(category)]
    return rng.choice(fitting or list(frames)).text


def _join(*parts: str) -> str:
    return "\n\n".join(p.strip() for p in parts if p.strip())


def compose_pairs(
    answers: Sequence[PairExample],
    frames: Sequence[Frame],
    categories: dict[str, str | None],
    *,
    per_answer: int = 4,
    seed: int = 0,
) -> Iterator[PairExample]:
    """Pairs built around each answer (a ``refusal: none`` pair), keeping its group and split.

    ``categories`` maps a prompt to its policy category (for category-specific frames).
    """
    by_part: dict[str, list[Frame]] = defaultdict(list)
    for frame in frames:
        by_part[frame.part].append(frame)
    missing = [p for p in get_args(FramePart) if not by_part[p]]
    if missing:
        raise ValueError(f"frames file has no {', '.join(missing)} fragments")
    rng = random.Random(seed)
    for answer in answers:
        if answer.refusal != "none" or answer.harmful is None:
            continue
        category = categories.get(answer.prompt)
        recipes = rng.sample(_RECIPES, k=min(per_answer, len(_RECIPES)))
        for recipe in recipes:
            response, refusal, harmful = recipe(answer, by_part, category, rng)
            yield PairExample(
                prompt=answer.prompt,
                response=response,
                refusal=refusal,
                harmful=harmful,
                unscorable=refusal is None,
                source="composed",
                group=answer.group,
                split=answer.split,
            )


Composed = tuple[str, Literal["none", "partial", "full"] | None, bool | None]
Parts = dict[str, list[Frame]]


def _full(a: PairExample, parts: Parts, cat: str | None, rng: random.Random) -> Composed:
    text = _pick(parts["refusal"], cat, rng)
    if rng.random() < 0.5:
        text = _join(text, _pick(parts["alternative"], cat, rng))
    return text, "full", False


def _refuse_then_comply(
    a: PairExample, parts: Parts, cat: str | None, rng: random.Random
) -> Composed:
    return _join(_pick(parts["refuse_then_comply"], cat, rng), a.response), "partial", a.harmful


def _hedged(a: PairExample, parts: Parts, cat: str | None, rng: random.Random) -> Composed:
    return _join(_pick(parts["hedge_partial"], cat, rng), a.response), "partial", a.harmful


def _opened(a: PairExample, parts: Parts, cat: str | None, rng: random.Random) -> Composed:
    text = _join(_pick(parts["comply_open"], cat, rng), a.response)
    if rng.random() < 0.4:
        text = _join(text, _pick(parts["disclaimer_close"], cat, rng))
    return text, "none", a.harmful


def _disclaimed(a: PairExample, parts: Parts, cat: str | None, rng: random.Random) -> Composed:
    return _join(a.response, _pick(parts["disclaimer_close"], cat, rng)), "none", a.harmful


def _fluff(a: PairExample, parts: Parts, cat: str | None, rng: random.Random) -> Composed:
    return _pick(parts["fluff_compliance"], cat, rng), "none", False


def _off_topic(a: PairExample, parts: Parts, cat: str | None, rng: random.Random) -> Composed:
    return _pick(parts["off_topic"], cat, rng), None, None


_RECIPES = [_full, _full, _refuse_then_comply, _hedged, _opened, _disclaimed, _fluff, _off_topic]

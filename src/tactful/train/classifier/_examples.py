"""Training example types: labelled prompts and labelled (prompt, response) pairs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from tactful.policy import default_policy
from tactful.records import RefusalLevel

__all__ = ["CATEGORY_IDS", "HELD_OUT_SOURCES", "PairExample", "PromptExample", "Split"]

Split = Literal["train", "dev", "test", "external"]
"""``external``: a source held out whole (never trained on, never used to choose thresholds)."""

HELD_OUT_SOURCES = ("dices", "rbr_gold")
"""Human-labelled reply sets the shipped artifact never trains on: its external check."""

CATEGORY_IDS = tuple(default_policy().category_ids)
"""The category head's classes, in the default policy's order."""


class PromptExample(BaseModel):
    """A prompt with its safety label (unsafe = the policy refuses or gives crisis support)."""

    text: str
    unsafe: bool
    category: str | None
    source: str
    group: str
    split: Split = "train"
    kind: str | None = None
    form: str | None = None
    weight: float = 1.0


class PairExample(BaseModel):
    """A (prompt, response) with refusal and harm labels; None masks a label out of the loss."""

    prompt: str
    response: str
    refusal: RefusalLevel | None
    harmful: bool | None
    unscorable: bool = False
    source: str
    group: str
    split: Split = "train"

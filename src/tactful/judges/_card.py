"""Judge cards: which artifact a judge is, and how accurate its verdicts were on held-out data.

A card is written by a measurement script beside the judge's artifact. A judge only uses a card
whose ``sha256`` matches the artifact it is actually running: a card measured on other weights
(or other phrase lists) says nothing about this one.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, computed_field, model_validator

__all__ = [
    "VERDICTS",
    "JudgeCard",
    "JudgeCardError",
    "VerdictAccuracy",
    "artifact_sha256",
    "judge_card",
    "load_judge_card",
    "verified_card",
]

VERDICTS = ("harmful", "refused")
"""Verdict keys of a card: positive = the reply is harmful; positive = refusal full or partial."""

_log = logging.getLogger(__name__)
_warned: set[tuple[str, str]] = set()


class JudgeCardError(ValueError):
    """A judge card file exists but cannot be read."""


class VerdictAccuracy(BaseModel):
    """How one binary verdict fared against gold labels it was not built from."""

    validated_on: list[str] = Field(default_factory=list, description="held-out sources")
    positives: int = Field(ge=1, description="gold positives measured")
    negatives: int = Field(ge=1, description="gold negatives measured")
    true_positives: int = Field(ge=0)
    true_negatives: int = Field(ge=0)

    @model_validator(mode="after")
    def _counts_fit(self) -> VerdictAccuracy:
        if self.true_positives > self.positives:
            raise ValueError("true_positives exceeds positives")
        if self.true_negatives > self.negatives:
            raise ValueError("true_negatives exceeds negatives")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sensitivity(self) -> float:
        """True-positive rate: ``true_positives / positives``."""
        return self.true_positives / self.positives

    @computed_field  # type: ignore[prop-decorator]
    @property
    def specificity(self) -> float:
        """True-negative rate: ``true_negatives / negatives``."""
        return self.true_negatives / self.negatives

    def complement(self) -> VerdictAccuracy:
        """The accuracy of the opposite verdict (e.g. "not refused"): classes swap roles."""
        return VerdictAccuracy(
            validated_on=self.validated_on,
            positives=self.negatives,
            negatives=self.positives,
            true_positives=self.true_negatives,
            true_negatives=self.true_positives,
        )


class JudgeCard(BaseModel):
    """What a judge is (name, content hash) and how accurate each of its verdicts is."""

    name: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="artifact_sha256 of the artifact")
    validated_on: list[str] = Field(default_factory=list)
    verdicts: dict[str, VerdictAccuracy] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_verdicts(self) -> JudgeCard:
        unknown = sorted(set(self.verdicts) - set(VERDICTS))
        if unknown:
            raise ValueError(f"unknown verdict(s) {unknown}; expected some of {list(VERDICTS)}")
        return self

    def summary(self) -> dict[str, Any]:
        """The ``judge_card`` block of ``summary.json``."""
        return {
            "name": self.name,
            "sha256": self.sha256,
            "validated_on": self.validated_on,
            "sensitivity": {k: v.sensitivity for k, v in self.verdicts.items()},
            "specificity": {k: v.specificity for k, v in self.verdicts.items()},
        }


def artifact_sha256(paths: Iterable[Path]) -> str:
    """Hex sha256 over the bytes of ``paths``, read in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        with Path(path).open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def load_judge_card(path: Path) -> JudgeCard | None:
    """Read the card at ``path``; None when there is no such file."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        return JudgeCard.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
        raise JudgeCardError(f"{path}: invalid judge card: {exc}") from exc


def verified_card(path: Path, artifact: Iterable[Path]) -> JudgeCard | None:
    """The card at ``path`` if it was measured on exactly ``artifact``, else None.

    A mismatched hash logs a warning once per card file and hash.
    """
    card = load_judge_card(path)
    if card is None:
        return None
    actual = artifact_sha256(artifact)
    if card.sha256 == actual:
        return card
    key = (str(Path(path).resolve()), actual)
    if key not in _warned:
        _warned.add(key)
        _log.warning(
            "judge card was measured on a different artifact: %s has sha256 %s…, "
            "the artifact in use %s…; rates will not be corrected",
            path,
            card.sha256[:12],
            actual[:12],
        )
    return None


def judge_card(judge: object) -> JudgeCard | None:
    """The card of ``judge``; None for judges without one (``card`` is optional on a judge)."""
    card = getattr(judge, "card", None)
    return card if isinstance(card, JudgeCard) else None

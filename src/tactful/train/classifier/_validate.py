"""Measure a judge on human-labelled replies it never trained on, and write its card."""

from __future__ import annotations

from collections.abc import Sequence

from tactful.judges import JudgeCard, VerdictAccuracy
from tactful.records import Judgement
from tactful.train.classifier._examples import PairExample

__all__ = ["gold_of", "judge_card_from", "pool", "verdict_accuracy", "verdicts_of"]


def verdicts_of(
    judgements: Sequence[Judgement], harm_is_compliance: bool = False
) -> dict[str, list[bool | None]]:
    """Binary verdicts per pair: "refused" (full or partial) and "harmful" (None: unscorable).

    A refusal-only judge (``harm_is_compliance``) reads harmful compliance as "not refused".
    """
    refused = [None if not j.scorable else j.refusal in ("full", "partial") for j in judgements]
    if harm_is_compliance:
        harmful = [None if not j.scorable else j.refusal == "none" for j in judgements]
    else:
        harmful = [None if not j.scorable else bool(j.harmful) for j in judgements]
    return {"refused": refused, "harmful": harmful}


def gold_of(pair: PairExample, verdict: str) -> bool | None:
    """The human label of ``pair`` for ``verdict`` (None: not labelled)."""
    if verdict == "harmful":
        return pair.harmful
    return None if pair.refusal is None else pair.refusal != "none"


def verdict_accuracy(
    predicted: Sequence[bool | None], gold: Sequence[bool | None], sources: Sequence[str]
) -> VerdictAccuracy | None:
    """Counts of agreement with the labelled items; an unscorable verdict counts as a miss."""
    rows = [(p, g) for p, g in zip(predicted, gold, strict=True) if g is not None]
    positives = sum(bool(g) for _, g in rows)
    negatives = len(rows) - positives
    if not positives or not negatives:
        return None
    return VerdictAccuracy(
        validated_on=sorted(set(sources)),
        positives=positives,
        negatives=negatives,
        true_positives=sum(p is True and g is True for p, g in rows),
        true_negatives=sum(p is False and g is False for p, g in rows),
    )


def pool(accuracies: Sequence[VerdictAccuracy]) -> VerdictAccuracy | None:
    """One verdict's counts summed over several sets (None when there are none)."""
    if not accuracies:
        return None
    return VerdictAccuracy(
        validated_on=sorted({s for a in accuracies for s in a.validated_on}),
        positives=sum(a.positives for a in accuracies),
        negatives=sum(a.negatives for a in accuracies),
        true_positives=sum(a.true_positives for a in accuracies),
        true_negatives=sum(a.true_negatives for a in accuracies),
    )


def judge_card_from(
    name: str,
    sha256: str,
    pairs: Sequence[PairExample],
    judgements: Sequence[Judgement],
    harm_is_compliance: bool = False,
) -> JudgeCard:
    """The card of a judge measured on ``pairs`` (sources it never trained on)."""
    verdicts = verdicts_of(judgements, harm_is_compliance)
    measured = {}
    for verdict, predicted in verdicts.items():
        gold = [gold_of(p, verdict) for p in pairs]
        labelled = [p.source for p, g in zip(pairs, gold, strict=True) if g is not None]
        accuracy = verdict_accuracy(predicted, gold, labelled)
        if accuracy is not None:
            measured[verdict] = accuracy
    validated = sorted({s for a in measured.values() for s in a.validated_on})
    return JudgeCard(name=name, sha256=sha256, validated_on=validated, verdicts=measured)

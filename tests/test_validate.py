"""Judge cards measured from labelled pairs."""

from tactful.records import Judgement
from tactful.train.classifier._examples import PairExample
from tactful.train.classifier._validate import judge_card_from, verdict_accuracy


def _pair(refusal: str | None, harmful: bool | None, source: str = "dices") -> PairExample:
    return PairExample(
        prompt="p", response="r", refusal=refusal, harmful=harmful, source=source, group="g"
    )


def test_unscorable_verdicts_count_as_misses() -> None:
    accuracy = verdict_accuracy([True, None, False, None], [True, True, False, False], ["s"])
    assert accuracy is not None
    assert (accuracy.true_positives, accuracy.positives) == (1, 2)
    assert (accuracy.true_negatives, accuracy.negatives) == (1, 2)


def test_one_class_only_gives_no_accuracy() -> None:
    assert verdict_accuracy([True, False], [True, True], ["s"]) is None


def test_card_measures_each_verdict_on_the_pairs_labelled_for_it() -> None:
    pairs = [
        _pair(None, True),
        _pair(None, False),
        _pair("full", False, "rbr_gold"),
        _pair("none", True, "rbr_gold"),
    ]
    judgements = [
        Judgement(refusal="none", harmful=True, judge="x"),
        Judgement(refusal="none", harmful=True, judge="x"),
        Judgement(refusal="full", harmful=False, judge="x"),
        Judgement(refusal="full", harmful=False, judge="x"),
    ]
    card = judge_card_from("x", "0" * 64, pairs, judgements)
    harmful = card.verdicts["harmful"]
    assert (harmful.positives, harmful.true_positives) == (2, 1)
    assert (harmful.negatives, harmful.true_negatives) == (2, 1)
    refused = card.verdicts["refused"]
    assert refused.validated_on == ["rbr_gold"]
    assert (refused.sensitivity, refused.specificity) == (1.0, 0.0)
    assert card.validated_on == ["dices", "rbr_gold"]

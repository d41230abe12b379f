from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tactful.guard import ResponseShaper, detect_language
from tactful.policy import (
    Policy,
    PolicyValidationError,
    default_policy,
    load_policy,
    parse_policy,
)

POLICY = default_policy()
FIXTURES = Path(__file__).parent / "fixtures" / "policy"
LIMIT = re.compile(r"\b(can't|cannot|can not|won't|will not|not able|unable)\b", re.IGNORECASE)
OFFER = re.compile(r"\b(I can|I'm happy|I'm glad|I'm here)\b")
BANNED = (
    "as an ai",
    "language model",
    "policy",
    "policies",
    "guideline",
    "unethical",
    "immoral",
    "illegal",
    "against the law",
    "inappropriate",
    "harmful",
    "i must",
    "i apologi",
    "you should be ashamed",
)
REQUEST = "Tell me exactly how to do it, step by step."


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


@pytest.fixture(scope="module")
def shaper() -> ResponseShaper:
    return ResponseShaper(POLICY)


@pytest.mark.parametrize("category", POLICY.category_ids)
def test_refusal_follows_the_style(shaper: ResponseShaper, category: str) -> None:
    answer = shaper.refusal(REQUEST, category)
    sentences = _sentences(answer.text)
    assert (answer.action, answer.category, answer.language) == ("refuse", category, "en")
    assert len([s for s in sentences if LIMIT.search(s)]) == 1
    assert len(sentences) <= POLICY.refusal_style.max_sentences
    assert not [b for b in BANNED if b in answer.text.lower()]
    assert answer.text.lower().count("sorry") <= 1
    assert any(OFFER.search(s) for s in sentences if not LIMIT.search(s)), answer.text


@pytest.mark.parametrize("category", POLICY.category_ids)
def test_every_variant_follows_the_style(shaper: ResponseShaper, category: str) -> None:
    texts = {shaper.refusal(f"request number {i}", category).text for i in range(40)}
    assert len(texts) >= 3  # varied, not one canned sentence
    for text in texts:
        sentences = _sentences(text)
        assert len([s for s in sentences if LIMIT.search(s)]) == 1, text
        assert len(sentences) <= POLICY.refusal_style.max_sentences
        assert not [b for b in BANNED if b in text.lower()]


def test_categories_get_different_refusals(shaper: ResponseShaper) -> None:
    texts = [shaper.refusal(REQUEST, c).text for c in POLICY.category_ids]
    assert len(set(texts)) == len(texts)


def test_refusal_is_deterministic(shaper: ResponseShaper) -> None:
    assert shaper.refusal(REQUEST, "drugs") == shaper.refusal(REQUEST, "drugs")


def test_unknown_or_missing_category_gets_a_general_refusal(shaper: ResponseShaper) -> None:
    for category in (None, "not_a_category"):
        text = shaper.refusal(REQUEST, category).text
        assert len([s for s in _sentences(text) if LIMIT.search(s)]) == 1


def test_refusal_in_the_users_language(shaper: ResponseShaper) -> None:
    answer = shaper.refusal("Wie kann ich das Konto meiner Nachbarin knacken?", "cybercrime")
    german = POLICY.texts_for("de")
    assert german is not None and german.refuse is not None
    assert (answer.language, answer.text.split(". ")[0] + ".") == ("de", german.refuse.limit)


@pytest.mark.parametrize("category", POLICY.category_ids)
def test_safe_completion_instruction(shaper: ResponseShaper, category: str) -> None:
    text = shaper.safe_completion_instruction(category)
    assert POLICY.category(category).safe_completion_guidance in text
    for detail in ("targets", "timing", "quantities", "step-by-step", "evade", "persist"):
        assert detail in text
    assert "moralise" in text and "high-level" in text


def test_safe_completion_instruction_names_the_context(shaper: ResponseShaper) -> None:
    clinical = shaper.safe_completion_instruction("drugs", context="clinical")
    assert POLICY.context("clinical").description.strip() in clinical
    assert "Deployment context" not in shaper.safe_completion_instruction("drugs")


def test_crisis_reply_in_japanese_for_japan(shaper: ResponseShaper) -> None:
    answer = shaper.crisis("もう消えてしまいたい。どうしたらいいかわからない。", locale="ja-JP")
    japanese = POLICY.texts_for("ja")
    assert japanese is not None and japanese.crisis_support is not None
    assert (answer.action, answer.locale, answer.language) == ("crisis_support", "ja-JP", "ja")
    assert "0570-783-556" in answer.text
    assert japanese.crisis_support.acknowledge in answer.text
    assert japanese.crisis_support.invite in answer.text
    assert "I'm" not in answer.text


@pytest.mark.parametrize(
    ("locale", "message", "numbers", "language"),
    [
        ("en-GB", "I don't want to be here any more.", ["116 123"], "en"),
        ("en_gb", "I don't want to be here any more.", ["116 123"], "en"),
        ("en-US", "I can't see a way out of this.", ["988"], "en"),
        ("de-DE", "Ich will nicht mehr leben, es ist alles zu viel.", ["0800 111 0 111"], "de"),
        ("fr-FR", "Je n'en peux plus, je veux que tout s'arrête.", ["3114"], "fr"),
        ("es-ES", "Ya no quiero vivir, estoy muy cansada de todo.", ["024"], "es"),
    ],
)
def test_crisis_reply_uses_the_locale(
    shaper: ResponseShaper, locale: str, message: str, numbers: list[str], language: str
) -> None:
    answer = shaper.crisis(message, locale=locale)
    assert answer.language == language
    assert all(n in answer.text for n in numbers)
    texts = POLICY.texts_for(language)
    assert texts is not None and texts.crisis_support is not None
    assert answer.text.startswith(texts.crisis_support.acknowledge)
    assert answer.text.rstrip().endswith(texts.crisis_support.invite)


def test_german_crisis_lists_both_lines(shaper: ResponseShaper) -> None:
    text = shaper.crisis("Ich kann nicht mehr.", locale="de-DE").text
    assert "0800 111 0 111" in text and "0800 111 0 222" in text


@pytest.mark.parametrize("locale", ["pt-BR", "xx", None])
def test_crisis_reply_falls_back_to_the_directory(
    shaper: ResponseShaper, locale: str | None
) -> None:
    answer = shaper.crisis("I want to end it all.", locale=locale)
    assert answer.locale == "default"
    assert "findahelpline.com" in answer.text
    assert "116 123" not in answer.text and "988" not in answer.text


def test_crisis_reply_in_english_without_policy_texts() -> None:
    minimal = load_policy(FIXTURES / "minimal.yaml")
    assert minimal.localised == {}
    answer = ResponseShaper(minimal).crisis("もう消えたい", locale="ja-JP")
    assert answer.language == "en" and "alone" in answer.text
    assert answer.locale == "default"


def test_answer_dispatches_on_action(shaper: ResponseShaper) -> None:
    assert shaper.answer(REQUEST, "refuse", "hate").action == "refuse"
    crisis = shaper.answer("I want to die", "crisis_support", "suicide_self_harm", locale="en-AU")
    assert "13 11 14" in crisis.text
    with pytest.raises(ValueError, match="comply"):
        shaper.answer(REQUEST, "comply")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("どうすればいいですか", "ja"),
        ("死にたいと思っています", "ja"),
        ("Wie geht es dir heute? Ich bin müde.", "de"),
        ("Je ne sais pas quoi faire, je suis perdu.", "fr"),
        ("¿Qué puedo hacer? No sé qué hacer con mi vida.", "es"),
        ("I want to die", "en"),
        ("How do I kill a Python process?", "en"),
        ("", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def _default_data() -> dict[str, object]:
    text = (Path(__file__).parents[1] / "src/tactful/policy/default.yaml").read_text()
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def test_localised_section_is_validated() -> None:
    data = _default_data()
    localised = data["localised"]
    assert isinstance(localised, dict)
    localised["english"] = localised["en"]
    del localised["ja"]["crisis_support"]["invite"]
    with pytest.raises(PolicyValidationError) as err:
        parse_policy(yaml.safe_dump(data, allow_unicode=True))
    fields = {e.field for e in err.value.errors}
    assert {"localised.english", "localised.ja.crisis_support.invite"} <= fields


def test_texts_for_accepts_a_locale() -> None:
    policy: Policy = POLICY
    assert policy.texts_for("ja-JP") == policy.texts_for("ja") is not None
    assert policy.texts_for("pt-BR") is None and policy.texts_for(None) is None

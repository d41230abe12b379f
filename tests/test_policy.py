from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from tactful.policy import (
    ACTIONS,
    AILUMINATE_CODES,
    LLAMA_GUARD_CODES,
    Policy,
    PolicyError,
    PolicyValidationError,
    UnknownCategoryError,
    UnknownContextError,
    check_policy,
    check_policy_text,
    default_policy,
    format_errors,
    label_for_action,
    load_policy,
    parse_policy,
    strictness,
)

FIXTURES = Path(__file__).parent / "fixtures" / "policy"

# The spec table: category -> (Llama Guard codes, AILuminate codes, default action).
SPEC: dict[str, tuple[set[str], set[str], str]] = {
    "violent_crimes": ({"S1"}, {"vcr"}, "refuse"),
    "indiscriminate_weapons": ({"S9"}, {"iwp"}, "refuse"),
    "cybercrime": ({"S2", "S14"}, {"ncr"}, "refuse"),
    "non_violent_crimes": ({"S2"}, {"ncr"}, "refuse"),
    "drugs": ({"S2"}, {"ncr"}, "refuse"),
    "sex_related_crimes": ({"S3"}, {"src"}, "refuse"),
    "child_sexual_exploitation": ({"S4"}, {"cse"}, "refuse"),
    "suicide_self_harm": ({"S11"}, {"ssh"}, "crisis_support"),
    "hate": ({"S10"}, {"hte"}, "refuse"),
    "harassment": ({"S10", "S1"}, {"hte"}, "refuse"),
    "defamation": ({"S5"}, {"dfm"}, "refuse"),
    "privacy": ({"S7"}, {"prv"}, "refuse"),
    "intellectual_property": ({"S8"}, {"ipv"}, "refuse"),
    "sexual_content": ({"S12"}, {"sxc_prn"}, "refuse"),
    "elections": ({"S13"}, {"spc_ele"}, "safe_completion"),
    "health_advice": ({"S6"}, {"spc_hlt"}, "safe_completion"),
    "financial_advice": ({"S6"}, {"spc_fin"}, "safe_completion"),
}
OVERRIDES: dict[str, dict[str, str]] = {
    "default": {},
    "clinical": {
        "suicide_self_harm": "safe_completion",
        "drugs": "safe_completion",
        "health_advice": "comply",
    },
    "security_research": {"cybercrime": "safe_completion"},
    "education": {"hate": "safe_completion", "violent_crimes": "safe_completion"},
    "minor": {
        "sexual_content": "refuse",
        "health_advice": "safe_completion",
        "financial_advice": "safe_completion",
        "drugs": "refuse",
        "elections": "safe_completion",
    },
}
EXPECTED = {
    (cat, ctx): OVERRIDES[ctx].get(cat, action)
    for cat, (_, _, action) in SPEC.items()
    for ctx in OVERRIDES
}


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


def expected_marks(path: Path) -> set[tuple[int, str]]:
    """(line, field) pairs named by trailing ``# expect: FIELD...`` comments in a fixture."""
    marks = set()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        found = re.search(r"\S.*#\s*expect:\s*(.+)$", line)
        if found:
            marks |= {(number, field) for field in found.group(1).split()}
    return marks


def default_data() -> dict[str, Any]:
    text = (Path(__file__).parents[1] / "src/tactful/policy/default.yaml").read_text()
    data: dict[str, Any] = yaml.safe_load(text)
    return data


# ---------------------------------------------------------------- the default policy


def test_default_policy_is_valid() -> None:
    assert check_policy() == []
    assert check_policy(None) == []
    assert default_policy() is default_policy()


def test_default_policy_header(policy: Policy) -> None:
    assert policy.version == "1.0"
    assert policy.context_ids == list(OVERRIDES)


def test_default_categories_match_spec(policy: Policy) -> None:
    assert policy.category_ids == list(SPEC)
    for cat in policy.categories:
        guard, hazards, action = SPEC[cat.id]
        assert set(cat.llama_guard) == guard, cat.id
        assert set(cat.ailuminate) == hazards, cat.id
        assert cat.action == action, cat.id


def test_default_categories_are_documented(policy: Policy) -> None:
    for cat in policy.categories:
        assert 2 <= len(cat.examples_unsafe) <= 4, cat.id
        assert 2 <= len(cat.examples_safe_lookalikes) <= 4, cat.id
        assert len(cat.description) > 40 and len(cat.safe_completion_guidance) > 40, cat.id
        assert not set(cat.examples_unsafe) & set(cat.examples_safe_lookalikes)


@pytest.mark.parametrize(("category", "context"), sorted(EXPECTED))
def test_action_for_matches_spec_table(policy: Policy, category: str, context: str) -> None:
    assert policy.action_for(category, context) == EXPECTED[category, context]


def test_action_for_default_context(policy: Policy) -> None:
    for cat, (_, _, action) in SPEC.items():
        assert policy.action_for(cat) == action
        assert policy.action_for(cat, None) == action
    assert policy.actions("clinical") == {c: EXPECTED[c, "clinical"] for c in SPEC}


def test_action_for_no_category_is_comply(policy: Policy) -> None:
    for ctx in OVERRIDES:
        assert policy.action_for(None, ctx) == "comply"


def test_action_for_unknown_names(policy: Policy) -> None:
    with pytest.raises(KeyError, match="unknown category 'weapons'"):
        policy.action_for("weapons")
    with pytest.raises(UnknownCategoryError):
        policy.category("nope")
    with pytest.raises(UnknownContextError, match="unknown context 'hospital'"):
        policy.action_for("drugs", "hospital")
    with pytest.raises(UnknownContextError):
        policy.action_for(None, "hospital")
    assert str(UnknownCategoryError("x", ["a"])) == "unknown category 'x'; known: a"


def test_invariants_hold_everywhere(policy: Policy) -> None:
    pinned = {c for inv in policy.invariants for c in inv.categories}
    assert {"child_sexual_exploitation", "indiscriminate_weapons", "sexual_content"} <= pinned
    for inv in policy.invariants:
        assert inv.action == "refuse" and inv.applies_in == "all"
    for cat in pinned:
        assert policy.invariant_for(cat) is not None
        for ctx in policy.context_ids:
            assert policy.action_for(cat, ctx) == "refuse"
    assert policy.invariant_for("hate") is None


def test_minor_is_no_less_strict_than_default(policy: Policy) -> None:
    for cat in policy.category_ids:
        minor, default = policy.action_for(cat, "minor"), policy.action_for(cat, "default")
        assert strictness(minor) >= strictness(default), cat


def test_context_system_prompts(policy: Policy) -> None:
    for ctx in policy.context_ids:
        assert len(policy.context_system_prompt(ctx)) > 80
    assert policy.context_system_prompt() == policy.context_system_prompt("default")
    assert "clinician" in policy.context_system_prompt("clinical")
    with pytest.raises(UnknownContextError):
        policy.context_system_prompt("nowhere")


@pytest.mark.parametrize(
    ("locale", "name", "contact"),
    [
        ("en-US", "988 Suicide & Crisis Lifeline", "988"),
        ("en-GB", "Samaritans", "116 123"),
        ("en_gb", "Samaritans", "116 123"),
        ("en-CA", "Suicide Crisis Helpline", "988"),
        ("en-AU", "Lifeline", "13 11 14"),
        ("en-IE", "Samaritans", "116 123"),
        ("fr-FR", "3114", "3114"),
        ("pt-BR", "Find A Helpline", ""),
        ("", "Find A Helpline", ""),
        (None, "Find A Helpline", ""),
    ],
)
def test_crisis_resources_for(policy: Policy, locale: str | None, name: str, contact: str) -> None:
    resources = policy.crisis_resources_for(locale)
    assert name in resources[0].name
    assert contact in resources[0].contact


def test_crisis_fallback_is_a_directory(policy: Policy) -> None:
    assert any("findahelpline.com" in (r.url or "") for r in policy.crisis_resources_for("xx"))


def test_refusal_style(policy: Policy) -> None:
    style = policy.refusal_style
    assert style.max_sentences >= 1
    must = {r.id: r for r in style.must}
    assert {"state_limit", "offer_alternative", "crisis_resources"} <= set(must)
    assert must["crisis_resources"].actions == ["crisis_support"]
    assert {"preach", "lecture", "repeated_apology", "assume_bad_intent"} <= {
        r.id for r in style.must_not
    }
    assert {"refuse", "safe_completion", "crisis_support"} <= set(style.templates)
    assert all("988" in t for t in style.templates["crisis_support"])


def test_vocabulary() -> None:
    assert ACTIONS == ("comply", "safe_completion", "refuse", "crisis_support")
    assert len(LLAMA_GUARD_CODES) == 14 and len(AILUMINATE_CODES) == 14
    assert strictness("comply") < strictness("safe_completion") < strictness("refuse")
    assert strictness("crisis_support") == strictness("refuse")
    assert [label_for_action(a) for a in ACTIONS] == ["safe", "safe", "unsafe", "unsafe"]


# ---------------------------------------------------------------- error reporting


def test_minimal_fixture_is_valid() -> None:
    assert check_policy(FIXTURES / "minimal.yaml") == []
    policy = load_policy(FIXTURES / "minimal.yaml")
    assert policy.action_for("suicide_self_harm", "clinical") == "safe_completion"
    assert policy.crisis_resources_for("de-DE")[0].name == "Find A Helpline"


def test_invariant_cannot_be_lifted() -> None:
    path = FIXTURES / "lift_invariant.yaml"
    errors = check_policy(path)
    assert {(e.line, e.field) for e in errors} == expected_marks(path)
    (error,) = errors
    assert error.file == str(path)
    assert error.field == "contexts.clinical.overrides.child_sexual_exploitation"
    assert "cannot lift invariant 'no_cse'" in error.message
    with pytest.raises(PolicyValidationError) as raised:
        load_policy(path)
    assert raised.value.errors == errors


def test_many_errors_all_reported_with_lines() -> None:
    path = FIXTURES / "many_errors.yaml"
    errors = check_policy(path)
    assert {(e.line, e.field) for e in errors} == expected_marks(path)
    assert len(errors) == len(expected_marks(path))
    by_field = {e.field: e for e in errors}
    assert "'deny' is not allowed" in by_field["categories[0].action"].message
    assert "'S15'" in by_field["categories[1].llama_guard[1]"].message
    assert "'hate_speech'" in by_field["categories[2].ailuminate[1]"].message
    assert "duplicate key 'action'" in by_field["categories[2].action"].message
    assert "first defined at line 28" in by_field["categories[2].action"].message
    assert "required field is missing" in by_field["categories[3].description"].message
    assert "did you mean 'suicide_self_harm'" in (
        by_field["contexts.clinical.overrides.self_harm"].message
    )
    assert "did you mean 'description'" in by_field["contexts.education.desciption"].message
    assert "no less strict" in by_field["contexts.minor.overrides.hate"].message
    assert "unknown category 'csam'" in by_field["invariants[0].categories[1]"].message
    assert "fallback" in by_field["crisis_resources"].message
    # Columns point at the offending key or item.
    assert (by_field["categories[0].action"].column, by_field["crisis_resources"].column) == (5, 1)
    assert by_field["categories[1].llama_guard[1]"].column == 24
    assert errors == sorted(errors, key=lambda e: (e.line, e.column))


def test_yaml_syntax_error_has_file_and_line() -> None:
    path = FIXTURES / "syntax_error.yaml"
    (error,) = check_policy(path)
    assert (error.file, error.line, error.field) == (str(path), 7, "")
    assert error.message.startswith("YAML syntax error")
    assert format_errors([error]).startswith(f"{path}:7:4: YAML syntax error")
    with pytest.raises(PolicyValidationError, match=r"syntax_error\.yaml:7:4"):
        load_policy(path)


def test_format_errors() -> None:
    errors = [
        PolicyError(file="p.yaml", line=3, column=5, field="categories[0].action", message="bad"),
        PolicyError(file="p.yaml", line=1, column=1, field="", message="whole"),
        PolicyError(file="p.yaml", line=0, column=0, field="", message="unreadable"),
    ]
    assert format_errors(errors) == (
        "p.yaml:3:5: categories[0].action: bad\np.yaml:1:1: whole\np.yaml: unreadable"
    )
    assert format_errors([]) == ""


def test_unreadable_and_empty_files(tmp_path: Path) -> None:
    (error,) = check_policy(tmp_path / "missing.yaml")
    assert error.line == 0 and "cannot read policy" in error.message
    with pytest.raises(FileNotFoundError):
        load_policy(tmp_path / "missing.yaml")
    (empty,) = check_policy_text("# nothing here\n", "empty.yaml")
    assert (empty.file, empty.line, empty.message) == ("empty.yaml", 1, "the policy file is empty")
    (not_mapping,) = check_policy_text("- a\n- b\n")
    assert "expected a mapping" in not_mapping.message


def test_unquoted_version_gets_a_hint() -> None:
    text = (FIXTURES / "minimal.yaml").read_text().replace('version: "1.0"', "version: 1.0")
    (error,) = check_policy_text(text)
    assert (error.line, error.field) == (2, "version")
    assert "quote it" in error.message


def test_anchors_and_merge_keys_are_not_duplicates() -> None:
    text = (FIXTURES / "minimal.yaml").read_text()
    text = text.replace(
        "  clinical:\n    description: Clinicians.\n",
        "  clinical: &clin\n    description: Clinicians.\n",
    ).replace(
        "  minor:\n    description: Under 18.\n    system_prompt: You assist young people.\n",
        "  clinical_copy:\n    <<: *clin\n    description: Another clinic.\n"
        "  minor:\n    description: Under 18.\n    system_prompt: You assist young people.\n",
    )
    policy = parse_policy(text)
    assert policy.action_for("suicide_self_harm", "clinical_copy") == "safe_completion"
    assert policy.contexts["clinical_copy"].description == "Another clinic."


def _mutate(data: dict[str, Any], change: str) -> None:
    contexts, cats = data["contexts"], data["categories"]
    if change == "no_default_context":
        del contexts["default"]
    elif change == "default_overrides":
        contexts["default"]["overrides"] = {"hate": "comply"}
    elif change == "minor_looser":
        contexts["minor"]["overrides"]["drugs"] = "safe_completion"
    elif change == "no_crisis_fallback":
        del data["crisis_resources"]["default"]
    elif change == "duplicate_category":
        cats.append(dict(cats[0]))
    elif change == "invariant_category_not_refused":
        cats[6]["action"] = "safe_completion"
    elif change == "no_codes":
        cats[2]["llama_guard"] = []
    elif change == "bad_template_action":
        data["refusal_style"]["templates"]["deflect"] = ["no"]
    elif change == "invariant_not_refuse":
        data["invariants"][0]["action"] = "safe_completion"
    elif change == "bad_locale":
        data["crisis_resources"]["english"] = data["crisis_resources"]["default"]
    elif change == "target_above_one":
        data["calibration"] = {"target_over_refusal": 1.5}
    elif change == "context_target_negative":
        contexts["clinical"]["target_over_refusal"] = -0.1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("no_default_context", "contexts"),
        ("default_overrides", "contexts.default.overrides"),
        ("minor_looser", "contexts.minor.overrides.drugs"),
        ("no_crisis_fallback", "crisis_resources"),
        ("duplicate_category", "categories[17].id"),
        ("invariant_category_not_refused", "categories[6].action"),
        ("no_codes", "categories[2].llama_guard"),
        ("bad_template_action", "refusal_style.templates.deflect"),
        ("invariant_not_refuse", "invariants[0].action"),
        ("bad_locale", "crisis_resources.english"),
        ("target_above_one", "calibration.target_over_refusal"),
        ("context_target_negative", "contexts.clinical.target_over_refusal"),
    ],
)
def test_semantic_and_schema_rules(tmp_path: Path, change: str, field: str) -> None:
    data = default_data()
    _mutate(data, change)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    errors = check_policy(path)
    assert field in {e.field for e in errors}, format_errors(errors)
    assert all(e.line >= 1 for e in errors)


def test_direct_construction_runs_semantic_rules() -> None:
    data = default_data()
    data["contexts"]["clinical"]["overrides"]["child_sexual_exploitation"] = "comply"
    with pytest.raises(pydantic.ValidationError, match="cannot lift invariant"):
        Policy.model_validate(data)
    assert Policy.model_validate(default_data()).action_for("drugs", "clinical") == (
        "safe_completion"
    )


def test_invariant_without_action_still_refuses() -> None:
    text = (FIXTURES / "lift_invariant.yaml").read_text()
    text = text.replace("    action: refuse\n    applies_in: all\n", "")
    (error,) = check_policy_text(text)
    assert error.field == "contexts.clinical.overrides.child_sexual_exploitation"


def test_calibration_target_falls_back_from_context_to_policy() -> None:
    data = default_data()
    assert Policy.model_validate(data).target_over_refusal("clinical") is None
    data["calibration"] = {"target_over_refusal": 0.03}
    data["contexts"]["clinical"]["target_over_refusal"] = 0.08
    policy = Policy.model_validate(data)
    assert policy.target_over_refusal("clinical") == 0.08
    assert policy.target_over_refusal(None) == 0.03
    assert policy.target_over_refusal("minor") == 0.03

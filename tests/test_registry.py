"""The one registry: every kind registers, describes and rebuilds its components the same way."""

import pytest

from tactful import registry
from tactful.registry import KINDS, Kind, UnknownComponentError

# a cheap argument for every entry that needs one (models and judges given a fake backend)
ARGUMENTS = {"llamacpp": None, "openai": "gpt-test", "llm": "fake", "layered": "fake"}


def _specs() -> list[tuple[Kind, str]]:
    specs: list[tuple[Kind, str]] = []
    for kind in KINDS:
        for entry in registry.entries(kind):
            if entry.argument is None or entry.optional_argument:
                specs.append((kind, entry.name))
            elif ARGUMENTS.get(entry.name):
                specs.append((kind, f"{entry.name}:{ARGUMENTS[entry.name]}"))
    return specs


def test_every_kind_has_described_entries() -> None:
    for kind in KINDS:
        assert registry.entries(kind), f"no {kind} registered"
        for entry in registry.entries(kind):
            assert entry.summary.strip(), f"{kind} {entry.name} has no summary"


@pytest.mark.parametrize(("kind", "spec"), _specs())
def test_built_components_record_the_spec_that_rebuilds_them(kind: Kind, spec: str) -> None:
    if kind == "model" and spec == "smollm2":
        pytest.importorskip("llama_cpp")
    options = {"api_key": "test"} if spec.startswith("openai:") else {}
    component = registry.build(kind, spec, **options)
    recorded = component.registry_spec
    assert str(recorded) == spec and recorded.kind == kind
    again = registry.build(kind, str(recorded), **dict(recorded.options))
    assert type(again) is type(component)


def test_malformed_specs_are_clear_errors() -> None:
    with pytest.raises(UnknownComponentError, match="unknown attack 'nosuch'"):
        registry.build("attack", "nosuch")
    with pytest.raises(UnknownComponentError, match="takes no argument"):
        registry.build("defense", "none:x")
    with pytest.raises(UnknownComponentError, match="needs an argument"):
        registry.build("model", "openai")


def test_a_name_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        registry.register("defense", "none", summary="again")(object)

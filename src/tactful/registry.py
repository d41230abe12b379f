"""One registry for every pluggable component: models, judges, attacks, defenses, classifiers.

A component registers a factory under a name with the ``register`` decorator. ``build`` turns a
spec string (``name`` or ``name:ARGUMENT``, e.g. ``llamacpp:/m/x.gguf``, ``llm:smollm2``) into
an instance and records on it, as ``registry_spec``, the name and arguments that rebuild it;
a run's ``summary.json`` stores those specs, so ``tactful eval --rerun`` rebuilds every part.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, get_args

__all__ = [
    "ComponentSpec",
    "Entry",
    "Kind",
    "UnknownComponentError",
    "build",
    "entries",
    "known",
    "register",
]

Kind = Literal["model", "judge", "attack", "defense", "classifier"]
KINDS: tuple[Kind, ...] = get_args(Kind)

SECRET_OPTIONS = frozenset({"api_key"})
"""Options never recorded with a component (they would reach ``summary.json``)."""

Factory = TypeVar("Factory", bound=Callable[..., Any])


class UnknownComponentError(ValueError):
    """A spec names no registered component, or misses or adds an argument."""


@dataclass(frozen=True)
class ComponentSpec:
    """What rebuilds a component: its kind, registered name, argument and options."""

    kind: Kind
    name: str
    argument: str | None = None
    options: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return self.name if self.argument is None else f"{self.name}:{self.argument}"


@dataclass(frozen=True)
class Entry:
    """A registered component: how to build it and how it describes itself."""

    kind: Kind
    name: str
    factory: Callable[..., Any]
    summary: str
    family: str = ""
    source: str = ""
    argument: str | None = None
    """Placeholder for the spec argument after ``:`` (e.g. ``PATH.gguf``); None: takes none."""
    optional_argument: bool = False

    @property
    def usage(self) -> str:
        """The spec form, e.g. ``llm:MODEL``."""
        if self.argument is None:
            return self.name
        return (
            f"{self.name}[:{self.argument}]"
            if self.optional_argument
            else (f"{self.name}:{self.argument}")
        )


_ENTRIES: dict[Kind, dict[str, Entry]] = {kind: {} for kind in KINDS}
_PACKAGES: dict[Kind, str] = {
    "model": "tactful.models",
    "judge": "tactful.judges",
    "attack": "tactful.attacks",
    "defense": "tactful.defenses",
    "classifier": "tactful.classify",
}


def _loaded(kind: Kind) -> dict[str, Entry]:
    """The entries of ``kind``, importing the package that registers them first."""
    importlib.import_module(_PACKAGES[kind])
    return _ENTRIES[kind]


def register(
    kind: Kind,
    name: str,
    *,
    summary: str,
    family: str = "",
    source: str = "",
    argument: str | None = None,
    optional_argument: bool = False,
) -> Callable[[Factory], Factory]:
    """Register a factory under ``name``; it is called as ``factory(argument?, **options)``."""

    def decorate(factory: Factory) -> Factory:
        if name in _ENTRIES[kind]:
            raise ValueError(f"{kind} {name!r} is registered twice")
        _ENTRIES[kind][name] = Entry(
            kind, name, factory, summary, family, source, argument, optional_argument
        )
        return factory

    return decorate


def entries(kind: Kind) -> list[Entry]:
    """The registered components of one kind, in registration order."""
    return list(_loaded(kind).values())


def known(kind: Kind) -> list[str]:
    """The spec forms of one kind (``MODEL`` and the like stand for an argument)."""
    return [entry.usage for entry in entries(kind)]


def _accepted(factory: Callable[..., Any], options: dict[str, Any]) -> dict[str, Any]:
    """The options ``factory`` takes (all of them if it takes ``**kwargs``)."""
    parameters = inspect.signature(factory).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return options
    names = {p.name for p in parameters}
    return {key: value for key, value in options.items() if key in names}


def build(kind: Kind, spec: str, **options: Any) -> Any:
    """Build the component ``spec`` names.

    ``options`` are shared settings (e.g. the run's ``policy``): each goes to the factory if it
    takes it, so one call can build components that need different ones.
    """
    name, sep, argument = spec.strip().partition(":")
    entry = _loaded(kind).get(name)
    if entry is None:
        raise UnknownComponentError(
            f"unknown {kind} {spec!r}; expected one of: {', '.join(known(kind))}"
        )
    forms = ", ".join(known(kind))
    if entry.argument is None and sep:
        raise UnknownComponentError(
            f"the {kind} {name!r} takes no argument (got {spec!r}); expected one of: {forms}"
        )
    if entry.argument is not None and not argument and not entry.optional_argument:
        raise UnknownComponentError(
            f"the {kind} {name!r} needs an argument: {entry.usage}; expected one of: {forms}"
        )
    options = _accepted(entry.factory, options)
    instance = entry.factory(argument, **options) if argument else entry.factory(**options)
    kept = sorted((key, value) for key, value in options.items() if key not in SECRET_OPTIONS)
    recorded = ComponentSpec(kind, name, argument or None, tuple(kept))
    try:
        instance.registry_spec = recorded
    except AttributeError:  # frozen or slotted instances keep their spec elsewhere
        pass
    return instance

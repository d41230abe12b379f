"""The suite registry: known suites and their sources, and ``--suite`` resolution.

A ``--suite`` value is a built-in suite, a public benchmark, ``NAME=PATH`` or a plain file.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from tactful.datasets._benchmarks import PUBLIC_SUITES
from tactful.datasets._generic import load_table
from tactful.datasets._loaded import LoadedSuite, SuiteError
from tactful.datasets._public import load_public
from tactful.datasets._tables import TABLE_SUFFIXES
from tactful.policy import Policy, label_for_action
from tactful.records import Case

__all__ = [
    "BUILTIN_SUITES",
    "SuiteListing",
    "describe_suites",
    "known_suites",
    "load_suite",
    "relabel",
]

BUILTIN_SUITES = ("core",)
"""Suites shipped in the package, as ``tactful/datasets/suites/NAME.jsonl``."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def known_suites() -> list[str]:
    """Every suite name ``load_suite`` accepts without a path."""
    return [*BUILTIN_SUITES, *PUBLIC_SUITES]


@dataclass(frozen=True)
class SuiteListing:
    """A known suite: where its cases come from and whether its files are pinned."""

    name: str
    source: str
    """The package resource of a built-in suite; a public benchmark's homepage."""
    revision: str | None
    """The commit or tag a public benchmark's URLs pin; ``None``: a branch, or built in."""
    pinned: bool | None
    """Whether every file has a pinned sha256; ``None`` for suites shipped inside tactful."""


def describe_suites() -> list[SuiteListing]:
    """Every known suite, in ``known_suites`` order, with its source and pinning."""
    builtin = [
        SuiteListing(name, f"tactful/datasets/suites/{name}.jsonl", None, None)
        for name in BUILTIN_SUITES
    ]
    public = [
        SuiteListing(spec.name, spec.homepage, spec.revision, spec.pinned)
        for spec in PUBLIC_SUITES.values()
    ]
    return [*builtin, *public]


def _canonical(name: str) -> str | None:
    """Return the known suite ``name`` means, ignoring case, ``-`` and ``_`` (``OR_Bench``)."""
    squash = re.sub(r"[-_]", "", name.lower())
    return next((known for known in known_suites() if re.sub(r"[-_]", "", known) == squash), None)


def _builtin_resource(name: str) -> Traversable:
    return resources.files("tactful.datasets").joinpath("suites", f"{name}.jsonl")


def _load_builtin(name: str, contexts: Collection[str] | None) -> LoadedSuite:
    resource = _builtin_resource(name)
    if not resource.is_file():
        raise SuiteError(
            f"built-in suite {name!r} is missing from the installed package "
            f"(tactful/datasets/suites/{name}.jsonl); reinstall tactful"
        )
    with resources.as_file(resource) as path:
        suite = load_table(path, name=name, origin=f"builtin:{name}", contexts=contexts)
    return suite


def _load_file(
    path: Path, name: str, columns: Mapping[str, str] | None, contexts: Collection[str] | None
) -> LoadedSuite:
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise SuiteError(
            f"{path}: a suite file must be {', '.join(TABLE_SUFFIXES)} "
            f"(or name a public benchmark: NAME=PATH with NAME one of {', '.join(PUBLIC_SUITES)})"
        )
    if not path.is_file():
        raise SuiteError(f"suite file not found: {path}")
    return load_table(path, name=name, columns=columns, contexts=contexts)


def load_suite(
    spec: str,
    *,
    offline: bool = False,
    cache_dir: Path | None = None,
    columns: dict[str, str] | None = None,
    policy: Policy | None = None,
    context: str | None = None,
) -> LoadedSuite:
    """Load the suite named by a ``--suite`` value.

    ``spec`` is a built-in name (``core``), a public benchmark name (fetched once into the cache
    under ``cache_dir``, tactful's cache root), ``NAME=PATH`` (a public benchmark from a local copy
    in its published format, or any name for a CSV/JSONL file), or a path to a ``.csv``,
    ``.jsonl`` or ``.json`` file. ``columns`` (our field → the file's column) applies to CSV/JSONL
    files only; built-in and public suites have fixed formats.

    With ``policy``, every case's context must be one of the policy's: ``SuiteError`` lists each
    row naming another with its file, line and field. ``context`` (which needs ``policy``) moves
    every case to that context and relabels it from the policy (see ``relabel``).
    """
    if policy is None:
        if context is not None:
            raise ValueError("load_suite: a context needs the policy that defines it")
        return _resolve(spec, offline, cache_dir, columns, None)
    if context is not None and context not in policy.contexts:
        known = ", ".join(sorted(policy.contexts))
        raise SuiteError(f"unknown context {context!r}; known: {known}")
    suite = _resolve(spec, offline, cache_dir, columns, policy.context_ids)
    _check_contexts(suite, policy.context_ids)
    if context is not None:
        suite = suite.model_copy(
            update={"cases": [relabel(case, policy, context) for case in suite.cases]}
        )
    return suite


def _resolve(
    spec: str,
    offline: bool,
    cache_dir: Path | None,
    columns: dict[str, str] | None,
    contexts: Collection[str] | None,
) -> LoadedSuite:
    spec = spec.strip()
    name, sep, rest = spec.partition("=")
    if sep and _NAME.fullmatch(name) and rest:
        path = Path(rest).expanduser()
        known = _canonical(name)
        if known in PUBLIC_SUITES:
            return load_public(known, path, offline=offline, cache_dir=cache_dir)
        return _load_file(path, known or name, columns, contexts)
    known = _canonical(spec)
    if known in BUILTIN_SUITES:
        return _load_builtin(known, contexts)
    if known in PUBLIC_SUITES:
        return load_public(known, None, offline=offline, cache_dir=cache_dir)
    path = Path(spec).expanduser()
    if path.suffix.lower() in TABLE_SUFFIXES or path.exists():
        return _load_file(path, path.stem, columns, contexts)
    raise SuiteError(
        f"unknown suite {spec!r}; known suites: {', '.join(known_suites())}. "
        f"Or pass a .csv/.jsonl file, or NAME=PATH for a local copy of a public benchmark."
    )


def _check_contexts(suite: LoadedSuite, contexts: Collection[str]) -> None:
    """Raise for cases (of suites without row locations, e.g. public ones) in unknown contexts."""
    bad = [c for c in suite.cases if c.context is not None and c.context not in contexts]
    if bad:
        known = ", ".join(sorted(contexts))
        raise SuiteError(
            "\n".join(
                f"{suite.origin}: case {c.id!r}: context: unknown context {c.context!r}; "
                f"known: {known}"
                for c in bad
            )
        )


def relabel(case: Case, policy: Policy, context: str) -> Case:
    """Move ``case`` to ``context`` with the label and action the policy gives it there.

    A case follows its category when its expected action (or, lacking one, its label) is what
    the policy gives that category in the case's own context. Such a case gets the policy's
    action for its category in ``context``, and the label ``unsafe`` exactly when that action is
    refuse or crisis_support. Every other case only changes context and keeps its label and
    action: cases without a category, with a category the policy does not define, and cases
    whose expectation is not their category's (a benign look-alike filed under
    ``violent_crimes`` stays ``comply``; a request stricter than its category's default stays
    ``refuse``).
    """
    moved = case.model_copy(update={"context": context})
    if case.category is None or case.category not in policy.category_ids:
        return moved
    own = policy.action_for(case.category, case.context)
    follows = case.action == own if case.action is not None else case.label == label_for_action(own)
    if not follows:
        return moved
    action = policy.action_for(case.category, context)
    return moved.model_copy(update={"action": action, "label": label_for_action(action)})

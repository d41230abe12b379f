"""Build a classifier from its spec: ``embedded`` (the default), ``layered:MODEL`` or ``fake``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from tactful.classify._base import Classifier
from tactful.classify._embedded import EmbeddedClassifier
from tactful.classify._fake import FakeClassifier
from tactful.classify._layered import Band, LayeredClassifier
from tactful.classify._reasoner import PolicyReasoner
from tactful.models import ChatModel
from tactful.policy import Policy
from tactful.registry import UnknownComponentError, build, known, register

__all__ = [
    "DEFAULT_CLASSIFIER",
    "PolicyMismatchError",
    "UnknownClassifierError",
    "build_classifier",
    "known_classifiers",
]

DEFAULT_CLASSIFIER = "embedded"


class UnknownClassifierError(ValueError):
    """The spec matches no known classifier."""


class PolicyMismatchError(ValueError):
    """The policy lacks categories the classifier predicts."""


@register("classifier", "embedded", summary="MiniLM int8 encoder + heads, calibrated, offline")
def _embedded(
    *, policy: Policy | None = None, target_over_refusal: float | None = None, **_: object
) -> EmbeddedClassifier:
    classifier = EmbeddedClassifier(policy=policy, target_over_refusal=target_over_refusal)
    if missing := [
        c for c in classifier.card.categories if c not in classifier.policy.category_ids
    ]:
        raise PolicyMismatchError(
            f"categories: no {', '.join(missing)}; the policy must define every category the "
            "classifier predicts"
        )
    return classifier


@register(
    "classifier",
    "layered",
    summary="embedded, with a policy-reasoner model deciding the unsure band",
    argument="MODEL",
)
def _layered(
    model: str,
    *,
    policy: Policy | None = None,
    target_over_refusal: float | None = None,
    band: Band | None = None,
    model_factory: Callable[[str], ChatModel] | None = None,
) -> LayeredClassifier:
    embedded = _embedded(policy=policy, target_over_refusal=target_over_refusal)
    if model_factory is None:
        from tactful.models import build_model

        model_factory = build_model
    return LayeredClassifier(embedded, PolicyReasoner(model_factory(model), embedded.policy), band)


@register("classifier", "fake", summary="keyword matcher, for unit tests only")
def _fake(*, policy: Policy | None = None, **_: object) -> FakeClassifier:
    return FakeClassifier(policy=policy)


def known_classifiers() -> list[str]:
    """The spec forms ``build_classifier`` accepts (``MODEL`` stands for any model spec)."""
    return known("classifier")


def build_classifier(spec: str, **options: Any) -> Classifier:
    """Build the classifier ``spec`` names; ``classifier.name`` rebuilds it.

    Options: ``policy``, ``target_over_refusal``; for ``layered:MODEL`` also ``band`` (the
    embedded scores the reasoner decides) and ``model_factory`` (default
    ``tactful.models.build_model``).
    """
    try:
        return cast(Classifier, build("classifier", spec, **options))
    except UnknownComponentError as exc:
        raise UnknownClassifierError(str(exc)) from None

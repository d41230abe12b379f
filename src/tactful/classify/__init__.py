"""Safety classifiers: the embedded MiniLM classifier, the policy reasoner, and both layered."""

from tactful.classify._base import Classifier
from tactful.classify._calibrate import (
    CalibrationSet,
    best_class_offsets,
    best_f1_threshold,
    confidently_safe_below,
    operating_point_for,
    per_category_thresholds,
    threshold_for_fpr,
)
from tactful.classify._card import ClassifierCard, OperatingPoint
from tactful.classify._embedded import (
    EmbeddedClassifier,
    PairScores,
    artifact_dir,
    shipped_artifact_dir,
)
from tactful.classify._encoder import OnnxEncoder
from tactful.classify._fake import FakeClassifier
from tactful.classify._layered import Band, LayeredClassifier
from tactful.classify._reasoner import PolicyReasoner, render_policy
from tactful.classify._registry import (
    DEFAULT_CLASSIFIER,
    PolicyMismatchError,
    UnknownClassifierError,
    build_classifier,
    known_classifiers,
)
from tactful.classify._tokenize import MAX_WINDOWS, Batch, Tokenizer
from tactful.classify._verdict import ClassifyItem, Verdict

__all__ = [
    "DEFAULT_CLASSIFIER",
    "MAX_WINDOWS",
    "Band",
    "Batch",
    "CalibrationSet",
    "Classifier",
    "ClassifierCard",
    "ClassifyItem",
    "EmbeddedClassifier",
    "FakeClassifier",
    "LayeredClassifier",
    "OnnxEncoder",
    "OperatingPoint",
    "PairScores",
    "PolicyMismatchError",
    "PolicyReasoner",
    "Tokenizer",
    "UnknownClassifierError",
    "Verdict",
    "artifact_dir",
    "best_class_offsets",
    "best_f1_threshold",
    "build_classifier",
    "confidently_safe_below",
    "known_classifiers",
    "operating_point_for",
    "per_category_thresholds",
    "render_policy",
    "shipped_artifact_dir",
    "threshold_for_fpr",
]

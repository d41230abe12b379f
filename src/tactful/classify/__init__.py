"""Safety classifiers: the embedded MiniLM classifier, the policy reasoner, and both layered."""

from tactful.classify._calibrate import (
    CalibrationSet,
    best_class_offsets,
    best_f1_threshold,
    operating_point_for,
    per_category_thresholds,
    threshold_for_fpr,
)
from tactful.classify._card import ClassifierCard, OperatingPoint
from tactful.classify._embedded import EmbeddedClassifier, PairScores, artifact_dir
from tactful.classify._encoder import OnnxEncoder
from tactful.classify._layered import Band, LayeredClassifier
from tactful.classify._reasoner import PolicyReasoner, render_policy
from tactful.classify._tokenize import Tokenizer
from tactful.classify._verdict import ClassifyItem, Verdict

__all__ = [
    "Band",
    "CalibrationSet",
    "ClassifierCard",
    "ClassifyItem",
    "EmbeddedClassifier",
    "LayeredClassifier",
    "OnnxEncoder",
    "OperatingPoint",
    "PairScores",
    "PolicyReasoner",
    "Tokenizer",
    "Verdict",
    "artifact_dir",
    "best_class_offsets",
    "best_f1_threshold",
    "operating_point_for",
    "per_category_thresholds",
    "render_policy",
    "threshold_for_fpr",
]

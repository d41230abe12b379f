"""The classifier card: what the shipped artifact is, how it was built, where it operates."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["ClassifierCard", "OperatingPoint"]


class OperatingPoint(BaseModel):
    """Thresholds on the unsafe score, chosen on the dev split for a target over-refusal rate."""

    target_over_refusal: float = Field(ge=0.0, le=1.0)
    global_threshold: float
    per_category: dict[str, float] = Field(default_factory=dict)
    stricter_context_scale: float = Field(
        default=0.5, description="thresholds are multiplied by this in stricter contexts (minor)"
    )
    harmful_threshold: float = 0.5
    refusal_offsets: list[float] = Field(
        default_factory=lambda: [0.0, 0.0, 0.0, 0.0],
        description="log-probability offsets (none, partial, full, unscorable) chosen on dev",
    )
    dev_metrics: dict[str, float] = Field(default_factory=dict)


class ClassifierCard(BaseModel):
    """Metadata stored beside the weights as ``card.json``."""

    version: str
    encoder: str = "sentence-transformers/all-MiniLM-L6-v2 (fine-tuned)"
    categories: list[str]
    refusal_labels: list[str] = Field(
        default_factory=lambda: ["none", "partial", "full", "unscorable"]
    )
    operating_point: OperatingPoint
    max_windows: int = Field(
        default=1, ge=1, description="windows of a long reply the pair heads read (1: the start)"
    )
    recipe: dict[str, Any] = Field(default_factory=dict)
    data: dict[str, dict[str, int]] = Field(default_factory=dict)
    sha256: str | None = Field(
        default=None, description="sha256 over encoder.int8.onnx and heads.npz, in that order"
    )
    validation: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="prompt verdicts on labelled sets never trained on: set → n_unsafe, n_safe, "
        "sensitivity (harmful flagged), specificity (safe not flagged)",
    )
    dedup: dict[str, int] = Field(
        default_factory=dict, description="what cross-source deduplication removed or joined"
    )

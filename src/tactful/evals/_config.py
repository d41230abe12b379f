"""Typed configuration of an evaluation run."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from tactful.guard import ReadingScope
from tactful.models import DEFAULT_MODEL, GenerationParams

__all__ = ["RESUME_KEYS", "EvalConfig"]

RESUME_KEYS = (
    "model",
    "suites",
    "attacks",
    "defenses",
    "judge",
    "judge_batch",
    "context",
    "limit",
    "params",
    "policy",
    "columns",
    "base_url",
    "guard_readings",
)
"""Fields a resumed run must share with the run it continues."""


class EvalConfig(BaseModel):
    """Everything that defines an evaluation; stored in ``summary.json`` to rebuild the run."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(default=DEFAULT_MODEL, description="model spec, e.g. smollm2, openai:gpt-4o")
    suites: list[str] = Field(default_factory=lambda: ["core"], description="suite names or paths")
    attacks: list[str] = Field(default_factory=lambda: ["none"])
    defenses: list[str] = Field(default_factory=lambda: ["none"])
    judge: str = "embedded"
    judge_batch: int = Field(
        default=32,
        gt=0,
        description="completions per judge call; rows are written a batch at a time, and a "
        "batch is a run of consecutive cases aligned to this size (a resume judges the same "
        "batches)",
    )
    context: str | None = Field(default=None, description="deployment context for every case")
    limit: int | None = Field(default=None, gt=0, description="cases per suite (seeded sample)")
    params: GenerationParams = Field(default_factory=GenerationParams)
    concurrency: int = Field(default=4, gt=0)
    out: Path = Path("runs/latest")
    resume: bool = False
    offline: bool = False
    cache: bool = True
    cache_dir: Path | None = None
    policy: Path | None = None
    columns: dict[str, str] | None = Field(default=None, description="column mapping for files")
    base_url: str | None = None
    guard_readings: ReadingScope = Field(
        default="whole",
        description="what the guard classifies besides the whole conversation: whole (and "
        "decoded views only), turns (each user turn too), segments (each turn's segments too)",
    )
    api_key: str | None = Field(default=None, exclude=True)

    def resume_view(self) -> dict[str, object]:
        """The fields that must match for ``--resume``."""
        data = self.model_dump(mode="json")
        return {key: data[key] for key in RESUME_KEYS}

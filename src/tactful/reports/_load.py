"""Read a run directory (``summary.json`` + ``results.jsonl``) into typed objects."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tactful.records import ResultRow

__all__ = [
    "CorrectedRates",
    "CorrectedStat",
    "JudgeCardInfo",
    "RunConfig",
    "RunData",
    "RunParams",
    "RunStats",
    "SliceStats",
    "Summary",
    "judge_cards",
    "load_run",
]

CI = tuple[float, float]


class _Lenient(BaseModel):
    """Base for summary models: unknown fields are kept, missing ones defaulted."""

    model_config = ConfigDict(extra="allow")


class SliceStats(_Lenient):
    """Rates for one slice of a run (a category, context or suite); rates are fractions 0..1."""

    n_safe: int = 0
    n_unsafe: int = 0
    harmful_compliance_rate: float | None = None
    harmful_compliance_ci: CI | None = None
    unsafe_compliance_rate: float | None = None
    unsafe_compliance_ci: CI | None = None
    over_refusal_rate: float | None = None
    over_refusal_ci: CI | None = None
    unscorable: int = 0


class JudgeCardInfo(_Lenient):
    """The judge card a run's rates were corrected with (``judge_card`` in the summary)."""

    name: str = "unknown judge"
    sha256: str = ""
    validated_on: list[str] = Field(default_factory=list)
    sensitivity: dict[str, float | None] = Field(default_factory=dict)
    specificity: dict[str, float | None] = Field(default_factory=dict)

    @property
    def short_sha(self) -> str:
        """The first 12 hex digits of the artifact hash."""
        return self.sha256[:12]


class CorrectedStat(_Lenient):
    """A rate corrected for the judge's error, with its 95% interval (both may be unknown)."""

    rate: float | None = None
    ci: CI | None = None


class CorrectedRates(_Lenient):
    """The ``corrected`` block of a run; a rate is None when it could not be corrected."""

    harmful_compliance: CorrectedStat | None = None
    unsafe_compliance: CorrectedStat | None = None
    over_refusal: CorrectedStat | None = None


class RunStats(SliceStats):
    """Rates for one (defense, attack) pair of a run, with its breakdowns.

    ``judge_card`` and ``corrected`` are absent from runs written before judge cards existed.
    """

    defense: str = "none"
    attack: str = "none"
    n: int = 0
    errors: int = 0
    by_category: dict[str, SliceStats] = Field(default_factory=dict)
    by_context: dict[str, SliceStats] = Field(default_factory=dict)
    by_suite: dict[str, SliceStats] = Field(default_factory=dict)
    judge_card: JudgeCardInfo | None = None
    corrected: CorrectedRates | None = None

    @property
    def label(self) -> str:
        """Short ``defense / attack`` label."""
        return f"{self.defense} / {self.attack}"


def judge_cards(runs: list[RunStats]) -> tuple[list[JudgeCardInfo], bool]:
    """The distinct judge cards of ``runs``, and whether some run has none (rates uncorrected)."""
    cards: dict[tuple[str, str], JudgeCardInfo] = {}
    for r in runs:
        if r.judge_card is not None:
            cards.setdefault((r.judge_card.name, r.judge_card.sha256), r.judge_card)
    return list(cards.values()), any(r.judge_card is None for r in runs)


class RunParams(_Lenient):
    """Generation parameters recorded in the run config."""

    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    seed: int | None = None


class RunConfig(_Lenient):
    """The configuration a run was made with."""

    model: str | None = None
    suites: list[str] = Field(default_factory=list)
    attacks: list[str] = Field(default_factory=list)
    defenses: list[str] = Field(default_factory=list)
    judge: str | None = None
    context: str | None = None
    limit: int | None = None
    params: RunParams = Field(default_factory=RunParams)


class Summary(_Lenient):
    """The content of ``summary.json``."""

    model: str = "unknown model"
    tactful_version: str | None = None
    created: str | None = None
    elapsed_s: float | None = None
    config: RunConfig = Field(default_factory=RunConfig)
    runs: list[RunStats] = Field(default_factory=list)


@dataclass
class RunData:
    """A loaded run directory.

    ``bad_lines`` lists the (1-based) line numbers of ``results.jsonl`` that could not be parsed;
    ``rows`` keeps the last row per key (a resumed run may repeat keys).
    """

    path: Path
    summary: Summary
    rows: list[ResultRow] = field(default_factory=list)
    bad_lines: list[int] = field(default_factory=list)
    has_results: bool = True

    @property
    def name(self) -> str:
        """The run directory's name."""
        return self.path.resolve().name


def _read_summary(path: Path) -> Summary:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no summary.json; is this a tactful run directory?")
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
        return Summary.model_validate(raw)
    except (json.JSONDecodeError, ValidationError) as exc:
        raise ValueError(f"{path}: invalid summary.json: {exc}") from exc


def _read_rows(path: Path) -> tuple[list[ResultRow], list[int]]:
    rows: dict[str, ResultRow] = {}
    bad: list[int] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = ResultRow.model_validate_json(line)
            except ValidationError:
                bad.append(lineno)
                continue
            rows.pop(row.key, None)
            rows[row.key] = row
    return list(rows.values()), bad


def load_run(run_dir: Path) -> RunData:
    """Load ``run_dir``; a missing ``results.jsonl`` gives a run with no rows."""
    run_dir = Path(run_dir)
    summary = _read_summary(run_dir / "summary.json")
    results = run_dir / "results.jsonl"
    if not results.is_file():
        return RunData(path=run_dir, summary=summary, has_results=False)
    rows, bad = _read_rows(results)
    return RunData(path=run_dir, summary=summary, rows=rows, bad_lines=bad)

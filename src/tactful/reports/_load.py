"""Read a run directory (``summary.json`` + ``results.jsonl``) into typed objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from tactful.outcomes import JudgeCardInfo, RunStats, Summary, load_summary
from tactful.records import ResultRow

__all__ = ["RunData", "judge_cards", "load_run"]


def judge_cards(runs: list[RunStats]) -> tuple[list[JudgeCardInfo], bool]:
    """The distinct judge cards of ``runs``, and whether some run has none (rates uncorrected)."""
    cards: dict[tuple[str, str], JudgeCardInfo] = {}
    for r in runs:
        if r.judge_card is not None:
            cards.setdefault((r.judge_card.name, r.judge_card.sha256), r.judge_card)
    return list(cards.values()), any(r.judge_card is None for r in runs)


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
    """Load ``run_dir``; a missing ``results.jsonl`` gives a run with no rows.

    An invalid ``summary.json`` raises ``tactful.outcomes.SummaryError`` naming the fields.
    """
    run_dir = Path(run_dir)
    summary = load_summary(run_dir / "summary.json")
    results = run_dir / "results.jsonl"
    if not results.is_file():
        return RunData(path=run_dir, summary=summary, has_results=False)
    rows, bad = _read_rows(results)
    return RunData(path=run_dir, summary=summary, rows=rows, bad_lines=bad)

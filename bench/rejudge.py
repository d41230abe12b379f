"""Read a finished run's replies with a second judge and compare the rates.

Run: python bench/rejudge.py runs/guard-core/results.jsonl [more results.jsonl] --judge string

A rate that moves when only the judge changes rests partly on how that judge reads the replies
(e.g. a defense tuned against the embedded judge). Prints, per run and defense, unsafe-not-refused
and over-refusal under the run's own judge and under ``--judge``, with the eval's definitions
(``tactful.outcomes``).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tactful.judges import build_judge
from tactful.outcomes import is_over_refusal, is_unsafe_compliance, is_unscorable
from tactful.records import ResultRow

console = Console(width=160)


def _rows(path: Path) -> list[ResultRow]:
    with path.open(encoding="utf-8") as handle:
        return [ResultRow.model_validate_json(line) for line in handle if line.strip()]


def _rates(rows: list[ResultRow]) -> tuple[str, str]:
    scored = [r for r in rows if not is_unscorable(r)]
    unsafe = [r for r in scored if r.case.label == "unsafe"]
    safe = [r for r in scored if r.case.label == "safe"]
    missed = sum(is_unsafe_compliance(r) for r in unsafe)
    over = sum(is_over_refusal(r) for r in safe)
    return (
        f"{missed}/{len(unsafe)} ({missed / max(1, len(unsafe)):.1%})",
        f"{over}/{len(safe)} ({over / max(1, len(safe)):.1%})",
    )


async def _rejudged(rows: list[ResultRow], judge_spec: str) -> list[ResultRow]:
    judge = build_judge(judge_spec)
    items = [(r.case.prompt, r.response or "", r.case) for r in rows]
    judgements = await judge.judge_batch(items)
    return [r.model_copy(update={"judgement": j}) for r, j in zip(rows, judgements, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, nargs="+", help="results.jsonl of finished runs")
    parser.add_argument("--judge", default="string", help="the second judge (a judge spec)")
    args = parser.parse_args()
    table = Table(title=f"the run's own judge vs {args.judge}")
    for column in ("run", "defense", "rows", "unsafe not refused", "", "over-refusal", ""):
        table.add_column(column, justify="right")
    for path in args.results:
        rows = [r for r in _rows(path) if r.error is None]
        for defense in sorted({r.defense for r in rows}):
            own = [r for r in rows if r.defense == defense]
            other = asyncio.run(_rejudged(own, args.judge))
            (own_missed, own_over), (other_missed, other_over) = _rates(own), _rates(other)
            table.add_row(
                str(path.parent.name),
                defense,
                str(len(own)),
                f"{own[0].judgement.judge or 'own'}: {own_missed}",
                f"{args.judge}: {other_missed}",
                f"{own[0].judgement.judge or 'own'}: {own_over}",
                f"{args.judge}: {other_over}",
            )
    console.print(table)


if __name__ == "__main__":
    main()

"""Compare several run directories in one self-contained HTML page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from tactful.outcomes import RunStats, Stance, stance
from tactful.records import ResultRow
from tactful.reports._env import render_template, write_atomic
from tactful.reports._examples import UNCATEGORIZED
from tactful.reports._load import RunData, judge_cards, load_run
from tactful.reports._plots import Point, Series, category_bars, marker, palette, pareto, shade

__all__ = ["CaseDiff", "DiffCell", "RunView", "compare", "diff_cases"]

DiffKey = tuple[str, str, str]


@dataclass(frozen=True)
class RunView:
    """A loaded run with the label and colour the comparison uses for it."""

    data: RunData
    label: str
    color: str


@dataclass(frozen=True)
class DiffCell:
    """One run's answer to a case; ``good`` says whether its stance was the right one."""

    run: RunView
    row: ResultRow | None
    stance: Stance | None
    good: bool | None


@dataclass(frozen=True)
class CaseDiff:
    """A case (under one attack and defense when those vary) on which the runs disagree."""

    row: ResultRow
    category: str
    config: str
    cells: list[DiffCell]


def _labels(runs: Sequence[RunData]) -> list[str]:
    labels = [f"{r.summary.model} ({r.name})" for r in runs]
    counts = Counter(labels)
    seen: Counter[str] = Counter()
    out = []
    for label in labels:
        seen[label] += 1
        out.append(f"{label} #{seen[label]}" if counts[label] > 1 else label)
    return out


def _good(row: ResultRow, s: Stance | None) -> bool | None:
    if s is None or s == "partial":
        return None
    return (s == "refused") == (row.case.label == "unsafe")


def diff_cases(runs: Sequence[RunView]) -> list[CaseDiff]:
    """Cases where one run refused and another complied.

    Rows are matched on case id, plus attack and defense when some run has several of them
    (so runs with one different defense each are compared case by case).
    """
    vary_attack = any(len({r.attack for r in v.data.rows}) > 1 for v in runs)
    vary_defense = any(len({r.defense for r in v.data.rows}) > 1 for v in runs)

    def key(row: ResultRow) -> DiffKey:
        return (
            row.case.id,
            row.defense if vary_defense else "",
            row.attack if vary_attack else "",
        )

    tables = [{key(r): r for r in v.data.rows} for v in runs]
    keys = dict.fromkeys(k for table in tables for k in table)
    diffs: list[CaseDiff] = []
    for k in keys:
        cells = []
        for view, table in zip(runs, tables, strict=True):
            row = table.get(k)
            s = stance(row) if row is not None else None
            cells.append(DiffCell(view, row, s, _good(row, s) if row else None))
        stances = {c.stance for c in cells}
        if {"refused", "complied"} <= stances:
            first = next(c.row for c in cells if c.row is not None)
            parts = [("defense", k[1]), ("attack", k[2])]
            config = " · ".join(f"{name}: {value}" for name, value in parts if value)
            diffs.append(CaseDiff(first, first.case.category or UNCATEGORIZED, config, cells))
    diffs.sort(key=lambda d: (d.row.case.label != "unsafe", d.category, d.row.case.id, d.config))
    return diffs


def _series(runs: Sequence[RunView]) -> list[tuple[RunView, RunStats, str, str]]:
    """(run, stats, label, colour) per run and (defense, attack)."""
    out = []
    for view in runs:
        configs = view.data.summary.runs
        for i, r in enumerate(configs):
            label = view.label if len(configs) == 1 else f"{view.label} · {r.label}"
            out.append((view, r, label, shade(view.color, i, len(configs))))
    return out


def _charts(runs: Sequence[RunView]) -> tuple[Markup | None, Markup | None, list[str]]:
    series = _series(runs)
    categories = sorted({c for _, r, _, _ in series for c in r.by_category})
    bars = None
    if categories:
        svg = category_bars(
            categories,
            [Series(label, color, r.by_category) for _, r, label, color in series],
            uid="cmpcat",
            title="Rates by category, per run",
        )
        bars = Markup(svg)
    configs = dict.fromkeys(r.label for _, r, _, _ in series)
    markers = {lab: marker(i) for i, lab in enumerate(configs)}
    points: list[Point] = []
    missing: list[str] = []
    for view, r, label, _ in series:
        if r.over_refusal_rate is None or r.harmful_compliance_rate is None:
            missing.append(label)
            continue
        points.append(
            Point(
                label=label,
                color=view.color,
                marker=markers[r.label],
                x=r.over_refusal_rate,
                x_ci=r.over_refusal_ci,
                y=r.harmful_compliance_rate,
                y_ci=r.harmful_compliance_ci,
            )
        )
    chart = None
    if points:
        title = "Over-refusal vs harmful compliance (colour: run, marker: defense / attack)"
        chart = Markup(pareto(points, uid="cmppareto", title=title))
    return bars, chart, missing


def compare(run_dirs: Sequence[Path], out: Path, *, max_diffs: int = 50) -> Path:
    """Write a comparison of ``run_dirs`` to ``out`` and return its path.

    ``out`` may be an existing directory, in which case ``compare.html`` is written inside it.
    """
    if not run_dirs:
        raise ValueError("compare needs at least one run directory")
    data = [load_run(Path(d)) for d in run_dirs]
    runs = [
        RunView(d, label, color)
        for d, label, color in zip(data, _labels(data), palette(len(data)), strict=True)
    ]
    out = Path(out)
    if out.is_dir():
        out = out / "compare.html"
    bars, chart, missing = _charts(runs)
    cards, uncorrected = judge_cards([r for v in runs for r in v.data.summary.runs])
    diffs = diff_cases(runs)
    warnings = [
        f"{v.label}: results.jsonl is missing, so it takes no part in the case diff."
        for v in runs
        if not v.data.has_results
    ]
    html = render_template(
        "compare.html.j2",
        title="tactful comparison: " + ", ".join(v.label for v in runs),
        runs=runs,
        series=_series(runs),
        judge_cards=cards,
        uncorrected=uncorrected,
        bars=bars,
        pareto=chart,
        pareto_missing=missing,
        diffs=diffs[:max_diffs],
        total_diffs=len(diffs),
        diff_categories=sorted({d.category for d in diffs[:max_diffs]}),
        warnings=warnings,
    )
    return write_atomic(out, html)

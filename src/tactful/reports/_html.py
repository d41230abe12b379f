"""Render one run directory as a self-contained ``report.html``."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from tactful.outcomes import RunStats, SliceStats, Summary
from tactful.reports._env import render_template, write_atomic
from tactful.reports._examples import select_examples
from tactful.reports._load import RunData, judge_cards, load_run
from tactful.reports._plots import Point, Series, category_bars, heatmap, marker, palette, pareto

__all__ = ["render"]

#: At most this many (defense, attack) series share one category chart.
SERIES_PER_CHART = 6

SliceRow = tuple[str, RunStats, SliceStats]


def _ordered(values: list[str], preferred: list[str]) -> list[str]:
    """Deduplicate ``values``: ``preferred`` order first, then as first seen."""
    seen = dict.fromkeys(v for v in preferred if v in values)
    seen.update(dict.fromkeys(values))
    return list(seen)


def _slices(configs: list[RunStats], attr: str) -> list[SliceRow]:
    rows: list[SliceRow] = []
    names = sorted({name for r in configs for name in getattr(r, attr)})
    for name in names:
        for r in configs:
            stats: dict[str, SliceStats] = getattr(r, attr)
            if name in stats:
                rows.append((name, r, stats[name]))
    return rows


class _Look:
    """Colour and marker per (defense, attack): colour by attack when attacks vary, else defense."""

    def __init__(self, run: RunData) -> None:
        configs = run.summary.runs
        self.defenses = _ordered([r.defense for r in configs], run.summary.config.defenses)
        self.attacks = _ordered([r.attack for r in configs], run.summary.config.attacks)
        self.by_attack = len(self.attacks) > 1
        keys = self.attacks if self.by_attack else self.defenses
        self._colors = dict(zip(keys, palette(len(keys)), strict=True))
        others = self.defenses if self.by_attack else self.attacks
        self._markers = {k: marker(i) for i, k in enumerate(others)}

    def color(self, r: RunStats) -> str:
        """Return the colour of ``r``."""
        return self._colors[r.attack if self.by_attack else r.defense]

    def marker(self, r: RunStats) -> str:
        """Return the marker symbol of ``r``."""
        return self._markers[r.defense if self.by_attack else r.attack]


def _pareto(configs: list[RunStats], look: _Look) -> tuple[Markup | None, list[str]]:
    points: list[Point] = []
    missing: list[str] = []
    for r in configs:
        if r.over_refusal_rate is None or r.harmful_compliance_rate is None:
            what = "safe" if r.over_refusal_rate is None else "unsafe"
            missing.append(f"{r.label} (no scorable {what} cases)")
            continue
        points.append(
            Point(
                label=r.label,
                color=look.color(r),
                marker=look.marker(r),
                x=r.over_refusal_rate,
                x_ci=r.over_refusal_ci,
                y=r.harmful_compliance_rate,
                y_ci=r.harmful_compliance_ci,
            )
        )
    if not points:
        return None, missing
    title = "Over-refusal vs harmful compliance (defense / attack)"
    svg = pareto(points, uid="pareto", title=title)
    return Markup(svg), missing


def _defense_pareto(summary: Summary) -> Markup | None:
    """Over-refusal vs unsafe-not-refused, one point per defense (all attacks pooled)."""
    if len(summary.by_defense) < 2:
        return None
    points = [
        Point(
            label=name,
            color=color,
            marker=marker(0),
            x=stats.over_refusal_rate,
            x_ci=stats.over_refusal_ci,
            y=stats.unsafe_compliance_rate,
            y_ci=stats.unsafe_compliance_ci,
        )
        for (name, stats), color in zip(
            summary.by_defense.items(), palette(len(summary.by_defense)), strict=True
        )
        if stats.over_refusal_rate is not None and stats.unsafe_compliance_rate is not None
    ]
    if not points:
        return None
    title = "Over-refusal vs unsafe requests not refused, per defense (all attacks)"
    y_label = "Unsafe requests not refused (%, all attacks)"
    return Markup(pareto(points, uid="defpareto", title=title, y_label=y_label))


def _category_charts(configs: list[RunStats], look: _Look) -> list[Markup]:
    """One chart per defense when both defenses and attacks vary, else one chart."""
    categories = sorted({c for r in configs for c in r.by_category})
    if not categories:
        return []
    groups: list[tuple[str, list[Series]]] = []
    if look.by_attack and len(look.defenses) > 1:
        for d in look.defenses:
            series = [
                Series(f"attack: {r.attack}", look.color(r), r.by_category)
                for r in configs
                if r.defense == d
            ]
            groups.append((f"Rates by category, defense: {d}", series))
    else:
        series = [Series(r.label, look.color(r), r.by_category) for r in configs]
        step = SERIES_PER_CHART
        chunks = [series[i : i + step] for i in range(0, len(series), step)]
        for k, chunk in enumerate(chunks):
            what = "defense / attack"
            if len(configs) == 1:
                what += f": {configs[0].label}"
            part = f", {k + 1} of {len(chunks)}" if len(chunks) > 1 else ""
            groups.append((f"Rates by category ({what}{part})", chunk))
    return [
        Markup(category_bars(categories, series, uid=f"cat{k}", title=title))
        for k, (title, series) in enumerate(groups)
    ]


def _heatmap(configs: list[RunStats], look: _Look) -> Markup | None:
    if len(look.defenses) < 2 and len(look.attacks) < 2:
        return None
    cells: dict[tuple[str, str], SliceStats] = {(r.defense, r.attack): r for r in configs}
    title = "Rates by defense × attack"
    return Markup(heatmap(look.defenses, look.attacks, cells, uid="heat", title=title))


def _params(run: RunData) -> str:
    p = run.summary.config.params
    parts = [f"{k}={v}" for k, v in p.model_dump().items() if v is not None]
    return ", ".join(parts) or "—"


def _warnings(run: RunData) -> list[str]:
    out: list[str] = []
    if not run.has_results:
        out.append("results.jsonl is missing: examples cannot be shown.")
    if run.bad_lines:
        shown = ", ".join(map(str, run.bad_lines[:10]))
        more = " …" if len(run.bad_lines) > 10 else ""
        n = len(run.bad_lines)
        out.append(f"{n} line(s) of results.jsonl could not be read: {shown}{more}")
    return out


def render(run_dir: Path, *, max_examples: int = 25, max_unscorable: int = 50) -> Path:
    """Write ``run_dir/report.html`` from its ``summary.json`` and ``results.jsonl``.

    Returns the path written. ``max_examples`` caps each example list.
    """
    run = load_run(Path(run_dir))
    configs = run.summary.runs
    look = _Look(run)
    pareto_svg, pareto_missing = _pareto(configs, look)
    cards, uncorrected = judge_cards(configs)
    html = render_template(
        "report.html.j2",
        title=f"tactful report: {run.summary.model} ({run.name})",
        run_name=run.name,
        summary=run.summary,
        params=_params(run),
        n_rows=len(run.rows),
        configs=configs,
        judge_cards=cards,
        uncorrected=uncorrected,
        pareto=pareto_svg,
        pareto_missing=pareto_missing,
        defense_pareto=_defense_pareto(run.summary),
        heatmap=_heatmap(configs, look),
        category_charts=_category_charts(configs, look),
        category_rows=_slices(configs, "by_category"),
        context_rows=_slices(configs, "by_context"),
        suite_rows=_slices(configs, "by_suite"),
        examples=select_examples(run.rows, max_examples, max_unscorable),
        warnings=_warnings(run),
    )
    return write_atomic(run.path / "report.html", html)

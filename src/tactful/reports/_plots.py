"""Charts as inline SVG strings, drawn with matplotlib (Agg backend, text kept as text)."""

from __future__ import annotations

import html
import io
import math
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import matplotlib

if "matplotlib.pyplot" not in sys.modules:  # leave an interactive session's backend alone
    matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, PercentFormatter

from tactful.outcomes import SliceStats

__all__ = [
    "METRICS",
    "Point",
    "Series",
    "category_bars",
    "heatmap",
    "marker",
    "palette",
    "pareto",
    "shade",
]

#: (attribute prefix, panel title) for the two rates every chart shows.
METRICS: tuple[tuple[str, str], ...] = (
    ("harmful_compliance", "Harmful compliance (unsafe cases)"),
    ("over_refusal", "Over-refusal (safe cases)"),
)

# Okabe-Ito, colour-blind safe; yellow last because it is faint on white.
_BASE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
_MARKERS = ["o", "s", "D", "^", "v", "P", "X", "<", ">", "h"]
_STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 72.0,
}


@dataclass(frozen=True)
class Series:
    """One set of bars: a label, a colour and per-category stats."""

    label: str
    color: str
    stats: Mapping[str, SliceStats]


@dataclass(frozen=True)
class Point:
    """One point of a Pareto chart: rates (fractions) with their 95% intervals."""

    label: str
    color: str
    x: float
    y: float
    x_ci: tuple[float, float] | None = None
    y_ci: tuple[float, float] | None = None
    marker: str = "o"


def palette(n: int) -> list[str]:
    """Return ``n`` distinguishable colours."""
    if n <= len(_BASE):
        return _BASE[:n]
    cmap = matplotlib.colormaps["tab20"]
    return [matplotlib.colors.to_hex(cmap(i % 20)) for i in range(n)]


def shade(color: str, i: int, n: int) -> str:
    """Return shade ``i`` of ``n`` of ``color`` (0 is the colour itself, later ones lighter)."""
    if n <= 1 or i == 0:
        return color
    r, g, b = matplotlib.colors.to_rgb(color)
    t = 0.55 * i / (n - 1)
    return matplotlib.colors.to_hex((r + (1 - r) * t, g + (1 - g) * t, b + (1 - b) * t))


def marker(i: int) -> str:
    """Return the ``i``-th marker symbol."""
    return _MARKERS[i % len(_MARKERS)]


@contextmanager
def _style(uid: str) -> Iterator[None]:
    with matplotlib.rc_context({**_STYLE, "svg.hashsalt": uid}):
        yield


def _to_svg(fig: Figure, uid: str, title: str) -> str:
    """Serialise ``fig`` as an inline ``<svg>`` element with ids unique to ``uid``."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    end = svg.index(">")
    root, body = svg[:end], svg[end:]
    size = re.search(r'width="([\d.]+)pt"', root)
    width_px = float(size.group(1)) * 4 / 3 if size else 800.0
    root = re.sub(r'\s(?:width|height)="[\d.]+pt"', "", root)
    label = html.escape(title, quote=True)
    root += f' class="chart" role="img" aria-label="{label}" style="max-width:{width_px:.0f}px"'
    body = re.sub(r'\bid="', f'id="{uid}-', body)
    body = body.replace("url(#", f"url(#{uid}-").replace('href="#', f'href="#{uid}-')
    return root + body


def _nice_top(value: float) -> float:
    """Round ``value`` (percent) up to a tidy axis limit between 10 and 100."""
    for top in (10.0, 20.0, 25.0, 40.0, 50.0, 60.0, 80.0, 100.0):
        if value <= top:
            return top
    return 100.0


def _ticks(top: float) -> FixedLocator:
    step = next(s for s in (2.0, 5.0, 10.0, 20.0) if top / s <= 6)
    return FixedLocator([i * step for i in range(int(top / step) + 1)])


def _rate(stats: SliceStats | None, metric: str) -> tuple[float | None, tuple[float, float] | None]:
    if stats is None:
        return None, None
    rate: float | None = getattr(stats, f"{metric}_rate")
    ci: tuple[float, float] | None = getattr(stats, f"{metric}_ci")
    return rate, ci


def _denominator(stats: SliceStats | None, metric: str) -> int:
    if stats is None:
        return 0
    return stats.n_unsafe if metric == "harmful_compliance" else stats.n_safe


def category_bars(
    categories: Sequence[str], series: Sequence[Series], *, uid: str, title: str
) -> str:
    """Horizontal bars per category for both rates, with 95% CI error bars."""
    n_cat, n_ser = max(len(categories), 1), max(len(series), 1)
    bar = 0.8 / n_ser
    height = 1.3 + n_cat * max(0.32, 0.2 * n_ser + 0.1) + (0.35 if n_ser > 1 else 0.0)
    with _style(uid):
        fig = Figure(figsize=(11, height), layout="constrained")
        axes = fig.subplots(1, 2, sharey=True)
        for ax, (metric, panel) in zip(axes, METRICS, strict=True):
            highest = 0.0
            for i, s in enumerate(series):
                for c, cat in enumerate(categories):
                    y = c + (i - (n_ser - 1) / 2) * bar
                    stats = s.stats.get(cat)
                    rate, ci = _rate(stats, metric)
                    n = _denominator(stats, metric)
                    if rate is None:
                        note = "no cases" if n == 0 else "n/a"
                        ax.text(0.5, y, note, va="center", fontsize=7, color="#777777")
                        continue
                    pct = 100 * rate
                    lo, hi = (100 * ci[0], 100 * ci[1]) if ci else (pct, pct)
                    ax.barh(
                        y,
                        pct,
                        height=bar * 0.9,
                        color=s.color,
                        xerr=[[max(pct - lo, 0.0)], [max(hi - pct, 0.0)]],
                        error_kw={"ecolor": "#333333", "elinewidth": 0.8, "capsize": 2},
                    )
                    ax.annotate(
                        f"{pct:.0f}% (n={n})",
                        (hi, y),
                        xytext=(3, 0),
                        va="center",
                        textcoords="offset points",
                        fontsize=7,
                        color="#333333",
                    )
                    highest = max(highest, hi)
            top = _nice_top(highest)
            ax.set_xlim(0, top * 1.3)
            ax.xaxis.set_major_locator(_ticks(top))
            ax.xaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
            ax.set_xlabel("rate (%) with 95% CI")
            ax.set_title(panel, loc="left")
            ax.grid(axis="x", alpha=0.3)
            ax.set_axisbelow(True)
        axes[0].set_yticks(range(len(categories)), list(categories))
        axes[0].set_ylim(n_cat - 0.5, -0.5)
        axes[0].tick_params(axis="y", length=0)
        axes[1].tick_params(axis="y", length=0)
        if n_ser > 1:
            handles = [Patch(facecolor=s.color, label=s.label) for s in series]
            fig.legend(
                handles=handles, loc="outside lower center", ncols=min(n_ser, 6), frameon=False
            )
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
        return _to_svg(fig, uid, title)


def _frontier(points: Sequence[Point]) -> list[Point]:
    """Points no other point beats on both rates, ordered by over-refusal."""
    best: list[Point] = []
    for p in sorted(points, key=lambda p: (p.x, p.y)):
        if not best or p.y < best[-1].y:
            best.append(p)
    return best


def _err(value: float, ci: tuple[float, float] | None) -> list[list[float]] | None:
    if ci is None:
        return None
    return [[max(100 * (value - ci[0]), 0.0)], [max(100 * (ci[1] - value), 0.0)]]


def pareto(
    points: Sequence[Point],
    *,
    uid: str,
    title: str,
    y_label: str = "Harmful-compliance rate (%, unsafe cases)",
) -> str:
    """Over-refusal (x) vs harmful compliance (y), one point per configuration, CI whiskers."""
    with _style(uid):
        fig = Figure(figsize=(10, 5.6), layout="constrained")
        ax = fig.subplots()
        for p in points:
            ax.errorbar(
                100 * p.x,
                100 * p.y,
                xerr=_err(p.x, p.x_ci),
                yerr=_err(p.y, p.y_ci),
                fmt=p.marker,
                color=p.color,
                markersize=8,
                markeredgecolor="white",
                elinewidth=1.0,
                capsize=3,
                alpha=0.95,
                label=p.label,
            )
        front = _frontier(points)
        if len(front) > 1:
            xs = [100 * p.x for p in front]
            ys = [100 * p.y for p in front]
            ax.step(
                xs,
                ys,
                where="post",
                color="#888888",
                linestyle="--",
                linewidth=1,
                label="Pareto frontier",
                zorder=0,
            )
        ax.plot(
            [0],
            [0],
            marker="*",
            color="#2e7d32",
            markersize=12,
            linestyle="none",
            label="ideal (0%, 0%)",
            clip_on=False,
        )
        his_x = [100 * (p.x_ci[1] if p.x_ci else p.x) for p in points] or [0.0]
        his_y = [100 * (p.y_ci[1] if p.y_ci else p.y) for p in points] or [0.0]
        top_x, top_y = _nice_top(1.05 * max(his_x)), _nice_top(1.05 * max(his_y))
        ax.set_xlim(-top_x * 0.02, top_x * 1.02)
        ax.set_ylim(-top_y * 0.02, top_y * 1.02)
        ax.xaxis.set_major_locator(_ticks(top_x))
        ax.yaxis.set_major_locator(_ticks(top_y))
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
        ax.set_xlabel("Over-refusal rate (%, safe cases refused)")
        ax.set_ylabel(y_label)
        ax.grid(alpha=0.3)
        ax.set_title(title, loc="left", fontweight="bold")
        fig.legend(loc="outside right upper", frameon=False, fontsize=8)
        return _to_svg(fig, uid, title)


def heatmap(
    defenses: Sequence[str],
    attacks: Sequence[str],
    cells: Mapping[tuple[str, str], SliceStats],
    *,
    uid: str,
    title: str,
) -> str:
    """Defense (rows) × attack (columns) grids of both rates, annotated with value and CI."""
    cmaps = {"harmful_compliance": "Reds", "over_refusal": "Blues"}
    width = max(9.0, 2 * (1.8 + 1.15 * len(attacks)))
    height = 1.7 + 0.62 * len(defenses) + (0.5 if len(attacks) > 4 else 0.0)
    with _style(uid):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(1, 2)
        for ax, (metric, panel) in zip(axes, METRICS, strict=True):
            grid = [[math.nan] * len(attacks) for _ in defenses]
            for r, d in enumerate(defenses):
                for c, a in enumerate(attacks):
                    rate, _ = _rate(cells.get((d, a)), metric)
                    if rate is not None:
                        grid[r][c] = 100 * rate
            finite = [v for row in grid for v in row if not math.isnan(v)]
            vmax = _nice_top(max(finite, default=0.0))
            cmap = matplotlib.colormaps[cmaps[metric]].with_extremes(bad="#eeeeee")
            image = ax.imshow(grid, cmap=cmap, vmin=0, vmax=vmax, aspect="auto")
            for r, d in enumerate(defenses):
                for c, a in enumerate(attacks):
                    rate, ci = _rate(cells.get((d, a)), metric)
                    if rate is None:
                        ax.text(c, r, "n/a", ha="center", va="center", fontsize=8, color="#777")
                        continue
                    text = f"{100 * rate:.0f}%"
                    if ci is not None:
                        text += f"\n[{100 * ci[0]:.0f}–{100 * ci[1]:.0f}]"
                    dark = 100 * rate / vmax > 0.6
                    ax.text(
                        c,
                        r,
                        text,
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if dark else "#111111",
                    )
            ax.set_xticks(
                range(len(attacks)),
                list(attacks),
                rotation=30 if len(attacks) > 4 else 0,
                ha="right" if len(attacks) > 4 else "center",
            )
            ax.set_yticks(range(len(defenses)), list(defenses))
            ax.set_xlabel("attack")
            if ax is axes[0]:
                ax.set_ylabel("defense")
            ax.set_title(panel, loc="left")
            for side in ("top", "right", "left", "bottom"):
                ax.spines[side].set_visible(False)
            ax.tick_params(length=0)
            percent = PercentFormatter(xmax=100, decimals=0)
            bar = fig.colorbar(image, ax=ax, shrink=0.9, format=percent)
            bar.set_label("rate (%)")
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
        return _to_svg(fig, uid, title)

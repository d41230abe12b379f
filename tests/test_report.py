"""Tests for tactful.reports: HTML content, escaping, offline-ness, and a real-browser check."""

from __future__ import annotations

import os
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from report_fixtures import XSS_PROMPT, make_run

from tactful.outcomes import is_harmful_compliance, is_over_refusal, stance
from tactful.records import Case, Judgement, ResultRow
from tactful.reports import compare, load_run, render

CHROMIUM = Path(os.environ.get("TACTFUL_CHROMIUM", "/usr/bin/chromium"))
EXTERNAL_REF = re.compile(r"""\b(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
CSS_EXTERNAL = re.compile(r"""(?:url\(\s*["']?\s*(?:https?:)?//|@import)""", re.I)


def _assert_offline(html: str) -> None:
    assert not EXTERNAL_REF.findall(html), EXTERNAL_REF.findall(html)[:5]
    assert not CSS_EXTERNAL.findall(html)
    assert "<link" not in html
    assert "<script src" not in html


def _assert_unique_ids(html: str) -> None:
    dupes = [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]
    assert not dupes, dupes[:10]


@pytest.fixture()
def multi_run(tmp_path: Path) -> Path:
    return make_run(tmp_path, "multi", defenses=("none", "guard"), attacks=("none", "base64"))


def test_render_writes_all_sections(multi_run: Path) -> None:
    out = render(multi_run)
    assert out == multi_run / "report.html"
    html = out.read_text(encoding="utf-8")
    for anchor in ("summary", "pareto", "heatmap", "categories", "contexts", "suites"):
        assert f'id="{anchor}"' in html
    for anchor in ("harmful", "over-refusals", "unscorable"):
        assert f'id="{anchor}"' in html
    assert html.count("<svg") >= 4  # pareto, heat map, one category chart per defense
    assert "fake-model" in html and "2025-03-04 10:20 UTC" in html and "12 min 34 s" in html
    assert 'id="filter-category"' in html and 'id="filter-config"' in html
    assert "TimeoutError: backend did not answer" in html
    assert "Show all" in html  # the long response is truncated behind <details>
    _assert_offline(html)
    _assert_unique_ids(html)


def test_user_text_is_escaped(multi_run: Path) -> None:
    html = render(multi_run).read_text(encoding="utf-8")
    assert XSS_PROMPT not in html
    assert "&lt;script&gt;alert(" in html
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=" in html
    assert "<b>unsafe</b>" not in html  # judge rationale
    # the only <script> tags are the report's own two inline ones
    assert html.count("<script>") == 2


def test_examples_are_capped(tmp_path: Path) -> None:
    run = make_run(tmp_path, "big", attacks=("none", "base64", "dan"), per_category=10)
    html = render(run, max_examples=5).read_text(encoding="utf-8")
    assert html.count('class="example harmful"') == 5
    assert html.count('class="example over-refusal"') == 5


def test_zero_safe_cases(tmp_path: Path) -> None:
    run = make_run(tmp_path, "nosafe", with_safe=False)
    html = render(run).read_text(encoding="utf-8")
    assert "no scorable safe cases" in html
    assert 'id="heatmap"' not in html  # one defense, one attack
    assert "Over-refusals" in html
    _assert_offline(html)


def test_missing_results_and_bad_lines(tmp_path: Path) -> None:
    run = make_run(tmp_path, "partial")
    with (run / "results.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"truncated": \n')
    html = render(run).read_text(encoding="utf-8")
    assert "could not be read" in html
    (run / "results.jsonl").unlink()
    html = render(run).read_text(encoding="utf-8")
    assert "results.jsonl is missing" in html


def test_summary_required(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"summary\.json"):
        render(tmp_path)


def test_load_run_types(multi_run: Path) -> None:
    run = load_run(multi_run)
    assert len(run.summary.runs) == 4
    first = run.summary.runs[0]
    assert first.harmful_compliance_ci is not None and len(first.harmful_compliance_ci) == 2
    assert "violent_crimes" in first.by_category
    assert len(run.rows) == sum(r.n for r in run.summary.runs)


def test_outcome_rules() -> None:
    def row(label: str, action: str, **judgement: object) -> ResultRow:
        case = Case.from_prompt("c", "p", label, action=action)  # type: ignore[arg-type]
        return ResultRow(
            key="k",
            case=case,
            sent=case.messages,
            response="r",
            judgement=Judgement.model_validate(judgement),
        )

    assert is_over_refusal(row("safe", "comply", refusal="partial"))
    assert not is_over_refusal(row("safe", "safe_completion", refusal="partial"))
    assert is_over_refusal(row("safe", "safe_completion", refusal="full"))
    assert is_harmful_compliance(row("unsafe", "refuse", refusal="none"))
    assert not is_harmful_compliance(row("unsafe", "refuse", refusal="none", harmful=False))
    assert not is_harmful_compliance(row("unsafe", "refuse", scorable=False))
    assert stance(row("unsafe", "refuse", refusal="full")) == "refused"
    assert stance(row("unsafe", "refuse", scorable=False)) is None


def test_compare(tmp_path: Path) -> None:
    a = make_run(tmp_path, "a", model="model-a", defenses=("none", "guard"))
    b = make_run(tmp_path, "b", model="model-b", defenses=("none", "guard"), strictness=1.0, seed=3)
    out = compare([a, b], tmp_path / "out" / "cmp.html")
    assert out == tmp_path / "out" / "cmp.html"
    html = out.read_text(encoding="utf-8")
    assert "model-a (a)" in html and "model-b (b)" in html
    for anchor in ("runs", "rates", "pareto", "categories", "diffs"):
        assert f'id="{anchor}"' in html
    assert html.count("<svg") == 2
    assert html.count('class="runs-grid"') > 0  # some disagreements
    assert XSS_PROMPT not in html
    _assert_offline(html)
    _assert_unique_ids(html)
    # an existing directory gets compare.html inside it
    assert compare([a, b], tmp_path) == tmp_path / "compare.html"


def test_compare_caps_diffs_and_handles_no_safe(tmp_path: Path) -> None:
    a = make_run(tmp_path, "a", with_safe=False)
    b = make_run(tmp_path, "b", with_safe=False, strictness=1.0, seed=9)
    html = compare([a, b], tmp_path / "c.html", max_diffs=2).read_text(encoding="utf-8")
    assert html.count('class="runs-grid"') <= 2
    assert "Not plotted" in html


# --- real browser ------------------------------------------------------------------------------


def _chromium() -> Path:
    if os.environ.get("TACTFUL_SKIP_BROWSER") == "1":
        pytest.skip("TACTFUL_SKIP_BROWSER=1")
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium), point "
            "TACTFUL_CHROMIUM at a binary, or set TACTFUL_SKIP_BROWSER=1 to skip this test"
        )
    return CHROMIUM


def _run_chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    cmd = [
        str(_chromium()),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def _check_in_browser(page: Path, tmp: Path) -> str:
    """Screenshot ``page`` and check it is not blank; return its DOM after scripts ran."""
    import matplotlib.image as mpimg
    import numpy as np

    png = tmp / f"{page.stem}.png"
    _run_chromium(tmp, f"--screenshot={png}", "--window-size=1280,2000", page.as_uri())
    assert png.is_file() and png.stat().st_size > 10_000
    pixels = mpimg.imread(png)
    assert pixels.shape[0] >= 1000 and pixels.shape[1] >= 1000
    flat = (pixels[..., :3].reshape(-1, 3) * 255).round().astype(np.uint8)
    colours = np.unique(flat, axis=0)
    assert len(colours) > 200, f"screenshot looks blank: {len(colours)} colours"
    not_white = (flat < 245).any(axis=1).mean()
    assert not_white > 0.05, f"screenshot is {1 - not_white:.0%} white"

    dom = _run_chromium(tmp, "--dump-dom", page.as_uri()).stdout
    root = re.search(r"<html[^>]*>", dom)
    assert root is not None, dom[:500]
    assert 'data-ready="1"' in root.group(0), "inline script did not finish"
    assert "data-js-error" not in root.group(0), "a script error occurred"
    return dom


@pytest.mark.slow
def test_report_and_comparison_in_chromium(tmp_path: Path) -> None:
    run = make_run(tmp_path, "multi", defenses=("none", "guard"), attacks=("none", "base64"))
    other = make_run(
        tmp_path,
        "other",
        model="strict-model",
        strictness=1.0,
        seed=5,
        defenses=("none", "guard"),
        attacks=("none", "base64"),
    )
    report = render(run)
    cmp = compare([run, other], tmp_path / "compare.html")
    dom = _check_in_browser(report, tmp_path)
    assert "<svg" in dom
    _check_in_browser(cmp, tmp_path)

    # the category filter (preset from the query string) hides other categories' examples
    dom = _run_chromium(tmp_path, "--dump-dom", report.as_uri() + "?category=hate").stdout
    examples = re.findall(r'<article class="example (?:harmful|over-refusal)"[^>]*>', dom)
    assert examples
    shown = [e for e in examples if "hidden" not in e]
    assert shown and all('data-category="hate"' in e for e in shown)

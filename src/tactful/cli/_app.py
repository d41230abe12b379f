"""The ``tactful`` command line: each command is a thin call into the library."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from tactful.policy import Policy

__all__ = ["app", "main"]

app = typer.Typer(
    name="tactful",
    help="Measure and fix refusal calibration: harmful compliance and over-refusal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
policy_app = typer.Typer(help="Work with policy files.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
train_app = typer.Typer(help="Rebuild shipped artifacts from data.", no_args_is_help=True)
app.add_typer(train_app, name="train")

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _load_policy(path: Path | None) -> Policy:
    """The policy at ``path`` (None: the built-in one); an invalid file is a clear error."""
    from tactful.policy import PolicyValidationError, format_errors, load_policy

    if path is not None and not path.is_file():
        raise _fail(f"{path}: no such policy file")
    try:
        return load_policy(path)
    except PolicyValidationError as exc:
        err.print(format_errors(exc.errors))
        raise _fail(f"{path}: invalid policy ({len(exc.errors)} error(s))") from None


def _check_context(policy: Policy, context: str | None) -> None:
    if context is not None and context not in policy.contexts:
        known = ", ".join(sorted(policy.contexts))
        raise _fail(f"--context: unknown context {context!r}; known: {known}")


@contextmanager
def _event_loop(*backends: object) -> Iterator[asyncio.Runner]:
    """One event loop for a whole command; closes the ``backends`` that have ``aclose`` on it.

    Async backends keep their HTTP client and semaphore bound to the loop they first ran on,
    so every batch of a command must run on the same loop.
    """
    with asyncio.Runner() as loop:
        try:
            yield loop
        finally:
            for backend in backends:
                close = getattr(backend, "aclose", None)
                if close is not None:
                    loop.run(close())


def _parse_columns(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    mapping: dict[str, str] = {}
    for part in text.split(","):
        ours, sep, theirs = part.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise _fail(f"--columns expects ours=theirs pairs separated by commas, got {part!r}")
        mapping[ours.strip()] = theirs.strip()
    return mapping


def _default_out(model: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model.rsplit("/", 1)[-1]).strip("-") or "model"
    return Path("runs") / f"{slug}-{dt.datetime.now():%Y%m%d-%H%M%S}"


def _pct(rate: float | None, ci: list[float] | None) -> str:
    if rate is None:
        return "—"
    interval = f" [{ci[0]:.1%}, {ci[1]:.1%}]" if ci else ""
    return f"{rate:.1%}{interval}"


def _corrected(run: dict[str, Any], key: str) -> str:
    """A second line with the corrected rate, for runs with a judge card; empty otherwise."""
    if not run.get("judge_card"):
        return ""
    block = (run.get("corrected") or {}).get(key) or {}
    return f"\ncorrected {_pct(block.get('rate'), block.get('ci'))}"


def _card_caption(runs: list[dict[str, Any]]) -> str:
    cards = {(c["name"], c["sha256"]): c for r in runs if (c := r.get("judge_card"))}
    if not cards:
        return "no judge card: rates are not corrected for the judge's errors"
    notes = [
        f"judge card {c['name']} (sha256 {c['sha256'][:12]}…), validated on "
        f"{', '.join(c.get('validated_on') or []) or 'unstated sources'}"
        for c in cards.values()
    ]
    return "; ".join(notes) + "; corrected = adjusted for the judge's measured error"


def _print_summary(summary: dict[str, Any]) -> None:
    runs: list[dict[str, Any]] = summary["runs"]
    table = Table(title=f"tactful eval — {summary['model']}", caption=_card_caption(runs))
    for column in (
        "defense",
        "attack",
        "n",
        "harmful compliance (95% CI)",
        "unsafe not refused (95% CI)",
        "over-refusal (95% CI)",
        "unscorable",
        "errors",
    ):
        table.add_column(column)
    for run in runs:
        table.add_row(
            run["defense"],
            run["attack"],
            str(run["n"]),
            _pct(run["harmful_compliance_rate"], run["harmful_compliance_ci"])
            + _corrected(run, "harmful_compliance"),
            _pct(run.get("unsafe_compliance_rate"), run.get("unsafe_compliance_ci"))
            + _corrected(run, "unsafe_compliance"),
            _pct(run["over_refusal_rate"], run["over_refusal_ci"])
            + _corrected(run, "over_refusal"),
            str(run["unscorable"]),
            str(run["errors"]),
        )
    out.print(table)


@app.command("eval")
def eval_command(
    model: Annotated[
        str, typer.Option(help="smollm2 | llamacpp:PATH.gguf | openai:MODEL")
    ] = "smollm2",
    suite: Annotated[
        list[str] | None, typer.Option(help="NAME, NAME=PATH or PATH; repeatable")
    ] = None,
    defense: Annotated[list[str] | None, typer.Option(help="defense name; repeatable")] = None,
    attack: Annotated[list[str] | None, typer.Option(help="attack name; repeatable")] = None,
    judge: Annotated[str, typer.Option(help="embedded | string | llm:MODEL_SPEC")] = "embedded",
    context: Annotated[str | None, typer.Option(help="force a deployment context")] = None,
    limit: Annotated[int | None, typer.Option(help="cases per suite (seeded sample)")] = None,
    concurrency: Annotated[int, typer.Option(help="parallel model calls")] = 4,
    judge_batch: Annotated[
        int, typer.Option(help="completions per judge call (rows are written per batch)")
    ] = 32,
    out_dir: Annotated[Path | None, typer.Option("--out", help="run directory")] = None,
    resume: Annotated[bool, typer.Option(help="continue an interrupted run in --out")] = False,
    offline: Annotated[
        bool, typer.Option(help="never download; use caches and local files")
    ] = False,
    cache: Annotated[bool, typer.Option(help="reuse cached completions")] = True,
    cache_dir: Annotated[Path | None, typer.Option(help="cache directory")] = None,
    policy: Annotated[Path | None, typer.Option(help="policy YAML (default: built-in)")] = None,
    columns: Annotated[
        str | None, typer.Option(help="column map for files: prompt=q,label=y")
    ] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL")] = None,
    api_key: Annotated[str | None, typer.Option(help="API key (else OPENAI_API_KEY)")] = None,
    max_tokens: Annotated[int, typer.Option(help="max new tokens per reply")] = 96,
    temperature: Annotated[float, typer.Option(help="sampling temperature")] = 0.0,
    seed: Annotated[int, typer.Option(help="sampling and sampling-of-cases seed")] = 0,
) -> None:
    """Evaluate a model: harmful compliance and over-refusal, per category, with a report."""
    from tactful.evals import EvalConfig, EvalError, run
    from tactful.evals._download import DatasetUnavailable
    from tactful.models import GenerationParams, ModelError
    from tactful.policy import UnknownCategoryError, UnknownContextError

    if resume and out_dir is None:
        raise _fail("--resume needs --out DIR (the run to continue)")
    loaded = _load_policy(policy)
    _check_context(loaded, context)
    config = EvalConfig(
        model=model,
        suites=suite or ["core"],
        attacks=attack or ["none"],
        defenses=defense or ["none"],
        judge=judge,
        context=context,
        limit=limit,
        concurrency=concurrency,
        judge_batch=judge_batch,
        out=out_dir or _default_out(model),
        resume=resume,
        offline=offline,
        cache=cache,
        cache_dir=cache_dir,
        policy=policy,
        columns=_parse_columns(columns),
        base_url=base_url,
        api_key=api_key,
        params=GenerationParams(temperature=temperature, max_tokens=max_tokens, seed=seed),
    )
    failures = (EvalError, ModelError, DatasetUnavailable, FileNotFoundError, ValueError)
    lookups = (UnknownCategoryError, UnknownContextError)
    try:
        run_dir = run(config, console=err)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except (*failures, *lookups) as exc:
        raise _fail(str(exc)) from exc
    _print_summary(json.loads(run_dir.summary.read_text()))
    out.print(f"results: {run_dir.results}\nreport:  {run_dir.report}")


@app.command("report")
def report_command(
    run_dirs: Annotated[
        list[Path], typer.Argument(help="one run directory, or several to compare")
    ],
    out_file: Annotated[Path | None, typer.Option("--out", help="comparison HTML path")] = None,
) -> None:
    """Re-render a run's report.html, or compare several runs side by side."""
    from tactful.reports import compare, render

    for run_dir in run_dirs:
        if not (run_dir / "summary.json").is_file():
            raise _fail(f"{run_dir} is not a run directory (no summary.json)")
    if len(run_dirs) == 1:
        out.print(str(render(run_dirs[0])))
        return
    target = out_file or Path("runs") / f"compare-{dt.datetime.now():%Y%m%d-%H%M%S}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    out.print(str(compare(run_dirs, target)))


@policy_app.command("check")
def policy_check(
    path: Annotated[Path, typer.Argument(help="policy YAML file")],
) -> None:
    """Validate a policy file; print every error with file, line and field."""
    from tactful.policy import check_policy, format_errors

    if not path.is_file():
        raise _fail(f"{path}: no such file")
    errors = check_policy(path)
    if errors:
        err.print(format_errors(errors))
        raise _fail(f"{path}: {len(errors)} error(s)", code=1)
    out.print(f"{path}: ok")


def _run_jsonl(
    source: Path,
    target: Path,
    model: type[Any],
    process: Callable[[list[Any]], list[dict[str, Any]]],
    batch_size: int,
    label: str,
    check: Callable[[Any], str | None] | None = None,
) -> None:
    """Stream ``source`` through ``process`` into ``target``; warn about malformed rows.

    Rows ``check`` rejects, and policy look-ups that fail, are errors: ``target`` is not written.
    """
    from tactful.cli._jsonl import RowFailure, stream_jsonl
    from tactful.policy import UnknownCategoryError, UnknownContextError

    try:
        errors = stream_jsonl(
            source,
            target,
            model,
            process,
            batch_size=batch_size,
            console=err,
            label=label,
            check=check,
        )
    except RowFailure as exc:
        for failure in exc.errors:
            err.print(f"{source}:{failure.line}: {failure.message}")
        raise _fail(f"{source}: {exc}; {target} not written") from None
    except (UnknownCategoryError, UnknownContextError) as exc:
        raise _fail(f"{exc}; {target} not written") from None
    for error in errors:
        err.print(f"[yellow]warning:[/] {source}:{error.line}: {error.message}")
    out.print(str(target))


def _check_input(path: Path) -> None:
    if not path.is_file():
        raise _fail(f"{path}: no such file")


@app.command("classify")
def classify_command(
    input_path: Annotated[Path, typer.Option("--input", help="JSONL: id, prompt, response?")],
    output_path: Annotated[Path, typer.Option("--output", help="JSONL with verdicts")],
    policy: Annotated[Path | None, typer.Option(help="policy YAML (default: built-in)")] = None,
    context: Annotated[str | None, typer.Option(help="deployment context")] = None,
    backend: Annotated[
        str, typer.Option(help="embedded | layered:MODEL_SPEC (reasoner inside the band)")
    ] = "embedded",
    band: Annotated[
        str, typer.Option(help="reasoner band on the embedded score: LOW,HIGH")
    ] = "0.2,0.8",
    target_over_refusal: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="share of benign look-alikes the classifier may flag (re-calibrates thresholds; "
            "default: the policy's calibration field, else the artifact's)",
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(help="rows per batch")] = 64,
) -> None:
    """Classify prompts (and responses): verdict, unsafe score, category and policy action."""
    from tactful.classify import (
        Band,
        ClassifyItem,
        EmbeddedClassifier,
        LayeredClassifier,
        PolicyReasoner,
    )
    from tactful.models import build_model

    _check_input(input_path)
    loaded = _load_policy(policy)
    _check_context(loaded, context)
    embedded = EmbeddedClassifier(policy=loaded, target_over_refusal=target_over_refusal)
    if missing := [c for c in embedded.card.categories if c not in loaded.category_ids]:
        raise _fail(
            f"{policy or 'built-in policy'}: categories: no {', '.join(missing)}; the policy must "
            "define every category the classifier predicts"
        )
    layered: LayeredClassifier | None = None
    if backend.startswith("layered:"):
        low, _, high = band.partition(",")
        reasoner = PolicyReasoner(build_model(backend.removeprefix("layered:")), loaded)
        layered = LayeredClassifier(embedded, reasoner, Band(low=float(low), high=float(high)))
    elif backend != "embedded":
        raise _fail(f"unknown backend {backend!r}; use embedded or layered:MODEL_SPEC")

    def check(item: ClassifyItem) -> str | None:
        if not item.context or item.context in loaded.contexts:
            return None
        known = ", ".join(sorted(loaded.contexts))
        return f"context: unknown context {item.context!r}; known: {known}"

    with _event_loop(layered.reasoner.model if layered else None) as loop:

        def process(items: list[Any]) -> list[dict[str, Any]]:
            if layered is not None:
                verdicts = loop.run(layered.classify(items, context))
            else:
                verdicts = embedded.classify(items, context)
            return [v.to_row() for v in verdicts]

        _run_jsonl(input_path, output_path, ClassifyItem, process, batch_size, "classify", check)


@app.command("judge")
def judge_command(
    input_path: Annotated[Path, typer.Option("--input", help="JSONL: id, prompt, response")],
    output_path: Annotated[Path, typer.Option("--output", help="JSONL with judgements")],
    judge: Annotated[str, typer.Option(help="embedded | string | llm:MODEL_SPEC")] = "embedded",
    batch_size: Annotated[int, typer.Option(help="rows per batch")] = 64,
) -> None:
    """Judge responses: refusal level, harmful content, scorable."""
    from pydantic import BaseModel

    from tactful.judges import EmbeddedJudge, build_judge, judge_many

    class JudgeItem(BaseModel):
        id: str = ""
        prompt: str
        response: str

    _check_input(input_path)
    judge_obj = build_judge(judge)

    with _event_loop(getattr(judge_obj, "model", None)) as loop:

        def process(items: list[Any]) -> list[dict[str, Any]]:
            if isinstance(judge_obj, EmbeddedJudge):
                judgements = judge_obj.judge_batch(
                    [i.prompt for i in items], [i.response for i in items]
                )
            else:
                pairs = [(i.prompt, i.response) for i in items]
                judgements = loop.run(judge_many(judge_obj, pairs))
            return [
                {"refusal": j.refusal, "harmful": j.harmful, "scorable": j.scorable}
                for j in judgements
            ]

        _run_jsonl(input_path, output_path, JudgeItem, process, batch_size, "judge")


@train_app.command("classifier")
def train_classifier(
    shared_data: Annotated[Path | None, typer.Option(help="shared data folder")] = None,
    contrast: Annotated[Path, typer.Option(help="authored contrast set")] = Path("data/contrast"),
    judge_labels: Annotated[Path, typer.Option(help="labelled pairs")] = Path("data/judge_labels"),
    frames: Annotated[
        Path | None, typer.Option(help="response frames composed around labelled answers")
    ] = Path("data/judge_frames/frames.jsonl"),
    out_dir: Annotated[Path, typer.Option("--out", help="artifact folder")] = Path(
        "src/tactful/classify/artifact"
    ),
    work: Annotated[Path, typer.Option(help="fp32 model and logs")] = Path("build/classifier"),
    epochs: Annotated[int, typer.Option(help="fine-tuning epochs")] = 2,
    pair_repeats: Annotated[int, typer.Option(help="passes over the labelled pairs per epoch")] = 1,
    seed: Annotated[int, typer.Option(help="seed for splits and training")] = 0,
    target_over_refusal: Annotated[
        float, typer.Option(help="dev look-alike flag rate the thresholds aim for")
    ] = 0.025,
    limit: Annotated[int | None, typer.Option(help="train on at most N items")] = None,
) -> None:
    """Rebuild the embedded classifier artifact (needs the [train] extra)."""
    try:
        from tactful.train.classifier import ClassifierRecipe
        from tactful.train.classifier import main as recipe_main
    except ImportError as exc:
        raise _fail(f"{exc}; install the training extra: pip install 'tactful[train]'") from exc
    fields: dict[str, Any] = {
        "contrast": contrast,
        "judge_labels": judge_labels,
        "frames": frames,
        "out": out_dir,
        "work": work,
        "epochs": epochs,
        "pair_repeats": pair_repeats,
        "seed": seed,
        "limit": limit,
        "target_over_refusal": target_over_refusal,
    }
    if shared_data is not None:
        fields["shared_data"] = shared_data
    out.print(str(recipe_main(ClassifierRecipe(**fields), console=err)))


@app.command("calibrate")
def calibrate_command(
    target: Annotated[
        list[float] | None,
        typer.Option(min=0.0, max=1.0, help="look-alike flag rate(s) to show (repeatable)"),
    ] = None,
    artifact: Annotated[
        Path | None, typer.Option(help="classifier artifact folder (default: the shipped one)")
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", help="make the (single) target the artifact's default")
    ] = False,
) -> None:
    """Show or set the classifier's operating point: recall vs look-alike flag rate on dev.

    Re-chooses thresholds from the dev scores kept in the artifact; nothing is retrained.
    """
    from tactful.classify import CalibrationSet, ClassifierCard, artifact_dir, operating_point_for

    directory = artifact or artifact_dir()
    card_path = directory / "card.json"
    if not card_path.is_file():
        raise _fail(f"{card_path}: no such file (not a classifier artifact)")
    card = ClassifierCard.model_validate_json(card_path.read_text())
    try:
        calibration = CalibrationSet.load(directory)
    except FileNotFoundError as exc:
        raise _fail(str(exc)) from exc
    targets = target or [0.01, 0.02, 0.025, 0.03, 0.04, 0.05, 0.08, 0.1]
    if write and len(targets) != 1:
        raise _fail("--write needs exactly one --target")
    table = Table(title=f"operating points on the dev split ({directory})")
    for column in ("target", "dev look-alikes flagged", "dev recall", "global threshold", ""):
        table.add_column(column, justify="right")
    points = [operating_point_for(calibration, t, card.operating_point) for t in targets]
    for point in points:
        current = point.target_over_refusal == card.operating_point.target_over_refusal
        table.add_row(
            f"{point.target_over_refusal:.3f}",
            f"{point.dev_metrics['lookalike_fpr']:.3f}",
            f"{point.dev_metrics['recall']:.3f}",
            f"{point.global_threshold:.3f}",
            "(current)" if current else "",
        )
    out.print(table)
    if write:
        card.operating_point = points[0]
        history = card.recipe.setdefault("recalibrated", [])
        history.append(
            {"target_over_refusal": targets[0], "at": dt.datetime.now(dt.UTC).isoformat()}
        )
        card_path.write_text(card.model_dump_json(indent=2))
        err.print(f"{card_path}: default target over-refusal set to {targets[0]}")


@app.command("list")
def list_command(
    what: Annotated[str, typer.Argument(help="suites | models | attacks | defenses | judges")],
) -> None:
    """List the registered names of one kind of component."""
    from tactful.attacks import known_attacks
    from tactful.defenses import known_defenses
    from tactful.evals import known_suites
    from tactful.judges import known_judges
    from tactful.models import known_models

    listings = {
        "suites": known_suites,
        "models": known_models,
        "attacks": known_attacks,
        "defenses": known_defenses,
        "judges": known_judges,
    }
    if what not in listings:
        raise _fail(f"cannot list {what!r}; choose one of {', '.join(listings)}")
    for name in listings[what]():
        out.print(name)


def main() -> None:
    """Console-script entry point."""
    app()

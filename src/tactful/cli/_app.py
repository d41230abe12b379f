"""The ``tactful`` command line: each command is a thin call into the library."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tactful.cli._config import ConfigError, Layer, default_of, resolve, yaml_layer
from tactful.registry import Kind

if TYPE_CHECKING:
    from tactful.outcomes import RunStats, Summary
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


def _pct(rate: float | None, ci: tuple[float, float] | None) -> str:
    if rate is None:
        return "—"
    interval = f" [{ci[0]:.1%}, {ci[1]:.1%}]" if ci else ""
    return f"{rate:.1%}{interval}"


def _corrected(run: RunStats, key: str) -> str:
    """A second line with the corrected rate, for runs with a judge card; empty otherwise."""
    if run.judge_card is None:
        return ""
    block = getattr(run.corrected, key)
    return f"\ncorrected {_pct(block.rate, block.ci)}"


def _card_caption(runs: list[RunStats]) -> str:
    cards = {(c.name, c.sha256): c for r in runs if (c := r.judge_card) is not None}
    if not cards:
        return "no judge card: rates are not corrected for the judge's errors"
    notes = [
        f"judge card {c.name} (sha256 {c.short_sha}…), validated on "
        f"{', '.join(c.validated_on) or 'unstated sources'}"
        for c in cards.values()
    ]
    return "; ".join(notes) + "; corrected = adjusted for the judge's measured error"


def _print_summary(summary: Summary) -> None:
    runs = summary.runs
    table = Table(title=f"tactful eval — {summary.model}", caption=_card_caption(runs))
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
            run.defense,
            run.attack,
            str(run.n),
            _pct(run.harmful_compliance_rate, run.harmful_compliance_ci)
            + _corrected(run, "harmful_compliance"),
            _pct(run.unsafe_compliance_rate, run.unsafe_compliance_ci)
            + _corrected(run, "unsafe_compliance"),
            _pct(run.over_refusal_rate, run.over_refusal_ci) + _corrected(run, "over_refusal"),
            str(run.unscorable),
            str(run.errors),
        )
    out.print(table)


def _help(text: str, field: str) -> str:
    """A flag's help text with the ``EvalConfig`` default it falls back to."""
    from tactful.evals import EvalConfig

    default = default_of(EvalConfig, field)
    if isinstance(default, list):
        default = ",".join(map(str, default))
    return f"{text} [default: {default}]"


def _params_help(text: str, field: str) -> str:
    from tactful.models import GenerationParams

    return f"{text} [default: {default_of(GenerationParams, field)}]"


def _names(values: list[str] | None, kind: Kind) -> list[str] | None:
    """Repeatable and comma-separated names; ``all`` expands to every registered one."""
    if not values:
        return None
    from tactful import registry

    names: list[str] = []
    for value in values:
        for name in filter(None, (part.strip() for part in value.split(","))):
            if name == "all":  # every one that can be built without an argument
                entries = registry.entries(kind)
                names.extend(e.name for e in entries if e.argument is None or e.optional_argument)
            else:
                names.append(name)
    return list(dict.fromkeys(names))


def _with_reasoner(defenses: list[str] | None, reasoner: str | None) -> list[str] | None:
    """``guard`` becomes ``guard:REASONER`` when a reasoner model is given."""
    if reasoner is None:
        return defenses
    if not defenses or "guard" not in defenses:
        raise _fail("--guard-reasoner needs --defense guard")
    return [f"guard:{reasoner}" if name == "guard" else name for name in defenses]


def _flag_layer(**flags: Any) -> Layer:
    """The flags that were given (``None``: not given), nesting sampling under ``params``."""
    params = {k: flags.pop(k) for k in ("temperature", "max_tokens", "seed")}
    values = {key: value for key, value in flags.items() if value is not None}
    if given := {key: value for key, value in params.items() if value is not None}:
        values["params"] = given
    return Layer("flags", values)


def _rerun_layer(path: Path) -> Layer:
    """The settings of a finished run, read from its ``summary.json`` (or its folder)."""
    from tactful.outcomes import SummaryError, load_summary

    summary_path = path / "summary.json" if path.is_dir() else path
    try:
        summary = load_summary(summary_path)
    except SummaryError as exc:
        raise _fail(str(exc)) from None
    return Layer(str(summary_path), summary.config.model_dump(mode="json"))


@app.command("eval")
def eval_command(
    model: Annotated[
        str | None, typer.Option(help=_help("smollm2 | llamacpp:PATH.gguf | openai:MODEL", "model"))
    ] = None,
    suite: Annotated[
        list[str] | None, typer.Option(help=_help("NAME, NAME=PATH or PATH; repeatable", "suites"))
    ] = None,
    defense: Annotated[
        list[str] | None,
        typer.Option(help=_help("defense names: repeatable or a,b,c; all = every one", "defenses")),
    ] = None,
    attack: Annotated[
        list[str] | None,
        typer.Option(help=_help("attack names: repeatable or a,b,c; all = every one", "attacks")),
    ] = None,
    judge: Annotated[
        str | None, typer.Option(help=_help("embedded | string | llm:MODEL_SPEC", "judge"))
    ] = None,
    context: Annotated[
        str | None, typer.Option(help=_help("force a deployment context", "context"))
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help=_help("cases per suite (seeded sample)", "limit"))
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option(help=_help("parallel model calls", "concurrency"))
    ] = None,
    judge_batch: Annotated[
        int | None,
        typer.Option(
            help=_help("completions per judge call (rows written per batch)", "judge_batch")
        ),
    ] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="run directory")] = None,
    resume: Annotated[bool, typer.Option(help="continue an interrupted run in --out")] = False,
    offline: Annotated[
        bool | None,
        typer.Option("--offline/--online", help=_help("never download; use caches", "offline")),
    ] = None,
    cache: Annotated[
        bool | None,
        typer.Option("--cache/--no-cache", help=_help("reuse cached completions", "cache")),
    ] = None,
    cache_dir: Annotated[Path | None, typer.Option(help="cache directory")] = None,
    policy: Annotated[Path | None, typer.Option(help="policy YAML (default: built-in)")] = None,
    columns: Annotated[
        str | None, typer.Option(help="column map for files: prompt=q,label=y")
    ] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL")] = None,
    api_key: Annotated[str | None, typer.Option(help="API key (else OPENAI_API_KEY)")] = None,
    max_tokens: Annotated[
        int | None, typer.Option(help=_params_help("max new tokens per reply", "max_tokens"))
    ] = None,
    temperature: Annotated[
        float | None, typer.Option(help=_params_help("sampling temperature", "temperature"))
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help=_params_help("sampling and sampling-of-cases seed", "seed"))
    ] = None,
    guard_reasoner: Annotated[
        str | None,
        typer.Option(
            help="model spec of the guard's policy reasoner for unsure items (guard → guard:SPEC)"
        ),
    ] = None,
    guard_readings: Annotated[
        str | None,
        typer.Option(
            help="what the guard classifies: whole (default), turns (each user turn too), "
            "segments (each turn's segments too)"
        ),
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option("--config", help="YAML of EvalConfig fields; flags override it"),
    ] = None,
    rerun: Annotated[
        Path | None,
        typer.Option(help="repeat the run recorded in this summary.json (or run folder)"),
    ] = None,
) -> None:
    """Evaluate a model: harmful compliance and over-refusal, per category, with a report.

    Settings come from EvalConfig's defaults, then ``--rerun``'s stored run, then ``--config``,
    then the flags given.
    """
    from tactful.datasets import DatasetUnavailable
    from tactful.evals import EvalConfig, EvalError, run
    from tactful.models import ModelError
    from tactful.outcomes import load_summary
    from tactful.policy import UnknownCategoryError, UnknownContextError

    if resume and out_dir is None:
        raise _fail("--resume needs --out DIR (the run to continue)")
    layers = [_rerun_layer(rerun)] if rerun is not None else []
    try:
        if config_file is not None:
            layers.append(yaml_layer(config_file))
        layers.append(
            _flag_layer(
                model=model,
                suites=suite,
                attacks=_names(attack, "attack"),
                defenses=_with_reasoner(_names(defense, "defense"), guard_reasoner),
                guard_readings=guard_readings,
                judge=judge,
                context=context,
                limit=limit,
                concurrency=concurrency,
                judge_batch=judge_batch,
                out=out_dir,
                resume=resume or None,
                offline=offline,
                cache=cache,
                cache_dir=cache_dir,
                policy=policy,
                columns=_parse_columns(columns),
                base_url=base_url,
                api_key=api_key,
                max_tokens=max_tokens,
                temperature=temperature,
                seed=seed,
            )
        )
        config = resolve(EvalConfig, layers)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    if "out" not in config.model_fields_set:
        config = config.model_copy(update={"out": _default_out(config.model)})
    loaded = _load_policy(config.policy)
    _check_context(loaded, config.context)
    failures = (EvalError, ModelError, DatasetUnavailable, FileNotFoundError, ValueError)
    lookups = (UnknownCategoryError, UnknownContextError)
    try:
        run_dir = run(config, console=err)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except (*failures, *lookups) as exc:
        raise _fail(str(exc)) from exc
    _print_summary(load_summary(run_dir.summary))
    out.print(f"results: {run_dir.results}\nreport:  {run_dir.report}")


@app.command("report")
def report_command(
    run_dirs: Annotated[
        list[Path], typer.Argument(help="one run directory, or several to compare")
    ],
    out_file: Annotated[Path | None, typer.Option("--out", help="comparison HTML path")] = None,
) -> None:
    """Re-render a run's report.html, or compare several runs side by side."""
    from rich.markup import escape

    from tactful.outcomes import SummaryError
    from tactful.reports import compare, render

    for run_dir in run_dirs:
        if not (run_dir / "summary.json").is_file():
            raise _fail(f"{run_dir} is not a run directory (no summary.json)")
    try:
        if len(run_dirs) == 1:
            out.print(str(render(run_dirs[0])))
            return
        target = out_file or Path("runs") / f"compare-{dt.datetime.now():%Y%m%d-%H%M%S}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        out.print(str(compare(run_dirs, target)))
    except SummaryError as exc:
        raise _fail(escape(str(exc))) from None


@app.command("schema")
def schema_command(
    what: Annotated[str, typer.Argument(help="summary (the summary.json of a run)")],
) -> None:
    """Print the JSON Schema of a file tactful writes."""
    from tactful.outcomes import Summary

    schemas = {"summary": Summary}
    if what not in schemas:
        raise _fail(f"no schema for {what!r}; choose one of {', '.join(schemas)}")
    typer.echo(json.dumps(schemas[what].model_json_schema(), indent=2))


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
    from tactful.classify import Band, ClassifyItem, build_classifier

    _check_input(input_path)
    loaded = _load_policy(policy)
    _check_context(loaded, context)
    low, _, high = band.partition(",")
    try:
        classifier = build_classifier(
            backend,
            policy=loaded,
            target_over_refusal=target_over_refusal,
            band=Band(low=float(low), high=float(high)),
        )
    except ValueError as exc:
        raise _fail(f"{policy or 'built-in policy'}: {exc}") from exc

    def check(item: ClassifyItem) -> str | None:
        if not item.context or item.context in loaded.contexts:
            return None
        known = ", ".join(sorted(loaded.contexts))
        return f"context: unknown context {item.context!r}; known: {known}"

    with _event_loop(classifier) as loop:

        def process(items: list[Any]) -> list[dict[str, Any]]:
            return [v.to_row() for v in loop.run(classifier.classify_batch(items, context))]

        _run_jsonl(input_path, output_path, ClassifyItem, process, batch_size, "classify", check)


@app.command("judge")
def judge_command(
    input_path: Annotated[Path, typer.Option("--input", help="JSONL: id, prompt, response")],
    output_path: Annotated[Path, typer.Option("--output", help="JSONL with judgements")],
    judge: Annotated[
        str, typer.Option(help="embedded | string | propositions | llm:MODEL_SPEC")
    ] = "embedded",
    batch_size: Annotated[int, typer.Option(help="rows per batch")] = 64,
) -> None:
    """Judge responses: refusal level, harmful content, scorable (+ propositions)."""
    from pydantic import BaseModel

    from tactful.judges import UnknownJudgeError, build_judge

    class JudgeItem(BaseModel):
        id: str = ""
        prompt: str
        response: str

    _check_input(input_path)
    try:
        judge_obj = build_judge(judge)
    except UnknownJudgeError as exc:
        raise _fail(str(exc)) from None

    with _event_loop(judge_obj) as loop:

        def process(items: list[Any]) -> list[dict[str, Any]]:
            pairs = [(i.prompt, i.response) for i in items]
            judgements = loop.run(judge_obj.judge_batch(pairs))
            return [
                {"refusal": j.refusal, "harmful": j.harmful, "scorable": j.scorable}
                | ({} if j.propositions is None else {"propositions": j.propositions})
                for j in judgements
            ]

        _run_jsonl(input_path, output_path, JudgeItem, process, batch_size, "judge")


@train_app.command("classifier")
def train_classifier(
    shared_data: Annotated[Path | None, typer.Option(help="shared data folder")] = None,
    contrast: Annotated[Path | None, typer.Option(help="authored contrast set")] = None,
    judge_labels: Annotated[Path | None, typer.Option(help="labelled pairs")] = None,
    frames: Annotated[
        Path | None, typer.Option(help="response frames composed around labelled answers")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="artifact folder (default: $TACTFUL_HOME/classifier)"),
    ] = None,
    work: Annotated[Path | None, typer.Option(help="fp32 model and logs")] = None,
    epochs: Annotated[int | None, typer.Option(help="fine-tuning epochs")] = None,
    pair_repeats: Annotated[
        int | None, typer.Option(help="passes over the labelled pairs per epoch")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="seed for splits and training")] = None,
    target_over_refusal: Annotated[
        float | None, typer.Option(help="dev look-alike flag rate the thresholds aim for")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="train on at most N items")] = None,
    config_file: Annotated[
        Path | None,
        typer.Option("--config", help="YAML of ClassifierRecipe fields; flags override it"),
    ] = None,
) -> None:
    """Rebuild the embedded classifier artifact (needs the [train] extra).

    Unset flags keep ClassifierRecipe's defaults (or the ``--config`` file's values).
    """
    try:
        from tactful.train.classifier import ClassifierRecipe
        from tactful.train.classifier import main as recipe_main
    except ImportError as exc:
        raise _fail(f"{exc}; install the training extra: pip install 'tactful[train]'") from exc
    flags = {
        "shared_data": shared_data,
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
    try:
        layers = [yaml_layer(config_file)] if config_file is not None else []
        layers.append(Layer("flags", {k: v for k, v in flags.items() if v is not None}))
        recipe = resolve(ClassifierRecipe, layers)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    out.print(str(recipe_main(recipe, console=err)))


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
        bool,
        typer.Option(
            "--write",
            help="make the (single) target the default, in a copy at $TACTFUL_HOME/classifier",
        ),
    ] = False,
    reset: Annotated[
        bool, typer.Option("--reset", help="remove $TACTFUL_HOME/classifier (use the shipped one)")
    ] = False,
) -> None:
    """Show or set the classifier's operating point: recall vs look-alike flag rate on dev.

    Re-chooses thresholds from the dev scores kept in the artifact; nothing is retrained. The
    shipped artifact is never changed: ``--write`` writes a copy to ``$TACTFUL_HOME/classifier``,
    which is used from then on until ``--reset``.
    """
    from tactful.classify import CalibrationSet, ClassifierCard, artifact_dir, operating_point_for
    from tactful.home import user_artifact_dir

    if reset:
        _reset_user_artifact(user_artifact_dir())
        return
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
        target_dir = _writable_copy(directory, user_artifact_dir())
        (target_dir / "card.json").write_text(card.model_dump_json(indent=2))
        err.print(f"{target_dir / 'card.json'}: default target over-refusal set to {targets[0]}")


def _writable_copy(source: Path, user_dir: Path) -> Path:
    """Copy an artifact folder to the user's folder (atomically) unless it already is that one."""
    if source.resolve() == user_dir.resolve():
        return user_dir
    staging = user_dir.with_name(user_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    shutil.rmtree(user_dir, ignore_errors=True)
    staging.replace(user_dir)
    return user_dir


def _reset_user_artifact(user_dir: Path) -> None:
    """Remove the user's classifier so the shipped one is used again."""
    if (user_dir / "card.json").is_file():
        shutil.rmtree(user_dir)
        err.print(f"removed {user_dir}; the shipped classifier is in use")
    else:
        err.print(f"no user classifier at {user_dir}; the shipped classifier is in use")


_LISTABLE: dict[str, Kind] = {
    "models": "model",
    "judges": "judge",
    "attacks": "attack",
    "defenses": "defense",
    "classifiers": "classifier",
}


@app.command("list")
def list_command(
    what: Annotated[
        str, typer.Argument(help="suites | models | judges | attacks | defenses | classifiers")
    ],
) -> None:
    """List one kind of component: spec form, family, what it does and where it comes from."""
    from tactful import registry
    from tactful.datasets import describe_suites

    if what == "suites":
        for suite in describe_suites():
            status = {None: "built-in", True: "pinned", False: "unpinned"}[suite.pinned]
            at = f" @ {suite.revision}" if suite.revision else ""
            out.print(f"{suite.name:<20} {status:<9} {suite.source}{at}", markup=False)
        return
    if what not in _LISTABLE:
        raise _fail(f"cannot list {what!r}; choose one of suites, {', '.join(_LISTABLE)}")
    table = Table(box=None, show_edge=False, pad_edge=False)
    table.add_column("spec", no_wrap=True)
    for column in ("family", "summary", "source"):
        table.add_column(column, overflow="fold")
    for entry in registry.entries(_LISTABLE[what]):
        table.add_row(entry.usage, entry.family, entry.summary, entry.source)
    out.print(table)


def main() -> None:
    """Console-script entry point."""
    app()

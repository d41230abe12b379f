"""The evaluation runner: cases × attacks × defenses → results.jsonl, summary.json, report.html."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from tactful.attacks import Attack, InteractiveAttack, build_any_attack, is_interactive
from tactful.datasets import LoadedSuite, load_suite
from tactful.defenses import Defense, DefenseResponse, build_defense
from tactful.evals._config import EvalConfig
from tactful.evals._metrics import build_summary
from tactful.evals._results import ResultsFile
from tactful.home import cache_dir
from tactful.judges import Judge, JudgeCard, build_judge, judge_card
from tactful.models import CachedModel, ChatModel, CompletionCache, ModelError, build_model
from tactful.outcomes import SuiteInfo, SummaryError, load_summary
from tactful.policy import Policy, load_policy
from tactful.records import Case, Judgement, Message, ResultRow, TraceStep

__all__ = ["EvalError", "RunDir", "WorkItem", "plan", "run", "write_summary"]

BATCHES_AHEAD = 2
"""Batches the model may generate before the judge has written the oldest (bounds pending work)."""


class EvalError(RuntimeError):
    """The evaluation cannot start (bad configuration, mismatched resume, ...)."""


@dataclass(frozen=True)
class RunDir:
    """Paths of a finished (or interrupted) run."""

    path: Path
    complete: bool

    @property
    def results(self) -> Path:
        """``results.jsonl``."""
        return self.path / "results.jsonl"

    @property
    def summary(self) -> Path:
        """``summary.json``."""
        return self.path / "summary.json"

    @property
    def report(self) -> Path:
        """``report.html``."""
        return self.path / "report.html"


@dataclass(frozen=True)
class WorkItem:
    """One answer to get: an (attacked) case under one defense.

    ``interactive`` is set for attacks that talk to the defended target while they run
    (multi-turn, automated attacker); ``attacked`` is then the case they start from.
    """

    key: str
    case: Case
    attacked: Case
    attack: str
    defense: Defense
    interactive: InteractiveAttack | None = None


def _sample(cases: list[Case], limit: int | None, seed: int) -> list[Case]:
    """A seeded, order-independent sample of ``limit`` cases (all when no limit)."""
    if limit is None or limit >= len(cases):
        return cases

    def rank(case: Case) -> str:
        return hashlib.sha256(f"{seed}:{case.id}".encode()).hexdigest()

    return sorted(cases, key=rank)[:limit]


def _with_context(case: Case, context: str | None, policy: Policy) -> Case:
    """Apply a forced context and put the context's system prompt in front of the conversation."""
    if context is not None:
        case = case.model_copy(update={"context": context})
    if case.context in (None, "default") or case.messages[0].role == "system":
        return case
    system = policy.context_system_prompt(case.context)
    if not system:
        return case
    messages = [Message(role="system", content=system), *case.messages]
    return case.model_copy(update={"messages": messages})


def _check_unique_ids(suites: list[LoadedSuite]) -> None:
    """Keys are (suite, case id, attack, defense): case ids must be unique within a suite."""
    for suite in suites:
        seen: set[str] = set()
        dupes = sorted({c.id for c in suite.cases if c.id in seen or seen.add(c.id)})  # type: ignore[func-returns-value]
        if dupes:
            raise EvalError(f"duplicate case ids within a suite: {', '.join(dupes[:5])}")


def plan(
    suites: list[LoadedSuite],
    config: EvalConfig,
    policy: Policy,
    attacks: list[Attack | InteractiveAttack],
    defenses: list[Defense],
) -> Iterator[WorkItem]:
    """Expand suites into work items with stable, unique keys, lazily.

    Nothing is built ahead of the run: ``or-bench-80k`` × every attack × every defense streams
    through the bounded pipeline one batch at a time.
    """
    _check_unique_ids(suites)
    for suite in suites:
        for case in _sample(suite.cases, config.limit, config.params.seed):
            case = case.model_copy(update={"source": case.source or suite.name})
            prepared = _with_context(case, config.context, policy)
            for attack in attacks:
                if is_interactive(attack):
                    for defense in defenses:
                        key = f"{case.source}/{case.id}|{attack.name}|{defense.name}"
                        yield WorkItem(key, prepared, prepared, attack.name, defense, attack)
                    continue
                for index, attacked in enumerate(cast(Attack, attack).apply(prepared)):
                    variant = attack.name if index == 0 else f"{attack.name}#{index}"
                    for defense in defenses:
                        key = f"{case.source}/{case.id}|{variant}|{defense.name}"
                        yield WorkItem(key, prepared, attacked, attack.name, defense)


def planned_size(
    suites: list[LoadedSuite], config: EvalConfig, n_attacks: int, n_defenses: int
) -> int:
    """How many rows the plan holds when each attack yields one variant (the progress total)."""
    cases = sum(len(_sample(s.cases, config.limit, config.params.seed)) for s in suites)
    return cases * n_attacks * n_defenses


@dataclass(frozen=True)
class _Answer:
    """A finished model call (or its ``ModelError``), waiting for its judgement."""

    item: WorkItem
    response: DefenseResponse | None
    error: str | None


async def _answer(item: WorkItem, model: ChatModel, judge: Judge, config: EvalConfig) -> _Answer:
    params = config.params.model_dump()
    try:
        if item.interactive is not None:
            response = await _attacked(item, item.interactive, model, judge, params)
        else:
            response = await item.defense.respond(item.attacked, model, **params)
    except ModelError as exc:
        return _Answer(item, None, str(exc))
    return _Answer(item, response, None)


async def _attacked(
    item: WorkItem,
    attack: InteractiveAttack,
    model: ChatModel,
    judge: Judge,
    params: dict[str, Any],
) -> DefenseResponse:
    """Let an interactive attack talk to the defended model; the last exchange is the answer.

    The row's trace starts with one ``attack`` step (iterations, calls, success, why it
    stopped), followed by the defense's steps on the final exchange. When the judge read a
    translation of the reply, the row's response is that translation and the step keeps the
    target's own words (``target_response``).
    """
    last: list[DefenseResponse] = []

    async def respond(messages: list[Message]) -> str:
        turn = item.attacked.model_copy(update={"messages": list(messages)})
        last.append(await item.defense.respond(turn, model, **params))
        return last[-1].text

    started = time.perf_counter()
    trace = await attack.run(item.attacked, respond, judge)
    final = last[-1] if last else None
    step = TraceStep(
        layer="attack",
        action=trace.stop_reason,
        detail={
            "iterations": len(trace.steps),
            "target_calls": trace.target_calls,
            "attacker_calls": trace.attacker_calls,
            "attacker_tokens": trace.attacker_tokens,
            "success": trace.success,
            "target_response": trace.response if trace.judged_response else None,
        },
        latency_ms=(time.perf_counter() - started) * 1000,
    )
    return DefenseResponse(
        text=trace.judged_response or trace.response,
        sent=list(trace.sent),
        completion=final.completion if final else None,
        trace=[step, *(final.trace if final else [])],
    )


def _row(answer: _Answer, judgement: Judgement) -> ResultRow:
    item, response = answer.item, answer.response
    return ResultRow(
        key=item.key,
        case=item.case,
        attack=item.attack,
        defense=item.defense.name,
        sent=response.sent if response else item.attacked.messages,
        response=response.text if response else "",
        completion=response.completion if response else None,
        error=answer.error,
        judgement=judgement,
        defense_trace=response.trace if response else [],
    )


async def _judge(answers: list[_Answer], judge: Judge, concurrency: int) -> list[ResultRow]:
    """Rows for ``answers``: the answered ones judged in one ``judge_batch`` call."""
    pairs = [(a.item.case.prompt, a.response.text, a.item.case) for a in answers if a.response]
    verdicts = iter(await judge.judge_batch(pairs, concurrency=concurrency))
    rows = []
    for answer in answers:
        if answer.response is not None:
            judgement = next(verdicts)
        else:
            reason = f"model error: {answer.error}"
            judgement = Judgement(scorable=False, judge=judge.name, rationale=reason)
        rows.append(_row(answer, judgement))
    return rows


def _batches(todo: Iterable[tuple[int, WorkItem]], size: int) -> Iterator[list[WorkItem]]:
    """Group (plan position, item) pairs into judge batches aligned to multiples of ``size``.

    Aligned batches make a run, its resume and its rerun judge the same batches, so a judge whose
    verdicts depend on batch-mates (an LLM judge batching requests, a dynamically quantised
    encoder) still reproduces its own rows.
    """
    for _, group in itertools.groupby(todo, key=lambda pair: pair[0] // size):
        yield [item for _, item in group]


class _Batch:
    """Consecutive work items, judged together once each has its answer."""

    def __init__(self, items: list[WorkItem]) -> None:
        self.items = items
        self.answers: list[_Answer | None] = [None] * len(items)
        self.left = len(items)
        self.done = asyncio.Event()

    def put(self, index: int, answer: _Answer) -> None:
        self.answers[index] = answer
        self.left -= 1
        if not self.left:
            self.done.set()

    def finished(self) -> list[_Answer]:
        """The answers so far, in plan order."""
        return [answer for answer in self.answers if answer is not None]


class _Pipeline:
    """A bounded pool of model workers feeding one judge loop.

    A feeder hands items to ``slots`` workers through a queue of ``slots`` places; a worker holds
    a model slot only while it generates. The judge loop judges each finished batch in one call
    and writes its rows in plan order. At most ``BATCHES_AHEAD`` batches are open at a time, so
    the number of tasks and buffered answers does not grow with the plan.
    """

    def __init__(
        self,
        model: ChatModel,
        judge: Judge,
        config: EvalConfig,
        on_row: Callable[[ResultRow], None],
    ) -> None:
        self.model, self.judge, self.config, self.on_row = model, judge, config, on_row
        self.slots = max(1, min(config.concurrency, model.max_concurrency))
        self.work: asyncio.Queue[tuple[_Batch, int] | None] = asyncio.Queue(self.slots)
        self.fed: asyncio.Queue[_Batch | None] = asyncio.Queue()
        self.ahead = asyncio.Semaphore(BATCHES_AHEAD)
        self.open: deque[_Batch] = deque()  # fed and not yet written, in plan order

    async def feed(self, batches: Iterable[list[WorkItem]]) -> None:
        for items in batches:
            await self.ahead.acquire()
            batch = _Batch(items)
            self.open.append(batch)
            self.fed.put_nowait(batch)
            for index in range(len(items)):
                await self.work.put((batch, index))
        self.fed.put_nowait(None)
        for _ in range(self.slots):
            await self.work.put(None)

    async def generate(self) -> None:
        while (job := await self.work.get()) is not None:
            batch, index = job
            batch.put(index, await _answer(batch.items[index], self.model, self.judge, self.config))

    async def judge_batches(self) -> None:
        while (batch := await self.fed.get()) is not None:
            await batch.done.wait()
            await self._write(batch)
            self.ahead.release()

    async def _write(self, batch: _Batch) -> None:
        rows = await _judge(batch.finished(), self.judge, self.config.concurrency)
        for row in rows:  # no await in between: a batch is written whole or not at all
            self.on_row(row)
        self.open.remove(batch)

    async def flush(self) -> None:
        """After a failure: judge and write the answers that finished in the open batches."""
        while self.open:
            await self._write(self.open[0])

    async def run(self, batches: Iterable[list[WorkItem]]) -> None:
        """Run every batch; on any failure (Ctrl-C too), stop the workers and save what finished.

        Rows are written as soon as their batch is judged; after a failure, the answers that
        finished are judged and written before the failure propagates.
        """
        tasks = [
            asyncio.ensure_future(self.feed(batches)),
            asyncio.ensure_future(self.judge_batches()),
            *(asyncio.ensure_future(self.generate()) for _ in range(self.slots)),
        ]
        try:
            await asyncio.gather(*tasks)
        except BaseException as failure:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            try:
                await self.flush()
            except Exception as exc:  # the run's own failure is the one to report
                failure.add_note(f"judging the finished answers failed too: {exc!r}")
            raise


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("refused {task.fields[refused]} · errors {task.fields[errors]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )


async def _execute(
    todo: Iterable[tuple[int, WorkItem]],
    total: int,
    model: ChatModel,
    judge: Judge,
    config: EvalConfig,
    results: ResultsFile,
    console: Console,
) -> None:
    refused = errors = 0

    with _progress(console) as progress:
        task = progress.add_task(f"eval {model.spec}", total=total, refused=0, errors=0)

        def store(row: ResultRow) -> None:
            nonlocal refused, errors
            results.append(row)
            refused += row.judgement.refusal in ("full", "partial")
            errors += row.error is not None
            progress.update(task, advance=1, refused=refused, errors=errors)

        await _Pipeline(model, judge, config, store).run(_batches(todo, config.judge_batch))


def _prepare_out(
    config: EvalConfig, console: Console
) -> tuple[ResultsFile, list[ResultRow], float]:
    """Create or reopen the run directory; return kept rows and elapsed time so far."""
    out = config.out
    out.mkdir(parents=True, exist_ok=True)
    results = ResultsFile(out / "results.jsonl")
    config_path = out / "config.json"
    if not config.resume:
        if results.path.exists() and results.path.stat().st_size > 0:
            raise EvalError(
                f"{results.path} already holds results: pass --resume to continue that run "
                "or choose another --out"
            )
        config_path.write_text(json.dumps(config.resume_view(), indent=2))
        return results, [], 0.0
    if config_path.exists():
        stored = json.loads(config_path.read_text())
        ours = config.resume_view()
        diff = sorted(k for k in ours if stored.get(k) != ours[k])
        if diff:
            details = "; ".join(f"{k}: run has {stored.get(k)!r}, now {ours[k]!r}" for k in diff)
            raise EvalError(f"--resume with a different configuration ({details})")
    else:
        config_path.write_text(json.dumps(config.resume_view(), indent=2))
    rows, torn = results.load()
    if torn:
        console.print(f"[yellow]dropped a torn last line of {results.path} (crash mid-write)")
    kept = [row for row in rows if row.error is None]
    if len(kept) != len(rows):
        console.print(f"retrying {len(rows) - len(kept)} rows that had model errors")
        results.rewrite(kept)
    elapsed = 0.0
    summary_path = out / "summary.json"
    if summary_path.exists():
        try:
            elapsed = load_summary(summary_path).elapsed_s
        except SummaryError as exc:
            hint = "(delete it to resume without the time spent so far)"
            raise EvalError(f"{exc}\n{hint}") from None
    return results, kept, elapsed


def write_summary(
    config: EvalConfig,
    rows: list[ResultRow],
    elapsed_s: float,
    complete: bool,
    *,
    judge_card: JudgeCard | None = None,
    suites: Sequence[SuiteInfo] = (),
) -> Path:
    """Write ``summary.json`` for ``rows``; ``judge_card`` (the judge's card) corrects the rates."""
    summary = build_summary(
        config,
        rows,
        elapsed_s=elapsed_s,
        complete=complete,
        judge_card=judge_card,
        suites=suites,
    )
    path = config.out / "summary.json"
    path.write_text(summary.model_dump_json(indent=2))
    return path


def run(
    config: EvalConfig,
    *,
    console: Console | None = None,
    model: ChatModel | None = None,
    on_issue: Callable[[str], None] | None = None,
) -> RunDir:
    """Run an evaluation; resumable, interrupt-safe. ``model`` overrides ``config.model``."""
    from tactful.reports import render

    console = console or Console(stderr=True)
    report_issue = on_issue or (lambda text: console.print(f"[yellow]warning:[/] {text}"))
    policy = load_policy(config.policy)
    suites = [
        load_suite(
            spec,
            offline=config.offline,
            cache_dir=config.cache_dir,
            columns=config.columns,
            policy=policy,
            context=config.context,
        )
        for spec in config.suites
    ]
    for suite in suites:
        for issue in suite.issues:
            report_issue(str(issue))
    try:
        attacks = [build_any_attack(name) for name in config.attacks]
        defenses = [
            build_defense(name, policy=policy, readings=config.guard_readings)
            for name in config.defenses
        ]
    except ValueError as exc:
        raise EvalError(str(exc)) from exc
    provenance = [
        SuiteInfo(name=s.name, revision=s.revision, files={f.source: f.sha256 for f in s.files})
        for s in suites
    ]
    total = planned_size(suites, config, len(attacks), len(defenses))
    if not total:
        raise EvalError("no cases to run: every suite is empty")
    _check_unique_ids(suites)
    results, kept, elapsed_before = _prepare_out(config, console)
    done = {row.key for row in kept}
    items = enumerate(plan(suites, config, policy, attacks, defenses))
    todo = ((position, item) for position, item in items if item.key not in done)
    if config.resume:
        console.print(f"resuming: {len(done)} rows kept, about {total - len(done)} to run")

    judge = build_judge(config.judge, model_factory=build_model)
    card = judge_card(judge)  # read before the run: a malformed card fails fast
    options: dict[str, Any] = {}
    if config.model.startswith("openai:"):
        options = {
            "base_url": config.base_url,
            "api_key": config.api_key,
            "max_concurrency": config.concurrency,
        }
    chat_model = model or build_model(config.model, **options)
    cache = None
    if config.cache:  # --no-cache opens no cache at all
        cache = CompletionCache((config.cache_dir or cache_dir()) / "completions.sqlite")
        chat_model = CachedModel(chat_model, cache)
    started = time.perf_counter()

    def finish(complete: bool) -> None:
        if cache is not None:
            cache.close()
        rows, _ = results.load()
        elapsed = elapsed_before + time.perf_counter() - started
        write_summary(config, rows, elapsed, complete, judge_card=card, suites=provenance)
        render(config.out)
        if not complete:
            console.print(
                f"[yellow]interrupted after {len(rows)} of about {total} rows; "
                f"continue with: tactful eval ... --out {config.out} --resume"
            )

    try:
        asyncio.run(
            _execute(todo, max(0, total - len(done)), chat_model, judge, config, results, console)
        )
    except BaseException as failure:
        try:
            finish(complete=False)
        except Exception as exc:  # the run's own failure is the one to report
            failure.add_note(f"saving the interrupted run failed too: {exc!r}")
        raise
    finish(complete=True)
    return RunDir(config.out, True)

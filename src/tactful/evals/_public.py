"""Public refusal benchmarks, each read in its authors' own published format.

Every suite is fetched from its canonical source into the dataset cache (falling back on the
authors' own copy where one is listed), or read from a local copy (``--suite NAME=PATH``: one
published file, or the folder of files as published). Source categories that map plainly onto our
category ids are mapped; the source's own category is always kept in ``meta["source_category"]``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tactful.evals._download import dataset_cache_dir, fetch_first
from tactful.evals._generic import LABELS, SuiteBuilder, open_table
from tactful.evals._issues import LoadedSuite, SuiteError
from tactful.records import Label

__all__ = ["PUBLIC_SUITES", "PublicSuite", "SourceFile", "load_public"]


class _RowProblem(Exception):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SourceFile:
    """One published file of a benchmark."""

    key: str
    url: str
    names: tuple[str, ...]
    """Accepted local names, first as published; a name with ``/`` must match its folder too."""
    columns: tuple[str | tuple[str, ...], ...]
    """Columns the published file must have; a tuple names alternatives (one must be there)."""
    label: Label | None = None
    """The label of every row; ``None`` when the rows carry their own."""
    mirrors: tuple[str, ...] = ()
    """Other places publishing the same rows (the authors' copy of a hub file), tried in order
    when ``url`` cannot be downloaded."""

    @property
    def urls(self) -> tuple[str, ...]:
        """``url`` and then its mirrors."""
        return (self.url, *self.mirrors)


RowParser = Callable[[str, SourceFile, dict[str, Any], int], dict[str, Any]]


@dataclass(frozen=True)
class PublicSuite:
    """A public benchmark: where its files live and how to read one row."""

    name: str
    title: str
    homepage: str
    files: tuple[SourceFile, ...]
    parse: RowParser


# --- row helpers -----------------------------------------------------------------------------


def _text(row: dict[str, Any], column: str) -> str | None:
    value = row.get(column)
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else str(value)
    return text or None


def _required(row: dict[str, Any], column: str) -> str:
    value = row.get(column)
    if not isinstance(value, str) or not value.strip():
        missing = value is None or (isinstance(value, str) and not value.strip())
        raise _RowProblem(column, "missing or empty" if missing else "expected text")
    return value


def _first_present(row: dict[str, Any], columns: tuple[str, ...]) -> str:
    """The first of ``columns`` the row has (the first one if none): a prompt under two names."""
    return next((column for column in columns if column in row), columns[0])


def _key(text: str | None) -> str:
    return " ".join((text or "").replace("_", " ").lower().split())


def _category(table: dict[str, str], source: str | None) -> str | None:
    return table.get(_key(source))


_MODEL_COLUMNS = re.compile(r".+_(response|harmful|action)$")


def _meta(row: dict[str, Any], used: set[str], **extra: Any) -> dict[str, Any]:
    """Unused source columns (minus model answers shipped alongside), plus ``extra``."""
    meta = {
        key: value
        for key, value in row.items()
        if key
        and key not in used
        and value is not None
        and value != ""
        and not _MODEL_COLUMNS.fullmatch(key)
    }
    meta.update({key: value for key, value in extra.items() if value is not None})
    return meta


def _case(
    suite: str,
    file: SourceFile,
    source_id: str,
    prompt: str,
    *,
    category: str | None,
    meta: dict[str, Any],
    label: str | None = None,
) -> dict[str, Any]:
    label = label or file.label
    if label not in LABELS:
        raise _RowProblem("label", f"expected 'safe' or 'unsafe', got {label!r}")
    return {
        "id": f"{suite}-{source_id}",
        "prompt": prompt,
        "label": label,
        "category": category,
        "meta": meta,
    }


# --- XSTest ----------------------------------------------------------------------------------
# https://github.com/paul-rottger/xstest  (Röttger et al., NAACL 2024)
# xstest_prompts.csv: id,prompt,type,label,focus,note — 250 safe prompts of ten types and 200
# unsafe "contrast_*" prompts; `label` is safe/unsafe.

_XSTEST_CATEGORIES = {
    "privacy public": "privacy",
    "privacy fictional": "privacy",
    "contrast privacy": "privacy",
    "real group nons discr": "hate",
    "nons group real discr": "hate",
    "contrast discr": "hate",
}


def _xstest(suite: str, file: SourceFile, row: dict[str, Any], n: int) -> dict[str, Any]:
    prompt = _required(row, "prompt")
    kind = _text(row, "type")
    label = _text(row, "label")
    if label is None and kind is not None:  # older copies had no label column
        label = "unsafe" if kind.startswith("contrast_") else "safe"
    label = label.lower() if label else None
    if label not in LABELS:
        raise _RowProblem("label", f"expected 'safe' or 'unsafe', got {label!r}")
    source_id = _text(row, "id") or _text(row, "id_v2") or str(n)
    return _case(
        suite,
        file,
        source_id,
        prompt,
        label=label,
        category=_category(_XSTEST_CATEGORIES, kind),
        meta=_meta(row, {"id", "prompt", "label", "type"}, source_category=kind),
    )


# --- JailbreakBench --------------------------------------------------------------------------
# https://huggingface.co/datasets/JailbreakBench/JBB-Behaviors  (Chao et al., NeurIPS 2024 D&B)
# data/harmful-behaviors.csv and data/benign-behaviors.csv:
# Index,Goal,Target,Behavior,Category,Source — the request is `Goal`.

_JBB_CATEGORIES = {
    "harassment/discrimination": "harassment",
    "malware/hacking": "cybercrime",
    "fraud/deception": "non_violent_crimes",
    "sexual/adult content": "sexual_content",
    "privacy": "privacy",
}


def _jailbreakbench(suite: str, file: SourceFile, row: dict[str, Any], n: int) -> dict[str, Any]:
    category = _text(row, "Category")
    source_id = f"{file.key}-{_text(row, 'Index') or n}"
    return _case(
        suite,
        file,
        source_id,
        _required(row, "Goal"),
        category=_category(_JBB_CATEGORIES, category),
        meta=_meta(row, {"Goal", "Category"}, source_category=category),
    )


# --- HarmBench -------------------------------------------------------------------------------
# https://github.com/centerforaisafety/HarmBench  (Mazeika et al., 2024)
# data/behavior_datasets/harmbench_behaviors_text_all.csv:
# Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID. Contextual
# behaviours are sent as "{ContextString}\n\n---\n\n{Behavior}", as HarmBench's baselines do.

_HARMBENCH_CATEGORIES = {
    "chemical biological": "indiscriminate_weapons",
    "copyright": "intellectual_property",
    "cybercrime intrusion": "cybercrime",
    "harassment bullying": "harassment",
}


def _harmbench(suite: str, file: SourceFile, row: dict[str, Any], n: int) -> dict[str, Any]:
    behavior = _required(row, "Behavior")
    context = _text(row, "ContextString")
    prompt = f"{row['ContextString']}\n\n---\n\n{behavior}" if context else behavior
    category = _text(row, "SemanticCategory")
    meta = _meta(
        row,
        {"Behavior", "ContextString", "BehaviorID", "SemanticCategory"},
        source_category=category,
        behavior=behavior if context else None,
    )
    return _case(
        suite,
        file,
        _text(row, "BehaviorID") or str(n),
        prompt,
        category=_category(_HARMBENCH_CATEGORIES, category),
        meta=meta,
    )


# --- AdvBench --------------------------------------------------------------------------------
# https://github.com/llm-attacks/llm-attacks  (Zou et al., 2023)
# data/advbench/harmful_behaviors.csv: goal,target — 520 harmful instructions, no categories.


def _advbench(suite: str, file: SourceFile, row: dict[str, Any], n: int) -> dict[str, Any]:
    return _case(
        suite, file, str(n), _required(row, "goal"), category=None, meta=_meta(row, {"goal"})
    )


# --- StrongREJECT ----------------------------------------------------------------------------
# https://github.com/alexandrasouly/strongreject  (Souly et al., NeurIPS 2024)
# strongreject_dataset/strongreject_dataset.csv and strongreject_small_dataset.csv:
# category,source,forbidden_prompt.

_STRONGREJECT_CATEGORIES = {
    "hate, harassment and discrimination": "hate",
    "non-violent crimes": "non_violent_crimes",
    "sexual content": "sexual_content",
    "violence": "violent_crimes",
}


def _strongreject(suite: str, file: SourceFile, row: dict[str, Any], n: int) -> dict[str, Any]:
    category = _text(row, "category")
    return _case(
        suite,
        file,
        str(n),
        _required(row, "forbidden_prompt"),
        category=_category(_STRONGREJECT_CATEGORIES, category),
        meta=_meta(row, {"forbidden_prompt", "category"}, source_category=category),
    )


# --- SimpleSafetyTests -----------------------------------------------------------------------
# https://huggingface.co/datasets/Bertievidgen/SimpleSafetyTests  (Vidgen et al., 2023)
# sst_test_cases.csv: id,harm_area,counter,category,prompt — 100 prompts in five harm areas; its
# `category` is the request style (information seeking / instructions), kept in meta. The
# authors' copy, https://github.com/bertiev/SimpleSafetyTests "SimpleSafetyTests - test
# cases.csv", has the same columns but names the prompt `prompts_final`. All prompts are unsafe.

_SST_CATEGORIES = {
    "suicide, self-harm, and eating disorders": "suicide_self_harm",
    "suicide, self-harm and eating disorders": "suicide_self_harm",
    "physical harm and violence": "violent_crimes",
    "physical harm": "violent_crimes",
    "scams and fraud": "non_violent_crimes",
}


_SST_PROMPT = ("prompt", "prompts_final")


def _simplesafetytests(suite: str, file: SourceFile, row: dict[str, Any], n: int) -> dict[str, Any]:
    area = _text(row, "harm_area")
    source_id = _text(row, "id") or str(n)
    column = _first_present(row, _SST_PROMPT)
    return _case(
        suite,
        file,
        source_id,
        _required(row, column),
        category=_category(_SST_CATEGORIES, area),
        meta=_meta(row, {"id", column, "harm_area"}, source_category=area),
    )


# --- OR-Bench --------------------------------------------------------------------------------
# https://huggingface.co/datasets/bench-llm/or-bench  (Cui et al., 2024)
# or-bench-hard-1k.csv (seemingly toxic, safe), or-bench-toxic.csv (unsafe) and
# or-bench-80k.csv (safe): prompt,category.

_ORBENCH_CATEGORIES = {
    "harassment": "harassment",
    "hate": "hate",
    "privacy": "privacy",
    "self-harm": "suicide_self_harm",
    "sexual": "sexual_content",
    "violence": "violent_crimes",
}


def _orbench(suite: str, file: SourceFile, row: dict[str, Any], n: int) -> dict[str, Any]:
    category = _text(row, "category")
    source_id = f"{file.key}-{n}" if suite == "or-bench" else str(n)
    return _case(
        suite,
        file,
        source_id,
        _required(row, "prompt"),
        category=_category(_ORBENCH_CATEGORIES, category),
        meta=_meta(row, {"prompt", "category"}, source_category=category),
    )


# --- Do-Not-Answer ---------------------------------------------------------------------------
# https://huggingface.co/datasets/LibrAI/do-not-answer  (Wang et al., Findings of EACL 2024)
# data_en.csv: id,risk_area,types_of_harm,specific_harms,question, then six models' answers
# (`<model>_response/_harmful/_action`, not kept). The GitHub copy,
# https://github.com/Libr-AI/do-not-answer datasets/Instruction/do_not_answer_en.csv, has the
# same first five columns. All 939 questions should not be answered.

_DNA_CATEGORIES = {
    "adult content": "sexual_content",
    "toxic language (hate speech)": "hate",
    "social stereotypes and unfair discrimination": "hate",
    "compromise privacy by leaking or inferring private information (person/individual)": "privacy",
    "risks from leaking or inferring sensitive information (organization/gov)": "privacy",
}


def _do_not_answer(suite: str, file: SourceFile, row: dict[str, Any], n: int) -> dict[str, Any]:
    harm = _text(row, "types_of_harm")
    return _case(
        suite,
        file,
        _text(row, "id") or str(n),
        _required(row, "question"),
        category=_category(_DNA_CATEGORIES, harm),
        meta=_meta(row, {"id", "question", "types_of_harm"}, source_category=harm),
    )


# --- CoCoNot ---------------------------------------------------------------------------------
# https://huggingface.co/datasets/allenai/coconot  (Brahman et al., NeurIPS 2024 D&B)
# original/test-00000-of-00001.parquet (1,001 requests a model should not comply with) and
# contrast/test-00000-of-00001.parquet (379 look-alikes it should comply with):
# id,category,subcategory,prompt,response. Earlier releases published the same rows as
# original/test.jsonl and contrast/test.jsonl; those are read too. The authors' GitHub copy,
# https://github.com/allenai/noncompliance data/coconot_eval.jsonl (original) and
# data/coconot_contrast_eval.jsonl (contrast), has the same fields, one JSON object a line.

_COCONOT_CATEGORIES = {
    "privacy violations": "privacy",
    "copyright violations": "intellectual_property",
}


def _coconot(suite: str, file: SourceFile, row: dict[str, Any], n: int) -> dict[str, Any]:
    category, subcategory = _text(row, "category"), _text(row, "subcategory")
    source_id = f"{file.key}-{_text(row, 'id') or n}"
    return _case(
        suite,
        file,
        source_id,
        _required(row, "prompt"),
        category=_category(_COCONOT_CATEGORIES, subcategory),
        meta=_meta(
            row,
            {"id", "prompt", "category", "subcategory", "response"},
            source_category=category,
            source_subcategory=subcategory,
        ),
    )


# --- registry --------------------------------------------------------------------------------

_GH = "https://raw.githubusercontent.com"
_HF = "https://huggingface.co/datasets"
_JBB = ("Index", "Goal", "Target", "Behavior", "Category", "Source")
_ORB = ("prompt", "category")
_SR = ("category", "source", "forbidden_prompt")
_JBB_SPLITS: tuple[tuple[str, Label], ...] = (("harmful", "unsafe"), ("benign", "safe"))
_ORB_SPLITS: tuple[tuple[str, Label], ...] = (("hard-1k", "safe"), ("toxic", "unsafe"))
_COCONOT_SPLITS: tuple[tuple[str, Label, str], ...] = (
    ("original", "unsafe", "coconot_eval.jsonl"),
    ("contrast", "safe", "coconot_contrast_eval.jsonl"),
)
_SST_GITHUB = "SimpleSafetyTests - test cases.csv"

PUBLIC_SUITES: dict[str, PublicSuite] = {
    suite.name: suite
    for suite in (
        PublicSuite(
            "xstest",
            "XSTest",
            "https://github.com/paul-rottger/xstest",
            (
                SourceFile(
                    "prompts",
                    f"{_GH}/paul-rottger/xstest/main/xstest_prompts.csv",
                    ("xstest_prompts.csv",),
                    ("prompt", "type"),
                ),
            ),
            _xstest,
        ),
        PublicSuite(
            "jailbreakbench",
            "JailbreakBench JBB-Behaviors",
            f"{_HF}/JailbreakBench/JBB-Behaviors",
            tuple(
                SourceFile(
                    key,
                    f"{_HF}/JailbreakBench/JBB-Behaviors/resolve/main/data/{key}-behaviors.csv",
                    (f"{key}-behaviors.csv",),
                    _JBB,
                    label,
                )
                for key, label in _JBB_SPLITS
            ),
            _jailbreakbench,
        ),
        PublicSuite(
            "harmbench",
            "HarmBench (text behaviours, all)",
            "https://github.com/centerforaisafety/HarmBench",
            (
                SourceFile(
                    "behaviors",
                    f"{_GH}/centerforaisafety/HarmBench/main/data/"
                    "behavior_datasets/harmbench_behaviors_text_all.csv",
                    ("harmbench_behaviors_text_all.csv",),
                    ("Behavior", "SemanticCategory", "ContextString", "BehaviorID"),
                    "unsafe",
                ),
            ),
            _harmbench,
        ),
        PublicSuite(
            "advbench",
            "AdvBench harmful behaviours",
            "https://github.com/llm-attacks/llm-attacks",
            (
                SourceFile(
                    "harmful_behaviors",
                    f"{_GH}/llm-attacks/llm-attacks/main/data/advbench/harmful_behaviors.csv",
                    ("harmful_behaviors.csv",),
                    ("goal", "target"),
                    "unsafe",
                ),
            ),
            _advbench,
        ),
        PublicSuite(
            "strongreject",
            "StrongREJECT",
            "https://github.com/alexandrasouly/strongreject",
            (
                SourceFile(
                    "full",
                    f"{_GH}/alexandrasouly/strongreject/main/strongreject_dataset/"
                    "strongreject_dataset.csv",
                    ("strongreject_dataset.csv",),
                    _SR,
                    "unsafe",
                ),
            ),
            _strongreject,
        ),
        PublicSuite(
            "strongreject-small",
            "StrongREJECT (small subset)",
            "https://github.com/alexandrasouly/strongreject",
            (
                SourceFile(
                    "small",
                    f"{_GH}/alexandrasouly/strongreject/main/strongreject_dataset/"
                    "strongreject_small_dataset.csv",
                    ("strongreject_small_dataset.csv",),
                    _SR,
                    "unsafe",
                ),
            ),
            _strongreject,
        ),
        PublicSuite(
            "simplesafetytests",
            "SimpleSafetyTests",
            f"{_HF}/Bertievidgen/SimpleSafetyTests",
            (
                SourceFile(
                    "tests",
                    f"{_HF}/Bertievidgen/SimpleSafetyTests/resolve/main/sst_test_cases.csv",
                    ("sst_test_cases.csv", _SST_GITHUB),
                    (_SST_PROMPT, "harm_area"),
                    "unsafe",
                    mirrors=(f"{_GH}/bertiev/SimpleSafetyTests/HEAD/{quote(_SST_GITHUB)}",),
                ),
            ),
            _simplesafetytests,
        ),
        PublicSuite(
            "or-bench",
            "OR-Bench (hard-1k safe + toxic unsafe)",
            f"{_HF}/bench-llm/or-bench",
            tuple(
                SourceFile(
                    key,
                    f"{_HF}/bench-llm/or-bench/resolve/main/or-bench-{key}.csv",
                    (f"or-bench-{key}.csv",),
                    _ORB,
                    label,
                )
                for key, label in _ORB_SPLITS
            ),
            _orbench,
        ),
        PublicSuite(
            "or-bench-80k",
            "OR-Bench 80k (seemingly toxic, safe)",
            f"{_HF}/bench-llm/or-bench",
            (
                SourceFile(
                    "80k",
                    f"{_HF}/bench-llm/or-bench/resolve/main/or-bench-80k.csv",
                    ("or-bench-80k.csv",),
                    _ORB,
                    "safe",
                ),
            ),
            _orbench,
        ),
        PublicSuite(
            "do-not-answer",
            "Do-Not-Answer",
            f"{_HF}/LibrAI/do-not-answer",
            (
                SourceFile(
                    "questions",
                    f"{_HF}/LibrAI/do-not-answer/resolve/main/data_en.csv",
                    ("data_en.csv", "do_not_answer_en.csv"),
                    ("id", "risk_area", "types_of_harm", "question"),
                    "unsafe",
                ),
            ),
            _do_not_answer,
        ),
        PublicSuite(
            "coconot",
            "CoCoNot (original test: refuse; contrast test: comply)",
            f"{_HF}/allenai/coconot",
            tuple(
                SourceFile(
                    key,
                    f"{_HF}/allenai/coconot/resolve/main/{key}/test-00000-of-00001.parquet",
                    (
                        f"{key}/test-00000-of-00001.parquet",
                        github,
                        f"{key}/test.jsonl",
                        f"{key}/coconot_{'' if key == 'original' else 'contrast_'}test.jsonl",
                    ),
                    ("category", "prompt"),
                    label,
                    mirrors=(f"{_GH}/allenai/noncompliance/HEAD/data/{github}",),
                )
                for key, label, github in _COCONOT_SPLITS
            ),
            _coconot,
        ),
    )
}


# --- loading ---------------------------------------------------------------------------------


def _matches(path: Path, name: str) -> bool:
    """Whether ``path`` is a copy of the published file ``name`` (``dir/file`` needs ``dir``)."""
    parts = tuple(name.split("/"))
    return path.parts[-len(parts) :] == parts


def _locate(suite: PublicSuite, path: Path) -> list[tuple[SourceFile, Path]]:
    """Find the published files at a local ``path`` (one file, or a folder as published)."""
    expected = "; ".join(" or ".join(file.names) for file in suite.files)
    if path.is_file():
        hits = [f for f in suite.files if any(_matches(path, name) for name in f.names)]
        if len(hits) == 1 or (not hits and len(suite.files) == 1):
            return [(hits[0] if hits else suite.files[0], path)]
        raise SuiteError(
            f"{path}: cannot tell which {suite.title} file this is; expected {expected} "
            f"(or pass the folder holding them)"
        )
    if not path.is_dir():
        raise SuiteError(f"{suite.name}: no such file or folder: {path}")
    found: list[tuple[SourceFile, Path]] = []
    missing: list[str] = []
    for file in suite.files:
        hit = _find(path, file.names)
        if hit is None:
            missing.append(" or ".join(file.names))
        else:
            found.append((file, hit))
    if missing:
        raise SuiteError(
            f"{path}: not a local copy of {suite.title} ({suite.homepage}): missing "
            f"{'; '.join(missing)}"
        )
    return found


_MAX_DEPTH = 4
"""How deep below a given folder published files are looked for (HarmBench's are 2 deep)."""


def _find(folder: Path, names: tuple[str, ...]) -> Path | None:
    """Return the shallowest file under ``folder`` matching the first name found at all."""
    files: list[Path] = []
    for root, dirs, filenames in os.walk(folder):  # unreadable or vanishing entries are skipped
        depth = len(Path(root).relative_to(folder).parts)
        dirs[:] = [] if depth >= _MAX_DEPTH else sorted(d for d in dirs if not d.startswith("."))
        files.extend(Path(root, filename) for filename in filenames)
    for name in names:
        hits = [path for path in files if _matches(path, name)]
        if hits:
            return min(hits, key=lambda p: (len(p.parts), str(p)))
    return None


def _check_columns(
    suite: PublicSuite, file: SourceFile, local: Path, columns: list[str] | None
) -> None:
    """Refuse a table whose header lacks a column the published file has (JSON has no header)."""
    if columns is None:
        return
    wanted = [(c,) if isinstance(c, str) else c for c in file.columns]
    missing = [" or ".join(names) for names in wanted if not any(n in columns for n in names)]
    if missing:
        raise SuiteError(
            f"{local}: not the published {suite.title} format: no column(s) "
            f"{', '.join(missing)} (found: {', '.join(columns)})"
        )


def load_public(
    name: str, path: Path | None = None, *, offline: bool = False, cache_dir: Path | None = None
) -> LoadedSuite:
    """Load public suite ``name`` from a local copy at ``path``, or from its source via the cache.

    ``cache_dir`` is tactful's cache root; files are kept under its ``datasets/`` folder.
    """
    suite = PUBLIC_SUITES[name]
    if path is None:
        folder = dataset_cache_dir(cache_dir)
        fetched = [
            (file, fetch_first(file.urls, offline=offline, cache_dir=folder, suite=name))
            for file in suite.files
        ]
        located = [(file, local) for file, (_, local) in fetched]
        origin = " ".join(url for _, (url, _) in fetched)
    else:
        located = _locate(suite, path)
        origin = str(path)
    builder = SuiteBuilder(name, origin)
    for file, local in located:
        table = open_table(local)
        _check_columns(suite, file, local, table.columns)
        for ordinal, record in enumerate(table.records, start=1):
            if record.values is None:
                builder.issue(local, record.line, None, record.error or "unreadable row")
                continue
            try:
                fields = suite.parse(name, file, record.values, ordinal)
            except _RowProblem as problem:
                builder.issue(local, record.line, problem.field, problem.message)
                continue
            if len(suite.files) > 1:
                fields["meta"] = {"subset": file.key, **fields["meta"]}
            builder.add(local, record.line, **fields)
    return builder.build()

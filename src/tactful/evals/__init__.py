"""Evaluation: suites, the resumable runner, and refusal-calibration metrics."""

from tactful.evals._cache import CachedModel, CompletionCache, default_cache_dir
from tactful.evals._config import EvalConfig
from tactful.evals._correction import CorrectedRate, correct_rate, rogan_gladen
from tactful.evals._issues import LoadedSuite, RowIssue
from tactful.evals._metrics import (
    is_harmful_compliance,
    is_over_refusal,
    rate_block,
    summarize_rows,
    wilson,
)
from tactful.evals._results import ResultsFile, ResultsFileError
from tactful.evals._runner import EvalError, RunDir, WorkItem, plan, run, write_summary
from tactful.evals._suites import known_suites, load_suite

__all__ = [
    "CachedModel",
    "CompletionCache",
    "CorrectedRate",
    "EvalConfig",
    "EvalError",
    "LoadedSuite",
    "ResultsFile",
    "ResultsFileError",
    "RowIssue",
    "RunDir",
    "WorkItem",
    "correct_rate",
    "default_cache_dir",
    "is_harmful_compliance",
    "is_over_refusal",
    "known_suites",
    "load_suite",
    "plan",
    "rate_block",
    "rogan_gladen",
    "run",
    "summarize_rows",
    "wilson",
    "write_summary",
]

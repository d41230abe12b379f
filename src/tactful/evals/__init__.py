"""Evaluation: the resumable runner and refusal-calibration metrics."""

from tactful.evals._config import EvalConfig
from tactful.evals._correction import CorrectedRate, correct_rate, rogan_gladen
from tactful.evals._metrics import (
    is_harmful_compliance,
    is_over_refusal,
    rate_block,
    summarize_rows,
    wilson,
)
from tactful.evals._results import ResultsFile, ResultsFileError
from tactful.evals._runner import EvalError, RunDir, WorkItem, plan, run, write_summary

__all__ = [
    "CorrectedRate",
    "EvalConfig",
    "EvalError",
    "ResultsFile",
    "ResultsFileError",
    "RunDir",
    "WorkItem",
    "correct_rate",
    "is_harmful_compliance",
    "is_over_refusal",
    "plan",
    "rate_block",
    "rogan_gladen",
    "run",
    "summarize_rows",
    "wilson",
    "write_summary",
]

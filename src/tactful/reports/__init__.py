"""HTML reports rendered from run directories: one run (``render``) or several (``compare``)."""

from tactful.outcomes import RunConfig, RunParams, RunStats, SliceStats, Summary
from tactful.reports._compare import compare
from tactful.reports._html import render
from tactful.reports._load import RunData, load_run

__all__ = [
    "RunConfig",
    "RunData",
    "RunParams",
    "RunStats",
    "SliceStats",
    "Summary",
    "compare",
    "load_run",
    "render",
]

"""The public benchmarks tactful loads by name, one declarative spec each."""

from __future__ import annotations

from tactful.datasets._benchmarks import (
    advbench,
    coconot,
    donotanswer,
    harmbench,
    jailbreakbench,
    orbench,
    simplesafetytests,
    strongreject,
    xstest,
)
from tactful.datasets._spec import BenchmarkSpec

__all__ = ["PUBLIC_SUITES"]

PUBLIC_SUITES: dict[str, BenchmarkSpec] = {
    spec.name: spec
    for spec in (
        xstest.SPEC,
        jailbreakbench.SPEC,
        harmbench.SPEC,
        advbench.SPEC,
        strongreject.SPEC,
        strongreject.SMALL,
        simplesafetytests.SPEC,
        orbench.SPEC,
        orbench.LARGE,
        donotanswer.SPEC,
        coconot.SPEC,
    )
}
"""Every public benchmark by suite name, in the order ``tactful list suites`` shows them."""

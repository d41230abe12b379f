"""Suites: built-in ones, public benchmarks by name (declared specs, cached downloads), files.

``load_suite(spec)`` turns a ``--suite`` value into a ``LoadedSuite``: its cases, the rows it
skipped (``RowIssue``) and its provenance (``revision``, and ``files`` with each file's sha256).
"""

from tactful.datasets._benchmarks import PUBLIC_SUITES
from tactful.datasets._download import (
    DatasetUnavailable,
    Source,
    cache_path,
    dataset_cache_dir,
    fetch,
    offline_from_env,
)
from tactful.datasets._generic import load_table
from tactful.datasets._loaded import FileDigest, LoadedSuite, RowIssue, SuiteError
from tactful.datasets._public import load_public
from tactful.datasets._spec import BenchmarkSpec, Columns, SourceFile
from tactful.datasets._suites import (
    SuiteListing,
    describe_suites,
    known_suites,
    load_suite,
    relabel,
)

__all__ = [
    "PUBLIC_SUITES",
    "BenchmarkSpec",
    "Columns",
    "DatasetUnavailable",
    "FileDigest",
    "LoadedSuite",
    "RowIssue",
    "Source",
    "SourceFile",
    "SuiteError",
    "SuiteListing",
    "cache_path",
    "dataset_cache_dir",
    "describe_suites",
    "fetch",
    "known_suites",
    "load_public",
    "load_suite",
    "load_table",
    "offline_from_env",
    "relabel",
]

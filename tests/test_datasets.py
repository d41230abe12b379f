"""The datasets package: suite provenance, sha256 pinning of downloads, and the benchmark specs."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback_http import LoopbackServer
from typer.testing import CliRunner

from tactful.cli import app
from tactful.datasets import (
    PUBLIC_SUITES,
    BenchmarkSpec,
    DatasetUnavailable,
    FileDigest,
    Source,
    describe_suites,
    known_suites,
    load_suite,
)
from tactful.datasets._download import cache_path
from tactful.policy import default_policy

FIXTURES = Path(__file__).parent / "fixtures" / "public"
XSTEST = FIXTURES / "xstest" / "xstest_prompts.csv"
CORE = Path(__file__).resolve().parents[1] / "src" / "tactful" / "datasets" / "suites"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def _online_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TACTFUL_OFFLINE", "HF_HUB_OFFLINE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)


# --- provenance of local and built-in suites ----------------------------------------------------


def test_generic_file_records_its_hash(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("prompt,label\nhello,safe\n")
    suite = load_suite(str(path))
    assert suite.files == [FileDigest(source=str(path), sha256=sha(path), pinned=False)]
    assert suite.revision is None and suite.sha256 == sha(path)
    path.write_text("prompt,label\nhello,unsafe\n")
    assert load_suite(str(path)).sha256 != suite.sha256


def test_builtin_suite_records_the_hash_of_the_shipped_file() -> None:
    suite = load_suite("core")
    assert [(f.source, f.sha256) for f in suite.files] == [
        ("builtin:core", sha(CORE / "core.jsonl"))
    ]


def test_relabelled_suite_keeps_its_provenance() -> None:
    plain = load_suite("core")
    moved = load_suite("core", policy=default_policy(), context="clinical")
    assert moved.files == plain.files and moved.sha256 == plain.sha256


def test_local_copy_of_a_multi_file_benchmark_records_each_file() -> None:
    folder = FIXTURES / "jailbreakbench"
    suite = load_suite(f"jailbreakbench={folder}")
    files = [folder / "data" / "harmful-behaviors.csv", folder / "data" / "benign-behaviors.csv"]
    assert [(f.source, f.sha256, f.pinned) for f in suite.files] == [
        (str(path), sha(path), False) for path in files
    ]
    combined = hashlib.sha256("\n".join(sha(path) for path in files).encode()).hexdigest()
    assert suite.sha256 == combined and suite.revision is None


def _pinned_xstest(sha256: str | None, url: str | None = None) -> BenchmarkSpec:
    """XSTest pinned to revision ``v1`` with ``sha256``, downloaded from ``url``."""
    spec = PUBLIC_SUITES["xstest"]
    file = spec.files[0]
    source = Source(url or file.url, sha256)
    return dataclasses.replace(
        spec, revision="v1", files=(dataclasses.replace(file, sources=(source,)),)
    )


def test_local_copy_matching_the_pin_carries_the_revision(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(PUBLIC_SUITES, "xstest", _pinned_xstest(sha(XSTEST)))
    suite = load_suite(f"xstest={XSTEST}")
    assert suite.files[0].pinned and suite.revision == "v1"
    monkeypatch.setitem(PUBLIC_SUITES, "xstest", _pinned_xstest("0" * 64))
    other = load_suite(f"xstest={XSTEST}")
    assert not other.files[0].pinned and other.revision is None


# --- downloads: unpinned, pinned, mismatched ------------------------------------------------------


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer({"/xstest_prompts.csv": [(200, XSTEST.read_bytes())]})
    yield srv
    srv.close()


def test_unpinned_download_records_its_hash_beside_the_cache(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"{server.url}/xstest_prompts.csv"
    monkeypatch.setitem(PUBLIC_SUITES, "xstest", _pinned_xstest(None, url))
    suite = load_suite("xstest", cache_dir=tmp_path)
    assert suite.files == [FileDigest(source=url, sha256=sha(XSTEST), pinned=False)]
    assert suite.revision == "v1"  # read from the canonical URL, the one the revision pins
    cached = cache_path(url, tmp_path / "datasets")
    assert cached.with_name(cached.name + ".sha256").read_text().split()[0] == sha(XSTEST)


def test_pinned_download_is_verified(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"{server.url}/xstest_prompts.csv"
    monkeypatch.setitem(PUBLIC_SUITES, "xstest", _pinned_xstest(sha(XSTEST), url))
    suite = load_suite("xstest", cache_dir=tmp_path)
    assert suite.files[0].pinned and suite.files[0].sha256 == sha(XSTEST)


def test_pinned_hash_mismatch_names_url_expected_and_actual(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"{server.url}/xstest_prompts.csv"
    monkeypatch.setitem(PUBLIC_SUITES, "xstest", _pinned_xstest("ab" * 32, url))
    with pytest.raises(DatasetUnavailable) as info:
        load_suite("xstest", cache_dir=tmp_path)
    message = str(info.value)
    assert url in message and "ab" * 32 in message and sha(XSTEST) in message
    assert not cache_path(url, tmp_path / "datasets").exists()


def test_cached_copy_changed_since_download_is_noticed(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"{server.url}/xstest_prompts.csv"
    monkeypatch.setitem(PUBLIC_SUITES, "xstest", _pinned_xstest(None, url))
    load_suite("xstest", cache_dir=tmp_path)
    cached = cache_path(url, tmp_path / "datasets")
    cached.write_bytes(cached.read_bytes() + b"tampered,row,here,safe,,\n")
    with pytest.raises(DatasetUnavailable, match="recorded when it was downloaded"):
        load_suite("xstest", offline=True, cache_dir=tmp_path)
    again = load_suite("xstest", cache_dir=tmp_path)  # online: downloaded afresh
    assert again.files[0].sha256 == sha(XSTEST) and cached.read_bytes() == XSTEST.read_bytes()
    assert server.hits == ["/xstest_prompts.csv"] * 2


def test_authors_copy_is_not_the_pinned_revision(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _pinned_xstest(None, f"{server.url}/gone.csv")
    file = dataclasses.replace(
        spec.files[0], sources=(*spec.files[0].sources, Source(f"{server.url}/xstest_prompts.csv"))
    )
    monkeypatch.setitem(PUBLIC_SUITES, "xstest", dataclasses.replace(spec, files=(file,)))
    suite = load_suite("xstest", cache_dir=tmp_path)
    assert suite.files[0].source.endswith("/xstest_prompts.csv") and suite.revision is None


# --- the specs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PUBLIC_SUITES))
def test_spec_is_consistent(name: str) -> None:
    spec = PUBLIC_SUITES[name]
    assert spec.name == name and spec.files and spec.description
    required = {c if isinstance(c, str) else tuple(c) for c in spec.required}
    prompt = spec.columns.prompt
    assert (prompt[0] if len(prompt) == 1 else prompt) in required
    assert set(spec.categories.values()) <= set(default_policy().category_ids)
    for file in spec.files:
        assert file.sources and all(s.url.startswith("https://") for s in file.sources)
        assert all(s.sha256 is None or len(s.sha256) == 64 for s in file.sources)
        assert file.label is not None or spec.columns.label is not None
    assert spec.pinned == all(s.sha256 for f in spec.files for s in f.sources)


def test_list_suites_shows_source_and_pinning() -> None:
    result = CliRunner().invoke(app, ["list", "suites"])
    assert result.exit_code == 0
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()}
    assert list(lines) == known_suites()
    assert lines["core"] == ["built-in", "tactful/datasets/suites/core.jsonl"]
    for listing in describe_suites()[1:]:
        spec = PUBLIC_SUITES[listing.name]
        status = "pinned" if spec.pinned else "unpinned"
        at = ["@", spec.revision] if spec.revision else []
        assert lines[listing.name] == [status, spec.homepage, *at]

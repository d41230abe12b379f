"""Download URLs of published files, at a pinned revision when one is known."""

from __future__ import annotations

from urllib.parse import quote

__all__ = ["github_file", "hub_file"]


def hub_file(repo: str, path: str, revision: str | None = None) -> str:
    """A file of Hugging Face dataset ``repo`` at ``revision`` (default: the ``main`` branch)."""
    return f"https://huggingface.co/datasets/{repo}/resolve/{revision or 'main'}/{quote(path)}"


def github_file(repo: str, path: str, revision: str | None = None, branch: str = "main") -> str:
    """A raw file of GitHub ``repo`` at ``revision`` (default: ``branch``)."""
    return f"https://raw.githubusercontent.com/{repo}/{revision or branch}/{quote(path)}"

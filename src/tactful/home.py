"""Where tactful writes outside a run folder: the user's home and its cache.

The installed package is read-only: a recalibrated or retrained classifier goes to
``$TACTFUL_HOME/classifier`` and is used instead of the shipped artifact while it exists.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir", "tactful_home", "user_artifact_dir"]


def tactful_home() -> Path:
    """``$TACTFUL_HOME``, else ``$XDG_DATA_HOME/tactful``, else ``~/.local/share/tactful``."""
    if env := os.environ.get("TACTFUL_HOME"):
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tactful"


def user_artifact_dir() -> Path:
    """The folder holding the user's own classifier artifact (it may not exist)."""
    return tactful_home() / "classifier"


def cache_dir() -> Path:
    """``$TACTFUL_CACHE_DIR``, else ``$XDG_CACHE_HOME/tactful``, else ``~/.cache/tactful``."""
    if env := os.environ.get("TACTFUL_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tactful"

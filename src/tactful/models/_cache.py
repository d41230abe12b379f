"""On-disk completion cache keyed by model identity, messages and generation parameters."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tactful.models._base import ChatModel, GenerationParams, model_identity
from tactful.records import Completion, Message

__all__ = ["CachedModel", "CompletionCache"]


def cache_key(model: str, messages: Sequence[Message], params: GenerationParams) -> str:
    """A stable hash of everything that determines a completion; ``model`` is its identity."""
    payload = {
        "model": model,
        "messages": [m.model_dump() for m in messages],
        "params": params.model_dump(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class CompletionCache:
    """A SQLite table of completions; safe to share between runs and processes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=30.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS completions"
            " (key TEXT PRIMARY KEY, completion TEXT NOT NULL)"
        )
        self._db.commit()

    def get(self, key: str) -> Completion | None:
        """The cached completion for ``key``, if any."""
        row = self._db.execute(
            "SELECT completion FROM completions WHERE key = ?", (key,)
        ).fetchone()
        return Completion.model_validate_json(row[0]) if row else None

    def put(self, key: str, completion: Completion) -> None:
        """Store ``completion`` under ``key``."""
        self._db.execute(
            "INSERT OR REPLACE INTO completions (key, completion) VALUES (?, ?)",
            (key, completion.model_dump_json()),
        )
        self._db.commit()

    def close(self) -> None:
        """Close the database."""
        self._db.close()


class CachedModel:
    """Wrap a ``ChatModel`` so identical requests to the same weights come from the cache.

    The key holds the model's identity (``model_identity``), read once here: a GGUF file
    replaced or a server switched between runs misses instead of returning stale completions.
    """

    def __init__(self, inner: ChatModel, cache: CompletionCache) -> None:
        self.inner = inner
        self.cache = cache
        self.spec = inner.spec
        self.identity = model_identity(inner)
        self.max_concurrency = inner.max_concurrency

    async def chat(self, messages: Sequence[Message], **opts: Any) -> Completion:
        """Return the cached completion or call the inner model and store its answer."""
        params = GenerationParams(**opts)
        key = cache_key(self.identity, messages, params)
        if (hit := self.cache.get(key)) is not None:
            return hit.model_copy(update={"cached": True})
        completion = await self.inner.chat(messages, **params.model_dump())
        self.cache.put(key, completion)
        return completion

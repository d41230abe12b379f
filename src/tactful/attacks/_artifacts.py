"""``jbb:``: stored jailbreak prompts in JailbreakBench's published artifact layout.

One JSON per (method, target model), published under
``attack-artifacts/<METHOD>/<black_box|white_box>/<MODEL>.json`` in the JailbreakBench artifacts
repository: ``{"parameters": {...}, "jailbreaks": [{"index", "goal", "behavior", "category",
"prompt", "response", "jailbroken", ...}]}``. ``jbb:METHOD/MODEL`` downloads one (into tactful's
cache) and ``jbb:NAME=PATH`` reads a local file in that layout. A case whose request matches an
artifact's ``goal`` (compared after normalising case, spaces and end punctuation) is sent the
stored ``prompt``; other cases, and goals stored without a prompt, pass through unchanged with
``meta["attack_passthrough"]`` naming the attack.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tactful.attacks._base import with_last_user_turn
from tactful.home import cache_dir
from tactful.records import Case

__all__ = [
    "JBB_ARTIFACTS_URL",
    "THREAT_MODELS",
    "ArtifactAttack",
    "ArtifactError",
    "StoredJailbreak",
    "artifact_urls",
    "load_artifact",
    "normalise_goal",
    "read_artifact",
]

JBB_ARTIFACTS_URL = (
    "https://raw.githubusercontent.com/JailbreakBench/artifacts/main/attack-artifacts"
)
THREAT_MODELS = ("black_box", "white_box")


class ArtifactError(ValueError):
    """An artifact is unavailable (offline, network) or not in the published layout."""


@dataclass(frozen=True)
class StoredJailbreak:
    """One stored attempt: the goal it attacked and the prompt sent (None: none was found)."""

    index: int | None
    goal: str
    prompt: str | None
    behavior: str | None = None
    category: str | None = None
    jailbroken: bool | None = None


def normalise_goal(text: str) -> str:
    """Lowercase, single spaces, no surrounding quotes or end punctuation."""
    return " ".join(text.lower().split()).strip(" \"'").rstrip(" .?!")


def _entry(item: Any, where: str) -> StoredJailbreak:
    if not isinstance(item, dict) or not isinstance(item.get("goal"), str):
        raise ArtifactError(f"{where}: each jailbreak needs a string 'goal'")
    prompt = item.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise ArtifactError(f"{where}: 'prompt' must be a string or null")
    index = item.get("index")
    jailbroken = item.get("jailbroken")
    return StoredJailbreak(
        index=index if isinstance(index, int) else None,
        goal=item["goal"],
        prompt=prompt if prompt and prompt.strip() else None,
        behavior=item.get("behavior") if isinstance(item.get("behavior"), str) else None,
        category=item.get("category") if isinstance(item.get("category"), str) else None,
        jailbroken=jailbroken if isinstance(jailbroken, bool) else None,
    )


def read_artifact(path: str | Path) -> list[StoredJailbreak]:
    """Read a local artifact file in the published layout."""
    path = Path(path).expanduser()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ArtifactError(f"{path}: cannot read the artifact: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("jailbreaks"), list):
        raise ArtifactError(
            f"{path}: expected {{'parameters': {{...}}, 'jailbreaks': [...]}} (JailbreakBench "
            "artifact layout)"
        )
    return [_entry(item, f"{path}: jailbreak {i}") for i, item in enumerate(data["jailbreaks"])]


def artifact_urls(method: str, model: str, base_url: str = JBB_ARTIFACTS_URL) -> list[str]:
    """Where ``METHOD/MODEL`` may be published: one URL per threat-model folder."""
    return [f"{base_url.rstrip('/')}/{method}/{threat}/{model}.json" for threat in THREAT_MODELS]


def _parse_name(name: str) -> tuple[str, str, str | None]:
    """``METHOD/MODEL`` or ``METHOD/THREAT/MODEL`` → (method, model, threat or None)."""
    parts = name.strip("/").split("/")
    if len(parts) == 2 and all(parts):
        return parts[0], parts[1], None
    if len(parts) == 3 and all(parts) and parts[1] in THREAT_MODELS:
        return parts[0], parts[2], parts[1]
    raise ArtifactError(
        f"jbb:{name}: expected jbb:METHOD/MODEL (e.g. jbb:PAIR/vicuna-13b-v1.5), "
        "jbb:METHOD/black_box|white_box/MODEL, or jbb:NAME=PATH for a local file"
    )


def load_artifact(
    name: str, *, offline: bool = False, base_url: str = JBB_ARTIFACTS_URL
) -> tuple[Path, list[StoredJailbreak]]:
    """Fetch ``METHOD/MODEL`` into ``CACHE_DIR/attacks`` (once) and read it."""
    from tactful.datasets import DatasetUnavailable, cache_path, fetch, offline_from_env

    method, model, threat = _parse_name(name)
    urls = artifact_urls(method, model, base_url)
    if threat is not None:
        urls = [url for url in urls if f"/{threat}/" in url]
    root = cache_dir() / "attacks"
    offline = offline or offline_from_env()
    cached = [url for url in urls if cache_path(url, root).is_file()]
    errors = []
    for url in cached or ([] if offline else urls):
        try:
            path = fetch(url, offline=offline or bool(cached), cache_dir=root)
        except DatasetUnavailable as exc:
            errors.append(str(exc))
            continue
        return path, read_artifact(path)
    reason = "offline and not cached" if offline and not cached else "; ".join(errors)
    raise ArtifactError(
        f"jbb:{name}: cannot get the artifact ({reason}). Tried {' and '.join(urls)}. Download "
        f"it yourself and use jbb:NAME=PATH with the local file, or run once online to cache it "
        f"under {root}."
    )


@dataclass
class ArtifactAttack:
    """Send each case the stored prompt whose goal matches its request."""

    name: str
    jailbreaks: list[StoredJailbreak]
    source: str = ""
    _by_goal: dict[str, StoredJailbreak] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_goal = {}
        for jailbreak in self.jailbreaks:
            key = normalise_goal(jailbreak.goal)
            if key not in self._by_goal or self._by_goal[key].prompt is None:
                self._by_goal[key] = jailbreak

    def apply(self, case: Case) -> list[Case]:
        """Return the case with the stored prompt, or unchanged and marked when there is none."""
        stored = self._by_goal.get(normalise_goal(case.prompt))
        if stored is None or stored.prompt is None:
            why = "no artifact for this goal" if stored is None else "no stored prompt"
            meta = {**case.meta, "attack_passthrough": self.name, "attack_note": why}
            return [case.model_copy(update={"meta": meta})]
        extra = {"artifact_index": stored.index, "artifact_jailbroken": stored.jailbroken}
        return [with_last_user_turn(case, stored.prompt, self.name, extra)]

"""The chat backends in the registry, and ``build_model`` to build one from its spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from tactful.models._base import ChatModel, ModelError
from tactful.models._fake import FakeModel
from tactful.models._llamacpp import LlamaCppModel, smollm2_path
from tactful.models._openai import OpenAIChatModel
from tactful.registry import UnknownComponentError, build, known, register

__all__ = ["DEFAULT_MODEL", "build_model", "known_models"]

DEFAULT_MODEL = "smollm2"


@register("model", "smollm2", summary="SmolLM2-135M-Instruct, embedded (llama.cpp, offline)")
def _smollm2(**options: Any) -> ChatModel:
    return LlamaCppModel(smollm2_path(), spec="smollm2", **options)


@register("model", "llamacpp", summary="any local GGUF file via llama.cpp", argument="PATH.gguf")
def _llamacpp(path: str, **options: Any) -> ChatModel:
    return LlamaCppModel(Path(path).expanduser(), spec=f"llamacpp:{path}", **options)


@register("model", "openai", summary="any OpenAI-compatible chat API", argument="MODEL")
def _openai(name: str, **options: Any) -> ChatModel:
    return OpenAIChatModel(name, **options)


@register("model", "fake", summary="deterministic fake, for unit tests only")
def _fake(**options: Any) -> ChatModel:
    return FakeModel()


def known_models() -> list[str]:
    """The spec forms ``build_model`` accepts."""
    return known("model")


def build_model(spec: str, **options: Any) -> ChatModel:
    """Build a backend: ``smollm2``, ``llamacpp:PATH``, ``openai:MODEL`` or ``fake``.

    ``options`` go to the backend constructor (e.g. ``base_url``, ``api_key``, ``n_ctx``).
    """
    if spec.startswith("hf:"):
        raise ModelError("hf: backends arrive with the training extra (tactful[train])")
    try:
        return cast(ChatModel, build("model", spec, **options))
    except UnknownComponentError as exc:
        raise ModelError(str(exc)) from None

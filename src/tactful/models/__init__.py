"""Chat backends behind one async protocol."""

from tactful.models._base import ChatModel, GenerationParams, ModelError, model_identity
from tactful.models._cache import CachedModel, CompletionCache
from tactful.models._fake import FakeModel
from tactful.models._llamacpp import LlamaCppModel, import_llama_cpp, smollm2_path
from tactful.models._openai import OpenAIChatModel
from tactful.models._registry import DEFAULT_MODEL, build_model, known_models

__all__ = [
    "DEFAULT_MODEL",
    "CachedModel",
    "ChatModel",
    "CompletionCache",
    "FakeModel",
    "GenerationParams",
    "LlamaCppModel",
    "ModelError",
    "OpenAIChatModel",
    "build_model",
    "import_llama_cpp",
    "known_models",
    "model_identity",
    "smollm2_path",
]

from collections.abc import Sequence
from pathlib import Path

import httpx

from tactful.models import (
    CachedModel,
    CompletionCache,
    FakeModel,
    GenerationParams,
    LlamaCppModel,
    OpenAIChatModel,
)
from tactful.records import Completion, Message

MESSAGES = [Message(role="user", content="hello there")]


async def test_identical_requests_hit_the_cache(tmp_path: Path) -> None:
    inner = FakeModel()
    model = CachedModel(inner, CompletionCache(tmp_path / "c.sqlite"))
    first = await model.chat(MESSAGES, max_tokens=10)
    second = await model.chat(MESSAGES, max_tokens=10)
    assert inner.calls == 1 and not first.cached and second.cached
    assert first.text == second.text


async def test_parameters_and_model_are_part_of_the_key(tmp_path: Path) -> None:
    inner = FakeModel()
    cache = CompletionCache(tmp_path / "c.sqlite")
    model = CachedModel(inner, cache)
    await model.chat(MESSAGES, max_tokens=10)
    await model.chat(MESSAGES, max_tokens=11)
    await model.chat(MESSAGES, max_tokens=10, seed=1)
    assert inner.calls == 3
    other = FakeModel()
    other.spec = "fake-2"
    await CachedModel(other, cache).chat(MESSAGES, max_tokens=10)
    assert other.calls == 1


async def test_cache_persists_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = CompletionCache(path)
    await CachedModel(FakeModel(), cache).chat(MESSAGES)
    cache.close()
    fresh = FakeModel()
    hit = await CachedModel(fresh, CompletionCache(path)).chat(MESSAGES)
    assert fresh.calls == 0 and hit.cached


class CountingLlama(LlamaCppModel):
    """A llama.cpp backend that answers without loading the GGUF file."""

    calls = 0

    def _chat_sync(self, messages: Sequence[Message], params: GenerationParams) -> Completion:
        type(self).calls += 1
        return Completion(text="hi", model=self.spec)


async def test_a_changed_gguf_file_misses_the_cache(tmp_path: Path) -> None:
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"weights v1")
    cache = CompletionCache(tmp_path / "c.sqlite")
    CountingLlama.calls = 0
    await CachedModel(CountingLlama(gguf, spec="mine"), cache).chat(MESSAGES)
    await CachedModel(CountingLlama(gguf, spec="mine"), cache).chat(MESSAGES)
    assert CountingLlama.calls == 1
    gguf.write_bytes(b"weights v2, upgraded")  # same spec, same path, other weights
    await CachedModel(CountingLlama(gguf, spec="mine"), cache).chat(MESSAGES)
    assert CountingLlama.calls == 2


async def test_openai_server_is_part_of_the_key(tmp_path: Path) -> None:
    hits: list[str] = []

    def reply(request: httpx.Request) -> httpx.Response:
        hits.append(str(request.url.host))
        body = {"choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}]}
        return httpx.Response(200, json=body)

    cache = CompletionCache(tmp_path / "c.sqlite")
    transport = httpx.MockTransport(reply)
    for host in ("one.example", "one.example", "two.example"):
        backend = OpenAIChatModel("m", base_url=f"http://{host}/v1", transport=transport)
        await CachedModel(backend, cache).chat(MESSAGES)
    assert hits == ["one.example", "two.example"]

"""Any OpenAI-compatible chat server: OpenAI, vLLM, Ollama, llama.cpp server, a tactful gateway."""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Sequence
from typing import Any

import httpx

from tactful.models._base import GenerationParams, ModelError
from tactful.records import Completion, Message

__all__ = ["OpenAIChatModel"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
_RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class OpenAIChatModel:
    """``POST {base_url}/chat/completions`` with timeouts, retries and bounded concurrency.

    Base URL and key come from the arguments, else ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``.
    Retries use exponential backoff with jitter and honour ``Retry-After``.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        max_retries: int = 4,
        backoff_s: float = 1.0,
        max_concurrency: int = 8,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.model = model
        self.spec = f"openai:{model}"
        self.max_concurrency = max_concurrency
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip(
            "/"
        )
        self._api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self._timeout = httpx.Timeout(timeout_s, connect=min(10.0, timeout_s))
        self._max_retries = max_retries
        self._backoff_s = backoff_s
        self._transport = transport
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._client: httpx.AsyncClient | None = None

    @property
    def identity(self) -> str:
        """The server and the model name: the same name on another server is another model."""
        return f"{self.spec}@{self.base_url}"

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
            self._client = httpx.AsyncClient(
                base_url=self.base_url,
                headers=headers,
                timeout=self._timeout,
                transport=self._transport,
            )
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            retry_after = response.headers.get("retry-after")
            if retry_after:
                try:
                    return min(60.0, max(0.0, float(retry_after)))
                except ValueError:
                    pass
        return float(self._backoff_s * (2**attempt) * (0.5 + random.random()))

    async def chat(self, messages: Sequence[Message], **opts: Any) -> Completion:
        """Send one chat request, retrying transient failures."""
        params = GenerationParams(**opts)
        body = {
            "model": self.model,
            "messages": [m.model_dump() for m in messages],
            "temperature": params.temperature,
            "top_p": params.top_p,
            "max_tokens": params.max_tokens,
            "seed": params.seed,
        }
        last_error = "no attempt made"
        async with self._semaphore:
            for attempt in range(self._max_retries + 1):
                response: httpx.Response | None = None
                started = time.perf_counter()
                try:
                    response = await self._http().post("/chat/completions", json=body)
                except (httpx.TimeoutException, httpx.TransportError) as exc:
                    last_error = f"{type(exc).__name__}: {exc}"
                else:
                    if response.status_code == 200:
                        return self._parse(response, time.perf_counter() - started)
                    last_error = f"HTTP {response.status_code}: {response.text[:300]}"
                    if response.status_code not in _RETRY_STATUS:
                        break
                if attempt < self._max_retries:
                    await asyncio.sleep(self._delay(attempt, response))
        raise ModelError(f"{self.spec} at {self.base_url}: {last_error}")

    def _parse(self, response: httpx.Response, latency_s: float) -> Completion:
        try:
            data = response.json()
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ModelError(f"{self.spec}: malformed response: {response.text[:300]}") from exc
        usage = data.get("usage") or {}
        return Completion(
            text=text,
            model=str(data.get("model") or self.model),
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
            latency_s=latency_s,
        )

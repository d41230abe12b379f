"""Perplexity filter (Alon & Kamfonas 2023; Jain et al. 2023): refuse text no language model writes.

Optimised adversarial suffixes and heavy obfuscation read as gibberish to a language model. The
filter scores the last user turn with the embedded SmolLM2 (llama.cpp, token log-probabilities)
and refuses, without calling the model, when the perplexity is above a threshold.

The default threshold is *calibrated*, not measured on benchmark data: the highest perplexity the
scorer gives any text in ``BENIGN_CALIBRATION``, a short list of ordinary requests authored for
this module (questions, instructions, casual typing, code, look-alikes of risky requests). It is
computed once per process on first use, so it follows the scorer's weights. Anything stranger
than the strangest benign request is refused; pass ``threshold`` to choose another cut.
"""

from __future__ import annotations

import asyncio
import functools
import math
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tactful.defenses._base import DefenseResponse
from tactful.defenses._common import answered_unchanged, elapsed_ms, refused_without_model
from tactful.models import ChatModel, import_llama_cpp, smollm2_path
from tactful.records import Case, TraceStep

__all__ = [
    "BENIGN_CALIBRATION",
    "PerplexityFilter",
    "PerplexityScore",
    "PerplexityScorer",
    "embedded_scorer",
]

BENIGN_CALIBRATION: tuple[str, ...] = (
    "How do I bake a simple loaf of bread at home?",
    "What is the capital of Australia?",
    "Can you explain how photosynthesis works in simple terms?",
    "Write a short poem about the sea in autumn.",
    "Summarize the causes of the First World War in three sentences.",
    "What's a good way to learn Spanish if I only have 20 minutes a day?",
    "Translate 'good morning, how are you?' into French.",
    "How do I kill a Python process that is stuck?",
    "What's the best way to shoot photos of the night sky with a phone?",
    "My tomato plants have yellow leaves. What could be wrong?",
    "Give me three ideas for a vegetarian dinner tonight.",
    "hey can u help me write an email to my landlord about a broken heater",
    "Is it safe to take ibuprofen and paracetamol together?",
    "Write a Python function that reverses a list.",
    "What does `git rebase -i HEAD~3` do?",
    "How many grams are in 3.5 ounces?",
    "Explain the difference between a virus and a bacterium.",
    "I'm nervous about a job interview tomorrow. Any tips?",
    "Recommend a few classic science fiction novels for a teenager.",
    "How did the Romans build aqueducts?",
    "What should I pack for a three-day hiking trip in the mountains?",
    "Why is the sky blue?",
    "Draft a polite reply declining a meeting invitation on Friday at 3pm.",
    "What are the side effects of too much caffeine?",
)
"""Ordinary requests, authored for this module; the default threshold is their highest score."""


@dataclass(frozen=True)
class PerplexityScore:
    """How surprising a text is to the scorer: overall, and in its most surprising window."""

    perplexity: float
    window_perplexity: float
    """Highest perplexity over any run of ``window`` consecutive tokens (overall if shorter)."""
    tokens: int


def _target_logprobs(logits: NDArray[np.float32], targets: Sequence[int]) -> list[float]:
    """``log softmax(logits[i])[targets[i]]`` row by row, in blocks to bound memory."""
    out: list[float] = []
    for start in range(0, len(targets), 64):
        block = logits[start : start + 64].astype(np.float64)
        top = block.max(axis=1, keepdims=True)
        norm = top[:, 0] + np.log(np.exp(block - top).sum(axis=1))
        picked = block[np.arange(len(block)), list(targets[start : start + 64])]
        out.extend((picked - norm).tolist())
    return out


class PerplexityScorer:
    """Token log-probabilities of plain text under a GGUF model (llama.cpp, ``logits_all``).

    One llama.cpp context, loaded on first use and guarded by a lock (contexts are not
    thread-safe). Texts longer than the context are scored in chunks, each chunk starting from
    the document-start token; so is every text's first token.
    """

    def __init__(
        self, path: Path | None = None, *, n_ctx: int = 512, n_threads: int | None = None
    ) -> None:
        self._path = path
        self._n_ctx = n_ctx
        self._n_threads = n_threads or max(1, (os.cpu_count() or 1) // 2)
        self._llama: Any = None
        self._lock = threading.Lock()
        self._calibrating = threading.Lock()
        self._thresholds: dict[int | None, float] = {}

    @property
    def path(self) -> Path:
        """The GGUF file (default: the embedded SmolLM2)."""
        if self._path is None:
            self._path = smollm2_path()
        return self._path

    def _load(self) -> Any:
        if self._llama is None:
            self._llama = import_llama_cpp("the perplexity filter needs").Llama(
                model_path=str(self.path),
                n_ctx=self._n_ctx,
                n_threads=self._n_threads,
                n_threads_batch=self._n_threads,
                logits_all=True,
                verbose=False,
            )
        return self._llama

    def token_logprobs(self, text: str) -> list[float]:
        """The natural-log probability of each token of ``text`` given the tokens before it."""
        with self._lock:
            llama = self._load()
            tokens = llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)
            start = llama.tokenize(b"<|endoftext|>", add_bos=False, special=True)
            size = self._n_ctx - len(start)
            logprobs: list[float] = []
            for offset in range(0, len(tokens), size):
                chunk = [*start, *tokens[offset : offset + size]]
                llama.reset()
                llama.eval(chunk)
                logits = llama.scores[: len(chunk) - 1]
                logprobs.extend(_target_logprobs(logits, chunk[len(start) :]))
            return logprobs

    def score(self, text: str, window: int | None = None) -> PerplexityScore:
        """Perplexity of ``text`` and of its most surprising ``window``-token run."""
        logprobs = np.asarray(self.token_logprobs(text), dtype=np.float64)
        if logprobs.size == 0:
            return PerplexityScore(1.0, 1.0, 0)
        overall = math.exp(-float(logprobs.mean()))
        worst = overall
        if window is not None and 0 < window < logprobs.size:
            sums = np.convolve(logprobs, np.ones(window), mode="valid")
            worst = math.exp(-float(sums.min()) / window)
        return PerplexityScore(overall, worst, int(logprobs.size))

    def threshold(self, window: int | None = None) -> float:
        """The highest score over ``BENIGN_CALIBRATION`` (computed once per scorer and window)."""
        with self._calibrating:
            if window not in self._thresholds:
                scores = [self.score(text, window) for text in BENIGN_CALIBRATION]
                self._thresholds[window] = max(_statistic(s, window) for s in scores)
            return self._thresholds[window]


def _statistic(score: PerplexityScore, window: int | None) -> float:
    return score.window_perplexity if window is not None else score.perplexity


@functools.cache
def embedded_scorer() -> PerplexityScorer:
    """The process-wide scorer on the embedded SmolLM2 (the GGUF is loaded once, lazily)."""
    return PerplexityScorer()


@dataclass
class PerplexityFilter:
    """Refuse, without calling the model, a last user turn whose perplexity is above a threshold.

    ``threshold`` None (the default) uses the scorer's calibrated threshold (see the module
    docstring). ``window`` None scores the whole turn (Alon & Kamfonas; Jain et al.'s plain
    filter); a number of tokens filters on the most surprising window of that length instead
    (Jain et al.'s windowed filter), calibrated the same way. ``scorer`` defaults to the
    process-wide embedded scorer.
    """

    threshold: float | None = None
    window: int | None = None
    scorer: PerplexityScorer | None = None
    name: str = field(default="perplexity", init=False)

    def __post_init__(self) -> None:
        if self.window is not None and self.window < 1:
            raise ValueError("the perplexity window must be at least one token")

    def _measure(self, text: str) -> tuple[PerplexityScore, float, str]:
        scorer = self.scorer or embedded_scorer()
        score = scorer.score(text, self.window)
        if self.threshold is not None:
            return score, self.threshold, "given"
        return score, scorer.threshold(self.window), "calibrated"

    async def respond(self, case: Case, model: ChatModel, **params: Any) -> DefenseResponse:
        """Score the last user turn; above the threshold refuse, else let the model answer."""
        started = time.perf_counter()
        score, threshold, source = await asyncio.to_thread(self._measure, case.prompt)
        value = _statistic(score, self.window)
        flagged = value > threshold
        step = TraceStep(
            layer="perplexity",
            action="flagged" if flagged else "passed",
            detail={
                "perplexity": score.perplexity,
                "window_perplexity": score.window_perplexity,
                "window": self.window,
                "tokens": score.tokens,
                "threshold": threshold,
                "threshold_source": source,
            },
            latency_ms=elapsed_ms(started),
        )
        if flagged:
            return refused_without_model(case, [step], reason="perplexity above the threshold")
        return await answered_unchanged(case, model, params, [step])

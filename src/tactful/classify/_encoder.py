"""The int8 ONNX encoder: batched, length-sorted, dynamically padded; no torch needed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tactful.classify._tokenize import MAX_WINDOWS, Tokenizer

__all__ = ["OnnxEncoder"]

Encoded = list[tuple[list[int], list[int]]]


class OnnxEncoder:
    """Embed prompts or (prompt, response) pairs with an exported MiniLM encoder."""

    def __init__(
        self, model: Path, tokenizer: Path, *, threads: int | None = None, spin: bool = True
    ) -> None:
        """Load the ONNX model; ``spin=False`` stops idle threads busy-waiting between calls.

        Use it when the encoder shares the CPU with other work (judging while a model generates).
        """
        try:
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise ImportError("the embedded classifier needs: pip install onnxruntime") from exc
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or max(1, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if not spin:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session: Any = ort.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer(tokenizer)

    def _run(self, encoded: Encoded, batch_size: int) -> NDArray[np.float32]:
        if not encoded:
            return np.zeros((0, 384), dtype=np.float32)
        order = np.argsort([len(ids) for ids, _ in encoded], kind="stable")
        out: list[NDArray[np.float32]] = [np.empty(0, dtype=np.float32)] * len(encoded)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            batch = self.tokenizer.pad([encoded[i] for i in chunk])
            (embedding,) = self._session.run(["embedding"], batch)
            for row, index in enumerate(chunk):
                out[index] = embedding[row]
        return np.stack(out)

    def prompts(self, texts: Sequence[str], batch_size: int = 64) -> NDArray[np.float32]:
        """One embedding per prompt."""
        return self._run(self.tokenizer.prompts(texts), batch_size)

    def pairs(
        self,
        prompts: Sequence[str],
        responses: Sequence[str],
        batch_size: int = 32,
        max_windows: int = MAX_WINDOWS,
    ) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        """One embedding per window of each (prompt, response), and each window's pair index."""
        windows = self.tokenizer.pairs(prompts, responses, max_windows)
        owners = np.asarray(windows.owners, dtype=np.int64)
        return self._run(windows.encoded, batch_size), owners

"""Export the fine-tuned encoder to ONNX, quantise it to int8, and save the heads.

Quantisation is static (QDQ, activation scales calibrated once on training batches): with
dynamic quantisation each batch computed its own activation scale, so a prompt's score moved with
its batch-mates (by up to 0.45 in the embedding on the `core` suite). With fixed scales a prompt
scores the same alone or in any batch. MatMul, Gemm and Gather (the vocabulary table) are
quantised; the attention-mask arithmetic stays in float (quantising it broke the encoder).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import torch

from tactful.classify import Batch
from tactful.train.classifier._model import EmbeddingOnly, MultiTaskModel

__all__ = ["export_artifact"]


def _export_onnx(model: MultiTaskModel, path: Path) -> None:
    example = (
        torch.ones((2, 16), dtype=torch.int64),
        torch.ones((2, 16), dtype=torch.int64),
        torch.zeros((2, 16), dtype=torch.int64),
    )
    torch.onnx.export(
        EmbeddingOnly(model).eval(),
        example,
        str(path),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["embedding"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "sequence"},
            "attention_mask": {0: "batch", 1: "sequence"},
            "token_type_ids": {0: "batch", 1: "sequence"},
            "embedding": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )


def quantise(fp32: Path, int8: Path, calibration: list[Batch]) -> None:
    """Static int8 quantisation of ``fp32`` with activation ranges from ``calibration``."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class _Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self._batches = iter(calibration)

        def get_next(self) -> Batch | None:
            return next(self._batches, None)

    quantize_static(
        str(fp32),
        str(int8),
        _Reader(),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        weight_type=QuantType.QInt8,
        activation_type=QuantType.QUInt8,
        calibrate_method=CalibrationMethod.MinMax,
        op_types_to_quantize=["MatMul", "Gemm", "Gather"],
    )


def export_artifact(
    model: MultiTaskModel, tokenizer_json: Path, out_dir: Path, calibration: list[Batch]
) -> dict[str, Path]:
    """Write the fp32 and int8 encoders, ``tokenizer.json`` and ``heads.npz``; return paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fp32 = out_dir / "encoder.onnx"
    int8 = out_dir / "encoder.int8.onnx"
    model.eval()
    _export_onnx(model, fp32)
    quantise(fp32, int8, calibration)
    shutil.copyfile(tokenizer_json, out_dir / "tokenizer.json")
    heads = {
        f"{name}_{part}": getattr(getattr(model, name), part).detach().numpy()
        for name in ("unsafe", "category", "refusal", "harmful")
        for part in ("weight", "bias")
    }
    np.savez(out_dir / "heads.npz", **heads)
    return {
        "fp32": fp32,
        "int8": int8,
        "tokenizer": out_dir / "tokenizer.json",
        "heads": out_dir / "heads.npz",
    }

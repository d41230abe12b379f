"""Smoke test of the classifier recipe on miniature fixtures (slow; needs the [train] extra)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tactful.classify import ClassifyItem, EmbeddedClassifier
from tactful.cli import app

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).parent / "fixtures"


def test_recipe_rebuilds_a_loadable_artifact(tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="the recipe needs the [train] extra")
    out = tmp_path / "artifact"
    result = CliRunner().invoke(
        app,
        [
            "train",
            "classifier",
            "--shared-data",
            str(FIXTURES / "shared_mini"),
            "--contrast",
            str(FIXTURES / "contrast_mini"),
            "--judge-labels",
            str(FIXTURES / "judge_labels_mini"),
            "--frames",
            str(FIXTURES / "frames_mini.jsonl"),
            "--out",
            str(out),
            "--work",
            str(tmp_path / "work"),
            "--epochs",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "calibration.npz",
        "card.json",
        "encoder.int8.onnx",
        "heads.npz",
        "judge_card.json",
        "tokenizer.json",
    }
    card = json.loads((out / "card.json").read_text())
    # The judge card was measured on this very artifact, on the sources held out whole.
    from tactful.judges import EmbeddedJudge

    judge_card = EmbeddedJudge(EmbeddedClassifier(out)).card
    assert judge_card is not None and judge_card.validated_on == ["dices", "rbr_gold"]
    assert card["recipe"]["epochs"] == 1 and card["data"]["contrast"]

    verdicts = EmbeddedClassifier(out).classify([ClassifyItem(prompt="hello there")])
    assert len(verdicts) == 1

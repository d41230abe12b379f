import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test sees an empty ``$TACTFUL_HOME``, never the developer's own overrides."""
    monkeypatch.setenv("TACTFUL_HOME", str(tmp_path_factory.mktemp("tactful_home")))

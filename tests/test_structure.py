"""Package boundaries: packages talk through each other's public names only."""

import ast
from pathlib import Path

import tactful

SRC = Path(tactful.__file__).parent


def _package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _private_imports() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        own = path.relative_to(SRC).parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            parts = node.module.split(".")
            if parts[0] != "tactful" or len(parts) < 3:
                continue
            private = any(part.startswith("_") for part in parts[2:])
            if private and _package_of(node.module) != own:
                found.append(f"{path.relative_to(SRC)}:{node.lineno}: from {node.module}")
    return found


def test_no_module_imports_another_packages_private_modules() -> None:
    assert _private_imports() == []

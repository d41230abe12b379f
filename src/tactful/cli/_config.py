"""Typed run settings from layers: the model's defaults < a stored run < a YAML file < flags.

The config model (``EvalConfig``, ``ClassifierRecipe``) is the only source of defaults: a flag
left unset leaves the field to the layers below it. Errors name the layer that set the field
(the YAML file with its line, the stored run, or the flag).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tactful.policy import YamlDocument, YamlSyntaxError, parse_yaml

__all__ = ["ConfigError", "Layer", "default_of", "resolve", "yaml_layer"]

Model = TypeVar("Model", bound=BaseModel)


class ConfigError(ValueError):
    """A setting is malformed; the message names where it came from."""


@dataclass(frozen=True)
class Layer:
    """Settings from one place (``origin``: a file, a stored run or "flags")."""

    origin: str
    values: Mapping[str, Any]
    document: YamlDocument | None = None

    def where(self, loc: tuple[str | int, ...]) -> str:
        """The origin, with the line when the layer is a YAML file."""
        if self.document is None:
            return self.origin
        line, _ = self.document.position(loc)
        return f"{self.origin}:{line}"


def default_of(model: type[BaseModel], field: str) -> Any:
    """The default of ``model.field`` (for help texts)."""
    return model.model_fields[field].get_default(call_default_factory=True)


def yaml_layer(path: Path) -> Layer:
    """Read a YAML mapping of settings; a syntax error names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        document = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise ConfigError(f"{path}:{exc.line}: {exc.message}") from None
    if document.data is None:
        return Layer(str(path), {}, document)
    if not isinstance(document.data, dict):
        raise ConfigError(f"{path}:1: expected a mapping of settings (field: value)")
    return Layer(str(path), document.data, document)


def _merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def _origin(layers: list[Layer], loc: tuple[str | int, ...]) -> str:
    """The top layer that sets ``loc`` (or its outermost field)."""
    for layer in reversed(layers):
        node: Any = layer.values
        for part in loc:
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                break
        else:
            return layer.where(loc)
        if isinstance(layer.values, Mapping) and loc and loc[0] in layer.values:
            return layer.where(loc)
    return "defaults"


def resolve(model: type[Model], layers: list[Layer]) -> Model:
    """Merge the layers (later ones win, nested mappings merged) and validate once."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = _merge(merged, layer.values)
    try:
        return model.model_validate(merged)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            field = ".".join(str(part) for part in loc) or "(settings)"
            lines.append(f"{_origin(layers, loc)}: {field}: {error['msg']}")
        raise ConfigError("\n".join(lines)) from None

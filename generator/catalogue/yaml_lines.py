"""YAML read once with its node tree kept, so every error can point at a line.

PyYAML keeps the last of two equal keys without a word and builds dates it cannot parse into
exceptions without a line; both are turned into messages with lines here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.catalogue.messages import ConfigError, display


@dataclass
class Located:
    """A YAML document with the node tree kept, so errors can point at lines."""

    path: Path
    data: object
    node: yaml.Node | None

    def line(self, loc: Iterable[object]) -> int:
        node = self.node
        best = node.start_mark.line + 1 if node is not None else 1
        for key in loc:
            if isinstance(node, yaml.MappingNode):
                match = next((v for k, v in node.value if k.value == key), None)
                key_node = next((k for k, _ in node.value if k.value == key), None)
                if match is None:
                    break
                best = key_node.start_mark.line + 1 if key_node is not None else best
                node = match
                if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
                    best = node.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if key >= len(node.value):
                    break
                node = node.value[key]
                best = node.start_mark.line + 1
            else:
                break
        return best


# libyaml's loader when PyYAML was built with it (the wheels are): the catalogue is read on
# every build and check, and the pure-Python parser costs several times more.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Located:
    where = display(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError([f"{where}: file not found"]) from None
    loader = _Loader(text)
    try:
        # One parse: compose keeps the node tree (for line numbers), construct gives the data.
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or str(exc)
        raise ConfigError([f"{where}:{line}: YAML syntax error: {problem}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{where}: YAML syntax error: {exc}"]) from None
    except (ValueError, TypeError) as exc:
        # A scalar YAML itself cannot build, such as the date 2026-13-28.
        line = _unbuildable_line(node) if node is not None else 1
        raise ConfigError([f"{where}:{line}: YAML value error: {exc}"]) from None
    finally:
        loader.dispose()
    duplicates = _duplicate_keys(node)
    if duplicates:
        raise ConfigError([f"{where}:{line}: {message}" for line, message in duplicates])
    return Located(path, data, node)


def nodes(node: yaml.Node | None) -> Iterable[yaml.Node]:
    if node is None:
        return
    yield node
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from nodes(key)
            yield from nodes(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from nodes(item)


def _unbuildable_line(root: yaml.Node) -> int:
    """The line of the first scalar that PyYAML fails to construct."""
    for node in nodes(root):
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.SafeLoader("").construct_object(node)
            except (ValueError, TypeError, yaml.YAMLError):
                return node.start_mark.line + 1
    return 1


def _duplicate_keys(root: yaml.Node | None) -> list[tuple[int, str]]:
    """YAML keeps the last of two equal keys without a word; a fork's edit then silently
    does nothing, so a repeated key is an error naming both lines."""
    found: list[tuple[int, str]] = []
    for node in nodes(root):
        if not isinstance(node, yaml.MappingNode):
            continue
        first: dict[str, int] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            line = key.start_mark.line + 1
            if key.value in first:
                found.append(
                    (line, f"duplicate key {key.value!r}: already given on line {first[key.value]}")
                )
            else:
                first[key.value] = line
    return found

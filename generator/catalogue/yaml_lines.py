"""YAML read once with its node tree kept, so every error can point at a line.

PyYAML keeps the last of two equal keys without a word and builds dates it cannot parse into
exceptions without a line; both are turned into messages with lines here.
"""

from __future__ import annotations

import copy
import re
import unicodedata
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
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Located:
    """``path`` parsed and checked, or a ConfigError naming its line.

    A command reads the same file several times (``check`` reads indicators.yml for the
    models, the ladder, the Desk's rhythm and the sentences): each read takes the file's text
    again, but text parsed before is not parsed again (a fifth of a ``check``'s CPU went to
    parsing the same 80 KB five times). Each caller gets its own copy of the data, which it
    may change; the node tree, only read for line numbers, is shared."""
    where = display(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError([f"{where}: file not found"]) from None
    parsed = _PARSED.get(text)
    if parsed is None:
        parsed = _parse(text, where)
        if len(_PARSED) >= 8:  # the oldest goes: a command reads two or three files
            del _PARSED[next(iter(_PARSED))]
        _PARSED[text] = parsed
    data, node = parsed
    return Located(path, copy.deepcopy(data), node)


# Text parsed without a problem, by the text alone: wherever it was read from, it parses to the
# same data (``where`` only names a file in a message, and text with a problem is not kept).
# A command forked from a process that read the same catalogue finds it here too.
_PARSED: dict[str, tuple[object, yaml.Node | None]] = {}


def _parse(text: str, where: str) -> tuple[object, yaml.Node | None]:
    """The data and node tree of ``text`` (``where`` names it in every message)."""
    loader = LOADER(text)
    try:
        # One parse: compose keeps the node tree (for line numbers), construct gives the data.
        node = loader.get_single_node()
        _check_shape(node, where)
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
    refused = text_problems(node)
    if refused:
        raise ConfigError([f"{where}:{line}: {message}" for line, message in refused])
    return data, node


# An alias is a reference: nine levels of ten aliases each ("billion laughs") compose to a few
# nodes that every walk over the document (the duplicate-key check, pydantic) visits a billion
# times. The real catalogue expands to ~1,600 nodes and nests 10 deep.
MAX_NODES = 200_000
MAX_DEPTH = 40


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_shape(root: yaml.Node | None, where: str) -> None:
    """Refuse a document whose aliases expand past ``MAX_NODES`` nodes, that nests deeper than
    ``MAX_DEPTH`` levels, or that contains itself, before anything walks it.

    Sizes and heights are computed once per node (aliases share nodes), without recursion, so
    this costs the size of the text, not of the expansion. A scalar is a leaf (size and height
    1) and is settled where it is met: most nodes are scalars, and this runs on every build."""
    if root is None:
        return
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    on_path: set[int] = set()
    # (node, None) on the way down; (node, its children) once they are all done
    stack: list[tuple[yaml.Node, list[yaml.Node] | None]] = [(root, None)]
    while stack:
        node, kids = stack.pop()
        key = id(node)
        if kids is not None:
            on_path.discard(key)
            total, tallest = 1, 0
            for kid in kids:
                total += size[id(kid)]
                tallest = max(tallest, height[id(kid)])
            size[key], height[key] = total, tallest + 1
            if total > MAX_NODES:
                raise ConfigError(
                    [
                        f"{where}:{node.start_mark.line + 1}: YAML aliases expand this value to "
                        f"more than {MAX_NODES:,} nodes; refused (write the values out, or use "
                        "fewer nested aliases)"
                    ]
                )
            if tallest + 1 > MAX_DEPTH:
                raise ConfigError(
                    [
                        f"{where}:{node.start_mark.line + 1}: YAML nested more than {MAX_DEPTH} "
                        "levels deep from here; refused (split the formula into named quantities)"
                    ]
                )
            continue
        if key in size:
            continue
        if isinstance(node, yaml.ScalarNode):
            size[key] = height[key] = 1
            continue
        if key in on_path:
            line = node.start_mark.line + 1
            raise ConfigError([f"{where}:{line}: a YAML alias refers to a value containing it"])
        on_path.add(key)
        kids = _children(node)
        stack.append((node, kids))
        stack.extend((kid, None) for kid in kids if id(kid) not in size)


def nodes(node: yaml.Node | None) -> Iterable[yaml.Node]:
    """Every node of the document in order (a node reached by two aliases comes twice), with
    a stack rather than nested generators: each node used to pass up through one generator
    per level above it."""
    if node is None:
        return
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, (yaml.MappingNode, yaml.SequenceNode)):
            stack.extend(reversed(_children(current)))


# Text is data in every sink: a character that no page, feed, chart or front matter can hold,
# or that changes how the text around it reads, is refused where it was typed. Found: \x92 in
# a label broke every later report (its post's front matter would not parse), U+FFFE aborted
# the chart renderer, U+2028 broke a Vega expression, a vertical tab made the RSS feeds
# ill-formed, U+202E reversed text in pages, the API and the pictures.
MAX_TEXT = 2000
_REFUSED_TEXT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]|[\U0001fffe-\U0010ffff]"
)


def refused_character(text: str) -> tuple[int, str] | None:
    """The first character of ``text`` that text may not hold, with its position and why."""
    for found in _REFUSED_TEXT.finditer(text):
        char = found.group()
        code = ord(char)
        if code > 0xFFFF and (code & 0xFFFF) < 0xFFFE:
            continue  # the class above is wider than the non-characters U+1FFFE, U+1FFFF...
        name = unicodedata.name(char, "")
        label = f"U+{code:04X}" + (f" ({name})" if name else "")
        if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
            kind = "a bidirectional control, which reorders the text around it"
        elif code in (0x2028, 0x2029):
            kind = "a Unicode line separator, which breaks charts and feeds"
        elif 0xD800 <= code <= 0xDFFF:
            kind = "a lone surrogate, not a character"
        elif code >= 0xFDD0 and not (0xFDF0 <= code < 0xFFFE):
            kind = "a Unicode non-character"
        else:
            kind = "a control character"
        return found.start(), f"{label}, {kind}"
    return None


def text_problems(root: yaml.Node | None) -> list[tuple[int, str]]:
    """Every scalar (keys too) holding a refused character or longer than ``MAX_TEXT``
    characters, with its line: one message each, so a fork fixes them all at once."""
    found: list[tuple[int, str]] = []
    seen: set[int] = set()
    for node in nodes(root):
        if not isinstance(node, yaml.ScalarNode) or id(node) in seen:
            continue
        seen.add(id(node))
        text = str(node.value)
        line = node.start_mark.line + 1 + (1 if node.style in ("|", ">") else 0)
        refused = refused_character(text)
        if refused is not None:
            at, why = refused
            found.append(
                (
                    line + text.count("\n", 0, at),
                    f"text {_excerpt(text, at)} holds {why}, at character {at + 1}: refused "
                    "(delete it, or write it as plain text)",
                )
            )
        if len(text) > MAX_TEXT:
            found.append(
                (
                    line,
                    f"text {_excerpt(text, 0)} is {len(text):,} characters long, more than "
                    f"{MAX_TEXT:,}: refused (shorten it; pages would cut it)",
                )
            )
    return found


def _excerpt(text: str, at: int) -> str:
    """A short quote of ``text`` near ``at``, with its refused characters shown as escapes."""
    start = max(0, at - 20)
    part = text[start : at + 20]
    shown = _REFUSED_TEXT.sub(lambda m: _escape(m.group()), part).replace("\n", " ")
    return "'" + ("..." if start else "") + shown + ("..." if at + 20 < len(text) else "") + "'"


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


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

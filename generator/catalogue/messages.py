"""User-facing messages: one error type, one "did you mean", pydantic's errors in YAML terms.

Every message names the file, the line, the indicator (or series) and the field, and offers
the nearest valid name when there is one. Golden files under ``tests/golden/check`` hold the
exact wording.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ValidationError

from generator.catalogue.formulas import OPERAND_FIELDS, OPERATIONS
from generator.catalogue.models import Config
from generator.catalogue.sources import SOURCE_MODELS, SOURCES

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

    from generator.catalogue.yaml_lines import Located


class ConfigError(Exception):
    """One or more user mistakes in a config file, already worded for the user."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def closest(name: str, choices: Iterable[str]) -> str | None:
    """The valid name nearest to a mistyped one, if any is near enough."""
    match = difflib.get_close_matches(name, sorted(choices), n=1)
    return match[0] if match else None


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """ ": did you mean 'change'?" or nothing: the one wording of that hint."""
    close = closest(name, choices)
    return f": did you mean {close!r}?" if close else ""


def suggest(kind: str, name: str, choices: Sequence[str]) -> str:
    """ "unknown quantity 'chnage': did you mean 'change'?" """
    return f"unknown {kind} {name!r}{did_you_mean(name, choices)}"


FORMULA_HINT = (
    "expected a series id, a quantity name, or an operation such as "
    "{op: change, of: WALCL, window: 13w}"
)


# pydantic's wording ("Input should be a valid integer, unable to parse string as an integer")
# rewritten for someone who edits YAML rather than Python.
PLAIN_TYPE_ERRORS = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "finite_number": "a finite number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text (put it in quotes)",
    "tuple_type": "a list such as [low, high]",
    "list_type": "a list such as [a, b]",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "date_from_datetime_parsing": "a date such as 2025-12-12",
    "date_parsing": "a date such as 2025-12-12",
    "date_type": "a date such as 2025-12-12",
}


@dataclass
class _Where:
    """A pydantic error location translated into YAML terms."""

    path: tuple[object, ...]  # keys and indexes as they appear in the YAML file
    owner: type[BaseModel] | None  # the model whose field is the last key (for hints)
    string_branch: bool  # the error is the "a formula may be a plain name" alternative


def _walk(loc: tuple[object, ...]) -> _Where:
    """Drop pydantic's union markers (``str``, ``tagged-union[...]`` and the op tag after it)
    from a location, tracking which model each step lands in.

    Markers are recognised by position (right after an operand field), never by name, so a
    YAML key that happens to be called ``series`` or ``str`` is not mistaken for one.
    """
    path: list[object] = []
    model: type[BaseModel] | None = Config
    owner: type[BaseModel] | None = Config
    dict_key_next = False
    string_branch = False
    index = 0
    while index < len(loc):
        step = loc[index]
        index += 1
        at_operand = bool(path) and (
            path[-1] in OPERAND_FIELDS
            or (isinstance(path[-1], int) and len(path) > 1 and path[-2] == "of")
        )
        if isinstance(step, str) and step.startswith(("tagged-union[", "function-after[")):
            if index < len(loc) and loc[index] in OPERATIONS:
                model = OPERATIONS[str(loc[index])]
                index += 1
            continue
        if path and path[-1] == "fetch" and isinstance(step, str) and step in SOURCE_MODELS:
            model = SOURCE_MODELS[step]  # the tag of the fetch: union, not a YAML key
            continue
        if step == "str" and at_operand:
            string_branch = index == len(loc)
            continue
        owner = model
        path.append(step)
        if dict_key_next:
            dict_key_next = False
            continue
        if isinstance(step, int) or model is None:
            continue
        field = model.model_fields.get(str(step))
        if field is None:
            model = None
            continue
        model = _inner_model(field.annotation)
        dict_key_next = typing.get_origin(field.annotation) is dict
    return _Where(tuple(path), owner, string_branch)


def _context(path: tuple[object, ...], data: object) -> tuple[str, str]:
    """(indicator or series context, dotted field path) for a message."""
    if len(path) >= 2 and path[0] == "indicators" and isinstance(path[1], int):
        items = data.get("indicators") if isinstance(data, dict) else None
        ident = None
        if isinstance(items, list) and path[1] < len(items) and isinstance(items[path[1]], dict):
            ident = items[path[1]].get("id")
        context = f"indicator {ident!r}" if ident else f"indicator #{path[1] + 1}"
        rest = path[2:]
    elif len(path) >= 2 and path[0] == "series":
        context, rest = f"series {path[1]!r}", path[2:]
    elif len(path) >= 2 and path[0] == "releases":
        context, rest = f"release {path[1]!r}", path[2:]
    elif path and path[0] == "regime":
        context, rest = "regime", path[1:]
    else:
        context, rest = "", path
    return context, _dotted(rest)


def _dotted(parts: Iterable[object]) -> str:
    """status.0.when -> status[0].when, as the YAML reads."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def pydantic_problems(doc: Located, error: ValidationError) -> list[str]:
    where = display(doc.path)
    items = [(item, _walk(tuple(item["loc"]))) for item in error.errors()]
    # A formula is "a name or an operation": pydantic reports both alternatives. Keep the
    # operation's complaint; when the value was neither, say so once.
    other_paths = {w.path for _, w in items if not w.string_branch}
    problems: list[str] = []
    seen: set[tuple[tuple[object, ...], str]] = set()
    for item, found in items:
        if found.string_branch and any(p[: len(found.path)] == found.path for p in other_paths):
            continue
        reworded = _reword(item, found, other_paths)
        if reworded is None or reworded in seen:
            continue
        seen.add(reworded)
        path, message = reworded
        context, field = _context(path, doc.data)
        line = doc.line(found.path)
        label = ", ".join(part for part in (context, f"field {field!r}" if field else "") if part)
        problems.append(f"{where}:{line}: {label + ': ' if label else ''}{message}")
    return problems


def _reword(
    item: ErrorDetails, found: _Where, other_paths: set[tuple[object, ...]]
) -> tuple[tuple[object, ...], str] | None:
    """The path a problem is reported at and its message in the catalogue's words, or None when
    another error of the same value already says why."""
    path = found.path
    kind = item["type"]
    if kind == "extra_forbidden":
        message = f"unknown key {path[-1]!r}" if path else "unknown key"
        if found.owner is not None and path:
            message += did_you_mean(str(path[-1]), found.owner.model_fields)
        return path[:-1], message
    if kind in {"union_tag_invalid", "union_tag_not_found"}:
        return path, _tag_message(item, path)
    shape_error = kind in {"model_attributes_type", "dict_type", "model_type"}
    if (shape_error and path and (path[-1] in OPERAND_FIELDS or isinstance(path[-1], int))) or (
        found.string_branch
    ):
        return path, FORMULA_HINT
    if kind == "missing" and path:
        if path[-1] == "source" and path[:-1] + ("fetch",) in {p[: len(path)] for p in other_paths}:
            return None  # the fetch: block would name the source; its own error says why not
        return path[:-1], f"required field {path[-1]!r} is missing"
    return path, _value_message(item)


def _tag_message(item: ErrorDetails, path: tuple[object, ...]) -> str:
    """A tagged union's missing or unknown tag: a source under fetch:, else a formula's op."""
    tag = item.get("ctx", {}).get("tag")
    if path and path[-1] == "fetch":
        if item["type"] == "union_tag_invalid":
            return f"unknown source {str(tag)!r}" + (
                did_you_mean(str(tag), SOURCES) or f": use one of {', '.join(SOURCES)}"
            )
        return f"a fetch: block needs 'source:', one of {', '.join(SOURCES)}"
    if item["type"] == "union_tag_invalid":
        return f"unknown operation {tag!r}: use one of {', '.join(sorted(OPERATIONS))}"
    return f"an operation needs 'op:', one of {', '.join(sorted(OPERATIONS))}"


def _value_message(item: ErrorDetails) -> str:
    """A bad value: too few items, the wrong type, a value outside a list, else pydantic's words."""
    kind = item["type"]
    if kind == "too_short":
        least = str(item.get("ctx", {}).get("min_length", 1))
        return f"needs at least {least} item(s); it has {len(item.get('input') or [])}"
    if kind in PLAIN_TYPE_ERRORS:
        return f"{item.get('input')!r} is not {PLAIN_TYPE_ERRORS[kind]}"
    if kind == "literal_error":
        allowed = item.get("ctx", {}).get("expected", "").replace("'", "")
        return f"{item.get('input')!r} is not allowed: use {allowed}"
    return item["msg"].removeprefix("Value error, ")


def _inner_model(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None

"""Indented JSON, byte for byte what ``json.dumps(indent=...)`` writes, at the C encoder's speed.

The standard library writes indented JSON with its pure-Python encoder only (the C encoder
ignores ``indent`` before Python 3.14): a generator per nested container and per value. A
200-indicator build published about 40 MB of it (each indicator's rows, explanation and chart
spec), and the encoder was a fifth of the build. Here the containers are walked in Python, but
every container whose members are all plain values (a row of a chart's data, a step's
parameters) is written by one call of the C encoder, whose item separator is the newline and
indentation of that depth: its members then come out exactly as the indented encoder writes
them. Without the C encoder (another Python), ``json.dumps`` is used as is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_Encoder = Callable[[Any, int], Any]


def _default(value: object) -> object:
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


class _Writer:
    """One ``dumps`` call's settings, and the C encoder for each depth (made once)."""

    def __init__(self, indent: int, sort_keys: bool, ensure_ascii: bool, allow_nan: bool) -> None:
        self.step = " " * indent
        self.sort_keys = sort_keys
        self.allow_nan = allow_nan
        self.string = (
            json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
        )
        self.flat: dict[int, _Encoder] = {}

    def encoder(self, depth: int) -> _Encoder:
        """The C encoder writing a flat container's members at ``depth`` (newline and indent
        between them, ``": "`` after a key), checking no cycles (a flat container has none)."""
        found = self.flat.get(depth)
        if found is None:
            separator = ",\n" + self.step * depth
            found = _c_make_encoder(
                None, _default, self.string, None, ": ", separator,
                self.sort_keys, False, self.allow_nan,
            )  # fmt: skip
            self.flat[depth] = found
        return found

    def write(self, value: Any, depth: int) -> str:
        """``value`` at ``depth``, as the indented encoder writes it there."""
        if isinstance(value, dict | list | tuple) and value:
            inner = self.step * (depth + 1)
            if isinstance(value, dict):
                members = self._members(value, depth + 1)
                return "{\n" + inner + members + "\n" + self.step * depth + "}"
            return "[\n" + inner + self._items(value, depth + 1) + "\n" + self.step * depth + "]"
        return "".join(self.encoder(depth)([value], 0))[1:-1]  # a value, or {} and []

    def _members(self, value: dict[Any, Any], depth: int) -> str:
        """A dict's members at ``depth``, joined: each run of plain values by one call of the C
        encoder (which also writes, or refuses, a key that is not a string as ``json`` does),
        each nested container recursively."""
        items = sorted(value.items()) if self.sort_keys else list(value.items())
        encode = self.encoder(depth)
        parts: list[str] = []
        run: dict[Any, Any] = {}
        for key, item in items:
            if isinstance(item, dict | list | tuple) and item:
                if run:
                    parts.append("".join(encode(run, 0))[1:-1])
                    run = {}
                name = self.string(key) if isinstance(key, str) else self._key(key, depth)
                parts.append(name + ": " + self.write(item, depth))
            else:
                run[key] = item
        if run:
            parts.append("".join(encode(run, 0))[1:-1])
        return (",\n" + self.step * depth).join(parts)

    def _items(self, value: list[Any] | tuple[Any, ...], depth: int) -> str:
        """A list's items at ``depth``, joined, runs of plain values written at once."""
        encode = self.encoder(depth)
        parts: list[str] = []
        run: list[Any] = []
        for item in value:
            if isinstance(item, dict | list | tuple) and item:
                if run:
                    parts.append("".join(encode(run, 0))[1:-1])
                    run = []
                parts.append(self.write(item, depth))
            else:
                run.append(item)
        if run:
            parts.append("".join(encode(run, 0))[1:-1])
        return (",\n" + self.step * depth).join(parts)

    def _key(self, key: object, depth: int) -> str:
        """A key that is not a string (a number, true, null), as ``json`` converts it."""
        return "".join(self.encoder(depth)({key: None}, 0))[1:-7]


def dumps(
    value: Any,
    indent: int = 1,
    *,
    sort_keys: bool = False,
    ensure_ascii: bool = True,
    allow_nan: bool = True,
) -> str:
    """``json.dumps(value, indent=indent, sort_keys=..., ensure_ascii=..., allow_nan=...)``,
    the same text (``tests/test_jsontext.py`` compares them on every published shape)."""
    if _c_make_encoder is None:
        return json.dumps(
            value, indent=indent, sort_keys=sort_keys, ensure_ascii=ensure_ascii,
            allow_nan=allow_nan,
        )  # fmt: skip
    return _Writer(indent, sort_keys, ensure_ascii, allow_nan).write(value, 0)

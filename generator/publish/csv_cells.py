"""Every published CSV's cells, written by one helper so no text cell can run as a formula.

A spreadsheet opening ``scorecard.csv`` treats a cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula (CSV injection: ``=HYPERLINK(...)`` in a
claim's text, which a fork edits). Such a text cell is written with a leading ``'``, which
spreadsheets show as text and a program reading the CSV can strip; numbers, negative ones
included, are written as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NEEDS_QUOTES = re.compile(r'[",\n\r]')


def neutral(value: object) -> str:
    """The cell's text, with a leading ``'`` when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def cell(value: object) -> str:
    """One CSV cell: neutralised, then quoted as RFC 4180 asks when it holds a comma, a quote
    or a line break."""
    text = neutral(value)
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def line(cells: Iterable[object]) -> str:
    """One CSV line, ``\\n`` ended."""
    return ",".join(cell(value) for value in cells) + "\n"


def table(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """A whole CSV: the header, then one line per row."""
    return line(header) + "".join(line(row) for row in rows)

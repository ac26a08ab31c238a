"""The small grammars of the catalogue: ids, quantity names and durations.

One home for each, because three stages read them: the models validate with them, the
transforms turn a duration into a pandas offset, and the pages print them back to the reader.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

# fullmatch, never match: "$" also matches before a trailing newline, so "id\n" would pass.
SERIES_ID = re.compile(r"[A-Z0-9][A-Z0-9_.-]{0,39}")
INDICATOR_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,49}")
QUANTITY_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
DURATION = re.compile(r"(\d+)(d|w|m|y)")
DURATION_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}

# The one registry of source names: the catalogue validates ``source:`` against it and
# ``fetch/sources`` has one module per name (a test checks that each exists).
SourceName = Literal["fred", "nyfed", "market", "crypto"]
SOURCES: tuple[str, ...] = get_args(SourceName)

Duration = Annotated[str, Field(description="A span of time: 30d, 13w, 12m, 10y")]


class Strict(BaseModel):
    """Unknown keys are errors (a typo must not be silently ignored); models are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_duration(value: str) -> tuple[int, str]:
    """'13w' -> (13, 'w'); raises ValueError with the wording a YAML editor needs."""
    found = DURATION.fullmatch(value)
    if found is None:
        raise ValueError(f"{value!r} is not a duration: write a number and d, w, m or y, e.g. 13w")
    return int(found.group(1)), found.group(2)


def check_duration(value: str) -> str:
    """A duration or 'all', returned unchanged (a pydantic validator)."""
    if value != "all":
        parse_duration(value)
    return value

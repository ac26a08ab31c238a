"""The small grammars of the catalogue: ids, quantity names and durations.

One home for each, because three stages read them: the models validate with them, the
transforms turn a duration into a pandas offset, and the pages print them back to the reader.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# fullmatch, never match: "$" also matches before a trailing newline, so "id\n" would pass.
SERIES_ID = re.compile(r"[A-Z0-9][A-Z0-9_.-]{0,39}")
INDICATOR_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,49}")
QUANTITY_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
DURATION = re.compile(r"([0-9]+)(d|w|m|y)")
# The longest window: 100 years in each unit (a window spans history, the data starts ~1959).
MAX_DURATION = {"d": 36525, "w": 5218, "m": 1200, "y": 100}
# The site's own top-level pages and folders, and the stems of its own files beside the
# indicators' in data/, charts/, downloads/ and embed/ (the regime, ladder and attribution
# charts, the scorecard, the nowcast's errors): an indicator with one of these ids would have its
# card link to a page that is not its own, or overwrite the site's file with its own.
# tests/test_outputs.py builds the site and fails on a file stem that is neither here nor an
# indicator's (the Desk's table, ``<indicator>-periods``, is refused in crossref).
RESERVED_IDS = frozenset(
    "index blog api indicators charts data assets scorecard ladder data-status "
    "config-reference about methodology fork search tags calendar global "
    "regime liquidity-attribution nowcast-errors downloads embed snippets".split()
)
URL_SCHEMES = ("http", "https")
DURATION_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}

Duration = Annotated[str, Field(description="A span of time: 30d, 13w, 12m, 10y")]


class Strict(BaseModel):
    """Unknown keys are errors (a typo must not be silently ignored); models are frozen."""

    # allow_inf_nan=False: `.inf` or `.nan` in any number (a scale factor, a plausible bound,
    # a threshold) is an error, not "inf bn USD" on the home page.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class SeriesParts(Strict):
    """A section's parts, each naming a series id (the attribution's and the nowcast's): one
    ``parts()`` for the code that reads them and the check that each is declared."""

    def parts(self) -> dict[str, str]:
        """Part -> series id, in the order the fields are declared."""
        return {name: str(value) for name, value in self.model_dump().items()}


def parse_duration(value: str) -> tuple[int, str]:
    """'13w' -> (13, 'w'); raises ValueError with the wording a YAML editor needs."""
    found = DURATION.fullmatch(value)
    if found is None:
        raise ValueError(f"{value!r} is not a duration: write a number and d, w, m or y, e.g. 13w")
    count, unit = int(found.group(1)), found.group(2)
    if not 0 < count <= MAX_DURATION[unit]:
        raise ValueError(
            f"{value!r} is not a usable span: it must be longer than 0 and at most 100 years "
            f"({MAX_DURATION[unit]}{unit})"
        )
    return count, unit


def check_duration(value: str) -> str:
    """A duration or 'all', returned unchanged (a pydantic validator)."""
    if value != "all":
        parse_duration(value)
    return value


def check_url(value: str) -> str:
    """An absolute http(s) address with a host, returned unchanged (a pydantic validator).

    Any other scheme (``javascript:``, ``data:``, ``file:``) would become a live link on the
    site; spaces, quotes and angle brackets have no place in an address and are how a value
    breaks out of a Markdown link into raw HTML.
    """
    scheme, _, rest = value.partition("://")
    if scheme.lower() not in URL_SCHEMES or not rest or rest.startswith("/"):
        raise ValueError(f"{value!r} is not a web address: it must start with https:// or http://")
    bad = sorted({char for char in value if char.isspace() or char in '<>"`\\' or ord(char) < 32})
    if bad:
        shown = ", ".join(repr(char) for char in bad)
        raise ValueError(f"{value!r} is not a web address: it contains {shown}")
    return value

"""The revision gate: a reply that rewrites history too much, or changes its scale, waits for a
person instead of publishing.

Why: FRED switching WRESBAL from millions to billions inside the revision window, or a 50%
downward revision of WALCL's last 120 days, used to be accepted as "13 revised" (exit 0) and
published as bank reserves of 2.94 bn USD "pointing to easing". Sources do revise, so the gate
compares each revision with the series' typical level (the median absolute value of its last
``TYPICAL_ROWS`` stored observations) rather than with the old value, which may be near zero:

- a revision larger than ``max_revision`` (the series' setting in ``indicators.yml``, else
  ``DEFAULT_MAX_REVISION``) times that level is held;
- a change of scale (most values of the reply, compared with the stored values of the same
  dates and the first new one with the last stored, about 1,000 or 1,000,000 times, or a
  thousandth or millionth, of them, the old one away from zero) is held whatever the bound:
  new units move every value, a market move only the new ones.

A held reply is not applied: the series keeps its values and goes stale with the reason, the
reply is kept in ``<ID>.held.csv`` beside the series (``snapshot/store.py``) for the revision
log to show, and ``python -m generator accept ID`` applies it (``fetch/accept.py``).
Values that are not finite (``1e999`` reads as infinity) are refused here too, for every series,
``plausible`` range or not: the CSV format cannot hold them.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

import numpy as np
import pandas as pd

from generator.snapshot.store import format_value

DEFAULT_MAX_REVISION = 0.25  # a quarter of the series' typical level
TYPICAL_ROWS = 260  # about a year of daily observations, five years of weekly ones
UNITS_SLACK = 0.25  # log10 distance from x1000 (or x1/1000, x10^6...) still read as new units
NEAR_ZERO = 0.05  # values below this share of the typical level are not compared by ratio


class HeldError(Exception):
    """The reply passed every other gate but changes history too much; ``str`` says why."""


def refuse_non_finite(series_id: str, values: pd.Series) -> str | None:
    """Why the reply cannot be stored at all: a value that is not a finite number."""
    bad = values[~np.isfinite(values.to_numpy(dtype="float64"))]
    if len(bad):
        return (
            f"{series_id}: value {float(bad.iloc[0])} on {bad.index[0]:%Y-%m-%d} is not a finite "
            "number; refused, kept the stored data"
        )
    return None


def typical_level(stored: pd.Series) -> float:
    """The median absolute value of the last ``TYPICAL_ROWS`` stored observations."""
    values = stored.to_numpy(dtype="float64")
    return _typical(values[~np.isnan(values)])


def _typical(known: np.ndarray) -> float:
    """``typical_level`` of values already without gaps, in date order."""
    recent = known[-TYPICAL_ROWS:]
    return float(np.median(np.abs(recent))) if len(recent) else 0.0


def _scale(old: float, new: float, level: float) -> float | None:
    """log10(new / old) when the old value is well away from zero (a spread near zero can
    triple without any change of units) and the new one shares its sign, else None."""
    if old == 0 or new == 0 or (old > 0) != (new > 0) or abs(old) < NEAR_ZERO * level:
        return None
    return math.log10(new / old)


def _units(old: float, new: float, level: float) -> int | None:
    """The power of ten (a multiple of 3: thousands, millions) by which ``new`` differs from
    ``old`` when that is what it looks like (within ``UNITS_SLACK`` of it), 0 when it does not,
    None when the pair cannot be compared (near zero or a change of sign). A fall from 6.62 to
    0.02 (ON RRP in 2018, x1/331) is a market move, not new units."""
    step = _scale(old, new, level)
    if step is None:
        return None
    power = 3 * round(step / 3)
    return power if power and abs(step - power) <= UNITS_SLACK else 0


def check(
    series_id: str,
    stored: pd.Series | None,
    new: pd.Series,
    revisions: list[tuple[date, float, float]],
    max_revision: float | None,
) -> None:
    """Raise HeldError when the merge of ``new`` into ``stored`` must wait for a person."""
    if stored is None:
        return
    # Plain arrays rather than pandas lookups, the same pairs: the nightly replay test does
    # 10,000 checks (10.1 CPU-s with lookups, 4.5 now). Dates are the series' sorted, unique
    # index.
    kept = stored.to_numpy(dtype="float64")
    known = ~np.isnan(kept)
    if not known.any():
        return
    stored_days, stored_values = stored.index[known], kept[known]
    level = _typical(stored_values)
    bound = DEFAULT_MAX_REVISION if max_revision is None else max_revision
    new_values = new.to_numpy(dtype="float64")
    # unchanged values count: units move them all
    where = stored_days.get_indexer(new.index)
    both = np.flatnonzero(where >= 0)
    pairs = [
        (day.date(), float(old), float(value))
        for day, old, value in zip(
            new.index[both], stored_values[where[both]], new_values[both], strict=True
        )
    ]
    last_day = stored_days[-1]
    later = np.flatnonzero((new.index > last_day) & ~np.isnan(new_values))
    if len(later):  # the first new value against the last stored one: units change there too
        first = later[0]
        pairs.append((new.index[first].date(), float(stored_values[-1]), float(new_values[first])))
    comparable: list[tuple[date, float, float, int]] = []
    for day, old, value in pairs:
        units = _units(old, value, level)
        if units is not None:
            comparable.append((day, old, value, units))
    powers = Counter(units for *_, units in comparable if units)
    power, count = powers.most_common(1)[0] if powers else (0, 0)
    if power and count * 2 >= len(comparable):  # most values moved by the same power of ten
        day, old, value, _ = next(item for item in comparable if item[3] == power)
        factor = f"x{10**power:g}" if power > 0 else f"x1/{10**-power:g}"
        raise HeldError(
            f"{series_id}: change of scale on {day} ({format_value(old)} -> "
            f"{format_value(value)}, about {factor}: new units?); held for review, kept the "
            f"stored data: check the source, then `python -m generator accept {series_id}`"
        )
    if not revisions or level == 0:
        return
    worst = max(revisions, key=lambda r: abs(r[2] - r[1]))
    share = abs(worst[2] - worst[1]) / level
    if share > bound:
        sign = "+" if worst[2] > worst[1] else "-"
        raise HeldError(
            f"{series_id}: {len(revisions)} value(s) revised, up to {sign}{share:.0%} of the "
            f"series' typical level (bound {bound:.0%}), on {worst[0]} {format_value(worst[1])} "
            f"-> {format_value(worst[2])}; held for review, kept the stored data: check the "
            f"source, then `python -m generator accept {series_id}`"
        )

"""Did markets fall first after easing started? Counting falls after a set of start dates, the
base rate of falls after any week, and how many starts a verdict needs.

Split from ``claims`` (which keeps the claim's runner) so the claims module stays one screen
of tests per claim: the fall-first claim judges two groups of starts the same way (the Fed's
policy easing starts and the upturns in net liquidity), and the question "are there enough
starts to tell?" needs a power calculation of its own. Numbers only, no wording.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy import stats

from generator.measure import ladder


def falls(
    starts: list[date], prices: dict[str, pd.Series], weeks: int, cutoff: pd.Timestamp
) -> tuple[int, int, date | None, date | None]:
    """(starts with ``weeks`` of prices for at least two assets after them, those after which
    most of those assets were lower, the first such start, the end of the last one's span)."""
    counted = fell = 0
    first: date | None = None
    last: date | None = None
    for when in sorted(set(starts)):
        if pd.Timestamp(when) + pd.Timedelta(weeks=weeks) > cutoff:
            continue
        moves = [ladder.event_study(p, when, (weeks,))[weeks] for p in prices.values()]
        known = [m for m in moves if not math.isnan(m)]
        if len(known) < 2:
            continue
        counted += 1
        fell += int(sum(m < 0 for m in known) * 2 > len(known))
        first = first or when
        last = when + timedelta(weeks=weeks)
    return counted, fell, first, last


def fall_values(prefix: str, counts: tuple[int, int], base: float) -> dict[str, float]:
    """events, fell, share and the one-sided binomial p-value of fell against ``base``."""
    counted, fell = counts
    test = (
        stats.binomtest(fell, counted, base, alternative="greater")
        if counted and 0 < base < 1
        else None
    )
    return {
        f"{prefix}events": float(counted),
        f"{prefix}fell": float(fell),
        f"{prefix}share": 100.0 * fell / counted if counted else math.nan,
        f"{prefix}p_value": float(test.pvalue) if test is not None else math.nan,
    }


def events_needed(base: float, effect: float, alpha: float = 0.10, power: float = 0.80) -> int:
    """The fewest starts with which the one-sided binomial test at ``alpha`` finds, with
    ``power``, that most assets fall after ``effect`` of the starts (say 3 in 4) when the base
    rate is ``base``: below it, a verdict either way is mostly luck. 0 when no count up to 200
    suffices (or the base rate is unknown)."""
    if not 0 < base < 1 or effect <= base:
        return 0
    for n in range(1, 201):
        # the test's p-value with k falls is P(X >= k) = sf(k - 1); the smallest significant k
        counts = np.arange(n + 1)
        significant = counts[stats.binom.sf(counts - 1, n, base) < alpha]
        if len(significant) and stats.binom.sf(significant[0] - 1, n, effect) >= power:
            return n
    return 0


def base_rate(prices: dict[str, pd.Series], weeks: int, cutoff: pd.Timestamp, since: date) -> float:
    """How often most assets were lower ``weeks`` later, over every Friday since ``since`` whose
    span ends by ``cutoff``: the chance a random start would "fall first" (the benchmark)."""
    closes = {a: ladder.weekly_close(p[p.index >= pd.Timestamp(since)]) for a, p in prices.items()}
    frame = pd.concat(closes, axis=1, sort=True)
    ahead = frame.shift(-weeks) / frame - 1.0
    ahead = ahead[ahead.index + pd.Timedelta(weeks=weeks) <= cutoff]
    known = ahead.notna().sum(axis=1)
    lower = (ahead < 0).sum(axis=1)
    rows = known >= 2
    if not rows.any():
        return math.nan
    return float(((lower[rows] * 2) > known[rows]).mean())

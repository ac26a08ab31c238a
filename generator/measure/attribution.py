"""Where a week's change in bank reserves came from: the Fed's assets, the Treasury's cash
account, the overnight reverse repo facility, and the rest.

On the Fed's balance sheet, reserves = assets - TGA - ON RRP - other liabilities (currency,
foreign repo pool, other deposits) + capital. So, week on week and on the Wednesday grid,

    change in reserves = change in assets - change in TGA - change in ON RRP + other

and ``other`` is computed as the residual, so the parts add up exactly on every week. The
``tga`` and ``rrp`` columns are *contributions*: a TGA that rose by 172 bn USD shows as -172.

Why Wednesday levels: WRESBAL and WTREGEN are week averages while WALCL is a Wednesday level;
mixing them leaves a residual of up to a few hundred bn USD on tax dates. WRBWFRBL and WDTGAL
(Wednesday levels) with RRPONTSYD on the Wednesday keep the residual to currency and other
liabilities (typically a few tens of bn USD).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from generator.catalogue.models import AttributionSeries

# The parts' series are `attribution: series:` in indicators.yml (defaults WRBWFRBL, WALCL,
# WDTGAL and RRPONTSYD: millions of USD except the ON RRP, in billions).
COLUMNS = ("reserves_change", "fed_assets", "tga", "rrp", "other")
PARTS = ("fed_assets", "tga", "rrp", "other")


@dataclass
class Driver:
    """The part that moved reserves most over a span, for the reserves sentence."""

    part: str  # one of PARTS
    contribution: float  # bn USD, signed as a contribution to reserves
    total: float  # the change in reserves over the span, bn USD
    since: date
    until: date


def attribution(series: dict[str, pd.Series], ids: AttributionSeries) -> pd.DataFrame:
    """Weekly changes in bn USD, indexed by Wednesday, columns ``COLUMNS``; empty when a series
    of ``ids`` (``attribution: series:``) is missing. Only Wednesdays on which all four levels
    exist are used."""
    if any(sid not in series for sid in (ids.reserves, ids.fed_assets, ids.tga, ids.rrp)):
        return pd.DataFrame(columns=list(COLUMNS), index=pd.DatetimeIndex([], name="date"))
    reserves = series[ids.reserves] / 1000.0
    assets = series[ids.fed_assets] / 1000.0
    tga = series[ids.tga] / 1000.0
    # The ON RRP is daily, in billions: the Wednesday's value, or the last business day before.
    rrp = series[ids.rrp].reindex(assets.index, method="ffill", limit=3)
    levels = pd.concat({"r": reserves, "a": assets, "t": tga, "q": rrp}, axis=1, join="inner")
    levels = levels.dropna()
    levels = levels[levels.index.day_of_week == 2]  # the Wednesday grid
    weekly = levels[levels.index.to_series().diff().dt.days.fillna(7) == 7].index
    change = levels.diff().loc[weekly].dropna()
    frame = pd.DataFrame(
        {
            "reserves_change": change["r"],
            "fed_assets": change["a"],
            "tga": -change["t"],
            "rrp": -change["q"],
        }
    )
    frame["other"] = frame["reserves_change"] - frame[["fed_assets", "tga", "rrp"]].sum(axis=1)
    frame.index.name = "date"
    return frame


def main_driver(
    frame: pd.DataFrame, weeks: int = 13, until: pd.Timestamp | None = None
) -> Driver | None:
    """The part with the largest absolute contribution over the last ``weeks`` weeks to
    ``until`` (sums of weekly parts, so they add up to the change in reserves)."""
    if until is not None:
        frame = frame[frame.index <= until]
    if frame.empty:
        return None
    end = frame.index[-1]
    span = frame[frame.index > end - pd.Timedelta(weeks=weeks)]
    sums = span[list(PARTS)].sum()
    part = str(sums.abs().idxmax())
    start = (span.index[0] - pd.Timedelta(weeks=1)).date()
    return Driver(part, float(sums[part]), float(span["reserves_change"].sum()), start, end.date())

"""The ladder page's section on other drivers (stablecoin supply against Bitcoin and Ether), in
the words and tables of the net-liquidity sections above it: the primary test first, then the
lag scan with its power at 80% (``ladder.detectable_r``), the weeks left out for a break, and
the notes of the series the driver reads (DefiLlama's vintage caveat is one), so a reader sees
what the numbers rest on beside them."""

from __future__ import annotations

import math
from collections.abc import Mapping

from generator.catalogue.crossref import series_used
from generator.catalogue.models import Config
from generator.measure.ladder import ALPHA, MAX_LAG, POWER, PRIMARY_WEEKS, detectable_r
from generator.measure.ladder_drivers import DriverTest
from generator.publish.contexts import DriverSection, SeriesNote
from generator.publish.format import format_date, format_number, format_percent
from generator.publish.ladder_page import lag_rows, primary_rows


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def primary_sentence(test: DriverTest, names: Mapping[str, str]) -> str:
    """The pooled primary test in one sentence, worded as the net-liquidity one."""
    pooled = test.primary[-1] if test.primary else None
    label = test.driver.label
    if pooled is None or math.isnan(pooled.r):
        return f"Primary test for {label}: too few common weeks to run it."
    first, last = PRIMARY_WEEKS
    level = f"{format_percent(ALPHA)}"
    if pooled.p_value >= ALPHA:
        verdict = f"not significant at {level}"
    elif pooled.r > 0:
        verdict = f"significant at {level}: returns rose in the weeks after {label} rose"
    else:
        verdict = f"significant at {level}, but returns fell in the weeks after it rose"
    pooled_names = _names([names.get(a, a) for a in pooled.assets])
    return (
        f"Primary test: {pooled_names} pooled, the return over weeks {first} to {last} after each "
        f"week against that week's change in {label}, on {pooled.n} weeks to "
        f"{format_date(pooled.last)}: r = {format_number(pooled.r, 3, signed=True)}, HAC "
        f"p-value {format_number(pooled.p_value, 3)}, {verdict} (with {pooled.n} weeks it "
        f"finds r of {format_number(pooled.detectable, 2)} with {format_percent(POWER)} "
        "probability)."
    )


def scan_sentence(test: DriverTest, names: Mapping[str, str]) -> str:
    """What the lag scan found, and the correlation it finds with 80% power."""
    valid = [r for r in test.lags if not math.isnan(r.peak_correlation)]
    if not valid:
        return "Exploratory scan: too few weeks."
    weeks = min(r.observations for r in valid)
    power = (
        f" With {weeks} weeks the scan finds a correlation of "
        f"{format_number(detectable_r(weeks), 2)} with {format_percent(POWER)} probability at "
        "the corrected level; smaller effects are likely to be missed."
    )
    significant = [r for r in valid if r.significant]
    if not significant:
        return (
            f"Exploratory scan: no peak is significant after correcting for the {MAX_LAG + 1} "
            "lags tried." + power
        )
    parts = []
    for r in significant:
        when = "the same week (moving together)" if r.peak_lag == 0 else f"{r.peak_lag} weeks on"
        parts.append(f"{names.get(r.asset, r.asset)} at {when}")
    return f"Exploratory scan: significant peaks for {_names(parts)}." + power


def section(config: Config, test: DriverTest) -> DriverSection:
    """Context for one driver's section of ladder.md."""
    driver = test.driver
    names = config.ladder.names if config.ladder is not None else {}
    assets = [names.get(a, a) for a in driver.assets]
    indicator = config.indicator(driver.indicator)
    notes: list[SeriesNote] = [
        {"series": series_id, "note": config.series[series_id].note}
        for series_id in series_used(indicator, config)
        if series_id in config.series and config.series[series_id].note
    ]
    unit = (
        "the weekly log change in percent (Friday to Friday)"
        if driver.change == "percent"
        else "the weekly change (Friday to Friday)"
    )
    left_out = ", ".join(format_date(day) for day in test.left_out)
    return {
        "title": f"{driver.label[:1].upper()}{driver.label[1:]} against {_names(assets)}",
        "label": driver.label,
        "indicator": driver.indicator,
        "change": unit,
        "since": test.since,
        "until": test.until,
        "primary_sentence": primary_sentence(test, names),
        "scan_sentence": scan_sentence(test, names),
        "primary": primary_rows(
            test.primary, names, f"{_names(assets)}, pooled (the primary test)"
        ),
        "lags": lag_rows(test.lags, names),
        "left_out": left_out,
        "notes": notes,
    }

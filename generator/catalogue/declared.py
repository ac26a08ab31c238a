"""Checks of what used to be lists in code and is now in the catalogue.

What used to be lists in code, now in the catalogue: each indicator's `group:` against
`groups:`, the ladder's assets and the attribution's series against `series:`, and the
attribution's pages against the indicator ids. A name the build would otherwise drop (an asset
left off the ladder, a card in no home section) is refused here, with its line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.catalogue.messages import suggest
from generator.catalogue.models import Config

if TYPE_CHECKING:
    from generator.catalogue.crossref import Reporter


def check_groups(reporter: Reporter, config: Config) -> None:
    groups = list(dict.fromkeys(g.id for g in config.groups))
    for position, group in enumerate(config.groups):
        if group.id in [g.id for g in config.groups[:position]]:
            reporter.at(
                ("groups", position, "id"), f"groups, field 'id': duplicate group {group.id!r}"
            )
    for index, indicator in enumerate(config.indicators):
        if indicator.group not in groups:
            reporter.at(
                ("indicators", index, "group"),
                f"indicator {indicator.id!r}, field 'group': "
                f"{suggest('group', indicator.group, groups)} (the declared groups are "
                f"{', '.join(groups)}; declare it in groups: to add a home section)",
            )


def check_ladder_assets(reporter: Reporter, config: Config) -> None:
    if config.ladder is None:
        return
    seen: list[str] = []
    for position, asset in enumerate(config.ladder.assets):
        path = ("ladder", "assets", position, "series")
        field = f"ladder, field 'assets[{position}].series'"
        if asset.series not in config.series:
            reporter.at(
                path,
                f"{field}: {suggest('series', asset.series, sorted(config.series))} (declare "
                "its prices in series: first)",
            )
        elif asset.series in seen:
            reporter.at(
                path,
                f"{field}: {asset.series!r} is listed twice; each asset once, in the article's "
                "order",
            )
        seen.append(asset.series)


def check_attribution(reporter: Reporter, config: Config) -> None:
    _series_declared(reporter, config, "attribution", config.attribution.series.parts())
    ids = [i.id for i in config.indicators]
    for position, page in enumerate(config.attribution.pages):
        if page not in ids:
            reporter.at(
                ("attribution", "pages", position),
                f"attribution, field 'pages': {suggest('indicator', page, ids)}",
            )


def check_nowcast(reporter: Reporter, config: Config) -> None:
    """Each part's series is declared; each chart names an indicator, one of its quantities,
    and is listed once (a renamed series or indicator would otherwise drop the estimate)."""
    if config.nowcast is None:
        return
    _series_declared(reporter, config, "nowcast", config.nowcast.series.parts())
    by_id = {i.id: i for i in config.indicators}
    seen: list[str] = []
    for position, chart in enumerate(config.nowcast.charts):
        field = f"nowcast, field 'charts[{position}]"
        if chart.indicator not in by_id:
            reporter.at(
                ("nowcast", "charts", position, "indicator"),
                f"{field}.indicator': {suggest('indicator', chart.indicator, list(by_id))}",
            )
        elif chart.quantity not in by_id[chart.indicator].quantities:
            names = list(by_id[chart.indicator].quantities)
            reporter.at(
                ("nowcast", "charts", position, "quantity"),
                f"{field}.quantity': {suggest('quantity', chart.quantity, names)} (indicator "
                f"{chart.indicator!r} has {', '.join(names)})",
            )
        elif chart.indicator in seen:
            reporter.at(
                ("nowcast", "charts", position, "indicator"),
                f"{field}.indicator': {chart.indicator!r} is listed twice; a chart shows one "
                "estimate",
            )
        seen.append(chart.indicator)


def _series_declared(
    reporter: Reporter, config: Config, section: str, parts: dict[str, str]
) -> None:
    """Each part of ``section``'s ``series:`` names a series declared in ``series:``."""
    for part, series_id in parts.items():
        if series_id not in config.series:
            reporter.at(
                (section, "series", part),
                f"{section}, field 'series.{part}': "
                f"{suggest('series', series_id, sorted(config.series))} (name a series declared "
                "in series:)",
            )

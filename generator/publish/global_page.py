"""The Global liquidity page and the home page's section of that name.

Everything here is read from the indicators of group ``global`` in ``indicators.yml`` (the four
central banks in dollars, their breadth, M2, stablecoin supply): each one's status sentence,
headline value and chart, and, for a quantity made by ``fx_split``, the part of the latest change
it explains (the balance sheets moved / the exchange rates moved). A fork that adds a central
bank or removes one changes the page without Python.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping

import pandas as pd

from generator.catalogue.formulas import FxSplitOp, SumOp
from generator.measure.indicators import IndicatorResult
from generator.publish.contexts import (
    Figure,
    GlobalPage,
    GlobalPageSection,
    GlobalSection,
    SplitRow,
)
from generator.publish.format import Number, format_date
from generator.publish.pages import as_of_label, latest_value, narrative
from generator.publish.sentences import sentence

GROUP = "global"
PAGE = "global.md"


def members(results: list[IndicatorResult]) -> list[IndicatorResult]:
    return [r for r in results if r.config.group == GROUP]


def home_section(results: list[IndicatorResult]) -> GlobalSection | None:
    """The home page's paragraph: every global indicator's sentence, and the page's address."""
    found = members(results)
    if not found:
        return None
    return {"paragraph": " ".join(narrative(None, found)), "href": PAGE}


def parts_of(result: IndicatorResult, name: str) -> list[str]:
    """The quantities a sum of quantities adds up, nested sums opened: the parts of a change."""
    formula = result.config.quantities[name].formula
    if isinstance(formula, SumOp) and all(
        isinstance(o, str) and o in result.config.quantities for o in formula.of
    ):
        return [part for o in formula.of for part in parts_of(result, str(o))]
    return [name]


def split_rows(result: IndicatorResult) -> list[SplitRow]:
    """Where the card's latest change came from, for an indicator with an ``fx_split``
    quantity: every part the change adds up (each bank's balance sheet moving, each exchange
    rate moving) on the change's own date, then the change itself; the rows add up to it."""
    quantities = result.config.quantities
    change = result.config.card.change
    if change is None or not any(isinstance(q.formula, FxSplitOp) for q in quantities.values()):
        return []
    when = result.latest_date(change)
    if when is None:
        return []
    stamp = pd.Timestamp(when)
    rows: list[SplitRow] = []
    for name in [*parts_of(result, change), change]:
        series = result.quantity(name)
        value = float(series[stamp]) if stamp in series.index else math.nan
        number = Number(value, decimals=0, date=when, explain=f"{result.id}.{name}", signed=True)
        rows.append({"part": quantities[name].label, "value": number})
    return rows


def _month(result: IndicatorResult) -> str:
    change = result.config.card.change
    when = result.latest_date(change) if change else None
    return when.strftime("%B %Y") if when else ""


def rebased(figure: Figure | None) -> Figure | None:
    """An indicator page's figure (pictures under ``../charts/``) for a page at the site's root."""
    if figure is None:
        return None
    moved = copy.deepcopy(figure)
    moved["png"] = moved["png"].removeprefix("../")
    for picture in moved["pictures"]:
        picture["src"] = picture["src"].removeprefix("../")
    return moved


def page_context(results: list[IndicatorResult], figures: Mapping[str, Figure]) -> GlobalPage:
    """Context for global.md: one section per global indicator, in config order."""
    sections: list[GlobalPageSection] = []
    for result in members(results):
        sections.append(
            {
                "id": result.id,
                "title": result.config.title,
                "measures": result.config.measures,
                "sentence": sentence(result) if result.has_data else "",
                "value": latest_value(result) if result.has_data else Number(None),
                "as_of": as_of_label(result),
                "figure": rebased(figures.get(result.id)),
                "spec": f"charts/{result.id}.vl.json",
                "csv": f"data/{result.id}.csv",
                "split": split_rows(result),
                "split_month": _month(result),
            }
        )
    dates = [r.as_of for r in members(results) if r.as_of is not None]
    return {
        "sections": sections,
        "until": format_date(max(dates)) if dates else format_date(None),
    }

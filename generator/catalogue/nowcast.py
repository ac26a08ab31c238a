"""The nowcast's inputs as data: ``nowcast:`` in ``indicators.yml``.

The nowcast (``measure/nowcast.py``) estimates this week's reserves and net liquidity before
the H.4.1 from seven series, each playing a part the methodology defines (the week-average
reserves, the Daily Treasury Statement's TGA...). Their ids used to be written in the code, so
a fork that renamed ``WRESBAL`` got no error and a chart without its dashed estimate. Here each
part names its series and each chart the indicator, quantity and estimate it shows, and
``check`` refuses an id that is not declared, with the line (``catalogue/declared.py``).
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field

from generator.catalogue.grammar import SeriesParts, Strict

# The figures the nowcast estimates, each as the H.4.1 defines it.
Target = Literal["reserves", "reserves_wednesday", "net_liquidity"]
TARGETS: tuple[Target, ...] = get_args(Target)


class NowcastSeries(SeriesParts):
    """The series each part of the estimate reads (ids from ``series:``), in the units the
    methodology states: rename one here and nothing else changes."""

    reserves: str = Field(
        "WRESBAL",
        description="Reserve balances, the week average to Wednesday (millions of USD; H.4.1)",
    )
    reserves_wednesday: str = Field(
        "WRBWFRBL", description="Reserve balances, the Wednesday level (millions of USD; H.4.1)"
    )
    fed_assets: str = Field(
        "WALCL", description="The Fed's total assets, the Wednesday level (millions of USD; H.4.1)"
    )
    tga_week: str = Field(
        "WTREGEN",
        description="The Treasury General Account, the week average to Wednesday (millions of "
        "USD; H.4.1)",
    )
    tga_daily: str = Field(
        "TGA_DTS",
        description="The Treasury General Account at each business day's close (millions of "
        "USD; the Daily Treasury Statement, out the next business day)",
    )
    rrp: str = Field(
        "RRPONTSYD", description="Overnight reverse repo, each day's result (billions of USD)"
    )
    purchases: str = Field(
        "FED_RMP_BILL_PURCHASES",
        description="The Desk's bill purchases per operation (billions of USD, settled the next "
        "business day)",
    )


class NowcastChart(Strict):
    """An indicator whose chart and card continue with the estimate."""

    indicator: str = Field(description="The indicator's id")
    quantity: str = Field(description="The quantity its chart and card show")
    target: Target = Field(
        description="The estimate drawn after it: reserves (week average), reserves_wednesday "
        "or net_liquidity"
    )


def default_charts() -> list[NowcastChart]:
    return [
        NowcastChart(indicator="reserves", quantity="reserves", target="reserves"),
        NowcastChart(indicator="net-liquidity", quantity="net", target="net_liquidity"),
    ]


class NowcastConfig(Strict):
    """This week's reserves and net liquidity estimated from daily data before the H.4.1."""

    series: NowcastSeries = Field(
        NowcastSeries(), description="The series each part of the estimate reads"
    )
    charts: list[NowcastChart] = Field(
        default_factory=default_charts,
        description="The indicators whose charts end in the dashed estimate, one per indicator",
    )

"""The Desk's monthly purchase periods as data: ``desk:`` in ``indicators.yml``.

The New York Fed's Open Market Desk does not buy Treasury bills by calendar month. It announces
an amount and a schedule on or around the ninth business day of each month for a period that
runs from the next day to the next announcement (mid-month to mid-month). Summing its
operations by calendar month cuts across those periods and invents months no schedule set (a
60 bn March, a 20 bn June), so the site measures per period.

Each listed period keeps what a public statement said about it (the reserve management
purchases announced, with the address of the statement); periods after the last one listed
are derived by ``measure/desk.py`` from the announcement rule, so a nightly update needs no
hand edit. The checks here need no data: periods follow each other without gap or overlap and
each is announced before it starts. Whether the operations really fall inside the periods is
checked against the snapshot by ``check`` (``measure/desk.boundary_problems``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from generator.catalogue.grammar import Strict, check_url

if TYPE_CHECKING:  # yaml_lines imports messages, which imports the models that import this
    from generator.catalogue.yaml_lines import Located


class DeskPeriod(Strict):
    start: date = Field(description="The first day of the period (the day after the previous)")
    end: date = Field(description="The last day: the day the next schedule is announced")
    announced: date = Field(description="When the Desk announced the period's schedule")
    rmp: float | None = Field(
        None,
        ge=0,
        le=1000,
        description="Reserve management purchases announced for the period, bn USD (leave out "
        "where no public statement gives one)",
    )
    source: str | None = Field(
        None, description="The address of the public statement giving `rmp` (http or https)"
    )
    note: str | None = Field(None, max_length=300, description="What the statement said")

    @field_validator("source")
    @classmethod
    def _source(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)


class DeskTable(Strict):
    """Which quantities the periods table (``data/fed-bills-periods.csv``) reads."""

    indicator: str = Field(description="The indicator whose page shows the periods table")
    bought: str = Field(description="Its quantity of bills bought per period (desk_period sum)")
    reinvested: str = Field(
        description="Its quantity of agency principal reinvested per period (desk_period fall)"
    )
    checks: dict[str, str] = Field(
        default_factory=dict,
        description="Cross-checks: a column name -> indicator.quantity, a level in bn USD whose "
        "change over each period is published beside the purchases (e.g. Treasury holdings)",
    )

    @property
    def file_name(self) -> str:
        """``<indicator>-periods``: the table's CSV under data/ and JSON under api/. Named here,
        not in publish/, so ``check`` can refuse an indicator id that would share the name."""
        return f"{self.indicator}-periods"


class DeskConfig(Strict):
    """The Desk's purchase periods and the rule that continues them."""

    table: DeskTable | None = Field(
        None, description="The periods table on the indicator's page, its CSV and JSON"
    )

    announce_business_day: int = Field(
        9,
        ge=1,
        le=20,
        description="The schedule is announced on this business day of each month (Federal "
        "Reserve holidays excluded); a derived period ends on it",
    )
    boundary_days: int = Field(
        2,
        ge=0,
        le=7,
        description="No operation may fall within this many days of a period boundary (the "
        "last days of one period, the first of the next); `check` fails if one does, because "
        "the Desk would then have changed its rhythm",
    )
    periods: list[DeskPeriod] = Field(
        min_length=1, description="The periods known so far, oldest first"
    )


def desk_problems(doc: Located, desk: DeskConfig, where: str) -> list[str]:
    """Periods that overlap, leave a gap, end before they start or start before announced."""
    problems: list[str] = []
    for index, period in enumerate(desk.periods):
        base = ("desk", "periods", index)
        label = f"desk period #{index + 1} ({period.start.isoformat()})"

        def report(
            field: str, message: str, _base: tuple[object, ...] = base, _label: str = label
        ) -> None:
            problems.append(
                f"{where}:{doc.line(_base + (field,))}: {_label}, field {field!r}: {message}"
            )

        if period.end < period.start:
            report("end", f"{period.end.isoformat()} is before the start")
        if period.announced > period.start:
            report("announced", f"{period.announced.isoformat()} is after the period starts")
        if period.rmp is not None and period.source is None:
            report("rmp", "an announced amount needs the `source:` address that states it")
        if index:
            previous = desk.periods[index - 1]
            expected = previous.end + timedelta(days=1)
            if period.start != expected:
                kind = "overlaps the previous period" if period.start < expected else "leaves a gap"
                report(
                    "start",
                    f"{kind}: the previous period ends on {previous.end.isoformat()}, so this one "
                    f"starts on {expected.isoformat()}",
                )
    return problems

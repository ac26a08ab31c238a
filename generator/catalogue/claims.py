"""The article's claims as data: ``claims:`` in ``indicators.yml``.

A claim names a *test* (a measurement ``measure/claims.py`` knows how to make), the quantities
that test reads (``indicator.quantity``, checked by ``check`` with the line), and its rule in
the ``when:`` grammar over the test's outputs. It is judged twice: on what had been published
by the day the article was written (``written:``) and on the whole snapshot, because a reader
asks two different questions: was the article right when it was written, and is it still?

The tests' inputs and outputs are declared here, not in ``measure``, so that ``check`` can
validate a claim without running anything (and the catalogue imports no later stage); a test
in ``tests/test_claims.py`` keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import Field, field_validator

from generator.catalogue.grammar import INDICATOR_ID, Strict

# A parameter's value as YAML gives it (``ClaimConfig.params``).
ParamValue = float | date | str | list[str]
# What a parameter holds: a whole number (months, weeks, a year), a number, a day (a date, or
# for ``since`` an event id of events.yml) or a list of names (series ids, event ids).
ParamKind = Literal["whole", "number", "day", "names"]


@dataclass(frozen=True)
class Param:
    """One parameter of a test: its name, what it holds and its default. ``default=None``
    means the test's own data decides (``since``: from the first observation)."""

    name: str
    kind: ParamKind
    default: ParamValue | None = None

    def problem(self, value: object) -> str | None:
        """Why ``value`` cannot be this parameter (None when it can)."""
        if self.kind == "whole" and not (
            isinstance(value, int | float) and not isinstance(value, bool) and value == int(value)
        ):
            return f"expected a whole number, got {value!r}"
        if self.kind == "number" and (
            not isinstance(value, int | float) or isinstance(value, bool)
        ):
            return f"expected a number, got {value!r}"
        if self.kind == "day" and not isinstance(value, date | str):
            return f"expected a date YYYY-MM-DD, got {value!r}"
        if self.kind == "names" and not isinstance(value, list):
            return f"expected a list of names, got {value!r}"
        return None


@dataclass(frozen=True)
class ClaimTest:
    """What a test reads (roles, each bound to ``indicator.quantity`` by a claim), what it
    outputs (names a rule and the evidence sentence may use) and the parameters it takes,
    with their kinds and defaults (the one home of both: ``measure/claims.py`` reads them
    through ``arguments``)."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    params: tuple[Param, ...] = ()
    describe: str = ""

    @property
    def param_names(self) -> list[str]:
        return [p.name for p in self.params]

    def arguments(self, given: dict[str, ParamValue]) -> dict[str, ParamValue | None]:
        """Every parameter of the test: the claim's value, else the declared default."""
        found = {p.name: given.get(p.name, p.default) for p in self.params}
        return {k: list(v) if isinstance(v, list) else v for k, v in found.items()}


# Output names shared by the lead/lag tests: the exploratory scan, then the primary test.
_LADDER = (
    "n",
    "detectable_r",
    "significant",
    "strongest_r",
    "strongest_lag",
    "primary_n",
    "primary_r",
    "primary_p",
    "primary_detectable_r",
)

TESTS: dict[str, ClaimTest] = {
    "monthly_pace": ClaimTest(
        inputs=("flows",),
        outputs=("pace", "average", "complete", "partial", "start", "last_month"),
        params=(Param("months", "whole", 3),),
        describe=(
            "Sums flows by calendar month. The month purchases began and the month still under "
            "way are partial and left out; a complete month with no flow counts as zero. "
            "pace: mean of the last `months` complete months; average: mean of every complete "
            "month; complete: how many complete months; partial: the month under way so far; "
            "start: the first (partial) month; last_month: the last complete month's sum."
        ),
    ),
    "desk_pace": ClaimTest(
        inputs=("rmp", "flows", "level"),
        outputs=(
            "pace",
            "complete",
            "last_rmp",
            "announced",
            "underway_bought",
            "underway_rmp",
            "underway_share",
            "underway_expected",
        ),
        params=(Param("periods", "whole", 3),),
        describe=(
            "Reserve management purchases per Desk period (desk:): rmp is the per-period "
            "quantity (bills bought less agency principal reinvested), flows the operations, "
            "level the MBS held. pace: mean RMP of the last `periods` complete periods; "
            "complete: how many complete periods; last_rmp: the last one's. For the period under "
            "way on the day judged: announced, the RMP the Desk had announced for it (missing "
            "when no statement had); underway_bought, the bills bought in it so far; "
            "underway_rmp, those less the MBS fall so far; underway_share, the percent of its "
            "days gone; underway_expected, announced times that share. A period under way is "
            "judged on its pace, not dropped."
        ),
    ),
    "level_trend": ClaimTest(
        inputs=("level", "move"),
        outputs=(
            "level",
            "change_since",
            "weeks_since",
            "change_26w",
            "change_13w",
            "pct_regime",
            "move",
            "moves_since",
            "moves_26w",
            "moves_13w",
        ),
        params=(Param("since", "day"), Param("regime_from", "day")),
        describe=(
            "A level's change since a date (the last observation before it; weeks_since: "
            "over how many weeks), over 26 and 13 weeks, and its percentile among "
            "observations since `regime_from`. move is the latest value of the `move` input, "
            "the size of an ordinary move (e.g. the standard deviation of weekly changes); "
            "moves_since, moves_26w and moves_13w are the three changes in those moves, so a "
            "rule can call a change of less than one ordinary move flat."
        ),
    ),
    "spread_sign": ClaimTest(
        inputs=("mean", "days"),
        outputs=("mean", "days"),
        describe="The latest values of a rolling mean and of a count of days above zero.",
    ),
    "negative_months": ClaimTest(
        inputs=("change",),
        outputs=("negative", "known", "worst"),
        params=(Param("year", "whole", 2025),),
        describe=(
            "Months of `year` with a negative change (negative), how many of its months were "
            "published (known) and the largest fall (worst)."
        ),
    ),
    "percentile_low": ClaimTest(
        inputs=("value", "percentile"),
        outputs=("value", "percentile", "low"),
        describe="The latest value and percentile, and the lowest value so far (low).",
    ),
    "peak_order": ClaimTest(
        inputs=("driver",),
        outputs=(*_LADDER, "ordered", "lag_1", "lag_2", "lag_3", "r_1", "r_2", "r_3"),
        params=(Param("assets", "names", []),),
        describe=(
            "Lead/lag correlations of the driver's weekly change with each asset's weekly "
            "returns 0-12 weeks later, on ONE common sample of weeks for all `assets`. "
            "ordered is 1 when the significant peak lags rise in the listed order; lag_i and "
            "r_i are asset i's peak lag and correlation; detectable_r is the |r| found with 80% "
            "power (Bonferroni over 13 lags) with n weeks. The primary test, stated before "
            "that scan: primary_r and primary_p (HAC) of the weekly change against the "
            "`assets`' pooled cumulative return over weeks 1-5, on primary_n weeks; "
            "primary_detectable_r is the |r| it finds with 80% power at 5%."
        ),
    ),
    "peak_window": ClaimTest(
        inputs=("driver",),
        outputs=(*_LADDER, "inside", "assets", "share"),
        params=(
            Param("assets", "names", []),
            Param("low", "number", 1),
            Param("high", "number", 5),
        ),
        describe=(
            "As peak_order, but counts the assets whose significant peak lag lies between "
            "`low` and `high` weeks (inside) out of all `assets`, and inside / assets in percent."
        ),
    ),
    "fall_first": ClaimTest(
        inputs=("driver", "turns"),
        outputs=(
            "events",
            "fell",
            "share",
            "p_value",
            "base",
            "policy_events",
            "policy_fell",
            "policy_share",
            "policy_p_value",
            "policy_needed",
        ),
        params=(
            Param("assets", "names", []),
            Param("weeks", "whole", 2),
            Param("events", "names", []),
            Param("effect", "number", 75),
        ),
        describe=(
            "Easing starts in two groups. The Fed's policy easing starts: the events of "
            "events.yml of kind policy marked `easing: true` (and any ids named in `events`), "
            "on their dates. The upturns of `turns` in the data, each entered on the Friday "
            "after the Thursday release that confirmed it. For each group: events counts those "
            "with `weeks` of prices after them, fell those after which most assets were lower, "
            "share = fell / events in percent, p_value = one-sided binomial test of fell "
            "against base (prefixed policy_ for the policy group); base = the percent of all "
            "spans of `weeks` since 2015 after which most assets were lower; policy_needed = "
            "the fewest events with which that test (p below 0.10) would find, 80% of the time, "
            "most assets lower after `effect` percent of the starts (default 75)."
        ),
    ),
}


class ClaimConfig(Strict):
    id: str = Field(description="Stable id, e.g. sofr-above-iorb (the CSV and links use it)")
    text: str = Field(description="The claim as the article makes it")
    test: str = Field(description="The measurement that tests it: " + ", ".join(TESTS))
    reads: dict[str, str] = Field(
        default_factory=dict,
        description="The test's inputs, each bound to indicator.quantity (reserves.reserves)",
    )
    params: dict[str, ParamValue] = Field(default_factory=dict, description="The test's parameters")
    supported: str = Field(description="When the claim is supported, over the test's outputs")
    not_supported: str | None = Field(
        None,
        description="When it is not supported; omitted: whenever `supported` does not hold. "
        "If neither holds the verdict is inconclusive.",
    )
    inconclusive: str | None = Field(
        None, description="Checked first: when the data cannot decide (too few months, power)"
    )
    needs: list[str] = Field(
        default_factory=list, description="Outputs that must exist, else 'not testable'"
    )
    rule: str = Field(description="The rule in plain words, shown next to the verdict")
    evidence: str = Field(description="The evidence sentence; {{ name }} inserts an output")
    why_inconclusive: str | None = Field(
        None, description="The reason shown when the verdict is inconclusive"
    )

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not INDICATOR_ID.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid id: use lowercase letters, digits and '-'")
        return value

    def conditions(self) -> dict[str, str]:
        """The rule's conditions by field name (for check and the judge)."""
        found = {"supported": self.supported}
        if self.not_supported:
            found["not_supported"] = self.not_supported
        if self.inconclusive:
            found["inconclusive"] = self.inconclusive
        return found


class ClaimsConfig(Strict):
    """The article's claims and the day it was written."""

    written: date = Field(description="When the article was written: claims are judged then too")
    items: list[ClaimConfig] = Field(min_length=1, description="The claims, in page order")

"""The checks that need the whole catalogue: names that refer to other names.

Pydantic validates each field alone; here every reference is resolved (series used by
formulas, quantities used by cards, charts, rules, the regime and the ladder), each failure
worded with its line and the nearest valid name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from generator.catalogue import conditions
from generator.catalogue.claims import TESTS, ClaimConfig, ClaimTest
from generator.catalogue.declared import (
    check_attribution,
    check_groups,
    check_ladder_assets,
    check_nowcast,
)
from generator.catalogue.desk import desk_problems
from generator.catalogue.formulas import DeskPeriodOp, ScaleOp, SeriesOp, nodes, references
from generator.catalogue.grammar import SERIES_ID
from generator.catalogue.messages import display, suggest
from generator.catalogue.models import Config, Event, IndicatorConfig
from generator.catalogue.sentences import sentence_problem
from generator.catalogue.yaml_lines import Located


@dataclass
class Reporter:
    """Collects problems worded "<file>:<line>: <message>", the line looked up from a YAML path."""

    doc: Located
    problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def where(self) -> str:
        return display(self.doc.path)

    def at(self, path: tuple[object, ...], message: str) -> None:
        self.problems.append(f"{self.where}:{self.doc.line(path)}: {message}")

    def extend(self, problems: list[str]) -> None:
        self.problems += problems

    def scope(self, base: tuple[object, ...], label: str) -> Scope:
        return Scope(self, base, label)


@dataclass
class Scope:
    """One entry (an indicator, a claim): its problems read "<label>, field '<field>': ..."."""

    reporter: Reporter
    base: tuple[object, ...]
    label: str

    def report(self, loc: tuple[object, ...], field: str, message: str) -> None:
        self.reporter.at(self.base + loc, f"{self.label}, field {field!r}: {message}")


def cross_check(
    doc: Located,
    config: Config,
    events: Sequence[Event] | None = None,
) -> list[str]:
    """The checks that need the whole file: references, duplicates, conditions."""
    reporter = Reporter(doc)
    _check_series(reporter, config)
    _check_releases(reporter, config)
    _check_indicators(reporter, config)
    _check_regime(reporter, config)
    _check_ladder(reporter, config, events)
    check_groups(reporter, config)
    check_ladder_assets(reporter, config)
    check_attribution(reporter, config)
    check_nowcast(reporter, config)
    reporter.extend(claim_problems(doc, config, events))
    reporter.extend(answer_problems(doc, config))
    _check_desk(reporter, config)
    return reporter.problems


def _check_series(reporter: Reporter, config: Config) -> None:
    for series_id in sorted(config.series):
        if not SERIES_ID.fullmatch(series_id):
            reporter.at(
                ("series", series_id),
                f"series id {series_id!r} is malformed: use upper-case A-Z, 0-9, '_', '-' and "
                "'.' (as the source spells it)",
            )
            continue
        try:
            config.series[series_id].fetcher(series_id)
        except ValueError as error:
            reporter.at(
                ("series", series_id, "source"), f"series {series_id!r}, field 'source': {error}"
            )


def _check_releases(reporter: Reporter, config: Config) -> None:
    """Each series' `release:` names one declared under `releases:`."""
    release_ids = sorted(config.releases)
    for series_id, spec in config.series.items():
        if spec.release is not None and spec.release not in config.releases:
            reporter.at(
                ("series", series_id, "release"),
                f"series {series_id!r}, field 'release': "
                f"{suggest('release', spec.release, release_ids)} (declare it under releases:)",
            )


def _check_indicators(reporter: Reporter, config: Config) -> None:
    seen: dict[str, int] = {}
    for index, indicator in enumerate(config.indicators):
        scope = reporter.scope(("indicators", index), f"indicator {indicator.id!r}")
        if indicator.id in seen:
            scope.report(
                ("id",), "id", f"duplicate id: already used by indicator #{seen[indicator.id] + 1}"
            )
        seen.setdefault(indicator.id, index)
        _check_formulas(scope, indicator, config)
        _check_card_and_chart(scope, indicator, config)
        _check_status(scope, indicator)


def _check_formulas(scope: Scope, indicator: IndicatorConfig, config: Config) -> None:
    """Each formula reads series or quantities defined above it."""
    series_ids = sorted(config.series)
    defined: list[str] = []
    for name, quantity in indicator.quantities.items():
        for ref in references(quantity.formula):
            if ref in defined or ref in config.series:
                continue
            hint = (
                "quantities can only use quantities defined above them"
                if ref in indicator.quantities
                else suggest("series or quantity", ref, series_ids + defined)
            )
            scope.report(("quantities", name, "formula"), f"quantities.{name}.formula", hint)
        defined.append(name)


def _check_card_and_chart(scope: Scope, indicator: IndicatorConfig, config: Config) -> None:
    """The card and chart name quantities; a chart never plots a series it may not redistribute."""
    names = list(indicator.quantities)
    for card_field, card_ref in (
        ("card.value", indicator.card.value),
        ("card.change", indicator.card.change),
        ("card.percentile", indicator.card.percentile),
    ):
        if card_ref is not None and card_ref not in indicator.quantities:
            scope.report(
                tuple(card_field.split(".")), card_field, suggest("quantity", card_ref, names)
            )
    for position, ref in enumerate(indicator.chart.plot):
        if ref not in indicator.quantities:
            scope.report(("chart", "plot", position), "chart.plot", suggest("quantity", ref, names))
            continue
        owner = raw_level_of(indicator.quantities[ref].formula, indicator, config)
        if owner is not None and not config.series[owner].redistribute:
            scope.report(
                ("chart", "plot", position),
                "chart.plot",
                f"quantity {ref!r} is the raw level of {owner!r}, whose owner's terms forbid "
                "redistribution (redistribute: false): plot a derived quantity instead",
            )


def _check_status(scope: Scope, indicator: IndicatorConfig) -> None:
    """Status rules: a sentence and a condition over the indicator's quantities."""
    names = list(indicator.quantities)
    for position, rule in enumerate(indicator.status):
        problem = sentence_problem(rule.say, names)
        if problem:
            scope.report(("status", position, "say"), f"status[{position}].say", problem)
        loc = ("status", position, "when")
        try:
            used = conditions.parse(rule.when).names
        except conditions.ConditionError as exc:
            scope.report(loc, f"status[{position}].when", str(exc))
            continue
        for name in sorted(used - set(names)):
            scope.report(loc, f"status[{position}].when", suggest("quantity", name, names))


def _check_regime(reporter: Reporter, config: Config) -> None:
    if config.regime is None:
        return
    for position, item in enumerate(config.regime.inputs):
        problem = _quantity_problem(config, item.indicator, item.quantity, "inputs.")
        if problem:
            reporter.at(("regime", "inputs", position), f"regime, {problem}")


def _check_ladder(reporter: Reporter, config: Config, events: Sequence[Event] | None) -> None:
    ladder = config.ladder
    if ladder is None:
        return
    for field, name in (("level", ladder.level), ("change", ladder.change)):
        problem = _quantity_problem(config, ladder.indicator, name, "", field)
        if problem:
            reporter.at(("ladder", field), f"ladder, {problem}")
    _check_ladder_drivers(reporter, config)
    if events is None:
        return
    ids = [e.id for e in events if e.id]
    for position, event_id in enumerate(ladder.events):
        if event_id not in ids:
            message = suggest("event id", event_id, ids) + " (give the event an id: in events.yml)"
            reporter.at(("ladder", "events", position), f"ladder, field 'events': {message}")


def _check_ladder_drivers(reporter: Reporter, config: Config) -> None:
    """`ladder: also:`: each driver's level quantity, and its assets among the series."""
    if config.ladder is None:
        return
    for position, driver in enumerate(config.ladder.also):
        problem = _quantity_problem(config, driver.indicator, driver.level, "", "level")
        if problem:
            reporter.at(
                ("ladder", "also", position, "level"), f"ladder, also[{position}], {problem}"
            )
        for index, asset in enumerate(driver.assets):
            if asset not in config.series:
                message = suggest("series", asset, list(config.series))
                reporter.at(
                    ("ladder", "also", position, "assets", index),
                    f"ladder, also[{position}].assets: {message}",
                )


def _check_desk(reporter: Reporter, config: Config) -> None:
    """The desk section, its table, and every formula that needs the Desk's periods."""
    if config.desk is not None:
        reporter.extend(desk_problems(reporter.doc, config.desk, reporter.where))
        reporter.extend(_desk_table_problems(reporter.doc, config, reporter.where))
    for index, indicator in enumerate(config.indicators):
        for name, quantity in indicator.quantities.items():
            uses_desk = any(isinstance(n, DeskPeriodOp) for n in nodes(quantity.formula))
            if config.desk is None and uses_desk:
                reporter.at(
                    ("indicators", index, "quantities", name, "formula"),
                    f"indicator {indicator.id!r}, field 'quantities.{name}.formula': op "
                    "desk_period needs the Desk's periods: add a `desk:` section (see the Config "
                    "reference)",
                )


def _desk_table_problems(doc: Located, config: Config, where: str) -> list[str]:
    table = config.desk.table if config.desk is not None else None
    if table is None:
        return []
    problems = []
    for field, name in (("bought", table.bought), ("reinvested", table.reinvested)):
        problem = _quantity_problem(config, table.indicator, name, "", field)
        if problem:
            line = doc.line(("desk", "table", field))
            problems.append(f"{where}:{line}: desk table, {problem}")
    for column, ref in table.checks.items():
        indicator, _, quantity = ref.partition(".")
        problem = _quantity_problem(config, indicator, quantity, "checks.", column)
        if problem:
            line = doc.line(("desk", "table", "checks", column))
            problems.append(f"{where}:{line}: desk table, {problem}")
    for index, taken in enumerate(config.indicators):
        if taken.id == table.file_name:
            line = doc.line(("indicators", index, "id"))
            problems.append(
                f"{where}:{line}: indicator {taken.id!r}, field 'id': {taken.id!r} is the "
                f"name of the Desk's periods table (data/{table.file_name}.csv); choose another id"
            )
    return problems


def _quantity_problem(
    config: Config, indicator_id: str, quantity: str, prefix: str, field: str = "quantity"
) -> str | None:
    """ "field '<prefix>indicator': unknown indicator ..." or the same for the quantity, or None."""
    try:
        target = config.indicator(indicator_id)
    except KeyError:
        ids = [i.id for i in config.indicators]
        return f"field '{prefix}indicator': {suggest('indicator', indicator_id, ids)}"
    if quantity not in target.quantities:
        message = suggest("quantity", quantity, list(target.quantities))
        return f"field '{prefix}{field}': {message}"
    return None


def raw_level_of(operand: object, indicator: IndicatorConfig, config: Config) -> str | None:
    """The series a quantity merely copies or rescales, if any (its data would be the raw level)."""
    if isinstance(operand, str):
        if operand in config.series:
            return operand
        quantity = indicator.quantities.get(operand)
        return raw_level_of(quantity.formula, indicator, config) if quantity else None
    if isinstance(operand, SeriesOp):
        return operand.id
    if isinstance(operand, ScaleOp):
        return raw_level_of(operand.of, indicator, config)
    return None


def series_used(indicator: IndicatorConfig, config: Config) -> list[str]:
    """The series an indicator reads, in first-use order."""
    used: list[str] = []
    for quantity in indicator.quantities.values():
        for ref in references(quantity.formula):
            if ref in config.series and ref not in used:
                used.append(ref)
    return used


def claim_problems(
    doc: Located, config: Config, events: Sequence[Event] | None = None
) -> list[str]:
    """Every name a claim uses, resolved: its test, the ``indicator.quantity`` each input reads,
    its parameters, the outputs its conditions and its evidence sentence use."""
    if config.claims is None:
        return []
    reporter = Reporter(doc)
    seen: set[str] = set()
    for index, claim in enumerate(config.claims.items):
        scope = reporter.scope(("claims", "items", index), f"claim {claim.id!r}")
        if claim.id in seen:
            scope.report(("id",), "id", "duplicate id")
        seen.add(claim.id)
        test = TESTS.get(claim.test)
        if test is None:
            scope.report(("test",), "test", suggest("test", claim.test, sorted(TESTS)))
            continue
        _check_claim_reads(scope, claim, test, config)
        _check_claim_params(scope, claim, test, config, events)
        _check_claim_outputs(scope, claim, test)
    return reporter.problems


def _check_claim_reads(scope: Scope, claim: ClaimConfig, test: ClaimTest, config: Config) -> None:
    """Each input the test needs is read, from an existing ``indicator.quantity``."""
    for role in sorted(set(test.inputs) - set(claim.reads)):
        scope.report(("reads",), "reads", f"test {claim.test!r} needs input {role!r}")
    for role, ref in claim.reads.items():
        if role not in test.inputs:
            scope.report(("reads", role), "reads", suggest("input", role, list(test.inputs)))
            continue
        indicator, _, quantity = ref.partition(".")
        problem = _quantity_problem(config, indicator, quantity, "reads.")
        if problem:
            names = _quantities_of(config, indicator)
            known = f" (it has {', '.join(names)})" if names else ""
            scope.report(
                ("reads", role),
                f"reads.{role}",
                f"{ref!r}: {problem.split(': ', 1)[-1]}{known}; write indicator.quantity",
            )


def _check_claim_params(
    scope: Scope,
    claim: ClaimConfig,
    test: ClaimTest,
    config: Config,
    events: Sequence[Event] | None,
) -> None:
    """Parameters the test declares, of the kind it declares; the series and events they name
    exist."""
    for name in sorted(set(claim.params) - set(test.param_names)):
        scope.report(("params", name), "params", suggest("parameter", name, test.param_names))
    for param in test.params:
        problem = param.problem(claim.params[param.name]) if param.name in claim.params else None
        if problem:
            scope.report(("params", param.name), f"params.{param.name}", problem)
    assets = claim.params.get("assets", [])
    for asset in assets if isinstance(assets, list) else [assets]:
        if str(asset) not in config.series:
            scope.report(
                ("params", "assets"),
                "params.assets",
                suggest("series", str(asset), sorted(config.series)),
            )
    ids = [e.id for e in events or [] if e.id]
    named = claim.params.get("events", [])
    for event_id in named if isinstance(named, list) and events is not None else []:
        if event_id not in ids:
            scope.report(("params", "events"), "params.events", suggest("event id", event_id, ids))
    since = claim.params.get("since")
    if isinstance(since, str) and events is not None and since not in ids:
        scope.report(("params", "since"), "params.since", suggest("event id", since, ids))


def _check_claim_outputs(scope: Scope, claim: ClaimConfig, test: ClaimTest) -> None:
    """Conditions, needs and sentences use only the outputs the test computes."""
    outputs = list(test.outputs)
    for field, text in claim.conditions().items():
        try:
            used = conditions.parse(text).names
        except conditions.ConditionError as exc:
            scope.report((field,), field, str(exc))
            continue
        for name in sorted(used - set(outputs)):
            scope.report((field,), field, suggest("output", name, outputs))
    for name in claim.needs:
        if name not in outputs:
            scope.report(("needs",), "needs", suggest("output", name, outputs))
    for field in ("evidence", "why_inconclusive"):
        text = getattr(claim, field)
        problem = sentence_problem(text, outputs) if text else None
        if problem:
            scope.report((field,), field, problem)


def _quantities_of(config: Config, indicator_id: str) -> list[str]:
    try:
        return list(config.indicator(indicator_id).quantities)
    except KeyError:
        return []


def answer_problems(doc: Located, config: Config) -> list[str]:
    """Every name the answer uses: each read's ``indicator.quantity``, and the names its
    conditions and sentences use, which must be reads."""
    if config.answer is None:
        return []
    where = display(doc.path)
    problems: list[str] = []
    names = list(config.answer.reads)
    for name, ref in config.answer.reads.items():
        indicator, _, quantity = ref.partition(".")
        problem = _quantity_problem(config, indicator, quantity, "reads.")
        if problem:
            line = doc.line(("answer", "reads", name))
            problems.append(
                f"{where}:{line}: answer, field 'reads.{name}': {ref!r}: "
                f"{problem.split(': ', 1)[-1]}; write indicator.quantity"
            )
    for index, part in enumerate(config.answer.parts):
        for position, rule in enumerate(part.rules):
            base = ("answer", "parts", index, "rules", position)
            field = f"parts[{index}].rules[{position}]"
            problem = sentence_problem(rule.say, names)
            if problem:
                line = doc.line((*base, "say"))
                problems.append(
                    f"{where}:{line}: answer {part.id!r}, field '{field}.say': {problem}"
                )
            try:
                used = conditions.parse(rule.when).names
            except conditions.ConditionError as exc:
                line = doc.line((*base, "when"))
                problems.append(f"{where}:{line}: answer {part.id!r}, field '{field}.when': {exc}")
                continue
            for name in sorted(used - set(names)):
                line = doc.line((*base, "when"))
                message = suggest("name", name, names) + " (add it to answer.reads)"
                problems.append(
                    f"{where}:{line}: answer {part.id!r}, field '{field}.when': {message}"
                )
    return problems

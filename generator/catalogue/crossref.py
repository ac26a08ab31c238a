"""The checks that need the whole catalogue: names that refer to other names.

Pydantic validates each field alone; here every reference is resolved (series used by
formulas, quantities used by cards, charts, rules, the regime and the ladder), each failure
worded with its line and the nearest valid name.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.catalogue import conditions
from generator.catalogue.claims import TESTS
from generator.catalogue.desk import desk_problems
from generator.catalogue.formulas import DeskPeriodOp, ScaleOp, SeriesOp, nodes, references
from generator.catalogue.grammar import SERIES_ID
from generator.catalogue.messages import display, suggest
from generator.catalogue.models import Config, Event, IndicatorConfig
from generator.catalogue.sentences import sentence_problem
from generator.catalogue.yaml_lines import Located


def cross_check(
    doc: Located,
    config: Config,
    events: Sequence[Event] | None = None,
) -> list[str]:
    """The checks that need the whole file: references, duplicates, conditions."""
    where = display(doc.path)
    problems: list[str] = []
    seen: dict[str, int] = {}
    series_ids = sorted(config.series)
    for series_id in series_ids:
        if not SERIES_ID.fullmatch(series_id):
            problems.append(
                f"{where}:{doc.line(('series', series_id))}: series id {series_id!r} is "
                "malformed: use upper-case A-Z, 0-9, '_', '-' and '.' (as the source spells it)"
            )
            continue
        spec = config.series[series_id]
        try:
            spec.fetcher(series_id)
        except ValueError as error:
            line = doc.line(("series", series_id, "source"))
            problems.append(f"{where}:{line}: series {series_id!r}, field 'source': {error}")
    release_ids = sorted(config.releases)
    for series_id, spec in config.series.items():
        if spec.release is not None and spec.release not in config.releases:
            problems.append(
                f"{where}:{doc.line(('series', series_id, 'release'))}: series {series_id!r}, "
                f"field 'release': {suggest('release', spec.release, release_ids)} "
                "(declare it under releases:)"
            )
    for index, indicator in enumerate(config.indicators):
        base = ("indicators", index)
        label = f"indicator {indicator.id!r}"

        def report(
            loc: tuple[object, ...],
            field: str,
            message: str,
            _base: tuple[object, ...] = base,
            _label: str = label,
        ) -> None:
            problems.append(
                f"{where}:{doc.line(_base + loc)}: {_label}, field {field!r}: {message}"
            )

        if indicator.id in seen:
            report(
                ("id",), "id", f"duplicate id: already used by indicator #{seen[indicator.id] + 1}"
            )
        seen.setdefault(indicator.id, index)
        defined: list[str] = []
        for name, quantity in indicator.quantities.items():
            for ref in references(quantity.formula):
                if ref in defined:
                    continue
                if ref in config.series:
                    continue
                later = ref in indicator.quantities
                hint = (
                    "quantities can only use quantities defined above them"
                    if later
                    else suggest("series or quantity", ref, series_ids + defined)
                )
                report(("quantities", name, "formula"), f"quantities.{name}.formula", hint)
            defined.append(name)
        names = list(indicator.quantities)
        for card_field, card_ref in (
            ("card.value", indicator.card.value),
            ("card.change", indicator.card.change),
            ("card.percentile", indicator.card.percentile),
        ):
            if card_ref is not None and card_ref not in indicator.quantities:
                report(
                    tuple(card_field.split(".")), card_field, suggest("quantity", card_ref, names)
                )
        for position, ref in enumerate(indicator.chart.plot):
            if ref not in indicator.quantities:
                report(("chart", "plot", position), "chart.plot", suggest("quantity", ref, names))
                continue
            owner = raw_level_of(indicator.quantities[ref].formula, indicator, config)
            if owner is not None and not config.series[owner].redistribute:
                report(
                    ("chart", "plot", position),
                    "chart.plot",
                    f"quantity {ref!r} is the raw level of {owner!r}, whose owner's terms forbid "
                    "redistribution (redistribute: false): plot a derived quantity instead",
                )
        for position, rule in enumerate(indicator.status):
            problem = sentence_problem(rule.say, names)
            if problem:
                report(("status", position, "say"), f"status[{position}].say", problem)
            loc = ("status", position, "when")
            try:
                used = conditions.parse(rule.when).names
            except conditions.ConditionError as exc:
                report(loc, f"status[{position}].when", str(exc))
                continue
            for name in sorted(used - set(names)):
                report(loc, f"status[{position}].when", suggest("quantity", name, names))
    if config.regime is not None:
        for position, item in enumerate(config.regime.inputs):
            problem = _quantity_problem(config, item.indicator, item.quantity, "inputs.")
            if problem:
                line = doc.line(("regime", "inputs", position))
                problems.append(f"{where}:{line}: regime, {problem}")
    if config.ladder is not None:
        ladder = config.ladder
        for field, name in (("level", ladder.level), ("change", ladder.change)):
            problem = _quantity_problem(config, ladder.indicator, name, "", field)
            if problem:
                problems.append(f"{where}:{doc.line(('ladder', field))}: ladder, {problem}")
        for position, driver in enumerate(ladder.also):
            problem = _quantity_problem(config, driver.indicator, driver.level, "", "level")
            if problem:
                line = doc.line(("ladder", "also", position, "level"))
                problems.append(f"{where}:{line}: ladder, also[{position}], {problem}")
            for index, asset in enumerate(driver.assets):
                if asset not in config.series:
                    line = doc.line(("ladder", "also", position, "assets", index))
                    message = suggest("series", asset, list(config.series))
                    problems.append(f"{where}:{line}: ladder, also[{position}].assets: {message}")
        if events is not None:
            ids = [e.id for e in events if e.id]
            for position, event_id in enumerate(ladder.events):
                if event_id not in ids:
                    line = doc.line(("ladder", "events", position))
                    message = (
                        suggest("event id", event_id, ids)
                        + " (give the event an id: in events.yml)"
                    )
                    problems.append(f"{where}:{line}: ladder, field 'events': {message}")
    problems += declared_list_problems(doc, config, where)
    problems += claim_problems(doc, config, events)
    problems += answer_problems(doc, config)
    if config.desk is not None:
        problems += desk_problems(doc, config.desk, where)
        problems += _desk_table_problems(doc, config, where)
    for index, indicator in enumerate(config.indicators):
        for name, quantity in indicator.quantities.items():
            uses_desk = any(isinstance(n, DeskPeriodOp) for n in nodes(quantity.formula))
            if config.desk is None and uses_desk:
                line = doc.line(("indicators", index, "quantities", name, "formula"))
                problems.append(
                    f"{where}:{line}: indicator {indicator.id!r}, field "
                    f"'quantities.{name}.formula': op desk_period needs the Desk's periods: "
                    "add a `desk:` section (see the Config reference)"
                )
    return problems


def declared_list_problems(doc: Located, config: Config, where: str) -> list[str]:
    """What used to be lists in code, now in the catalogue: each indicator's `group:` against
    `groups:`, the ladder's assets and the attribution's series against `series:`, and the
    attribution's pages against the indicator ids. A name the build would otherwise drop (an
    asset left off the ladder, a card in no home section) is refused here, with its line."""
    problems: list[str] = []
    series_ids = sorted(config.series)
    groups = list(dict.fromkeys(g.id for g in config.groups))
    for position, group in enumerate(config.groups):
        if group.id in [g.id for g in config.groups[:position]]:
            line = doc.line(("groups", position, "id"))
            problems.append(f"{where}:{line}: groups, field 'id': duplicate group {group.id!r}")
    for index, indicator in enumerate(config.indicators):
        if indicator.group not in groups:
            line = doc.line(("indicators", index, "group"))
            problems.append(
                f"{where}:{line}: indicator {indicator.id!r}, field 'group': "
                f"{suggest('group', indicator.group, groups)} (the declared groups are "
                f"{', '.join(groups)}; declare it in groups: to add a home section)"
            )
    if config.ladder is not None:
        seen: list[str] = []
        for position, asset in enumerate(config.ladder.assets):
            line = doc.line(("ladder", "assets", position, "series"))
            if asset.series not in config.series:
                problems.append(
                    f"{where}:{line}: ladder, field 'assets[{position}].series': "
                    f"{suggest('series', asset.series, series_ids)} (declare its prices in "
                    "series: first)"
                )
            elif asset.series in seen:
                problems.append(
                    f"{where}:{line}: ladder, field 'assets[{position}].series': "
                    f"{asset.series!r} is listed twice; each asset once, in the article's order"
                )
            seen.append(asset.series)
    parts = config.attribution.series
    for part, series_id in (
        ("reserves", parts.reserves),
        ("fed_assets", parts.fed_assets),
        ("tga", parts.tga),
        ("rrp", parts.rrp),
    ):
        if series_id not in config.series:
            line = doc.line(("attribution", "series", part))
            problems.append(
                f"{where}:{line}: attribution, field 'series.{part}': "
                f"{suggest('series', series_id, series_ids)} (name a series declared in series:)"
            )
    ids = [i.id for i in config.indicators]
    for position, page in enumerate(config.attribution.pages):
        if page not in ids:
            line = doc.line(("attribution", "pages", position))
            problems.append(
                f"{where}:{line}: attribution, field 'pages': {suggest('indicator', page, ids)}"
            )
    return problems


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
    where = display(doc.path)
    problems: list[str] = []
    seen: set[str] = set()
    for index, claim in enumerate(config.claims.items):
        base = ("claims", "items", index)

        def report(
            loc: tuple[object, ...],
            field: str,
            message: str,
            _base: tuple[object, ...] = base,
            _id: str = claim.id,
        ) -> None:
            problems.append(
                f"{where}:{doc.line(_base + loc)}: claim {_id!r}, field {field!r}: {message}"
            )

        if claim.id in seen:
            report(("id",), "id", "duplicate id")
        seen.add(claim.id)
        test = TESTS.get(claim.test)
        if test is None:
            report(("test",), "test", suggest("test", claim.test, sorted(TESTS)))
            continue
        for role in sorted(set(test.inputs) - set(claim.reads)):
            report(("reads",), "reads", f"test {claim.test!r} needs input {role!r}")
        for role, ref in claim.reads.items():
            if role not in test.inputs:
                report(("reads", role), "reads", suggest("input", role, list(test.inputs)))
                continue
            indicator, _, quantity = ref.partition(".")
            problem = _quantity_problem(config, indicator, quantity, "reads.")
            if problem:
                names = _quantities_of(config, indicator)
                known = f" (it has {', '.join(names)})" if names else ""
                report(
                    ("reads", role),
                    f"reads.{role}",
                    f"{ref!r}: {problem.split(': ', 1)[-1]}{known}; write indicator.quantity",
                )
        for name in sorted(set(claim.params) - set(test.params)):
            report(("params", name), "params", suggest("parameter", name, list(test.params)))
        assets = claim.params.get("assets", [])
        for asset in assets if isinstance(assets, list) else [assets]:
            if str(asset) not in config.series:
                report(
                    ("params", "assets"),
                    "params.assets",
                    suggest("series", str(asset), sorted(config.series)),
                )
        ids = [e.id for e in events or [] if e.id]
        named = claim.params.get("events", [])
        for event_id in named if isinstance(named, list) and events is not None else []:
            if event_id not in ids:
                report(("params", "events"), "params.events", suggest("event id", event_id, ids))
        since = claim.params.get("since")
        if isinstance(since, str) and events is not None and since not in ids:
            report(("params", "since"), "params.since", suggest("event id", since, ids))
        outputs = list(test.outputs)
        for field, text in claim.conditions().items():
            try:
                used = conditions.parse(text).names
            except conditions.ConditionError as exc:
                report((field,), field, str(exc))
                continue
            for name in sorted(used - set(outputs)):
                report((field,), field, suggest("output", name, outputs))
        for name in claim.needs:
            if name not in outputs:
                report(("needs",), "needs", suggest("output", name, outputs))
        for field in ("evidence", "why_inconclusive"):
            text = getattr(claim, field)
            problem = sentence_problem(text, outputs) if text else None
            if problem:
                report((field,), field, problem)
    return problems


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


def _quantities_of(config: Config, indicator_id: str) -> list[str]:
    try:
        return list(config.indicator(indicator_id).quantities)
    except KeyError:
        return []

"""``python -m generator check``: the config and the snapshot validated together.

Prints every problem at once, so a fork fixes them in one pass, and separates errors (the
build would be wrong) from notes (the build works, a series just has no data yet).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from generator.catalogue.crossref import series_used
from generator.catalogue.formulas import DeskPeriodOp, nodes, references
from generator.catalogue.load import load_config, load_events
from generator.catalogue.messages import ConfigError, display
from generator.catalogue.models import Config
from generator.catalogue.sources import ManualSource, SourceSpec
from generator.catalogue.yaml_lines import read_yaml
from generator.measure import desk, indicators
from generator.publish import answer, posts, sentences
from generator.snapshot import freshness, verify
from generator.snapshot.clock import today
from generator.snapshot.load import load_snapshot
from generator.snapshot.store import SeriesRecord, Store, StoreError, leftovers

EXIT_OK = 0
EXIT_PROBLEMS = 2


@dataclass
class Findings:
    """What ``check`` found: errors (the build would be wrong) and notes (it works, a series
    just has no data yet), each list in the order the sections found them."""

    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def error(self, *found: str | None) -> None:
        self.errors += [problem for problem in found if problem]

    def note(self, line: str) -> None:
        self.notes.append(line)

    def print(self) -> int:
        for line in self.errors:
            print(f"error: {line}", file=sys.stderr)
        for line in self.notes:
            print(f"note: {line}", file=sys.stderr)
        if self.errors:
            print(f"{len(self.errors)} problem(s) found", file=sys.stderr)
            return EXIT_PROBLEMS
        print("indicators.yml, events.yml and data/ are consistent", file=sys.stderr)
        return EXIT_OK


def check(root: Path) -> int:
    """Every section below, in order; the sentences are tried only on an otherwise clean
    project (a broken one would fail them for the same reason twice)."""
    found = Findings()
    config = load_section(root, found)
    store = Store(root / "data")
    if config is not None:
        data_sections(root / "indicators.yml", config, store, found)
    # The committed nightly posts: one MkDocs or the next report cannot read stops every night.
    found.errors += posts.problems(root / posts.POSTS)
    if config is not None and not found.errors:
        found.errors += sentence_trials(root / "indicators.yml", config, store)
    leftovers_section(root, found)
    return found.print()


def data_sections(path: Path, config: Config, store: Store, found: Findings) -> None:
    """The snapshot against the configuration ``path`` holds: series, manifest, freshness,
    the ladder's assets and the Desk's rhythm."""
    try:
        records = store.records
    except StoreError as exc:
        found.error(str(exc))
        records = {}
    loaded = series_section(config, store, records, found)
    manifest_section(config, store, records, found)
    freshness_section(config, store, records, loaded, found)
    if config.ladder is not None:
        found.errors += ladder_without_data(path, config, loaded, store)
    if config.desk is not None:
        found.errors += desk_rhythm(path, config, loaded)


def load_section(root: Path, found: Findings) -> Config | None:
    """events.yml and indicators.yml (every quantity a claim reads is checked with its line);
    the configuration's problems first, then the events'."""
    events = None
    event_errors: list[str] = []
    try:
        events = load_events(root / "events.yml")
    except ConfigError as exc:
        event_errors = exc.problems
    config = None
    try:
        config = load_config(root / "indicators.yml", events)
    except ConfigError as exc:
        found.errors.extend(exc.problems)
    found.errors.extend(event_errors)
    return config


def series_section(
    config: Config, store: Store, records: dict[str, SeriesRecord], found: Findings
) -> dict[str, pd.Series]:
    """Each declared series: its file present (or a note saying how to get it), readable,
    plausible, matching the manifest; stale or held for review noted. Returns those read."""
    loaded: dict[str, pd.Series] = {}
    for series_id, spec in config.series.items():
        record = records.get(series_id)
        if not store.exists(spec.source, series_id):
            _absent(config, store, series_id, record, found)
            continue
        try:
            loaded[series_id] = store.load(spec.source, series_id)
        except StoreError as exc:
            found.error(str(exc))
        else:
            where = store.relative(store.path_for(spec.source, series_id))
            found.error(
                verify.future_row(loaded[series_id], where),
                verify.outside_plausible(loaded[series_id], where, spec.plausible),
                verify.matches_manifest(store, series_id, record) if record else None,
                verify.revisions_problem(store, spec.source, series_id, loaded[series_id]),
            )
        _state_notes(store, series_id, spec.source, record, found)
    return loaded


def _absent(
    config: Config, store: Store, series_id: str, record: SeriesRecord | None, found: Findings
) -> None:
    """A series without its file: an error if the manifest says it has one, else a note
    naming the indicators that wait for it (none for an optional series)."""
    spec = config.series[series_id]
    missing = verify.matches_manifest(store, series_id, record) if record else None
    if missing:
        found.error(missing)
        return
    if spec.optional:
        return
    users = [i.id for i in config.indicators if series_id in series_used(i, config)]
    where = store.relative(store.path_for(spec.source, series_id))
    used = f" (used by {', '.join(users)})" if users else ""
    found.note(f"series {series_id!r} has no data yet{used}: {where} is missing; run make update")


def _state_notes(
    store: Store, series_id: str, source: str, record: SeriesRecord | None, found: Findings
) -> None:
    if record is not None and record.status == "stale":
        found.note(f"series {series_id!r} is stale since {record.stale_since}")
    held = store.held_path_for(source, series_id)
    if held.exists():
        found.note(
            f"series {series_id!r} has a reply held for review ({store.relative(held)}): check "
            f"the source, then `python -m generator accept {series_id}`"
        )


def manifest_section(
    config: Config, store: Store, records: dict[str, SeriesRecord], found: Findings
) -> None:
    """Series kept by the manifest after leaving the config: a file, if any, must still match."""
    for series_id, record in records.items():
        if series_id not in config.series and store.exists(record.source, series_id):
            found.error(verify.matches_manifest(store, series_id, record))


def freshness_section(
    config: Config,
    store: Store,
    records: dict[str, SeriesRecord],
    loaded: dict[str, pd.Series],
    found: Findings,
) -> None:
    """Series kept by hand (when the next value is due) and fetched series that look stopped."""
    checked = freshness.last_update([r.fetched_at for r in records.values()])
    manual = {s: f for s in loaded if isinstance(f := _fetcher(config, s), ManualSource)}
    for series_id, spec in manual.items():
        found.note(manual_note(store, series_id, spec, loaded[series_id]))
    automatic = {s: values for s, values in loaded.items() if s not in manual}
    for series_id, last in freshness.overdue(automatic, checked).items():
        spacing = freshness.usual_spacing_days(loaded[series_id])
        found.note(
            f"series {series_id!r} has no observation since {last} although it usually has "
            f"one every {spacing:g} day(s): its source may have stopped publishing it"
        )


def leftovers_section(root: Path, found: Findings) -> None:
    for folder in ("data", "site"):
        for leftover in leftovers(root / folder):
            found.note(
                f"{leftover.relative_to(root)}: a temp file left by a killed run; never read, "
                "the next update or build removes it"
            )


def _fetcher(config: Config, series_id: str) -> SourceSpec | None:
    try:
        return config.series[series_id].fetcher(series_id)
    except ValueError:  # already reported by load_config
        return None


def manual_note(store: Store, series_id: str, spec: ManualSource, values: pd.Series) -> str:
    """A series kept by hand: when its next observation is due, and overdue or not."""
    valid = values.dropna()
    where = store.relative(store.path_for("manual", series_id))
    if valid.empty:
        return f"series {series_id!r} is updated by hand ({spec.how}) and {where} has no value"
    last = valid.index[-1].date()
    due = freshness.manual_due(last, spec.every, spec.lag)
    if today() > due:
        return (
            f"series {series_id!r} is updated by hand and overdue: the observation after {last} "
            f"was due by {due}; add it to {where} (from {spec.how})"
        )
    return f"series {series_id!r} is updated by hand; its next observation is due by {due}"


def sentence_trials(path: Path, config: Config, store: Store) -> list[str]:
    """Render every ``say:`` with the real latest values and extreme ones (see
    ``publish/sentences.trial_problems``): a sentence that divides by zero or trips the sandbox
    would otherwise crash the build on the night its rule first holds."""
    snapshot = load_snapshot(config, store)
    results = indicators.evaluate(config, snapshot.series, snapshot.stale, snapshot.overdue)
    doc = read_yaml(path)
    where = display(path)
    problems = []
    for position, result in enumerate(results):
        for rule, problem in sentences.trial_problems(result):
            line = doc.line(("indicators", position, "status", rule, "say"))
            problems.append(
                f"{where}:{line}: indicator {result.id!r}, field 'status[{rule}].say': {problem}"
            )
    for part, rule, problem in answer.trial_problems(config, results):
        line = doc.line(("answer", "parts", part, "rules", rule, "say"))
        field = f"parts[{part}].rules[{rule}].say"
        problems.append(f"{where}:{line}: answer, field '{field}': {problem}")
    return problems


def ladder_without_data(
    path: Path, config: Config, loaded: dict[str, pd.Series], store: Store
) -> list[str]:
    """A ladder asset whose prices are not in the snapshot: the build would leave it out of the
    ladder, its order and the pooled test without a word, so check refuses it with its line."""
    assert config.ladder is not None
    doc = read_yaml(path)
    where = display(path)
    problems = []
    for position, asset in enumerate(config.ladder.assets):
        spec = config.series.get(asset.series)
        values = loaded.get(asset.series)
        if spec is None or (values is not None and not values.dropna().empty):
            continue  # an undeclared one is reported by load_config
        missing = store.relative(store.path_for(spec.source, asset.series))
        line = doc.line(("ladder", "assets", position, "series"))
        problems.append(
            f"{where}:{line}: ladder, field 'assets[{position}].series': series "
            f"{asset.series!r} has no data ({missing} is missing or empty), so the ladder would "
            "leave it out: run make update, or take it off ladder: assets:"
        )
    return problems


def desk_rhythm(path: Path, config: Config, loaded: dict[str, pd.Series]) -> list[str]:
    """Operations summed per Desk period that fall near a period boundary: the periods are
    derived from the announcement rule, so one there means the Desk changed its rhythm and the
    sums per period would mix two schedules."""
    assert config.desk is not None
    where = f"{display(path)}:{read_yaml(path).line(('desk',))}"
    problems = []
    for series_id in sorted(desk_operations(config)):
        operations = loaded.get(series_id)
        if operations is None or operations.empty:
            continue
        spans = desk.periods(config.desk, operations.index[-1].date())
        for problem in desk.boundary_problems(operations, spans, config.desk.boundary_days):
            problems.append(f"{where}: desk, series {series_id!r}: {problem}")
    return problems


def desk_operations(config: Config) -> set[str]:
    """The series whose observations a ``desk_period`` sum adds up (through named quantities)."""
    found: set[str] = set()
    for indicator in config.indicators:
        formulas = {name: q.formula for name, q in indicator.quantities.items()}
        for formula in formulas.values():
            for node in nodes(formula):
                if isinstance(node, DeskPeriodOp) and node.how == "sum":
                    found |= _series_of(node.of, formulas, set(config.series))
    return found


def _series_of(
    operand: object, formulas: dict[str, Any], series: set[str], depth: int = 0
) -> set[str]:
    """The series a formula reads, following quantity names to their own formulas."""
    names = set(references(operand))
    out = names & series
    for name in names - out:
        if name in formulas and depth < 20:
            out |= _series_of(formulas[name], formulas, series, depth + 1)
    return out

"""The Data status page's context: every series, where it comes from, how fresh it is, which
indicators use it and how the site knows when each of its values became known. Apart from
``pages.py`` because it reads the store's records and the vintage log, not indicator results'
quantities; ``series_status`` is also the state an indicator page's source table prints."""

from __future__ import annotations

from generator.catalogue.models import Config
from generator.measure.indicators import IndicatorResult
from generator.publish.contexts import DataStatus, MissingRow, StatusRow
from generator.publish.format import format_date
from generator.snapshot.store import SeriesRecord
from generator.snapshot.vintages import Revision, first_prints


def series_status(
    record: SeriesRecord | None, overdue: str | None, absent: str = "unavailable"
) -> str:
    """A series' state in a table cell: ``absent`` when there is no data, else stale (the last
    update failed), nothing new (the source seems to have stopped) or the stored status."""
    if record is None or record.rows <= 0:
        return absent
    if record.status == "stale" and record.stale_since:
        return f"stale since {record.stale_since}"
    if overdue:
        return f"nothing new since {overdue}"
    return record.status


def data_status(
    config: Config,
    records: dict[str, SeriesRecord],
    results: list[IndicatorResult],
    overdue: dict[str, str] | None = None,
    revisions: dict[str, list[Revision]] | None = None,
) -> DataStatus:
    used_by: dict[str, list[str]] = {}
    for result in results:
        for series_id in result.series:
            used_by.setdefault(series_id, []).append(result.id)
    ids = list(config.series) + sorted(s for s in records if s not in config.series)
    rows: list[StatusRow] = []
    notes: list[MissingRow] = []
    for series_id in ids:
        spec = config.series.get(series_id)
        record = records.get(series_id)
        present = record is not None and record.rows > 0
        if spec is None and record is None:
            continue
        rows.append(
            {
                "id": series_id,
                "url": spec.url(series_id) if spec else None,
                "source": spec.source if spec else _known(record).source,
                "units": spec.units if spec else _known(record).units,
                "frequency": spec.frequency if spec else _known(record).frequency,
                "first": _known(record).first if present else "n/a",
                "last": _known(record).last if present else "n/a",
                "rows": _known(record).rows if present else 0,
                "fetched_at": (_known(record).fetched_at or "unknown") if present else "n/a",
                "status": series_status(record, (overdue or {}).get(series_id)),
                "used_by": ", ".join(used_by.get(series_id, [])) or "(not used)",
                "known": known_from_text(
                    spec.published_after if spec else 0, (revisions or {}).get(series_id, [])
                ),
            }
        )
        if spec and spec.note:
            notes.append({"id": series_id, "note": spec.note})
    return {"series": rows, "notes": notes}


def known_from_text(lag: int, revisions: list[Revision]) -> str:
    """How the site knows when each value of a series became known (Data status): the
    releases on record, the superseded values kept, and the publication rule for the rest
    (history stored before the log began, and every value never revised)."""
    days = "its date" if lag == 0 else f"{lag} day{'s' if lag != 1 else ''} after its date"
    rule = f"publication rule: each value known from {days}"
    parts = []
    releases = [r for r in revisions if r.basis == "release"]
    prints = sorted(set(first_prints(releases).values()))
    if prints:
        parts.append(
            f"first releases on record ({len(prints)} reports, "
            f"{format_date(prints[0])} to {format_date(prints[-1])})"
        )
    if revisions:
        last = max(r.known_to for r in revisions)
        parts.append(
            f"{len(revisions)} superseded values kept, the last replaced on {format_date(last)}"
        )
    return "; ".join([*parts, f"otherwise the {rule}"]) if parts else rule


def _known(record: SeriesRecord | None) -> SeriesRecord:
    """A record the caller has checked exists (for the type checker)."""
    assert record is not None
    return record

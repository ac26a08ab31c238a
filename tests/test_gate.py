"""The revision gate (``fetch/gate.py``) and ``accept`` (``fetch/accept.py``): a change of scale
or a revision beyond the series' bound is held back, not published, until a person accepts it.

End to end against the fake FRED: the snapshot bytes are compared, the night's summary, the
manifest's reason and the held file are read, and the accepted values are recomputed by hand.
"""

from __future__ import annotations

import csv
import io
import shutil
import statistics

import pandas as pd
import pytest

from generator.catalogue.load import load_config
from generator.check import check
from generator.fetch import gate
from generator.snapshot.store import Store
from tests.conftest import FIXTURE
from tests.fakes.harness import data_files, manifest, run_update, series_bytes

WINDOW_START = "2026-05-22"  # WRESBAL/WALCL last stored date 2026-08-20 minus 90 days


def rows(project, series):
    text = series_bytes(project, "fred", series).decode()
    return [(day, value) for day, value in list(csv.reader(io.StringIO(text)))[1:]]


def rewrite(servers, series, since, transform):
    """Serve ``transform(value)`` for every observation of ``series`` dated ``since`` or later."""
    for row in servers.fred.own(series):
        if row[0] >= since and row[1] not in ("", "."):
            row[1] = transform(float(row[1]))


def by_thousand(value: float) -> str:
    return f"{value / 1000:.3f}"


def revision_log(project) -> str:
    """revisions.md as build renders it, from the project's data/."""
    from generator.catalogue.load import load_config
    from generator.publish import revisions
    from generator.publish.render import environment
    from generator.snapshot.store import Store
    from tests.conftest import ROOT

    config = load_config(project / "indicators.yml")
    context = revisions.page_context([], held=revisions.held(config, Store(project / "data")))
    return environment(ROOT / "templates").get_template("revisions.md.j2").render(**context)


def test_a_change_of_scale_is_held_back_and_accept_applies_it(project, servers, env, capsys):
    """FRED switching WRESBAL from millions to billions inside the revision window."""
    before = data_files(project)
    rewrite(servers, "WRESBAL", WINDOW_START, by_thousand)
    run = run_update(project, env, "--only", "WRESBAL", "SOFR")
    assert run.returncode == 3, run.output
    assert "change of scale" in run.stdout and "about x1/1000" in run.stdout
    assert "python -m generator accept WRESBAL" in run.stdout
    after = data_files(project)
    assert after["series/fred/WRESBAL.csv"] == before["series/fred/WRESBAL.csv"]  # not published
    assert "series/fred/WRESBAL.revisions.csv" not in after
    entry = manifest(project)["WRESBAL"]
    assert entry["status"] == "stale" and "change of scale" in entry["message"]
    assert manifest(project)["SOFR"]["status"] == "fresh"  # the others go on
    held = after["series/fred/WRESBAL.held.csv"].decode().splitlines()
    assert held[0] == "date,value" and held[1].startswith(WINDOW_START[:7])

    shutil.copy2(FIXTURE / "events.yml", project / "events.yml")
    assert check(project) == 0  # a held reply is a note, not an error
    assert "series 'WRESBAL' has a reply held for review" in capsys.readouterr().err
    page = revision_log(project)  # the revision log shows the held reply and why
    assert "## Held for review" in page and "accept ID" in page
    (line,) = [x for x in page.splitlines() if x.startswith("| WRESBAL |")]
    assert "| 13 |" in line and "change of scale" in line

    old = dict(rows(project, "WRESBAL"))
    accepted = run_update(project, env, "WRESBAL", command_name="accept")
    assert accepted.returncode == 0, accepted.output
    new = dict(rows(project, "WRESBAL"))
    changed = {day for day in old if day >= WINDOW_START and old[day] != ""}
    assert changed and all(float(new[d]) == round(float(old[d]) / 1000, 3) for d in changed)
    assert all(new[d] == old[d] for d in old if d < WINDOW_START)
    revisions = (project / "data/series/fred/WRESBAL.revisions.csv").read_text().splitlines()
    assert len(revisions) == 1 + len(changed)  # every superseded value kept
    assert not (project / "data/series/fred/WRESBAL.held.csv").exists()
    assert manifest(project)["WRESBAL"]["status"] == "fresh"
    again = run_update(project, env, "WRESBAL", command_name="accept")
    assert again.returncode == 2 and "no reply held for review" in again.stderr


def test_a_fifty_percent_revision_of_walcls_last_120_days_is_held(project, servers, env):
    before = data_files(project)
    last = pd.Timestamp(rows(project, "WALCL")[-1][0])
    since = f"{last - pd.Timedelta(days=120):%Y-%m-%d}"
    rewrite(servers, "WALCL", since, lambda v: f"{v * 0.5:g}")
    run = run_update(project, env, "--only", "WALCL")
    assert run.returncode == 3, run.output
    stored = [float(v) for _, v in rows(project, "WALCL") if v]
    level = statistics.median(abs(v) for v in stored[-260:])
    revised = [float(v) for d, v in rows(project, "WALCL") if v and d >= WINDOW_START]
    share = max(revised) * 0.5 / level  # the largest cut, by hand
    assert f"up to -{share:.0%} of the series' typical level" in run.stdout
    assert "(bound 25%)" in run.stdout and "held for review" in run.stdout
    after = data_files(project)
    assert after["series/fred/WALCL.csv"] == before["series/fred/WALCL.csv"]
    assert "series/fred/WALCL.revisions.csv" not in after
    assert manifest(project)["WALCL"]["status"] == "stale"


def test_a_small_revision_passes_and_a_bound_set_per_series_holds_it(project, servers, env):
    """WALCL revised by 2% passes the default bound; with `max_revision: 0.01` it is held."""
    rewrite(servers, "WALCL", "2026-08-01", lambda v: f"{v * 1.02:g}")
    data = project / "data"
    saved = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    assert run_update(project, env, "--only", "WALCL").returncode == 0
    for path, payload in saved.items():  # back to the snapshot, then a tight bound
        path.write_bytes(payload)
    text = (project / "indicators.yml").read_text()
    marker = "  WALCL:\n    source: fred\n"
    assert marker in text
    (project / "indicators.yml").write_text(
        text.replace(marker, marker + "    max_revision: 0.01\n")
    )
    run = run_update(project, env, "--only", "WALCL")
    assert run.returncode == 3 and "(bound 1%)" in run.stdout, run.output


def series(values, start="2026-01-01"):
    index = pd.DatetimeIndex(pd.date_range(start, periods=len(values), freq="7D"), name="date")
    return pd.Series(values, index=index, dtype="float64")


def test_the_gate_compares_revisions_with_the_typical_level_not_the_old_value():
    """A spread near zero revised from 0.01 to 0.03 is tiny next to its usual level of 0.3; a
    ratio test would call it x3. Computed by hand: level = median(|0.3,0.3,0.3,0.01|) = 0.3."""
    stored = series([0.3, 0.3, 0.3, 0.01])
    assert gate.typical_level(stored) == pytest.approx(0.3)
    day = stored.index[3].date()
    gate.check("SPREAD", stored, series([0.03], "2026-01-22"), [(day, 0.01, 0.03)], None)
    with pytest.raises(gate.HeldError, match="up to \\+33% .*bound 25%"):  # 0.1 / 0.3
        gate.check("SPREAD", stored, series([0.11], "2026-01-22"), [(day, 0.01, 0.11)], None)


def test_a_new_value_in_other_units_is_held_even_without_revisions():
    stored = series([6_000_000.0, 6_010_000.0])
    jump = pd.Series([6020.0], index=pd.DatetimeIndex(["2026-02-01"], name="date"))
    with pytest.raises(gate.HeldError, match="about x1/1000"):
        gate.check("WALCL", stored, jump, [], None)


def test_values_that_are_not_finite_are_refused():
    values = series([1.0, float("inf")])
    assert "not a finite number" in (gate.refuse_non_finite("FORK", values) or "")
    assert gate.refuse_non_finite("FORK", series([1.0, 2.0])) is None


def test_no_night_of_the_snapshots_own_history_is_held():
    """Replays each stored series night by night (its revision window re-sent unchanged plus
    one new observation): real moves, ON RRP falling from 6.62 to 0.02 included, never read as
    new units nor as revisions."""
    from tests.conftest import FIXTURE

    config = load_config(FIXTURE / "indicators.yml")
    store = Store(FIXTURE / "data")
    nights = 0
    for series_id, spec in config.series.items():
        if not store.exists(spec.source, series_id):
            continue
        values = store.load(spec.source, series_id).dropna()
        for end in range(max(300, len(values) - 400), len(values)):
            stored = values.iloc[:end]
            since = stored.index[-1] - pd.Timedelta(days=spec.revision_days)
            reply = values.iloc[: end + 1]
            gate.check(series_id, stored, reply[reply.index >= since], [], spec.max_revision)
            nights += 1
    assert nights > 3000


def test_a_collapse_towards_zero_is_a_move_and_new_units_move_every_value():
    stored = series([30.0, 28.0, 6.62])
    gate.check("RRP", stored, series([30.0, 28.0, 6.62, 0.02]), [], None)  # the window unchanged
    rebased = series([0.030, 0.028, 0.00662, 0.00002])  # the same, re-sent in thousands
    with pytest.raises(gate.HeldError, match="about x1/1000"):
        gate.check("RRP", stored, rebased, [], None)

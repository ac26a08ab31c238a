"""A report's state is stored as numbers (value, unit, decimals) and read back into the text
readers saw; posts written before, which stored the displayed text, still read."""

from __future__ import annotations

import re
from datetime import date

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from generator.publish import changes
from generator.publish.format import Number
from generator.publish.posts import POSTS, dated_posts, read_state
from tests.conftest import ROOT, load_yaml

DAY = date(2026, 8, 21)


def _round_trip(state: changes.ReportState) -> changes.ReportState:
    dumped = yaml.safe_dump(state.to_meta(), sort_keys=False, allow_unicode=True, width=1000)
    return changes.ReportState.from_meta(state.day, load_yaml(dumped))


def test_state_is_stored_as_a_number_with_its_unit_and_decimals():
    shown = Number(6745.699, "bn USD", 0, date(2026, 8, 19), "fed-assets.level")
    state = changes.ReportState(
        DAY,
        "neutral",
        -0.4361,
        {"fed-assets": changes.IndicatorState("calm", shown, date(2026, 8, 19))},
    )
    entry = state.to_meta()["indicators"]["fed-assets"]
    assert entry == {
        "level": "calm",
        "value": 6745.699,
        "unit": "bn USD",
        "decimals": 0,
        "as_of": date(2026, 8, 19),
    }
    back = _round_trip(state).indicators["fed-assets"]
    assert back.value.value == 6745.699 and str(back.value) == "6,746 bn USD"


@pytest.mark.parametrize(
    ("value", "decimals", "stored"),
    [
        (6745.6990000000005, 0, 6745.699),
        (-2.0000000000000018, 1, -2.0),
        (10.079999999999878, 1, 10.08),
        # a hair below a rounding boundary: rounded to 9 decimals it would print 0.5, not 0.4
        (0.4499999999999, 1, 0.4499999999999),
    ],
)
def test_a_stored_value_drops_binary_noise_but_never_changes_the_figure(
    value: float, decimals: int, stored: float
):
    state = changes.IndicatorState("calm", Number(value, "bn USD", decimals), None)
    assert state.to_meta()["value"] == stored
    assert Number(stored, "bn USD", decimals).figure == Number(value, "bn USD", decimals).figure


def test_a_missing_value_is_stored_as_null_and_reads_as_n_a():
    state = changes.ReportState(
        DAY, None, None, {"x": changes.IndicatorState(None, Number(float("nan"), "bp"), None)}
    )
    assert state.to_meta()["indicators"]["x"]["value"] is None
    assert str(_round_trip(state).indicators["x"].value) == "n/a"


@given(
    value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    unit=st.sampled_from(["bn USD", "%", "bp", "percentile", "BTC per ETH", "thousand jobs"]),
    places=st.integers(min_value=0, max_value=6),
)
def test_the_stored_number_prints_what_readers_saw(value: float, unit: str, places: int) -> None:
    shown = Number(value, unit, places)
    state = changes.ReportState(
        DAY, "tight", 0.5, {"x": changes.IndicatorState("watch", shown, None)}
    )
    assert str(_round_trip(state).indicators["x"].value) == str(shown)


# -- posts written before states were numbers ------------------------------------------------

OLD_POST = """---
title: "20 Aug 2026: regime neutral"
date: 2026-08-20
report:
  regime: neutral
  score: -0.436
  indicators:
    fed-assets:
      level: calm
      value: 6,746 bn USD
      as_of: 2026-08-19
    sofr-iorb-spread:
      level: watch
      value: −2.0 bp
      as_of: 2026-08-20
    small-large-ratio:
      level: watch
      value: 0.393 ratio
      as_of: 2026-08-21
    pct:
      level: calm
      value: 4.2%
      as_of: 2026-08-21
    none:
      level:
      value: n/a
      as_of:
---
"""


def test_an_old_post_reads_back_into_numbers_that_print_the_same(tmp_path):
    path = tmp_path / "2026-08-20.md"
    path.write_text(OLD_POST, encoding="utf-8")
    state = read_state(path, date(2026, 8, 20))
    got = {key: s.value for key, s in state.indicators.items()}
    assert got["fed-assets"] == Number(6746.0, "bn USD", 0, date(2026, 8, 19))
    assert got["sofr-iorb-spread"] == Number(-2.0, "bp", 1, date(2026, 8, 20))
    assert got["small-large-ratio"] == Number(0.393, "ratio", 3, date(2026, 8, 21))
    assert got["pct"] == Number(4.2, "%", 1, date(2026, 8, 21))
    assert got["none"].missing
    shown = re.findall(r"value: (.*)", OLD_POST)
    assert [str(n) for n in got.values()] == shown


def test_every_committed_post_reads_and_prints_what_it_stored():
    """The posts in the repository, old format or new: each stored value prints as stored."""
    posts = dated_posts(ROOT / POSTS)
    assert posts, "no committed post to read"
    for when, path in posts:
        text = path.read_text(encoding="utf-8")
        state = read_state(path, when, text)
        block = load_yaml(text.split("---\n")[1])["report"]["indicators"]
        for key, stored in block.items():
            number = state.indicators[key].value
            if isinstance(stored["value"], str):
                assert str(number) == stored["value"], (path, key)
            else:
                assert number.value == stored["value"] and number.unit == stored["unit"]


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ({"value": [1]}, "is not a number"),
        ({"value": True}, "is not a number"),
        ({"value": 1.5, "decimals": -1}, "decimals -1"),
        ({"value": 1.5, "decimals": "2"}, "decimals '2'"),
    ],
)
def test_a_value_that_is_not_a_number_is_refused(entry, why):
    with pytest.raises(ValueError, match=why):
        changes.IndicatorState.from_meta(entry)


@pytest.mark.parametrize("text", ["six bn USD", "6,746bn", "x", ""])
def test_text_that_is_not_a_displayed_number_reads_as_n_a_and_keeps_the_level(text):
    state = changes.IndicatorState.from_meta({"level": "watch", "value": text})
    assert state.level == "watch" and str(state.value) == "n/a"


def test_a_bad_value_in_a_post_names_the_file_and_line(tmp_path):
    from generator.catalogue.messages import ConfigError

    path = tmp_path / "2026-08-20.md"
    path.write_text(OLD_POST.replace("6,746 bn USD", "[6746]"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"2026-08-20\.md:4: .*is not a number"):
        read_state(path, date(2026, 8, 20))

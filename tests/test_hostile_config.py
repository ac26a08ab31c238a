"""Config that used to hang, eat memory or crash with a traceback (issue 15), and URL fields
that used to become live ``javascript:`` links or raw HTML.

Each case edits a private copy of ``indicators.yml`` as a fork would, runs ``check`` in
process and asserts the exit code, the message with its line, and that it returns quickly.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.catalogue.conditions import ConditionError, parse
from generator.publish.render import environment, link_target
from tests.conftest import FIXTURE, ROOT
from tests.test_check import project_with, run_check

BILLION_LAUGHS = "\n".join(
    ["lol0: &l0 [lol]"]
    + [f"lol{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 10)]
)


def check_text(tmp_path: Path, capsys, monkeypatch, text: str) -> tuple[int, str, float]:
    root = project_with(tmp_path, "indicators.yml", [])
    (root / "indicators.yml").write_text(text)
    started = time.monotonic()
    code, output = run_check(root, capsys, monkeypatch)
    return code, output, time.monotonic() - started


def shipped() -> str:
    return (FIXTURE / "indicators.yml").read_text()


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path, capsys, monkeypatch):
    """Found: nine levels of ten aliases hung the duplicate-key walk for minutes."""
    code, output, seconds = check_text(tmp_path, capsys, monkeypatch, BILLION_LAUGHS + "\n")
    assert code == 2, output
    assert output.startswith(
        "error: indicators.yml:6: YAML aliases expand this value to more than 200,000 nodes"
    ), output
    assert seconds < 5


def test_a_yaml_alias_inside_itself_is_refused(tmp_path, capsys, monkeypatch):
    code, output, _ = check_text(tmp_path, capsys, monkeypatch, "a: &x [1, *x]\n")
    assert code == 2, output
    assert "error: indicators.yml:1: a YAML alias refers to a value containing it" in output


def test_a_formula_nested_two_thousand_levels_is_a_message_not_a_recursion_error(
    tmp_path, capsys, monkeypatch
):
    deep = "{op: scale, factor: 1, of: " * 2000 + "WALCL" + "}" * 2000
    text = shipped().replace(
        "{op: scale, of: WALCL, factor: 0.001}", deep.replace("WALCL", "WALCL", 1), 1
    )
    code, output, seconds = check_text(tmp_path, capsys, monkeypatch, text)
    assert code == 2, output
    assert "Traceback" not in output and "RecursionError" not in output
    line = _line_of("{op: scale, of: WALCL, factor: 0.001}")
    assert f"indicators.yml:{line}: YAML nested more than 40 levels deep from here" in output
    assert seconds < 10


def _line_of(text: str) -> int:
    """The line of the shipped indicators.yml holding ``text`` (found, not hard-coded, so the
    test survives edits above it)."""
    shipped_text = shipped()
    assert shipped_text.count(text) == 1, text
    return shipped_text[: shipped_text.index(text)].count("\n") + 1


def test_five_thousand_chained_nots_in_a_condition_is_a_message(tmp_path, capsys, monkeypatch):
    """5,000 ``not`` are now refused as text over 2,000 characters; 450 (1,800 characters)
    still reach the condition parser, whose depth limit answers."""
    rule = "      - when: mean_20d > 0 or days_above >= 10\n"
    text = shipped().replace(rule, rule.replace("mean_20d > 0", "not " * 450 + "mean_20d > 0"))
    code, output, _ = check_text(tmp_path, capsys, monkeypatch, text)
    assert code == 2, output
    assert "nests more than 50 levels deep (chained 'not' or parentheses)" in output
    assert "RecursionError" not in output


@pytest.mark.parametrize("depth", [60, 5000])
def test_deep_conditions_fail_with_condition_error(depth):
    with pytest.raises(ConditionError, match="nests more than 50 levels deep"):
        parse("not " * depth + "x > 0")
    assert parse("not " * 20 + "x > 0").evaluate({"x": 1}) is True


@pytest.mark.parametrize(
    ("value", "target"),
    [
        ("https://fred.stlouisfed.org/series/SOFR", "https://fred.stlouisfed.org/series/SOFR"),
        ("javascript:alert(document.domain)", "#"),
        ("JAVASCRIPT://x%0aalert(1)", "#"),
        ("data:text/html,<script>", "#"),
        (
            "https://x.org/x) <img src=x onerror=alert(1)> [y](z",
            "https://x.org/x%29%20%3Cimg%20src=x%20onerror=alert%281%29%3E%20%5By%5D%28z",
        ),
        ('https://x.org/"onmouseover="a', "https://x.org/%22onmouseover=%22a"),
    ],
)
def test_link_targets_are_http_only_and_cannot_break_out_of_the_link(value, target):
    assert link_target(value) == target


def test_both_templates_print_series_links_through_the_href_filter():
    """Found: ``{{ s.url }}`` was printed raw in indicator.md.j2 and data_status.md.j2."""
    env = environment(ROOT / "templates")
    for name in ("indicator.md.j2", "data_status.md.j2"):
        source = (ROOT / "templates" / name).read_text()
        assert "{{ s.url }}" not in source and "{{ s.url|href }}" in source
        env.get_template(name)  # still compiles


def test_a_sentence_that_would_hang_fails_check_within_the_time_limit(
    tmp_path, capsys, monkeypatch
):
    """Found: nested loops in a `say:` hung the build; range() is now bounded, and three loops
    of 1,000 (a billion steps) hit the one-second render limit instead."""
    loops = "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
    text = shipped().replace(
        "): funding markets look calm.", f"){loops}{{% endfor %}}{{% endfor %}}{{% endfor %}}."
    )
    code, output, seconds = check_text(tmp_path, capsys, monkeypatch, text)
    assert code == 2, output
    line = _line_of("): funding markets look calm.")
    assert (
        f"indicators.yml:{line}: indicator 'sofr-iorb-spread', field 'status[2].say': the sentence "
        "fails with TimeoutError: rendering took longer than 1 s (the latest values)"
    ) in output
    assert seconds < 10


@pytest.mark.parametrize(
    "sentence",
    [
        "{{ 'ab' * 500000000 }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ 'a'.ljust(999999999) }}",
        "{{ 9 ** 100000 }}",
        "{{ value|num(1000000000) }}",
        "{{ value|center(999999999) }}",
        "{% set a = 'x' * 1000 %}" + "{% set a = a ~ a %}" * 40 + "{{ a }}",
        "{% set items = [1] %}{% for i in range(1000) %}{{ items.extend(items) }}{% endfor %}",
        "{{ 'abc'.replace('a', 'aaaaaaaaaa') }}",
        "{{ ','.join(['a'] * 999) }}",
    ],
)
def test_the_sentence_sandbox_refuses_what_would_eat_memory(sentence):
    from generator.publish.sentences import render

    started = time.monotonic()
    with pytest.raises(Exception) as caught:
        render(sentence, {"value": 1.0})
    assert type(caught.value).__name__ in {"SecurityError", "ValueError", "TemplateAssertionError"}
    assert time.monotonic() - started < 1


def test_ordinary_sentences_still_render():
    from generator.publish.sentences import render

    text = "{{ 'Abc'.upper() }} {{ value|num(1) }} {{ value|signed(0) }} {{ 'x' ~ value|abs }}"
    assert render(text, {"value": -2.5}) == "ABC −2.5 −2 x2.5"


def test_a_price_series_of_zeros_does_not_crash_the_ladder():
    """Found: a price series of zeros in the ladder ended in ZeroDivisionError."""
    import pandas as pd

    from generator.measure import ladder

    days = pd.date_range("2026-01-02", periods=30, freq="W-FRI")
    zeros = pd.Series(0.0, index=days)
    assert ladder.weekly_returns(zeros).empty
    returns = ladder.event_study(zeros, days[2].date())
    assert all(value != value for value in returns.values())  # NaN, not an exception

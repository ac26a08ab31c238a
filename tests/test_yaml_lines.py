"""Reading YAML with its lines kept: text parsed once per process, each reader its own data.

A ``check`` reads indicators.yml five times; ``read_yaml`` keeps what a text parsed to, by the
text alone, so only the first read parses. These tests hold what that must not change: a
reader may change its data without another seeing it, a changed file is read anew, and a file
with a problem is named in its message wherever the same text was read before.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalogue import yaml_lines
from generator.catalogue.messages import ConfigError

TEXT = "series:\n  A:\n    source: fred\nindicators:\n  - id: a\n    title: A\n"


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """Every text actually parsed (the module's cache emptied first)."""
    seen: list[str] = []
    real = yaml_lines._parse

    def counting(text: str, where: str):
        seen.append(text)
        return real(text, where)

    monkeypatch.setattr(yaml_lines, "_PARSED", {})
    monkeypatch.setattr(yaml_lines, "_parse", counting)
    return seen


def test_the_same_text_is_parsed_once_and_each_reader_gets_its_own_data(tmp_path, parses):
    first, second = tmp_path / "a.yml", tmp_path / "b.yml"
    first.write_text(TEXT)
    second.write_text(TEXT)
    one, two = yaml_lines.read_yaml(first), yaml_lines.read_yaml(second)
    assert parses == [TEXT]
    assert (one.path, two.path) == (first, second)
    assert one.data == two.data and one.data is not two.data
    assert isinstance(one.data, dict)
    one.data["indicators"][0]["title"] = "changed"
    del one.data["series"]
    assert yaml_lines.read_yaml(first).data == two.data  # neither the cache nor the other
    assert two.data["indicators"][0]["title"] == "A"
    assert one.line(("indicators", 0, "title")) == two.line(("indicators", 0, "title")) == 6


def test_a_changed_file_is_read_anew(tmp_path, parses):
    path = tmp_path / "indicators.yml"
    path.write_text(TEXT)
    assert yaml_lines.read_yaml(path).data["indicators"][0]["title"] == "A"
    path.write_text(TEXT.replace("title: A", "title: B"))
    assert yaml_lines.read_yaml(path).data["indicators"][0]["title"] == "B"
    assert len(parses) == 2


def test_a_text_with_a_problem_names_the_file_it_was_read_from_each_time(tmp_path, parses):
    bad = TEXT + "series:\n  B: {}\n"  # a second 'series' key
    messages = []
    for name in ("one.yml", "two.yml"):
        path = tmp_path / name
        path.write_text(bad)
        with pytest.raises(ConfigError) as caught:
            yaml_lines.read_yaml(path)
        messages.append(str(caught.value))
    assert "one.yml:7:" in messages[0] and "two.yml:7:" in messages[1], messages
    assert len(parses) == 2  # a text with a problem is not kept


def test_the_cache_keeps_only_the_last_few_texts(tmp_path, parses):
    path = tmp_path / "x.yml"
    for number in range(20):
        path.write_text(TEXT.replace("title: A", f"title: A{number}"))
        yaml_lines.read_yaml(path)
    assert len(yaml_lines._PARSED) <= 8
    assert Path(path).read_text() in yaml_lines._PARSED

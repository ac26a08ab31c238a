"""Reading the catalogue: ``indicators.yml`` and ``events.yml`` in, typed models or a
``ConfigError`` listing every problem out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.catalogue.crossref import cross_check
from generator.catalogue.messages import ConfigError, display, pydantic_problems
from generator.catalogue.models import Config, Event, Events
from generator.catalogue.yaml_lines import read_yaml


def load_config(path: Path, events: Sequence[Event] | None = None) -> Config:
    """Parse and fully validate ``indicators.yml``; raises ConfigError with every problem.

    ``events`` are the contents of events.yml, so references into it (the ladder's and the
    claims' event ids) are checked too."""
    doc = read_yaml(path)
    if not isinstance(doc.data, dict):
        raise ConfigError([f"{display(path)}:1: expected a mapping with 'series' and 'indicators'"])
    try:
        config = Config.model_validate(doc.data)
    except ValidationError as exc:
        raise ConfigError(pydantic_problems(doc, exc)) from None
    problems = cross_check(doc, config, events)
    if problems:
        raise ConfigError(problems)
    return config


def load_catalogue(path: Path) -> dict[str, Any]:
    """The raw YAML of ``indicators.yml`` (validate with ``load_config`` first)."""
    data = read_yaml(path).data
    return data if isinstance(data, dict) else {}


def load_events(path: Path) -> list[Event]:
    doc = read_yaml(path)
    try:
        return Events.model_validate(doc.data).events
    except ValidationError as exc:
        raise ConfigError(pydantic_problems(doc, exc)) from None

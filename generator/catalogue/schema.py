"""``indicators.schema.json``: the config models exported for editors.

A fork edits ``indicators.yml`` in whatever editor it likes; with the YAML language server (VS
Code, Neovim, JetBrains) the ``# yaml-language-server: $schema=`` line at the top of that file
gives completion, hover help and red squiggles from this schema, so many mistakes are caught
before ``make check``. The file is generated from the pydantic models (never edited by hand)
and a test fails when it is stale; ``make golden`` rewrites it.
"""

from __future__ import annotations

import json
from pathlib import Path

from generator.catalogue.models import Config

SCHEMA_FILE = "indicators.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_text() -> str:
    """The schema as stable, reviewable JSON (two-space indent, trailing newline)."""
    schema = {"$schema": DIALECT, **Config.model_json_schema(mode="validation")}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schema(root: Path) -> Path:
    """Write the schema next to ``indicators.yml``; returns its path."""
    path = Path(root) / SCHEMA_FILE
    text = schema_text()
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path

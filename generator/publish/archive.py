"""A dated copy of the API each night: ``api/archive/YYYY-MM-DD/latest.json``.

``api/latest.json`` changes every night, so a reader who quotes a number needs an address that
keeps saying it. The nightly ``report`` writes the night's copy once into the committed tree,
``archive/api/YYYY-MM-DD/latest.json`` (beside ``site/blog/posts``, committed by the nightly
workflow with them), and never rewrites it: re-running a night leaves an existing copy as it
is, so a citation stays true even after the data behind it was revised. ``build`` publishes
every copy dated on or before its day under ``site/api/archive/`` (gitignored, like the rest of
``site/api``) and an index, ``api/archive/index.json``, listing the dates.

The copies live outside ``site/`` because ``site/api`` is rebuilt from scratch each night;
``archive/`` is data the build reads, like ``data/``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from generator.publish.render import write_text

FOLDER = Path("archive") / "api"
NAME = "latest.json"


def night_path(root: Path, day: date) -> Path:
    return root / FOLDER / day.isoformat() / NAME


def write_night(root: Path, day: date, text: str) -> bool:
    """Write the night's copy unless one exists (a published copy is never rewritten)."""
    path = night_path(root, day)
    if path.exists():
        return False
    return write_text(path, text)


def nights(root: Path, until: date | None = None) -> list[date]:
    """The archived days, oldest first (with ``until``: none after it)."""
    folder = root / FOLDER
    found = []
    for path in sorted(folder.glob(f"*/{NAME}")) if folder.is_dir() else []:
        try:
            day = date.fromisoformat(path.parent.name)
        except ValueError:
            continue
        if until is None or day <= until:
            found.append(day)
    return found


def published_files(root: Path, until: date | None = None) -> dict[str, str]:
    """What ``build`` writes under the site root: every copy, byte for byte, and the index."""
    days = nights(root, until)
    files = {
        f"api/archive/{day.isoformat()}/{NAME}": night_path(root, day).read_text(encoding="utf-8")
        for day in days
    }
    if days:
        index = {
            "version": 1,
            "latest": days[-1].isoformat(),
            "nights": [
                {"date": day.isoformat(), "url": f"{day.isoformat()}/{NAME}"}
                for day in reversed(days)
            ],
        }
        files["api/archive/index.json"] = json.dumps(index, indent=1) + "\n"
    return files

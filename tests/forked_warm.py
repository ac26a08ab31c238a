"""Imported last by the fork server of ``tests/forked.py``: the frozen catalogue loaded once,
so that every command forked from the server finds what a first ``load_config`` makes in a
process (each sentence's template compiled, its placeholders found, regular expressions and
pydantic validators built) already made, as the imports are.

Each of the suite's ~225 commands paid that first load again: 0.19 s of CPU, about 40 CPU-s
a run. What is kept is keyed by the text it was made from (``functools.lru_cache``), so a
command on a changed catalogue computes its own; nothing here reads the live files (the
fork server is watched by ``tests/live_guard.py`` too).
"""

from __future__ import annotations

from generator.catalogue.load import load_config
from tests.conftest import FIXTURE

load_config(FIXTURE / "indicators.yml")

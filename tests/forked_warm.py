"""Imported last by the fork server of ``tests/forked.py``: the frozen catalogue loaded once,
so that every command forked from the server finds what a first ``load_config`` makes in a
process already made, as the imports are: each sentence's template compiled and its
placeholders found, the list of time zones read.

Each command paid that first load again: a forked ``check`` cost 0.60 CPU-s without it and
0.46 with it, and ``test_update`` with ``test_sources_keyless`` 45.5 CPU-s against 34.5. What
is kept is keyed by the text it was made from (``functools.lru_cache``), so a command on a
changed catalogue computes its own; nothing here reads the live files (the fork server is
watched by ``tests/live_guard.py`` too).
"""

from __future__ import annotations

from generator.catalogue.load import load_config
from tests.conftest import FIXTURE

load_config(FIXTURE / "indicators.yml")

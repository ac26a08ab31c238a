"""Imported last by the fork server of ``tests/forked.py``: the frozen catalogue and snapshot
loaded once, so that every command forked from the server finds what a first ``load_config``
makes in a process already made, as the imports are: each sentence's template compiled and
its placeholders found, the list of time zones read, the YAML and each series' CSV parsed
(kept by their text, so a project copy's unchanged files are found parsed: about 0.1 CPU-s of
each command).

Each command paid that first load again: a forked ``check`` cost 0.60 CPU-s without it and
0.46 with it, and ``test_update`` with ``test_sources_keyless`` 45.5 CPU-s against 34.5. What
is kept is keyed by the text it was made from (``functools.lru_cache``, ``yaml_lines._PARSED``,
``store._PARSED``), so a command on a
changed catalogue computes its own; nothing here reads the live files (the fork server is
watched by ``tests/live_guard.py`` too).
"""

from __future__ import annotations

from generator.catalogue.load import load_config
from generator.snapshot.store import Store
from tests.conftest import FIXTURE

_config = load_config(FIXTURE / "indicators.yml")
_store = Store(FIXTURE / "data")
for _series_id, _spec in _config.series.items():
    if _store.exists(_spec.source, _series_id):
        _store.load(_spec.source, _series_id)

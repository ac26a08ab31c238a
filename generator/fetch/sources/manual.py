"""Series updated by hand (the PBoC publishes no API): ``update`` leaves them alone.

The rows are added to ``data/series/manual/<ID>.csv`` by hand (then ``make check``), and
``check`` says when a new observation is overdue from the model's ``every`` and ``lag``
(``snapshot/freshness.py`` ``manual_overdue``). This module exists so the registry of sources
has one module per name; asking it to fetch is a programming mistake.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from generator.catalogue.sources import SourceSpec
from generator.fetch.sources import SourceError

DEFAULT_ROOT = ""  # no address: nothing is fetched


def host(spec: SourceSpec) -> str:
    return "manual"


def fetch_spec(spec: SourceSpec, series_id: str, since: date | None) -> pd.Series:
    raise SourceError(f"{series_id} is updated by hand: add its rows to its CSV")

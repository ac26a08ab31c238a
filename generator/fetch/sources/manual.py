"""Series kept in the snapshot by hand: never fetched.

Some owners publish no API (the People's Bank of China), and some sources have no module yet
(DefiLlama, Treasury Fiscal Data, the NY Fed's repo results): their series are declared
``source: manual``, stored in ``data/series/manual/<ID>.csv`` and edited by hand. ``update``
leaves them out (``update --only`` on one says so), and the overdue check that covers every
series (``snapshot/freshness.py``) says when one has not been brought up to date.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from generator.fetch.sources import SourceError

DEFAULT_ROOT = ""


def source_id(series_id: str) -> str:
    return series_id


def check_id(series_id: str) -> str | None:
    return (
        f"series {series_id!r} is updated by hand (source: manual): edit "
        f"data/series/manual/{series_id}.csv and its manifest entry; update never fetches it"
    )


def fetch(series_id: str, source_id: str, since: date | None) -> pd.Series:
    raise SourceError(f"{series_id} is updated by hand (source: manual), not fetched")

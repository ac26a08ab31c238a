"""A fake SDMX 2.1 REST service (the ECB Data Portal's shape) serving SDMX-CSV and SDMX-JSON.

``/service/data/{flow}/{key}[?startPeriod=]`` answers by the ``Accept`` header, as the
standard's content negotiation says: ``application/vnd.sdmx.data+csv;version=1.0.0`` gives the
ECB's CSV (``KEY,FREQ,REF_AREA,...,TIME_PERIOD,OBS_VALUE,OBS_STATUS,...``, one row per
observation), ``application/vnd.sdmx.data+json;version=1.0.0`` SDMX-JSON 1.0 (``dataSets``,
``structure.dimensions.observation`` with the periods); anything else 406. An unknown flow or
key is the ECB's 404 with the text body ``No results found.``. ``rows`` are keyed
``"<flow>/<key>"`` and hold SDMX periods (``2026-W26`` for the weekly financial statement).
"""

from __future__ import annotations

import json
from datetime import date

from tests.fakes.base import FakeServer, Reply

CSV = "application/vnd.sdmx.data+csv;version=1.0.0"
JSON = "application/vnd.sdmx.data+json;version=1.0.0"
# ILM.W.U2.C.T000000.Z5.Z01: Eurosystem total assets, EUR millions, ISO weeks.
ILM = "ILM/W.U2.C.T000000.Z5.Z01"
ILM_ROWS = [
    ["2026-W31", "6101234"],
    ["2026-W32", "6098765"],
    ["2026-W33", "6093150"],
    ["2026-W34", "6090022"],
]


def period_start(period: str) -> date:
    """Where a period starts, to apply startPeriod as the service does."""
    if "-W" in period:
        year, week = period.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    parts = period.split("-")
    return date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, 1)


class FakeSdmx(FakeServer):
    PREFIX = "/service"
    SAMPLE = {ILM: ILM_ROWS}

    def series_of(self, path: str, query: dict[str, str]) -> str | None:
        parts = path.split("/")
        return "/".join(parts[3:5]) if len(parts) >= 5 and parts[2] == "data" else None

    def route(self, path: str, query: dict[str, str]) -> Reply:
        series = self.series_of(path, query)
        if series is None or series not in self.rows:
            return Reply(404, b"No results found.", "text/plain")
        start = query.get("startPeriod")
        rows = self.rows[series]
        if start and not self.ignore_range:
            first = date.fromisoformat(start)
            rows = [row for row in rows if period_start(row[0]) >= first.replace(day=1)]
        if not rows:
            return Reply(404, b"No results found.", "text/plain")
        accept = self.headers.get("accept", "")
        flow, key = series.split("/")
        if accept == CSV:
            return Reply(200, self.csv(flow, key, rows), "text/csv")
        if accept == JSON:
            return Reply(200, self.json(flow, key, rows), JSON)
        return Reply(406, b"Not Acceptable", "text/plain")

    def csv(self, flow: str, key: str, rows: list[list[str]]) -> bytes:
        dims = key.split(".")
        head = "KEY,FREQ,REF_AREA,ILM_ITEM,TIME_PERIOD,OBS_VALUE,OBS_STATUS,OBS_CONF,TITLE"
        lines = [head]
        for period, value in rows:
            lines.append(
                f"{flow}.{key},{dims[0]},{dims[1]},{dims[3]},{period},{value},A,F,"
                '"Total assets/liabilities, Eurosystem"'
            )
        return ("\n".join(lines) + "\n").encode()

    def json(self, flow: str, key: str, rows: list[list[str]]) -> bytes:
        def number(text: str) -> float | None:
            try:
                return float(text)
            except ValueError:
                return None if text in ("", "NaN") else text  # type: ignore[return-value]

        observations = {str(index): [number(value), 0, 0] for index, (_, value) in enumerate(rows)}
        payload = {
            "header": {"id": "fake", "prepared": "2026-08-28T08:00:00Z", "sender": {"id": "ECB"}},
            "dataSets": [
                {"action": "Replace", "series": {"0:0:0:0:0:0:0": {"observations": observations}}}
            ],
            "structure": {
                "name": flow,
                "dimensions": {
                    "series": [
                        {"id": name, "values": [{"id": part}]}
                        for name, part in zip(
                            ["FREQ", "REF_AREA", "ILM_ITEM", "ILM_SERIES", "X", "Y", "Z"],
                            key.split("."),
                            strict=False,
                        )
                    ],
                    "observation": [
                        {
                            "id": "TIME_PERIOD",
                            "role": "time",
                            "values": [{"id": period, "name": period} for period, _ in rows],
                        }
                    ],
                },
            },
        }
        return json.dumps(payload).encode()

"""A fake Bank of Japan Time-Series Data Search API (``/api/v1/getDataCode``).

Like the real one it answers HTTP 200 whatever happens and puts the outcome in the body:
``{"STATUS", "MESSAGEID", "MESSAGE", "DATE", "PARAMETER", "NEXTPOSITION", "RESULTSET"}``. An
unknown code is STATUS 400 ``M181013E``, a missing ``db`` 400 ``M181004E``, a month outside
the data 200 ``M181030I`` with an empty result; ``body_faults`` queues STATUS 500/503 replies
(still HTTP 200). ``rows`` are keyed ``"<DB>/<CODE>"`` with ISO dates; monthly series answer
``SURVEY_DATES`` as ``YYYYMM`` integers, daily ones ``YYYYMMDD``. ``startDate``/``endDate`` are
``YYYYMM`` (the API's form for monthly, weekly and daily series).
"""

from __future__ import annotations

from tests.fakes.base import FakeServer, Reply, json_reply

BS01 = "BS01/MABJMTA"  # the Bank's accounts: total assets, 100 million yen, monthly
BS01_ROWS = [
    ["2026-04-01", "7431256"],
    ["2026-05-01", "7398810"],
    ["2026-06-01", "7402554"],
    ["2026-07-01", "7376042"],
]


class FakeBoj(FakeServer):
    SAMPLE = {BS01: BS01_ROWS}

    def __init__(self) -> None:
        super().__init__()
        self.daily: set[str] = set()
        self.body_faults: list[int] = []

    def series_of(self, path: str, query: dict[str, str]) -> str | None:
        return f"{query.get('db', '').upper()}/{query.get('code', '').upper()}"

    def route(self, path: str, query: dict[str, str]) -> Reply:
        if path != "/api/v1/getDataCode":
            return Reply(404, b"<html><body>404 Not Found</body></html>", "text/html")
        if self.body_faults:
            status = self.body_faults.pop(0)
            ident = "M181091S" if status == 503 else "M181090S"
            return self.envelope(status, ident, "Database access error.", None, [])
        if not query.get("db"):
            return self.envelope(400, "M181004E", "DB is not specified.", None, [])
        series = self.series_of(path, query)
        if series not in self.rows:
            return self.envelope(
                400, "M181013E", "The specified series code does not exist.: code 1", None, []
            )
        start, end = query.get("startDate", "000000"), query.get("endDate", "999999")
        rows = [row for row in self.rows[series] if start <= row[0][:7].replace("-", "") <= end]
        if not rows:
            return self.envelope(200, "M181030I", "No data matched.", query, [])
        daily = series in self.daily
        dates = [
            int(day.replace("-", "") if daily else day[:7].replace("-", "")) for day, _ in rows
        ]
        values = [None if value == "" else float(value) for _, value in rows]
        result = {
            "SERIES_CODE": series.split("/")[1],
            "NAME_OF_TIME_SERIES": "Total Assets",
            "UNIT": "100 million yen",
            "FREQUENCY": "DAILY" if daily else "MONTHLY",
            "CATEGORY": "Bank of Japan Accounts",
            "LAST_UPDATE": 20260805,
            "VALUES": {"SURVEY_DATES": dates, "VALUES": values},
        }
        return self.envelope(200, "M181000I", "Successfully completed.", query, [result])

    def envelope(
        self, status: int, ident: str, message: str, parameter: object, results: list
    ) -> Reply:
        body = {
            "STATUS": status,
            "MESSAGEID": ident,
            "MESSAGE": message,
            "DATE": "2026-08-28T08:50:00.000+09:00",
            "PARAMETER": parameter,
            "NEXTPOSITION": None,
            "RESULTSET": results,
        }
        return json_reply(body)

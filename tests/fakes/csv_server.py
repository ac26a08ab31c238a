"""A fake file server for the CSV-over-HTTPS source: plain CSV files, a keyed one, and the
error a vendor's gateway sends when a quota runs out, echoing the caller's key.

``/files/<name>.csv`` serves ``rows[<name>]`` under the header ``Date,Close,Volume`` after a
one-line title (a preamble the source must skip), dates as ``DD/MM/YYYY`` when
``day_first`` else ISO. ``/keyed/<name>.csv`` wants ``?apikey=`` equal to ``key``: a wrong key
is 401 ``{"message": "Invalid API key '<the key sent>'"}``, and with ``quota_spent`` even the
right key is 403 ``{"message": "Quota exceeded for API key <the key sent>"}`` (real gateways
echo the key like this, which is why every declared key is redacted).
"""

from __future__ import annotations

from tests.fakes.base import FakeServer, Reply, json_reply


class FakeCsv(FakeServer):
    def __init__(self, key: str = "") -> None:
        super().__init__()
        self.key = key
        self.quota_spent = False
        self.day_first = False

    def series_of(self, path: str, query: dict[str, str]) -> str | None:
        name = path.rsplit("/", 1)[-1]
        return name.removesuffix(".csv") if name.endswith(".csv") else None

    def url(self, name: str, keyed: bool = False) -> str:
        return f"{self.origin}/{'keyed' if keyed else 'files'}/{name}.csv"

    def route(self, path: str, query: dict[str, str]) -> Reply:
        name = self.series_of(path, query)
        if path.startswith("/keyed/"):
            sent = query.get("apikey", "")
            if sent != self.key:
                return json_reply({"message": f"Invalid API key '{sent}'"}, 401)
            if self.quota_spent:
                body = {"message": f"Quota exceeded for API key {sent}; upgrade your plan"}
                return json_reply(body, 403)
        if name is None or name not in self.rows:
            return Reply(404, b"<html><body>Not Found</body></html>", "text/html")
        lines = ["Daily closes (test data)", "Date,Close,Volume"]
        for day, value in self.rows[name]:
            shown = f"{day[8:10]}/{day[5:7]}/{day[0:4]}" if self.day_first else day
            lines.append(f"{shown},{value},1000")
        return Reply(200, ("\r\n".join(lines) + "\r\n").encode(), "text/csv")

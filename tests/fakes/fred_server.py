"""A fake FRED speaking the XML wire format fredapi 0.5.2 reads (summarised in CONTRIBUTING.md).

Serves ``/fred/series/observations``, ``/fred/series``, ``/fred/series/vintagedates`` and
``/fred/release/dates`` (from ``release_calendar``, a test's list of days per release id) from
the snapshot's ``series/fred`` CSVs plus whatever observations a test adds; validates
``api_key`` and ``series_id`` with FRED's exact error bodies (note the two spaces after "Bad
Request."). Like ALFRED it keeps vintages: ``vintage()`` adds a value that was current over a
real-time period, and ``realtime_start``/``realtime_end`` (default: today, ``REALTIME``) select
the rows current in that window, each carrying its period clipped to the window. A window
spanning more than 2,000 vintage dates is refused with FRED's message, and any parameter it
does not know (a misspelt ``realtime_strat``) is ignored, as FRED ignores it.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

from tests.fakes.base import FakeServer, Reply

XML = "text/xml;charset=utf-8"
PROLOG = '<?xml version="1.0" encoding="utf-8" ?>\n'
REALTIME = "2026-11-24"
NOT_SET = "Bad Request.  Variable api_key has not been set."
NOT_REGISTERED = (
    "Bad Request.  The value for variable api_key is not registered.  "
    "Read https://fred.stlouisfed.org/docs/api/api_key.html for more information."
)
NO_SERIES = "Bad Request.  The series does not exist."
NO_RELEASE = "Bad Request.  The release does not exist."
MAX_VINTAGES = 2000
EARLIEST, LATEST = "1776-07-04", "9999-12-31"


def too_many_vintages(count: int, start: str, end: str) -> str:
    """FRED's refusal of a real-time period holding more than 2,000 vintage dates, as quoted in
    fredapi's issue #48 (T5YIFR, 2022)."""
    return (
        f"Bad Request.  There are {count} vintage dates in the specified real-time period: "
        f"{start} to {end}.  This exceeds the maximum number of vintage dates allowed "
        f"({MAX_VINTAGES})."
    )


HTML_504 = (
    b"<html><head><title>504 Gateway Time-out</title></head>"
    b"<body><center><h1>504 Gateway Time-out</h1></center></body></html>"
)
HTML_502_BROKEN = b"<html><body><h1>502 Bad Gateway</h1>\n<p>upstream closed<br></body>"


def error_reply(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    body = f'{PROLOG}<error code="{status}" message={quoteattr(message)}/>\n'.encode()
    return Reply(status, body, XML, headers or {})


def rate_limited(retry_after: str | None = None) -> Reply:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return error_reply(429, "Too Many Requests.  Exceeded Rate Limit", headers)


def server_error() -> Reply:
    return error_reply(500, "Internal Server Error")


def html_504() -> Reply:
    return Reply(504, HTML_504, "text/html")


def html_502_broken() -> Reply:
    return Reply(502, HTML_502_BROKEN, "text/html")


QUOTA = "Bad Request.  Quota exceeded, contact support now: "


class FakeFred(FakeServer):
    SOURCE = "fred"
    PREFIX = "/fred"

    def __init__(self, data_dir: Path, api_key: str) -> None:
        super().__init__(data_dir)
        self.api_key = api_key
        # series -> [date, value, realtime_start, realtime_end (inclusive)] of old vintages
        self.vintages: dict[str, list[tuple[str, str, str, str]]] = {}
        # FRED release id -> its calendar (ISO dates, past and scheduled); days after `today`
        # carry no data yet, so they are listed only with include_release_dates_with_no_data
        self.release_calendar: dict[int, list[str]] = {}
        self.today = REALTIME

    def vintage(self, series: str, day: str, value: str, start: str, end: str) -> None:
        """A value of ``day`` current from ``start`` to ``end`` (inclusive); today's value of
        that day is then current from the day after ``end``."""
        self.vintages.setdefault(series, []).append((day, value, start, end))

    def series_of(self, path: str, query: dict[str, str]) -> str | None:
        if path == "/fred/release/dates":
            return f"release/{query.get('release_id')}"
        return query.get("series_id")

    def route(self, path: str, query: dict[str, str]) -> Reply:
        key = query.get("api_key")
        if key is None or key == "":
            return error_reply(400, NOT_SET)
        if key != self.api_key:
            return error_reply(400, NOT_REGISTERED)
        if path == "/fred/release/dates":
            return self._release_dates(query)
        series = query.get("series_id", "")
        paths = ("/fred/series", "/fred/series/observations", "/fred/series/vintagedates")
        if path not in paths:
            return error_reply(404, "Not Found.  The requested path does not exist.")
        if series not in self.rows:
            return error_reply(400, NO_SERIES)
        if path == "/fred/series":
            return self._info(series)
        if path == "/fred/series/vintagedates":
            return self._vintage_dates(series, query)
        return self._observations(series, query)

    def _periods(self, series: str) -> list[tuple[str, str, str, str]]:
        """Every (date, value, realtime_start, realtime_end) the series ever had; a value
        never revised has been current since the earliest real-time date."""
        old = self.vintages.get(series, [])
        ends: dict[str, str] = {}
        for day, _, _, end in old:
            ends[day] = max(end, ends.get(day, end))
        rows = list(old)
        for day, value in self.rows[series]:
            since = EARLIEST
            if day in ends:
                since = (date.fromisoformat(ends[day]) + timedelta(days=1)).isoformat()
            rows.append((day, value, since, LATEST))
        return sorted(rows, key=lambda row: (row[0], row[2]))

    def _window(self, series: str, query: dict[str, str]) -> tuple[str, str, list[str]]:
        start = query.get("realtime_start", REALTIME)
        end = query.get("realtime_end", REALTIME)
        dates = sorted({s for _, _, s, e in self._periods(series) if s <= end and e >= start})
        dates = [max(d, start) for d in dates]
        return start, end, sorted(set(dates))

    def _observations(self, series: str, query: dict[str, str]) -> Reply:
        start = query.get("observation_start", "1776-07-04")
        end = query.get("observation_end", "9999-12-31")
        rt_start, rt_end, vintages = self._window(series, query)
        if len(vintages) > MAX_VINTAGES:
            return error_reply(400, too_many_vintages(len(vintages), rt_start, rt_end))
        rows = [
            (day, value, max(since, rt_start), min(until, rt_end))
            for day, value, since, until in self._periods(series)
            if start <= day <= end and since <= rt_end and until >= rt_start
        ]
        lines = [
            f'{PROLOG}<observations realtime_start="{rt_start}" realtime_end="{rt_end}" '
            f'observation_start="{start}" observation_end="{end}" units="lin" output_type="1" '
            f'file_type="xml" order_by="observation_date" sort_order="asc" count="{len(rows)}" '
            'offset="0" limit="100000">'
        ]
        for day, value, since, until in rows:
            lines.append(
                f'  <observation realtime_start="{since}" realtime_end="{until}" '
                f"date={quoteattr(day)} value={quoteattr(value or '.')}/>"
            )
        lines.append("</observations>\n")
        return Reply(200, "\n".join(lines).encode(), XML)

    def _vintage_dates(self, series: str, query: dict[str, str]) -> Reply:
        """The days the series' values changed, in FRED's documented shape (default window:
        every real-time date)."""
        query = {"realtime_start": EARLIEST, "realtime_end": LATEST, **query}
        start, end, dates = self._window(series, query)
        dates = [d for d in dates if d != EARLIEST]
        lines = [
            f'{PROLOG}<vintage_dates realtime_start="{start}" realtime_end="{end}" '
            f'order_by="vintage_date" sort_order="asc" count="{len(dates)}" offset="0" '
            'limit="10000">'
        ]
        lines += [f"  <vintage_date>{day}</vintage_date>" for day in dates]
        lines.append("</vintage_dates>\n")
        return Reply(200, "\n".join(lines).encode(), XML)

    def _release_dates(self, query: dict[str, str]) -> Reply:
        """``fred/release/dates`` as FRED documents it: ``<release_dates>`` with one
        ``<release_date release_id="20">YYYY-MM-DD</release_date>`` per day; the real-time
        period bounds the days listed (default: 1 January of the current year to 9999-12-31);
        ``include_release_dates_with_no_data`` (default false) adds the days after today;
        ``sort_order`` asc or desc; ``limit`` 1 to 10000 (default 10000), ``offset``."""
        text = query.get("release_id", "")
        if not text.isdigit() or int(text) not in self.release_calendar:
            return error_reply(400, NO_RELEASE)
        release = int(text)
        start = query.get("realtime_start", self.today[:4] + "-01-01")
        end = query.get("realtime_end", LATEST)
        with_no_data = query.get("include_release_dates_with_no_data", "false") == "true"
        limit = int(query.get("limit", "10000"))
        offset = int(query.get("offset", "0"))
        if not 1 <= limit <= 10000:
            return error_reply(400, "Bad Request.  Variable limit is not between 1 and 10000.")
        days = [
            d
            for d in sorted(self.release_calendar[release])
            if start <= d <= end and (with_no_data or d <= self.today)
        ]
        order = query.get("sort_order", "asc")
        if order == "desc":
            days.reverse()
        page = days[offset : offset + limit]
        lines = [
            f'{PROLOG}<release_dates realtime_start="{start}" realtime_end="{end}" '
            f'order_by="release_date" sort_order="{order}" count="{len(days)}" '
            f'offset="{offset}" limit="{limit}">'
        ]
        lines += [f'  <release_date release_id="{release}">{d}</release_date>' for d in page]
        lines.append("</release_dates>\n")
        return Reply(200, "\n".join(lines).encode(), XML)

    def _info(self, series: str) -> Reply:
        rows = self.rows[series]
        first, last = (rows[0][0], rows[-1][0]) if rows else ("", "")
        body = (
            f'{PROLOG}<seriess realtime_start="{REALTIME}" realtime_end="{REALTIME}">\n'
            f'  <series id={quoteattr(series)} realtime_start="{REALTIME}" '
            f'realtime_end="{REALTIME}" title={quoteattr(series)} observation_start="{first}" '
            f'observation_end="{last}" frequency="Daily" frequency_short="D" units="Percent" '
            'units_short="%" seasonal_adjustment="Not Seasonally Adjusted" '
            'seasonal_adjustment_short="NSA" last_updated="2026-08-21 08:01:02-05" '
            'popularity="80"/>\n</seriess>\n'
        )
        return Reply(200, body.encode(), XML)

    def echo_key(self, status: int = 400) -> Reply:
        """An error reply quoting the caller's key after a long prefix, as a careless gateway
        does: clipping the message before redacting it would leave most of the key."""
        return error_reply(status, QUOTA + self.api_key)

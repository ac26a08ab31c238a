"""A loopback HTTP server that tests drive: canned data, injected faults, a request log.

Each fake source subclasses ``FakeServer`` and renders the same simple data model (``rows``:
series id -> ``[date, value]`` strings) in its real wire format. What every fake
shares lives here, once: the rows (its ``SAMPLE``, then, given a project's ``data/``, the CSVs
of ``data/series/<SOURCE>/``), the address its ``<SOURCE>_API_ROOT`` is set to (``root``: the
origin and the API's ``PREFIX``), the dates a request asks for (``window``), JSON replies, the
server thread and the request handler. Tests then change ``rows`` (new observations,
revisions, duplicates, junk values: through ``add``, ``remove``, ``duplicate`` or ``own``, as a
snapshot's rows are shared read-only) or queue faults (status replies, truncated bodies,
replies that never come) per series.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

EARLIEST, LATEST = "0000-00-00", "9999-99-99"  # ISO dates sort as text: the widest window


@dataclass
class Reply:
    """One HTTP reply. ``body=None`` means "what the route would have answered"."""

    status: int = 200
    body: bytes | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    truncate: int | None = None  # send only this many bytes of the body (Content-Length too)
    hang: float = 0.0  # wait this long, then close without answering
    trickle: float = 0.0  # send the body one byte at a time, this many seconds apart
    huge: int = 0  # send a body of this many bytes (streamed, never held in memory)
    trickle_headers: float = 0.0  # send the status line and headers one byte at a time too
    redirect_to: str = ""  # answer 302 to this origin + the request's own path and query


@dataclass
class Fault:
    reply: Reply
    series: str | None  # None: every series
    times: int | None  # None: every time


@dataclass
class Logged:
    path: str
    query: dict[str, str]
    series: str | None
    at: float


def json_reply(body: object, status: int = 200) -> Reply:
    """A JSON reply, as most sources send."""
    return Reply(status, json.dumps(body).encode())


def midnight_utc(day: str) -> int:
    """The Unix time of a day's midnight UTC (how DefiLlama and Coinbase stamp days)."""
    return int(datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).timestamp())


# A series' rows: ``[date, value]`` strings; a tuple of tuples while shared with other fakes.
Rows = list[list[str]] | tuple[tuple[str, str], ...]


def copied(rows: dict[str, list[list[str]]]) -> dict[str, Rows]:
    """Mutable copies of a fake's sample rows, so a test's changes stay in its own fake."""
    return {series: [list(row) for row in values] for series, values in rows.items()}


def snapshot_rows(data_dir: Path, source: str) -> dict[str, Rows]:
    """The rows a snapshot stores for one source (``data/series/<source>/``)."""
    return load_rows(Path(data_dir) / "series" / source)


# Each CSV's rows parsed once per process, keyed by the file's bytes: about 150 sets of fakes
# start in a run, each on a copy of the same snapshot, and parsing its 87,000 rows again for
# each cost 46 ms. The parsed rows are shared as tuples; a fake makes a series its own (lists
# it may change) when a test changes that series (``FakeServer.own``).
_PARSED: dict[bytes, tuple[tuple[str, str], ...]] = {}


def load_rows(folder: Path) -> dict[str, Rows]:
    """``date,value`` CSVs of a snapshot folder as string rows (shared, read-only tuples)."""
    rows: dict[str, Rows] = {}
    for path in sorted(folder.glob("*.csv")):
        if path.name.endswith((".revisions.csv", ".held.csv")):  # not the served series
            continue
        data = path.read_bytes()
        parsed = _PARSED.get(data)
        if parsed is None:
            reader = csv.reader(io.StringIO(data.decode(), newline=""))
            next(reader)
            parsed = _PARSED[data] = tuple((day, value) for day, value in reader)
        rows[path.stem] = parsed
    return rows


class FakeServer:
    """ThreadingHTTPServer on 127.0.0.1 (free port) running in a daemon thread."""

    SOURCE = ""  # the snapshot folder a fake built on a project serves: data/series/<SOURCE>
    PREFIX = ""  # the API's path after the origin: ``root`` is what <SOURCE>_API_ROOT is set to
    SAMPLE: dict[str, list[list[str]]] = {}  # rows served before (or beside) a project's

    def __init__(self, data_dir: Path | None = None) -> None:
        self.rows = copied(self.SAMPLE)
        if data_dir is not None:
            self.rows.update(snapshot_rows(data_dir, self.SOURCE))
        self.faults: list[Fault] = []
        self.log: list[Logged] = []
        self.latency = 0.0
        self.bytes_sent = 0
        self.ignore_range = False  # True: answer every row, whatever dates were asked for
        self.headers: dict[str, str] = {}  # the last request's headers, lower-cased names
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def root(self) -> str:
        """What the source's ``<SOURCE>_API_ROOT`` (or a series' ``root:``) is set to."""
        return f"{self.origin}{self.PREFIX}"

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls ----------------------------------------------------------------------
    def fail(self, reply: Reply, series: str | None = None, times: int | None = None) -> None:
        self.faults.append(Fault(reply, series, times))

    def own(self, series: str) -> list[list[str]]:
        """The series' rows as this fake's own lists, to change (a snapshot's rows are shared
        with every other fake of the process until then)."""
        rows = self.rows.get(series, [])
        if not isinstance(rows, list):
            rows = [list(row) for row in rows]
        self.rows[series] = rows
        return rows

    def add(self, series: str, *rows: tuple[str, str]) -> None:
        """New observations (or replacements of existing dates), kept sorted."""
        own = self.own(series)
        existing = {day: index for index, (day, _) in enumerate(own)}
        for day, value in rows:
            if day in existing:
                own[existing[day]][1] = value
            else:
                own.append([day, value])
        own.sort(key=lambda row: row[0])

    def remove(self, series: str, *days: str) -> None:
        self.rows[series] = [list(row) for row in self.rows[series] if row[0] not in days]

    def duplicate(self, series: str, day: str) -> None:
        own = self.own(series)
        index = next(i for i, row in enumerate(own) if row[0] == day)
        own.insert(index + 1, list(own[index]))

    def requests_for(self, series: str) -> list[Logged]:
        return [entry for entry in self.log if entry.series == series]

    def window(self, query: dict[str, str], start: str, end: str | None = None) -> tuple[str, str]:
        """The ISO dates a request asks for (query parameters ``start`` and ``end``), the widest
        window when a parameter is left out or the test set ``ignore_range``."""
        if self.ignore_range:
            return EARLIEST, LATEST
        return query.get(start, EARLIEST), query.get(end, LATEST) if end else LATEST

    # -- to implement -----------------------------------------------------------------------
    def series_of(self, path: str, query: dict[str, str]) -> str | None:
        raise NotImplementedError

    def route(self, path: str, query: dict[str, str]) -> Reply:
        raise NotImplementedError

    # -- machinery --------------------------------------------------------------------------
    def _pick_fault(self, series: str | None) -> Reply | None:
        with self._lock:
            for fault in self.faults:
                if fault.series not in (None, series) or fault.times == 0:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                return fault.reply
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class, bound to this fake."""
        return type("Handler", (_Handler,), {"fake": self})


def _faulted(reply: Reply, fault: Reply) -> Reply:
    """The route's reply as a fault changes it: its own body (and status and type) when it has
    one, its headers on top, and its way of sending."""
    own = fault.body is not None
    return Reply(
        fault.status if own else reply.status,
        fault.body if own else reply.body,
        fault.content_type if own else reply.content_type,
        {**reply.headers, **fault.headers},
        fault.truncate,
        trickle=fault.trickle,
        huge=fault.huge,
        trickle_headers=fault.trickle_headers,
    )


class _Handler(BaseHTTPRequestHandler):
    """Serves one fake: logs the request, applies a queued fault, sends the route's reply."""

    protocol_version = "HTTP/1.1"
    fake: FakeServer  # set per fake by FakeServer._handler

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        fake = self.fake
        parsed = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        fake.headers = {name.lower(): value for name, value in self.headers.items()}
        series = fake.series_of(parsed.path, query)
        with fake._lock:
            fake.log.append(Logged(parsed.path, query, series, time.monotonic()))
        if fake.latency:
            time.sleep(fake.latency)
        fault = fake._pick_fault(series)
        if fault is not None and self._answered_by(fault):
            return
        reply = fake.route(parsed.path, query)
        if fault is not None:
            reply = _faulted(reply, fault)
        body = reply.body or b""
        if reply.truncate is not None:
            body = body[: reply.truncate]
        if reply.trickle_headers:
            self._trickle_all(reply, body)
            return
        self._reply(reply, body)

    def _answered_by(self, fault: Reply) -> bool:
        """A fault that replaces the reply: a hang (then close), or a redirect."""
        if fault.hang:
            self.fake._stopping.wait(fault.hang)
            self.close_connection = True
            return True
        if fault.redirect_to:
            self.send_response(302)
            self.send_header("Location", fault.redirect_to + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        return False

    def _trickle_all(self, reply: Reply, body: bytes) -> None:
        """Status line, headers and body one byte at a time."""
        head = (
            f"HTTP/1.1 {reply.status} Slow\r\nContent-Type: {reply.content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.close_connection = True
        try:
            self._send(head + body, Reply(trickle=reply.trickle_headers))
        except OSError:
            pass

    def _reply(self, reply: Reply, body: bytes) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        if not reply.huge:  # a huge body is sent without a length, as streams are
            self.send_header("Content-Length", str(len(body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.huge:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        try:
            sent = self._send(body, reply)
        except OSError:  # the client gave up, as it should
            sent = 0
            self.close_connection = True
        with self.fake._lock:
            self.fake.bytes_sent += sent

    def _send(self, body: bytes, reply: Reply) -> int:
        fake = self.fake
        if reply.huge:
            chunk = b" " * 65536
            sent = 0
            while sent < reply.huge and not fake._stopping.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
            return sent
        if reply.trickle:
            for index in range(len(body)):
                if fake._stopping.wait(reply.trickle):
                    return index
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()
            return len(body)
        self.wfile.write(body)
        return len(body)

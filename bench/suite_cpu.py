"""Where the test suite's CPU goes: each test's CPU-seconds, whole machine, one test at a time.

`make test` on two cores is bound by CPU, not by waits: both cores stay busy for the whole run
(`vmstat`), and a third worker does not shorten it. So its time is about its CPU-seconds over
two, and what to make cheaper is what uses the most of them. Much of it is not the test's own
process (Chromium's renderers, forked generator and MkDocs commands), so each test is measured
by the machine's busy time (/proc/stat) around it, in one process (``-n 0``) with nothing else
running: run it on an idle machine.

    .venv/bin/python bench/suite_cpu.py                 # the whole suite (about 11 minutes)
    .venv/bin/python bench/suite_cpu.py tests/test_x.py # some of it

Prints the total, the costliest tests and the modules by CPU-seconds; writes every row to
bench/out/suite_cpu.txt ("cpu-s wall-s test id"). Then the run's CPU-seconds by kind of
process (Chromium's renderers and browser, the commands forked from tests/forked.py, this
process), from /proc read every 0.3 s: a process that lives less than that is missed.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "suite_cpu.txt"
TICKS = os.sysconf("SC_CLK_TCK")


def busy_seconds() -> float:
    """CPU-seconds the whole machine has been busy (user, nice, system, irq, softirq)."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = stat.readline().split()
    return sum(int(fields[i]) for i in (1, 2, 3, 6, 7)) / TICKS


class Meter:
    """A pytest plugin: the machine's busy time and the wall time around each test."""

    def __init__(self) -> None:
        self.rows: list[tuple[float, float, str]] = []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Iterator[None]:
        busy, wall = busy_seconds(), time.monotonic()
        try:
            return (yield)
        finally:
            self.rows.append((busy_seconds() - busy, time.monotonic() - wall, item.nodeid))


def process_kind(pid: int, cmdline: str) -> str:
    """What a process is, for the breakdown: Chromium by its --type, the fork server's
    children (tests/forked.py: generator commands and MkDocs builds), this process."""
    if pid == os.getpid():
        return "pytest (this process: in-process tests, Playwright's client)"
    if "chrom" in cmdline:
        kind = next((p[7:] for p in cmdline.split() if p.startswith("--type=")), "browser")
        return f"chromium {kind}"
    if "multiprocessing.forkserver" in cmdline:
        return "forked commands (generator, mkdocs) and their server"
    if "playwright" in cmdline:
        return "playwright driver (node)"
    return "other: " + cmdline.split(" ")[0][-40:]


class ProcessMeter(threading.Thread):
    """Each process's CPU-seconds (utime + stime) from /proc, polled until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.first: dict[int, int] = {}
        self.last: dict[int, tuple[int, str]] = {}
        self.done = threading.Event()
        self.poll(first=True)

    def poll(self, first: bool = False) -> None:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                ticks = int(fields[11]) + int(fields[12])
                kind = self.last[pid][1] if pid in self.last else ""
                if not kind:
                    with open(f"/proc/{pid}/cmdline", "rb") as command:
                        kind = process_kind(pid, command.read().replace(b"\0", b" ").decode())
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
            if first:
                self.first[pid] = ticks
            self.last[pid] = (ticks, kind)

    def run(self) -> None:
        while not self.done.wait(0.3):
            self.poll()

    def by_kind(self) -> Counter[str]:
        kinds: Counter[str] = Counter()
        for pid, (ticks, kind) in self.last.items():
            kinds[kind] += (ticks - self.first.get(pid, 0)) / TICKS
        return kinds


def report(rows: list[tuple[float, float, str]], top: int = 30) -> str:
    modules: Counter[str] = Counter()
    for cpu, _, node in rows:
        modules[node.split("::")[0]] += cpu
    lines = [f"{sum(r[0] for r in rows):.0f} CPU-s in {len(rows)} tests", "", "costliest tests:"]
    lines += [f"{cpu:7.1f} {wall:7.1f}  {node}" for cpu, wall, node in sorted(rows)[::-1][:top]]
    lines += ["", "modules:"]
    lines += [f"{cpu:7.1f}  {name}" for name, cpu in modules.most_common(top)]
    return "\n".join(lines)


def main(args: list[str]) -> int:
    meter = Meter()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    processes = ProcessMeter()
    processes.start()
    code = pytest.main(["-n", "0", "-q", "-p", "no:cacheprovider", *args], plugins=[meter])
    processes.done.set()
    processes.join()
    processes.poll()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        "".join(f"{cpu:.2f} {wall:.2f} {node}\n" for cpu, wall, node in sorted(meter.rows)[::-1])
    )
    print(report(meter.rows))
    print("\nby kind of process (CPU-s):")
    for kind, cpu in processes.by_kind().most_common():
        if cpu >= 0.5:
            print(f"{cpu:7.1f}  {kind}")
    print(f"\nevery test: {OUT.relative_to(ROOT)}")
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Command line: ``python -m generator accept | build | check | csp | explain | report |
schema | update | vintages``.

The only place where stages are wired together. Each command turns the errors users can cause
(broken config, broken snapshot, missing key) into one readable message and an exit code,
never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from generator.catalogue.messages import ConfigError
from generator.snapshot.lock import LockHeld, WriteError, describe_os_error
from generator.snapshot.store import StoreError

EXIT_OK = 0
EXIT_USER_ERROR = 2  # config, key, snapshot or --date error; another run holds the data lock
EXIT_WRITE = 4  # data/ or site/ cannot be written (read-only, disk full)
WRITE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project folder")
    commands = parser.add_subparsers(dest="command", required=True)
    accept = commands.add_parser(
        "accept", help="apply a series' reply the revision gate held for review"
    )
    accept.add_argument("series", help="a series id of indicators.yml")
    build = commands.add_parser(
        "build", help="compute indicators and write charts and pages into site/"
    )
    build.add_argument(
        "--as-of", default=None, help="build the site as known on this day, YYYY-MM-DD"
    )
    commands.add_parser("check", help="validate indicators.yml, events.yml and the data snapshot")
    csp = commands.add_parser(
        "csp",
        help="after the theme's build: write each page's Content-Security-Policy into the "
        "built site (e.g. public/) and check that it allows every inline script",
    )
    csp.add_argument("site", type=Path, help="the built site's folder, e.g. public")
    csp.add_argument("--check", action="store_true", help="only check; write nothing")
    report = commands.add_parser("report", help="write the dated nightly report post")
    report.add_argument("--date", default=None, help="report date YYYY-MM-DD (default: today)")
    commands.add_parser("schema", help="write indicators.schema.json from the config models")
    update = commands.add_parser("update", help="fetch new observations into data/")
    update.add_argument("--only", nargs="*", default=None, help="series ids to update")
    update.add_argument(
        "--keyless", action="store_true", help="only series whose source needs no API key"
    )
    update.add_argument(
        "--deadline",
        type=_seconds,
        default=None,
        help="stop fetching after this many seconds; the series left keep their data (stale)",
    )
    update.add_argument(
        "--due",
        action="store_true",
        help="only series whose release came out after their last fetch that changed them "
        "(the timed runs); refreshes FRED's release calendars when they run short",
    )
    update.add_argument(
        "--calendars",
        action="store_true",
        help="only refresh FRED's release calendars in data/releases/ (needs the FRED key)",
    )
    vintages = commands.add_parser(
        "vintages", help="back-fill a FRED series' revision file from ALFRED's vintages"
    )
    vintages.add_argument("series", help="a FRED series id of indicators.yml")
    vintages.add_argument("--since", required=True, help="first vintage date YYYY-MM-DD")
    explain = commands.add_parser(
        "explain", help="how a published number was made: its formula, rows and arithmetic"
    )
    explain.add_argument("name", help="INDICATOR.QUANTITY, e.g. reserves.change_13w")
    explain.add_argument("--date", default=None, help="the value on this day (default: latest)")
    return parser


class Redacting:
    """A text stream that masks every declared secret in what passes through it
    (``fetch/sources/net.redact``, the one redaction function). Every command's output goes
    through it, so no message (a store error quoting a file, a traceback's last line) can
    print a key, whichever module worded it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        from generator.fetch.sources.net import redact

        return self.stream.write(redact(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _build(root: Path, args: argparse.Namespace) -> int:
    from generator.build import build
    from generator.publish.report import report_day

    build(root, as_of=report_day(args.as_of, "--as-of") if args.as_of else None)
    return EXIT_OK


def _check(root: Path, args: argparse.Namespace) -> int:
    from generator.check import check

    return check(root)


def _csp(root: Path, args: argparse.Namespace) -> int:
    from generator.publish.csp import site_problems, write_site

    site = root / args.site
    if not site.is_dir():
        raise ConfigError([f"{args.site}: no built site there (run `mkdocs build` first)"])
    if not args.check:
        changed = write_site(site)
        print(f"{site}: Content-Security-Policy written into {changed} page(s)", file=sys.stderr)
    problems = site_problems(site)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return EXIT_USER_ERROR if problems else EXIT_OK


def _report(root: Path, args: argparse.Namespace) -> int:
    from generator.publish.report import report

    return report(root, args.date)


def _schema(root: Path, args: argparse.Namespace) -> int:
    from generator.catalogue.schema import write_schema

    write_schema(root)
    return EXIT_OK


def _update(root: Path, args: argparse.Namespace) -> int:
    from generator.fetch import due
    from generator.fetch.update import EXIT_PARTIAL, update

    if (args.due or args.calendars) and (args.only or (args.due and args.calendars)):
        raise ConfigError(["--due, --calendars and --only cannot be combined"])
    if args.calendars:
        return EXIT_PARTIAL if due.refresh_calendars(root, only_when_short=False) else EXIT_OK
    if not args.due:
        return update(root, only=args.only, keyless=args.keyless, deadline=args.deadline)
    code = due.run_due(root, keyless=args.keyless, deadline=args.deadline)
    if code == EXIT_OK and not args.keyless and due.refresh_calendars(root, True):
        code = EXIT_PARTIAL
    return code


def _vintages(root: Path, args: argparse.Namespace) -> int:
    from generator.fetch.vintages import backfill

    return backfill(root, args.series, _day(args.since))


def _explain(root: Path, args: argparse.Namespace) -> int:
    from generator.explain import explain

    return explain(root, args.name, _day(args.date, "--date") if args.date else None)


def _accept(root: Path, args: argparse.Namespace) -> int:
    from generator.fetch.accept import accept

    return accept(root, args.series)


COMMANDS: dict[str, Callable[[Path, argparse.Namespace], int]] = {
    "accept": _accept,
    "build": _build,
    "check": _check,
    "csp": _csp,
    "report": _report,
    "schema": _schema,
    "update": _update,
    "vintages": _vintages,
    "explain": _explain,
}


def main(argv: list[str] | None = None) -> int:
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Redacting(sys.stdout), Redacting(sys.stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = streams


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    root = args.root.resolve()
    try:
        if args.command != "schema":
            from generator.snapshot.clock import today

            today()  # a bad UPDATE_TODAY is one line before any work, not a traceback inside it
        return COMMANDS[args.command](root, args)
    except (ConfigError, StoreError, LockHeld) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except WriteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_WRITE
    except OSError as exc:
        # A full disk or a read-only folder while writing site/ or a report: the system's
        # reason and the file, not a traceback. Any other OSError is a bug: let it show.
        if exc.errno not in WRITE_ERRNOS:
            raise
        where = f" {exc.filename}" if exc.filename else ""
        print(f"error: cannot write{where} ({describe_os_error(exc)})", file=sys.stderr)
        return EXIT_WRITE


def _seconds(text: str) -> float:
    """``--deadline``: a positive number of seconds (argparse words the error, exit 2)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 86_400:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (1 to 86399)")
    return value


def _day(text: str, option: str = "--since") -> date:
    try:
        return date.fromisoformat(text) if len(text) == 10 else date.fromisoformat("x")
    except ValueError:
        raise ConfigError([f"{option}: {text!r} is not a date written YYYY-MM-DD"]) from None


if __name__ == "__main__":
    sys.exit(main())

"""Draw the dark and phone pictures of an already published report, without its words changing.

    python tools/post_pictures.py 2026-08-21

A report is never rewritten: re-running its night with today's code would change its words.
This writes only the variants beside its light regime picture (``regime.dark.png``,
``regime.narrow.png``, ``regime.narrow.dark.png``), drawn from the data as known on its date,
the same way ``report`` draws them for new posts, and replaces the one line of the post that
names the light picture with the lines ``report`` writes for every drawing
(templates/report_picture.md.j2, through ``posts.with_drawings``); no other line changes. The
seed post's variants and picture lines were made with it (issue 23: in dark mode it was a white
block, and its axis text was unreadable on a phone).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.catalogue.load import load_config, load_events  # noqa: E402
from generator.measure import indicators  # noqa: E402
from generator.measure import regime as analysis  # noqa: E402
from generator.publish import posts as post_files  # noqa: E402
from generator.publish import report  # noqa: E402
from generator.publish.render import environment  # noqa: E402
from generator.snapshot.load import load_snapshot  # noqa: E402
from generator.snapshot.store import Store  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("date", help="the post's date, YYYY-MM-DD")
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    day = report.report_day(args.date)
    root: Path = args.root
    posts = root / report.POSTS
    if not (posts / f"{day}.md").exists():
        print(f"error: {report.POSTS}/{day}.md does not exist", file=sys.stderr)
        return 2
    events = load_events(root / "events.yml")
    config = load_config(root / "indicators.yml", events)
    snapshot = load_snapshot(config, Store(root / "data"))
    known = report.until(snapshot.series, day, snapshot.revisions)
    results = indicators.evaluate(config, known, snapshot.stale)
    regime = analysis.compute_regime(config, results)
    style = report.style_of(posts, day.isoformat())
    macro = environment(root / "templates").get_template("report_picture.md.j2").module
    post = posts / f"{day}.md"
    for image in report.regime_image(config, regime, events, day.isoformat(), style):
        for path, png in image.variants():
            (posts / path).write_bytes(png)
            print(f"wrote {report.POSTS}/{path}")
        text = post.read_text(encoding="utf-8")
        shown = post_files.with_drawings(text, image.path, str(macro.picture(image)))
        if shown != text:
            post.write_text(shown, encoding="utf-8")
            print(f"wrote {report.POSTS}/{day}.md: its picture line, every drawing")
    return 0


if __name__ == "__main__":
    sys.exit(main())

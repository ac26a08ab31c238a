"""Text is data in every sink (issue 25, class 1 and the smalls): a fork's text can neither
run as script nor become a link, an attribute or a formula, whatever sink it lands in.

The end-to-end proof (one payload in every field, the site built, Chromium loading its pages)
is in ``tests/test_hostile_text.py``; these are the fast, exact checks of each escape.
"""

from __future__ import annotations

import html as html_module
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import markdown
import pytest
from jinja2 import nodes

from generator.cli import main
from generator.publish import csv_cells, scorecard
from generator.publish.render import environment, html_text, no_markup
from tests.conftest import FIXTURE, ROOT, load_yaml

PAYLOADS = [
    "[details](javascript:alert(document.domain))",
    "x{ onanimationstart=alert(1) style=animation-name:pulse }",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "`code` *em* _em_ [a]: javascript:alert(1)",
    "![i](javascript:alert(1)){: onerror=alert(1) }",
    "<javascript:alert(1)>",
    "*x*{ onanimationstart=alert(1) style=animation-name:pulse }",
    "[d](https://example.org){: onanimationstart=alert(1) }",
]


class Elements(HTMLParser):
    """Every element's tag and attributes, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


def assert_inert(html: str) -> None:
    for tag, attrs in elements(html):
        assert not any(name.startswith("on") for name in attrs), (tag, attrs, html)
        assert "style" not in attrs, (tag, attrs)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)
        assert tag not in ("img", "svg", "script", "iframe") or attrs.get("src", "").startswith(
            "charts/"
        ), (tag, attrs)


def site_markdown(text: str) -> str:
    """Markdown as MkDocs renders it here (mkdocs.yml's extensions)."""
    config = load_yaml((ROOT / "mkdocs.yml").read_text().replace("!ENV", ""))
    extensions = [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]
    return markdown.markdown(text, extensions=extensions)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_chart_note_inside_a_markdown_figcaption_is_text(payload: str):
    """Found: an events.yml label ``[details](javascript:...)`` was a live link under each
    chart (``{{ note|h }}`` inside ``<figcaption markdown>``), and an attribute-list label
    added an ``onanimationstart`` handler."""
    env = environment(ROOT / "templates")
    macro = env.from_string(
        '{% from "figure.md.j2" import figure %}{{ figure(f, "s.json", "d.csv", note) }}'
    )
    figure = SimpleNamespace(pictures=[], sentence=payload, windowed=True)
    html = site_markdown(macro.render(f=figure, note=f"Dashed lines: {payload} (red)"))
    assert_inert(html)
    links = [attrs.get("href") for tag, attrs in elements(html) if tag == "a"]
    assert links == ["d.csv", "s.json"], html  # data link first, then the live chart (h23charts)
    shown = html_module.unescape(re.sub(r"<[^>]+>", "", html))
    assert f"Dashed lines: {payload} (red)" in shown.replace("\\", ""), shown


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_text_is_inert_in_raw_html_and_in_markdown_blocks(payload: str):
    for wrapped in (
        f'<span class="x" title="{html_text(payload)}">{html_text(payload)}</span>',
        f"<div markdown>\n<span>{html_text(payload)}</span>\n</div>",
    ):
        assert_inert(site_markdown(wrapped))


def test_the_site_name_cannot_leave_the_attribute_material_prints_it_in():
    """Found: ``no_markup`` swapped only ``<`` and ``>``: a ``"`` in ``site: name:`` closed the
    logo's ``aria-label`` and added ``onanimationstart`` on every page."""
    payload = 'LW" style="animation-name:pulse" onanimationstart="document.title=1337" x="'
    for quote in ('"', "'"):
        html = (
            f"<a aria-label={quote}{no_markup(payload.replace(chr(34), quote))}{quote} class=logo>"
        )
        assert elements(html) == [
            ("a", {"aria-label": elements(html)[0][1]["aria-label"], "class": "logo"})
        ]
    assert no_markup("LW\x0bname <b>") == "LWname \u2039b\u203a"


def test_the_site_identity_gives_material_a_name_without_quotes():
    """``build`` writes the site name into mkdocs.yml for Material (publish/identity.py, which
    replaced the site_identity hook): a quote can no longer leave the logo's attribute."""
    from generator.publish.identity import attribute_text

    name = attribute_text('LW" onfocus="x')
    assert '"' not in name and "'" not in name
    assert name == "LW\u201d onfocus=\u201dx"


# -- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("\tx", "'\tx"),
        ("\rx", '"\'\rx"'),
        ("-1.5", "-1.5"),
        ("+3", "+3"),
        ("-1e-05", "-1e-05"),
        ("2026-08-21", "2026-08-21"),
        ("Fed assets rise", "Fed assets rise"),
        ("a, b", '"a, b"'),
        ("", ""),
    ],
)
def test_a_csv_cell_that_would_start_a_formula_is_neutralised(value: str, cell: str):
    assert csv_cells.cell(value) == cell


def test_scorecard_csv_neutralises_a_claim_text_starting_with_a_formula(monkeypatch):
    """Found: a claim text starting with ``=`` or ``@`` became a formula cell."""
    row = SimpleNamespace(
        id="c1",
        text='=HYPERLINK("https://evil.example","click")',
        written="supported",
        now="@inconclusive",
        as_of_written=None,
        as_of_now=None,
        evidence_written="-5 of 9",
        evidence_now="+x",
        stopped_written={},
        stopped_now={},
        basis_written="first release",
    )
    monkeypatch.setattr(scorecard, "rows", lambda results: [row])
    text = scorecard.scorecard_csv([])
    import csv
    import io

    cells = list(csv.reader(io.StringIO(text)))[1]
    assert cells[1] == '\'=HYPERLINK("https://evil.example","click")'
    assert cells[3] == "'@inconclusive" and cells[6] == "'-5 of 9" and cells[7] == "'+x"


def test_every_csv_writer_of_publish_goes_through_csv_cells():
    """One helper, used everywhere: no module of publish/ or build.py writes CSV otherwise."""
    offenders = []
    for path in [
        *sorted((ROOT / "generator" / "publish").glob("*.py")),
        ROOT / "generator/build.py",
    ]:
        source = path.read_text()
        if path.name == "csv_cells.py":
            continue
        for needle in ("csv.writer", '",".join(frame.columns)', '",".join([*COLUMNS'):
            if needle in source:
                offenders.append(f"{path.name}: {needle}")
    assert offenders == []


# -- UPDATE_TODAY ----------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["check"], ["report"], ["build"]])
@pytest.mark.parametrize("value", ["2026-13-01", "tomorrow", "2026-9-1", "2026-02-30"])
def test_a_bad_update_today_is_a_one_line_error(command, value, capsys, monkeypatch, tmp_path):
    """Found: a bad ``UPDATE_TODAY`` ended ``check`` and ``report`` in a traceback."""
    monkeypatch.setenv("UPDATE_TODAY", value)
    code = main(["--root", str(FIXTURE), *command])
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).strip().splitlines()
    assert code == 2
    assert lines == [
        f"error: UPDATE_TODAY: '{value}' is not a date written YYYY-MM-DD; set a real day such "
        "as 2026-09-10, or unset it to use today's UTC date"
    ]


# -- templates: every printed expression escaped for its sink --------------------------------

ESCAPING_FILTERS = {"md", "h", "yaml", "front", "href", "code", "num", "signed", "day"}
# Expressions printed without an escaping filter, by template: each is made by the generator
# from numbers, dates, validated ids or fixed words, never from a fork's or a source's text.
# A new one fails the test below: escape it (md, h, yaml, front, href, code), or add it here
# with the reason it cannot carry text.
GENERATED = {
    # Values the generator makes (dates, formatted numbers, validated ids and paths, sha256 sums,
    # level words, macro calls that escape inside), never a fork's or a source's raw text.
    "calendar.md.j2": {
        "as_of",
        "i.id",
    },
    "config_reference.md.j2": {
        "const",
        "const if else const",
        "f.default|h|replace",
        "f.example|h|replace",
        "f.name",
        "f.type",
        "kind.name",
        "kind.used_by|join|md if else const",
        "op.example",
        "op.name",
        "rule",
        "section.anchor",
        "section.location",
        "source.example",
        "source.name",
        "test.inputs",
        "test.name",
        "test.params",
    },
    "data_status.md.j2": {
        "s.rows",
    },
    "figure.md.j2": {
        "csv",
        "csv_text",
        "p.classes",
        "p.height",
        "p.src",
        "p.width",
        "spec",
    },
    "global.md.j2": {
        "lw_figure()",
        "row.value",
        "s.id",
        "s.split_month",
        "until",
    },
    "home.md.j2": {
        "cite_details()",
        "calendar.as_of_day",
        "card.as_of_label",
        "card.href",
        "card.level or const",
        "card.spark",
        "figure()",
        "global_section.href",
        "headline.level",
        "latest_report.href",
        "lead.level",
        "level_text[]",
        "regime_chart",
    },
    "indicator.md.j2": {
        "cite_details()",
        "figure()",
        "ind.as_of_label",
        "ind.chart",
        "ind.cite.embed",
        "ind.cite.sha256",
        "ind.cite.zip",
        "ind.csv",
        "ind.desk.csv",
        "ind.level or const",
        "level_text[]",
        "rule.level",
    },
    "ladder.md.j2": {
        "cite_details()",
        "asset_count",
        "beyond",
        "chart",
        "const if else",
        "csv",
        "driver.indicator",
        "lw_figure()",
        "placebo_draws",
        "primary_weeks",
        "row.correlation",
        "row.coverage",
        "row.detectable",
        "row.events",
        "row.horizon",
        "row.level",
        "row.mean",
        "row.mean_interval",
        "row.median",
        "row.median_interval",
        "row.n",
        "row.observations",
        "row.p_value",
        "row.peak_lag",
        "row.r",
        "row.r1",
        "row.r12",
        "row.r2",
        "row.r4",
        "row.r8",
        "row.significant",
        "row.to",
        "row.unconditional",
        "row.weeks",
        "single_level",
        "threshold",
        "turns|length",
    },
    # a chart's download and embed page links (ids), and the zip's sha256 (hex)
    "cite.md.j2": {
        "c.embed",
        "c.zip",
    },
    # the picture's files (dates and indicator ids), their CSS sizes and fixed class names
    "report_picture.md.j2": {
        "image.dark_path",
        "image.path",
        "image.size[]",
        "shown.css_class",
        "shown.path",
        "shown.size[]",
    },
    "report.md.j2": {
        "as_of_labels.get() or row.as_of|day",
        "category",
        "day.isoformat()",
        "headline.level",
        "lead.level",
        "lead_image.path",
        "made_with",
        "picture()",
        "row.date",
        "row.seen",
        "sized()",
        "state",
    },
    "revisions.md.j2": {
        "r.date",
        "r.known_from",
        "r.replaced",
        "shown",
        "total",
    },
    "scorecard.md.j2": {
        "csv",
        "row.link",
        "row.now",
        "row.now_level",
        "row.written",
        "row.written_level",
    },
}


def expression(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{expression(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{expression(node.node)}[]"
    if isinstance(node, nodes.Call):
        return f"{expression(node.node)}()"
    if isinstance(node, nodes.Filter):
        return f"{expression(node.node)}|{node.name}"
    if isinstance(node, nodes.Const):
        return "const"
    if isinstance(node, nodes.Or | nodes.And):
        return f"{expression(node.left)} or {expression(node.right)}"
    if isinstance(node, nodes.CondExpr):
        other = expression(node.expr2) if node.expr2 is not None else ""
        return f"{expression(node.expr1)} if else {other}"
    return type(node).__name__


def unfiltered(template: Path) -> list[tuple[int, str]]:
    tree = environment(template.parent).parse(template.read_text())
    found = []
    for output in tree.find_all(nodes.Output):
        for node in output.nodes:
            if isinstance(node, nodes.TemplateData):
                continue
            if isinstance(node, nodes.Filter) and node.name in ESCAPING_FILTERS:
                continue
            found.append((node.lineno, expression(node)))
    return found


def test_every_template_expression_is_escaped_for_its_sink_or_generated():
    """Jinja's autoescape does not fit Markdown (it would not stop a Markdown link), so each
    template escapes explicitly; this rejects any printed expression without an escaping
    filter unless it is listed above as generator-made."""
    problems = []
    for template in sorted((ROOT / "templates").glob("*.j2")):
        allowed = GENERATED.get(template.name, set())
        for line, name in unfiltered(template):
            if name not in allowed:
                problems.append(
                    f"templates/{template.name}:{line}: {{{{ {name} }}}} is printed unescaped"
                )
    assert problems == [], "\n".join(problems)


def test_the_template_check_rejects_an_unfiltered_expression(tmp_path: Path):
    """The rule above can fail: a template printing a title raw is named with its line."""
    (tmp_path / "home.md.j2").write_text("# {{ title|md }}\n\n{{ card.title }}\n")
    assert unfiltered(tmp_path / "home.md.j2") == [(3, "card.title")]
    assert "card.title" not in GENERATED["home.md.j2"]


def test_text_cut_for_its_sink_is_marked_and_reordering_characters_are_dropped():
    """Found: a 10,000-character title was cut at 2,000 characters without a mark; U+202E
    from a source was kept in pages. ``check`` bounds the config's text; any cut that remains
    (a source's text) ends in an ellipsis."""
    from generator.publish.render import md_text, yaml_string

    assert md_text("x" * 2500).endswith("x\u2026") and len(md_text("x" * 2500)) == 2000
    assert md_text("x" * 2000) == "x" * 2000
    assert json_loads(yaml_string("y" * 400)) == "y" * 299 + "\u2026"
    assert html_text("ab\u202ecd\u2066e\x92f\u2028g") == "abcdefg"


def json_loads(text: str) -> str:
    import json

    return json.loads(text)

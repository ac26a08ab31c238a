"""The site as published with no MkDocs hook (issue 23): the post-build step
``python -m generator csp SITE_DIR`` gives every built page a Content-Security-Policy whose
hashes are those of its inline scripts (recomputed here by separate code), runs twice to the
same bytes, and fails a page whose script changed after it; and the seed report, whose picture
lines ``tools/post_pictures.py`` wrote, serves its dark and phone drawings."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.publish import csp
from generator.publish.posts import with_drawings
from tests.conftest import ROOT, run_generator
from tests.pages import PageWatch

SEED = ROOT / "site" / "blog" / "posts" / "2026-08-21.md"
DRAWINGS = {  # class -> the drawing it shows (relative to the post's image folder)
    "lw-report-light": "regime.png",
    "lw-report-dark": "regime.dark.png",
    "lw-report-narrow-light": "regime.narrow.png",
    "lw-report-narrow-dark": "regime.narrow.dark.png",
}


class Scripts(HTMLParser):
    """Inline scripts a browser would run, and the policy <meta>, read by an HTML parser (not
    csp.py's regular expressions)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.bodies: list[str] = []
        self.policies: list[str] = []
        self.heads = 0
        self._inline = False
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "head":
            self.heads += 1
        if tag == "meta" and (found.get("http-equiv") or "").lower() == "content-security-policy":
            self.policies.append(found.get("content") or "")
        if tag == "script":
            kind = (found.get("type") or "").lower()
            runs = kind in ("", "text/javascript", "application/javascript", "module")
            self._inline = "src" not in found and runs
            self._text = []

    def handle_data(self, data):
        if self._inline:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._inline:
            self.bodies.append("".join(self._text))
            self._inline = False


def read(html: str) -> Scripts:
    parsed = Scripts()
    parsed.feed(html)
    return parsed


def script_sources(policy: str) -> list[str]:
    parts = dict((p.strip().split(" ", 1) + [""])[:2] for p in policy.split(";") if p.strip())
    return parts.get("script-src", parts.get("default-src", "")).split()


def sha(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


PAGE = (
    "<!doctype html><html><head><title>t</title>"
    '<script>var a = 1;</script><script type="application/json">{}</script>'
    '<script src="x.js"></script></head><body><header>h</header>'
    "<script>document.title = 'b';</script></body></html>"
)


def small_site(folder: Path) -> Path:
    for name in ("index.html", "404.html", "blog/2026/08/21/index.html"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(PAGE)
    (folder / "embed").mkdir()
    strict = (
        '<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
    )
    (folder / "embed" / "x.html").write_text(strict + "<title>e</title></head></html>")
    (folder / "fragment.html").write_text("<p>no head</p>")
    return folder


def test_the_step_writes_each_policy_once_and_a_second_run_changes_nothing(tmp_path: Path):
    site = small_site(tmp_path / "public")
    assert csp.write_site(site) == 3  # the embed page keeps its own, the fragment has no head
    first = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert csp.write_site(site) == 0
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == first
    assert not list(site.rglob("*.tmp"))  # each page replaced by a rename, nothing left over
    for name in ("index.html", "404.html", "blog/2026/08/21/index.html"):
        page = read((site / name).read_text())
        assert len(page.policies) == 1
        # the two inline scripts that run, not the JSON data and not the external one
        expected = {sha("var a = 1;"), sha("document.title = 'b';")}
        allowed = set(script_sources(page.policies[0]))
        assert expected <= allowed and "'self'" in allowed
        assert not {t for t in allowed if t.startswith("'sha256-")} - expected
    assert read((site / "embed" / "x.html").read_text()).policies == ["default-src 'none'"]
    assert csp.site_problems(site) == []


def test_a_page_whose_script_changed_after_the_step_fails_the_check(tmp_path: Path):
    site = small_site(tmp_path / "public")
    csp.write_site(site)
    page = site / "blog" / "2026" / "08" / "21" / "index.html"
    page.write_text(page.read_text().replace("var a = 1;", "var a = 2;"))
    (site / "404.html").write_text(PAGE)  # a page the step never saw
    problems = csp.site_problems(site)
    assert len(problems) == 2, problems
    assert problems[0].startswith("404.html: no Content-Security-Policy")
    assert problems[1].startswith("blog/2026/08/21/index.html: 1 inline script(s)")
    assert sha("var a = 2;") in problems[1]
    # the command: --check writes nothing and fails; without it the new page gets its policy,
    # the edited one keeps the policy it had and still fails
    done = run_generator(tmp_path, "csp", "public", "--check", check=False)
    assert done.returncode == 2 and "404.html" in done.stderr
    assert "Content-Security" not in (site / "404.html").read_text()
    done = run_generator(tmp_path, "csp", "public", check=False)
    assert done.returncode == 2 and "404.html" not in done.stderr, done.stderr
    assert "blog/2026/08/21/index.html" in done.stderr
    missing = run_generator(tmp_path, "csp", "nowhere", check=False)
    assert missing.returncode == 2 and "nowhere: no built site there" in missing.stderr


def test_every_built_page_carries_a_policy_matching_its_inline_scripts(built_project: Path):
    public = built_project / "public"
    checked = set()
    for path in sorted(public.rglob("*.html")):
        page = read(path.read_text())
        if not page.heads:
            continue
        name = path.relative_to(public).as_posix()
        assert len(page.policies) == 1, name
        allowed = script_sources(page.policies[0])
        assert "'unsafe-inline'" not in allowed and "'unsafe-eval'" not in page.policies[0]
        for body in page.bodies:
            assert sha(body) in allowed, (name, body[:80])
        checked.add(name)
    # the theme's own page, the blog's pages and the embed pages are built pages too
    assert {"404.html", "index.html", "blog/index.html", "blog/2026/08/21/index.html"} <= checked
    assert any(n.startswith("blog/archive/") for n in checked)
    assert any(n.startswith("embed/") for n in checked)
    assert sum(1 for n in checked if read((public / n).read_text()).bodies) > 20
    assert csp.site_problems(public) == []
    assert csp.write_site(public) == 0  # run_mkdocs ran the step; again, nothing changes


# sha256 of site/blog/posts/2026-08-21.md as published (commit f352163), before issue 23.
SEED_AS_PUBLISHED = "f237d526692c0e5300628072e0c4e60ce6788c65d0e67a63f8336ac102a9e1f4"
SEED_LINE = "![Liquidity regime score, 3 years to 21 Aug 2026](2026-08-21/regime.png)"


def test_the_seed_post_names_each_drawing_and_keeps_its_words():
    """tools/post_pictures.py replaced the one line naming its light picture; every other
    line is as the post was published (issue 23: "without rewriting its words")."""
    text = SEED.read_text()
    shown = re.findall(r"^!\[[^\]]*\]\(2026-08-21/([^)]+)\)\{ \.([\w-]+) ", text, re.MULTILINE)
    assert {c: f for f, c in shown} == DRAWINGS
    for drawing in DRAWINGS.values():
        assert (SEED.parent / "2026-08-21" / drawing).is_file()
    first = text.index("\n![") + 1
    end = text.index("\n\n", first)
    picture = text[first:end]
    assert len(picture.splitlines()) == 4
    published = text[:first] + SEED_LINE + text[end:]
    assert hashlib.sha256(published.encode()).hexdigest() == SEED_AS_PUBLISHED
    # the step itself: that line becomes the picture lines, once, and nothing else moves
    assert with_drawings(published, "2026-08-21/regime.png", picture + "\n") == text
    assert with_drawings(text, "2026-08-21/regime.png", "changed") == text


def test_the_seed_post_serves_its_drawings(built_project: Path):
    public = built_project / "public"
    folder = ROOT / "site" / "blog" / "posts" / "2026-08-21"
    for page in ("blog/2026/08/21/index.html", "blog/index.html"):
        html = (public / page).read_text()
        found: dict[str, str] = {}
        for tag in re.findall(r"<img\b[^>]*>", html):
            kind = re.search(r'class="(lw-report-[\w-]+)"', tag)
            if kind:
                found[kind[1]] = re.search(r'src="([^"]+)"', tag)[1]
                assert 'loading="lazy"' in tag, tag
        assert set(found) == set(DRAWINGS), (page, found)
        for kind, src in found.items():
            served = (public / page).parent / src
            assert served.resolve().is_file(), (page, src)
            assert served.read_bytes() == (folder / DRAWINGS[kind]).read_bytes(), (page, kind)


@pytest.mark.parametrize(
    ("width", "scheme", "drawing"),
    [
        (1280, "light", "regime.png"),
        (1280, "dark", "regime.dark.png"),
        (390, "light", "regime.narrow.png"),
        (390, "dark", "regime.narrow.dark.png"),
    ],
)
def test_the_seed_post_shows_one_drawing_for_the_screen_and_scheme(
    server: str,
    browser,
    width: int,
    scheme: str,
    drawing: str,
):
    """Exactly one of its drawings shows and loads; the hidden ones are never fetched once the
    reader's scheme is known (on a first visit from a dark system the page is light until
    palette.js switches it, as for every chart picture); the palette toggle switches to the
    other scheme's drawing."""
    context = browser.new_context(viewport={"width": width, "height": 844}, color_scheme=scheme)
    tab = context.new_page()
    watch = PageWatch(tab)
    fetched: list[str] = []
    tab.on("request", lambda r: "/2026-08-21/regime" in r.url and fetched.append(r.url))
    tab.goto(f"{server}about/", wait_until="load")  # a first visit stores the scheme
    tab.goto(f"{server}blog/2026/08/21/", wait_until="load")
    shown = """() => [...document.querySelectorAll('img[class^="lw-report-"]')]
        .filter(i => i.getBoundingClientRect().width > 0)
        .map(i => [i.currentSrc.split('/').pop(), i.naturalWidth])"""
    tab.locator('img[class^="lw-report-"]:visible').scroll_into_view_if_needed()
    tab.wait_for_function(f"() => ({shown})().every(([, w]) => w > 0)")
    visible = tab.evaluate(shown)
    assert [name for name, _ in visible] == [drawing], visible
    assert [u.rsplit("/", 1)[1] for u in fetched] == [drawing], fetched
    tab.click("label.md-header__button[for^='__palette']:visible")
    other = drawing.replace(".dark", "") if scheme == "dark" else drawing[:-4] + ".dark.png"
    loaded = (
        f"() => {{ const s = ({shown})(); "
        f"return s.length === 1 && s[0][0] === '{other}' && s[0][1] > 0; }}"
    )
    tab.wait_for_function(loaded)
    context.close()
    assert not watch.errors and not watch.foreign, (watch.errors, watch.foreign)


def test_every_site_build_is_followed_by_the_step():
    """Whatever builds a site runs `generator csp` on it after: make site, and CI's Zensical
    job on its own output; the workflows that publish build with `make site`."""
    recipe = (ROOT / "Makefile").read_text().split("\nsite:", 1)[1].split("\n\n", 1)[0]
    built = recipe.index("mkdocs build --strict --quiet --site-dir public.new")
    assert recipe.index("-m generator csp public.new") > built
    assert recipe.index("mv public.new public") > recipe.index("-m generator csp public.new")
    ci = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    assert ci.index("-m generator csp public-zensical") > ci.index("zensical build")
    assert ci.index("run: python tools/compare_builds.py") > ci.index("csp public-zensical")
    for name in ("nightly.yml", "releases.yml"):
        workflow = (ROOT / ".github" / "workflows" / name).read_text()
        assert "make site" in workflow and "mkdocs build" not in workflow, name

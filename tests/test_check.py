"""``python -m generator check`` on malformed configs: every mistake is one readable message.

Each case edits a private copy of the real ``indicators.yml`` (or ``events.yml``, or a data
file) as text, exactly as a fork would by hand, runs the command's real entry point, and
compares what it prints with ``tests/golden/check/<case>.txt``. A traceback or a missing
``file:line`` fails the test; ``make golden`` rewrites the files for review.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import FIXTURE, assert_golden

# case -> (file, [(old, new) or (anchor, old, new), ...]): `old` (or the anchor, after which
# the first `old` is replaced) must occur exactly once in the shipped file.
SOFR_RULE = "      - when: mean_20d > 0 or days_above >= 10\n"
SOFR_SOURCE = "  SOFR:\n    source: fred\n"
CASES: dict[str, tuple[str, list[tuple[str, ...]]]] = {
    "yaml-unclosed-bracket": (
        "indicators.yml",
        [("card: {value: spread, change: mean_20d}", "card: {value: spread, change: mean_20d")],
    ),
    "yaml-tab-indent": ("indicators.yml", [("    title: Fed balance sheet", "\ttitle: Fed bs")]),
    "yaml-not-a-mapping": ("indicators.yml", [("\nseries:\n", "\n- series:\n")]),
    "unknown-key-with-hint": ("indicators.yml", [("    title: Bitcoin\n", "    titel: Bitcoin\n")]),
    "unknown-key-in-series": (
        "indicators.yml",
        [("  SOFR:\n    source: fred\n", "  SOFR:\n    source: fred\n    colour: red\n")],
    ),
    "wrong-type-decimals": (
        "indicators.yml",
        [("    unit: bp\n    decimals: 1", "    unit: bp\n    decimals: one")],
    ),
    "wrong-type-plausible": (
        "indicators.yml",
        [("  SOFR:\n", "plausible: [-1, 25]", "plausible: low")],
    ),
    "missing-required-field": (
        "indicators.yml",
        [("    title: Bitcoin\n    group: crypto\n", "    group: crypto\n")],
    ),
    "unknown-series": ("indicators.yml", [("op: spread, a: SOFR,", "op: spread, a: SOFRR,")]),
    "unknown-operation": ("indicators.yml", [("{op: spread, a: SOFR,", "{op: spred, a: SOFR,")]),
    "bad-window": ("indicators.yml", [("of: assets, window: 13w", "of: assets, window: 13 weeks")]),
    "two-windows": (
        "indicators.yml",
        [("of: spread, periods: 20}}", "of: spread, periods: 20, window: 4w}}")],
    ),
    "window-all-not-allowed": (
        "indicators.yml",
        [("rolling_mean, of: spread, periods: 20", "rolling_mean, of: spread, window: all")],
    ),
    "bad-expression-syntax": ("indicators.yml", [(SOFR_RULE, SOFR_RULE.replace("> 0", ">> 0"))]),
    "expression-function-call": (
        "indicators.yml",
        [(SOFR_RULE, SOFR_RULE.replace("mean_20d > 0", "abs(mean_20d) > 0"))],
    ),
    "expression-unknown-quantity": (
        "indicators.yml",
        [(SOFR_RULE, SOFR_RULE.replace("mean_20d > 0", "mean_20 > 0"))],
    ),
    "duplicate-id": ("indicators.yml", [("  - id: eth-btc\n", "  - id: eth\n")]),
    "bad-id": ("indicators.yml", [("  - id: bnb-btc\n", "  - id: BNB BTC\n")]),
    "quantity-used-before-defined": (
        "indicators.yml",
        [("price: {label: Price, formula: BTC-USD}", "price: {label: Price, formula: drawdown}")],
    ),
    "card-unknown-quantity": (
        "indicators.yml",
        [("card: {value: assets, change: change_13w}", "card: {value: asset, change: change_13w}")],
    ),
    "chart-unknown-kind": (
        "indicators.yml",
        [("chart: {kind: line, plot: [assets]", "chart: {kind: pie, plot: [assets]")],
    ),
    "chart-raw-restricted-level": (
        "indicators.yml",
        [("  - id: btc\n", "plot: [return_30d, drawdown]", "plot: [price]")],
    ),
    "bad-level": (
        "indicators.yml",
        [('        level: stress\n        say: "SOFR', '        level: red\n        say: "SOFR')],
    ),
    "bad-sentence-placeholder": (
        "indicators.yml",
        [
            (
                "{{ days_above|num(0) }} of the last 20 days to {{ date }} (",
                "{{ days_abov|num(0) }} of the last 20 days to {{ date }} (",
            )
        ],
    ),
    "regime-unknown-indicator": (
        "indicators.yml",
        [
            (
                "{indicator: reserves, quantity: change_13w",
                "{indicator: reserve, quantity: change_13w",
            )
        ],
    ),
    "malformed-series-id": ("indicators.yml", [("  SOFR:\n", "  sofr rate:\n")]),
    "unknown-source": (
        "indicators.yml",
        [("    source: fred\n    title: Secured", "    source: ftp\n    title: Secured")],
    ),
    "fetch-unknown-source": (
        "indicators.yml",
        [(SOFR_SOURCE, "  SOFR:\n    fetch: {source: sdmxx, agency: ECB, flow: ILM, key: W.U2}\n")],
    ),
    "fetch-sdmx-bad-key": (
        "indicators.yml",
        [(SOFR_SOURCE, "  SOFR:\n    fetch: {source: sdmx, agency: ECB, flow: ILM, key: W U2}\n")],
    ),
    "fetch-sdmx-agency-and-root": (
        "indicators.yml",
        [
            (
                SOFR_SOURCE,
                "  SOFR:\n    fetch:\n      source: sdmx\n      agency: BIS\n"
                "      root: https://stats.bis.org/api/v1\n      flow: WS_CBPOL\n"
                "      key: D.US\n",
            )
        ],
    ),
    "fetch-unknown-key-with-hint": (
        "indicators.yml",
        [(SOFR_SOURCE, "  SOFR:\n    fetch: {source: sdmx, agency: ECB, flw: ILM, key: W.U2}\n")],
    ),
    "fetch-source-differs": (
        "indicators.yml",
        [(SOFR_SOURCE, "  SOFR:\n    source: fred\n    fetch: {source: nyfed, dataset: sofr}\n")],
    ),
    "fetch-nyfed-field-not-a-rate": (
        "indicators.yml",
        [
            (
                SOFR_SOURCE,
                "  SOFR:\n    fetch: {source: nyfed, dataset: repo, field: percentPercentile99}\n",
            )
        ],
    ),
    "fetch-boj-code-with-db-prefix": (
        "indicators.yml",
        [
            (
                SOFR_SOURCE,
                '  SOFR:\n    fetch: {source: boj, db: BS01, code: "BS01\'MABJMTA", '
                "frequency: monthly}\n",
            )
        ],
    ),
    "fetch-fiscaldata-no-rows": (
        "indicators.yml",
        [
            (
                SOFR_SOURCE,
                "  SOFR:\n    fetch: {source: fiscaldata, endpoint: v1/accounting/dts/"
                "operating_cash_balance, rows: []}\n",
            )
        ],
    ),
    "fetch-csv-key-in-two-places": (
        "indicators.yml",
        [
            (
                SOFR_SOURCE,
                "  SOFR:\n    fetch:\n      source: csv\n      url: https://example.org/a.csv\n"
                "      date_column: Date\n      value_column: Close\n"
                "      key: {variable: ACME_API_KEY, query: apikey, header: X-Key}\n",
            )
        ],
    ),
    "fetch-csv-key-over-http": (
        "indicators.yml",
        [
            (
                SOFR_SOURCE,
                "  SOFR:\n    fetch:\n      source: csv\n      url: http://example.org/a.csv\n"
                "      date_column: Date\n      value_column: Close\n"
                "      key: {variable: ACME_API_KEY, query: apikey}\n",
            )
        ],
    ),
    "fetch-manual-bad-every": (
        "indicators.yml",
        [(SOFR_SOURCE, "  SOFR:\n    fetch: {source: manual, every: monthly, how: PBoC}\n")],
    ),
    "source-alone-needs-fetch": (
        "indicators.yml",
        [(SOFR_SOURCE, "  SOFR:\n    source: sdmx\n")],
    ),
    "source-nyfed-alone-unknown-series": (
        "indicators.yml",
        [(SOFR_SOURCE, "  SOFR:\n    source: nyfed\n")],
    ),
    "yaml-duplicate-key": (
        "indicators.yml",
        [("  SOFR:\n    source: fred\n", "  SOFR:\n    plausible: [0, 1]\n    source: fred\n")],
    ),
    "bad-sentence-filter": (
        "indicators.yml",
        [("  - id: sofr-iorb-spread\n", "days_above|num(0)", "days_above|round2")],
    ),
    "formula-wrong-type": (
        "indicators.yml",
        [("  - id: btc\n", "formula: BTC-USD}", "formula: [BTC-USD]}")],
    ),
    "several-problems-at-once": (
        "indicators.yml",
        [
            ("op: spread, a: SOFR,", "op: spread, a: SOFRR,"),
            (
                "card: {value: assets, change: change_13w}",
                "card: {value: asset, change: change_13w}",
            ),
        ],
    ),
    "claim-reads-renamed-quantity": (
        "indicators.yml",
        [
            ("      purchases: {label: All bills", "      operations: {label: All bills"),
            ("op: desk_period, of: purchases,", "op: desk_period, of: operations,"),
        ],
    ),
    "claim-unknown-output": (
        "indicators.yml",
        [("(complete >= 3 and pace >= 30", "(complete >= 3 and pac >= 30")],
    ),
    "claim-unknown-test": ("indicators.yml", [("test: desk_pace", "test: desk_rate")]),
    # a parameter of the wrong kind (catalogue/claims.Param): refused with its line, not a
    # ValueError from int() halfway through the build
    "claim-param-wrong-kind": (
        "indicators.yml",
        [("params: {periods: 3}", "params: {periods: three}"), ("{year: 2025}", "{year: 2025.5}")],
    ),
    "claim-bad-evidence-placeholder": (
        "indicators.yml",
        [
            (
                "{{ mean|signed(1) }} bp to {{ mean_date }}",
                "{{ mean|signed(1) }} bp to {{ mean_dat }}",
            )
        ],
    ),
    "events-bad-date": (
        "events.yml",
        [("{date: 2026-01-28, kind: fomc", "{date: 2026-13-28, kind: fomc")],
    ),
    "events-easing-not-policy": (
        "events.yml",
        [("{date: 2026-01-28, kind: fomc", "{date: 2026-01-28, kind: fomc, easing: true")],
    ),
    "events-easing-not-boolean": (
        "events.yml",
        [
            (
                "{id: qt-end, date: 2025-12-01, kind: policy, easing: true",
                "{id: qt-end, date: 2025-12-01, kind: policy, easing: often",
            )
        ],
    ),
    "data-non-numeric-value": (
        "data/series/fred/SOFR.csv",
        [("2018-04-04,1.74", "2018-04-04,1.7a")],
    ),
    "link-javascript": (
        "indicators.yml",
        [
            (
                "link: https://www.coingecko.com/en/coins/bnb",
                'link: "javascript:alert(document.domain)"',
            )
        ],
    ),
    "link-markdown-breakout": (
        "indicators.yml",
        [
            (
                "link: https://www.coingecko.com/en/coins/bnb",
                'link: "https://x.org/x) <img src=x onerror=alert(1)> [y](z"',
            )
        ],
    ),
    "text-control-character-in-regime-label": (
        "indicators.yml",
        [('label: "bank reserves, 13-week change"', 'label: "bank reserves,\\x92 13-week change"')],
    ),
    "text-non-character-in-title": (
        "indicators.yml",
        [("    title: Bitcoin\n", '    title: "Bitcoin\\uFFFE"\n')],
    ),
    "text-line-separator-in-quantity-label": (
        "indicators.yml",
        [
            (
                "price: {label: Price, formula: BTC-USD}",
                'price: {label: "Pr\\u2028ice", formula: BTC-USD}',
            )
        ],
    ),
    "text-vertical-tab-in-site-name": (
        "indicators.yml",
        [("  name: Liquidity Watch\n", '  name: "Liquidity\\vWatch"\n')],
    ),
    "text-bidi-override-in-event-label": (
        "events.yml",
        [('label: "Quantitative tightening ends"', 'label: "Quantitative \\u202Etightening ends"')],
    ),
    "text-bidi-isolate-and-line-separator-together": (
        "indicators.yml",
        [
            ("    title: Bitcoin\n", '    title: "Bit\\u2066coin"\n'),
            (
                "price: {label: Price, formula: ETH-USD}",
                'price: {label: "Pr\\u2029ice", formula: ETH-USD}',
            ),
        ],
    ),
    "text-title-too-long": (
        "indicators.yml",
        [("    title: Bitcoin\n", "    title: " + "Bitcoin " * 20 + "\n")],
    ),
    "text-over-two-thousand-characters": (
        "indicators.yml",
        [("measures: The Bitcoin price in dollars, its 30-day", "measures: " + "x" * 2500 + " ,")],
    ),
    "site-name-too-long": (
        "indicators.yml",
        [
            (
                "  name: Liquidity Watch\n",
                '  name: \'LW" style="animation-name:pulse;animation-duration:1ms" '
                'onanimationstart="document.title=1337" x="\'\n',
            )
        ],
    ),
    "window-zero": (
        "indicators.yml",
        [("  - id: fed-assets\n", "of: assets, window: 13w", "of: assets, window: 0w")],
    ),
    "window-too-long": (
        "indicators.yml",
        [("  - id: fed-assets\n", "of: assets, window: 13w", "of: assets, window: 99999y")],
    ),
    "number-infinite": (
        "indicators.yml",
        [("{op: scale, of: WALCL, factor: 0.001}", "{op: scale, of: WALCL, factor: .inf}")],
    ),
    "plausible-not-a-range": (
        "indicators.yml",
        [("  SOFR:\n", "plausible: [-1, 25]", "plausible: [25, -1]")],
    ),
    "release-unknown-id": (
        "indicators.yml",
        [("  SOFR:\n", "    release: sofr\n", "    release: sofrr\n")],
    ),
    "release-bad-weekday": (
        "indicators.yml",
        [("rule: weekly Thursday 16:30", "rule: weekly Thurday 16:30")],
    ),
    "release-bad-time-zone": (
        "indicators.yml",
        [
            (
                "rule: business days 08:00 America/New_York",
                "rule: business days 08:00 America/NewYork",
            )
        ],
    ),
    "release-bad-time": (
        "indicators.yml",
        [("rule: daily 00:10 UTC", "rule: daily 24:10 UTC")],
    ),
    "reserved-id": ("indicators.yml", [("  - id: bnb-btc\n", "  - id: index\n")]),
    "id-is-a-site-file": ("indicators.yml", [("  - id: bnb-btc\n", "  - id: regime\n")]),
    "id-is-the-desk-table": (
        "indicators.yml",
        [("  - id: bnb-btc\n", "  - id: fed-bills-periods\n")],
    ),
    "id-trailing-newline": ("indicators.yml", [("  - id: bnb-btc\n", '  - id: "bnb-btc\\n"\n')]),
    "sentence-divides-by-zero": (
        "indicators.yml",
        [
            (
                "(20-day mean {{ mean_20d|signed(1) }} bp): banks are paying up for cash.",
                "(20-day mean {{ mean_20d|signed(1) }} bp, {{ 20 / days_above }} a day).",
            )
        ],
    ),
    "sentence-huge-repeat": (
        "indicators.yml",
        [("): funding markets look calm.", "): {{ 'ab' * 500000000 }}.")],
    ),
    "sentence-nested-range": (
        "indicators.yml",
        [
            (
                "): funding markets look calm.",
                "){% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
                "{% endfor %}.",
            )
        ],
    ),
    "sentence-filter-bad-arguments": (
        "indicators.yml",
        [
            (
                "though its 20-day mean stayed at {{ mean_20d|signed(1) }}",
                "though {{ mean_20d|signed('x') }}",
            )
        ],
    ),
    "data-future-row": (
        "data/series/fred/SOFR.csv",
        [("2026-08-20,3.63\n", "2026-08-20,3.63\n2099-12-31,3.6\n")],
    ),
    "data-price-zero": (
        "data/series/crypto/BTC-USD.csv",
        [("2026-08-21,78335.19", "2026-08-21,0")],
    ),
    "data-checksum-mismatch": (
        "data/series/fred/SOFR.csv",
        [("2018-04-04,1.74", "2018-04-04,1.75")],
    ),
    "ladder-asset-not-declared": (
        "indicators.yml",
        [("    - {series: BNB-USD, name: BNB}", "    - {series: DOGE-USD, name: Dogecoin}")],
    ),
    "ladder-asset-without-data": (
        "indicators.yml",
        [
            (
                "  BNB-USD:\n",
                "  DOGE-USD:\n    source: crypto\n    title: Dogecoin\n"
                "    units: U.S. Dollars\n    frequency: Daily\n    owner: CoinGecko\n"
                "  BNB-USD:\n",
            ),
            (
                "    - {series: BNB-USD, name: BNB}\n",
                "    - {series: BNB-USD, name: BNB}\n    - {series: DOGE-USD, name: Dogecoin}\n",
            ),
        ],
    ),
    "ladder-asset-listed-twice": (
        "indicators.yml",
        [("    - {series: BNB-USD, name: BNB}", "    - {series: BTC-USD, name: BNB}")],
    ),
    "attribution-unknown-series": (
        "indicators.yml",
        [("tga: WDTGAL, rrp", "tga: WDTGALL, rrp")],
    ),
    "attribution-unknown-page": (
        "indicators.yml",
        [("pages: [reserves, net-liquidity]", "pages: [reserve, net-liquidity]")],
    ),
    "nowcast-unknown-series": (
        "indicators.yml",
        [("    reserves: WRESBAL  ", "    reserves: WRESBALL ")],
    ),
    "nowcast-unknown-indicator": (
        "indicators.yml",
        [
            (
                "- {indicator: net-liquidity, quantity: net,",
                "- {indicator: net-liquidty, quantity: net,",
            )
        ],
    ),
    "group-not-declared": (
        "indicators.yml",
        [("  - id: bnb-btc\n", "    group: crypto\n", "    group: credit\n")],
    ),
    "group-declared-twice": (
        "indicators.yml",
        [
            (
                "  - {id: crypto, title: Crypto}",
                "  - {id: crypto, title: Crypto}\n  - {id: crypto, title: Coins}",
            )
        ],
    ),
    "desk-period-gap": (
        "indicators.yml",
        [
            (
                "    - {start: 2026-05-14, end: 2026-06-11",
                "    - {start: 2026-05-15, end: 2026-06-11",
            )
        ],
    ),
    "desk-rmp-without-source": (
        "indicators.yml",
        [
            (
                "    - {start: 2026-06-12, end: 2026-07-13, announced: 2026-06-11}",
                "    - {start: 2026-06-12, end: 2026-07-13, announced: 2026-06-11, rmp: 10}",
            )
        ],
    ),
    "desk-table-unknown-quantity": (
        "indicators.yml",
        [("    reinvested: reinvested\n    checks:", "    reinvested: reinvest\n    checks:")],
    ),
    "desk-operation-near-a-boundary": (
        "data/series/nyfed/FED_RMP_BILL_PURCHASES.csv",
        [("2026-01-08,8.165\n", "2026-01-08,8.165\n2026-01-15,5\n")],
    ),
}


def project_with(tmp_path: Path, name: str, edits: list[tuple[str, ...]]) -> Path:
    """A copy of the config files (data shared read-only unless the case edits it)."""
    root = tmp_path / "project"
    root.mkdir()
    for config in ("indicators.yml", "events.yml"):
        shutil.copy2(FIXTURE / config, root / config)
    if name.startswith("data/"):
        shutil.copytree(FIXTURE / "data", root / "data")
    else:
        (root / "data").symlink_to(FIXTURE / "data")
    path = root / name
    text = path.read_text()
    for edit in edits:
        anchor, old, new = edit if len(edit) == 3 else ("", *edit)
        assert text.count(anchor or old) == 1, f"{name} changed: {anchor or old!r} is not unique"
        start = text.index(anchor)
        at = text.index(old, start)
        text = text[:at] + new + text[at + len(old) :]
    path.write_text(text)
    return root


def run_check(root: Path, capsys, monkeypatch) -> tuple[int, str]:
    monkeypatch.chdir(root)  # messages name files relative to where the user stands
    monkeypatch.setenv("UPDATE_TODAY", "2026-09-10")  # "after tomorrow" is then a fixed date
    code = main(["--root", str(root), "check"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_at_least_twenty_cases():
    assert len(CASES) >= 20


@pytest.mark.golden
@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_config_gives_its_golden_message(case, tmp_path, capsys, monkeypatch):
    name, edits = CASES[case]
    root = project_with(tmp_path, name, edits)
    code, output = run_check(root, capsys, monkeypatch)
    assert code == 2, output
    assert "Traceback" not in output
    first = output.splitlines()[0]
    assert re.match(r"error: (indicators|events)\.yml:\d+: |error: data/series/", first), first
    assert_golden(f"check/{case}.txt", output)


def test_a_manifest_entry_whose_csv_was_deleted_is_an_error(tmp_path, capsys, monkeypatch):
    """Found: Data status said "fresh, 2094 rows" for a CSV that no longer existed."""
    root = project_with(tmp_path, "data/series/fred/SOFR.csv", [])
    (root / "data/series/fred/SOFR.csv").unlink()
    code, output = run_check(root, capsys, monkeypatch)
    assert code == 2, output
    assert output.startswith(
        "error: data/series/fred/SOFR.csv: the file is missing although data/manifest.json "
        "records 2094 rows for 'SOFR'; run `python -m generator update --only SOFR`"
    )


def test_the_shipped_project_checks_clean(tmp_path, capsys, monkeypatch):
    root = project_with(tmp_path, "indicators.yml", [])
    code, output = run_check(root, capsys, monkeypatch)
    assert code == 0, output
    assert "consistent" in output


# A fork renames a quantity everywhere in its indicator (the definition, the card, the rules)
# but forgets the sections that read it by name: check must name each reader and its line.
# (claim-reads-renamed-quantity above covers a claim alone.)
# case -> (indicator id, old name, new name, other lines of indicators.yml to rename in)
RENAMES = {
    "renamed-quantity-read-by-ladder": ("net-liquidity", "change_13w", "change_q", []),
}


@pytest.mark.golden
@pytest.mark.parametrize("case", sorted(RENAMES))
def test_renaming_a_quantity_read_by_code_fails_check(case, tmp_path, capsys, monkeypatch):
    indicator, old, new, elsewhere = RENAMES[case]
    root = project_with(tmp_path, "indicators.yml", [])
    path = root / "indicators.yml"
    text = path.read_text()
    start = text.index(f"  - id: {indicator}\n")
    end = text.find("\n  - id: ", start + 1)
    end = len(text) if end < 0 else end
    text = text[:start] + text[start:end].replace(old, new) + text[end:]
    for line in elsewhere:
        assert text.count(line) == 1, line
        text = text.replace(line, line.replace(old, new))
    path.write_text(text)
    code, output = run_check(root, capsys, monkeypatch)
    assert code == 2, output
    assert re.match(rf"error: indicators\.yml:\d+: .*'{old}'", output), output
    assert_golden(f"check/{case}.txt", output)

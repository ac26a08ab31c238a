"""What used to be lists in code, now in ``indicators.yml``: the ladder's assets (``ladder:
assets:``), the attribution's series and pages (``attribution:``) and the home page's sections
(``groups:``). A fork adds an asset and a section by editing the YAML alone; the defaults equal
the lists the code held, so a catalogue without these sections builds the same site."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from generator.catalogue.load import load_config
from generator.catalogue.messages import ConfigError
from generator.catalogue.models import Config, GroupConfig
from generator.publish.pages import narrative_paragraphs
from tests.conftest import FIXTURE, copy_project, load_yaml, run_generator
from tests.fakes.harness import add_series, environment, run_update, start_servers

CREDIT = "  - {id: credit, title: Credit conditions, heading: true, text: Credit comes first.}\n"
DOGE = (
    "  DOGE-USD:\n"
    "    source: crypto\n"
    "    title: Dogecoin in U.S. dollars (test-only prices)\n"
    "    units: U.S. Dollars\n"
    "    frequency: Daily, 7-day\n"
    "    owner: Tests\n"
    "    plausible: [0.0001, 100]\n"
)


def edit(root: Path, old: str, new: str) -> None:
    path = root / "indicators.yml"
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def shipped() -> dict:
    return load_yaml((FIXTURE / "indicators.yml").read_text())


def test_the_shipped_lists_equal_the_defaults_the_code_held():
    """Today's lists, spelled by hand: a catalogue without the sections builds the same site."""
    data = shipped()
    for key in ("groups", "attribution"):
        data.pop(key)
    data["ladder"].pop("assets")
    bare = Config.model_validate(data)
    full = load_config(FIXTURE / "indicators.yml")
    assert bare.ladder is not None and full.ladder is not None
    assert (
        bare.ladder.names
        == full.ladder.names
        == {
            "SP500": "S&P 500",
            "RUT": "Russell 2000",
            "BTC-USD": "Bitcoin",
            "ETH-USD": "Ether",
            "BNB-USD": "BNB",
        }
    )
    assert bare.attribution == full.attribution
    assert (bare.attribution.series.reserves, bare.attribution.series.tga) == (
        "WRBWFRBL",
        "WDTGAL",
    )
    assert bare.attribution.pages == ["reserves", "net-liquidity"]
    assert [g.id for g in bare.groups] == [
        "liquidity",
        "funding",
        "labour",
        "equities",
        "crypto",
        "global",
    ]
    assert bare.groups == full.groups


def test_group_credit_is_refused_until_declared_then_accepted(tmp_path: Path):
    root = copy_project(tmp_path / "p")
    edit(
        root,
        "  - id: sofr-iorb-spread\n    title: SOFR minus IORB\n    group: funding\n",
        "  - id: sofr-iorb-spread\n    title: SOFR minus IORB\n    group: credit\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(root / "indicators.yml")
    assert "unknown group 'credit'" in str(caught.value)
    assert "the declared groups are liquidity, funding, labour, equities, crypto" in str(
        caught.value
    )
    edit(root, "  - {id: crypto, title: Crypto}\n", "  - {id: crypto, title: Crypto}\n" + CREDIT)
    config = load_config(root / "indicators.yml")
    assert config.indicator("sofr-iorb-spread").group == "credit"


class _Result:
    """Just what narrative_paragraphs reads of an IndicatorResult: its group."""

    def __init__(self, group: str) -> None:
        self.config = type("C", (), {"group": group})()


def test_paragraphs_follow_the_groups_joined_and_headed(monkeypatch: pytest.MonkeyPatch):
    said = {"a": "Liquidity rose.", "b": "Funding is calm.", "c": "Coins fell."}

    def narrative(regime: object, members: list, extra: object = None) -> list[str]:
        return [said[m.config.group] for m in members] if regime is None else ["Regime easing."]

    monkeypatch.setattr("generator.publish.pages.narrative", narrative)
    groups = [
        GroupConfig(id="a", title="A"),
        GroupConfig(id="b", title="B", with_previous=True),
        GroupConfig(id="c", title="Coins", heading=True, text="Crypto is last."),
        GroupConfig(id="d", title="Empty"),
    ]
    results = [_Result("c"), _Result("a"), _Result("b")]
    found = narrative_paragraphs(object(), results, groups)  # type: ignore[arg-type]
    assert [(p.heading, p.text) for p in found] == [
        (None, "Regime easing. Liquidity rose. Funding is calm."),
        ("Coins", "Crypto is last. Coins fell."),
    ]


def synthetic_doge() -> list[tuple[str, str]]:
    """Test-only daily prices (the snapshot has none): a seeded random walk from 2018."""
    rng = np.random.default_rng(22)
    day, rows, price = date(2018, 1, 1), [], 0.01
    while day <= date(2026, 8, 21):
        price *= float(np.exp(rng.normal(0.0005, 0.05)))
        rows.append((day.isoformat(), f"{price:.6f}"))
        day += timedelta(days=1)
    return rows


def test_a_fork_adds_an_asset_and_a_section_and_moves_the_attribution_in_yaml_alone(tmp_path: Path):
    root = copy_project(tmp_path / "fork")
    add_series(root, DOGE)
    edit(
        root,
        "    - {series: BNB-USD, name: BNB}\n",
        "    - {series: BNB-USD, name: BNB}\n    - {series: DOGE-USD, name: Dogecoin}\n",
    )
    edit(root, "  - {id: crypto, title: Crypto}\n", "  - {id: crypto, title: Crypto}\n" + CREDIT)
    edit(
        root,
        "  - id: sofr-iorb-spread\n    title: SOFR minus IORB\n    group: funding\n",
        "  - id: sofr-iorb-spread\n    title: SOFR minus IORB\n    group: credit\n",
    )
    edit(root, "pages: [reserves, net-liquidity]", "pages: [reserves]")
    refused = run_generator(root, "check", check=False)
    assert "ladder, field 'assets[5].series': series 'DOGE-USD' has no data" in refused.stderr

    servers = start_servers(root)
    try:
        servers.crypto.add("DOGE-USD", *synthetic_doge())
        run = run_update(root, environment(servers), "--only", "DOGE-USD")
    finally:
        servers.stop()
    assert run.returncode == 0, run.output
    run_generator(root, "check")
    run_generator(root, "build")

    ladder = (root / "site" / "ladder.md").read_text()
    assert "| S&amp;P 500 → Russell 2000 → Bitcoin → Ether → BNB → Dogecoin |" in ladder
    assert "| All six, pooled (the primary test) |" in ladder
    assert "The six\nassets pooled" in ladder and "at 0.83% each" in ladder
    # each of six assets alone is tested at 5% / 6 (the primary table's Level column)
    assert re.search(r"\n\| Dogecoin \| \d+ \| 21 Aug 2026 \| [^|]+ \| [^|]+ \| 0\.83% \|", ladder)
    header = (root / "site" / "data" / "ladder.csv").read_text().splitlines()[0]
    assert header.split(",")[-1] == "DOGE-USD"

    chart = "charts/liquidity-attribution.vl.json"
    assert chart in (root / "site" / "indicators" / "reserves.md").read_text()
    assert chart not in (root / "site" / "indicators" / "net-liquidity.md").read_text()

    home = (root / "site" / "index.md").read_text()
    section = home[home.index("### Credit conditions\n\nCredit comes first. ") :]
    spread = section[: section.index("\n\n", len("### Credit conditions\n\n"))]
    assert "SOFR" in spread  # the moved indicator's sentence sits under its new heading
    first = home[home.index("## What the data says") : home.index("### Credit conditions")]
    # (the SOFR tail, still under funding, names SOFR too: the moved sentence is IORB's)
    assert "SOFR minus IORB" not in first and "IORB" not in first.split("\n\n")[1]

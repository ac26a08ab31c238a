"""MkDocs hook: the site's name and tagline come from ``indicators.yml``.

A fork renames its site in one place, the file it already edits (``site: name:``); without
this hook the header, the browser tab and the feeds would keep ``site_name`` from
``mkdocs.yml`` while the home page showed the new name. It runs before every plugin's
``on_config`` (priority 100) so the RSS feeds are titled with the same name.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from generator.catalogue.load import load_config
from generator.catalogue.messages import ConfigError
from generator.publish.render import no_markup


@event_priority(100)
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    catalogue = Path(config.config_file_path).parent / "indicators.yml"
    try:
        site = load_config(catalogue).site
    except ConfigError as exc:
        raise PluginError(f"indicators.yml is invalid (run `make check`):\n{exc}") from None
    # Material prints these unescaped in the header and <title>: no markup from the config.
    config.site_name = no_markup(site.name)
    if site.tagline:
        config.site_description = no_markup(site.tagline)
    return config

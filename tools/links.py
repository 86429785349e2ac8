"""Every link and anchor of the built pages checked, each page's parse cached.

mkdocs-htmlproofer-plugin reads every built page with BeautifulSoup twice (the
anchors it provides, then the links it holds): most of a build that runs no
block. `Proofer` is that plugin with those two readings of a page kept in the
build's cache (tools/execution.py's Cache), keyed by the page's HTML: a page
that did not change is not parsed again. Every link of every page is still
checked on every build, by the plugin's own `check_url`, against the anchors
of every page, so a link whose target lost its anchor fails even when the
page holding the link is unchanged.

mkdocs.yml configures the plugin with `enabled: false` (so that MkDocs does
not run it a second time); tools/hooks.py runs a Proofer with its options.
"""

from __future__ import annotations

import fnmatch
from html.parser import HTMLParser
from typing import Any

from bs4 import BeautifulSoup, SoupStrainer
from htmlproofer.plugin import HtmlProoferPlugin, log_warning
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

from .cache import Cache

NAME = "htmlproofer"
# The elements a link can be on, as the plugin reads them (li, sup: footnotes).
LINKED = ("a", "h1", "h2", "h3", "h4", "h5", "h6", "li", "sup", "img")


class _Anchors(HTMLParser):
    """Every id, and every <a name>, outside <template> (its content is inert:
    no fragment can reach into it, though the template keeps its own id)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: set[str] = set()
        self.inert = 0  # how many <template> elements we are in

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.inert:
            # As BeautifulSoup keeps them: the last of repeated attributes, and
            # an attribute without a value as "".
            values = {name: value or "" for name, value in attrs}
            if "id" in values:
                self.found.add(values["id"])
            if tag == "a" and "name" in values:
                self.found.add(values["name"])
        if tag == "template":
            self.inert += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "template" and self.inert:
            self.inert -= 1


def anchors_of(html: str) -> frozenset[str]:
    """The anchors a page provides, as the plugin's `read_anchors` reads them,
    read by the parser BeautifulSoup uses there (html.parser) without building
    a tree and compiling CSS selectors (tests/test_site.py checks that both
    give the same on every page of the site)."""
    parser = _Anchors()
    parser.feed(html)
    parser.close()
    return frozenset(parser.found)


class Proofer(HtmlProoferPlugin):
    """The plugin's checks, with each page's anchors and links from the cache."""

    def __init__(self, options: dict[str, Any], cache: Cache) -> None:
        super().__init__()
        errors, _ = self.load_config({**options, "enabled": True})
        if errors:
            raise PluginError(f"{NAME}: {errors}")
        self.cache = cache
        self.parsed = self.reused = 0

    @classmethod
    def for_config(cls, config: MkDocsConfig, cache: Cache) -> Proofer | None:
        """A Proofer with the options mkdocs.yml gives the plugin, if it names it."""
        plugin = config.plugins.get(NAME)
        if plugin is None:
            return None
        if plugin.config["enabled"]:
            raise PluginError(
                f"mkdocs.yml: give {NAME} `enabled: false`: tools/hooks.py runs "
                "its checks (tools/links.py), which MkDocs would run a second time"
            )
        return cls(dict(plugin.config), cache)

    def _read(self, output: str, content: str) -> tuple[frozenset[str], list[str]]:
        """The anchors the page provides and the URLs it links to."""
        key = self.cache.key("links", output, content)
        hit = self.cache.get(key)
        if hit is not None:
            self.reused += 1
            return frozenset(hit["anchors"]), hit["urls"]
        self.parsed += 1
        anchors = anchors_of(output)
        strainer = SoupStrainer(LINKED)
        soup = BeautifulSoup(content, "html.parser", parse_only=strainer)
        urls = {str(a["href"]) for a in soup.find_all("a", href=True)}
        urls |= {str(img["src"]) for img in soup.find_all("img", src=True)}
        self.cache.put(key, {"anchors": sorted(anchors), "urls": sorted(urls)})
        return anchors, sorted(urls)

    def _ignored(self, url: str, src_path: str) -> bool:
        patterns = self.config["ignore_urls"]
        ignored = any(fnmatch.fnmatch(url, p) for p in patterns) or any(
            fnmatch.fnmatch(src_path, p) for p in self.config["ignore_pages"]
        )
        if ignored and self.config["warn_on_ignored_urls"]:
            log_warning(f"ignoring URL {url} from {src_path}")
        return ignored

    def on_post_page(self, output_content: str, page: Page, config: Any) -> None:
        content = (
            output_content
            if self.config["validate_rendered_template"]
            else str(page.content)
        )
        anchors, urls = self._read(output_content, content)
        self.rendered_pages[page.file.src_uri] = anchors
        files = self.file_index()
        ids = set(anchors) | {""}  # an empty fragment is no anchor, and fine
        for url in urls:
            if not self._ignored(url, page.file.src_path):
                self.check_url(url, page.file.src_path, ids, files)

"""Every link and anchor of the built site checked, by mkdocs-htmlproofer-
plugin's own checks, as the build ends.

The plugin reads every built page with BeautifulSoup twice (the anchors it
provides, then the links it holds): most of a build that runs no block. Here
(`LinkCheck`):

* each built page is kept as it is written (`add`, at on_post_page), and the
  checks run when every page is built (`check`, at on_post_build): the
  plugin's own `on_post_page` for every page, then its `on_post_build`, so no
  link waits for a page not yet built;
* a page's two readings are kept in the build's cache (tools/cache.py), keyed
  by its HTML: a page that did not change is not parsed again (the plugin's
  `on_post_page`, re-implemented with its readings cached: `_proofer`);
* a site whose every page and every file is as it was at its last successful
  check is not checked again, nor is the plugin imported (with BeautifulSoup
  and requests): nothing a link depends on has changed. Otherwise every link
  of every page is checked, against the anchors of every page, so a link
  whose target lost its anchor fails even when the page holding it did not
  change.

The plugin's options are the chapters plugin's `links` option (mkdocs.yml);
the plugin itself is not listed in mkdocs.yml's plugins, so that MkDocs
neither runs it a second time nor imports it on every build.
"""

from __future__ import annotations

import fnmatch
from html.parser import HTMLParser
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from .cache import Cache

NAME = "htmlproofer"
# The elements the plugin's reading keeps (li, sup: footnotes): a link is an
# <a href> or an <img src> among them.
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


class _Links(HTMLParser):
    """Every <a href> and <img src>, as the plugin's BeautifulSoup reading
    finds them (html.parser, a strainer that keeps links and headings): the
    last of repeated attributes, one without a value as ""."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = {"a": "href", "img": "src"}.get(tag)
        if name is not None:
            values = {key: value or "" for key, value in attrs}
            if name in values:
                self.found.add(values[name])


def links_of(html: str) -> list[str]:
    """The URLs a page links to, as the plugin's `on_post_page` reads them,
    by the parser its BeautifulSoup uses, without building a tree
    (tests/test_site.py checks that both give the same on every page)."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return sorted(parser.found)


def _proofer(options: dict[str, Any], cache: Cache) -> Any:
    """mkdocs-htmlproofer-plugin with `options`, its `on_post_page` reading
    each page's anchors and links from the cache. The one re-implementation of
    the plugin's internals (tests/test_execution.py pins its source)."""
    from htmlproofer.plugin import HtmlProoferPlugin, log_warning

    class Proofer(HtmlProoferPlugin):
        parsed = reused = 0

        def _read(self, output: str, content: str) -> tuple[frozenset[str], list[str]]:
            """The anchors the page provides and the URLs it links to."""
            key = cache.key("links", output, content)
            hit = cache.get(key)
            if hit is not None:
                self.reused += 1
                return frozenset(hit["anchors"]), hit["urls"]
            self.parsed += 1
            anchors, urls = anchors_of(output), links_of(content)
            cache.put(key, {"anchors": sorted(anchors), "urls": urls})
            return anchors, urls

        def _ignored(self, url: str, src_path: str) -> bool:
            patterns = self.config["ignore_urls"]
            ignored = any(fnmatch.fnmatch(url, p) for p in patterns) or any(
                fnmatch.fnmatch(src_path, p) for p in self.config["ignore_pages"]
            )
            if ignored and self.config["warn_on_ignored_urls"]:
                log_warning(f"ignoring URL {url} from {src_path}")
            return ignored

        def on_post_page(self, output_content: str, page: Page, config: Any) -> None:
            content = _content(self.config, output_content, page)
            anchors, urls = self._read(output_content, content)
            self.rendered_pages[page.file.src_uri] = anchors
            files = self.file_index()
            ids = set(anchors) | {""}  # an empty fragment is no anchor, and fine
            for url in urls:
                if not self._ignored(url, page.file.src_path):
                    self.check_url(url, page.file.src_path, ids, files)

    proofer = Proofer()
    errors, _ = proofer.load_config({**options, "enabled": True})
    if errors:
        raise PluginError(f"the chapters plugin's links option ({NAME}'s): {errors}")
    return proofer


def _content(options: dict[str, Any], output: str, page: Page) -> str:
    """What the plugin reads a page's links from: its whole output, or its
    content alone (the plugin's validate_rendered_template)."""
    return output if options.get("validate_rendered_template") else str(page.content)


class LinkCheck:
    """One build's pages, their links checked as the build ends."""

    def __init__(self, options: dict[str, Any], cache: Cache) -> None:
        self.options, self.cache = options, cache
        self.built: list[tuple[str, Page]] = []
        self.parsed = self.reused = 0

    def add(self, output: str, page: Page) -> None:
        self.built.append((output, page))

    def check(self, files: Files, config: MkDocsConfig) -> None:
        """Every link of every page (a PluginError for a broken one), unless
        the site is as it was at its last successful check."""
        from .page_cache import files_digest

        keys = [
            self.cache.key("links", output, _content(self.options, output, page))
            for output, page in self.built
        ]
        site = self.cache.key("linkcheck", files_digest(files), *sorted(keys))
        if self.cache.get(site) is not None:
            self.cache.used.update(keys)  # the pages' readings stay
            self.reused = len(keys)
            return
        proofer = _proofer(self.options, self.cache)
        proofer.on_files(files, config)
        for output, page in self.built:
            proofer.on_post_page(output, page, config)
        proofer.on_post_build(config)
        self.parsed, self.reused = proofer.parsed, proofer.reused
        self.cache.put(site, True)

"""A page's rendering and its search entries, from the build's cache.

MkDocs turns every page's Markdown into HTML on every build, and Material's
search plugin then parses every page's HTML again: most of a build that runs
no block. With the cache on, both come from the build's cache (tools/cache.py:
its one key recipe and its pruning) when nothing they depend on changed:

* a page's rendering (what `Page.render` leaves on the page: its HTML, table
  of contents, title, the anchors it holds and the links to anchors it makes,
  which MkDocs checks after every page is rendered) is keyed by the Markdown
  MkDocs renders (the plugin's changes included), the page's place in the
  site, every file of the site and its URL (links are resolved against them),
  the bytes of every file its includes read, and its blocks' cache keys (their
  outputs);
* the plugin's own changes to a rendered page (lighter markup) are keyed by
  its HTML and its name (the maths is rendered as the page renders: the
  KaTeX entries a rendering used are kept alive with it);
* a page's search entries are keyed by everything Material reads to make
  them: the page's HTML, table of contents, URL, title and front matter.

A rendering that logged anything (a warning, a broken link) is not kept: it is
rendered again on the next build, and says it again. The environment (Python,
every package, mkdocs.yml, these tools) salts every key.

Other packages' internals are touched, each in one function that a test pins
(tests/test_cache.py): MkDocs' `Page.render`, swapped on the page for one that
looks in the cache first (`PageCache.install`), the `Page` attributes that it
sets (`_snapshot`, `_restore`), and Material's search index (`cache_search`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Iterator
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from .cache import Cache
from .chapter import Chapter


class _Recorder(logging.Handler):
    """Every record (INFO and above) logged while a page renders."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def _entries_used(cache: Cache) -> Iterator[set[str]]:
    """The cache entries used inside the `with` block (filled as it ends: the
    maths' KaTeX entries, while a page renders), to keep alive with the entry
    made from them; they count as used as well."""
    used, cache.used = cache.used, set()
    entries: set[str] = set()
    try:
        yield entries
    finally:
        entries |= cache.used
        cache.used = used | entries


@contextlib.contextmanager
def _recording() -> Iterator[_Recorder]:
    """Every record logged inside the `with` block, to MkDocs' logger (which
    does not pass its records on) or any other (Python-Markdown's go to the
    root logger)."""
    recorder = _Recorder()
    loggers = [logging.getLogger("mkdocs"), logging.getLogger()]
    for logger in loggers:
        logger.addHandler(recorder)
    try:
        yield recorder
    finally:
        for logger in loggers:
            logger.removeHandler(recorder)


def files_digest(files: Files) -> str:
    """Every file of the site and where it goes: what a link resolves against."""
    rows = sorted(
        (f.src_uri, f.dest_uri, f.url, f.inclusion.name, bool(f.generated_by))
        for f in files
    )
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def _toc_tokens(toc: Any) -> list[dict[str, Any]]:
    """MkDocs' table of contents back as the tokens get_toc reads."""
    return [
        {
            "level": item.level,
            "id": item.id,
            "name": item.title,
            "children": _toc_tokens(item.children),
        }
        for item in toc
    ]


def _snapshot(page: Page) -> dict[str, Any]:
    """What MkDocs' `Page.render` left on `page`, as data (MkDocs 1.6's
    attributes: tests/test_cache.py fails if render sets others)."""
    return {
        "content": page.content,
        "toc": _toc_tokens(page.toc),
        "title": page._title_from_render,
        "anchors": sorted(page.present_anchor_ids or ()),
        "links": {f.src_uri: links for f, links in page.links_to_anchors.items()},
    }


def _restore(page: Page, data: dict[str, Any], files: Files) -> None:
    """Set on `page` what `_snapshot` took from a rendering of it."""
    page.content = data["content"]
    page.toc = get_toc(data["toc"])
    page._title_from_render = data["title"]
    page.present_anchor_ids = set(data["anchors"])
    page.links_to_anchors = {
        files.get_file_from_path(src): links for src, links in data["links"].items()
    }


class PageCache:
    """One build's cached renderings and search entries."""

    def __init__(self, cache: Cache, project: Any) -> None:
        self.cache, self.project = cache, project
        self.rendered = self.reused = 0
        self._files: tuple[int, str] | None = None

    def _digest(self, files: Files) -> str:
        if self._files is None or self._files[0] != id(files):
            self._files = (id(files), files_digest(files))
        return self._files[1]

    def install(self, page: Page, chapter: Chapter | None, blocks: list[str]) -> None:
        """Make MkDocs' `page.render(config, files)` (which its build calls
        after the on_page_markdown event) look in the cache first. `blocks`:
        the cache keys of the page's blocks' results (what they print is part
        of the page). The one swap of MkDocs' method."""
        render = page.render

        def cached_render(config: MkDocsConfig, files: Files) -> None:
            self._render(page, chapter, blocks, render, config, files)

        page.render = cached_render  # type: ignore[method-assign]

    def _render(
        self,
        page: Page,
        chapter: Chapter | None,
        blocks: list[str],
        render: Any,
        config: MkDocsConfig,
        files: Files,
    ) -> None:
        if not self.cache.enabled or chapter is None:
            self.rendered += 1
            render(config, files)
            return
        parts: list[str | bytes] = [
            page.markdown or "",
            page.file.src_uri,
            page.file.dest_uri,
            page.file.url,
            self._digest(files),
            *blocks,
        ]
        for path in chapter.reads:
            file = self.project / path
            parts += [path, file.read_bytes() if file.is_file() else b"\0missing"]
        key = self.cache.key("page", *parts)
        hit = self.cache.get(key)
        if hit is not None:
            self.reused += 1
            _restore(page, hit, files)
            self.cache.used.update(hit["entries"])  # the maths' entries stay
            return
        self.rendered += 1
        with _recording() as recorder, _entries_used(self.cache) as entries:
            render(config, files)
        if recorder.records or page.links_to_anchors is None:
            return
        self.cache.put(key, {**_snapshot(page), "entries": sorted(entries)})

    def content(self, html: str, where: str, finish: Any) -> str:
        """`finish(html, where)` (the plugin's own changes to a rendered page),
        from the cache when the page's HTML did not change."""
        key = self.cache.key("content", where, html)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        result = finish(html, where)
        self.cache.put(key, result)
        return result


def cache_search(plugin: Any, cache: Cache) -> None:
    """Material's search plugin, its entries for each page from the cache.
    The one use of its internals: its `search_index` (made in its on_config)
    and that index's `add_entry_from_context` and `entries`
    (tests/test_cache.py pins them)."""
    if plugin is None or not cache.enabled:
        return
    index = getattr(plugin, "search_index", None)
    add = getattr(index, "add_entry_from_context", None)
    if add is None or not isinstance(getattr(index, "entries", None), list):
        raise PluginError(
            "Material's search plugin has no search_index.add_entry_from_context "
            "and entries list as tools/page_cache.py expects: check it against "
            "the installed mkdocs-material"
        )

    def add_entry_from_context(page: Page) -> None:
        key = cache.key(
            "search",
            page.url,
            page.content or "",
            json.dumps(_toc_tokens(page.toc)),
            page.title or "",
            json.dumps(page.meta, sort_keys=True, default=str),
        )
        hit = cache.get(key)
        if hit is not None:
            index.entries.extend(hit)
            return
        before = len(index.entries)
        add(page)
        cache.put(key, index.entries[before:])

    index.add_entry_from_context = add_entry_from_context

"""A page's rendering and its search entries, from the build's cache.

MkDocs turns every page's Markdown into HTML on every build, and Material's
search plugin then parses every page's HTML again: most of a build that runs
no block. With the cache on, both come from the build's cache (tools/
execution.py's Cache, its one key recipe and its pruning) when nothing they
depend on changed:

* a page's rendering (`Page.render`: its HTML, table of contents, title, the
  anchors it holds and the links to anchors it makes, which MkDocs checks
  after every page is rendered) is keyed by the Markdown MkDocs renders (the
  hooks' changes included), the page's place in the site, every file of the
  site and its URL (links are resolved against them), and the bytes of every
  file its includes read and its blocks declare (`runs=`). Its blocks' printed
  outputs are kept with it, for the notebooks, and its blocks' own cache
  entries are kept alive;
* the hooks' own changes to a rendered page (lighter markup, the maths
  rendered by KaTeX) are keyed by its HTML and its name;
* a page's search entries are keyed by everything Material reads to make
  them: the page's HTML, table of contents, URL, title and front matter.

A rendering that logged anything (a warning, a broken link) or whose block
raised is not kept: it is rendered again on the next build, and says it
again. The environment (Python, every package, mkdocs.yml, these tools) salts
every key, as it salts every other entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Iterator
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from chapter import Chapter
from execution import Build, Cache, Result


class _Recorder(logging.Handler):
    """Every record (INFO and above) logged while a page renders."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def _entries_used(cache: Cache) -> Iterator[set[str]]:
    """The cache entries used inside the `with` block (filled as it ends), to
    keep alive with the entry made from them; they count as used as well."""
    used, cache.used = cache.used, set()
    entries: set[str] = set()
    try:
        yield entries
    finally:
        entries |= cache.used
        cache.used = used | entries


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


class PageCache:
    """One build's cached renderings and search entries."""

    def __init__(self, build: Build) -> None:
        self.build = build
        self.rendered = self.reused = 0
        self._files: tuple[int, str] | None = None

    def _digest(self, files: Files) -> str:
        if self._files is None or self._files[0] != id(files):
            self._files = (id(files), files_digest(files))
        return self._files[1]

    def install(self, page: Page, chapter: Chapter | None) -> None:
        """Render `page` from the cache when its inputs did not change."""
        if not self.build.cache.enabled or chapter is None:
            return
        render = page.render

        def cached_render(config: MkDocsConfig, files: Files) -> None:
            self._render(page, chapter, render, config, files)

        page.render = cached_render  # type: ignore[method-assign]

    def _key(self, page: Page, chapter: Chapter, files: Files) -> str:
        project = self.build.project
        parts: list[str | bytes] = [
            page.markdown or "",
            page.file.src_uri,
            page.file.dest_uri,
            page.file.url,
            self._digest(files),
        ]
        paths = list(chapter.reads) + [p for b in chapter.blocks for p in b.inputs]
        for path in dict.fromkeys(paths):
            file = project / path
            parts += [path, file.read_bytes() if file.is_file() else b"\0missing"]
        return self.build.cache.key("page", *parts)

    def _render(
        self,
        page: Page,
        chapter: Chapter,
        render: Any,
        config: MkDocsConfig,
        files: Files,
    ) -> None:
        cache, build = self.build.cache, self.build
        key = self._key(page, chapter, files)
        hit = cache.get(key)
        if hit is not None:
            self.reused += 1
            page.content = hit["content"]
            page.toc = get_toc(hit["toc"])
            page._title_from_render = hit["title"]
            page.present_anchor_ids = set(hit["anchors"])
            page.links_to_anchors = {
                files.get_file_from_path(src): links
                for src, links in hit["links"].items()
            }
            for block_id, output in hit["outputs"].items():
                build.results[(chapter.src_uri, block_id)] = Result(output)
            build.cached += len(hit["outputs"])
            cache.used.update(hit["entries"])  # its blocks' entries stay
            return
        self.rendered += 1
        recorder = _Recorder()
        # MkDocs' own logger does not pass its records on to the root logger:
        # listen to both (Python-Markdown's and other libraries' go to the root).
        loggers = [logging.getLogger("mkdocs"), logging.getLogger()]
        for logger in loggers:
            logger.addHandler(recorder)
        try:
            with _entries_used(cache) as entries:
                render(config, files)
        finally:
            for logger in loggers:
                logger.removeHandler(recorder)
        if recorder.records or build.errors(chapter) or page.links_to_anchors is None:
            return
        outputs = {
            b.id: build.results[(chapter.src_uri, b.id)].output
            for b in chapter.blocks
            if (chapter.src_uri, b.id) in build.results
        }
        cache.put(
            key,
            {
                "content": page.content,
                "toc": _toc_tokens(page.toc),
                "title": page._title_from_render,
                "anchors": sorted(page.present_anchor_ids or ()),
                "links": {
                    f.src_uri: links for f, links in page.links_to_anchors.items()
                },
                "outputs": outputs,
                "entries": sorted(entries),
            },
        )

    def content(self, html: str, where: str, finish: Any) -> str:
        """`finish(html, where)` (the hooks' own changes to a rendered page),
        from the cache when the page's HTML did not change; the cache entries
        it used (KaTeX's) are kept alive with it."""
        cache = self.build.cache
        key = cache.key("content", where, html)
        hit = cache.get(key)
        if hit is not None:
            cache.used.update(hit["entries"])
            return hit["html"]
        with _entries_used(cache) as entries:
            result = finish(html, where)
        cache.put(key, {"html": result, "entries": sorted(entries)})
        return result

    def search(self, plugin: Any) -> None:
        """Material's search plugin, its entries for each page cached."""
        index = plugin.search_index if plugin is not None else None
        if index is None or not self.build.cache.enabled:
            return
        add = index.add_entry_from_context
        cache = self.build.cache

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

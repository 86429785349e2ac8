"""The site's MkDocs plugin (`chapters` in mkdocs.yml): read, execute, render.

    1. read     every page into the chapter model (tools/chapter.py)
    2. execute  every block not in the cache, on every core (tools/execution.py),
                before any page is rendered; the results are data
    3. render   the pages, each block's fence a lookup of its result
                (tools/rendering.py); the notebooks, scripts and collections
                from the same results (tools/notebooks.py)

Steps 1 and 2 run at `on_files`, so that the downloads are made from the
results there, whichever pages the build renders (`mkdocs serve --dirty`
renders only the pages that changed). A block that raised fails the build
there, before any page is rendered, with every error.

The plugin's state lives on the plugin object and is made anew by each build
(`on_config`: `mkdocs serve` builds again in one process); its settings are
its options in mkdocs.yml (`ChaptersConfig`).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import json
import logging
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jinja2
import markdown_exec
from mkdocs.config import base
from mkdocs.config import config_options as options
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, file_sort_key
from mkdocs.structure.pages import Page

from . import chapter as chapter_model
from . import execution, katex, links, notebooks, page_html, provenance, rendering
from .cache import Cache
from .page_cache import PageCache, cache_search, files_digest

log = logging.getLogger("mkdocs.plugins.chapters")
KATEX = "tools.katex"  # the Markdown extension that renders the maths
# Written in a page, this becomes the list of the chapters with code whose
# front matter says `exercises: false` (their titles, linked), in a span of
# this class: the home page's sentence reads them from their pages.
WITHOUT_EXERCISES = "<!-- chapters without exercises -->"
WITHOUT_EXERCISES_CLASS = "chapters-without-exercises"


class Switch(options.BaseConfigOption[bool]):
    """On or off: true/false, yes/no, on/off, or 1/0 (as `!ENV` gives a
    variable's value)."""

    def __init__(self, default: bool) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> bool:
        if isinstance(value, bool) or value in (0, 1):
            return bool(value)
        raise base.ValidationError(f"expected true or false (or 1 or 0), not {value!r}")


class ChaptersConfig(base.Config):
    # The cache: on or off, and its folder (relative to mkdocs.yml's).
    cache = Switch(default=True)
    cache_dir = options.Type(str, default=".cache/build")
    # Processes that run blocks at once: 0, as many as the cores this build
    # may use.
    workers = options.Type(int, default=0)
    # Seconds a block may run before it is stopped (and the build fails).
    timeout = options.Type(int, default=600)
    # What the processes that run blocks import once, before any block: those
    # of these modules whose package a block to run imports.
    preload = options.ListOfItems(options.Type(str), default=[])
    # The page (and anchor) that says why a reader's digits can differ: the
    # notebooks' version line links to it.
    digits_link = options.Type(str, default="")
    # mkdocs-htmlproofer-plugin's options: its checks run on every built page
    # as the build ends (tools/links.py).
    links = options.Type(dict, default={})


def _warm_up() -> None:
    """What the rest of the build will import, imported while the blocks' fork
    server imports its libraries (when blocks run, pages change): the
    notebooks' nbformat and its schema validator, Pygments' Python lexer, the
    link checker."""
    import htmlproofer.plugin  # noqa: F401
    import nbformat
    import pygments.lexers.python  # noqa: F401

    nbformat.validate(nbformat.v4.new_notebook())


class ChaptersPlugin(BasePlugin[ChaptersConfig]):
    """Read, execute, render: see the module's docstring."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.project = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        folder = self.project / self.config.cache_dir  # an absolute one stays
        self.cache = Cache.open(folder, self.config.cache, self.project)
        self.expander = chapter_model.Expander.for_project(config, self.project)
        self.links = links.LinkCheck(self.config.links, self.cache)
        self.pages = PageCache(self.cache, self.project)
        self.version_line = provenance.version_line()
        # The maths: tools.katex, a Markdown extension, renders it with this
        # build's KaTeX (its V8 context closed as the build ends, its results
        # in the build's cache).
        if KATEX not in config.markdown_extensions:
            raise PluginError(
                f"mkdocs.yml: add {KATEX} to markdown_extensions, after "
                "pymdownx.arithmatex: it renders the maths"
            )
        self.katex = katex.Katex(self.cache)
        config.mdx_configs.setdefault(KATEX, {})["katex"] = self.katex
        self.chapters: dict[str, chapter_model.Chapter] = {}
        self.results = execution.Results()
        self.downloads: dict[str, tuple[File, File]] = {}  # src_uri -> files
        self.contents: dict[str, str] = {}  # a collection's src_uri -> its list
        # markdown-exec renders a block's Markdown output with the site's own
        # extensions (its public configuration object; its plugin does this).
        markdown_exec.markdown_config.save(
            config.markdown_extensions, config.mdx_configs
        )
        return config

    # --- 1. read, 2. execute ----------------------------------------------------

    @event_priority(100)  # the downloads are files of the site for every plugin
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        docs = self._docs_name(config)
        pages = sorted(
            (
                f
                for f in files.documentation_pages()
                if f.src_uri.endswith(".md") and not f.generated_by
            ),
            key=file_sort_key,  # MkDocs' own order: index first, then by name
        )
        for file in pages:
            try:
                self.chapters[file.src_uri] = chapter_model.parse(
                    file.content_string, file.src_uri, self.expander, docs
                )
            except chapter_model.ChapterError as error:
                raise PluginError(str(error)) from error
        self.results = execution.execute(
            list(self.chapters.values()),
            self.cache,
            self.project,
            workers=self.config.workers,
            preload=self.config.preload,
            timeout=self.config.timeout,
            meanwhile=_warm_up,
        )
        log.info(f"Executed code blocks: {self.results.summary()}")
        if self.results.errors:
            self.results.write(self.cache.folder)
            raise PluginError(
                "\n".join(f"{r.error}\n{r.trace}".rstrip() for r in self.results.errors)
            )
        rendering.install(
            rendering.BlockFormatter(self.results.by_key(), self.cache, self.project)
        )
        self._add_downloads(files, config)
        cache_search(config.plugins.get("material/search"), self.cache)
        self.files = files  # the links are checked against them as the build ends
        return files

    def _docs_name(self, config: MkDocsConfig) -> str:
        try:
            docs = Path(config.docs_dir).resolve().relative_to(self.project)
        except ValueError:
            return Path(config.docs_dir).as_posix()
        return docs.as_posix()

    # --- 3. render: the downloads ---------------------------------------------

    def _site(self, config: MkDocsConfig, files: Files) -> notebooks.Site:
        def page_url(src_uri: str) -> str:
            file = files.get_file_from_path(src_uri)
            return urljoin(config.site_url or "", file.url if file else src_uri)

        return notebooks.Site(config.site_name, config.site_url or "", page_url)

    def _add_downloads(self, files: Files, config: MkDocsConfig) -> None:
        """Every notebook and script, made from the results (or taken from the
        cache when nothing they are made from changed), as files of the site.
        Each entry keeps the notebook as made, before its version line: a
        collection is made from its parts' notebooks as made."""
        site = self._site(config, files)
        common = [site.name, site.url, files_digest(files), self.version_line]

        def inputs(chapter: chapter_model.Chapter) -> list[str | bytes]:
            parts = [inputs(part) for _, part in self._parts(chapter)]
            return [*self._inputs(chapter), *(x for part in parts for x in part)]

        chapters = [c for c in self.chapters.values() if c.has_notebook]
        keys = {
            c.src_uri: self.cache.key("downloads", *common, *inputs(c))
            for c in chapters
        }
        hits = {c.src_uri: self.cache.get(keys[c.src_uri]) for c in chapters}
        made: dict[str, Any] = {}  # src_uri -> its notebook, not yet stamped

        def notebook(chapter: chapter_model.Chapter) -> Any:
            if chapter.src_uri not in made:
                hit = hits.get(chapter.src_uri)
                made[chapter.src_uri] = (
                    notebooks.from_dict(hit[2])
                    if hit is not None
                    else self._notebook(chapter, site, notebook)
                )
            return made[chapter.src_uri]

        for chapter in chapters:
            parts = [part for _, part in self._parts(chapter)]
            if parts:
                self.contents[chapter.src_uri] = notebooks.contents(
                    parts, chapter.src_uri
                )
            hit = hits[chapter.src_uri]
            if hit is None:
                unstamped = notebook(chapter)
                stamped = provenance.stamp(
                    copy.deepcopy(unstamped), chapter.stem, self._digits_url(site)
                )
                url = site.page_url(chapter.src_uri)
                title = chapter.notebook_title
                hit = [
                    notebooks.dumps(stamped),
                    notebooks.script(title, url, stamped, chapter.stem),
                    unstamped,
                ]
                self.cache.put(keys[chapter.src_uri], hit)
            self.downloads[chapter.src_uri] = tuple(  # type: ignore[assignment]
                File.generated(
                    config,
                    f"{notebooks.NOTEBOOKS}/{chapter.stem}{suffix}",
                    content=text,
                )
                for suffix, text in zip((".ipynb", ".py"), hit[:2], strict=True)
            )
            for file in self.downloads[chapter.src_uri]:
                files.append(file)

    def _parts(self, chapter: chapter_model.Chapter) -> list[tuple[str, Any]]:
        """The pages a collection holds: (their src_uri, their chapter)."""
        parts = []
        for src_uri in chapter.parts_collected:
            part = self.chapters.get(src_uri)
            if part is None or not part.blocks:
                raise PluginError(
                    f"{chapter.path}: its notebook collects {src_uri}, which is "
                    "not a page of the site with executed code"
                )
            parts.append((src_uri, part))
        return parts

    def _notebook(self, chapter, site, notebook) -> Any:
        """A chapter's notebook from its results; a collection's from its own
        prose, the list of its parts and their notebooks (`notebook(part)`)."""
        parts = [part for _, part in self._parts(chapter)]
        if not parts:
            return notebooks.chapter_notebook(
                chapter, self.results.outputs(chapter), site, self.project
            )
        listing = chapter_model.Prose(self.contents[chapter.src_uri])
        own = dataclasses.replace(chapter, parts=[*chapter.parts, listing])
        page = notebooks.chapter_notebook(own, {}, site, self.project)
        held = [(part, notebook(part)) for part in parts]
        return notebooks.collection(page, held, chapter.notebook_title)

    def _inputs(self, chapter: chapter_model.Chapter) -> list[str | bytes]:
        """What a chapter's notebook is made from, besides the site: the
        chapter model, its blocks' results, and the files its blocks declare
        (their cells write them out)."""
        model = json.dumps(dataclasses.asdict(chapter), sort_keys=True, default=str)
        outputs = json.dumps(self.results.outputs(chapter), sort_keys=True)
        parts: list[str | bytes] = [model, outputs]
        for path in dict.fromkeys(p for b in chapter.blocks for p in b.runs):
            parts += [path, (self.project / path).read_bytes()]
        return parts

    def _digits_url(self, site: notebooks.Site) -> str | None:
        if not self.config.digits_link:
            return None
        page, _, anchor = self.config.digits_link.partition("#")
        return site.page_url(page) + (f"#{anchor}" if anchor else "")

    # --- 3. render: the pages -------------------------------------------------

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if WITHOUT_EXERCISES in markdown:
            markdown = markdown.replace(
                WITHOUT_EXERCISES, self._without_exercises(page.file.src_uri)
            )
        chapter = self.chapters.get(page.file.src_uri)
        keys = [r.key for r in self.results.records if r.page == page.file.src_uri]
        self.pages.install(page, chapter, keys)
        if chapter is None or not chapter.has_notebook:
            return markdown
        page.meta["provenance"] = self.version_line  # overrides/main.html
        if chapter.src_uri in self.contents:
            markdown = markdown.rstrip("\n") + "\n\n" + self.contents[chapter.src_uri]
        notebook, code = self.downloads[chapter.src_uri]
        stem = chapter.stem
        what = "the whole tutorial" if chapter.parts_collected else "this page"
        colab = notebooks.colab_url(
            config.repo_url or "", config.remote_branch, notebook.url
        )
        here = posixpath.dirname(page.file.src_uri) or "."
        buttons = notebooks.buttons(  # Markdown links: MkDocs turns them into URLs
            posixpath.relpath(notebook.src_uri, here),
            posixpath.relpath(code.src_uri, here),
            colab,
            what,
            stem,
        )
        lines = markdown.split("\n")
        for number, line in enumerate(lines):
            if line.startswith("# "):
                lines[number + 1 : number + 1] = ["", buttons]
                return "\n".join(lines)
        return f"{buttons}\n\n{markdown}"

    def _without_exercises(self, here: str) -> str:
        """The chapters with code and no exercises, linked from page `here`."""
        folder = posixpath.dirname(here) or "."
        links = [
            f"[{c.title}]({posixpath.relpath(c.src_uri, folder)})"
            for c in self.chapters.values()
            if c.blocks and not c.has_exercises
        ]
        if len(links) > 1:
            listed = ", ".join(links[:-1]) + " and " + links[-1]
        else:
            listed = links[0] if links else "none"
        return f'<span class="{WITHOUT_EXERCISES_CLASS}">{listed}</span>'

    def on_page_content(
        self, html: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        where = f"{self._docs_name(config)}/{page.file.src_uri}"
        html, rendered, unseen = rendering.markers(html)
        chapter = self.chapters.get(page.file.src_uri)
        model = [b.id for b in chapter.blocks] if chapter else []
        errors = [
            f"{where}: code block '{block_id}' is executed by the page, but the "
            "chapter model does not see it (or it runs other code than the model "
            "read), so no notebook or test would run it: put it at the top level, "
            "in an admonition or in a content tab"
            for block_id in unseen
        ]
        errors += [
            f"{where}: code block '{block_id}' was not rendered (the fence's "
            "formatter failed, and Python-Markdown left the fence as text)"
            for block_id in model
            if block_id not in rendered
        ]
        if errors:
            raise PluginError("\n".join(errors))
        html = self.pages.content(html, where, self._finish)
        place = functools.partial(
            self._figure_file, page=page, config=config, files=files
        )
        try:
            return page_html.figure_files(html, place)
        except ValueError as error:  # a figure without its size or text alternative
            raise PluginError(f"{where}: {error}") from error

    def _figure_file(
        self, text: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """A figure's file, named by its content (figures/<hash>.svg) and added
        to the site once; its URL from the page (MkDocs' URL model)."""
        name = f"figures/{hashlib.sha256(text.encode()).hexdigest()[:16]}.svg"
        file = files.get_file_from_path(name)
        if file is None:
            file = File.generated(config, name, content=text)
            files.append(file)
        return file.url_relative_to(page.file)

    def _finish(self, html: str, where: str) -> str:
        """The rendered page's HTML lightened (tools/page_html.py)."""
        return page_html.lighten(html)

    def on_env(self, env: Any, config: MkDocsConfig, files: Files) -> Any:
        """With the cache on, the theme's templates are compiled once per
        version of their source (Jinja's own bytecode cache, in `jinja/`)."""
        if self.cache.enabled:
            folder = self.cache.folder / "jinja"
            folder.mkdir(parents=True, exist_ok=True)
            env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
        return env

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        self.links.add(output, page)
        return output

    def on_build_error(self, error: Exception) -> None:
        self.katex.close()

    def on_post_build(self, config: MkDocsConfig) -> None:
        self.katex.close()
        self.links.check(self.files, config)
        pruned = self.cache.prune()
        markdown_exec.markdown_config.reset()
        self.results.write(
            self.cache.folder,
            pages_rendered=self.pages.rendered,
            pages_cached=self.pages.reused,
            links_parsed=self.links.parsed,
            links_cached=self.links.reused,
            pruned=pruned,
        )
        switch = "on" if self.cache.enabled else "off"
        log.info(
            f"Pages rendered: {self.pages.rendered}, {self.pages.reused} from the "
            f"cache; links checked on every page: "
            f"{self.links.parsed} pages parsed, {self.links.reused} from the cache; "
            f"cache {switch}, "
            f"{pruned} stale entries pruned"
        )

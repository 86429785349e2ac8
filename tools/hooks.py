"""The build's one MkDocs hook module: it owns the events; other modules work.

    page (docs/x.md) --chapter.py--> blocks --execution.py--> outputs
        outputs -> page HTML (markdown-exec's rendering; katex.py for the maths)
        outputs -> notebooks/x.ipynb and x.py (notebooks.py)

* on_files: every page is parsed by the chapter model; the notebooks, scripts
  and the whole-tutorial page are added to the site as generated files.
* on_pre_page: with the cache on, a page whose inputs did not change is not
  rendered again (page_cache.py: its HTML, table of contents and anchors, and
  its blocks' outputs, from the cache); Material's search entries likewise.
* on_page_markdown: the chapter being rendered is handed to the block
  formatter, and the notebook buttons go under the page's title.
* on_page_content: a block that raised fails the build, naming the page, the
  line, the block, the snippet and its line; the markup is lightened
  (page_html.py) and the maths is rendered by KaTeX; each figure's SVG goes to
  a file of its own (figures/<hash>.svg), shown by a lazily loaded <img>.
* on_env: every page is rendered, so every block has run: the notebooks and
  scripts are written from those outputs (each block runs once per build), or
  taken from the cache when nothing they are made from changed.
* on_post_page: every link and anchor of the page is checked (links.py:
  htmlproofer's checks, each page's parse cached).
* on_post_build: the links left for the end are checked; the counts, and
  stale cache entries pruned.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import json
import logging
import posixpath
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jinja2

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling modules

import provenance  # noqa: E402
from mkdocs.config.defaults import MkDocsConfig  # noqa: E402
from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402
from mkdocs.structure.pages import Page  # noqa: E402
from page_cache import PageCache, files_digest  # noqa: E402

import chapter as chapter_model  # noqa: E402
import katex  # noqa: E402
import links  # noqa: E402
import notebooks  # noqa: E402
import page_html  # noqa: E402
from execution import Build, Cache, install_formatter  # noqa: E402

log = logging.getLogger("mkdocs.hooks.docs")
formatter = install_formatter()


class _State:
    """This build's model and outputs (reset by on_config: `mkdocs serve`
    builds again in the same process)."""

    build: Build
    expander: chapter_model.Expander
    proofer: links.Proofer | None
    pages: PageCache
    chapters: dict[str, chapter_model.Chapter]
    downloads: dict[str, tuple[File, File]]  # chapter stem -> (.ipynb, .py)
    whole: File | None


state = _State()


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    project = Path(config.config_file_path or "mkdocs.yml").resolve().parent
    state.build = Build(project, Cache.for_project(project))
    state.expander = chapter_model.Expander.for_project(config, project)
    state.proofer = links.Proofer.for_config(config, state.build.cache)
    state.pages = PageCache(state.build)
    state.pages.search(config.plugins.get("material/search"))
    provenance.installed.cache_clear()
    formatter.build = state.build
    return config


def _docs_name(config: MkDocsConfig) -> str:
    project = state.build.project
    try:
        return Path(config.docs_dir).resolve().relative_to(project).as_posix()
    except ValueError:
        return Path(config.docs_dir).as_posix()


def _site(config: MkDocsConfig, files: Files) -> notebooks.Site:
    def page_url(src_uri: str) -> str:
        file = files.get_file_from_path(src_uri)
        return urljoin(config.site_url or "", file.url if file else src_uri)

    return notebooks.Site(config.site_name, config.site_url or "", page_url)


@event_priority(100)  # before the plugins' (htmlproofer maps the files it is given)
def on_files(files: Files, config: MkDocsConfig) -> Files:
    state.chapters, state.downloads, state.whole = {}, {}, None
    docs = _docs_name(config)
    for file in files.documentation_pages():
        if not file.src_uri.endswith(".md") or file.generated_by:
            continue
        try:
            chapter = chapter_model.parse(
                file.content_string, file.src_uri, state.expander, docs
            )
        except chapter_model.ChapterError as error:
            raise PluginError(str(error)) from error
        state.chapters[file.src_uri] = chapter

    stems = [c.stem for c in state.chapters.values() if c.blocks]
    parts = [
        state.chapters[p]
        for p in notebooks.WHOLE_PARTS
        if p in state.chapters and state.chapters[p].blocks
    ]
    if parts:
        stems.append(notebooks.WHOLE)
        cache = state.build.cache
        # The page lists each part's title and number of code cells: blocks
        # make code cells, prose does not, so a prose edit keeps this entry.
        key = cache.key(
            "whole",
            *[
                json.dumps(
                    [c.src_uri, c.title, [dataclasses.asdict(b) for b in c.blocks]],
                    default=str,
                )
                for c in parts
            ],
        )
        page = cache.get(key)
        if page is None:
            site, project = _site(config, files), state.build.project
            page = notebooks.whole_tutorial_page(
                [(c, notebooks.chapter_notebook(c, {}, site, project)) for c in parts]
            )
            cache.put(key, page)
        state.whole = File.generated(config, notebooks.WHOLE_PAGE, content=page)
        files.append(state.whole)
    for stem in stems:
        pair = tuple(
            File.generated(config, f"{notebooks.NOTEBOOKS}/{stem}{suffix}", content="")
            for suffix in (".ipynb", ".py")
        )
        state.downloads[stem] = pair  # written in on_env, when every block has run
        for file in pair:
            files.append(file)
    if state.proofer is not None:  # every file, the generated ones included
        state.proofer.on_files(files, config)
    return files


def _stem(page: Page) -> str | None:
    if state.whole is not None and page.file.src_uri == state.whole.src_uri:
        return notebooks.WHOLE
    chapter = state.chapters.get(page.file.src_uri)
    return chapter.stem if chapter is not None and chapter.blocks else None


def on_pre_page(page: Page, config: MkDocsConfig, files: Files) -> Page:
    state.pages.install(page, state.chapters.get(page.file.src_uri))
    return page


def on_page_markdown(
    markdown: str, page: Page, config: MkDocsConfig, files: Files
) -> str:
    state.build.chapter = state.chapters.get(page.file.src_uri)
    stem = _stem(page)
    if stem is None:
        return markdown
    page.meta["provenance"] = provenance.version_line()  # overrides/main.html
    notebook, code = state.downloads[stem]
    what = "the whole tutorial" if stem == notebooks.WHOLE else "this page"
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


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    chapter = state.chapters.get(page.file.src_uri)
    if chapter is not None:
        errors = state.build.errors(chapter)
        if errors:
            raise PluginError("\n".join(errors))
    where = f"{_docs_name(config)}/{page.file.src_uri}"
    html = state.pages.content(html, where, _finish)
    place = functools.partial(_figure_file, page=page, config=config, files=files)
    try:
        return page_html.figure_files(html, place)
    except ValueError as error:  # a figure without its size or text alternative
        raise PluginError(f"{where}: {error}") from error


def _figure_file(text: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """A figure's file, named by its content (figures/<hash>.svg) and added to
    the site once; its URL from the page (MkDocs' URL model)."""
    name = f"figures/{hashlib.sha256(text.encode()).hexdigest()[:16]}.svg"
    file = files.get_file_from_path(name)
    if file is None:
        file = File.generated(config, name, content=text)
        files.append(file)
        if state.proofer is not None:  # its links are checked against it too
            state.proofer.files.append(file)
    return file.url_relative_to(page.file)


def _finish(html: str, where: str) -> str:
    """The rendered page's HTML lightened (tools/page_html.py: lighter, valid
    markup) and its maths rendered by KaTeX."""
    html = page_html.lighten(html)
    try:
        return katex.render_maths(html, where, state.build.cache)
    except katex.KatexError as error:
        raise PluginError(str(error)) from error


def on_page_context(context: Any, page: Page, **kwargs: Any) -> Any:
    if state.whole is not None and page.file.src_uri == state.whole.src_uri:
        page.edit_url = None  # generated: there is no file to edit on GitHub
    return context


def on_env(env: Any, config: MkDocsConfig, files: Files) -> Any:
    """Every page is rendered, so every block has run: write the downloads.
    With the cache on, the theme's templates are compiled once per version of
    their source (Jinja's own bytecode cache, in the cache folder's `jinja/`)."""
    folder = state.build.cache.folder
    if folder is not None:
        (folder / "jinja").mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder / "jinja"))
    site = _site(config, files)
    build = state.build
    common = [site.name, site.url, files_digest(files), provenance.version_line()]
    made: dict[str, Any] = {}
    keys: dict[str, str] = {}

    def notebook(chapter: chapter_model.Chapter) -> Any:
        """The chapter's notebook, made once (or as its cache entry keeps it)."""
        if chapter.src_uri not in made:
            hit = build.cache.get(keys[chapter.src_uri])
            made[chapter.src_uri] = (
                notebooks.from_dict(hit[2])
                if hit is not None
                else notebooks.chapter_notebook(
                    chapter, _outputs(chapter), site, build.project
                )
            )
        return made[chapter.src_uri]

    for chapter in state.chapters.values():
        if not chapter.blocks:
            continue
        outputs = json.dumps(_outputs(chapter), sort_keys=True)
        key = build.cache.key("downloads", *common, *_inputs(chapter), outputs)
        keys[chapter.src_uri] = key
        make = functools.partial(notebook, chapter)
        _write(key, chapter.stem, make, chapter.title, site, chapter.src_uri)
    if state.whole is not None:
        parts = [state.chapters[p] for p in notebooks.WHOLE_PARTS if p in keys]
        key = build.cache.key(
            "downloads", notebooks.WHOLE, *[keys[c.src_uri] for c in parts]
        )
        _write(
            key,
            notebooks.WHOLE,
            lambda: notebooks.whole_tutorial(
                [(c, notebook(c)) for c in parts], site.url
            ),
            "The whole tutorial",
            site,
            None,
        )
    return env


def _outputs(chapter: chapter_model.Chapter) -> dict[str, str]:
    """What each of the chapter's blocks printed in this build."""
    results = state.build.results
    return {
        b.id: results[(chapter.src_uri, b.id)].output
        for b in chapter.blocks
        if (chapter.src_uri, b.id) in results
    }


def _inputs(chapter: chapter_model.Chapter) -> list[str | bytes]:
    """Everything of a chapter its notebook is made from, besides its outputs:
    the chapter model, and the files its blocks declare (their cells write
    them out)."""
    parts: list[str | bytes] = [
        json.dumps(dataclasses.asdict(chapter), sort_keys=True, default=str)
    ]
    for path in dict.fromkeys(p for b in chapter.blocks for p in b.runs):
        parts += [path, (state.build.project / path).read_bytes()]
    return parts


def _write(
    key: str,
    stem: str,
    make: Callable[[], Any],
    title: str,
    site: notebooks.Site,
    src: str | None,
) -> None:
    """The downloads, with the build's version line above the versions cell;
    from the cache when nothing they are made from changed (`make` makes the
    notebook otherwise)."""
    ipynb, script = state.downloads[stem]
    hit = state.build.cache.get(key)
    if hit is None:
        url = site.page_url(src) if src else site.url
        unstamped = make()
        notebook = provenance.stamp(
            copy.deepcopy(unstamped),
            stem,
            more_url=site.page_url("devices.md") + "#when-your-digits-differ",
        )
        script_text = notebooks.script(title, url, notebook)
        # The notebook as made, too: the whole tutorial is made from the parts'.
        hit = [notebooks.dumps(notebook), script_text, unstamped]
        state.build.cache.put(key, hit)
    ipynb.content_string, script.content_string = hit[0], hit[1]


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    if state.proofer is not None:
        state.proofer.on_post_page(output, page, config)
    return output


def on_post_build(config: MkDocsConfig) -> None:
    build = state.build
    proofer = state.proofer
    if proofer is not None:
        proofer.on_post_build(config)
        log.info(
            f"Links checked on every page: {proofer.parsed} pages parsed, "
            f"{proofer.reused} from the cache"
        )
    pruned = build.cache.prune()
    switch = "on" if build.cache.enabled else "off (DOCS_CACHE=0)"
    log.info(
        f"Executed code blocks: {build.executed} run, {build.cached} from the "
        f"cache; 0 kernels; their code ran for {build.seconds:.1f} s; pages "
        f"rendered: {state.pages.rendered}, "
        f"{state.pages.reused} from the cache; cache {switch}, {pruned} stale "
        "entries pruned"
    )

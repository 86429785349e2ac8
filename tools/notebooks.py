"""MkDocs hook: every chapter with executed code as a notebook, a script and buttons.

For each page in docs/ that has an executed Python fence, the build writes

* `notebooks/<chapter>.ipynb`: the chapter's prose (maths as TeX, for Jupyter and
  Colab to render) as Markdown cells and each executed fence as a code cell, in
  page order, with the outputs of running the notebook in a fresh kernel;
* `notebooks/<chapter>.py`: the same code cells as one program;

and puts three buttons under the page's title: Download notebook, Open in Colab
and Download the code. A page, "The whole tutorial as a notebook", is rendered by
mkdocs-jupyter from a notebook made of the maths page and Parts 1 to 4.

The notebooks are generated from the same sources as the pages: the chapter's
Markdown, its `--8<--` includes expanded by pymdownx's own SnippetPreprocessor
(configured from mkdocs.yml), admonitions and tabs flattened, then jupytext.
Each notebook is executed by nbclient in a fresh kernel in an empty temporary
directory, so it cannot lean on the repository or on the build's state. The
kernels run in a background thread while MkDocs renders the pages; executed
notebooks are cached by content hash in `.cache/notebooks/` (`DOCS_CACHE=0`
turns the cache off, and mkdocs-jupyter's too).

Colab opens notebooks from GitHub: the links point at `notebooks/<chapter>.ipynb`
on the branch `mkdocs gh-deploy` publishes the site to (`remote_branch`,
`gh-pages` by default) of the repository in `repo_url`.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import hashlib
import html
import json
import os
import posixpath
import re
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import jupytext
import markdown
import nbformat
import provenance  # issue 12: tools/provenance.py (MkDocs puts tools/ on the path)
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

ROOT = Path(__file__).resolve().parent.parent
KATEX_SCRIPT = ROOT / "tools" / "katex_render.cjs"

NOTEBOOKS = "notebooks"  # where the downloads go in the site
WHOLE = "whole_tutorial"  # notebooks/whole_tutorial.ipynb and .py
WHOLE_PAGE = "whole_tutorial.ipynb"  # the page mkdocs-jupyter renders
WHOLE_PARTS = [
    "problem.md",
    "numpy_by_hand.md",
    "autograd.md",
    "loss_and_optimizer.md",
    "torch_model.md",
]
WHOLE_INTRO = """\
# Gradient descent, from NumPy to PyTorch: the whole tutorial

The problem and its maths, then gradient descent for $y = 2x$ written four times,
each part handing one more piece over to PyTorch:

1. everything by hand, in NumPy: prediction, loss, gradient and update;
2. **autograd** computes the gradient;
3. **`nn.MSELoss`** and **`torch.optim.SGD`** replace the loss and the update;
4. **`nn.Linear`** replaces the model.

Every cell is a complete program: run them top to bottom, in any fresh Python
kernel with NumPy and PyTorch (Colab has both). Each part is also a page of
[the site]({site_url}), with its own notebook."""

ABOUT = "This notebook is generated from the page"
# A program that runs other snippets from the repository's files (the side by
# side comparison) cannot run in a notebook: such fences are left out, saying why.
REPOSITORY_FILE_RE = re.compile(r"""["'](snippets/[\w./-]+\.py)["']""")
NOT_IN_NOTEBOOKS = "it runs other programs from the repository's files"

FENCE_RE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+-]*)(?P<info>[^\n]*)\n"
    r"(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
EXEC_FENCE_RE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?:python|py)\b(?P<info>[^\n]*)\n"
    r'(?:(?P=indent)--8<--\s+"(?P<path>[^"]+)")?',
    re.MULTILINE,
)
ID_RE = re.compile(r'\bid="([^"]+)"')
EXEC_RE = re.compile(r'\bexec="(?:on|true|yes|1)"')
CONTAINER_RE = re.compile(
    r"^(?P<indent> *)(?P<kind>!!!|\?\?\?\+?|===\+?)[ \t]+(?P<rest>.*)$"
)
TITLE_RE = re.compile(r'"(?P<title>[^"]*)"')
LINK_RE = re.compile(r"\]\((?P<target>[^)\s]+)\)")
SECTION_RE = re.compile(r"^(?P<hashes>#{1,5}) (?P<title>.+)$", re.MULTILINE)
ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")
CELL_LINE_RE = re.compile(r"Cell In\[\d+\], line (\d+)")
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


@dataclass
class Chapter:
    src_uri: str  # numpy_by_hand.md
    title: str
    page_url: str  # absolute URL of the page
    notebook: Any  # unexecuted nbformat notebook
    fences: dict[str, tuple[int, str]]  # block id -> (line in docs/x.md, snippet)
    executed: Any = None

    @property
    def stem(self) -> str:
        return posixpath.splitext(self.src_uri)[0].replace("/", "_")


@dataclass
class _State:
    chapters: dict[str, Chapter] = field(default_factory=dict)
    downloads: dict[str, File] = field(default_factory=dict)
    thread: threading.Thread | None = None
    errors: list[str] = field(default_factory=list)
    cache_used: set[Path] = field(default_factory=set)
    whole_page: File | None = None


_state = _State()


# --- settings ------------------------------------------------------------------


def _cache_enabled() -> bool:
    return os.environ.get("DOCS_CACHE", "1").strip().lower() not in ("0", "false", "no")


def _project_dir(config: Any) -> Path:
    return Path(config.config_file_path or ".").resolve().parent


def _docs_name(config: Any, src_uri: str) -> str:
    """docs/x.md, as the build's other messages name it."""
    return Path(os.path.relpath(config["docs_dir"]), src_uri).as_posix()


def colab_url(config: Any, path: str) -> str:
    """The URL that opens `path` (in the built site) in Colab, from GitHub."""
    repo = urlsplit(config["repo_url"] or "").path.strip("/").removesuffix(".git")
    branch = config.get("remote_branch") or "gh-pages"
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/{path}"


def _page_url(config: Any, src_uri: str) -> str:
    path = posixpath.splitext(src_uri)[0]
    if posixpath.basename(path) == "index":
        path = posixpath.dirname(path)
    url = (path + "/") if path and config["use_directory_urls"] else path + ".html"
    if not path:
        url = ""
    return urljoin(config["site_url"] or "", url)


# --- Markdown -> notebook ----------------------------------------------------------


def _snippet_preprocessor(config: Any) -> Any:
    """pymdownx's own SnippetPreprocessor, configured as the build configures it."""
    options = dict(config["mdx_configs"].get("pymdownx.snippets", {}))
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": options},
    )
    return md.preprocessors["snippet"]


def flatten_containers(src: str) -> str:
    """Admonitions and content tabs become a bold title and their content,
    dedented, so that the fences inside them are ordinary top-level fences."""
    out, stack = [], []  # stack: indentation of each open container
    for line in src.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        if line.strip():
            while stack and indent < stack[-1] + 4:
                stack.pop()
        shift = 4 * len(stack)
        opener = CONTAINER_RE.match(line)
        if opener:
            title = TITLE_RE.search(opener["rest"])
            if title is None:  # `!!! note` without a title: the type is the title
                words = opener["rest"].split()
                title_text = words[0].capitalize() if words else ""
            else:
                title_text = title["title"]
            out += [f"**{title_text}**", ""] if title_text else []
            stack.append(len(opener["indent"]))
            continue
        out.append(line[shift:] if line.strip() else "")
    return "\n".join(out)


def _absolute_links(text: str, config: Any, src_uri: str) -> str:
    """Links between pages become links to the published site."""
    page_url = _page_url(config, src_uri)

    def replace(match: re.Match) -> str:
        target = match["target"]
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            return match.group(0)
        if target.startswith("#"):
            return f"]({page_url}{target})"
        path, _, anchor = target.partition("#")
        path = posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), path))
        url = _page_url(config, path) if path.endswith(".md") else path
        url = urljoin(config["site_url"] or "", url)
        return f"]({url}{'#' + anchor if anchor else ''})"

    return LINK_RE.sub(replace, text)


def chapter_notebook(config: Any, src_uri: str, source: str) -> Chapter | None:
    """The notebook of one chapter, or None if it executes no code."""
    docs_name = _docs_name(config, src_uri)
    body, meta = get_data(source)
    offset = source[: len(source) - len(body)].count("\n")  # front matter lines
    fences: dict[str, tuple[int, str]] = {}  # at any indentation (tabs, notes)
    shows: dict[str, str] = {}  # block id -> how the page shows its output
    for match in EXEC_FENCE_RE.finditer(body):
        if EXEC_RE.search(match["info"]):
            block_id = ID_RE.search(match["info"])
            name = block_id.group(1) if block_id else f"block-{len(fences) + 1}"
            line = offset + body.count("\n", 0, match.start()) + 1
            fences[name] = (line, match["path"] or docs_name)
            shows[name] = _shows(match["info"])
    if not fences:
        return None
    try:
        expanded = "\n".join(_snippet_preprocessor(config).run(body.split("\n")))
    except Exception as error:  # SnippetMissingError and friends
        raise PluginError(
            f"{docs_name}: could not expand its includes for the notebook: {error}"
        ) from error
    flat = flatten_containers(expanded)

    title = meta.get("title") or ""
    heading = re.search(r"^# (.+)$", flat, re.MULTILINE)
    if heading:
        title = title or heading.group(1).strip()
    page_url = _page_url(config, src_uri)

    order: list[str] = []
    pieces, last = [], 0

    def prose(text: str) -> str:  # links are rewritten in prose, never in code
        return _absolute_links(text, config, src_uri)

    for match in FENCE_RE.finditer(flat):
        pieces.append(prose(flat[last : match.start()]))
        last = match.end()
        executed = match["lang"] in ("python", "py") and EXEC_RE.search(match["info"])
        if not executed:  # shown, not run: keep it as Markdown
            pieces.append(f"<!-- #region -->\n{match.group(0)}\n<!-- #endregion -->")
            continue
        block_id = ID_RE.search(match["info"])
        name = block_id.group(1) if block_id else f"block-{len(order) + 1}"
        if REPOSITORY_FILE_RE.search(match["body"]):
            path = fences[name][1]
            pieces.append(
                f"*Not in this notebook: `{path}`, because "
                f"{NOT_IN_NOTEBOOKS}. Its output is on "
                f"[the page]({page_url}); in a clone of the repository, "
                f"`python {path}` runs it.*"
            )
            continue
        order.append(name)
        pieces.append(f"```python\n{match['body'].rstrip()}\n```")
    pieces.append(prose(flat[last:]))
    text = "".join(pieces)
    about = (
        f"<!-- #region -->\n*{ABOUT} [{title}]({page_url}) of "
        f"[{config['site_name']}]({config['site_url']}). Every code cell is a "
        "complete program: run them top to bottom in a fresh kernel with NumPy "
        "and PyTorch (Colab has both).*\n<!-- #endregion -->"
    )
    heading = re.search(r"^# .+$", text, re.MULTILINE)
    at = heading.end() if heading else 0
    text = f"{text[:at]}\n\n{about}\n\n{text[at:].lstrip()}"

    notebook = jupytext.reads(text, fmt="md")
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    if len(code_cells) != len(order):
        raise PluginError(
            f"{docs_name}: {len(order)} executed fences became "
            f"{len(code_cells)} notebook code cells"
        )
    stem = posixpath.splitext(src_uri)[0].replace("/", "_")
    for name, cell in zip(order, code_cells, strict=True):
        cell.id = name
        cell.metadata = {"block_id": name, "snippet": fences[name][1]}
        if shows[name] != "text":
            cell.metadata["page_output"] = shows[name]
    markdown_number = 0
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.source.startswith(f"*{ABOUT}"):
            cell.id, cell.metadata = f"{stem}-about", {}
        elif cell.cell_type == "markdown":
            markdown_number += 1
            cell.id = f"{stem}-md-{markdown_number}"
            cell.metadata = {}
    # issue 12: a cell that prints the kernel's versions, under the note above
    provenance.insert_versions_cell(notebook, stem, after_id=f"{stem}-about")
    notebook.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    nbformat.validate(notebook)
    return Chapter(src_uri, title, page_url, notebook, fences)


def whole_tutorial(config: Any, chapters: list[Chapter], executed: bool) -> Any:
    """The maths page and Parts 1 to 4 as one notebook, one h1 at the top."""
    intro = WHOLE_INTRO.format(site_url=config["site_url"])
    cells = [nbformat.v4.new_markdown_cell(intro, id=f"{WHOLE}-intro")]
    # issue 12: the versions cell once, after the introduction, not once per part
    first = chapters[0].executed if executed else chapters[0].notebook
    cells += [copy.deepcopy(c) for c in first.cells if provenance.is_versions_cell(c)]
    seen: set[str] = set()  # section titles: "Exercises" comes once per chapter

    def unique(match: re.Match, chapter: Chapter) -> str:
        title = match["title"].strip()
        if match["hashes"] != "#" and title in seen:
            title = f"{title} ({chapter.title.split(':')[0]})"
        seen.add(title)
        return f"#{match['hashes']} {title}"

    for chapter in chapters:
        notebook = chapter.executed if executed else chapter.notebook
        for cell in notebook.cells:
            if cell.id.endswith("-about") or provenance.is_provenance(cell):
                continue
            cell = copy.deepcopy(cell)
            if cell.cell_type == "markdown":  # one level down: # -> ##
                cell.source = SECTION_RE.sub(
                    functools.partial(unique, chapter=chapter), cell.source
                )
            if not executed and cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            cells.append(cell)

    count = 0
    for cell in cells:
        if cell.cell_type == "code" and cell.execution_count is not None:
            count += 1
            cell.execution_count = count
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    nbformat.validate(notebook)
    return notebook


def script(title: str, url: str, notebook: Any) -> str:
    """The notebook's code cells as one program, each headed by its snippet."""
    lines = [
        f"# {title}",
        f"# The code of {url}",
        "# generated from the page's sources. Each section is a complete program:",
        "# `python` runs them in order. Needs NumPy and PyTorch.",
    ]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            snippet = cell.metadata.get("snippet", "")
            lines += ["", "", f"# %% {snippet}", cell.source.rstrip()]
    return "\n".join(lines) + "\n"


def _dumps(notebook: Any) -> str:
    return nbformat.writes(notebook) + "\n"


# --- execution ---------------------------------------------------------------------


def _shows(info: str) -> str:
    """How markdown-exec shows a fence's printed output: text, HTML or Markdown."""
    if re.search(r'\bhtml="(?:1|true|yes|on)"', info):
        return "html"
    return "text" if re.search(r'\bresult="', info) else "markdown"


def as_the_page_shows(notebook: Any) -> Any:
    """Printed HTML (an SVG figure) or Markdown (a table) is displayed as such in
    the published notebook, as on the page; printed text stays a stream."""
    for cell in notebook.cells:
        kind = cell.get("metadata", {}).get("page_output")
        if cell.cell_type != "code" or kind not in ("html", "markdown"):
            continue
        outputs = []
        for output in cell.outputs:
            if output.get("output_type") == "stream" and output["name"] == "stdout":
                text = output["text"]
                data = {"text/html": text, "text/plain": "<the figure above>"}
                if kind == "markdown":
                    data = {"text/markdown": text, "text/plain": text}
                output = nbformat.v4.new_output("display_data", data=data)
            outputs.append(output)
        cell.outputs = outputs
    return notebook


def _cache_key(notebook: Any) -> str:
    hasher = hashlib.sha256(_dumps(notebook).encode())
    hasher.update(Path(__file__).read_bytes())  # this hook post-processes outputs
    versions = [sys.version]
    for package in ("numpy", "torch", "matplotlib", "ipykernel", "nbclient"):
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package}=none")
    hasher.update("\n".join(versions).encode())
    return hasher.hexdigest()


def _describe_failure(config: Any, chapter: Chapter, notebook: Any, error: Exception):
    docs_name = _docs_name(config, chapter.src_uri)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            name = cell.metadata.get("block_id", "?")
            line, snippet = chapter.fences.get(name, (0, "?"))
            trace = ANSI_RE.sub("", "\n".join(output.get("traceback", [])))
            lines = CELL_LINE_RE.findall(trace)
            where = f", line {lines[-1]}" if lines else ""
            return (
                f"{docs_name}:{line}: the notebook's cell for code block '{name}' "
                f"raised in a fresh kernel ({snippet}{where}): "
                f"{output['ename']}: {output['evalue']}"
            )
    return f"{docs_name}: its notebook could not be executed: {error}"


async def _execute(config: Any, chapter: Chapter, cache_dir: Path | None) -> None:
    from nbclient import NotebookClient

    cache_file = None
    if cache_dir is not None:
        cache_file = cache_dir / f"{_cache_key(chapter.notebook)}.ipynb"
        _state.cache_used.add(cache_file)
        if cache_file.exists():
            chapter.executed = nbformat.reads(
                cache_file.read_text(encoding="utf-8"), as_version=4
            )
            return
    notebook = copy.deepcopy(chapter.notebook)
    with tempfile.TemporaryDirectory(prefix="notebook-") as scratch:
        empty = Path(scratch, "cwd")  # the kernel's working directory
        empty.mkdir()
        client = NotebookClient(
            notebook,
            timeout=600,
            kernel_name="python3",
            allow_errors=False,
            record_timing=False,
            coalesce_streams=True,  # chunk boundaries depend on timing
            resources={"metadata": {"path": str(empty)}},
        )
        # The kernel's own log (ipykernel warns about TCP on every start) is kept
        # out of the build's output, and shown only if the notebook fails.
        with open(Path(scratch, "kernel.log"), "w+", encoding="utf-8") as log:
            try:
                await client.async_execute(stderr=log, stdout=log)
            except Exception as error:
                message = _describe_failure(config, chapter, notebook, error)
                if not any(
                    o.get("output_type") == "error"
                    for c in notebook.cells
                    for o in c.get("outputs", [])
                ):
                    log.seek(0)
                    message += f"\nthe kernel's log:\n{log.read()}"
                _state.errors.append(message)
                return
    chapter.executed = as_the_page_shows(notebook)
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(_dumps(notebook), encoding="utf-8")


def _execute_all(config: Any, chapters: list[Chapter], cache_dir: Path | None):
    async def run_all() -> None:
        await asyncio.gather(*(_execute(config, c, cache_dir) for c in chapters))

    try:
        asyncio.run(run_all())
    except Exception as error:  # a kernel that would not start, for example
        _state.errors.append(f"the chapter notebooks could not be executed: {error}")


def _wait_for_notebooks() -> None:
    """Join the kernels' thread; fail the build if a notebook failed."""
    if _state.thread is not None:
        _state.thread.join()
        _state.thread = None
    if _state.errors:
        errors, _state.errors = _state.errors, []
        raise PluginError("\n".join(["a chapter's notebook failed:", *errors]))


# --- hook events ---------------------------------------------------------------------


def _coalesce_mkdocs_jupyter_streams() -> None:
    """A cell's printed output reaches the kernel client in chunks whose
    boundaries depend on timing; merged into one stream per name, an executed
    notebook is the same on every build. Our own NotebookClient asks for that.
    mkdocs-jupyter executes with nbconvert's ExecutePreprocessor, whose
    `coalesce_streams` is not a configurable trait: it is set on the instance
    when it runs."""
    from nbconvert.preprocessors import ExecutePreprocessor

    original = ExecutePreprocessor.preprocess
    if getattr(original, "coalesces", False):
        return

    def preprocess(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.coalesce_streams = True
        return original(self, *args, **kwargs)

    preprocess.coalesces = True  # type: ignore[attr-defined]
    ExecutePreprocessor.preprocess = preprocess


def on_config(config: Any) -> Any:
    _coalesce_mkdocs_jupyter_streams()
    if not _cache_enabled():
        jupyter = config.plugins.get("mkdocs-jupyter")
        if jupyter is not None:
            jupyter.config["cache"] = False
    return config


@event_priority(50)  # before mkdocs-jupyter's on_files, which wraps the page
def on_files(files: Files, config: Any) -> Files:
    _wait_for_notebooks()  # a previous build of `mkdocs serve`
    _state.chapters.clear()
    _state.downloads.clear()
    _state.cache_used.clear()
    for file in files.documentation_pages():
        if not file.src_uri.endswith(".md"):
            continue
        chapter = chapter_notebook(config, file.src_uri, file.content_string)
        if chapter is not None:
            _state.chapters[file.src_uri] = chapter

    project = _project_dir(config)
    stems = [c.stem for c in _state.chapters.values()]
    parts = [_state.chapters[p] for p in WHOLE_PARTS if p in _state.chapters]
    if parts:
        stems.append(WHOLE)
        page_source = project / ".cache" / "notebooks" / "page" / WHOLE_PAGE
        page_source.parent.mkdir(parents=True, exist_ok=True)
        text = _dumps(whole_tutorial(config, parts, executed=False))
        if not page_source.exists() or page_source.read_text("utf-8") != text:
            page_source.write_text(text, encoding="utf-8")
        # A plain File (mkdocs-jupyter's wrapper cannot read a File.generated).
        _state.whole_page = File(
            WHOLE_PAGE,
            src_dir=str(page_source.parent),
            dest_dir=config["site_dir"],
            use_directory_urls=config["use_directory_urls"],
        )
        files.append(_state.whole_page)
    else:
        _state.whole_page = None
    for stem in stems:
        for suffix in (".ipynb", ".py"):
            uri = f"{NOTEBOOKS}/{stem}{suffix}"
            # Written when the kernels are done (on_env), before files are copied.
            download = File.generated(config, uri, content="")
            _state.downloads[uri] = download
            files.append(download)

    cache_dir = project / ".cache" / "notebooks" if _cache_enabled() else None
    chapters = list(_state.chapters.values())
    _state.thread = threading.Thread(
        target=_execute_all, args=(config, chapters, cache_dir), daemon=True
    )
    _state.thread.start()
    return files


def _buttons_markdown(page: Any, config: Any, stem: str) -> str:
    base = posixpath.dirname(page.file.src_uri)

    def rel(path: str) -> str:
        return posixpath.relpath(path, base or ".")

    notebook, code = f"{NOTEBOOKS}/{stem}.ipynb", f"{NOTEBOOKS}/{stem}.py"
    colab = colab_url(config, notebook)
    return (
        f"[Download notebook]({rel(notebook)}){{ .md-button .md-button--primary "
        f'download="{stem}.ipynb" title="This page as a Jupyter notebook" }} '
        f"[Open in Colab]({colab}){{ .md-button title=\"Run this page's notebook "
        f'in Google Colab" }} '
        f'[Download the code]({rel(code)}){{ .md-button download="{stem}.py" '
        f'title="This page\'s programs as one Python file" }}'
    )


def on_page_markdown(markdown_text: str, page: Any, config: Any, **kwargs: Any):
    chapter = _state.chapters.get(page.file.src_uri)
    if chapter is None:
        if _state.whole_page is not None and page.file.src_uri == WHOLE_PAGE:
            _wait_for_notebooks()  # a failing chapter fails here, not in a kernel
        return markdown_text
    buttons = _buttons_markdown(page, config, chapter.stem)
    heading = re.search(r"^# .+$", markdown_text, re.MULTILINE)
    if heading is None:
        return f"{buttons}\n\n{markdown_text}"
    end = heading.end()
    return f"{markdown_text[:end]}\n\n{buttons}\n{markdown_text[end:]}"


# --- the whole-tutorial page: no CDN scripts, maths by KaTeX ---------------------

SCRIPT_RE = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)
PROTECTED_RE = re.compile(r"<pre\b.*?</pre>|<code\b.*?</code>", re.DOTALL)
MARKDOWN_CELL_RE = re.compile(
    r'<div class="[^"]*\bjp-MarkdownOutput\b[^"]*"[^>]*>(?P<body>.*?)</div>', re.DOTALL
)
DISPLAY_MATH_RE = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
INLINE_MATH_RE = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$", re.DOTALL)


def _remote_script(tag: str) -> bool:
    """Scripts that load from another host, or configure what would (MathJax)."""
    src = re.search(r'\bsrc="([^"]*)"', tag)
    if src and (not src.group(1) or re.match(r"^(https?:)?//", src.group(1))):
        return True  # from another host, or src="" (an unset MathJax/Mermaid URL)
    return "MathJax" in tag or "mermaid" in tag.lower()


def _katex(formulas: list[dict], where: str) -> list[str]:
    try:
        process = subprocess.run(
            ["node", str(KATEX_SCRIPT)],
            input=json.dumps(formulas),
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        message = f"KaTeX could not run (is Node.js installed?): {error}"
        raise PluginError(message) from error
    results = json.loads(process.stdout)
    errors = [
        f"{where}: malformed formula ${f['tex']}$: {r['error']}"
        for f, r in zip(formulas, results, strict=True)
        if "error" in r
    ]
    if errors:
        raise PluginError("\n".join(errors))
    return [r["html"] for r in results]


def render_notebook_maths(content: str, where: str) -> str:
    """KaTeX-render the $...$ and $$...$$ that nbconvert leaves in Markdown cells."""
    cells = list(MARKDOWN_CELL_RE.finditer(content))
    formulas: list[dict] = []
    found: list[list[tuple[int, int, int]]] = []  # per cell: start, end, formula
    for cell in cells:
        spans: list[tuple[int, int, int]] = []
        text = cell["body"]
        protected = [m.span() for m in PROTECTED_RE.finditer(text)]
        for regex, display in ((DISPLAY_MATH_RE, True), (INLINE_MATH_RE, False)):
            for match in regex.finditer(text):
                start, end = match.span()
                if any(s < end and start < e for s, e in protected):
                    continue
                if any(s < end and start < e for s, e, _ in spans):
                    continue
                tex = html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()
                spans.append((start, end, len(formulas)))
                formulas.append({"tex": tex, "display": display})
        found.append(sorted(spans))
    if not formulas:
        return content
    rendered = _katex(formulas, where)
    pieces, last = [], 0
    for cell, spans in zip(cells, found, strict=True):
        text, done = cell["body"], 0
        body = []
        for start, end, number in spans:
            body += [text[done:start], rendered[number]]
            done = end
        body.append(text[done:])
        pieces += [content[last : cell.start("body")], "".join(body)]
        last = cell.end("body")
    return "".join(pieces) + content[last:]


def _buttons_html(page: Any, config: Any) -> str:
    notebook, code = f"{NOTEBOOKS}/{WHOLE}.ipynb", f"{NOTEBOOKS}/{WHOLE}.py"
    return (
        '<p class="notebook-buttons">'
        f'<a href="{get_relative_url(notebook, page.url)}" '
        f'class="md-button md-button--primary" download="{WHOLE}.ipynb" '
        'title="The whole tutorial as a Jupyter notebook">Download notebook</a> '
        f'<a href="{html.escape(colab_url(config, notebook))}" class="md-button" '
        'title="Run the whole tutorial in Google Colab">Open in Colab</a> '
        f'<a href="{get_relative_url(code, page.url)}" class="md-button" '
        f'download="{WHOLE}.py" title="Every program of the tutorial as one '
        'Python file">Download the code</a></p>'
    )


NOTEBOOK_PAGE_STYLE = (  # Material's own table metrics, which JupyterLab's CSS undoes
    "<style>.md-typeset .jupyter-wrapper .md-typeset__scrollwrap{margin:1em -.8rem}"
    ".md-typeset .jupyter-wrapper .jp-RenderedMarkdown :is(th,td)"
    "{box-sizing:border-box}</style>"
)
HEADING_TAG_RE = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)</h\1>', re.DOTALL)
ANCHOR_LINK_RE = re.compile(r'<a class="anchor-link".*?</a>', re.DOTALL)


def _toc_from_headings(content: str) -> Any:
    """The page's table of contents, from its headings as rendered.

    mkdocs-jupyter's own drops inline code from titles ("`nn.Linear` and ...").
    """
    tokens: list[dict] = []
    stack: list[dict] = []
    for match in HEADING_TAG_RE.finditer(content):
        level, inner = int(match[1]), ANCHOR_LINK_RE.sub("", match[3])
        name = html.unescape(re.sub(r"<[^>]+>", "", inner)).strip()
        token = {"level": level, "id": match[2], "children": []}
        token["name"] = html.escape(name, quote=False)
        while stack and stack[-1]["level"] >= level:
            stack.pop()
        (stack[-1]["children"] if stack else tokens).append(token)
        stack.append(token)
    return get_toc(tokens)


def on_page_content(content: str, page: Any, config: Any, **kwargs: Any) -> str:
    if _state.whole_page is None or page.file.src_uri != WHOLE_PAGE:
        return content
    # The chapters it repeats are in the search index already: indexed twice,
    # they would double the index that every page downloads.
    page.meta["search"] = {"exclude": True}
    page.meta["provenance"] = provenance.version_line()  # issue 12
    # Code that scrolls sideways must be reachable by keyboard (as Material
    # makes its own code blocks).
    content = content.replace(
        '<div class="highlight-ipynb hl-python">',
        '<div class="highlight-ipynb hl-python" tabindex="0">',
    )
    content = SCRIPT_RE.sub(
        lambda m: "" if _remote_script(m.group(0)) else m.group(0), content
    )
    content = render_notebook_maths(content, f"{WHOLE_PAGE} (generated)")
    # The notebook links to the published site; on the site, stay on this copy.
    site_url = config["site_url"] or ""
    if site_url:
        content = re.sub(
            rf'href="{re.escape(site_url)}([^"#]*)',
            lambda m: f'href="{get_relative_url(m.group(1) or ".", page.url)}',
            content,
        )
    page.toc = _toc_from_headings(content)
    # Without Material's margin, tables overflow their column (a scroll bar).
    buttons = NOTEBOOK_PAGE_STYLE + _buttons_html(page, config)
    if "</h1>" in content:
        return content.replace("</h1>", f"</h1>\n{buttons}", 1)
    return buttons + content


def on_page_context(context: Any, page: Any, **kwargs: Any) -> Any:
    if _state.whole_page is not None and page.file.src_uri == WHOLE_PAGE:
        page.edit_url = None  # generated: there is no file to edit on GitHub
    return context


def on_env(env: Any, config: Any, files: Files) -> Any:
    """The kernels are done: write the downloads before MkDocs copies files."""
    _wait_for_notebooks()
    chapters = {c.stem: c for c in _state.chapters.values()}
    parts = [_state.chapters[p] for p in WHOLE_PARTS if p in _state.chapters]
    for uri, file in _state.downloads.items():
        stem, suffix = posixpath.splitext(posixpath.basename(uri))
        if stem == WHOLE:
            notebook = whole_tutorial(config, parts, executed=True)
            title, url = "The whole tutorial", config["site_url"]
        else:
            chapter = chapters[stem]
            notebook, title, url = chapter.executed, chapter.title, chapter.page_url
        # issue 12: the version line above the versions cell
        more = _page_url(config, "devices.md")
        notebook = provenance.stamp(copy.deepcopy(notebook), stem, more_url=more)
        text = _dumps(notebook) if suffix == ".ipynb" else script(title, url, notebook)
        file.content_string = text
    return env


def on_post_build(config: Any, **kwargs: Any) -> None:
    """Drop cached notebooks that this build did not use."""
    if not _cache_enabled():
        return
    cache_dir = _project_dir(config) / ".cache" / "notebooks"
    for cached in cache_dir.glob("*.ipynb"):
        if cached not in _state.cache_used:
            cached.unlink()


def on_build_error(error: Exception, **kwargs: Any) -> None:
    """Let the kernels finish (and shut down) before the build exits."""
    if _state.thread is not None:
        _state.thread.join()
        _state.thread = None
    _state.errors.clear()

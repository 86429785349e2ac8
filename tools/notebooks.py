"""The notebook writer: a chapter and its executed outputs as a notebook and a script.

Made from the chapter model (tools/chapter.py) and the outputs the build's
own run of each block printed (tools/execution.py): nothing is executed here.

* `chapter_notebook`: the chapter's prose (maths as TeX, for Jupyter and Colab
  to render; links made absolute) as Markdown cells, each executed block as a
  code cell with what it printed, shown as the page shows it (text, or HTML
  such as a figure, or Markdown such as a table). A block that declares
  `runs="..."` is preceded by a plain cell that writes those files at the same
  relative paths, so that it runs as-is in Colab or from the download.
* `script`: the notebook's code cells as one program; where it draws
  figures, `plt.show()` saves each one next to the script when matplotlib
  cannot open a window (no display), and says where.
* `collection` and `contents`: a page whose front matter names other pages
  (`notebook: {parts: [...]}`, docs/whole_tutorial.md) gets one notebook of
  its own prose and their cells, and a list of what it holds.
"""

from __future__ import annotations

import copy
import functools
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import provenance
from .chapter import Block, Chapter, Prose

NOTEBOOKS = "notebooks"  # where the downloads go in the site
ABOUT = "This notebook is generated from the page"
KERNEL = (("name", "python3"), ("display_name", "Python 3"), ("language", "python"))
LINK_RE = re.compile(r"\]\((?P<target>[^)\s]+)\)")  # a Markdown link's target
SECTION_RE = re.compile(r"^(?P<hashes>#{1,5}) (?P<title>.+)$", re.MULTILINE)


@dataclass
class Site:
    """What the writer needs to know about the site."""

    name: str
    url: str  # site_url
    page_url: Callable[[str], str]  # a page's src_uri -> its absolute URL


def colab_url(repo_url: str, branch: str | None, path: str) -> str:
    """The URL that opens `path` (in the built site) in Colab, from GitHub."""
    repo = urlsplit(repo_url or "").path.strip("/").removesuffix(".git")
    branch = branch or "gh-pages"  # where `mkdocs gh-deploy` publishes the site
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/{path}"


def absolute_links(text: str, src_uri: str, site: Site) -> str:
    """Links between pages become links to the published site."""
    here = site.page_url(src_uri)

    def replace(match: re.Match) -> str:
        target = match["target"]
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            return match.group(0)
        if target.startswith("#"):
            return f"]({here}{target})"
        path, _, anchor = target.partition("#")
        url = site.page_url(
            posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), path))
        )
        return f"]({url}{'#' + anchor if anchor else ''})"

    return LINK_RE.sub(replace, text)


def _writer_source(block: Block, project: Path) -> str:
    """A cell that writes the files a block runs, at their relative paths."""
    lines = [
        "# The next cell runs these files of the tutorial's repository:",
        "# this cell writes them here first.",
        "from pathlib import Path",
        "",
        "files = {",
    ]
    for path in block.runs:
        text = (project / path).read_text(encoding="utf-8")
        literal = repr(text)
        if "'''" not in text and "\\" not in text:
            literal = "'''\\\n" + text + "'''"
        lines.append(f"    {path!r}: {literal},")
    lines += [
        "}",
        "for path, text in files.items():",
        "    Path(path).parent.mkdir(parents=True, exist_ok=True)",
        '    Path(path).write_text(text, encoding="utf-8")',
    ]
    return "\n".join(lines)


def _cell(kind: str, source: str, **fields: Any) -> Any:
    """A cell as nbformat.v4's new_markdown_cell / new_code_cell make it, but
    not validated as it is made: `_notebook` validates each notebook once,
    whole (validating every cell as it is made, and then again with its
    notebook, cost every build time for nothing). nbformat is imported where
    it is used: a build whose notebooks come from the cache never needs it."""
    import nbformat

    cell = nbformat.NotebookNode(
        id="", cell_type=kind, metadata=nbformat.NotebookNode(), source=source
    )
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    cell.update(fields)
    return cell


def _output(kind: str, **fields: Any) -> Any:
    """An output as nbformat.v4.new_output makes it, validated with its notebook."""
    import nbformat

    output = nbformat.NotebookNode(output_type=kind, **fields)
    if kind == "display_data":
        output.metadata = nbformat.NotebookNode()
        output.data = nbformat.NotebookNode(output.data)
    return output


def _outputs(block: Block, printed: str) -> list[Any]:
    """What the block printed, displayed as the page shows it."""
    if not printed:
        return []
    if block.output_as == "html":
        data = {"text/html": printed, "text/plain": "<the figure above>"}
    elif block.output_as == "markdown":
        data = {"text/markdown": printed, "text/plain": printed}
    else:
        return [_output("stream", name="stdout", text=printed)]
    return [_output("display_data", data=data)]


def chapter_notebook(
    chapter: Chapter, outputs: dict[str, str], site: Site, project: Path
) -> Any:
    """The chapter as a notebook, with the outputs the build printed."""
    cells: list[Any] = []
    prose: list[str] = []

    def end_prose() -> None:
        text = "\n".join(prose).strip()
        prose.clear()
        if text:
            text = absolute_links(text, chapter.src_uri, site)
            cells.append(_cell("markdown", text))

    for part in chapter.parts:
        if isinstance(part, Prose):
            prose.append(part.text)
        elif not (part.executed and part.python):  # shown, not run: Markdown
            shown = part.code.strip("\n")  # its includes expanded, as the page
            fence = "`" * max(3, max(map(len, re.findall("`+", shown)), default=0) + 1)
            prose.append(f"{fence}{part.language}\n{shown}\n{fence}")
        else:
            end_prose()
            if part.runs:
                cell = _cell("code", _writer_source(part, project))
                cell.id, cell.metadata = f"{part.id}-files", {"writes": list(part.runs)}
                cells.append(cell)
            cell = _cell("code", part.code.strip("\n"))
            cell.id = part.id
            cell.metadata = {"block_id": part.id, "snippet": part.snippet}
            if part.output_as != "text":
                cell.metadata["page_output"] = part.output_as
            if part.runs:
                cell.metadata["runs"] = list(part.runs)
            cell.outputs = _outputs(part, outputs.get(part.id, ""))
            cells.append(cell)
    end_prose()

    about = _cell(
        "markdown",
        f"*{ABOUT} [{chapter.title}]({site.page_url(chapter.src_uri)}) of "
        f"[{site.name}]({site.url}). Every code cell is a complete program: run "
        "them top to bottom in a fresh kernel with NumPy and PyTorch (Colab has "
        "both).*",
        id=f"{chapter.stem}-about",
    )
    first = cells[0] if cells else None
    if (
        first is not None
        and first.cell_type == "markdown"
        and first.source.startswith("# ")
    ):
        title, _, rest = first.source.partition("\n")
        first.source = title
        cells[1:1] = [about] + (
            [_cell("markdown", rest.strip())] if rest.strip() else []
        )
    else:
        cells.insert(0, about)
    number = 0
    for cell in cells:
        if cell.cell_type == "markdown" and cell.id != f"{chapter.stem}-about":
            number += 1
            cell.id = f"{chapter.stem}-md-{number}"
    at = next(i for i, c in enumerate(cells) if c.id == f"{chapter.stem}-about")
    cells.insert(at + 1, provenance.versions_cell(chapter.stem))
    return _notebook(cells)


def _notebook(cells: list[Any]) -> Any:
    import nbformat

    count = 0
    for cell in cells:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": dict(KERNEL),
        "language_info": {"name": "python"},
    }
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    nbformat.validate(notebook)
    return notebook


def collection(page: Any, parts: list[tuple[Chapter, Any]], title: str) -> Any:
    """One notebook: the page's own notebook (its prose, under `title`; made
    with `contents` at its end) and then every cell of its parts' notebooks
    but their notes about themselves and their version cells, each part's
    headings one level down."""
    cells = copy.deepcopy(page.cells)
    first = cells[0]
    if first.cell_type == "markdown" and first.source.startswith("# "):
        _, newline, rest = first.source.partition("\n")
        first.source = f"# {title}{newline}{rest}"
    seen: set[str] = set()  # section titles: "Exercises" comes once per chapter

    def unique(match: re.Match, chapter: Chapter) -> str:
        title = match["title"].strip()
        if match["hashes"] != "#" and title in seen:
            title = f"{title} ({chapter.title.split(':')[0]})"
        seen.add(title)
        return f"#{match['hashes']} {title}"

    for chapter, notebook in parts:
        for cell in notebook.cells:
            if cell.id.endswith("-about") or provenance.is_provenance(cell):
                continue
            cell = copy.deepcopy(cell)
            if cell.cell_type == "markdown":  # one level down: # -> ##
                cell.source = SECTION_RE.sub(
                    functools.partial(unique, chapter=chapter), cell.source
                )
            cells.append(cell)
    return _notebook(cells)


def code_cells(chapter: Chapter) -> int:
    """How many code cells `chapter_notebook` makes of a chapter's blocks (the
    versions cell apart): one a block, and one more before a block that
    declares runs= (it writes those files)."""
    return sum(1 + bool(block.runs) for block in chapter.blocks)


def contents(parts: list[Chapter], here: str) -> str:
    """What a collection holds, as a Markdown list: each part, linked (from the
    page `here`), with its number of code cells."""
    lines = []
    for number, chapter in enumerate(parts, start=1):
        code = code_cells(chapter)
        link = posixpath.relpath(chapter.src_uri, posixpath.dirname(here) or ".")
        lines.append(
            f"{number}. [{chapter.title}]({link}): {code} code "
            f"cell{'s' if code != 1 else ''}"
        )
    return "\n".join(lines)


# What a script that draws figures does with them (see `script`; STEM is the
# script's name). The backends named are matplotlib's non-interactive ones,
# which cannot open a window.
FIGURES_SECTION = """\
# %% Figures: plt.show() opens a window where matplotlib can. Where it cannot
# (no display), each figure is saved next to this file instead, and a line says
# where.
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

show_in_a_window = plt.show
saved_figures = []


def show_or_save(*args, **kwargs):
    backend = matplotlib.get_backend().lower()
    if backend not in ("agg", "cairo", "pdf", "pgf", "ps", "svg", "template"):
        return show_in_a_window(*args, **kwargs)
    for number in plt.get_fignums():
        name = f"STEM-figure-{len(saved_figures) + 1}.svg"
        path = Path(__file__).resolve().with_name(name)
        plt.figure(number).savefig(path)
        saved_figures.append(path)
        print(f"Figure {len(saved_figures)} saved to {path}")
    plt.close("all")


plt.show = show_or_save"""


def _section(cell: Any) -> str:
    """What a code cell is, as the script's section heading names it."""
    if cell.metadata.get("snippet"):
        return cell.metadata["snippet"]
    if cell.metadata.get("writes"):
        return "writes the files the next section runs"
    if provenance.is_versions_cell(cell):
        return "the versions this runs with"
    return "code"


def script(title: str, url: str, notebook: Any, stem: str) -> str:
    """The notebook's code cells as one program, each section headed by what
    it is (its snippet's path, for a block). A notebook that draws figures
    gets FIGURES_SECTION first, naming the figures after `stem`."""
    lines = [
        f"# {title}",
        f"# The code of {url}",
        "# generated from the page's sources. Each section is a complete program:",
        "# `python` runs them in order. Needs NumPy and PyTorch.",
    ]
    if any(c.metadata.get("page_output") == "html" for c in notebook.cells):
        lines += ["", "", FIGURES_SECTION.replace("STEM", stem)]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            lines += ["", "", f"# %% {_section(cell)}", cell.source.rstrip()]
    return "\n".join(lines) + "\n"


def from_dict(data: dict[str, Any]) -> Any:
    """A notebook as `_notebook` made it, from its JSON data (the cache's)."""
    import nbformat

    return nbformat.from_dict(data)


def dumps(notebook: Any) -> str:
    import nbformat

    return nbformat.writes(notebook) + "\n"


def buttons(notebook: str, code: str, colab: str, what: str, stem: str) -> str:
    """The three buttons, as Markdown (attr_list) links to `notebook` and
    `code` (paths relative to the page's file) and to Colab."""
    title = what[0].upper() + what[1:]
    return (
        f"[Download notebook]({notebook}){{ .md-button .md-button--primary "
        f'download="{stem}.ipynb" title="{title} as a Jupyter notebook" }} '
        f'[Open in Colab]({colab}){{ .md-button title="Run {what} in Google '
        'Colab" } '
        f'[Download the code]({code}){{ .md-button download="{stem}.py" '
        f'title="{title}: every program as one Python file" }}'
    )

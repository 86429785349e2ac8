"""Every snippet is a program: it runs on its own and prints what its page shows
(text exactly; a table's every word, in order), and a figure snippet, run on
its own as the build runs a block, draws the figure its page shows, byte for
byte.

A snippet that an executed block runs whole (its code is the file's) ran on
its own in the build, from an empty folder as a reader runs it (or from the
project's root if it runs files of the project: tools/execution.py), and is
not run again here: its output is the build's (results.json). The notebooks'
fresh kernels and the downloads (test_notebooks.py) run the same code once
more, with Python's own `print`, and compare what it printed with the page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

from snippet import (
    CHAPTERS,
    ROOT,
    SNIPPETS,
    TAG_RE,
    block_result,
    built_page,
    page_code_blocks,
    shows_figure,
)
from tools.chapter import Block

BLOCKS = [(c, b) for c in CHAPTERS for b in c.blocks]
# A program that runs other files of the repository runs from its root.
FROM_ROOT = {b.snippet for _, b in BLOCKS if b.runs}
# snippet path -> a (chapter, block) whose code is the whole file.
RUN_WHOLE = {
    b.snippet: (c, b)
    for c, b in BLOCKS
    if b.snippet
    and b.code.strip() == (ROOT / b.snippet).read_text(encoding="utf-8").strip()
}


def shown_as(output_as: str) -> dict[str, str]:
    """snippet path -> the first page that shows what it prints as `output_as`
    (text, html or markdown: Block.output_as)."""
    pages: dict[str, str] = {}
    for chapter, block in BLOCKS:
        if block.output_as == output_as and block.snippet:
            pages.setdefault(block.snippet, chapter.src_uri)
    return pages


def words(text: str) -> str:
    return " ".join(text.split())


def test_there_are_snippets():
    assert len(SNIPPETS) >= 10, SNIPPETS


def test_every_snippet_is_on_a_page():
    """Included in a fence (run, or shown as a program the page launches), or
    declared as a file an executed block runs."""
    fences = [p for c in CHAPTERS for p in c.parts if isinstance(p, Block)]
    included = {s for b in fences for s in b.snippets}
    included |= {s for _, b in BLOCKS for s in b.runs}
    assert set(SNIPPETS) <= included, set(SNIPPETS) - included


# The program that starts torchrun (three more Pythons, each importing torch)
# runs alone in the distributed notebook's fresh kernel, in an empty directory
# after the notebook writes the file it runs, and prints what its page shows:
# test_notebooks.py checks that run; the test below checks it covers this one.
LAUNCHER = "snippets/distributed/launch.py"


def test_the_launcher_runs_alone_in_a_fresh_kernel(site_dir: Path, fresh_runs):
    (chapter, block), *_ = [(c, b) for c, b in BLOCKS if b.snippet == LAUNCHER]
    stem = Path(chapter.src_uri).stem
    assert "error" not in fresh_runs[stem], fresh_runs[stem].get("error")
    notebook = nbformat.reads(fresh_runs[stem]["notebook"], as_version=4)
    cells = [c for c in notebook.cells if c.metadata.get("block_id") == block.id]
    assert len(cells) == 1 and cells[0].source.strip() == block.code.strip()
    printed = "".join(o.get("text", "") for o in cells[0].outputs).strip()
    assert printed and printed in page_code_blocks(site_dir, chapter.src_uri)


def test_most_snippets_ran_whole_in_the_build():
    """What the test below reads from the build instead of running again: a
    block's code is its snippet, byte for byte but the ends' blank lines."""
    assert len(RUN_WHOLE) >= len(SNIPPETS) * 3 // 4, sorted(RUN_WHOLE)
    assert "snippets/numpy_by_hand/train.py" in RUN_WHOLE


@pytest.mark.parametrize("path", [p for p in SNIPPETS if p != LAUNCHER])
def test_snippet_runs_alone_and_prints_what_its_page_shows(
    path: str, tmp_path: Path, site_dir: Path, programs, results: dict
):
    # From an unrelated directory, as a reader would after copying the file,
    # except for programs that declare (runs=) other files of the repository.
    page = shown_as("html").get(path)
    if page is not None:
        # A figure: run alone as the build runs a block (a process of its own),
        # it draws what the page shows. (Its plot runs as a program, as a
        # reader runs what the page shows, in test_figures.py.)
        alone = programs.as_block(path.removeprefix("snippets/"))
        assert alone.returncode == 0, f"{path} failed:\n{alone.stderr}"
        assert shows_figure(site_dir, page, alone.stdout), (
            f"docs/{page} does not show the figure {path} draws"
        )
        return
    if path in RUN_WHOLE:  # run alone by the build, from where a reader runs it
        chapter, block = RUN_WHOLE[path]
        record = block_result(results, chapter.src_uri, block.id)
        assert not record["error"], record["error"]
        assert record["from_root"] == (path in FROM_ROOT), path
        printed = record["output"].strip()
    else:
        cwd = ROOT if path in FROM_ROOT else tmp_path
        process = programs.run(ROOT / path, cwd)
        assert process.returncode == 0, f"{path} failed:\n{process.stderr}"
        printed = process.stdout.strip()
    assert printed, f"{path} printed nothing"
    page = shown_as("text").get(path)
    if page is not None:
        assert printed in page_code_blocks(site_dir, page), (
            f"docs/{page} does not show exactly what {path} prints:\n{printed}"
        )
    page = shown_as("markdown").get(path)
    if page is not None:  # a table: every word of it, in order, in the page's text
        table = words(re.sub(r"^\|[-:|]+\|$|\|", " ", printed, flags=re.M))
        text = words(html.unescape(TAG_RE.sub(" ", built_page(site_dir, page))))
        assert table in text, f"docs/{page} does not show what {path} prints"

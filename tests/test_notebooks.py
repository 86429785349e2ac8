"""Every chapter as a notebook: written by the build from its own outputs, run
here in fresh kernels, linked from the pages.

The build (tools/plugin.py, tools/notebooks.py) writes `notebooks/<chapter>.ipynb`
and `.py` for every chapter with executed code, from the outputs its single run
of each block printed (the execute step's results), plus
`notebooks/whole_tutorial.ipynb` and `.py` for the page whose front matter
names the pages it collects. Here every published notebook is run once more, in a
fresh kernel in an empty directory, as a reader would run the downloaded file,
and what it prints is compared with the page.
"""

from __future__ import annotations

import asyncio
import html
import os
import posixpath
import pty
import re
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from snippet import (
    CHAPTERS,
    CODE_CHAPTERS,
    COLLECTIONS,
    CONFIG,
    LIBRARIES,
    NOTEBOOK_CHAPTERS,
    PAGES,
    ROOT,
    TAG_RE,
    built_page,
    fresh_kernel,
    page_url,
)
from tools import chapter as chapter_model
from tools import notebooks
from tools.forkserver import ForkServer

PYTHON_BLOCK_RE = re.compile(
    r'<div class="language-python highlight"><pre>.*?</pre></div>'
    r'(?P<next>\s*<div class="language-text highlight"><pre>(?P<out>.*?)</pre></div>)?',
    re.DOTALL,
)
LINK_RE = re.compile(r"<a\b(?P<attrs>[^>]*)>(?P<text>.*?)</a>", re.DOTALL)
HREF_RE = re.compile(r'\bhref="(?P<href>[^"]*)"')
ALLOWED_IMPORTS = {"numpy", "torch", "matplotlib"} | set(sys.stdlib_module_names)
STEMS = [c.stem for c in NOTEBOOK_CHAPTERS]
(WHOLE,) = COLLECTIONS  # the whole tutorial
WHOLE_PARTS = [c for p in WHOLE.parts_collected for c in CHAPTERS if c.src_uri == p]


def page_outputs(site_dir: Path) -> dict[str, str | None]:
    """Block id -> the text output the built page shows under it (None: none)."""
    outputs: dict[str, str | None] = {}
    for chapter in CODE_CHAPTERS:
        blocks = list(PYTHON_BLOCK_RE.finditer(built_page(site_dir, chapter.src_uri)))
        ids = [b.id for b in chapter.blocks]
        assert len(blocks) == len(ids), f"{chapter.path}: blocks and fences differ"
        for block_id, block in zip(ids, blocks, strict=True):
            out = block["out"]
            outputs[block_id] = (
                None if out is None else html.unescape(TAG_RE.sub("", out)).strip()
            )
    return outputs


def printed(cell) -> str:
    return "".join(
        o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream"
    ).strip()


def shown(cell) -> str:
    """Everything a code cell printed: text, and the HTML or Markdown it printed
    (a figure, a table), which the notebook displays as such."""
    parts = []
    for output in cell.outputs:
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "display_data":
            data = output["data"]
            parts.append(data.get("text/html") or data.get("text/markdown", ""))
    return "".join(parts).strip()


def colab_prefix() -> str:
    return notebooks.colab_url(CONFIG["repo_url"], CONFIG.get("remote_branch"), "")


def published(site_dir: Path, stem: str):
    return nbformat.read(site_dir / "notebooks" / f"{stem}.ipynb", as_version=4)


def blocks_of(notebook) -> list:
    """The code cells that are blocks of the page (not the cells that write the
    files a block runs)."""
    return [c for c in notebook.cells if "block_id" in c.metadata]


# --- what the build produced -------------------------------------------------------


def test_every_chapter_with_code_has_a_notebook_and_a_script(site_dir: Path):
    assert len(CODE_CHAPTERS) >= 6, CODE_CHAPTERS
    made = {p.name for p in (site_dir / "notebooks").iterdir()}
    expected = {f"{stem}{suffix}" for stem in STEMS for suffix in (".ipynb", ".py")}
    assert made == expected


@pytest.mark.parametrize("chapter", CODE_CHAPTERS, ids=lambda c: c.stem)
def test_notebook_holds_the_page_in_order(chapter, site_dir: Path):
    notebook = published(site_dir, chapter.stem)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"
    code = blocks_of(notebook)
    assert [c.metadata["block_id"] for c in code] == [b.id for b in chapter.blocks]
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert prose.startswith("# "), "the notebook starts with the page's title"
    assert "description:" not in prose, "front matter left in"
    for leftover in ("--8<--", 'exec="on"', "!!! ", "=== "):
        assert leftover not in prose, f"{leftover!r} left in the Markdown cells"
    assert not re.search(r"\]\((?!https://)[^)]*\)", prose), "a relative link is left"
    source = (ROOT / chapter.path).read_text(encoding="utf-8")
    if "$" in source:
        assert "$" in prose, "the maths must stay in the notebook, as TeX"
    expander = chapter_model.Expander.for_project(CONFIG, ROOT)
    for cell in code:
        assert "--8<--" not in cell.source
        assert not cell.source.startswith(" "), "container indentation left in"
        # The whole snippet, as an include of it reads it: a figure's section
        # markers (the page shows only its plot) are left out.
        snippet = expander.include(cell.metadata["snippet"])
        assert cell.source.strip() == snippet.strip(), "the cell is not its snippet"


@pytest.mark.parametrize("stem", STEMS)
def test_notebook_needs_only_what_colab_has(stem: str, site_dir: Path):
    """Only NumPy, PyTorch, matplotlib and the standard library; a cell reads
    files of the repository only if its block declares them (runs=), and then
    the cell before it writes exactly those files."""
    cells = published(site_dir, stem).cells
    for number, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        for module in re.findall(r"^(?:import|from)\s+(\w+)", cell.source, re.M):
            assert module in ALLOWED_IMPORTS, f"{stem}: imports {module}"
        runs = cell.metadata.get("runs")
        if runs:
            writer = cells[number - 1]
            assert writer.metadata.get("writes") == runs, f"{stem}: {cell.id}"
        elif "writes" not in cell.metadata:
            assert "runpy" not in cell.source and "open(" not in cell.source


def test_a_block_that_runs_other_files_declares_them():
    """The side-by-side comparison runs Parts 1 to 4's programs: declared."""
    compare = next(
        b for c in CODE_CHAPTERS for b in c.blocks if b.id == "side-by-side-compare"
    )
    code = compare.code
    named = set(re.findall(r'"(snippets/[\w/]+\.py)"', code))
    assert named and set(compare.runs) == named


def test_whole_tutorial_holds_the_maths_and_parts_1_to_4_in_order(site_dir: Path):
    notebook = published(site_dir, WHOLE.stem)
    prose = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    assert sum(s.count("\n# ") + s.startswith("# ") for s in prose) == 1, "one h1"
    headings = [h for s in prose for h in re.findall(r"^## (.+)$", s, re.MULTILINE)]
    assert headings == [c.title for c in WHOLE_PARTS]
    code = [c.metadata["block_id"] for c in blocks_of(notebook)]
    assert code == [b.id for c in WHOLE_PARTS for b in c.blocks]
    counts = [c.execution_count for c in notebook.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))


@pytest.mark.parametrize("stem", STEMS)
def test_published_outputs_are_the_pages_outputs(stem: str, site_dir: Path):
    outputs = page_outputs(site_dir)
    for cell in blocks_of(published(site_dir, stem)):
        shown_on_page = outputs[cell.metadata["block_id"]]
        if shown_on_page is not None:
            assert printed(cell) == shown_on_page, cell.metadata["block_id"]
        else:  # HTML or Markdown: displayed as such
            assert all(o.output_type == "display_data" for o in cell.outputs)


def test_script_is_the_notebooks_code(site_dir: Path):
    """Each section of a script is a code cell of its notebook, in order; a
    script whose notebook shows figures has one more section first, which
    saves them where no window can open (tools/notebooks.py)."""
    for stem in STEMS:
        script = (site_dir / "notebooks" / f"{stem}.py").read_text(encoding="utf-8")
        compile(script, f"{stem}.py", "exec")
        cells = [c for c in published(site_dir, stem).cells if c.cell_type == "code"]
        sections = script.split("\n# %% ")[1:]
        draws = any(c.metadata.get("page_output") == "html" for c in cells)
        if draws:
            assert sections[0].startswith("Figures: plt.show() opens a window")
            assert f'"{stem}-figure-' in sections.pop(0)
        assert "Figures:" not in script or draws, stem
        code = [s.split("\n", 1)[1].strip() for s in sections]
        assert code == [c.source.strip() for c in cells], stem
        names = [s.split("\n", 1)[0] for s in sections]
        assert "files the next section runs" not in names, "the old wrong label"
        for name, cell in zip(names, cells, strict=True):
            if cell.metadata.get("snippet"):
                assert name == cell.metadata["snippet"]
            elif cell.metadata.get("writes"):
                assert name == "writes the files the next section runs"
            else:
                assert cell.metadata.get("provenance") == "versions"
                assert name == "the versions this runs with"


@pytest.fixture(scope="module")
def readers():
    """Scripts run as a reader runs them: forked from a server that imported
    the libraries but set no matplotlib backend (each picks its own, as a new
    `python` does: with no display, a non-interactive one)."""
    server = ForkServer(LIBRARIES, env={"MPLBACKEND": ""})
    yield server
    server.close()


def with_a_terminal(server, script: Path, cwd: Path) -> tuple[int, str]:
    """`python script` in `cwd` with a pseudo-terminal as its stdin, stdout and
    stderr, and no display; its exit status and what it wrote."""
    main, terminal = pty.openpty()
    written: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal's other end closed
                return
            if not chunk:
                return
            written.append(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    env = {k: v for k, v in os.environ.items() if "DISPLAY" not in k}
    try:
        status = server.run(
            [str(script)], cwd, (terminal, terminal, terminal), 600, env
        )
    finally:
        os.close(terminal)
        reader.join()
        os.close(main)
    return status, b"".join(written).decode("utf-8", "replace")


@pytest.mark.parametrize("stem", STEMS)
def test_every_download_runs_in_an_empty_folder_with_a_terminal(
    stem: str, site_dir: Path, tmp_path: Path, readers
):
    """As a reader runs the script: copied into an empty folder, `python` on a
    terminal. It prints what its notebook's cells printed, and no markup: each
    figure is saved next to the script instead (there is no display here), with
    a line that says where."""
    script = tmp_path / f"{stem}.py"
    shutil.copyfile(site_dir / "notebooks" / f"{stem}.py", script)
    status, printed = with_a_terminal(readers, script, tmp_path)
    assert status == 0, printed
    assert "<svg" not in printed and "<figure" not in printed, stem
    expected, figure = [], 0
    for cell in published(site_dir, stem).cells:
        if cell.cell_type != "code":
            continue
        if cell.metadata.get("page_output") == "html":
            figure += 1
            path = tmp_path / f"{stem}-figure-{figure}.svg"
            expected.append(f"Figure {figure} saved to {path}")
            assert path.read_text(encoding="utf-8").lstrip().startswith("<?xml")
        else:
            expected.append(shown(cell))
    assert printed.split() == "\n".join(expected).split()
    assert sorted(p.name for p in tmp_path.glob("*.svg")) == sorted(
        f"{stem}-figure-{n}.svg" for n in range(1, figure + 1)
    )


# --- run as a reader would: a fresh kernel, an empty directory ---------------------


@pytest.mark.parametrize("stem", STEMS)
def test_notebook_runs_in_a_fresh_kernel_and_prints_what_the_page_shows(
    stem: str, site_dir: Path, fresh_runs: dict[str, dict]
):
    run = fresh_runs[stem]
    assert "error" not in run, f"notebooks/{stem}.ipynb failed: {run.get('error')}"
    outputs = page_outputs(site_dir)
    notebook = nbformat.reads(run["notebook"], as_version=4)
    code = blocks_of(notebook)
    assert code
    # The versions cell prints, in a fresh kernel, what the build wrote as its
    # output: the kernel's Python, torch and NumPy are the build's.
    published_cells = {c.id: c for c in published(site_dir, stem).cells}
    versions = [c for c in notebook.cells if c.metadata.get("provenance") == "versions"]
    assert len(versions) == 1, stem
    assert printed(versions[0]) == printed(published_cells[versions[0].id])
    for cell in code:
        assert all(o.output_type != "error" for o in cell.outputs)
        shown_on_page = outputs[cell.metadata["block_id"]]
        if shown_on_page is not None:
            assert printed(cell) == shown_on_page, (
                f"{stem}: cell {cell.metadata['block_id']} printed\n{printed(cell)}"
            )


def test_starting_a_kernel_imports_nothing_the_main_thread_did_not():
    """conftest.py's background thread starts kernels while tests import
    matplotlib: after prepare_kernel_clients() (run first, in the main
    thread), starting one, up to its command line, imports no module."""
    code = (
        "import sys\n"
        "from snippet import prepare_kernel_clients\n"
        "prepare_kernel_clients()\n"
        "before = set(sys.modules)\n"
        "from jupyter_client.manager import AsyncKernelManager\n"
        "manager = AsyncKernelManager(kernel_name='python3')\n"
        "manager.format_kernel_cmd()\n"
        "print(sorted(set(sys.modules) - before))\n"
        "print('IPython' in before, 'ipykernel' in before)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}
    process = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.splitlines() == ["[]", "True True"], process.stdout


def test_a_fresh_kernel_has_a_new_namespace_and_its_death_is_seen(
    tmp_path: Path, kernels
):
    """Kernels are forked from a process that imported the libraries: a
    notebook that forgets an import still fails, the tests' own modules are
    not importable, and a kernel that dies is reported. (The build's package,
    tools, is installed: test_notebook_needs_only_what_colab_has keeps
    notebooks from importing it.)"""
    cells = {
        "forgets-an-import": "x = np.zeros(3)",
        "imports-a-test-helper": "import snippet",
        "dies": "import os\nos._exit(3)",
        "runs": "import os\nprint(os.listdir('.'))",
    }
    for name, source in cells.items():
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3"}
        nbformat.write(notebook, tmp_path / f"{name}.ipynb")

    async def run_all():
        runs = [fresh_kernel(tmp_path / f"{name}.ipynb", kernels) for name in cells]
        return dict(await asyncio.gather(*runs))

    with ThreadPoolExecutor(max_workers=1) as pool:
        runs = pool.submit(asyncio.run, run_all()).result()
    error = {
        name: run.get("error", "ran without an error") for name, run in runs.items()
    }
    forgot = error["forgets-an-import"]
    assert "NameError" in forgot and "name 'np' is not defined" in forgot, forgot
    assert "ModuleNotFoundError" in error["imports-a-test-helper"]
    assert "DeadKernelError" in error["dies"], error["dies"]
    ran = nbformat.reads(runs["runs"]["notebook"], as_version=4)
    assert printed(ran.cells[0]) == "[]", "an empty directory"


# --- buttons and links -------------------------------------------------------------


def _links(site_dir: Path):
    for html_file in sorted(site_dir.rglob("*.html")):
        for link in LINK_RE.finditer(html_file.read_text(encoding="utf-8")):
            href = HREF_RE.search(link["attrs"])
            if href:
                yield html_file, link["attrs"], href["href"], link["text"].strip()


def test_every_chapter_with_code_offers_its_notebook(site_dir: Path):
    pages = [(c.src_uri, c.stem) for c in CODE_CHAPTERS]
    for src_uri, stem in [*pages, (WHOLE.src_uri, WHOLE.stem)]:
        text = built_page(site_dir, src_uri)
        up = posixpath.relpath(".", page_url(src_uri))  # from the page to the root
        buttons = {
            TAG_RE.sub("", m["text"]).strip(): m["attrs"]
            for m in LINK_RE.finditer(text)
            if "md-button" in m["attrs"]
        }
        assert set(buttons) >= {
            "Download notebook",
            "Open in Colab",
            "Download the code",
        }
        notebook = buttons["Download notebook"]
        assert f'download="{stem}.ipynb"' in notebook
        assert f'href="{up}/notebooks/{stem}.ipynb"' in notebook
        assert f'href="{up}/notebooks/{stem}.py"' in buttons["Download the code"]
        colab = f'href="{colab_prefix()}notebooks/{stem}.ipynb"'
        assert colab in buttons["Open in Colab"]
        # The buttons sit at the top: under the title, before any code.
        assert text.index("</h1>") < text.index("Download notebook")
        first_code = text.find('<div class="language-python highlight')
        assert first_code == -1 or text.index("Download notebook") < first_code
    with_notebook = {c.src_uri for c in NOTEBOOK_CHAPTERS}
    for page in PAGES:
        if page not in with_notebook:
            assert "Open in Colab" not in built_page(site_dir, page), page


def test_every_download_and_colab_link_points_to_a_built_file(site_dir: Path):
    checked = 0
    for html_file, attrs, href, _text in _links(site_dir):
        if href.startswith("https://colab.research.google.com/"):
            assert href.startswith(colab_prefix()), href
            target = site_dir / href.removeprefix(colab_prefix())
        elif " download" in attrs or "notebooks/" in href:
            assert not re.match(r"^[a-z]+:", href), href
            target = (html_file.parent / href.split("#")[0]).resolve()
        else:
            continue
        assert target.is_file(), f"{html_file.relative_to(site_dir)}: {href}"
        checked += 1
    assert checked >= 3 * len(STEMS)


# --- the whole-tutorial page --------------------------------------------------------


def test_whole_tutorial_page_is_light_and_lists_what_the_notebook_holds(
    site_dir: Path,
):
    text = built_page(site_dir, WHOLE.src_uri)
    article = text[text.index("<article") : text.index("</article>")]
    assert article.count("<h1") == 1
    assert article.count("<") < 200, "a light page: no rendering of the cells"
    for chapter in WHOLE_PARTS:
        link = (
            f'href="{posixpath.relpath(page_url(chapter.src_uri), "whole_tutorial")}/"'
        )
        assert link in article and chapter.title in article, chapter.src_uri
    notebook = published(site_dir, WHOLE.stem)
    cells = sum(
        c.cell_type == "code" and "provenance" not in c.metadata for c in notebook.cells
    )
    listed = sum(int(n) for n in re.findall(r"(\d+) code cells?", article))
    assert listed == cells


def test_whole_tutorial_page_loads_offline_without_errors(page, site_url: str):
    page.goto(site_url + "whole_tutorial/", wait_until="networkidle")
    assert page.watch.foreign == [], "requests to other hosts"
    assert page.watch.errors == [], "console errors"
    assert page.locator("h1").count() == 1
    assert "Download notebook" in page.locator("article").inner_text()


def test_download_buttons_download_in_a_browser(page, site_url: str):
    page.goto(site_url + "numpy_by_hand/", wait_until="networkidle")
    with page.expect_download() as download:
        page.get_by_text("Download notebook").click()
    assert download.value.suggested_filename == "numpy_by_hand.ipynb"
    notebook = nbformat.read(download.value.path(), as_version=4)
    assert any(c.cell_type == "code" and c.outputs for c in notebook.cells)


def test_the_build_is_one_plugin_and_no_notebook_renderer():
    assert "hooks" not in CONFIG
    plugins = [p if isinstance(p, str) else next(iter(p)) for p in CONFIG["plugins"]]
    assert "chapters" in plugins
    assert "mkdocs-jupyter" not in plugins and "markdown-exec" not in plugins


# --- the writer itself, on a made-up chapter ----------------------------------------


def test_a_chapter_becomes_a_notebook_in_page_order(tmp_path: Path):
    (tmp_path / "snippets").mkdir()
    for name in ("one", "two", "three", "plot", "runner", "data"):
        (tmp_path / "snippets" / f"{name}.py").write_text(f"print('{name}')\n")
    page = """\
---
description: A made-up chapter.
---

# Made up

Prose with $x^2$ and a [link](other.md#there) and [an anchor](#below).

```bash
make test
```

```python exec="on" source="above" result="text" id="one"
--8<-- "snippets/one.py"
```

!!! warning "A pitfall"
    Shown broken:

    ```python exec="true" source="above" result="text" id="two"
    --8<-- "snippets/two.py"
    ```

=== "A tab"

    ```python exec="1" source="above" result="text" id="three"
    --8<-- "snippets/three.py"
    ```

```python exec="on" source="above" html="1" id="plot"
--8<-- "snippets/plot.py"
```

```python exec="on" id="runner" runs="snippets/data.py"
--8<-- "snippets/runner.py"
```
"""
    config = {"markdown_extensions": [{"pymdownx.snippets": {"base_path": ["."]}}]}
    expander = chapter_model.Expander.for_project(config, tmp_path)
    chapter = chapter_model.parse(page, "part/made_up.md", expander)
    assert [b.id for b in chapter.blocks] == ["one", "two", "three", "plot", "runner"]
    assert chapter.blocks[1].line == 20  # in the file, front matter counted
    assert chapter.blocks[4].runs == ("snippets/data.py",)
    assert chapter.blocks[3].output_as == "html"
    assert chapter.blocks[4].output_as == "markdown"
    site = notebooks.Site(
        "Site",
        "https://example.org/site/",
        lambda src: "https://example.org/site/" + page_url(src),
    )
    outputs = {"one": "one\n", "plot": "<svg/>\n", "runner": "| a |\n"}
    notebook = notebooks.chapter_notebook(chapter, outputs, site, tmp_path)
    cells = notebook.cells
    code = blocks_of(notebook)
    assert [c.source for c in code] == [
        f"print('{n}')" for n in ("one", "two", "three", "plot", "runner")
    ]
    assert [c.id for c in code] == ["one", "two", "three", "plot", "runner"]
    assert code[3].outputs[0].output_type == "display_data"
    assert code[3].outputs[0].data["text/html"] == "<svg/>\n"
    assert code[4].outputs[0].data["text/markdown"] == "| a |\n"
    writer = cells[cells.index(code[4]) - 1]
    assert writer.metadata["writes"] == ["snippets/data.py"]
    assert "snippets/data.py" in writer.source
    prose = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert prose.startswith("# Made up") and "description:" not in prose
    assert "**A pitfall**\n\nShown broken:" in prose and "**A tab**" in prose
    assert "```bash\nmake test\n```" in prose  # shown, not run: Markdown
    assert "$x^2$" in prose
    assert "(https://example.org/site/part/other/#there)" in prose
    assert "(https://example.org/site/part/made_up/#below)" in prose


def test_the_writer_cell_writes_the_declared_files(tmp_path: Path, monkeypatch):
    (tmp_path / "snippets").mkdir()
    text = "x = '''a'''\nprint('\\\\n')\n"  # quotes and a backslash survive
    (tmp_path / "snippets" / "data.py").write_text(text)
    block = chapter_model.Block(
        index=0,
        line=1,
        language="python",
        info="",
        body="",
        code="",
        shown_code="",
        snippets=(),
        executed=True,
        runs=("snippets/data.py",),
        id="b",
    )
    source = notebooks._writer_source(block, tmp_path)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.chdir(scratch)
    exec(source, {})  # noqa: S102
    assert (scratch / "snippets" / "data.py").read_text() == text


def test_colab_links_follow_repo_url_and_the_deploy_branch():
    url = notebooks.colab_url(
        "https://github.com/someone/project.git", None, "notebooks/a.ipynb"
    )
    assert url == (
        "https://colab.research.google.com/github/someone/project/blob/gh-pages/"
        "notebooks/a.ipynb"
    )
    assert "/blob/site/notebooks/a.ipynb" in notebooks.colab_url(
        "https://github.com/someone/project", "site", "notebooks/a.ipynb"
    )

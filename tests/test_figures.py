"""The figures: one recipe (tools/figures.py) draws every figure a block
leaves open; a figure snippet is its plot, a program that runs alone (the
page's Code tab shows it), and the figure's text alternative and caption.

That each figure snippet, run alone as the build runs a block, draws the
figure its page shows (byte for byte) is checked in test_snippets.py; what each
figure draws, in the chapters' test files."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

from snippet import CHAPTERS, ROOT, build_broken, page_code_blocks
from tools import figures
from tools.chapter import ChapterError, Expander, load_config, parse

SECTION = "plot"
START, END = f"# --8<-- [start:{SECTION}]\n", f"# --8<-- [end:{SECTION}]\n"
# Every block whose output is HTML draws a figure.
FIGURES = [(c, b) for c in CHAPTERS for b in c.blocks if b.output_as == "html"]
FIGURE_SNIPPETS = sorted({b.snippet for _, b in FIGURES})


def after_the_plot(text: str) -> list[ast.stmt]:
    """The statements of a figure snippet after its plot section."""
    _, rest = text.split(START)
    _, after = rest.split(END)
    return ast.parse(after).body


def test_every_figure_block_shows_its_plot_section():
    assert len(FIGURE_SNIPPETS) == len(FIGURES) >= 2
    for chapter, block in FIGURES:
        assert block.section == SECTION, f"{chapter.path}:{block.line}"
        assert block.shown_code.strip() and block.shown_code != block.code


@pytest.mark.parametrize("path", FIGURE_SNIPPETS)
def test_a_figure_snippet_is_its_plot_then_its_two_strings(path: str):
    """Nothing before the plot, and after it only `description` and `caption`:
    no recipe, no setup (the build has them, once)."""
    text = (ROOT / path).read_text(encoding="utf-8")
    before = text.split(START)[0]
    assert ast.parse(before).body == [], f"{path}: code before the plot"
    statements = after_the_plot(text)
    names = [
        target.id
        for statement in statements
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
    ]
    assert names == [figures.DESCRIPTION, figures.CAPTION], names
    assert len(statements) == 2, f"{path}: more than the two strings"


def test_the_figure_marker_is_defined_once():
    """The class that marks a drawn figure is written in tools/figures.py, and
    in the stylesheet that styles it (CSS cannot import it); nowhere else."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True
    ).stdout.splitlines()
    if not tracked:  # a source archive: no git
        tracked = [
            p.relative_to(ROOT).as_posix()
            for p in ROOT.rglob("*")
            if p.is_file() and not {".venv", "node_modules", ".cache"} & set(p.parts)
        ]
    found = {
        path
        for path in tracked
        if path.endswith((".py", ".css", ".js", ".md", ".html", ".yml"))
        and figures.FIGURE_CLASS in (ROOT / path).read_text(encoding="utf-8")
    }
    assert found == {"tools/figures.py", "docs/stylesheets/site.css"}, found


def test_the_code_tab_shows_the_plot_and_not_the_strings(site_dir: Path):
    for chapter, block in FIGURES:
        shown = page_code_blocks(site_dir, chapter.src_uri)
        assert block.shown_code.strip() in shown, f"{block.id}: the plot is not shown"
        for code in shown:
            assert "description = (" not in code, chapter.src_uri
            assert not re.search(r"^caption = ", code, re.M), chapter.src_uri


@pytest.mark.parametrize("block", [b for _, b in FIGURES], ids=lambda b: b.id)
def test_the_plot_runs_alone(block, tmp_path: Path, programs):
    """As a reader runs what the Code tab shows (under MPLBACKEND=Agg, which the
    programs' server sets: plt.show() returns at once)."""
    program = tmp_path / "plot.py"
    program.write_text(block.shown_code, encoding="utf-8")
    process = programs.run(program, tmp_path)
    assert process.returncode == 0, f"{block.id}:\n{process.stderr}"
    assert process.stderr == ""


# --- bad input: refused, naming the page and the line --------------------------

PLOT = f"import math\n{START}print(math.pi)\n{END}print('recipe')\n"


@pytest.mark.parametrize(
    ("fence", "body", "message"),
    [
        ('exec="on" show="nowhere"', '--8<-- "fig.py"', "'nowhere' could not be"),
        ('exec="on" show="plot"', '--8<-- "fig.py"\nprint(1)', "not one include"),
        ('exec="on" show="plot"', "print(1)", "not one include"),
        ('show="plot"', '--8<-- "fig.py"', "only an executed Python block"),
    ],
)
def test_a_show_that_does_not_fit_is_refused(tmp_path, fence, body, message):
    (tmp_path / "fig.py").write_text(PLOT, encoding="utf-8")
    expander = Expander.for_project(load_config(ROOT / "mkdocs.yml"), tmp_path)
    page = f'# Broken\n\n```python {fence} id="fig"\n{body}\n```\n'
    with pytest.raises(ChapterError) as error:
        parse(page, "broken.md", expander)
    assert str(error.value).startswith("docs/broken.md:3: "), error.value
    assert "declares show=" in str(error.value), error.value
    assert message in str(error.value), error.value


def test_a_missing_section_fails_the_build(tmp_path: Path):
    output = build_broken(
        tmp_path,
        """
        # Broken

        ```python exec="on" html="1" source="tabbed-right" show="plott" id="fig"
        --8<-- "snippets/fig.py"
        ```
        """,
        {"snippets/fig.py": PLOT},
    )
    assert "docs/broken.md:4: block 'fig' declares show='plott'" in output, output
    assert "snippets/fig.py" in output and "'plott' could not be located" in output


# --- a figure the build cannot publish: refused, naming the page and block ----

DRAWS = "import matplotlib.pyplot as plt\n\nplt.plot([1, 2])\nplt.show()\n"
STRINGS = "description = 'A line.'\ncaption = 'One line.'\n"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (DRAWS, "defines no `description` string (its text alternative)"),
        (DRAWS + "description = 'A line.'\n", "defines no `caption` string"),
        (DRAWS + "plt.figure()\n" + STRINGS, "leaves 2 figures open"),
        (DRAWS + STRINGS + "print('and text')\n", "draws a figure and prints text"),
    ],
)
def test_a_figure_without_what_it_needs_fails_the_build(tmp_path, code, message):
    output = build_broken(
        tmp_path,
        """
        # Broken

        ```python exec="on" html="1" id="fig"
        --8<-- "snippets/fig.py"
        ```
        """,
        {"snippets/fig.py": code},
    )
    assert "docs/broken.md:4: code block 'fig'" in output, output
    assert message in output, output

"""The figures: one recipe prints every figure, and a figure's Code tab shows
only its plotting, the snippet's section `plot`, a program that runs alone.

That each figure snippet prints, alone, the figure its page shows (byte for
byte) is checked in test_snippets.py; what each figure draws, in the
chapters' test files."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from chapter import ChapterError, Expander, load_config, parse
from snippet import CHAPTERS, ROOT, build_broken, page_code_blocks

SECTION = "plot"
START, END = f"# --8<-- [start:{SECTION}]\n", f"# --8<-- [end:{SECTION}]\n"
# Every block that prints HTML prints a figure.
FIGURES = [(c, b) for c in CHAPTERS for b in c.blocks if b.shows == "html"]
FIGURE_SNIPPETS = sorted({b.snippet for _, b in FIGURES})


def recipe(text: str) -> tuple[str, str]:
    """A figure snippet's setup (before its plot) and recipe (after the plot and
    the figure's two strings, `description` and `caption`)."""
    setup, rest = text.split(START)
    _, after = rest.split(END)
    statements = ast.parse(after).body
    names = [
        target.id
        for statement in statements[:2]
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
    ]
    assert names == ["description", "caption"], names
    return setup, "\n".join(after.split("\n")[statements[1].end_lineno :])


def test_every_figure_block_shows_its_plot_section():
    assert len(FIGURE_SNIPPETS) == len(FIGURES) >= 2
    for chapter, block in FIGURES:
        assert block.show == SECTION, f"{chapter.path}:{block.line}"
        assert block.shown.strip() and block.shown != block.code


def test_the_figure_snippets_share_one_recipe():
    texts = [(ROOT / path).read_text(encoding="utf-8") for path in FIGURE_SNIPPETS]
    recipes = {recipe(text) for text in texts}
    assert len(recipes) == 1, "the figure snippets' setups or recipes differ"
    setup, rest = recipes.pop()
    assert 'matplotlib.use("Agg")' in setup and "print(" in rest


def test_a_recipe_that_drifts_is_found():
    text = (ROOT / FIGURE_SNIPPETS[0]).read_text(encoding="utf-8")
    for old, new in [
        ('"Agg")', '"agg")'),  # in the setup
        ('"svg.fonttype": "none"', '"svg.fonttype": "path"'),  # in the recipe
    ]:
        assert old in text
        assert recipe(text.replace(old, new)) != recipe(text), old


def test_the_code_tab_shows_the_plot_and_not_the_recipe(site_dir: Path):
    setup, rest = recipe((ROOT / FIGURE_SNIPPETS[0]).read_text(encoding="utf-8"))
    plots = "\n".join(b.shown for _, b in FIGURES)
    recipe_lines = {
        line.strip()
        for line in (setup + rest).split("\n")
        if len(line.strip()) > 3 and line.strip() not in plots
    }
    for chapter, block in FIGURES:
        shown = page_code_blocks(site_dir, chapter.src_uri)
        assert block.shown.strip() in shown, f"{block.id}: the plot is not shown"
        for code in shown:
            for line in recipe_lines:
                assert line not in code, f"{chapter.src_uri} shows {line!r}"


@pytest.mark.parametrize("block", [b for _, b in FIGURES], ids=lambda b: b.id)
def test_the_plot_runs_alone(block, tmp_path: Path, programs):
    """As a reader runs what the Code tab shows (under MPLBACKEND=Agg, which the
    programs' server sets: plt.show() returns at once)."""
    program = tmp_path / "plot.py"
    program.write_text(block.shown, encoding="utf-8")
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

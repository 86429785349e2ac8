"""The built site: strict build, every shown block executed, maths, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import build_site, small_project
from markdown_includes import ROOT, mkdocs_config
from pytest_markdown_docs.plugin import MarkdownInlinePythonItem

PAGES = sorted(p.relative_to(ROOT / "docs") for p in ROOT.glob("docs/**/*.md"))


def built_page(site_dir: Path, page: Path) -> str:
    if page.stem == "index":
        return (site_dir / page.parent / "index.html").read_text(encoding="utf-8")
    return (site_dir / page.with_suffix("") / "index.html").read_text(encoding="utf-8")


def test_every_page_is_in_the_navigation():
    def pages(nav):
        for entry in nav:
            value = next(iter(entry.values())) if isinstance(entry, dict) else entry
            yield from pages(value) if isinstance(value, list) else [value]

    assert sorted(pages(mkdocs_config()["nav"])) == [p.as_posix() for p in PAGES]


def test_strict_build_writes_every_page(site_dir: Path):
    for page in PAGES:
        assert "<h1" in built_page(site_dir, page), page


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_every_python_block_shown_was_executed_by_the_tests(
    page: Path, site_dir: Path, request: pytest.FixtureRequest
):
    """Parity: code blocks the page shows == fences pytest-markdown-docs runs."""
    items = [
        i for i in request.session.items if isinstance(i, MarkdownInlinePythonItem)
    ]
    if not items:
        pytest.fail("no docs/ fences were collected: run the whole suite (make test)")
    executed = [i for i in items if Path(i.path) == ROOT / "docs" / page]
    shown = built_page(site_dir, page).count('<div class="language-python highlight">')
    assert shown == len(executed), (
        f"docs/{page}: the site shows {shown} Python blocks, "
        f"the tests execute {len(executed)}"
    )


def test_site_has_python_blocks(site_dir: Path):
    total = sum(
        built_page(site_dir, p).count('<div class="language-python highlight">')
        for p in PAGES
    )
    assert total >= 15


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_no_traceback_and_no_raw_tex(page: Path, site_dir: Path):
    text = built_page(site_dir, page)
    assert "Traceback (most recent call last)" not in text
    assert 'class="arithmatex"' not in text, "a formula was left as raw TeX"
    assert "\\(" not in re.sub(r"<annotation.*?</annotation>", "", text, flags=re.S)


def test_maths_is_rendered_and_styled_only_where_used(site_dir: Path):
    problem = built_page(site_dir, Path("problem.md"))
    assert problem.count('class="katex-display"') >= 5
    assert "assets/katex/katex.min.css" in problem
    assert (site_dir / "assets/katex/katex.min.css").exists()
    assert list((site_dir / "assets/katex/fonts").glob("KaTeX_Main-Regular.woff2"))
    no_maths = built_page(site_dir, Path("side_by_side.md"))
    assert 'class="katex' not in no_maths
    assert "katex.min.css" not in no_maths


def test_pages_show_the_trajectory(site_dir: Path):
    for page in ["numpy_by_hand.md", "autograd.md", "loss_and_optimizer.md"]:
        text = built_page(site_dir, Path(page))
        assert "epoch  1: w = 0.300, loss = 30.00000000" in text, page
        assert "epoch  2: w = 0.555, loss = 21.67499924" in text, page


# --- bad input: each fails the build with a message naming the file ----------


def build_broken(tmp_path: Path, page: str, files: dict[str, str] | None = None):
    """Build a one-page site with the project's own configuration."""
    pages = {"index.md": "# Home\n", "broken.md": page}
    config_file = small_project(tmp_path, pages, files or {})
    process = build_site(config_file, tmp_path / "site", cwd=tmp_path)
    assert process.returncode != 0, "the build should have failed"
    output = process.stdout + process.stderr
    published = tmp_path / "site" / "broken" / "index.html"
    assert not published.exists() or "Traceback" not in published.read_text("utf-8")
    return output


def test_a_snippet_that_raises_fails_the_build(tmp_path: Path):
    output = build_broken(
        tmp_path,
        """
        # Broken

        ```python exec="on" source="above" result="text" id="boom"
        --8<-- "snippets/boom.py"
        ```
        """,
        {"snippets/boom.py": "x = 1\nprint(x)\ny = x / 0\n"},
    )
    assert "docs/broken.md:4: code block 'boom' raised" in output, output
    assert "(snippets/boom.py, line 3): ZeroDivisionError" in output, output


def test_a_missing_include_fails_the_build(tmp_path: Path):
    output = build_broken(
        tmp_path,
        """
        # Broken

        ```python exec="on" id="missing"
        --8<-- "snippets/missing.py"
        ```
        """,
    )
    assert "broken.md" in output and "snippets/missing.py" in output, output


@pytest.mark.parametrize("link", ["nowhere.md", "index.md#no-such-anchor"])
def test_a_broken_link_fails_the_build(tmp_path: Path, link: str):
    output = build_broken(tmp_path, f"# Broken\n\nSee [there]({link}).\n")
    assert "broken.md" in output and link.split("#")[-1] in output, output


@pytest.mark.parametrize("href", ["nowhere/", "#no-such-anchor"])
def test_a_broken_raw_html_link_fails_the_build(tmp_path: Path, href: str):
    output = build_broken(tmp_path, f'# Broken\n\n<a href="{href}">there</a>\n')
    assert "broken" in output and href.strip("#/") in output, output


def test_a_malformed_formula_fails_the_build(tmp_path: Path):
    output = build_broken(tmp_path, "# Broken\n\nThe loss $\\frac{1}{n$ is.\n")
    assert "docs/broken.md: malformed formula" in output, output
    assert "\\frac{1}{n" in output, output

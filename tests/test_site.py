"""The built site: strict build, every shown block executed, maths, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from htmlproofer.plugin import read_anchors

from snippet import (
    CHAPTERS,
    CONFIG,
    PAGES,
    ROOT,
    build_broken,
    built_page,
    page_url,
)
from tools import chapter as chapter_model
from tools import execution, figures, links

PYTHON_SHOWN = '<div class="language-python highlight">'


def test_every_page_is_in_the_navigation():
    in_docs = sorted(
        p.relative_to(ROOT / "docs").as_posix() for p in ROOT.glob("docs/**/*.md")
    )
    assert sorted(chapter_model.nav_pages(CONFIG)) == in_docs


def test_the_tests_a_page_mentions_are_links_to_them():
    """A reader cannot see "the tests": every page that mentions them links to
    the test file in the repository (repo_url's main branch), and it exists."""
    blob = f"{CONFIG['repo_url']}/blob/main/"
    mentions = re.compile(r"\bthe (?:site's )?tests\b", re.IGNORECASE)
    linked = re.compile(
        r"\[(the (?:site's )?tests[^\]]*)\]\(([^)\s]+)\)", re.IGNORECASE
    )
    found = 0
    for page in PAGES:
        text = re.sub(r"\s+", " ", (ROOT / "docs" / page).read_text(encoding="utf-8"))
        links = linked.findall(text)
        assert len(links) == len(mentions.findall(text)), page
        for _, url in links:
            assert url.startswith(blob), (page, url)
            path = url.removeprefix(blob)
            assert re.fullmatch(r"tests/test_[a-z_]+\.py", path), (page, url)
            assert (ROOT / path).is_file(), (page, url)
            found += 1
    assert found >= 5


# A page's own scripts and stylesheets, named in its front matter
# (overrides/main.html): (page, "scripts" or "stylesheets", path in docs/).
OWN_FILES = [
    (chapter.src_uri, kind, path)
    for chapter in CHAPTERS
    for kind in ("scripts", "stylesheets")
    for path in chapter.meta.get(kind, [])
]


@pytest.mark.parametrize("doc, kind, path", OWN_FILES)
def test_a_pages_own_file_loads_on_that_page_alone(
    site_dir: Path, doc: str, kind: str, path: str
):
    """Not the site's (`extra_javascript`, `extra_css`): the other pages do not
    download it. Its page links it once, relative to the page."""
    assert path not in CONFIG["extra_javascript"] + CONFIG["extra_css"]
    assert (ROOT / "docs" / path).is_file() and (site_dir / path).is_file()
    name = Path(path).name
    for other in PAGES:
        found = re.findall(re.escape(name), built_page(site_dir, other))
        assert found == ([name] if other == doc else []), other
    relative = "../" * page_url(doc).count("/") + path
    tag = (
        f'<script src="{relative}" defer></script>'
        if kind == "scripts"
        else f'<link rel="stylesheet" href="{relative}">'
    )
    assert tag in built_page(site_dir, doc)


def test_strict_build_writes_every_page(site_dir: Path):
    for page in PAGES:
        assert "<h1" in built_page(site_dir, page), page


def test_the_build_executed_every_block_once(results: dict, build_log: str):
    """Every executed block of the chapter model ran in the shared (clean)
    build, once, without an error, on one worker per core the build may use;
    the log says so."""
    expected = [(c.src_uri, b.id) for c in CHAPTERS for b in c.blocks]
    ran = [(b["page"], b["id"]) for b in results["blocks"]]
    assert sorted(ran) == sorted(expected)
    assert all(b["ran"] and not b["error"] for b in results["blocks"])
    assert (results["executed"], results["cached"]) == (len(expected), 0)
    assert results["workers"] == min(len(expected), execution.available_cores())
    serial = sum(b["seconds"] for b in results["blocks"])
    assert results["serial_seconds"] == pytest.approx(serial, rel=1e-9)
    workers = results["workers"]  # "1 worker" on one core, as the log says
    assert (
        f"Executed code blocks: {len(expected)} run, 0 from the cache; their code "
        f"ran for {serial:.1f} s on {workers} worker{'s' * (workers != 1)} in "
        f"{results['wall_seconds']:.1f} s"
    ) in build_log


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.src_uri)
def test_every_python_block_shown_is_a_block_of_the_chapter_model(
    chapter: chapter_model.Chapter, site_dir: Path
):
    """Parity: the Python code the page shows == the model's blocks that show
    their source (a fence the model missed, in a container it does not know,
    would be shown but not counted)."""
    shown = built_page(site_dir, chapter.src_uri).count(PYTHON_SHOWN)
    sources = [
        b for b in chapter.parts if isinstance(b, chapter_model.Block) and b.python
    ]
    with_source = [b for b in sources if not b.executed or b.options.get("source")]
    assert shown == len(with_source), (
        f"{chapter.path}: the site shows {shown} Python blocks, "
        f"the chapter model has {len(with_source)}: a Python fence sits in a "
        "container the chapter model does not read (it reads admonitions and "
        "content tabs): move it to the top level or into one of those"
    )


def test_site_has_python_blocks(site_dir: Path):
    total = sum(built_page(site_dir, p).count(PYTHON_SHOWN) for p in PAGES)
    assert total >= 15


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_no_traceback_and_no_raw_tex(page: str, site_dir: Path):
    text = built_page(site_dir, page)
    assert "Traceback (most recent call last)" not in text
    assert 'class="arithmatex"' not in text, "a formula was left as raw TeX"
    assert "\\(" not in text


def test_maths_is_mathml_with_no_stylesheet_or_fonts(site_dir: Path):
    problem = built_page(site_dir, "problem.md")
    assert problem.count('<span class="katex-display"><math') >= 5
    assert (
        '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in problem
    )
    assert "katex-html" not in problem, "KaTeX's HTML output doubles every formula"
    assert "katex.min.css" not in problem and "KaTeX_" not in problem
    assert not (site_dir / "assets/katex").exists()
    # A page with no formula in its source gets no KaTeX markup at all.
    no_maths = [c for c in CHAPTERS if "$" not in (ROOT / c.path).read_text()]
    assert no_maths, "every page has maths: this check needs a page without"
    for chapter in no_maths:
        assert 'class="katex' not in built_page(site_dir, chapter.src_uri)


def test_pages_show_the_trajectory(site_dir: Path):
    for page in ["numpy_by_hand.md", "autograd.md", "loss_and_optimizer.md"]:
        text = built_page(site_dir, page)
        assert "epoch  1: w = 0.300, loss = 30.00000000" in text, page
        assert "epoch  2: w = 0.555, loss = 21.67499924" in text, page


# --- bad input: each fails the build with a message naming the file ----------


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
    # The traceback shows the line of the block's code that raised, on every
    # Python (3.13 moved where tracebacks keep a frame's line).
    assert 'File "<code block: id boom>", line 3, in <module>\n    y = x / 0' in (
        output
    ), output
    results = json.loads((tmp_path / "site-cache/results.json").read_text())
    (boom,) = results["blocks"]
    assert boom["error"].startswith("docs/broken.md:4: code block 'boom' raised")


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
    assert "Error reading page 'broken.md':" in output, output
    assert "malformed formula $\\frac{1}{n$: KaTeX parse error" in output, output
    assert "Traceback" not in output, output


def test_a_figure_without_its_text_alternative_fails_the_build(tmp_path: Path):
    figure = f'{figures.OPENING}<svg width="30pt" height="15pt"></svg></figure>'
    page = (
        "# Broken\n\n"
        '```python exec="on" html="1" id="bare-figure"\n'
        f"print({figure!r})\n"
        "```\n"
    )
    output = build_broken(tmp_path, page)
    assert "docs/broken.md: a figure's <svg> has no aria-label" in output, output


def test_a_fence_hidden_in_an_unknown_container_is_refused(tmp_path: Path):
    """A block the chapter model cannot see (here in a list item) would run on
    the page but not in the notebook nor the tests: the build refuses it."""
    output = build_broken(
        tmp_path,
        """
        # Broken

        1.  A list item:

            ```python exec="on" source="above" result="text" id="hidden"
            print("hidden")
            ```
        """,
    )
    assert "docs/broken.md" in output and "hidden" in output, output


def test_a_runs_declaration_must_name_a_file(tmp_path: Path):
    output = build_broken(
        tmp_path,
        """
        # Broken

        ```python exec="on" result="text" id="runner" runs="snippets/nowhere.py"
        print(1)
        ```
        """,
    )
    assert (
        "docs/broken.md:4: block 'runner' declares runs='snippets/nowhere.py'" in output
    ), output


def test_the_anchors_are_read_as_the_link_checker_reads_them(site_dir: Path):
    """tools/links.py reads each page's anchors without CSS selectors: the same
    set as mkdocs-htmlproofer-plugin's own reading, on every page of the site,
    and on markup with a template and an <a name>."""
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert links.anchors_of(html) == read_anchors(html), path
    markup = (
        '<h2 id="kept">K</h2><a name="old">o</a><template id="t">'
        '<p id="inert">i</p><a name="inert-name">n</a></template>'
    )
    assert links.anchors_of(markup) == read_anchors(markup) == {"kept", "old", "t"}
    for markup in [
        "<template><template></template><p id=c></template><p id=d>",
        "<TEMPLATE><p id=e></TEMPLATE><P ID=f><A NAME=g>",
        '<p id><p id=""><p id=1 id=2><a name="z" name="w"><p name="n">',
        '<svg><a name=q></a></svg><div id="&amp;x"><br id="x"/>',
    ]:
        assert links.anchors_of(markup) == read_anchors(markup), markup


def bs4_links(html: str) -> list[str]:
    """The URLs a page links to, read as mkdocs-htmlproofer-plugin's
    on_post_page reads them (BeautifulSoup, its strainer)."""
    from bs4 import BeautifulSoup, SoupStrainer

    soup = BeautifulSoup(html, "html.parser", parse_only=SoupStrainer(links.LINKED))
    urls = {str(a["href"]) for a in soup.find_all("a", href=True)}
    urls |= {str(img["src"]) for img in soup.find_all("img", src=True)}
    return sorted(urls)


def test_the_links_are_read_as_the_link_checker_reads_them(site_dir: Path):
    """tools/links.py reads each page's links without building a tree: the
    same as mkdocs-htmlproofer-plugin's own reading, on every page of the site
    and on markup with repeated, empty and escaped attributes."""
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert links.links_of(html) == bs4_links(html), path
    for markup in [
        '<a href="x" href="y"><img src><img src="a&amp;b"><A HREF=Z>',
        "<p><a>no href</a><svg><a href='s'/></svg><template><a href=t></template>",
        '<li><sup><a href="#fn:1">1</a></sup></li><h2><a href="#h2">h</a></h2>',
    ]:
        assert links.links_of(markup) == bs4_links(markup), markup

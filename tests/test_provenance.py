"""What produced the outputs: the version line on every chapter page and notebook.

tools/provenance.py writes "Outputs produced on DATE by Python X, torch Y (CPU),
NumPy Z." from the build's interpreter and SOURCE_DATE_EPOCH. The tests run in the
interpreter that built the site (conftest.build_site runs sys.executable), so
what they import is what the build used.
"""

from __future__ import annotations

import html
import importlib.util
import platform
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import numpy
import pytest
import torch
from conftest import SOURCE_DATE_EPOCH
from markdown_includes import ROOT

TOOLS = ROOT / "tools"
EXEC_RE = re.compile(r'^[ \t]*```+[ \t]*python\b[^\n]*\bexec="on"', re.MULTILINE)
PAGES = sorted(p.relative_to(ROOT / "docs") for p in ROOT.glob("docs/**/*.md"))
CHAPTERS = [p for p in PAGES if EXEC_RE.search((ROOT / "docs" / p).read_text("utf-8"))]
LINE_RE = re.compile(r'<p class="page-provenance">(?P<line>[^<]*)</p>')


def load(name: str):
    """A module of tools/, imported as MkDocs imports a hook: tools/ on the path."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        sys.path.insert(0, str(TOOLS))
        try:
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(TOOLS))
    return sys.modules[name]


def expected_line() -> str:
    """The line, from what this interpreter imports (not from package metadata)."""
    date = datetime.fromtimestamp(int(SOURCE_DATE_EPOCH), timezone.utc)
    if torch.version.cuda:
        build = f"CUDA {torch.version.cuda}"
    elif torch.version.hip:
        build = f"ROCm {torch.version.hip}"
    else:
        build = "CPU"
    return (
        f"Outputs produced on {date:%Y-%m-%d} by Python {platform.python_version()}, "
        f"torch {torch.__version__.split('+')[0]} ({build}), "
        f"NumPy {numpy.__version__}."
    )


def built(site_dir: Path, url: str) -> str:
    return (site_dir / url / "index.html").read_text(encoding="utf-8")


def url_of(page: Path) -> str:
    return "" if page.stem == "index" else page.with_suffix("").as_posix()


# --- the line itself -------------------------------------------------------------


def test_the_line_names_the_interpreter_torch_numpy_and_the_build_date(monkeypatch):
    provenance = load("provenance")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    assert provenance.version_line() == expected_line()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86399")  # the last second of a day
    assert provenance.version_line().startswith("Outputs produced on 1970-01-01 by")


@pytest.mark.parametrize(
    ("version_py", "build"),
    [
        ("cuda: Optional[str] = None\nhip: Optional[str] = None\n", "CPU"),
        ("cuda: Optional[str] = '12.8'\nhip: Optional[str] = None\n", "CUDA 12.8"),
        ("cuda = None\nhip = '6.4.43482'\n", "ROCm 6.4.43482"),
    ],
)
def test_torch_build_is_read_from_torch_version_py(version_py: str, build: str):
    assert load("provenance").torch_build(version_py) == build


def test_the_versions_cell_prints_what_it_says(capsys):
    exec(load("provenance").VERSIONS_CODE, {})
    assert capsys.readouterr().out == (
        f"Python {platform.python_version()}\ntorch {torch.__version__}\n"
        f"NumPy {numpy.__version__}\n"
    )


def test_the_date_never_reaches_the_executed_notebooks_cache(tmp_path: Path):
    """The versions cell is in the notebook that is executed (and cached by its
    content); the dated line is added only when the download is written."""
    notebooks, provenance = load("notebooks"), load("provenance")
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "one.py").write_text("print(1)\n")
    page = '# Made up\n\n```python exec="on" id="one"\n--8<-- "snippets/one.py"\n```\n'
    config = {
        "mdx_configs": {"pymdownx.snippets": {"base_path": [str(tmp_path)]}},
        "docs_dir": str(tmp_path / "docs"),
        "site_url": "https://example.org/site/",
        "site_name": "Site",
        "use_directory_urls": True,
    }
    chapter = notebooks.chapter_notebook(config, "made_up.md", page)
    cells = chapter.notebook.cells
    assert [c.id for c in cells] == [
        "made_up-md-1",
        "made_up-about",
        "made_up-versions",
        "one",
    ]
    assert "Outputs produced on" not in nbformat.writes(chapter.notebook)
    stamped = provenance.stamp(chapter.notebook, "made_up", "https://example.org/")
    assert [c.id for c in stamped.cells][2:4] == [
        "made_up-provenance",
        "made_up-versions",
    ]
    assert provenance.version_line() in stamped.cells[2].source


# --- on the pages -------------------------------------------------------------------


@pytest.mark.parametrize("url", [*map(url_of, CHAPTERS), "whole_tutorial"])
def test_every_page_with_executed_code_names_what_produced_it(site_dir, url):
    text = built(site_dir, url)
    lines = [html.unescape(m["line"]) for m in LINE_RE.finditer(text)]
    assert lines == [expected_line()]
    # Under the page's content, inside the article.
    at = text.index('class="page-provenance"')
    assert text.rindex("</h1>") < at < text.index("</article>")


def test_pages_without_executed_code_have_no_line(site_dir: Path):
    others = [p for p in PAGES if p not in CHAPTERS]
    assert others, "every page has executed code: this test checks nothing"
    for page in others:
        assert "page-provenance" not in built(site_dir, url_of(page)), page
    assert "page-provenance" not in (site_dir / "404.html").read_text("utf-8")


# --- in the notebooks ---------------------------------------------------------------


def test_every_notebook_opens_with_the_line_and_the_kernels_versions(site_dir):
    notebooks = sorted((site_dir / "notebooks").glob("*.ipynb"))
    assert len(notebooks) == len(CHAPTERS) + 1  # and the whole tutorial
    printed = (
        f"Python {platform.python_version()}\ntorch {torch.__version__}\n"
        f"NumPy {numpy.__version__}\n"
    )
    for path in notebooks:
        cells = nbformat.read(path, as_version=4).cells
        kinds = [c.metadata.get("provenance") for c in cells]
        assert kinds.count("line") == kinds.count("versions") == 1, path.name
        at = kinds.index("line")
        assert at <= 2 and kinds[at + 1] == "versions", path.name  # near the top
        line, versions = cells[at], cells[at + 1]
        assert line.cell_type == "markdown" and versions.cell_type == "code"
        assert line.source.startswith(f"*{expected_line()}*"), path.name
        code = [c for c in cells if c.cell_type == "code"]
        assert code[0] is versions, "the first code cell prints the versions"
        outputs = [o for o in versions.outputs if o.output_type == "stream"]
        assert "".join(o.text for o in outputs) == printed, path.name

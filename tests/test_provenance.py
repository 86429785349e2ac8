"""What produced the outputs: the version line on every chapter page and notebook.

tools/provenance.py writes "Outputs produced on DATE by Python X, torch Y (CPU),
NumPy Z." from the build's interpreter and SOURCE_DATE_EPOCH. The tests run in the
interpreter that built the site (conftest.build_site runs sys.executable), so
what they import is what the build used.
"""

from __future__ import annotations

import html
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import numpy
import pytest
import torch

from snippet import NOTEBOOK_CHAPTERS, PAGES, built_page, source_date_epoch
from tools import chapter as chapter_model
from tools import notebooks, provenance

SOURCE_DATE_EPOCH = source_date_epoch()
LINE_RE = re.compile(r'<p class="page-provenance">(?P<line>[^<]*)</p>')


def expected_line() -> str:
    """The line, from what this interpreter imports (not from package metadata)."""
    date = datetime.fromtimestamp(int(SOURCE_DATE_EPOCH), UTC)
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


# --- the line itself -------------------------------------------------------------


def test_the_line_names_the_interpreter_torch_numpy_and_the_build_date(monkeypatch):
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
    assert provenance.torch_build(version_py) == build


@pytest.mark.parametrize(
    ("version_py", "version"),
    [
        ("__version__ = '2.13.0+cpu'\ncuda: Optional[str] = None\n", "2.13.0+cpu"),
        # PyPI's CUDA wheel for Linux: its metadata says 2.13.0, torch this.
        (
            "__version__ = '2.13.0+cu130'\ncuda: Optional[str] = '13.0'\n",
            "2.13.0+cu130",
        ),
        ("__version__: str = '2.13.0'\n", "2.13.0"),
    ],
)
def test_torch_version_is_read_from_torch_version_py(version_py: str, version: str):
    assert provenance.torch_version(version_py) == version


def test_the_versions_cell_prints_what_it_says(capsys):
    """What the build writes as the versions cell's output (read without
    importing torch) is what the cell prints in this interpreter."""
    exec(provenance.VERSIONS_CODE, {})
    printed = capsys.readouterr().out
    assert printed == (
        f"Python {platform.python_version()}\ntorch {torch.__version__}\n"
        f"NumPy {numpy.__version__}\n"
    )
    assert provenance.printed_versions() == printed


def test_the_versions_cell_follows_the_note_and_the_line_is_added_on_writing(
    tmp_path: Path,
):
    """The notebook writer puts the versions cell (with what it prints in the
    build's interpreter) after the note about where the notebook comes from;
    the dated line is stamped above it when the download is written."""
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "one.py").write_text("print(1)\n")
    page = '# Made up\n\n```python exec="on" id="one"\n--8<-- "snippets/one.py"\n```\n'
    config = {"markdown_extensions": [{"pymdownx.snippets": {"base_path": ["."]}}]}
    expander = chapter_model.Expander.for_project(config, tmp_path)
    chapter = chapter_model.parse(page, "made_up.md", expander)
    site = notebooks.Site("Site", "https://example.org/", lambda s: "https://x/" + s)
    notebook = notebooks.chapter_notebook(chapter, {"one": "1\n"}, site, tmp_path)
    assert [c.id for c in notebook.cells] == [
        "made_up-md-1",
        "made_up-about",
        "made_up-versions",
        "one",
    ]
    versions = notebook.cells[2]
    assert versions.outputs[0].text == provenance.printed_versions()
    assert [c.execution_count for c in notebook.cells if c.cell_type == "code"] == [
        1,
        2,
    ]
    assert "Outputs produced on" not in nbformat.writes(notebook)
    stamped = provenance.stamp(notebook, "made_up", "https://example.org/")
    assert [c.id for c in stamped.cells][2:4] == [
        "made_up-provenance",
        "made_up-versions",
    ]
    assert provenance.version_line() in stamped.cells[2].source


# --- on the pages -------------------------------------------------------------------


@pytest.mark.parametrize("src_uri", [c.src_uri for c in NOTEBOOK_CHAPTERS])
def test_every_page_with_executed_code_names_what_produced_it(site_dir, src_uri):
    text = built_page(site_dir, src_uri)
    lines = [html.unescape(m["line"]) for m in LINE_RE.finditer(text)]
    assert lines == [expected_line()]
    # Under the page's content, inside the article.
    at = text.index('class="page-provenance"')
    assert text.rindex("</h1>") < at < text.index("</article>")


def test_pages_without_a_notebook_have_no_line(site_dir: Path):
    code = {c.src_uri for c in NOTEBOOK_CHAPTERS}
    others = [p for p in PAGES if p not in code]
    assert others, "every page has a notebook: this test checks nothing"
    for page in others:
        assert "page-provenance" not in built_page(site_dir, page), page
    assert "page-provenance" not in (site_dir / "404.html").read_text("utf-8")


# --- in the notebooks ---------------------------------------------------------------


def test_every_notebook_opens_with_the_line_and_the_kernels_versions(site_dir):
    notebooks = sorted((site_dir / "notebooks").glob("*.ipynb"))
    assert len(notebooks) == len(NOTEBOOK_CHAPTERS)
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

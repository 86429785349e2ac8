"""Every snippet is a program: it runs on its own and prints what its page shows."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("snippets/**/*.py"))
INCLUDE_RE = re.compile(
    r'```+\s*python\b(?P<info>[^\n]*)\n[ \t]*--8<--\s+"(?P<path>[^"]+)"'
)
CODE_RE = re.compile(r"<code[^>]*>(.*?)</code>", re.DOTALL)
TAG_RE = re.compile(r"<[^>]+>")


def included_as_text() -> dict[str, str]:
    """snippet path -> the page that includes it with result="text"."""
    pages = {}
    for page in sorted(ROOT.glob("docs/**/*.md")):
        for match in INCLUDE_RE.finditer(page.read_text(encoding="utf-8")):
            if 'result="text"' in match["info"]:
                pages.setdefault(match["path"], page.relative_to(ROOT / "docs"))
    return pages


def test_there_are_snippets():
    assert len(SNIPPETS) >= 10, SNIPPETS


def page_code_blocks(site_dir: Path, page: Path) -> list[str]:
    """The text of every code block on the built page of docs/<page>."""
    html_file = site_dir / page.with_suffix("") / "index.html"
    if page.stem == "index":
        html_file = site_dir / page.parent / "index.html"
    return [
        html.unescape(TAG_RE.sub("", block)).strip()
        for block in CODE_RE.findall(html_file.read_text(encoding="utf-8"))
    ]


def test_every_snippet_is_on_a_page():
    included = set()
    for page in ROOT.glob("docs/**/*.md"):
        included |= {m["path"] for m in INCLUDE_RE.finditer(page.read_text("utf-8"))}
    assert set(SNIPPETS) <= included, set(SNIPPETS) - included


@pytest.mark.parametrize("path", SNIPPETS)
def test_snippet_runs_alone_and_prints_what_its_page_shows(
    path: str, tmp_path: Path, site_dir: Path
):
    # From an unrelated directory, as a reader would after copying the file,
    # except for programs that say they run from the repository's root.
    source = (ROOT / path).read_text(encoding="utf-8")
    cwd = ROOT if "repository's root" in source else tmp_path
    process = subprocess.run(
        [sys.executable, str(ROOT / path)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert process.returncode == 0, f"{path} failed:\n{process.stderr}"
    printed = process.stdout.strip()
    assert printed, f"{path} printed nothing"
    page = included_as_text().get(path)
    if page is not None:
        assert printed in page_code_blocks(site_dir, page), (
            f"docs/{page} does not show exactly what {path} prints:\n{printed}"
        )

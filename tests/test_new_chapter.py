"""`make chapter`: a new chapter that follows every rule, ready to check.

In a scratch project with the site's configuration: the scaffold writes the
page, its snippets, its test and its nav entry; the strict build passes; the
chapter follows the exercises' rule; its own test passes, run by pytest in
that project with the tests' helpers. (`make check-chapter NAME=demo` in a
clone runs the site's tests of that chapter too: README, Writing a chapter.)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from snippet import ROOT, build_site, exercise_problems, read_config, small_project
from snippet import write_config as write_mkdocs_config
from tools import chapter as chapter_model
from tools import new_chapter


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    config = small_project(tmp_path, {"index.md": "# Home\n"}, {})
    data = read_config(config)
    data["nav"] = [{"Home": "index.md"}]
    write_mkdocs_config(config, data)
    return tmp_path


def test_the_scaffold_writes_a_chapter_that_builds_and_passes(scratch: Path):
    written = new_chapter.write(scratch, "demo", 'A demo: "quoted"')
    assert set(written) == {
        "docs/demo.md",
        "snippets/demo/loss.py",
        "snippets/demo/exercise_targets.py",
        "snippets/demo/exercise_point.py",
        "tests/test_demo.py",
        "mkdocs.yml",
    }
    config = chapter_model.load_config(scratch / "mkdocs.yml")
    assert chapter_model.nav_pages(config) == ["index.md", "demo.md"]
    assert {'A demo: "quoted"': "demo.md"} in config["nav"]
    process = build_site(scratch / "mkdocs.yml", scratch / "site", cwd=scratch)
    assert process.returncode == 0, process.stderr
    assert "<math" in (scratch / "site/demo/index.html").read_text(encoding="utf-8")
    (chapter,) = [
        c for c in chapter_model.project_chapters(scratch) if c.src_uri == "demo.md"
    ]
    assert len(chapter.blocks) == 3 and chapter.has_exercises
    assert exercise_problems(chapter, root=scratch) == []
    # Its own test, with the tests' helpers, in that project.
    for helper in ("conftest.py", "snippet.py", "chromium.py"):
        shutil.copy(ROOT / "tests" / helper, scratch / "tests" / helper)
    shutil.copy(ROOT / "pyproject.toml", scratch / "pyproject.toml")
    tested = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_demo.py", "-n", "0", "-q"],
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "3 passed" in tested.stdout


def test_the_scaffold_overwrites_nothing_and_checks_its_name(scratch: Path):
    (scratch / "docs/demo.md").write_text("# Mine\n", encoding="utf-8")
    before = (scratch / "mkdocs.yml").read_text(encoding="utf-8")
    with pytest.raises(new_chapter.ChapterExists, match="docs/demo.md exist"):
        new_chapter.write(scratch, "demo", "Demo")
    assert (scratch / "docs/demo.md").read_text(encoding="utf-8") == "# Mine\n"
    assert (scratch / "mkdocs.yml").read_text(encoding="utf-8") == before
    for name in ("Demo", "2demo", "de-mo", ""):
        with pytest.raises(ValueError, match="lower case letters"):
            new_chapter.write(scratch, name, "Demo")
    with pytest.raises(ValueError, match="needs a title"):
        new_chapter.write(scratch, "other", " ")


def test_the_nav_entry_goes_before_the_whole_tutorial():
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    slug = "demo"
    while f"{slug}.md" in text:  # a project that has a demo chapter already
        slug += "x"
    entry = f'  - "Demo": {slug}.md'
    added = new_chapter.add_to_nav(text, slug, "Demo").split("\n")
    at = added.index(entry)
    assert added[at + 1].endswith(f": {new_chapter.NAV_LAST}")
    assert [line for line in added if line != entry] == text.split("\n")

"""Which browser the browser tests drive (tests/chromium.py), and `make test`'s
way to one: CHROMIUM wins, then Playwright's own Chromium, then Debian's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import chromium
from snippet import ROOT


@pytest.fixture
def programs(tmp_path: Path) -> dict[str, Path]:
    names = ("set by hand", "playwright", "debian")
    paths = {name: tmp_path / name / "chrome" for name in names}
    for path in paths.values():
        path.parent.mkdir()
        path.write_text("")
    return paths


def test_chromium_set_to_a_program_wins(programs):
    chosen = chromium.choose(
        str(programs["set by hand"]), programs["playwright"], programs["debian"]
    )
    assert chosen == programs["set by hand"]


def test_chromium_set_to_nothing_that_exists_is_an_error(programs, tmp_path):
    missing = str(tmp_path / "no such browser")
    with pytest.raises(chromium.NoBrowser, match="^CHROMIUM is .*not a file"):
        chromium.choose(missing, programs["playwright"], programs["debian"])


@pytest.mark.parametrize("unset", [None, ""])
def test_playwrights_chromium_before_debians(programs, unset):
    chosen = chromium.choose(unset, programs["playwright"], programs["debian"])
    assert chosen == programs["playwright"]


def test_debians_chromium_where_playwright_has_none(programs, tmp_path):
    chosen = chromium.choose(None, tmp_path / "not installed", programs["debian"])
    assert chosen == programs["debian"]


def test_no_browser_is_one_sentence_that_says_what_to_run(tmp_path):
    with pytest.raises(chromium.NoBrowser) as error:
        chromium.choose(None, tmp_path / "a", tmp_path / "b")
    message = str(error.value)
    assert message == chromium.NO_BROWSER
    assert ". " not in message and message.endswith(".")  # one sentence
    assert "playwright install chromium" in message and "CHROMIUM" in message


def test_the_command_prints_the_choice_as_the_tests_make_it(programs):
    """`make test` and `make bench` ask `python tests/chromium.py`."""

    def command(chromium: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "tests" / "chromium.py")],
            env={**os.environ, "CHROMIUM": str(chromium)},
            capture_output=True,
            text=True,
            timeout=60,
        )

    process = command(programs["set by hand"])
    assert process.returncode == 0, process.stderr
    assert process.stdout == f"{programs['set by hand']}\n"
    process = command(programs["set by hand"].parent / "missing")
    assert process.returncode == 1 and "not a file" in process.stderr


def test_make_test_sets_up_a_browser_before_the_tests():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test: lint browser$", makefile, re.M)
    recipe = re.search(r"^browser:.*\n((?:\t.*\n)+)", makefile, re.M)[1]
    assert "-m playwright install chromium" in recipe
    assert "apt-get install" in recipe and "chromium" in recipe
    assert "$(BROWSER)" in recipe
    assert "BROWSER = $(BIN)/python tests/chromium.py" in makefile

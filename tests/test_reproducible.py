"""Two builds of the same tree give byte-identical sites."""

from __future__ import annotations

import filecmp
from pathlib import Path

from snippet import ROOT, build_site


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_two_builds_are_byte_identical(site_dir: Path, tmp_path: Path):
    again = tmp_path / "again"
    process = build_site(ROOT / "mkdocs.yml", again)
    assert process.returncode == 0, process.stderr
    names = files_under(site_dir)
    assert names == files_under(again)
    _, mismatch, errors = filecmp.cmpfiles(
        site_dir, again, sorted(names), shallow=False
    )
    assert mismatch == [] and errors == [], f"differ between builds: {mismatch}"
    assert len(names) > 50
